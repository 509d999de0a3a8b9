"""Outbound HTTP calls: requests, httpx, aiohttp, urllib; their URL, timeout and retry policy.

Timeouts follow each library's own default, since that is what the code
gets: requests and urllib wait forever unless told, httpx waits 5 s unless
given `timeout=None`, aiohttp's session gives up after 300 s unless its
`ClientTimeout` says `total=None`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

import libcst as cst

from analyzers.facts import Fact, OutboundCall, RetryPolicy
from analyzers.python.context import PyContext
from analyzers.python.module import CallSite, FunctionInfo
from analyzers.python.syntax import (
    UNKNOWN,
    descendants,
    dotted,
    has_kwarg,
    has_star_kwargs,
    kwarg,
    literal,
    positional,
)
from analyzers.python.values import number
from analyzers.templates import Template, placeholder

VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
_VERB = "|".join(VERBS)
# What a resolved callee looks like for each client, and where its URL argument sits.
CLIENTS = (
    ("requests", re.compile(rf"^requests(?:\.api)?\.(?P<verb>{_VERB}|request)$"), False),
    (
        "requests",
        re.compile(
            rf"^requests(?:\.sessions)?\.(?:Session|session)\(\)\.(?P<verb>{_VERB}|request)$"
        ),
        True,
    ),
    ("httpx", re.compile(rf"^httpx\.(?P<verb>{_VERB}|request|stream)$"), False),
    (
        "httpx",
        re.compile(rf"^httpx\.(?:Async)?Client\(\)\.(?P<verb>{_VERB}|request|stream)$"),
        True,
    ),
    (
        "aiohttp",
        re.compile(rf"^aiohttp(?:\.client)?\.ClientSession\(\)\.(?P<verb>{_VERB}|request)$"),
        True,
    ),
    ("aiohttp", re.compile(r"^aiohttp\.(?P<verb>request)$"), False),
    (
        "urllib",
        re.compile(r"^(?:urllib\.request|urllib2|six\.moves\.urllib\.request)\.(?P<verb>urlopen)$"),
        False,
    ),
)
DEFAULT_TIMEOUT = {"httpx": 5.0, "aiohttp": 300.0}
TRACE_HEADERS = re.compile(
    r"traceparent|x-request-id|x-correlation-id|x-trace-id|x-b3|uber-trace-id|inject\(", re.I
)
SLEEPS = ("time.sleep", "asyncio.sleep", "gevent.sleep", "trio.sleep", "anyio.sleep")
RATE_LIMIT = re.compile(
    r"\b429\b|TOO_MANY_REQUESTS|Retry-After|RateLimit|rate_limit|ratelimit", re.I
)
IDEMPOTENCY = re.compile(r"idempotency[-_ ]?key", re.I)


@dataclass(frozen=True)
class ClientCall:
    library: str
    verb: str
    session: bool  # a method of a client object, whose constructor may set defaults


def match_client(name: str) -> ClientCall | None:
    for library, pattern, session in CLIENTS:
        found = pattern.match(name)
        if found:
            return ClientCall(library, found.group("verb"), session)
    return None


def extract(ctx: PyContext) -> Iterator[Fact]:
    if not ctx.mentions("requests", "httpx", "aiohttp", "urlopen"):
        return
    looped: dict[str, bool] | None = None
    for site in ctx.module.calls:
        resolved = ctx.module.resolve(site.node.func, site.function)
        if resolved is None:
            continue
        client = match_client(resolved.name)
        if client is None or _forwards(site, client):
            continue
        fact = _call_fact(ctx, site, client, resolved.origin)
        if not fact.in_loop and fact.function is not None:
            looped = _looped_functions(ctx) if looped is None else looped
            if fact.function in looped:
                fact = replace(fact, in_loop=True, throttled=looped[fact.function])
        yield fact


def _looped_functions(ctx: PyContext) -> dict[str, bool]:
    """Functions of this module called once per item of a loop, and whether that loop is paced.

    `fetch_json(url)` called for every job makes the call inside it a loop of calls
    as much as an inline one would be.
    """
    found: dict[str, bool] = {}
    for site in ctx.module.calls:
        if site.function is None or not _iteration_loops(ctx, site):
            continue
        name = ctx.callee(site.node, site.function)
        if name.startswith(ctx.module.name + "."):
            paced = _loop_paced(ctx, site)
            found[name] = found.get(name, True) and paced
    return found


def _forwards(site: CallSite, client: ClientCall) -> bool:
    """`requests.get(*args, **kwargs)` makes no call of its own: it forwards its callers',
    whose URL, method and timeout it cannot know. Reporting it would blame the wrapper."""
    star = any(arg.star == "*" for arg in site.node.args)
    return star and _method_and_url(site, client)[1] is None


def _method_and_url(site: CallSite, client: ClientCall) -> tuple[str, cst.BaseExpression | None]:
    call = site.node
    if client.verb in ("request", "stream"):
        method = literal(positional(call, 0) or kwarg(call, "method"))
        url = positional(call, 1) or kwarg(call, "url")
        return (method.upper() if isinstance(method, str) else "*"), url
    if client.verb == "urlopen":
        data = positional(call, 1) or kwarg(call, "data")
        return ("POST" if data is not None else "GET"), positional(call, 0) or kwarg(call, "url")
    return client.verb.upper(), positional(call, 0) or kwarg(call, "url")


def _call_fact(
    ctx: PyContext, site: CallSite, client: ClientCall, origin: cst.Call | None
) -> OutboundCall:
    call, function = site.node, site.function
    method, url_expr = _method_and_url(site, client)
    if client.verb == "urlopen" and isinstance(url_expr, cst.Name):
        bound = ctx.module.lookup(url_expr.value, function)  # req = Request(...); urlopen(req)
        if isinstance(bound, cst.Call):
            url_expr = bound
    if client.verb == "urlopen" and isinstance(url_expr, cst.Call):
        request = url_expr  # urlopen(Request(url, method=...))
        if ctx.callee(request, function).endswith("Request"):
            url_expr = positional(request, 0) or kwarg(request, "url")
            verb = literal(kwarg(request, "method"))
            method = (
                verb.upper()
                if isinstance(verb, str)
                else ("POST" if has_kwarg(request, "data") else "GET")
            )
    url = _url(ctx, url_expr, function, origin)
    seconds, unbounded = _timeout(ctx, site, client, origin)
    text_of_function = _function_text(ctx, function)
    return OutboundCall(
        service=ctx.service,
        location=ctx.loc(call),
        library=client.library,
        method=method,
        url=url.text,
        timeout_seconds=seconds,
        unbounded=unbounded,
        retry=retry_policy(ctx, site, origin),
        request_type=_body_type(ctx, call, function),
        defaults=url.defaults,
        function=f"{ctx.module.name}.{function.qualname}" if function else None,
        in_loop=bool(_iteration_loops(ctx, site)),
        throttled=_loop_paced(ctx, site),
        handles_rate_limit=bool(RATE_LIMIT.search(text_of_function)),
        observed=function in ctx.observed_functions if function else False,
        propagates_trace=bool(TRACE_HEADERS.search(text_of_function)),
        idempotency_key=bool(IDEMPOTENCY.search(text_of_function)),
    )


def _url(
    ctx: PyContext,
    expr: cst.BaseExpression | None,
    function: FunctionInfo | None,
    origin: cst.Call | None,
) -> Template:
    found = ctx.values.part(expr, function, 0) if expr is not None else placeholder("url")
    base_expr = kwarg(origin, "base_url") if origin is not None else None
    if base_expr is not None and not found.text.startswith(("http://", "https://")):
        base = ctx.values.template(base_expr, function) or placeholder("base_url")
        path = found.text if found.text.startswith("/") or not base.text else "/" + found.text
        return Template(base.text.rstrip("/") + path, base.defaults + found.defaults)
    return found


def _timeout_value(ctx: PyContext, expr: cst.BaseExpression) -> tuple[float | None, bool]:
    """(seconds, unbounded) for a timeout expression."""
    value = literal(expr)
    if value is None:
        return None, True
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), False
    if isinstance(value, tuple):
        parts = [v for v in value if isinstance(v, int | float)]
        if any(v is None for v in value):
            return None, True  # (connect, None): the read may wait forever
        return (float(max(parts)) if parts else None), False
    if isinstance(expr, cst.Call):
        name = ctx.module.qualified(expr.func, None)
        if name.endswith(("ClientTimeout", "Timeout")):
            total = kwarg(expr, "total") if name.endswith("ClientTimeout") else positional(expr, 0)
            if total is None and name.endswith("ClientTimeout"):
                reads = [kwarg(expr, k) for k in ("sock_read", "sock_connect", "connect")]
                seconds = [number(r) for r in reads if r is not None]
                known = [s for s in seconds if s is not None]
                return (max(known) if known else None), not known
            if total is None:
                total = kwarg(expr, "timeout")
            if total is not None and literal(total) is None:
                return None, True
            return number(total), False
    return None, False  # an expression: bounded by something this file does not show


def _timeout(
    ctx: PyContext, site: CallSite, client: ClientCall, origin: cst.Call | None
) -> tuple[float | None, bool]:
    call = site.node
    timeout = kwarg(call, "timeout")
    if timeout is None and client.verb == "urlopen":
        timeout = positional(call, 2)
    if timeout is not None:
        return _timeout_value(ctx, timeout)
    if has_star_kwargs(call) or (
        client.verb == "urlopen" and any(a.star == "*" for a in call.args)
    ):
        return None, False  # **kwargs (or urlopen's *args) may carry a timeout: unknown, not absent
    if origin is not None:
        session_timeout = kwarg(origin, "timeout")
        if session_timeout is not None:
            return _timeout_value(ctx, session_timeout)
    if client.library in DEFAULT_TIMEOUT:
        return DEFAULT_TIMEOUT[client.library], False
    if client.library == "urllib" and ctx.mentions("setdefaulttimeout"):
        return None, False
    if client.library == "requests" and client.session and _adapter_sets_timeout(ctx, origin):
        return None, False
    return None, True


def _adapter_sets_timeout(ctx: PyContext, origin: cst.Call | None) -> bool:
    """A session whose mounted adapter carries a default timeout (a common requests idiom)."""
    for site in ctx.module.calls:
        call = site.node
        if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "mount"):
            continue
        owner = ctx.module.resolve(call.func.value, site.function)
        if origin is not None and owner is not None and owner.origin is not origin:
            continue
        adapter = positional(call, 1) or kwarg(call, "adapter")
        resolved = ctx.module.resolve(adapter, site.function) if adapter is not None else None
        made = resolved.origin if resolved else None
        if (
            made is not None
            and resolved is not None
            and (has_kwarg(made, "timeout") or "imeout" in resolved.name)
        ):
            return True
    return False


# --- retries ----------------------------------------------------------------------------------


def retry_policy(ctx: PyContext, site: CallSite, origin: cst.Call | None) -> RetryPolicy | None:
    function = site.function
    while function is not None:
        policy = _decorator_policy(ctx, function)
        if policy is not None:
            return policy
        function = function.parent
    policy = _retrying_block_policy(ctx, site)
    if policy is not None:
        return policy
    if origin is not None:
        policy = _transport_policy(ctx, origin, site.function)
        if policy is not None:
            return policy
    return _loop_policy(ctx, site)


def _decorator_policy(ctx: PyContext, function: FunctionInfo) -> RetryPolicy | None:
    for decorator in function.decorators:
        call = decorator if isinstance(decorator, cst.Call) else None
        name = ctx.module.qualified(call.func if call else decorator, function.parent)
        if name.startswith("tenacity.") and name.endswith(("retry", "retry()")):
            return _tenacity(ctx, call, function)
        if name.startswith("backoff.on_exception") or name.startswith("backoff.on_predicate"):
            return _backoff(ctx, call)
        if (
            name.endswith(("retry", "retrying.retry"))
            and call is not None
            and ctx.mentions("retrying")
        ):
            attempts = number(kwarg(call, "stop_max_attempt_number"))
            waits = any(has_kwarg(call, k) for k in ("wait_exponential_multiplier", "wait_fixed"))
            exponential = has_kwarg(call, "wait_exponential_multiplier")
            return RetryPolicy(
                int(attempts) if attempts else None, exponential, False, "retrying", waits
            )
    return None


def _tenacity(ctx: PyContext, call: cst.Call | None, function: FunctionInfo | None) -> RetryPolicy:
    if call is None:  # bare @retry: retries forever, immediately
        return RetryPolicy(None, False, False, "tenacity", False)
    stop = kwarg(call, "stop")
    wait = kwarg(call, "wait")
    attempts: int | None = None
    bounded = False
    for node in [stop, *descendants(stop)] if stop is not None else []:
        if isinstance(node, cst.Call):
            name = ctx.module.qualified(node.func, function)
            if name.endswith("stop_after_attempt"):
                value = number(positional(node, 0))
                attempts = int(value) if value else attempts
                bounded = True
            elif name.endswith(("stop_after_delay", "stop_before_delay")):
                bounded = True
    waits = wait is not None
    names = [
        ctx.module.qualified(n.func, function)
        for n in ([wait, *descendants(wait)] if wait is not None else [])
        if isinstance(n, cst.Call)
    ]
    backoff = any("exponential" in n or "incrementing" in n for n in names)
    jitter = any("random" in n or "jitter" in n for n in names)
    if bounded and attempts is None:
        attempts = 0  # bounded by time: a bound, not a count
    return RetryPolicy(attempts if bounded else None, backoff, jitter, "tenacity", waits)


def _backoff(ctx: PyContext, call: cst.Call | None) -> RetryPolicy:
    if call is None:
        return RetryPolicy(None, True, True, "backoff", True)
    wait_gen = ctx.module.qualified(positional(call, 0), None)
    tries = number(kwarg(call, "max_tries"))
    bounded = tries is not None or has_kwarg(call, "max_time")
    jitter_expr = kwarg(call, "jitter")
    jitter = not (jitter_expr is not None and literal(jitter_expr) is None)
    growing = wait_gen.endswith(("expo", "fibo"))
    attempts = int(tries) if tries else (0 if bounded else None)
    return RetryPolicy(attempts, growing, jitter and growing, "backoff", True)


def _retrying_block_policy(ctx: PyContext, site: CallSite) -> RetryPolicy | None:
    """`for attempt in Retrying(...)` / `async for attempt in AsyncRetrying(...)`."""
    for loop in reversed(site.loops):
        if isinstance(loop, cst.For) and isinstance(loop.iter, cst.Call):
            name = ctx.module.qualified(loop.iter.func, site.function)
            if name.startswith("tenacity.") and name.endswith(("Retrying", "AsyncRetrying")):
                return _tenacity(ctx, loop.iter, site.function)
    return None


def _transport_policy(
    ctx: PyContext, origin: cst.Call, function: FunctionInfo | None
) -> RetryPolicy | None:
    """httpx transport retries, or a urllib3 Retry mounted on a requests session's adapter."""
    transport = kwarg(origin, "transport")
    made = ctx.module.resolve(transport, function) if transport is not None else None
    if made is not None and made.origin is not None:
        connect_retries = number(kwarg(made.origin, "retries"))
        if connect_retries:
            # httpx retries connection failures only, immediately.
            return RetryPolicy(int(connect_retries), False, False, "httpx-transport", False)
    for site in ctx.module.calls:
        call = site.node
        if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "mount"):
            continue
        owner = ctx.module.resolve(call.func.value, site.function)
        if owner is None or owner.origin is not origin:
            continue
        adapter = ctx.module.resolve(positional(call, 1) or kwarg(call, "adapter"), site.function)
        if adapter is None or adapter.origin is None:
            continue
        retries = kwarg(adapter.origin, "max_retries")
        if retries is None:
            continue
        count = number(retries)
        if count is not None:
            return RetryPolicy(int(count), False, False, "urllib3", False)
        made_retry = ctx.module.resolve(retries, site.function)
        if made_retry is not None and made_retry.origin is not None:
            spec = made_retry.origin
            total = number(kwarg(spec, "total") or positional(spec, 0))
            factor = number(kwarg(spec, "backoff_factor"))
            jitter = number(kwarg(spec, "backoff_jitter"))
            return RetryPolicy(
                int(total) if total is not None else None,
                bool(factor),
                bool(jitter),
                "urllib3",
                bool(factor),
            )
    return None


def _exits_loop(loop: cst.For | cst.While) -> bool:
    """A retry loop stops once the attempt succeeds: it breaks or returns from inside."""
    return any(
        isinstance(n, cst.Break | cst.Return) for n in descendants(loop.body, into_defs=False)
    )


def _is_retry_loop(
    ctx: PyContext, loop: cst.For | cst.While, function: FunctionInfo | None
) -> bool:
    if isinstance(loop, cst.While):
        return _exits_loop(loop) or _handler_continues(loop)
    if isinstance(loop.iter, cst.Call):
        name = ctx.module.qualified(loop.iter.func, function)
        if name in ("range", "itertools.count", "builtins.range"):
            return _exits_loop(loop) or _handler_continues(loop)
    return False


def _handler_continues(loop: cst.For | cst.While) -> bool:
    return any(
        isinstance(n, cst.ExceptHandler)
        and any(
            isinstance(m, cst.Continue | cst.Pass) for m in descendants(n.body, into_defs=False)
        )
        for n in descendants(loop.body, into_defs=False)
    )


def _loop_policy(ctx: PyContext, site: CallSite) -> RetryPolicy | None:
    for loop in reversed(site.loops):
        if not _is_retry_loop(ctx, loop, site.function):
            continue
        attempts: int | None = None
        if isinstance(loop, cst.For) and isinstance(loop.iter, cst.Call):
            count = number(
                positional(loop.iter, -1) if len(loop.iter.args) > 1 else positional(loop.iter, 0)
            )
            attempts = int(count) if count is not None else 0
        elif isinstance(loop, cst.While) and not _while_true(loop):
            attempts = 0  # a condition bounds it; its count is not visible
        sleeps = _sleeps(ctx, loop, site.function)
        growing = any(not isinstance(literal(positional(s, 0)), int | float) for s in sleeps)
        jitter = any(
            "random" in ctx.module.qualified(n.func, site.function)
            for s in sleeps
            for n in descendants(s)
            if isinstance(n, cst.Call)
        )
        return RetryPolicy(attempts, growing and bool(sleeps), jitter, "loop", bool(sleeps))
    return None


def _while_true(loop: cst.While) -> bool:
    value = literal(loop.test)
    return value is not UNKNOWN and bool(value)


def _sleeps(ctx: PyContext, node: cst.CSTNode, function: FunctionInfo | None) -> list[cst.Call]:
    return [
        n
        for n in descendants(node, into_defs=False)
        if isinstance(n, cst.Call) and ctx.module.qualified(n.func, function) in SLEEPS
    ]


def _iteration_loops(ctx: PyContext, site: CallSite) -> list[cst.For | cst.While]:
    """Loops that repeat the call over data (not retry loops)."""
    return [loop for loop in site.loops if not _is_retry_loop(ctx, loop, site.function)]


def _loop_paced(ctx: PyContext, site: CallSite) -> bool:
    loops = _iteration_loops(ctx, site)
    if not loops:
        return False
    for loop in loops:
        if _sleeps(ctx, loop, site.function):
            return True
        for n in descendants(loop, into_defs=False):
            if isinstance(n, cst.Call) and re.search(
                r"limit|throttle|acquire|semaphore",
                ctx.module.qualified(n.func, site.function),
                re.I,
            ):
                return True
    return False


def _function_text(ctx: PyContext, function: FunctionInfo | None) -> str:
    return ctx.source(function.node) if function is not None else ""


def _body_type(ctx: PyContext, call: cst.Call, function: FunctionInfo | None) -> str | None:
    """`json=request.model_dump()` or `json=asdict(x)` where `x: MatchRequest`: the model's name."""
    body = kwarg(call, "json") or kwarg(call, "data") or kwarg(call, "content")
    if body is None:
        return None
    if isinstance(body, cst.Call) and isinstance(body.func, cst.Attribute):
        if body.func.attr.value in ("model_dump", "dict", "json", "model_dump_json"):
            body = body.func.value
    elif isinstance(body, cst.Call) and dotted(body.func) in ("asdict", "dataclasses.asdict"):
        body = positional(body, 0)
    if isinstance(body, cst.Name) and function is not None:
        for scope in ctx.module.scopes(function):
            annotation = scope.annotations.get(body.value)
            if annotation is not None:
                return ctx.module.qualified(annotation, function) or None
            value = scope.values.get(body.value)
            if isinstance(value, cst.Call):
                return ctx.module.qualified(value.func, function) or None
    return None
