from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, ObservabilitySite, OutboundCall, Severity
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "requests\n"}
SYNC = """{imports}import requests

def sync_prices():
    response = requests.get("https://prices.example.com/v1/prices", timeout=10)
    response.raise_for_status(){log}
    return response.json()
"""


class UnobservedIntegrationCall(Rule):
    """A call to another service from code that leaves no log, metric or span at all.

    ## What it finds
    Outbound calls in a module that records nothing: no logging call, no
    metric, no tracing span anywhere in the file. The call's failures,
    latency and retries are invisible in production.

    ## Why it matters
    "How will I know if this integration fails?" When the module never
    logs, a failure surfaces far from its cause (a stack trace in a
    scheduler, a silent empty result), with no request id, no latency
    history and no error rate to alert on.

    ## Example
    A scheduled job module that calls a partner API in a loop and has no
    `logger` at all.

    ## Fix
    Log the start, outcome and duration of the call with a correlation id,
    count failures and retries (a metric per target and status), and wrap
    the call in a span, or use an instrumented client (OpenTelemetry's
    requests/httpx instrumentation).
    """

    code = "FLOW402"
    name = "unobserved-integration-call"
    family = Family.OBSERVABILITY
    severity = Severity.LOW

    VALID = (
        Example(
            head={
                **SVC,
                "svc/sync.py": SYNC.format(
                    imports="import logging\n\nlog = logging.getLogger(__name__)\n",
                    log='\n    log.info("prices synced", extra={"count": len(response.json())})',
                ),
            }
        ),
    )
    INVALID = (
        Example(head={**SVC, "svc/sync.py": SYNC.format(imports="", log="")}),
        Example(
            head={
                "api/package.json": "{}",
                "api/src/sync.ts": "export async function sync() {\n"
                "  const res = await fetch('https://prices.example.com/v1', { signal: AbortSignal.timeout(5000) });\n"
                "  return res.json();\n}\n",
            },
            note="TypeScript",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        observed_files = {site.location.path for site in ctx.facts(ObservabilitySite)}
        for call in ctx.facts(OutboundCall):
            if call.observed or call.location.path in observed_files:
                continue
            if not self.may_keep(ctx, call.location):
                continue
            yield self.finding(
                title="Cross-service call with no log, metric or span",
                message=(
                    f"{call.method} {call.url} is made from a module that records nothing: its "
                    "failures, latency and retries are invisible in production."
                ),
                key=f"{call.function or call.location.path}:{call.method}:{call.url}",
                service=call.service,
                location=call.location,
                suggestion="log the call's outcome with a correlation id, count failures, add a span",
            )
