from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, OutboundCall, Severity
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "httpx\n"}
TENACITY = """import httpx
from tenacity import retry, stop_after_attempt, {wait}

@retry(stop=stop_after_attempt(4), wait={wait}(max=8))
def f(url):
    return httpx.get(url)
"""


class BackoffWithoutJitter(Rule):
    """Exponential backoff without jitter: every client retries at the same moments.

    ## What it finds
    Retry policies whose wait grows between attempts but is not randomised:
    tenacity's `wait_exponential` alone, a loop sleeping `2 ** attempt`,
    urllib3's `Retry(backoff_factor=...)` without `backoff_jitter`.

    ## Why it matters
    When a dependency fails, every caller fails at once; with identical
    backoff they all come back at once too, in synchronised waves that hit
    the recovering service at each step of the schedule.

    ## Example
    `@retry(stop=stop_after_attempt(4), wait=wait_exponential(max=8))`

    ## Fix
    Randomise the wait: tenacity's `wait_random_exponential` or
    `wait_exponential_jitter`, `backoff.expo` (full jitter by default), or
    `Retry(backoff_factor=0.5, backoff_jitter=0.3)`.
    """

    code = "FLOW105"
    name = "backoff-without-jitter"
    family = Family.BACKOFF
    severity = Severity.LOW

    VALID = (Example(head={**SVC, "svc/a.py": TENACITY.format(wait="wait_random_exponential")}),)
    INVALID = (Example(head={**SVC, "svc/a.py": TENACITY.format(wait="wait_exponential")}),)

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for call in ctx.facts(OutboundCall):
            if call.retry is None or not call.retry.backoff or call.retry.jitter:
                continue
            yield self.finding(
                title="Backoff without jitter",
                message=(
                    f"Retries of {call.method} {call.url} back off on a fixed schedule "
                    f"({call.retry.mechanism}): after a shared failure, every client comes back "
                    "at the same moments."
                ),
                key=f"{call.function or call.location.path}:{call.method}:{call.url}",
                service=call.service,
                location=call.location,
                suggestion="randomise the backoff (full or equal jitter)",
            )
