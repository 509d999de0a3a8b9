"""Outbound HTTP calls from JavaScript/TypeScript: fetch, axios, ky, got; URL, timeout, retry.

Timeouts follow each client's default: `fetch` and axios wait as long as the
connection stays open (Node's fetch gives up on headers only after 300 s, a
browser never), got waits forever unless told, ky gives up after 10 s and
retries twice with backoff by default.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from analyzers.facts import Fact, OutboundCall, RetryPolicy
from analyzers.javascript.context import JsContext
from analyzers.javascript.module import (
    JsModule,
    call_arguments,
    kind,
    object_property,
    string_value,
    text,
    unwrap,
)
from analyzers.javascript.types import Types
from analyzers.templates import Template, placeholder

VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
FETCHES = frozenset(
    {
        "fetch",
        "node-fetch",
        "node-fetch.default",
        "cross-fetch",
        "cross-fetch.fetch",
        "isomorphic-fetch",
        "whatwg-fetch",
        "whatwg-fetch.fetch",
        "undici.fetch",
        "globalThis.fetch",
        "window.fetch",
    }
)
RATE_LIMIT = re.compile(
    r"\b429\b|Retry-After|retry-after|rateLimit|RateLimit|throttle|p-limit|pLimit|Bottleneck", re.I
)
TRACE = re.compile(r"traceparent|x-request-id|x-correlation-id|propagation\.inject|trace-id", re.I)
IDEMPOTENCY = re.compile(r"idempotency[-_]?key", re.I)
# What every match of each pattern above holds, in lower case: a cheap test first.
_RATE_LIMIT_WORDS = (
    "429",
    "retry-after",
    "ratelimit",
    "throttle",
    "p-limit",
    "plimit",
    "bottleneck",
)
_TRACE_WORDS = ("traceparent", "x-request-id", "x-correlation-id", "propagation.inject", "trace-id")
_IDEMPOTENCY_WORDS = ("idempotency",)
SLEEPS = re.compile(r"setTimeout|sleep|delay|wait")
FAN_OUT = frozenset({"map", "forEach", "flatMap"})


@dataclass(frozen=True)
class Client:
    library: str
    method: str  # upper case, "*" when the code does not say
    url: ts.Node | None
    options: ts.Node | None  # the per-call config object
    instance: ts.Node | None  # the call that made the client (axios.create(...), ky.create(...))


# The client each call is, per module: the HTTP, wrapper and handler-call families all ask.
_CLIENTS: weakref.WeakKeyDictionary[JsModule, dict[int, Client | None]] = (
    weakref.WeakKeyDictionary()
)


def _client(ctx: JsContext, call: ts.Node) -> Client | None:
    known = _CLIENTS.get(ctx.module)
    if known is None:
        known = _CLIENTS[ctx.module] = {}
    key = call.id
    if key not in known:
        known[key] = _read_client(ctx, call)
    return known[key]


def _read_client(ctx: JsContext, call: ts.Node) -> Client | None:
    resolved = ctx.module.callee(call)
    if resolved is None:
        return None
    name = resolved.name
    args = call_arguments(call)
    first = args[0] if args else None
    second = args[1] if len(args) > 1 else None
    forwarded = next((a for a in args[:2] if a.type == "spread_element"), None)
    if forwarded is not None and name in FETCHES:
        # `(...args) => fetch(...args)`: a pass-through. Its callers say where it goes, with
        # what method and timeout; here all three are unknown, none is absent.
        url = None if first is forwarded else first
        return Client("fetch", "*", url, forwarded, None)
    if name in FETCHES:
        method = string_value(object_property(second, "method"))
        return Client("fetch", (method or "GET").upper(), first, second, None)
    head, _, verb = name.rpartition(".")
    for library in ("axios", "ky", "got"):
        if (
            head == library
            or head.startswith(f"{library}.create()")
            or head.startswith(f"{library}.extend()")
        ):
            instance = resolved.origin if head != library else None
            if verb in VERBS:
                takes_body = library == "axios" and verb in ("post", "put", "patch")
                options = (args[2] if len(args) > 2 else None) if takes_body else second
                return Client(library, verb.upper(), first, options, instance)
            if verb == "request" or (verb == "" and head == library):
                method = string_value(object_property(first, "method"))
                return Client(
                    library,
                    (method or "GET").upper(),
                    object_property(first, "url"),
                    first,
                    instance,
                )
    if name in ("axios", "got") and first is not None and first.type == "object":
        # `axios({ method: 'put', url, ... })`: one config object holds the URL and the method.
        method = string_value(object_property(first, "method"))
        return Client(name, (method or "GET").upper(), object_property(first, "url"), first, None)
    if name in ("axios", "got", "ky"):
        method = string_value(object_property(second, "method")) if second else None
        return Client(name, (method or "GET").upper(), first, second, None)
    return None


def extract(ctx: JsContext) -> Iterator[Fact]:
    if not ctx.mentions("fetch", "axios", "ky", "got"):
        return
    retried_instances = _axios_retry_targets(ctx)
    for call in ctx.module.calls:
        # `await axios.get<T>(url)` parses as a call of `await axios.get`: unwrap it.
        callee = unwrap(call.child_by_field_name("function"))
        if callee is None or callee.type not in ("identifier", "member_expression"):
            continue
        # The last name only: copying the whole chain's text is quadratic on long chains.
        last = text(
            callee.child_by_field_name("property") if callee.type == "member_expression" else callee
        )
        if (
            last not in FETCHES
            and last not in VERBS
            and last not in ("request", "axios", "got", "ky")
        ):
            continue
        client = _client(ctx, call)
        if client is None or _forwards(client):
            continue
        yield _fact(ctx, call, client, retried_instances)


def _forwards(client: Client) -> bool:
    """`(...args) => fetch(...args)` makes no call of its own: it forwards its callers', whose
    URL, method and timeout it cannot know. Reporting it would blame the wrapper for them."""
    spread = client.options is not None and client.options.type == "spread_element"
    return spread and client.url is None


def _fact(
    ctx: JsContext, call: ts.Node, client: Client, retried: dict[str, RetryPolicy]
) -> OutboundCall:
    m = ctx.module
    function = m.enclosing_function(call)
    url = _url(ctx, client)
    seconds, unbounded = _timeout(ctx, call, client, function)
    function_text = text(function) if function is not None else ""
    lowered = function_text.lower() if function_text.isascii() else None
    loops = _data_loops(ctx, call, function)
    request_type, response_type = call_types(ctx, call, client)
    return OutboundCall(
        service=ctx.service,
        location=ctx.loc(call),
        library=client.library,
        method=client.method,
        url=url.text,
        timeout_seconds=seconds,
        unbounded=unbounded,
        retry=_retry(ctx, call, client, function, retried),
        request_type=request_type,
        response_type=response_type,
        defaults=url.defaults,
        function=m.function_name(function),
        in_loop=bool(loops),
        throttled=any(SLEEPS.search(text(loop)) for loop in loops),
        handles_rate_limit=_says(RATE_LIMIT, _RATE_LIMIT_WORDS, function_text, lowered),
        observed=function is not None and function.start_byte in ctx.observed_functions,
        propagates_trace=_says(TRACE, _TRACE_WORDS, function_text, lowered),
        idempotency_key=_says(IDEMPOTENCY, _IDEMPOTENCY_WORDS, function_text, lowered),
    )


def _says(
    pattern: re.Pattern[str], words: tuple[str, ...], source: str, lowered: str | None
) -> bool:
    """`pattern.search(source)`, skipped when the source is ASCII (`lowered`, else None) and
    holds none of the words every match holds: a case-insensitive alternation is slow to try
    at each position of the function, and this runs for every call in it. Only for ASCII:
    under IGNORECASE a few other characters match ASCII letters (the Kelvin sign a `k`)."""
    if lowered is not None and not any(word in lowered for word in words):
        return False
    return bool(pattern.search(source))


def call_types(ctx: JsContext, call: ts.Node, client: Client) -> tuple[str | None, str | None]:
    """(request body type, response body type) as the code declares them, names qualified."""
    return Types(ctx).call_types(call, client.library, client.options)


def _url(ctx: JsContext, client: Client) -> Template:
    found = ctx.values.part(client.url, 0) if client.url is not None else placeholder("url")
    base_node = object_property(client.options, "baseURL") or object_property(
        client.options, "prefixUrl"
    )
    if base_node is None and client.instance is not None:
        config = call_arguments(client.instance)
        base_node = object_property(config[0] if config else None, "baseURL") or object_property(
            config[0] if config else None, "prefixUrl"
        )
    if base_node is not None and not found.text.startswith(("http://", "https://")):
        base = ctx.values.part(base_node, 0)
        path = found.text if found.text.startswith("/") else "/" + found.text
        return Template(base.text.rstrip("/") + path, base.defaults + found.defaults)
    return found


def _number(node: ts.Node | None, ctx: JsContext | None = None) -> float | None:
    node = unwrap(node)
    if node is not None and node.type == "identifier" and ctx is not None:
        node = unwrap(ctx.module.lookup(text(node), node))  # const TIMEOUT_MS = 5_000
    if node is None or node.type != "number":
        return None
    try:
        return float(text(node).replace("_", ""))
    except ValueError:
        return None


def _timeout(
    ctx: JsContext, call: ts.Node, client: Client, function: ts.Node | None
) -> tuple[float | None, bool]:
    options = client.options
    if client.library == "fetch":
        signal = object_property(options, "signal")
        if signal is None:
            if options is not None and kind(options) != "object":
                return None, False  # options built elsewhere: unknown, not absent
            return None, True
        signal_text = text(signal)
        if "AbortSignal.timeout(" in signal_text:
            made = unwrap(signal)
            args = (
                call_arguments(made) if made is not None and made.type == "call_expression" else []
            )
            millis = _number(args[0], ctx) if args else None
            return (millis / 1000 if millis is not None else None), False
        if function is not None and re.search(
            r"setTimeout\([^)]*abort\(", text(function).replace("\n", " ")
        ):
            found = re.search(r"abort\(\)[^,]*,\s*([\d_]+)", text(function).replace("\n", " "))
            return (float(found.group(1).replace("_", "")) / 1000 if found else None), False
        return None, False  # a signal from elsewhere: bounded by something not visible here
    value = object_property(options, "timeout")
    if value is None and client.instance is not None:
        config = call_arguments(client.instance)
        value = object_property(config[0] if config else None, "timeout")
    if value is not None:
        if text(value) in ("0", "false", "undefined", "null"):
            return None, True
        seconds = _number(value)
        if seconds is None and kind(value) == "object":
            parts = [_number(object_property(value, k)) for k in ("request", "response", "connect")]
            known = [p for p in parts if p is not None]
            return (max(known) / 1000 if known else None), False
        return (seconds / 1000 if seconds is not None else None), False
    if client.library == "ky":
        return 10.0, False
    if client.library == "axios" and re.search(r"axios\.defaults\.timeout\s*=", ctx.text):
        return None, False
    if options is not None and kind(options) != "object":
        return None, False
    return None, True


def _axios_retry_targets(ctx: JsContext) -> dict[str, RetryPolicy]:
    """`axiosRetry(client, { retries, retryDelay })`: the instance's name -> its policy."""
    found: dict[str, RetryPolicy] = {}
    if "axiosRetry" not in ctx.text and "axios-retry" not in ctx.text:
        return found
    for call in ctx.module.calls:
        resolved = ctx.module.callee(call)
        if resolved is None or not resolved.name.startswith("axios-retry"):
            continue
        args = call_arguments(call)
        if not args:
            continue
        target = ctx.module.resolve(args[0])
        config = args[1] if len(args) > 1 else None
        retries = _number(object_property(config, "retries"))
        delay = text(object_property(config, "retryDelay"))
        growing = "exponential" in delay or "**" in delay or "Math.pow" in delay
        found[target.name if target else text(args[0])] = RetryPolicy(
            int(retries) if retries is not None else 3,  # axios-retry's default
            growing,
            growing and ("random" in delay or "exponentialDelay" in delay),  # it adds jitter
            "axios-retry",
            bool(delay),
        )
    return found


def _retry(
    ctx: JsContext,
    call: ts.Node,
    client: Client,
    function: ts.Node | None,
    retried: dict[str, RetryPolicy],
) -> RetryPolicy | None:
    if client.library == "ky":
        limit = object_property(client.options, "retry")
        if limit is not None and text(limit) == "0":
            return None
        return RetryPolicy(2, True, False, "ky", True)  # ky: 2 retries with backoff by default
    if client.library == "got" and client.method in ("GET", "PUT", "HEAD", "DELETE", "OPTIONS"):
        return RetryPolicy(2, True, True, "got", True)  # got retries idempotent verbs twice
    if client.library == "axios":
        instance_name = ctx.module.resolve(call.child_by_field_name("function"))
        head = instance_name.name.rsplit(".", 1)[0] if instance_name else ""
        for target, policy in retried.items():
            if head in (target, f"{target}()") or head.startswith(target):
                return policy
    wrapper = _retry_wrapper(ctx, call)
    if wrapper is not None:
        return wrapper
    return _loop_retry(ctx, call, function)


def _retry_wrapper(ctx: JsContext, call: ts.Node) -> RetryPolicy | None:
    """The call inside a function handed to `pRetry(...)`, `retry(...)`, `backOff(...)`."""
    for outer in ctx.module.callback_calls(call):
        resolved = ctx.module.callee(outer)
        name = resolved.name if resolved else text(outer.child_by_field_name("function"))
        retrying = name.startswith(("p-retry", "async-retry", "exponential-backoff", "retry"))
        if not (retrying or name.endswith(("pRetry", "backOff", "retry"))):
            continue
        args = call_arguments(outer)
        config = args[1] if len(args) > 1 else None
        retries = _number(
            object_property(config, "retries") or object_property(config, "numOfAttempts")
        )
        jitter = text(object_property(config, "randomize") or object_property(config, "jitter"))
        return RetryPolicy(
            int(retries) if retries is not None else 10,  # p-retry's default
            True,
            jitter in ("true", '"full"', "'full'"),
            name.split(".")[0],
            True,
        )
    return None


def _is_retry_loop(loop: ts.Node) -> bool:
    body = text(loop)
    if loop.type in ("for_in_statement", "for_of_statement"):
        return False
    return bool(re.search(r"\b(?:break|return)\b", body)) and (
        "catch" in body or "ok" in body or "status" in body
    )


def _loop_retry(ctx: JsContext, call: ts.Node, function: ts.Node | None) -> RetryPolicy | None:
    for loop in ctx.module.loops_around(call, function):
        if not _is_retry_loop(loop):
            continue
        header = text(loop.child_by_field_name("condition"))
        bounded = loop.type == "for_statement" and bool(re.search(r"<=?\s*\w", header))
        if loop.type in ("while_statement", "do_statement"):
            condition = text(loop.child_by_field_name("condition")).strip("() ")
            bounded = condition not in ("true", "1")
        count = re.search(r"<=?\s*(\w+)", header)
        if count and not count.group(1).isdigit():
            limit = ctx.module.lookup(count.group(1), loop)
            count = re.search(r"(\d+)", text(limit)) if kind(limit) == "number" else None
        body = text(loop)
        waits = bool(SLEEPS.search(body))
        growing = waits and bool(
            re.search(r"\*\*|Math\.pow|\*\s*attempt|attempt\s*\*|<<|delay\s*\*=", body)
        )
        attempts = int(count.group(1)) if count else (0 if bounded else None)
        return RetryPolicy(attempts, growing, "Math.random" in body, "loop", waits)
    return None


def _data_loops(ctx: JsContext, call: ts.Node, function: ts.Node | None) -> list[ts.Node]:
    """Loops over data around the call, and `.map(...)`/`.forEach(...)` fan-outs."""
    loops = [loop for loop in ctx.module.loops_around(call, function) if not _is_retry_loop(loop)]
    outer = next(ctx.module.callback_calls(call), None)
    fn = outer.child_by_field_name("function") if outer is not None else None
    method = fn.child_by_field_name("property") if fn is not None else None
    if outer is not None and method is not None and text(method) in FAN_OUT:
        loops.append(outer)
    return loops
