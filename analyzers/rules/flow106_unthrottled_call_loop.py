from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, OutboundCall, Severity
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "requests\n"}
LOOP = """import time
import requests

def push(rankings):
    for ranking in rankings:
        requests.put(f"https://partner.example.com/rankings/{{ranking['id']}}", json=ranking, timeout=5){extra}
"""


class UnthrottledCallLoop(Rule):
    """A loop of calls to another API with no pacing and no 429 handling.

    ## What it finds
    Outbound calls made once per item of a loop, where nothing paces the loop
    (no sleep, no rate limiter or semaphore) and the code never looks at a
    429 status or a `Retry-After` header.

    ## Why it matters
    External APIs and busy internal services enforce rate limits. A loop that
    fires as fast as it can is throttled halfway through, and without 429
    handling the rest of the batch fails or, retried at once, makes the
    throttling worse. The larger the data, the surer the failure.

    ## Example
    `for job in jobs: requests.put(f"{JOBS_API_URL}/v2/jobs/{job['id']}/rankings", ...)`

    ## Fix
    Pace the loop to the API's published limit (a token bucket, a semaphore,
    or a sleep), honour `Retry-After` on 429, or use the API's batch endpoint.
    """

    code = "FLOW106"
    name = "unthrottled-call-loop"
    family = Family.RATE_LIMIT
    severity = Severity.MEDIUM

    VALID = (
        Example(head={**SVC, "svc/a.py": LOOP.format(extra="\n        time.sleep(0.2)")}),
        Example(
            head={
                **SVC,
                "svc/a.py": LOOP.format(
                    extra="\n        if r.status_code == 429:\n            break"
                ).replace("        requests.put", "        r = requests.put"),
            },
            note="the loop handles 429",
        ),
    )
    INVALID = (
        Example(head={**SVC, "svc/a.py": LOOP.format(extra="")}),
        Example(
            head={
                "api/package.json": "{}",
                "api/src/push.ts": "export async function push(items: { id: string }[]) {\n"
                "  await Promise.all(items.map((item) =>\n"
                "    fetch(`https://partner.example.com/items/${item.id}`, { method: 'PUT', signal: AbortSignal.timeout(5000) }),\n"
                "  ));\n}\n",
            },
            note="TypeScript: a parallel fan-out",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for call in ctx.facts(OutboundCall):
            if not call.in_loop or call.throttled or call.handles_rate_limit:
                continue
            yield self.finding(
                title="Calls in a loop with no throttle and no 429 handling",
                message=(
                    f"{call.method} {call.url} is called once per loop item, as fast as the loop "
                    "runs, and nothing handles a 429 or Retry-After: a large batch hits the "
                    "rate limit and fails halfway."
                ),
                key=f"{call.function or call.location.path}:{call.method}:{call.url}",
                service=call.service,
                location=call.location,
                suggestion="pace the loop (rate limiter or semaphore) and honour Retry-After on 429",
            )
