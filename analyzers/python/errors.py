"""`except` clauses at a service boundary and what they do with the failure.

A boundary is a try block around a call to another service or an external
API. Clauses elsewhere are not facts: what matters to an integration review is
whether a failed call leaves a trace.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from analyzers.facts import ErrorHandler, Fact
from analyzers.python.context import PyContext
from analyzers.python.http import match_client
from analyzers.python.module import ExceptSite
from analyzers.python.observability import kind_of_call
from analyzers.python.syntax import descendants, dotted

# SDKs of external systems whose calls are boundaries as much as raw HTTP is.
EXTERNAL_SDKS = ("stripe.", "openai.", "anthropic.", "boto3.", "supabase.", "resend.", "twilio.")
# Calls that hand the failure on to the caller as an HTTP error, as good as a re-raise.
SURFACING = ("abort", "HTTPException", "sys.exit")


def extract(ctx: PyContext) -> Iterator[Fact]:
    if not ctx.module.excepts:
        return
    for site in ctx.module.excepts:
        guarded = _guarded_call(ctx, site)
        if guarded is None or _retried_then_raised(site):
            continue
        yield _handler_fact(ctx, site, guarded)


def _retried_then_raised(site: ExceptSite) -> bool:
    """An attempt's failure inside a retry loop that raises once the attempts run out.

    The clause hands the failure to the next attempt and the last failure is
    raised after the loop: nothing is swallowed.
    """
    function = site.function
    if function is None:
        return False
    for loop in function.loops:
        inside = any(node is site.try_node for node in descendants(loop.body, into_defs=False))
        if not inside:
            continue
        body = function.node.body.body
        after = body[next((i for i, s in enumerate(body) if s is loop), len(body)) + 1 :]
        if any(isinstance(n, cst.Raise) for s in after for n in [s, *descendants(s)]):
            return True
    return False


def _guarded_call(ctx: PyContext, site: ExceptSite) -> str | None:
    calls = site.function.calls if site.function is not None else ctx.module.calls
    for call in calls:
        if site.try_node not in call.trys or call.function is not site.function:
            continue
        name = ctx.callee(call.node, call.function)
        if match_client(name) is not None or name.startswith(EXTERNAL_SDKS):
            return name
    return None


def _handler_fact(ctx: PyContext, site: ExceptSite, guarded: str) -> ErrorHandler:
    handler = site.node
    body = list(descendants(handler.body, into_defs=False))
    kinds = {kind_of_call(ctx, node, site.function) for node in body if isinstance(node, cst.Call)}
    reraises = any(isinstance(node, cst.Raise) for node in body) or any(
        isinstance(node, cst.Call) and (dotted(node.func) or "").endswith(SURFACING)
        for node in body
    )
    bound = (
        handler.name.name.value
        if handler.name and isinstance(handler.name.name, cst.Name)
        else None
    )
    uses = bound is not None and any(isinstance(n, cst.Name) and n.value == bound for n in body)
    return ErrorHandler(
        service=ctx.service,
        location=ctx.loc(handler),
        function=f"{ctx.module.name}.{site.function.qualname}" if site.function else None,
        catches=_caught(handler),
        logs="log" in kinds,
        reraises=reraises,
        observes=bool(kinds & {"metric", "trace"}),
        boundary=True,
        guarded_call=guarded,
        uses_exception=uses,
    )


def _caught(handler: cst.ExceptHandler) -> tuple[str, ...]:
    kind = handler.type
    if kind is None:
        return ()
    if isinstance(kind, cst.Tuple):
        return tuple(dotted(e.value) or "?" for e in kind.elements)
    return (dotted(kind) or "?",)
