"""Webhook handlers: who signed the request, when the signature is checked, and dedup.

A handler is a function that verifies a provider's signature (Stripe's
`construct_event`, an HMAC `compare_digest`), or a route handler whose path
or name says it receives webhooks. The order of parsing and verifying is read
from line numbers; deduplication from the evidence a reviewer looks for: a
lookup of the event id, a unique insert, a Redis `SET NX`, an idempotency table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from analyzers.facts import Fact, WebhookHandler
from analyzers.python.context import PyContext
from analyzers.python.module import FunctionInfo
from analyzers.python.syntax import descendants, dotted, literal, positional

STRIPE_VERIFY = ("stripe.Webhook.construct_event", "stripe.webhook.Webhook.construct_event")
HMAC_VERIFY = ("hmac.compare_digest", "secrets.compare_digest")
# A helper of the service's own that checks a signature: `verify_signature(...)`,
# `validate_webhook(...)`, `check_hmac(...)`. Not `inspect.signature`.
_VERIFY_NAME = re.compile(r"^_*(?:verify|validate|check)\w*(?:sig|hmac|webhook|hook|payload)", re.I)
_REQUEST_PARAMS = frozenset({"request", "req", "event", "payload", "body"})
_WEBHOOK_NAME = re.compile(r"webhook|web_hook|hooks?\b|callback|stripe_events", re.I)
_PARSE = ("json.loads", "orjson.loads", "ujson.loads")
_PARSE_METHODS = ("json", "get_json")
DEDUP = re.compile(
    r"nx\s*=\s*True|setnx|set_nx|ON CONFLICT|on_conflict|IntegrityError|UniqueViolation|"
    r"get_or_create|processed_events|idempoten|already[_ ]processed|dedup|seen_event|"
    r"event_exists|is_duplicate|unique_violation",
    re.I,
)
ROUTE_DECORATORS = ("route", "get", "post", "put", "patch", "api_route", "websocket")


def extract(ctx: PyContext) -> Iterator[Fact]:
    if not ctx.mentions("webhook", "Webhook", "hook", "callback", "stripe_events"):
        return
    for function in ctx.module.functions:
        fact = _handler(ctx, function)
        if fact is not None:
            yield fact


def _route_path(ctx: PyContext, function: FunctionInfo) -> str | None:
    for decorator in function.decorators:
        if (
            isinstance(decorator, cst.Call)
            and isinstance(decorator.func, cst.Attribute)
            and decorator.func.attr.value in ROUTE_DECORATORS
        ):
            path = literal(positional(decorator, 0))
            if isinstance(path, str):
                return path
    return None


def _handler(ctx: PyContext, function: FunctionInfo) -> WebhookHandler | None:
    verify_line: int | None = None
    provider = ""
    raw: bool | None = None
    for site in function.calls:
        name = ctx.callee(site.node, function)
        if name in STRIPE_VERIFY or name.endswith("Webhook.construct_event"):
            provider = "stripe"
            verify_line = ctx.loc(site.node).line
            raw = _is_raw(ctx, positional(site.node, 0), function)
            break
        if name in HMAC_VERIFY:
            provider = "github" if ctx.mentions("X-Hub-Signature", "github") else "generic"
            verify_line = ctx.loc(site.node).line
            break
        if _VERIFY_NAME.search(name.rsplit(".", 1)[-1]):
            provider = provider or "generic"
            verify_line = ctx.loc(site.node).line
            break
    # A handler receives the delivery: a route, or (Django, plain callbacks) a function named
    # as a webhook that takes the request. Helpers that only verify are not handlers.
    path = _route_path(ctx, function)
    named = bool(
        _WEBHOOK_NAME.search(function.node.name.value) or (path and _WEBHOOK_NAME.search(path))
    )
    takes_request = any(p.name.value in _REQUEST_PARAMS for p in function.params())
    if not named or (path is None and not takes_request):
        return None
    text = ctx.source(function.node)
    if not provider:
        lowered = (path or "") + function.node.name.value + text[:400]
        provider = next(
            (p for p in ("stripe", "github", "slack", "twilio") if p in lowered.lower()), "generic"
        )
    parse_line = _first_parse(ctx, function)
    return WebhookHandler(
        service=ctx.service,
        location=ctx.def_loc(function),
        provider=provider,
        verifies_signature=verify_line is not None,
        reads_raw_body=raw,
        deduplicates=bool(DEDUP.search(text)),
        parses_before_verifying=(
            parse_line is not None and (verify_line is None or parse_line < verify_line)
        )
        and verify_line is not None,
        handler=f"{ctx.module.name}.{function.qualname}",
    )


def _first_parse(ctx: PyContext, function: FunctionInfo) -> int | None:
    for site in function.calls:
        call = site.node
        name = ctx.callee(call, function)
        method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
        receiver = dotted(call.func.value) if isinstance(call.func, cst.Attribute) else None
        parsed_request = method in _PARSE_METHODS and receiver in (
            "request",
            "req",
            "flask.request",
        )
        if name in _PARSE or parsed_request:
            return ctx.loc(call).line
    return None


def _is_raw(
    ctx: PyContext, payload: cst.BaseExpression | None, function: FunctionInfo
) -> bool | None:
    """Whether the payload given to the verifier is the raw body, not a re-serialised one."""
    if payload is None:
        return None
    if isinstance(payload, cst.Name):
        bound = ctx.module.lookup(payload.value, function)
        payload = bound if bound is not None else payload
    names = [
        ctx.callee(n, function) for n in [payload, *descendants(payload)] if isinstance(n, cst.Call)
    ]
    if any(n.endswith(("json.dumps", ".json", "get_json")) for n in names):
        return False
    text = ctx.source(payload)
    if re.search(r"\.body\b|get_data|\.data\b|raw", text):
        return True
    return None
