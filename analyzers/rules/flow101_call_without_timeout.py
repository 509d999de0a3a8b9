from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from analyzers.facts import Family, Finding, Fix, OutboundCall, Severity
from analyzers.javascript.timeout_fix import JsTimeoutFixer
from analyzers.paths import language_of
from analyzers.python.timeout_fix import PythonTimeoutFixer
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
PY_MULTILINE = """import requests


def f(payload):
    return requests.post(
        "http://x/y",
        json=payload,
    )
"""
TS_FETCH_OPTIONS = """export async function save(body: unknown) {
  return fetch(`${process.env.API_URL}/save`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
}
"""
TS_AXIOS = """import axios from 'axios';

export async function sync(body: unknown) {
  await axios.get('http://x/a', { headers: { a: '1' } });
  await axios.post('http://x/b', body);
  await axios.request({ method: 'put', url: 'http://x/c' });
  await axios.post<string>(
    'http://x/d',
    body,
  );
}
"""
TS_AXIOS_FIXED = """import axios from 'axios';

export async function sync(body: unknown) {
  await axios.get('http://x/a', { headers: { a: '1' }, timeout: 10_000 });
  await axios.post('http://x/b', body, { timeout: 10_000 });
  await axios.request({ method: 'put', url: 'http://x/c', timeout: 10_000 });
  await axios.post<string>(
    'http://x/d',
    body,
    { timeout: 10_000 },
  );
}
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


class _Fixer(Protocol):
    def fix(self, line: int, end_line: int, library: str) -> Fix | None: ...


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
    once where it is made. Where the call allows a certain edit, the finding
    carries it as a mechanical fix (a suggestion in the pull request):
    `timeout=10` for requests, httpx and urllib, `signal:
    AbortSignal.timeout(10_000)` for fetch, `timeout: 10_000` for axios.
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
            fixed={
                "api/src/ai.ts": TS_CLIENT.format(
                    timeout="", signal=", { signal: AbortSignal.timeout(10_000) }"
                ).replace("body)).data", "body, { timeout: 10_000 })).data")
            },
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\n\ndef f():\n    return requests.get('http://x/y')\n",
            },
            fixed={
                "svc/a.py": "import requests\n\ndef f():\n"
                "    return requests.get('http://x/y', timeout=10)\n"
            },
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "from requests import get as fetch_url\nfetch_url('http://x/y')\n",
            },
            note="an aliased import",
            fixed={
                "svc/a.py": "from requests import get as fetch_url\nfetch_url('http://x/y', timeout=10)\n"
            },
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import httpx as h\n\nasync def f():\n"
                "    async with h.AsyncClient(timeout=None) as c:\n        return await c.get('http://x')\n",
            },
            note="httpx with timeout=None",
            fixed={
                "svc/a.py": "import httpx as h\n\nasync def f():\n"
                "    async with h.AsyncClient(timeout=None) as c:\n"
                "        return await c.get('http://x', timeout=10)\n",
            },
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\ns = requests.Session()\n\n"
                "def f():\n    s.post('http://x/a', json={})\n    s.get('http://x/b')\n",
            },
            expected=2,
            note="a session has no default timeout",
            fixed={
                "svc/a.py": "import requests\ns = requests.Session()\n\ndef f():\n"
                "    s.post('http://x/a', json={}, timeout=10)\n    s.get('http://x/b', timeout=10)\n",
            },
        ),
        Example(
            head={**SVC, "svc/a.py": "from urllib.request import urlopen\nurlopen('http://x')\n"},
            fixed={
                "svc/a.py": "from urllib.request import urlopen\nurlopen('http://x', timeout=10)\n"
            },
        ),
        Example(
            head={**SVC, "svc/a.py": PY_MULTILINE},
            note="a call over several lines, its arguments one per line with a trailing comma",
            fixed={
                "svc/a.py": PY_MULTILINE.replace(
                    "json=payload,\n", "json=payload,\n        timeout=10,\n"
                )
            },
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\n\n\ndef f():\n"
                '    return requests.get(\n        "http://x/y"  # the y\n    )\n',
            },
            note="no trailing comma, and a comment after the last argument",
            fixed={
                "svc/a.py": "import requests\n\n\ndef f():\n"
                '    return requests.get(\n        "http://x/y",  # the y\n        timeout=10\n    )\n',
            },
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import httpx\n\n\ndef f():\n"
                '    return httpx.get("http://x", timeout=None)\n',
            },
            note="timeout=None on the call itself",
            fixed={
                "svc/a.py": "import httpx\n\n\ndef f():\n"
                '    return httpx.get("http://x", timeout=10)\n',
            },
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\n\n\ndef f(*args):\n"
                '    return requests.get("http://x", *args)\n',
            },
            note="no fix: *args could hold the timeout",
        ),
        Example(
            head={
                **SVC,
                "svc/a.py": "import requests\r\n\r\n\r\ndef f():\r\n"
                '    return requests.get("http://x")\r\n',
            },
            note="no fix: a suggestion would carry the file's carriage returns",
        ),
        Example(
            head={**TS, "api/src/a.ts": TS_FETCH_OPTIONS},
            note="fetch with an options object over several lines",
            fixed={
                "api/src/a.ts": TS_FETCH_OPTIONS.replace(
                    "JSON.stringify(body),\n",
                    "JSON.stringify(body),\n    signal: AbortSignal.timeout(10_000),\n",
                )
            },
        ),
        Example(
            head={
                **TS,
                "api/src/a.ts": "export async function save(init: RequestInit) {\n"
                "  return fetch(`${process.env.API_URL}/save`, { ...init, method: 'POST' });\n}\n",
            },
            note="no fix: the spread options could carry a signal",
        ),
        Example(
            head={**TS, "api/src/a.ts": TS_AXIOS},
            expected=4,
            note="axios: config given, no config, a request config, a multi-line call",
            fixed={"api/src/a.ts": TS_AXIOS_FIXED},
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        fixers: dict[str, _Fixer | None] = {}
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
                fix=self._fix(ctx, call, fixers),
            )

    def _fix(
        self, ctx: ReviewContext, call: OutboundCall, fixers: dict[str, _Fixer | None]
    ) -> Fix | None:
        where = call.location
        # A fix is a suggestion on the diff's lines, and each one reads and parses code again:
        # a whole-repo review (no diff, maybe every call of a large tree) offers none.
        if ctx.whole_repo or not ctx.touches_changed_lines(where):
            return None
        if where.path not in fixers:
            fixers[where.path] = _fixer(where.path, ctx.head_text(where.path))
        fixer = fixers[where.path]
        return fixer.fix(where.line, where.end_line, call.library) if fixer else None


def _fixer(path: str, text: str | None) -> _Fixer | None:
    if text is None:
        return None
    language = language_of(path)
    if language == "python":
        return PythonTimeoutFixer(path, text)
    if language in ("javascript", "typescript"):
        return JsTimeoutFixer(path, text)
    return None
