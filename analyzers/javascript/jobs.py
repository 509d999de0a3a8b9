"""Schedules and background jobs in JavaScript/TypeScript, with the Python family's meanings.

Schedules (`ScheduledJob`):
- node-cron `cron.schedule(expr, fn, opts)` / `createTask`, and the `cron` package
  (`new CronJob(expr, fn)`, `CronJob.from({...})`): both run inside every process that
  imports them (`in_process`), so every replica runs every tick. `overlap_guard` is True
  when the job (with the local functions it calls) shows a lock (`try_acquire...`,
  `pg_try_advisory_lock`, Redis `SET NX`, redlock, a mutex) or an in-process running
  flag that it checks and sets, or an option that skips busy ticks (node-cron 4
  `noOverlap`, cron `waitForCompletion`); False otherwise: nothing stops it.
- `setInterval` polling loops on the server: a callback that does asynchronous work
  overlaps the next tick when it is slow, unless guarded the same way. A synchronous
  callback cannot overlap (one event loop) and timers in browser code (`.tsx`/`.jsx`,
  `'use client'`, React effects) are not service schedules: neither is reported.
- BullMQ repeatable jobs (`add(name, data, { repeat })`, `upsertJobScheduler`): Redis
  schedules them once for all workers; overlap is not decided here (None).

Queues (`QueueJob`):
- BullMQ/Bull producers `queue.add(name, data, opts)`: retry from `attempts`/`backoff`
  (per call, else the queue's `defaultJobOptions`; BullMQ's default is one attempt, no
  retry), `idempotency_key` when a `jobId` or `deduplication` id is given, `dead_letter`
  False when failed jobs are removed (`removeOnFail: true`) and no `failed` listener is in
  sight, True with such a listener, None otherwise (BullMQ keeps failed jobs by default).
- BullMQ `new Worker(name, processor)` consumers: `dead_letter` True with a `failed`
  listener; `idempotency_key` when the processor shows deduplication.
- Table queues: `.from('<...queue...>').insert(rows)` (Supabase, and `knex('job_queue')`)
  is a producer with system "table"; `idempotency_key` when the rows carry an
  `idempotency_key`/`dedupe_key`, or the write is an upsert/insert on conflict.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from analyzers.facts import Fact, QueueJob, RetryPolicy, ScheduledJob
from analyzers.javascript.context import JsContext
from analyzers.javascript.module import (
    FUNCTION_TYPES,
    JsModule,
    call_arguments,
    object_property,
    string_value,
    text,
    unwrap,
)
from analyzers.javascript.scan import (
    call_around,
    calls_matching,
    code,
    function_of,
    helpers_called,
    is_async,
    node_at,
    with_helpers,
)
from analyzers.javascript.webhooks import DEDUP

LOCK = re.compile(
    r"try_?acquire|acquire_?\w*lock|lock\w*\.acquire|advisory_?(?:xact_?)?lock|redlock|"
    r"\bwithLock\b|\bmutex\b|Mutex|runExclusive|['\"]NX['\"]|\bNX\s*:\s*true|setnx|setNX|"
    r"\.lock\s*\(",
    re.I,
)
_SET_TRUE = re.compile(r"(?:this\.)?(\w+)\s*=\s*true\b")

_NODE_CRON = re.compile(rb"\b(schedule|createTask)\s*\(")
_CRON_PACKAGE = re.compile(rb"\b(CronJob)\b\s*(?:\.\s*from\s*)?\(|\bcron\s*\.\s*(job)\s*\(")
_SET_INTERVAL = re.compile(rb"\b(setInterval)\s*\(")
_QUEUE_ADD = re.compile(rb"\.\s*(add|addBulk|upsertJobScheduler)\s*\(")
_WORKER = re.compile(rb"\b(Worker)\s*\(")
_TABLE_QUEUE = re.compile(
    rb"""\(\s*['"`]([\w.]*queue[\w.]*)['"`]\s*\)\s*\.\s*(insert|upsert)\s*\(""", re.I
)
_QUEUE_ROWS_KEY = re.compile(r"idempotency_?key|idempotencyKey|dedupe?_?key|dedupeKey", re.I)
_FAILED_LISTENER = re.compile(r"""\.on\(\s*['"`]failed['"`]""")
_BULL_PACKAGES = ("bullmq", "bull")
# A queue as the packages make it, by resolved name: exact, so that a module of the project
# (or of the package itself) under a folder named `bullmq/` is not taken for the package.
_QUEUES = {"bullmq.Queue()": "bullmq", "bull()": "bull", "bull.Queue()": "bull"}
_NODE_CRON_NAMES = frozenset(
    {"node-cron.schedule", "node-cron.createTask", "node-cron.default.schedule"}
)
_CRON_PACKAGE_NAMES = frozenset({"cron.CronJob", "cron.CronJob.from", "cron.job"})


def extract(ctx: JsContext) -> Iterator[Fact]:
    # Every library here leaves a word in the text: "cron" (node-cron, the cron package's
    # import), "setInterval", "ueue" (Queue, a queue table), "bull" (a worker's module may
    # import only `Worker` from bullmq). Each test scans the text once; most files fail them
    # all, so they come first and the rest only where they matter.
    m = ctx.module
    cron, interval, queue, bull_word = (
        word in ctx.text for word in ("cron", "setInterval", "ueue", "bull")
    )
    if cron and ctx.mentions("node-cron"):
        yield from _node_cron(ctx)
    if cron and ctx.mentions("CronJob", "cron.job"):
        yield from _cron_package(ctx)
    if interval and not _browser(ctx):
        yield from _intervals(ctx)
    if queue or bull_word:
        bull = _bull_imports(m)
        # Without an import of bull(mq), only a queue made in another module can be added to.
        if bull or b"ueue.add" in m.source:
            yield from _queue_adds(ctx, bull)
        if bull:
            yield from _workers(ctx)
        if queue and ctx.mentions("insert(", "upsert("):
            yield from _table_queues(ctx)


# --- guards ---------------------------------------------------------------------------------


def overlap_guarded(m: JsModule, function: ts.Node | None) -> bool:
    """A lock, or a running flag declared outside the run that the run checks and sets."""
    if function is None:
        return False
    job = with_helpers(m, function)
    if LOCK.search(job):
        return True
    for flag in {match.group(1) for match in _SET_TRUE.finditer(job)}:
        checked = re.search(rf"if\s*\(\s*!?\s*(?:this\.)?{re.escape(flag)}\b", job)
        # A flag declared inside the run starts false on every tick and guards nothing.
        local = re.search(rf"\b(?:let|var|const)\s+{re.escape(flag)}\b", job)
        if checked and not local:
            return True
    return False


def _job(ctx: JsContext, arg: ts.Node | None, at: ts.Node) -> tuple[ts.Node | None, str]:
    """The function a schedule runs and a name for it.

    A named function is named after itself; an inline callback that calls one local
    function (`() => runDigest().catch(log)`) after that function, the work it does; any
    other inline callback after the function that schedules it.
    """
    m = ctx.module
    function = function_of(arg, m)
    inner = unwrap(arg)
    if inner is not None and inner.type != "identifier" and function is not None:
        helpers = helpers_called(m, function)
        if len(helpers) == 1:
            return function, m.function_name(helpers[0]) or m.name
        outer = m.function_name(m.enclosing_function(at))
        return function, outer or f"{m.name}.<line {at.start_point[0] + 1}>"
    if function is not None:
        return function, m.function_name(function) or m.name
    resolved = m.resolve(arg)
    return None, resolved.name if resolved is not None else text(arg) or m.name


def _schedule_text(ctx: JsContext, node: ts.Node | None) -> str:
    if node is None:
        return "unknown"
    literal = string_value(node)
    if literal is not None:
        return literal
    inner = unwrap(node)
    if inner is not None and inner.type == "identifier":  # const POLL_MS = 10_000
        bound = unwrap(ctx.module.lookup(text(inner), inner))
        inner = bound if bound is not None and bound.type == "number" else inner
    if inner is not None and inner.type == "number":
        return text(inner).replace("_", "")
    return ctx.values.part(node, 0).text


# --- node-cron and cron -----------------------------------------------------------------------


def _node_cron(ctx: JsContext) -> Iterator[Fact]:
    m = ctx.module
    for call in calls_matching(m, _NODE_CRON, 1):
        resolved = m.callee(call)
        if resolved is None or resolved.name not in _NODE_CRON_NAMES:
            continue
        args = call_arguments(call)
        function, name = _job(ctx, args[1] if len(args) > 1 else None, call)
        options = args[2] if len(args) > 2 else None
        guarded = text(object_property(options, "noOverlap")) == "true"
        yield ScheduledJob(
            ctx.service,
            ctx.loc(call),
            "node-cron",
            _schedule_text(ctx, args[0] if args else None),
            name,
            overlap_guard=guarded or overlap_guarded(m, function),
            in_process=True,
        )


def _cron_package(ctx: JsContext) -> Iterator[Fact]:
    m = ctx.module
    for call in calls_matching(m, _CRON_PACKAGE):
        resolved = (
            m.resolve(call.child_by_field_name("constructor"))
            if call.type == "new_expression"
            else m.callee(call)
        )
        if resolved is None or resolved.name not in _CRON_PACKAGE_NAMES:
            continue
        args = call_arguments(call)
        first = unwrap(args[0]) if args else None
        if first is not None and first.type == "object":  # CronJob.from({ cronTime, onTick })
            expr = object_property(first, "cronTime")
            tick = object_property(first, "onTick")
            wait = object_property(first, "waitForCompletion")
        else:
            expr = first
            tick = args[1] if len(args) > 1 else None
            wait = args[9] if len(args) > 9 else None
        function, name = _job(ctx, tick, call)
        yield ScheduledJob(
            ctx.service,
            ctx.loc(call),
            "cron",
            _schedule_text(ctx, expr),
            name,
            overlap_guard=text(wait) == "true" or overlap_guarded(m, function),
            in_process=True,
        )


# --- setInterval ----------------------------------------------------------------------------


def _browser(ctx: JsContext) -> bool:
    return ctx.module.path.endswith((".tsx", ".jsx")) or ctx.mentions(
        "'use client'", '"use client"', "useEffect"
    )


def _does_async_work(m: JsModule, function: ts.Node) -> bool:
    if is_async(function):
        return True
    if any(is_async(helper) for helper in helpers_called(m, function)):
        return True
    body = code(function)
    return "await " in body or ".then(" in body


def _intervals(ctx: JsContext) -> Iterator[Fact]:
    m = ctx.module
    for call in calls_matching(m, _SET_INTERVAL, 1):
        callee = text(call.child_by_field_name("function"))
        if callee not in ("setInterval", "globalThis.setInterval", "global.setInterval"):
            continue
        args = call_arguments(call)
        function, name = _job(ctx, args[0] if args else None, call)
        if function is None or not _does_async_work(m, function):
            continue
        every = args[1] if len(args) > 1 else None
        yield ScheduledJob(
            ctx.service,
            ctx.loc(call),
            "setInterval",
            f"every {_schedule_text(ctx, every)} ms" if every is not None else "every tick",
            name,
            overlap_guard=overlap_guarded(m, function),
            in_process=True,
        )


# --- BullMQ and Bull ------------------------------------------------------------------------


def _bull_imports(m: JsModule) -> set[str]:
    """The Bull packages the module imports, by specifier: `./bullmq/x` is not BullMQ."""
    return {spec for spec in m.import_sources.values() if spec in _BULL_PACKAGES}


def _queue_of(m: JsModule, call: ts.Node, bull: set[str]) -> tuple[str, ts.Node | None] | None:
    """The system and the `new Queue(...)` behind `queue.add`, or None when not a queue."""
    callee = call.child_by_field_name("function")
    owner = callee.child_by_field_name("object") if callee is not None else None
    resolved = m.resolve(owner)
    if resolved is not None and resolved.name in _QUEUES:
        return _QUEUES[resolved.name], resolved.origin
    # A queue made in another module of the service (`import { emailQueue } from './queues'`):
    # named as a queue and called the way BullMQ is, with a job name first.
    owner_name = text(owner).rsplit(".", 1)[-1]
    args = call_arguments(call)
    if (
        owner_name.lower().endswith("queue")
        and len(args) >= 2
        and string_value(args[0]) is not None
        and unwrap(args[1]) is not None
        and unwrap(args[1]).type not in FUNCTION_TYPES  # type: ignore[union-attr]
    ):
        return (next(iter(bull)) if len(bull) == 1 else "bullmq"), None
    return None


def _option(options: ts.Node | None, defaults: ts.Node | None, key: str) -> ts.Node | None:
    return object_property(options, key) or object_property(defaults, key)


def _retry(options: ts.Node | None, defaults: ts.Node | None) -> RetryPolicy | None:
    attempts = _option(options, defaults, "attempts")
    if attempts is None:
        return None  # BullMQ's default: one attempt, no retry
    backoff = _option(options, defaults, "backoff")
    kind = string_value(object_property(backoff, "type")) or ""
    growing = kind == "exponential" or (kind not in ("", "fixed") and backoff is not None)
    jitter = object_property(backoff, "jitter")
    count = text(attempts)
    return RetryPolicy(
        int(count) if count.isdigit() else 0,
        growing,
        jitter is not None and text(jitter) not in ("0", "false"),
        "bullmq",
        backoff is not None,
    )


def _queue_adds(ctx: JsContext, bull: set[str]) -> Iterator[Fact]:
    m = ctx.module
    failed_listener = bool(_FAILED_LISTENER.search(ctx.text))
    for call in calls_matching(m, _QUEUE_ADD, 1):
        found = _queue_of(m, call, bull)
        if found is None:
            continue
        system, made = found
        method = text(call.child_by_field_name("function")).rsplit(".", 1)[-1].strip()
        args = call_arguments(call)
        made_args = call_arguments(made) if made is not None else []
        queue_name = string_value(made_args[0]) if made_args else None
        defaults = (
            object_property(made_args[1], "defaultJobOptions") if len(made_args) > 1 else None
        )
        if method == "upsertJobScheduler":
            repeat = args[1] if len(args) > 1 else None
            yield _repeatable(
                ctx, call, system, queue_name, string_value(args[0]) if args else None, repeat
            )
            continue
        if system == "bull" and args and string_value(args[0]) is None:
            job_name, options = None, args[1] if len(args) > 1 else None  # Bull: add(data, opts)
        else:
            job_name = string_value(args[0]) if args else None
            options = args[2] if len(args) > 2 else None
        options = _object(m, options)
        repeat = object_property(options, "repeat")
        if repeat is not None:
            yield _repeatable(ctx, call, system, queue_name, job_name, repeat)
            continue
        name = ":".join(p for p in (queue_name, job_name) if p) or text(
            call.child_by_field_name("function")
        )
        removes = text(_option(options, defaults, "removeOnFail")) == "true"
        dead_letter: bool | None = None
        if failed_listener:
            dead_letter = True
        elif removes:
            dead_letter = False
        if method == "addBulk":
            keyed: bool | None = "jobId" in text(args[0]) if args else None
        else:
            keyed = _keyed(options, args[2] if len(args) > 2 else None)
        yield QueueJob(
            ctx.service,
            ctx.loc(call),
            "producer",
            system,
            name,
            retry=_retry(options, defaults),
            dead_letter=dead_letter,
            idempotency_key=keyed,
        )


def _object(m: JsModule, node: ts.Node | None) -> ts.Node | None:
    inner = unwrap(node)
    if inner is not None and inner.type == "identifier":
        bound = m.lookup(text(inner), inner)
        return unwrap(bound) if bound is not None else inner
    return inner


def _keyed(options: ts.Node | None, written: ts.Node | None) -> bool | None:
    if options is None:
        return False
    if options.type != "object":
        return None  # options from elsewhere: whether they carry a jobId is not visible
    if object_property(options, "jobId") is not None:
        return True
    if object_property(options, "deduplication") is not None:
        return True
    spread = any(child.type == "spread_element" for child in options.named_children)
    return None if spread else False


def _repeatable(
    ctx: JsContext,
    call: ts.Node,
    system: str,
    queue: str | None,
    job: str | None,
    repeat: ts.Node | None,
) -> ScheduledJob:
    pattern = object_property(repeat, "pattern") or object_property(repeat, "cron")
    every = object_property(repeat, "every")
    if pattern is not None:
        schedule = _schedule_text(ctx, pattern)
    elif every is not None:
        schedule = f"every {_schedule_text(ctx, every)} ms"
    else:
        schedule = "unknown"
    return ScheduledJob(
        ctx.service,
        ctx.loc(call),
        system,
        schedule,
        ":".join(p for p in (queue, job) if p) or "repeatable job",
        overlap_guard=None,  # Redis schedules it once; whether runs overlap is the worker's
        in_process=False,
    )


def _workers(ctx: JsContext) -> Iterator[Fact]:
    m = ctx.module
    failed_listener = bool(_FAILED_LISTENER.search(ctx.text))
    for call in calls_matching(m, _WORKER, 1):
        if call.type != "new_expression":
            continue
        resolved = m.resolve(call.child_by_field_name("constructor"))
        if resolved is None or resolved.name != "bullmq.Worker":
            continue
        args = call_arguments(call)
        processor = function_of(args[1], m) if len(args) > 1 else None
        work = with_helpers(m, processor) if processor is not None else ""
        yield QueueJob(
            ctx.service,
            ctx.loc(call),
            "consumer",
            "bullmq",
            (string_value(args[0]) if args else None) or m.name,
            dead_letter=True if failed_listener else None,
            idempotency_key=bool(DEDUP.search(work)) if processor is not None else None,
        )


# --- table queues ---------------------------------------------------------------------------


def _table_queues(ctx: JsContext) -> Iterator[Fact]:
    m = ctx.module
    for match in _TABLE_QUEUE.finditer(m.source):
        start, end = match.span(2)
        call = call_around(node_at(m, start, end), start)
        if call is None:
            continue
        table = match.group(1).decode("utf-8", "replace")
        method = match.group(2).decode()
        args = call_arguments(call)
        rows = _rows_text(m, args[0]) if args else ""
        options = text(args[1]) if len(args) > 1 else ""
        chained = text(call.parent.parent) if call.parent is not None and call.parent.parent else ""
        keyed = bool(_QUEUE_ROWS_KEY.search(rows)) or (
            "onConflict" in options or "ignoreDuplicates" in options
        )
        if method == "insert" and ".onConflict(" in chained:
            keyed = True  # knex: insert(...).onConflict(key).ignore()
        yield QueueJob(
            ctx.service,
            ctx.loc(call),
            "producer",
            "table",
            table,
            idempotency_key=keyed,
        )


def _rows_text(m: JsModule, rows: ts.Node) -> str:
    """The rows as written, and what their variable was bound to (`rows.slice(...)` -> rows)."""
    written = text(rows)
    head = unwrap(rows)
    while head is not None and head.type in ("call_expression", "member_expression"):
        head = unwrap(head.child_by_field_name("function") or head.child_by_field_name("object"))
    if head is not None and head.type == "identifier":
        bound = m.lookup(text(head), head)
        if bound is not None:
            return written + "\n" + text(bound)
    return written
