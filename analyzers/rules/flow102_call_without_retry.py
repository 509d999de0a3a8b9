from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, OutboundCall, Severity
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "httpx\ntenacity\n"}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
TS = {"api/package.json": "{}"}


class CallWithoutRetry(Rule):
    """A call that is safe to retry, to another service or an external API, with no retry.

    ## What it finds
    Outbound HTTP calls whose method is idempotent (GET, HEAD, OPTIONS, PUT,
    DELETE, or a POST carrying an idempotency key) and which no retry covers:
    no tenacity or backoff decorator, no `Retrying` block, no retrying
    transport or adapter, no retry loop around them.

    ## Why it matters
    Networks drop packets, load balancers reset connections and services
    restart during deploys. Without a retry a single transient failure
    becomes a failed user request or a failed job, although trying again
    would have succeeded and could do no harm.

    ## Example
    `await client.get(f"/v2/jobs/{job_id}")` inside a request handler: a
    deploy of the jobs API fails every request that lands during its restart.

    ## Fix
    Wrap the call in a bounded retry with exponential backoff and jitter,
    such as tenacity's `@retry(stop=stop_after_attempt(3),
    wait=wait_random_exponential(max=4))`, retrying only on connection
    errors, timeouts and 5xx/429 answers.
    """

    code = "FLOW102"
    name = "call-without-retry"
    family = Family.RETRY
    severity = Severity.MEDIUM

    VALID = (
        Example(
            head={
                **TS,
                "api/src/jobs.ts": "import axios from 'axios';\nimport axiosRetry from 'axios-retry';\n\n"
                "const jobs = axios.create({ baseURL: 'https://jobs.example.com', timeout: 3000 });\n"
                "axiosRetry(jobs, { retries: 3, retryDelay: axiosRetry.exponentialDelay });\n\n"
                "export const job = (id: string) => jobs.get(`/v2/jobs/${id}`);\n",
            },
            note="an axios instance with axios-retry",
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import httpx\nfrom tenacity import retry, stop_after_attempt, wait_random_exponential\n\n"
                "@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=4))\n"
                "def f():\n    return httpx.get('http://x/y')\n",
            },
            note="a call wrapped by a retrying decorator",
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import httpx\n\ndef f():\n    return httpx.post('http://x/charge', json={})\n",
            },
            note="a POST is not safe to retry without an idempotency key",
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\nfrom requests.adapters import HTTPAdapter\nfrom urllib3 import Retry\n"
                "s = requests.Session()\n"
                "s.mount('https://', HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))\n\n"
                "def f():\n    return s.get('https://x/y', timeout=3)\n",
            },
            note="a session whose adapter retries",
        ),
    )
    INVALID = (
        Example(
            head={
                **TS,
                "api/src/jobs.ts": "export async function job(id: string) {\n"
                "  return fetch(`https://jobs.example.com/v2/jobs/${id}`, { signal: AbortSignal.timeout(3000) });\n}\n",
            },
            note="TypeScript",
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import httpx\n\ndef f():\n    return httpx.get('http://x/y')\n",
            }
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import httpx\n\ndef f(key):\n"
                "    return httpx.post('http://x/charge', headers={'Idempotency-Key': key})\n",
            },
            note="a POST with an idempotency key is safe to retry",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for call in ctx.facts(OutboundCall):
            safe = call.method in SAFE_METHODS or (call.method == "POST" and call.idempotency_key)
            if call.retry is not None or not safe or not self.may_keep(ctx, call.location):
                continue
            yield self.finding(
                title=f"{call.method} call with no retry",
                message=(
                    f"{call.method} {call.url} is safe to retry, but nothing retries it: one "
                    "dropped connection or restarting instance fails the whole operation."
                ),
                key=f"{call.function or call.location.path}:{call.method}:{call.url}",
                service=call.service,
                location=call.location,
                suggestion=(
                    "retry it a bounded number of times with exponential backoff and jitter, "
                    "on connection errors, timeouts, 5xx and 429 only"
                ),
            )
