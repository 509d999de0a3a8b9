"""Logging, metric and tracing sites, and which functions have any.

Recognised through resolved names where the code makes them visible
(`logging.getLogger().error`, `structlog.get_logger().info`,
`prometheus_client.Counter().inc`, `opentelemetry.trace.get_tracer().start_as_current_span`),
and by the conventional names of the objects where it does not (`logger.exception`
on a logger imported from the service's own module).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from analyzers.facts import Fact, ObservabilitySite
from analyzers.python.context import PyContext
from analyzers.python.module import FunctionInfo

LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "msg"}
)
LOG_LIBRARIES = ("logging", "structlog", "loguru", "logbook", "sentry_sdk")
_LOGGER_NAME = re.compile(r"(?:^|[._])(?:log|logger|_logger|logging|LOG|LOGGER|log_)$", re.I)
ERROR_REPORTERS = ("sentry_sdk.capture_exception", "sentry_sdk.capture_message", "rollbar.report")
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
        "distribution",
    }
)
METRIC_LIBRARIES = (
    "prometheus_client",
    "statsd",
    "datadog",
    "opentelemetry.metrics",
    "aioprometheus",
)
_METRIC_NAME = re.compile(r"(metric|counter|histogram|gauge|statsd|meter|summary)", re.I)
TRACE_METHODS = frozenset(
    {
        "start_as_current_span",
        "start_span",
        "record_exception",
        "set_status",
        "add_event",
        "start_transaction",
        "start_child",
    }
)
TRACE_LIBRARIES = ("opentelemetry", "ddtrace", "sentry_sdk", "elasticapm", "newrelic")
_TRACER_NAME = re.compile(r"(tracer|span|trace)", re.I)
_TOKENS = ("log", "LOG", "metric", "Counter", "Histogram", "statsd", "trace", "span", "sentry")


def kind_of_call(ctx: PyContext, call: cst.Call, function: FunctionInfo | None) -> str | None:
    """ "log", "metric" or "trace" for a call that records one, else None."""
    if not isinstance(call.func, cst.Attribute | cst.Name):
        return None
    name = ctx.callee(call, function)
    method = name.rsplit(".", 1)[-1]
    owner = name.rsplit(".", 1)[0] if "." in name else ""
    if name.startswith(ERROR_REPORTERS):
        return "log"
    if method in LOG_METHODS and (
        name.startswith(LOG_LIBRARIES) or _LOGGER_NAME.search(owner.removesuffix("()"))
    ):
        return "log"
    is_metric_method = method in METRIC_METHODS or (method == "add" and "meter" in owner.lower())
    if is_metric_method and (name.startswith(METRIC_LIBRARIES) or _METRIC_NAME.search(owner)):
        return "metric"
    if method in TRACE_METHODS and (name.startswith(TRACE_LIBRARIES) or _TRACER_NAME.search(owner)):
        return "trace"
    if method == "trace" and "tracer" in owner.lower():
        return "trace"
    return None


def _traced_by_decorator(ctx: PyContext, function: FunctionInfo) -> bool:
    for decorator in function.decorators:
        target = decorator.func if isinstance(decorator, cst.Call) else decorator
        name = ctx.module.qualified(target, function.parent)
        if name.rsplit(".", 1)[-1] in TRACE_METHODS | {"trace", "traced", "instrument"}:
            return True
    return False


def extract(ctx: PyContext) -> Iterator[Fact]:
    if not ctx.mentions(*_TOKENS):
        return
    for site in ctx.module.calls:
        kind = kind_of_call(ctx, site.node, site.function)
        if kind is None:
            continue
        if site.function is not None:
            ctx.observed_functions.add(site.function)
        library = ctx.callee(site.node, site.function).split(".", 1)[0]
        yield ObservabilitySite(ctx.service, ctx.loc(site.node), kind, library)
    for function in ctx.module.functions:
        if _traced_by_decorator(ctx, function):
            ctx.observed_functions.add(function)
