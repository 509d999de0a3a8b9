"""What a job gets from the worker that runs it: the settings, Redis, the HTTP policy.

rq calls a job function by its dotted path with the job's own arguments only (primitives
from the webhook). The rest comes from the worker process, which read the settings once at
start: `worker.FlowReviewWorker` sets the `WorkerContext` in a context variable around each
job it performs, and the three job entry points (`jobs.py`) read it with `current_context()`
and pass it down explicitly. Nothing else reads it, and nothing reads the environment.

A context variable rather than a module global: it exists only while the worker performs a
job (a job function called anywhere else fails with a clear message instead of finding
stale settings), and a test can run a job in its own process under its own context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from redis import Redis

from github_app.factcache import FACT_TTL_SECONDS
from github_app.github import HttpPolicy
from github_app.settings import Settings


@dataclass(frozen=True)
class WorkerContext:
    settings: Settings
    redis: Redis
    http: HttpPolicy = field(default_factory=HttpPolicy)
    fact_ttl: int = FACT_TTL_SECONDS
    extraction_workers: int | None = None  # processes that parse files; None: one per CPU


class NoWorkerContext(RuntimeError):
    """A job function was called outside a Flow Review worker."""


_CURRENT: ContextVar[WorkerContext | None] = ContextVar("flow_review_worker_context", default=None)


@contextmanager
def using_context(context: WorkerContext) -> Iterator[WorkerContext]:
    """Make `context` the current one for the code run inside the block."""
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)


def current_context() -> WorkerContext:
    context = _CURRENT.get()
    if context is None:
        raise NoWorkerContext(
            "Flow Review jobs run in `flow-review worker`, which gives them their settings"
        )
    return context
