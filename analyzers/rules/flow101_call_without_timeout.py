from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, OutboundCall, Severity
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "requests\nhttpx\n"}
TS = {"api/package.json": "{}"}
TS_CLIENT = """import axios from 'axios';

const ai = axios.create({{ baseURL: process.env.AI_ENGINE_URL || 'http://localhost:3002'{timeout} }});

export async function match(body: unknown) {{
  return (await ai.post('/api/v1/match', body)).data;
}}

export async function health() {{
  const res = await fetch(`${{process.env.AI_ENGINE_URL}}/health`{signal});
  return res.ok;
}}
"""
FIXES = {
    "requests": "pass timeout=(3.05, 10): connect and read bounds, in seconds",
    "httpx": "drop timeout=None, or set httpx.Timeout(10.0, connect=3.0)",
    "aiohttp": "give the session aiohttp.ClientTimeout(total=10)",
    "urllib": "pass timeout=10 to urlopen",
    "fetch": "pass signal: AbortSignal.timeout(10_000)",
    "axios": "set timeout: 10_000 on the instance (axios.create) or the call",
    "got": "set timeout: { request: 10_000 }",
}


class CallWithoutTimeout(Rule):
    """An outbound HTTP call that can wait forever for the other side.

    ## What it finds
    Calls with no bound on their wait: `requests` and `urllib` calls without a
    `timeout` (their default is to wait forever), and any client given
    `timeout=None`. httpx (5 s) and aiohttp (300 s) have default timeouts, so
    only an explicit `None` makes them unbounded.

    ## Why it matters
    A service that stops answering without closing the connection holds the
    caller's worker, thread or connection-pool slot forever. A handful of such
    calls exhaust the caller, and the outage of one service becomes the outage
    of every service that calls it.

    ## Example
    `requests.get(f"{JOBS_API_URL}/v2/jobs")` in a scheduled job: when the job
    board hangs, the job never finishes and the next run piles up behind it.

    ## Fix
    Give every call a timeout that fits the caller's own deadline, such as
    `requests.get(url, timeout=(3.05, 10))`; for a session or client, set it
    once where it is made.
    """

    code = "FLOW101"
    name = "call-without-timeout"
    family = Family.TIMEOUT
    severity = Severity.HIGH

    VALID = (
        Example(
            head={
                **TS,
                "api/src/ai.ts": TS_CLIENT.format(
                    timeout=", timeout: 5000", signal=", { signal: AbortSignal.timeout(2000) }"
                ),
            },
            note="an axios instance with a timeout, a fetch with an abort signal",
        ),
        Example(
            head={**SVC, "svc/a.py": "import requests\nrequests.get('http://x/y', timeout=5)\n"}
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import httpx\n\ndef f():\n    return httpx.get('http://x/y')\n",
            },
            note="httpx has a 5 s default timeout",
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import httpx\nclient = httpx.Client(timeout=None)\n\n"
                "def f():\n    return client.get('/y', timeout=3)\n",
            },
            note="the call overrides the client's missing bound",
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\n\ndef f(**kw):\n    return requests.get('http://x', **kw)\n",
            },
            note="**kwargs may carry the timeout",
        ),
        Example(
            head={**SVC, "svc/tests/test_a.py": "import requests\nrequests.get('http://x')\n"},
            note="test code",
        ),
    )
    INVALID = (
        Example(
            head={**TS, "api/src/ai.ts": TS_CLIENT.format(timeout="", signal="")},
            expected=2,
            note="axios has no default timeout; neither has fetch",
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\n\ndef f():\n    return requests.get('http://x/y')\n",
            }
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "from requests import get as fetch_url\nfetch_url('http://x/y')\n",
            },
            note="an aliased import",
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import httpx as h\n\nasync def f():\n"
                "    async with h.AsyncClient(timeout=None) as c:\n        return await c.get('http://x')\n",
            },
            note="httpx with timeout=None",
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\ns = requests.Session()\n\n"
                "def f():\n    s.post('http://x/a', json={})\n    s.get('http://x/b')\n",
            },
            expected=2,
            note="a session has no default timeout",
        ),
        Example(
            head={**SVC, "svc/a.py": "from urllib.request import urlopen\nurlopen('http://x')\n"},
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for call in ctx.facts(OutboundCall):
            if not call.unbounded or not self.may_keep(ctx, call.location):
                continue
            yield self.finding(
                title=f"{call.library} {call.method} call without a timeout",
                message=(
                    f"{call.method} {call.url} ({call.library}) has no bound on its wait: if the "
                    "other side stops answering, this caller waits forever."
                ),
                key=f"{call.function or call.location.path}:{call.library}:{call.method}:{call.url}",
                service=call.service,
                location=call.location,
                suggestion=FIXES.get(call.library, "set a timeout on the call"),
            )
