"""`catch` blocks and `.catch(...)` handlers around calls to other services, and what they do.

A boundary is a try block (or a promise chain) around an outbound call: an
HTTP client or the SDK of an external system. A handler that neither logs,
measures, rethrows, hands the error on (`next(err)`, `reject(err)`, a
response that carries it) nor returns it, swallows the failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from analyzers.facts import ErrorHandler, Fact
from analyzers.javascript.context import JsContext
from analyzers.javascript.http import _client
from analyzers.javascript.module import FUNCTION_TYPES, call_arguments, text
from analyzers.javascript.observability import kind_of_call

EXTERNAL_SDKS = (
    "stripe",
    "@supabase/supabase-js",
    "openai",
    "resend",
    "@sendgrid",
    "twilio",
    "@aws-sdk",
)
# Callee texts worth resolving: HTTP clients, SDK objects, or anything with a verb method.
_MAY_CALL_OUT = re.compile(
    r"fetch|axios|\bgot\b|\bky\b|request|supabase|stripe|openai|resend|twilio|sendgrid|s3|"
    r"\.(?:get|post|put|patch|delete|head|create|from|rpc|send)$",
    re.I,
)
# A client of an external system made in another module of the service (`lib/supabase.ts`).
_SDK_CLIENT = re.compile(
    r"(?:^|\.)(?:supabase|stripe|openai|resend|twilio|sendgrid|s3)(?:\(\))?\.", re.I
)


def extract(ctx: JsContext) -> Iterator[Fact]:
    if "catch" not in ctx.text:
        return
    for clause in ctx.module.catches:
        try_node = clause.parent
        if try_node is None or try_node.type != "try_statement":
            continue
        guarded = _guarded(ctx, try_node.child_by_field_name("body"))
        if guarded is None:
            continue
        param = clause.child_by_field_name("parameter")
        yield _handler(
            ctx, clause, clause.child_by_field_name("body"), text(param) or None, guarded
        )
    for call in ctx.module.promise_catches:
        callee = call.child_by_field_name("function")
        if callee is None:
            continue
        args = call_arguments(call)
        handler = args[0] if args else None
        if handler is None or handler.type not in FUNCTION_TYPES:
            continue
        guarded = _guarded(ctx, callee.child_by_field_name("object"))
        if guarded is None:
            continue
        params = handler.child_by_field_name("parameters") or handler.child_by_field_name(
            "parameter"
        )
        name = text(params).strip("() ") or None
        yield _handler(ctx, call, handler.child_by_field_name("body"), name, guarded)


def _guarded(ctx: JsContext, block: ts.Node | None, depth: int = 0) -> str | None:
    """The outbound call a block makes, itself or through a function of this module."""
    if block is None:
        return None
    for call in ctx.module.calls_within(block):
        callee_text = text(call.child_by_field_name("function"))
        if not _MAY_CALL_OUT.search(callee_text) and (depth > 0 or "." in callee_text):
            continue  # neither a client, an SDK, nor a local function that could call one
        client = _client(ctx, call)
        if client is not None:
            return f"{client.library} {client.method}"
        resolved = ctx.module.callee(call)
        if resolved is not None and (
            resolved.name.startswith(EXTERNAL_SDKS) or _SDK_CLIENT.search(resolved.name)
        ):
            return resolved.name
        if depth == 0 and resolved is not None:
            local = _local_function(ctx, resolved.name)
            found = _guarded(ctx, local, depth + 1) if local is not None else None
            if found is not None:
                return f"{resolved.name} → {found}"
    return None


def _local_function(ctx: JsContext, name: str) -> ts.Node | None:
    """`handleEvent` declared in this module (a function declaration or a const arrow)."""
    if "." in name:
        return None
    for _, value in ctx.module.bindings.get(name, []):
        if value.type in FUNCTION_TYPES:
            return value.child_by_field_name("body")
    return ctx.module.function_bodies().get(name)


def _handler(
    ctx: JsContext, node: ts.Node, body: ts.Node | None, param: str | None, guarded: str
) -> ErrorHandler:
    calls = [
        c
        for c in ctx.module.calls
        if body is not None and body.start_byte <= c.start_byte < body.end_byte
    ]
    kinds = {kind_of_call(ctx, c) for c in calls}
    body_text = text(body)
    rethrows = bool(re.search(r"\bthrow\b|\bnext\(\s*\w|\breject\(", body_text))
    uses = bool(param) and bool(re.search(rf"\b{re.escape(param or '')}\b", body_text))
    function = ctx.module.enclosing_function(node)
    return ErrorHandler(
        service=ctx.service,
        location=ctx.loc(node),
        function=ctx.module.function_name(function),
        catches=(param,) if param else (),
        logs="log" in kinds,
        reraises=rethrows,
        observes=bool(kinds & {"metric", "trace"}),
        boundary=True,
        guarded_call=guarded,
        uses_exception=uses and not rethrows,
    )
