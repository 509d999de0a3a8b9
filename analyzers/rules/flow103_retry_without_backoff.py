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

def f(url):
    for attempt in range(5):
        try:
            return requests.get(url, timeout=5)
        except requests.RequestException:
            {wait}
"""


class RetryWithoutBackoff(Rule):
    """Retries that come back at once, or at a fixed pace, instead of backing off.

    ## What it finds
    A retry policy around an outbound call whose wait does not grow between
    attempts: a loop that retries immediately or sleeps a constant time, a
    tenacity `@retry` with no `wait`, a urllib3 `Retry` with no
    `backoff_factor`.

    ## Why it matters
    A service that fails under load gets every failed request again at once,
    multiplied by the number of attempts: the retries turn a slowdown into an
    outage (a retry storm) and keep it down while it tries to recover.

    ## Example
    `while True: try: return requests.get(url) except RequestException: continue`

    ## Fix
    Wait longer after each failure: exponential backoff with a cap, and
    jitter, such as tenacity's `wait_random_exponential(multiplier=0.5, max=10)`
    or urllib3's `Retry(total=3, backoff_factor=0.5)`.
    """

    code = "FLOW103"
    name = "retry-without-backoff"
    family = Family.BACKOFF
    severity = Severity.MEDIUM

    VALID = (
        Example(head={**SVC, "svc/a.py": LOOP.format(wait="time.sleep(2 ** attempt)")}),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\n\ndef f(url):\n    return requests.get(url, timeout=5)\n",
            },
            note="no retry at all is another rule's concern",
        ),
    )
    INVALID = (
        Example(
            head={
                "api/package.json": "{}",
                "api/src/a.ts": "export async function get(url: string) {\n"
                "  for (let attempt = 0; attempt < 3; attempt++) {\n"
                "    try {\n      return await fetch(url, { signal: AbortSignal.timeout(2000) });\n"
                "    } catch (err) {\n      continue;\n    }\n  }\n  throw new Error('down');\n}\n",
            },
            note="TypeScript: immediate retries",
        ),
        Example(head={**SVC, "svc/a.py": LOOP.format(wait="continue")}, note="immediate retries"),
        Example(head={**SVC, "svc/a.py": LOOP.format(wait="time.sleep(1)")}, note="a fixed pace"),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\nfrom tenacity import retry, stop_after_attempt\n\n"
                "@retry(stop=stop_after_attempt(5))\ndef f(url):\n    return requests.get(url, timeout=5)\n",
            },
            note="tenacity without a wait",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for call in ctx.facts(OutboundCall):
            retry = call.retry
            # httpx's transport retries only failed connections, where nothing reached the server.
            if retry is None or retry.backoff or retry.mechanism == "httpx-transport":
                continue
            how = "at a fixed pace" if retry.waits else "immediately"
            yield self.finding(
                title=f"Retries {how}, without backoff",
                message=(
                    f"{call.method} {call.url} is retried {how} ({retry.mechanism}): when the other "
                    "side is overloaded the retries add to the load instead of letting it recover."
                ),
                key=f"{call.function or call.location.path}:{call.method}:{call.url}",
                service=call.service,
                location=call.location,
                suggestion="wait exponentially longer between attempts, with a cap and jitter",
            )
