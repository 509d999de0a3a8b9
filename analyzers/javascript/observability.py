"""Logging, metric and tracing sites in JavaScript/TypeScript, and which functions have any."""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from analyzers.facts import Fact, ObservabilitySite
from analyzers.javascript.context import JsContext
from analyzers.javascript.module import text

LOG_METHODS = frozenset({"log", "info", "warn", "error", "debug", "trace", "fatal", "child"})
_LOGGER = re.compile(
    r"(?:^|\.)(?:console|logger|log|_logger|pino|winston|bunyan|fastify\.log|req\.log|request\.log|this\.logger)$",
    re.I,
)
ERROR_REPORTERS = ("captureException", "captureMessage", "notify")
METRIC_METHODS = frozenset(
    {
        "inc",
        "dec",
        "observe",
        "increment",
        "decrement",
        "gauge",
        "timing",
        "histogram",
        "add",
        "record",
        "distribution",
    }
)
_METRIC = re.compile(r"(metric|counter|histogram|gauge|statsd|meter|dogstatsd)", re.I)
TRACE_METHODS = frozenset(
    {"startActiveSpan", "startSpan", "recordException", "setStatus", "addEvent", "startTransaction"}
)
_TRACER = re.compile(r"(tracer|span|trace|Sentry)", re.I)


def kind_of_call(ctx: JsContext, call: ts.Node) -> str | None:
    callee = call.child_by_field_name("function")
    if callee is None or callee.type != "member_expression":
        return None
    method = text(callee.child_by_field_name("property"))
    owner = text(callee.child_by_field_name("object"))
    if method in ERROR_REPORTERS and (
        "Sentry" in owner or "bugsnag" in owner.lower() or "rollbar" in owner.lower()
    ):
        return "log"
    if method in LOG_METHODS and _LOGGER.search(owner):
        return "log"
    if method in METRIC_METHODS and _METRIC.search(owner):
        return "metric"
    if method in TRACE_METHODS and _TRACER.search(owner):
        return "trace"
    return None


def extract(ctx: JsContext) -> Iterator[Fact]:
    if not ctx.mentions(
        "console.", "log", "metric", "Counter", "statsd", "span", "Span", "Sentry", "trace"
    ):
        return
    for call in ctx.module.observe_calls:
        kind = kind_of_call(ctx, call)
        if kind is None:
            continue
        function = ctx.module.enclosing_function(call)
        while function is not None:
            # A log in a nested callback counts for the functions around it too.
            ctx.observed_functions.add(function.start_byte)
            function = ctx.module.enclosing_function(function)
        owner = text(call.child_by_field_name("function")).split(".")[0]
        resolved = ctx.module.imports.get(owner, owner)
        yield ObservabilitySite(ctx.service, ctx.loc(call), kind, resolved.split(".")[0])
