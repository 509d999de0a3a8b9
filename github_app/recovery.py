"""Check runs of jobs that stopped without concluding them: noted, then concluded.

A review job concludes its own check run whatever fails inside it. What it cannot handle
is its own death: a SIGKILL, the out-of-memory killer, a lost machine. Three hooks of the
worker cover that, all in the worker's main process:

- the work horse died under a living worker (rq calls the worker's
  `work_horse_killed_handler`, then retries the job or moves it to the failed registry):
  `on_interrupted_job`;
- the whole worker died, and another worker's registry maintenance finds the job abandoned
  in the started registry (rq calls the worker's exception handlers with
  `AbandonedJobError`, then retries or fails the job): `on_interrupted_job` again;
- a periodic sweep over the ledger of open runs (`openruns`), at worker start and at each
  maintenance: a run whose job rq will not run again (failed, canceled, stopped, gone) is
  concluded with the reason; one whose job is queued, scheduled or running is left to it.

With retries left the run stays `in_progress` with a note (the retried job finds it again
by its `external_id` and concludes it); on the last attempt it is concluded `failure`.
GitHub failing here is logged and left to the next sweep: the ledger keeps the run until
it is concluded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from rq.exceptions import AbandonedJobError, NoSuchJobError
from rq.job import Job, JobStatus

from github_app.checkrun import CheckRunEnd, failed_run, superseded_run
from github_app.clients import repository_api
from github_app.context import WorkerContext
from github_app.github import GitHubError, RetryPolicy
from github_app.openruns import OpenRun, open_runs, read_open_run, settle_run
from github_app.queue import KEY_PREFIX

SWEEP_LOCK_KEY: Final = f"{KEY_PREFIX}:sweep-lock"
SWEEP_LOCK_SECONDS: Final = 120
# The worker's main loop waits for these calls: fewer retries than a job's.
RECOVERY_RETRY: Final = RetryPolicy(attempts=3, first_delay=0.5, max_delay=2.0, max_wait=10.0)

ALIVE: Final = frozenset(
    {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
)
STOPPED_BY_US: Final = frozenset({JobStatus.CANCELED, JobStatus.STOPPED})

INTERRUPTED = (
    "the worker running it stopped before it finished (killed, out of memory, or shut down)"
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    concluded: int = 0
    left_running: int = 0
    failed: int = 0  # GitHub did not answer: tried again at the next sweep


def on_interrupted_job(context: WorkerContext, job: Job, reason: str = INTERRUPTED) -> None:
    """A job's process died: note the retry on its run, or conclude it if none is left."""
    run = read_open_run(context.redis, job.id)
    if run is None:
        return  # not a review, or it had concluded its run already
    try:
        if job.should_retry:
            _note_retry(context, run, reason, job.get_retry_interval())
        else:
            _conclude(context, run, failed_run(f"the review could not finish: {reason}"))
    except GitHubError as exc:
        log.error("check run %s of %s: %s; the sweep tries again", run.check_run_id, job.id, exc)


def abandoned_job_handler(context: WorkerContext) -> Callable[..., bool]:
    """An rq exception handler: acts on `AbandonedJobError` only (a job found abandoned in
    the started registry); any other exception was raised by a job, which reported it."""

    def handle(job: Job, exc_type: type[BaseException], *rest: Any) -> bool:
        if isinstance(exc_type, type) and issubclass(exc_type, AbandonedJobError):
            on_interrupted_job(context, job)
        return True  # let rq's other handlers run too

    return handle


def sweep_open_runs(context: WorkerContext, owner: str) -> SweepResult:
    """Conclude the open runs whose jobs will not run again; one sweeper at a time."""
    redis = context.redis
    if not redis.set(SWEEP_LOCK_KEY, owner, nx=True, ex=SWEEP_LOCK_SECONDS):
        return SweepResult()
    concluded = left = failed = 0
    try:
        for run in open_runs(redis):
            end = _end_for(context, run)
            if end is None:
                left += 1
                continue
            try:
                _conclude(context, run, end)
            except GitHubError as exc:
                log.error("sweep: check run %s of %s: %s", run.check_run_id, run.job_id, exc)
                failed += 1
            else:
                concluded += 1
    finally:
        if redis.get(SWEEP_LOCK_KEY) == owner.encode():
            redis.delete(SWEEP_LOCK_KEY)
    if concluded or failed:
        log.info("sweep: %d check runs concluded, %d left for later", concluded, failed)
    return SweepResult(concluded, left, failed)


def _end_for(context: WorkerContext, run: OpenRun) -> CheckRunEnd | None:
    """How to conclude `run`, None while its job may still conclude it."""
    try:
        job = Job.fetch(run.job_id, connection=context.redis)
    except NoSuchJobError:
        return failed_run("the review's job was lost before it finished")
    status = job.get_status(refresh=False)
    if status in ALIVE:
        return None
    if status in STOPPED_BY_US:
        return superseded_run(None)
    return failed_run(f"the review could not finish: {_failure_reason(job)}")


def _failure_reason(job: Job) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or ""
    if "AbandonedJobError" in text or "Work-horse terminated" in text:
        return INTERRUPTED
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "it failed and was not retried"


def _conclude(context: WorkerContext, run: OpenRun, end: CheckRunEnd) -> None:
    with repository_api(context, run.installation_id, run.repository, retry=RECOVERY_RETRY) as api:
        if not api.check_run(run.check_run_id).completed:
            api.update_check_run(run.check_run_id, end.payloads()[0])
            log.info(
                "check run %s of %s concluded %s", run.check_run_id, run.job_id, end.conclusion
            )
    settle_run(context.redis, run.job_id, run.check_run_id)


def _note_retry(context: WorkerContext, run: OpenRun, reason: str, retry_in: int) -> None:
    when = f"in {retry_in} s" if retry_in else "now"
    with repository_api(context, run.installation_id, run.repository, retry=RECOVERY_RETRY) as api:
        if api.check_run(run.check_run_id).completed:
            # Concluded just before the process died: nothing left to say on it.
            settle_run(context.redis, run.job_id, run.check_run_id)
            return
        api.update_check_run(
            run.check_run_id,
            {
                "status": "in_progress",
                "output": {
                    "title": "Retrying after an interruption",
                    "summary": f"The review was interrupted: {reason}. "
                    f"Flow Review tries again {when}.",
                },
            },
        )
