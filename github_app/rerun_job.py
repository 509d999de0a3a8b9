"""A "Re-run" of a check run or suite that GitHub linked to no pull request: a fork's head.

GitHub lists no pull request in the check runs and suites of a head in a fork, so the web
process cannot tell which pull request to review. Here the repository's open pull requests
are asked which have that head, and each gets a review queued as the web process queues
one (`requeue.enqueue_review`): the same job id rules, so a review of that head already
queued or running is not queued twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from github_app.clients import repository_api
from github_app.context import WorkerContext
from github_app.events import ReviewJob
from github_app.queue import JobPolicy
from github_app.requeue import enqueue_review


@dataclass(frozen=True)
class RerunTarget:
    installation_id: int
    repository: str
    head_sha: str
    rerun_of: str  # check_run-<id> or check_suite-<id>
    trigger: str
    delivery: str


def run_rerun(context: WorkerContext, target: RerunTarget, policy: JobPolicy) -> str:
    with repository_api(context, target.installation_id, target.repository) as api:
        numbers = api.open_pull_requests_with_head(target.head_sha)
    head = target.head_sha[:12]
    if not numbers:
        return f"no open pull request of {target.repository} has head {head}"
    states = []
    for number in numbers:
        submission = enqueue_review(
            context,
            ReviewJob(
                installation_id=target.installation_id,
                repository=target.repository,
                number=number,
                head_sha=target.head_sha,
                trigger=target.trigger,
            ),
            delivery=f"{target.delivery}:review:{number}",
            policy=policy,
        )
        states += [f"{job.job_id} {job.state}" for job in submission.jobs]
    return f"review of {head} for #{', #'.join(map(str, numbers))}: " + (
        ", ".join(states) or "already handled"
    )
