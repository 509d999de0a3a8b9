from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, OutboundCall, Severity
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "requests\n"}


class UnboundedRetry(Rule):
    """A call retried with no limit on attempts or time.

    ## What it finds
    Retry policies with no bound: `while True` loops around a call that only
    leave on success, a bare tenacity `@retry` (it retries forever), a
    `backoff` decorator with neither `max_tries` nor `max_time`.

    ## Why it matters
    When the other side is down for an hour, an unbounded retry holds its
    worker for that hour, hides the failure from every caller and monitor,
    and, across many workers, keeps hammering the service that tries to come
    back.

    ## Example
    `while True: try: return requests.get(url, timeout=5) except RequestException: continue`

    ## Fix
    Bound the attempts (or the total time) and let the last failure surface:
    `@retry(stop=stop_after_attempt(5), wait=wait_random_exponential(max=10), reraise=True)`.
    """

    code = "FLOW104"
    name = "unbounded-retry"
    family = Family.RETRY
    severity = Severity.HIGH

    VALID = (
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\nimport backoff\n\n"
                "@backoff.on_exception(backoff.expo, requests.RequestException, max_tries=5)\n"
                "def f(url):\n    return requests.get(url, timeout=5)\n",
            }
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\n\ndef f(urls):\n    while urls:\n"
                "        requests.get(urls.pop(), timeout=5)\n",
            },
            note="a loop over work, not a retry",
        ),
    )
    INVALID = (
        Example(
            head={
                "api/package.json": "{}",
                "api/src/a.ts": "export async function get(url: string) {\n  while (true) {\n    try {\n"
                "      return await fetch(url, { signal: AbortSignal.timeout(2000) });\n"
                "    } catch (err) {\n      await new Promise((r) => setTimeout(r, 1000));\n    }\n  }\n}\n",
            },
            note="TypeScript",
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\n\ndef f(url):\n    while True:\n        try:\n"
                "            return requests.get(url, timeout=5)\n"
                "        except requests.RequestException:\n            continue\n",
            }
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\nfrom tenacity import retry\n\n"
                "@retry\ndef f(url):\n    return requests.get(url, timeout=5)\n",
            },
            note="a bare tenacity retry never stops",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for call in ctx.facts(OutboundCall):
            if call.retry is None or call.retry.attempts is not None:
                continue
            yield self.finding(
                title="Retry with no limit",
                message=(
                    f"{call.method} {call.url} is retried without a bound ({call.retry.mechanism}): "
                    "an outage of the other side holds this worker until it ends, and no one sees "
                    "the failure."
                ),
                key=f"{call.function or call.location.path}:{call.method}:{call.url}",
                service=call.service,
                location=call.location,
                suggestion="bound the attempts or the total time, then let the failure surface",
            )
