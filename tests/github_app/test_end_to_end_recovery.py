"""A worker killed with SIGKILL in the middle of a review does not leave its check run
`in_progress`: the retry run by another worker finds the run and concludes it, and when no
retry is left, the worker that finds the job abandoned concludes it `failure` with the
reason, and the job lands in rq's failed registry.

The whole worker is killed (its main process, its scheduler and the work horse), as when a
machine is lost; a review is held in the middle by the emulator answering its tree request
slowly. Jobs are retried once, at once (`E2E_RETRY_INTERVAL=0`): a dead worker's scheduler
lock outlives it by a minute, and the retry must not wait for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from rq.job import Job, JobStatus

from github_app.queue import review_job_id
from tests.github_app.servers import web_server
from tests.github_app.stack import (
    ExamplePullRequest,
    Stack,
    example_repository,
    open_example_pull_request,
    wait_for,
)
from tests.github_app.workers import FAST_RECOVERY, worker_environment, worker_process
from tests.github_emulator import CheckRun, FaultRule, GitHubEmulator, Slow

E2E_FACTORY = "tests.github_app.e2e_app:create_e2e_app"
HOLD = Slow(120.0)  # far longer than the test waits: the request is never answered in time


@pytest.fixture(scope="module")
def stack(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("e2e-recovery")
    with redis.Redis.from_url(redis_server) as client:
        client.flushall()
    with (
        GitHubEmulator(workdir) as gh,
        web_server(
            redis_server,
            workdir,
            factory=E2E_FACTORY,
            extra_env={"APP_ID": str(gh.app_id), "E2E_RETRY_INTERVAL": "0", "E2E_RETRY_MAX": "1"},
        ) as web,
    ):
        yield Stack(gh, redis_server, web)


@pytest.fixture
def environ(stack: Stack) -> dict[str, str]:
    gh = stack.gh
    return worker_environment(stack.redis_url, gh.app_id, gh.private_key_pem, gh.url)


def held_mid_review(stack: Stack, pull: ExamplePullRequest, hold: FaultRule) -> CheckRun:
    """The review's check run, once its worker is waiting for the tree of the commit."""

    def waiting() -> CheckRun | None:
        runs = stack.runs(pull.repo, pull.head_sha)
        if runs and runs[-1].title and "reading the trees" in runs[-1].title and hold.fired:
            return runs[-1]
        return None

    return wait_for(waiting, "the review to reach its tree request", 60)


def test_the_retry_concludes_the_run_of_a_review_whose_worker_was_killed(
    stack: Stack, environ: dict[str, str], tmp_path: Path
) -> None:
    gh = stack.gh
    repo, installation = example_repository(gh, "killed-once")
    pull = open_example_pull_request(gh, repo, installation)
    hold = gh.inject(HOLD, method="GET", path=rf"^/repos/{repo}/git/trees/", times=1)

    with worker_process(environ, tmp_path, "doomed", *FAST_RECOVERY) as doomed:
        stack.deliver(gh.payload("pull_request", "opened", repo, pull.number))
        held = held_mid_review(stack, pull, hold)
        doomed.kill_all()
    hold.remove()
    assert gh.check_run(held.id).status == "in_progress"

    with worker_process(environ, tmp_path, "rescuer", *FAST_RECOVERY):
        wait_for(lambda: gh.check_run(held.id).status == "completed", "the run to conclude", 90)
        stack.settle()

    [run] = stack.runs(repo, pull.head_sha)
    assert run.id == held.id, "the retry concluded the run the killed attempt opened"
    assert (run.conclusion, run.title) == ("failure", gh.check_run(held.id).title)
    assert run.title is not None and "at or above critical" in run.title
    notes = [
        r.body["output"]["title"]
        for r in gh.requests("PATCH", rf"/check-runs/{held.id}$")
        if isinstance(r.body, dict) and "output" in r.body
    ]
    assert "Retrying after an interruption" in notes
    job = Job.fetch(review_job_id(repo, pull.number, pull.head_sha), connection=stack.redis)
    assert job.get_status() == JobStatus.FINISHED


def test_a_review_killed_on_its_last_attempt_is_concluded_with_the_reason(
    stack: Stack, environ: dict[str, str], tmp_path: Path
) -> None:
    gh = stack.gh
    repo, installation = example_repository(gh, "killed-twice")
    pull = open_example_pull_request(gh, repo, installation)
    hold = gh.inject(HOLD, method="GET", path=rf"^/repos/{repo}/git/trees/", times=2)

    with worker_process(environ, tmp_path, "first", *FAST_RECOVERY) as first:
        stack.deliver(gh.payload("pull_request", "opened", repo, pull.number))
        held = held_mid_review(stack, pull, hold)
        first.kill_all()
    # The next worker finds the job abandoned, retries it (its last attempt) and runs it.
    with worker_process(environ, tmp_path, "second", *FAST_RECOVERY) as second:
        wait_for(lambda: hold.fired == 2, "the retry to reach its tree request", 60)
        second.kill_all()
    hold.remove()
    assert gh.check_run(held.id).status == "in_progress"

    with worker_process(environ, tmp_path, "third", *FAST_RECOVERY):
        wait_for(lambda: gh.check_run(held.id).status == "completed", "the run to conclude", 90)
        stack.settle()

    [run] = stack.runs(repo, pull.head_sha)
    assert (run.id, run.conclusion, run.title) == (held.id, "failure", "Review could not finish")
    assert run.summary is not None and "stopped before it finished" in run.summary
    job = Job.fetch(review_job_id(repo, pull.number, pull.head_sha), connection=stack.redis)
    assert job.get_status() == JobStatus.FAILED
    assert job.id in job.failed_job_registry.get_job_ids(cleanup=False)
