"""Background jobs and schedules: rq, Celery, dramatiq, arq; APScheduler, Celery beat, schedule.

Producers (an enqueue) carry what the caller controls: a job id that makes a
duplicate enqueue collapse, a retry policy, a failure callback. Consumers (a
task function) carry the worker side: retries, a dead-letter path, and
whether the task deduplicates its work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from analyzers.facts import Fact, QueueJob, RetryPolicy, ScheduledJob
from analyzers.python.context import PyContext
from analyzers.python.module import CallSite, FunctionInfo
from analyzers.python.syntax import dotted, has_kwarg, kwarg, kwarg_given, literal, positional
from analyzers.python.values import number
from analyzers.python.webhooks import DEDUP

_TOKENS = (
    "rq",
    "enqueue",
    "celery",
    "task",
    "dramatiq",
    "actor",
    "arq",
    "apscheduler",
    "schedule",
    "beat",
)
_LOCK = re.compile(
    r"\block\b|Lock\(|advisory|nx\s*=\s*True|setnx|singleton|celery_once|QueueOnce", re.I
)
# Schedulers that run inside the process that starts them (a web worker, often many of them).
_IN_PROCESS = ("BackgroundScheduler", "AsyncIOScheduler", "GeventScheduler", "TornadoScheduler")


def extract(ctx: PyContext) -> Iterator[Fact]:
    if not ctx.mentions(*_TOKENS):
        return
    for site in ctx.module.calls:
        name = ctx.callee(site.node, site.function)
        method = name.rsplit(".", 1)[-1]
        if name.startswith("rq.") and method in (
            "enqueue",
            "enqueue_call",
            "enqueue_in",
            "enqueue_at",
        ):
            yield _rq_enqueue(ctx, site, scheduled=method in ("enqueue_in", "enqueue_at"))
        elif name.startswith("arq.") and method == "enqueue_job":
            yield _arq_enqueue(ctx, site)
        elif method == "apply_async" and ctx.mentions("celery"):
            yield QueueJob(
                ctx.service,
                ctx.loc(site.node),
                "producer",
                "celery",
                ctx.module.qualified(site.node.func, site.function).removesuffix(".apply_async"),
                idempotency_key=kwarg_given(site.node, "task_id"),
            )
        elif name.startswith("apscheduler.") and method == "add_job":
            yield _apscheduler(ctx, site.node, positional(site.node, 0), site.function, 1)
        elif name.startswith("schedule.every") and method == "do":
            yield _schedule_library(ctx, site)
    for function in ctx.module.functions:
        for decorator in function.decorators:
            call = decorator if isinstance(decorator, cst.Call) else None
            name = ctx.module.qualified(call.func if call else decorator, function.parent)
            method = name.rsplit(".", 1)[-1]
            if method in ("task", "shared_task") and (
                name.startswith("celery") or ctx.mentions("celery")
            ):
                yield _celery_task(ctx, function, call)
            elif name.startswith("dramatiq.") and method == "actor":
                yield _dramatiq_actor(ctx, function, call)
            elif name.startswith("apscheduler.") and method == "scheduled_job" and call is not None:
                yield _apscheduler(ctx, call, function.node.name, function.parent, 0, function)
    yield from _celery_beat(ctx)


def _job_name(
    ctx: PyContext, expr: cst.BaseExpression | None, function: FunctionInfo | None
) -> str:
    value = literal(expr)
    if isinstance(value, str):
        return value
    return ctx.module.qualified(expr, function) or "job"


def _rq_retry(ctx: PyContext, call: cst.Call, function: FunctionInfo | None) -> RetryPolicy | None:
    spec = kwarg(call, "retry")
    made = ctx.module.resolve(spec, function) if spec is not None else None
    if made is None or made.origin is None:
        return None
    attempts = number(kwarg(made.origin, "max") or positional(made.origin, 0))
    interval = kwarg(made.origin, "interval")
    values = literal(interval)
    growing = isinstance(values, tuple) and len(values) > 1 and list(values) == sorted(values)
    return RetryPolicy(
        int(attempts) if attempts is not None else None,
        bool(growing),
        False,
        "rq",
        interval is not None,
    )


def _rq_enqueue(ctx: PyContext, site: CallSite, scheduled: bool) -> QueueJob:
    call = site.node
    # enqueue_in(delay, f, ...) and enqueue_at(when, f, ...) take the job second.
    target = positional(call, 1 if scheduled else 0)
    return QueueJob(
        ctx.service,
        ctx.loc(call),
        "producer",
        "rq",
        _job_name(ctx, target or kwarg(call, "f"), site.function),
        retry=_rq_retry(ctx, call, site.function),
        dead_letter=kwarg_given(call, "on_failure"),
        idempotency_key=kwarg_given(call, "job_id"),
    )


def _arq_enqueue(ctx: PyContext, site: CallSite) -> QueueJob:
    call = site.node
    return QueueJob(
        ctx.service,
        ctx.loc(call),
        "producer",
        "arq",
        _job_name(ctx, positional(call, 0), site.function),
        idempotency_key=kwarg_given(call, "_job_id"),
    )


def _celery_task(ctx: PyContext, function: FunctionInfo, call: cst.Call | None) -> QueueJob:
    text = ctx.source(function.node)
    retry: RetryPolicy | None = None
    if call is not None and has_kwarg(call, "autoretry_for"):
        attempts = number(kwarg(call, "max_retries"))
        backoff = literal(kwarg(call, "retry_backoff"))
        jitter = literal(kwarg(call, "retry_jitter"))
        retry = RetryPolicy(
            int(attempts) if attempts is not None else 3,  # Celery's default max_retries
            bool(backoff),
            bool(backoff) and jitter is not False,
            "celery",
            bool(backoff) or has_kwarg(call, "default_retry_delay"),
        )
    elif "self.retry(" in text or ".retry(exc=" in text:
        max_retries = re.search(r"max_retries\s*=\s*(None|\d+)", text)
        bound = None if max_retries and max_retries.group(1) == "None" else 3
        if max_retries and max_retries.group(1).isdigit():
            bound = int(max_retries.group(1))
        retry = RetryPolicy(
            bound, "countdown" in text and "**" in text, False, "celery", "countdown" in text
        )
    failure_path = call is not None and any(
        has_kwarg(call, k) for k in ("on_failure", "link_error", "base")
    )
    return QueueJob(
        ctx.service,
        ctx.def_loc(function),
        "consumer",
        "celery",
        f"{ctx.module.name}.{function.qualname}",
        retry=retry,
        dead_letter=failure_path or "on_failure" in text,
        idempotency_key=bool(DEDUP.search(text)),
    )


def _dramatiq_actor(ctx: PyContext, function: FunctionInfo, call: cst.Call | None) -> QueueJob:
    attempts = number(kwarg(call, "max_retries")) if call is not None else None
    return QueueJob(
        ctx.service,
        ctx.def_loc(function),
        "consumer",
        "dramatiq",
        f"{ctx.module.name}.{function.qualname}",
        # dramatiq retries 20 times with exponential backoff by default, then dead-letters.
        retry=RetryPolicy(
            int(attempts) if attempts is not None else 20, True, True, "dramatiq", True
        ),
        dead_letter=True,
        idempotency_key=bool(DEDUP.search(ctx.source(function.node))),
    )


def _trigger_text(ctx: PyContext, trigger: cst.BaseExpression | None, call: cst.Call) -> str:
    kind = literal(trigger)
    fields = (
        "second",
        "minute",
        "hour",
        "day",
        "day_of_week",
        "month",
        "weeks",
        "days",
        "hours",
        "minutes",
        "seconds",
    )
    if isinstance(kind, str):
        parts = [
            f"{k}={ctx.source(v).strip()}" for k in fields if (v := kwarg(call, k)) is not None
        ]
        return f"{kind}({', '.join(parts)})"
    if isinstance(trigger, cst.Call):
        return ctx.source(trigger).strip()
    return "unknown"


def _apscheduler(
    ctx: PyContext,
    call: cst.Call,
    target: cst.BaseExpression | None,
    function: FunctionInfo | None,
    trigger_index: int,
    job_function: FunctionInfo | None = None,
) -> ScheduledJob:
    trigger = positional(call, trigger_index) or kwarg(call, "trigger")
    instances = number(kwarg(call, "max_instances"))
    job_text = ctx.source(job_function.node) if job_function is not None else ""
    if job_function is None and target is not None:
        name = dotted(target)
        job_text = "".join(
            ctx.source(fn.node) for fn in ctx.module.functions if fn.qualname == name
        )
    guard: bool | None = None
    if instances is not None and instances > 1:
        guard = False
    elif _LOCK.search(job_text) or (instances == 1 and literal(kwarg(call, "coalesce")) is True):
        guard = True
    scheduler = ""
    if isinstance(call.func, cst.Attribute):
        scheduler = ctx.module.qualified(call.func.value, function)
    return ScheduledJob(
        ctx.service,
        ctx.loc(call),
        "apscheduler",
        _trigger_text(ctx, trigger, call),
        _job_name(ctx, target, function),
        overlap_guard=guard,
        in_process=scheduler.removesuffix("()").endswith(_IN_PROCESS),
    )


def _schedule_library(ctx: PyContext, site: CallSite) -> ScheduledJob:
    """`schedule.every(10).minutes.do(job)`."""
    do = site.node
    return ScheduledJob(
        ctx.service,
        ctx.loc(do),
        "schedule",
        ctx.source(do.func).strip().removesuffix(".do"),
        _job_name(ctx, positional(do, 0), site.function),
        # The schedule library runs jobs one after another in one thread.
        overlap_guard=True,
    )


def _celery_beat(ctx: PyContext) -> Iterator[Fact]:
    if "beat_schedule" not in ctx.text and "BEAT_SCHEDULE" not in ctx.text:
        return
    for name, value in ctx.module.scope.values.items():
        if name in ("beat_schedule", "CELERYBEAT_SCHEDULE", "CELERY_BEAT_SCHEDULE"):
            yield from _beat_entries(ctx, value)
    for _, value in _attribute_assignments(ctx, "beat_schedule"):
        yield from _beat_entries(ctx, value)


def _attribute_assignments(ctx: PyContext, attr: str) -> Iterator[tuple[str, cst.BaseExpression]]:
    for statement in ctx.module.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    name = dotted(target.target) or ""
                    if name.endswith("." + attr):
                        yield name, small.value


def _beat_entries(ctx: PyContext, value: cst.BaseExpression) -> Iterator[Fact]:
    if not isinstance(value, cst.Dict):
        return
    for element in value.elements:
        if not isinstance(element, cst.DictElement) or not isinstance(element.value, cst.Dict):
            continue
        entry = {
            literal(e.key): e.value
            for e in element.value.elements
            if isinstance(e, cst.DictElement)
        }
        task = literal(entry.get("task"))
        schedule = entry.get("schedule")
        yield ScheduledJob(
            ctx.service,
            ctx.loc(element),
            "celery-beat",
            ctx.source(schedule).strip() if schedule is not None else "unknown",
            task if isinstance(task, str) else str(literal(element.key)),
            overlap_guard=None,  # the task lives elsewhere; its guard is not visible here
        )
