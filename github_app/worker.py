"""`flow-review worker`: an rq worker for the `flow-review` queue, with its scheduler.

The settings are read once, when the process starts (`Settings.for_worker`: a missing or
invalid setting stops it with a line naming it). They reach the jobs through the worker
object itself: `FlowReviewWorker` holds a `WorkerContext` (settings, the Redis connection,
HTTP timeouts and retries) and makes it the current context around each job it performs
(`perform_job` runs in the forked work horse), where the job entry points read it. No
global settings object: the context exists only while a job runs, and only the worker
that read the settings sets it.

The scheduler runs alongside (`with_scheduler`): rq's `Retry` with intervals parks a
failed job in the scheduled registry, and the scheduler puts it back in the queue.

Jobs that die with their process (see `recovery`): rq's hooks for a killed work horse and
for abandoned jobs conclude or annotate their check runs, and the ledger of open runs is
swept at start and at each maintenance. rq counts a started job as abandoned when its
heartbeat is older than the monitoring interval plus a grace period, 60 s in rq; here the
grace is `WorkerOptions.abandoned_after`, so a dead machine's review is retried or
concluded within about half a minute rather than minutes. An idle worker wakes up every
`maintenance_interval` seconds for that (rq's dequeue timeout follows the worker's TTL).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.job import Job

from github_app.context import WorkerContext, using_context
from github_app.queue import QUEUE_NAME
from github_app.recovery import abandoned_job_handler, on_interrupted_job, sweep_open_runs
from github_app.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOptions:
    name: str | None = None
    burst: bool = False
    with_scheduler: bool = True
    job_monitoring_interval: int = 10  # seconds between heartbeats of a running job
    abandoned_after: int = 20  # seconds past a missed heartbeat before a job is abandoned
    maintenance_interval: int = 60  # seconds between registry cleanups and sweeps
    extraction_workers: int | None = None  # parsing processes per job (None: one per CPU)
    log_level: str = "INFO"


class FlowReviewWorker(Worker):
    """rq's forking worker, giving each job the worker's context and concluding the check
    runs of jobs that died."""

    def __init__(
        self,
        queues: list[Queue],
        *,
        context: WorkerContext,
        options: WorkerOptions,
        **kwargs: Any,
    ) -> None:
        self.context = context
        self.options = options
        super().__init__(
            queues,
            name=options.name,
            connection=context.redis,
            exception_handlers=[abandoned_job_handler(context)],
            work_horse_killed_handler=self._horse_killed,
            job_monitoring_interval=options.job_monitoring_interval,
            maintenance_interval=options.maintenance_interval,
            # rq's dequeue waits worker_ttl - 15 s: the idle worker wakes for maintenance.
            worker_ttl=options.maintenance_interval + 15,
            **kwargs,
        )

    def perform_job(self, job: Job, queue: Queue) -> bool:
        with using_context(self.context):
            performed: bool = super().perform_job(job, queue)
            return performed

    def get_heartbeat_ttl(self, job: Job) -> int:
        interval = int(self.job_monitoring_interval)
        if job.timeout and job.timeout > 0:
            interval = int(min(job.timeout - self.current_job_working_time, interval))
        return max(interval, 1) + self.options.abandoned_after

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()  # type: ignore[no-untyped-call]  # rq leaves it untyped
        sweep_open_runs(self.context, owner=self.name)

    def _horse_killed(self, job: Job, retpid: int, ret_val: int, rusage: Any) -> None:
        signal_number = os.WTERMSIG(ret_val) if ret_val and os.WIFSIGNALED(ret_val) else None
        reason = (
            f"the process running it was killed (signal {signal_number})"
            if signal_number
            else f"the process running it exited unexpectedly (status {ret_val})"
        )
        on_interrupted_job(self.context, job, reason)


def build_worker(settings: Settings, options: WorkerOptions) -> FlowReviewWorker:
    redis = Redis.from_url(settings.redis_url)
    context = WorkerContext(
        settings=settings, redis=redis, extraction_workers=options.extraction_workers
    )
    queue = Queue(QUEUE_NAME, connection=redis)
    return FlowReviewWorker([queue], context=context, options=options)


class WorkerStartError(Exception):
    """The worker cannot start (Redis unreachable); the message is one line."""


def run_worker(environ: Mapping[str, str], options: WorkerOptions) -> int:
    """Run until stopped (or, with `burst`, until the queue is empty). Raises `SettingsError`
    naming the setting, or `WorkerStartError`, before anything starts."""
    settings = Settings.for_worker(environ)
    _log_to_stderr(options.log_level)
    try:
        worker = build_worker(settings, options)
    except RedisError as exc:
        raise WorkerStartError(f"Redis is unreachable: {exc}") from None
    log.info(
        "worker %s on queue %s, GitHub at %s", worker.name, QUEUE_NAME, settings.github_api_url
    )
    worker.work(
        burst=options.burst,
        with_scheduler=options.with_scheduler,
        logging_level=options.log_level,
    )
    return 0


def _log_to_stderr(level: str) -> None:
    """The app's loggers to stderr (rq sets up its own)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    app_log = logging.getLogger("github_app")
    app_log.addHandler(handler)
    app_log.setLevel(level)
    app_log.propagate = False
