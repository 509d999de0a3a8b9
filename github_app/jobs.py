"""The worker's job functions, by the dotted paths the web process queues.

Each takes the job's primitive keyword arguments (from the webhook), the worker's context
(`context.current_context()`: settings, Redis, HTTP policy) and what rq knows about this
attempt, and hands them to the module that does the work:

- `review_pull_request` -> `review_job.run_review`;
- `run_command` -> `command_job.run_command`;
- `explain_check_run` -> `explain_job.run_explain`;
- `review_head_again` -> `rerun_job.run_rerun`.

They return a one-line account, which rq keeps as the job's result.
"""

from __future__ import annotations

from rq import get_current_job
from rq.job import Job

from github_app.command_job import CommandTarget
from github_app.command_job import run_command as run_command_job
from github_app.context import current_context
from github_app.explain_job import ExplainTarget, run_explain
from github_app.queue import review_job_id
from github_app.requeue import policy_of
from github_app.rerun_job import RerunTarget, run_rerun
from github_app.review_job import Attempt, ReviewTarget, run_review


def review_pull_request(
    *,
    installation_id: int,
    repository: str,
    number: int,
    head_sha: str,
    trigger: str,
    delivery: str,
) -> str:
    job = get_current_job()
    target = ReviewTarget(
        installation_id=installation_id,
        repository=repository,
        number=number,
        head_sha=head_sha,
        trigger=trigger,
        delivery=delivery,
        job_id=job.id if job is not None else review_job_id(repository, number, head_sha),
    )
    return run_review(current_context(), target, attempt_of(job))


def run_command(
    *,
    installation_id: int,
    repository: str,
    number: int,
    comment_id: int,
    author: str,
    command: str,
    delivery: str,
) -> str:
    job = get_current_job()
    target = CommandTarget(
        installation_id=installation_id,
        repository=repository,
        number=number,
        comment_id=comment_id,
        author=author,
        command=command,
        delivery=delivery,
    )
    return run_command_job(current_context(), target, policy_of(job))


def explain_check_run(
    *,
    installation_id: int,
    repository: str,
    check_run_id: int,
    head_sha: str,
    delivery: str,
) -> str:
    return run_explain(
        current_context(),
        ExplainTarget(installation_id, repository, check_run_id, head_sha, delivery),
    )


def review_head_again(
    *,
    installation_id: int,
    repository: str,
    head_sha: str,
    rerun_of: str,
    trigger: str,
    delivery: str,
) -> str:
    job = get_current_job()
    target = RerunTarget(installation_id, repository, head_sha, rerun_of, trigger, delivery)
    return run_rerun(current_context(), target, policy_of(job))


def attempt_of(job: Job | None) -> Attempt:
    """Whether rq runs the job again should this attempt fail, when, and its time limit."""
    if job is None:
        return Attempt()
    retrying = job.should_retry
    return Attempt(
        retrying=retrying,
        retry_in=job.get_retry_interval() if retrying else 0,
        timeout=int(job.timeout) if job.timeout else None,
    )
