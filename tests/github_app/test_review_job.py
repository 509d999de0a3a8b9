"""The review job in this process against the emulated GitHub and a real Redis: the paths an
end-to-end run reaches only by chance (a too-large diff, the last attempt failing, a recorded
head that lags, no write access, the sweep of runs left open).

The HTTP retry policy is shortened (a few milliseconds between attempts) so that a fault
that outlasts the retries is reached quickly; everything else is the worker's code.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import redis
from rq import Queue
from rq.job import Job, JobStatus

from github_app.checkrun import CHECK_NAME
from github_app.context import WorkerContext
from github_app.explain_job import EXPLANATIONS_MARKER, ExplainTarget, run_explain
from github_app.github import GitHubUnavailable
from github_app.openruns import open_runs, read_open_run
from github_app.queue import QUEUE_NAME, latest_head_key
from github_app.recovery import sweep_open_runs
from github_app.review_job import Attempt, run_review
from github_app.taskfile import CHECKLIST_COMMENT_MARKER
from tests.github_app.direct import QUICK_RETRIES, context_for, target
from tests.github_app.reviews import review_demo
from tests.github_app.stack import ExamplePullRequest, example_repository, open_example_pull_request
from tests.github_emulator import DropConnection, GitHubEmulator, Limits, ServerError


@pytest.fixture
def pull(gh: GitHubEmulator) -> ExamplePullRequest:
    repo, installation = example_repository(gh, "acme")
    return open_example_pull_request(gh, repo, installation)


def test_the_installation_token_request_is_retried(
    gh: GitHubEmulator, context: WorkerContext, pull: ExamplePullRequest
) -> None:
    rule = gh.inject(ServerError(503), method="POST", path=r"/access_tokens$", times=2)

    outcome = run_review(context, target(pull), Attempt())

    assert outcome.startswith("failure: ")
    assert rule.fired == 2
    [run] = gh.check_runs(pull.repo, pull.head_sha)
    assert (run.status, run.conclusion) == ("completed", "failure")


def test_a_diff_too_large_to_send_is_rebuilt_from_the_files_api(
    tmp_path: Path, redis_client: redis.Redis, redis_url: str
) -> None:
    with GitHubEmulator(tmp_path / "small", limits=Limits(diff_max_files=3)) as gh:
        repo, installation = example_repository(gh, "acme")
        pull = open_example_pull_request(gh, repo, installation)

        outcome = run_review(context_for(gh, redis_client, redis_url), target(pull), Attempt())

        diffs = gh.requests("GET", rf"/pulls/{pull.number}$")
        [run] = gh.check_runs(pull.repo, pull.head_sha)
    local = review_demo(tmp_path / "local").review
    assert any(r.status == 406 for r in diffs)
    assert f": {len(local.findings)} findings;" in outcome
    assert run.conclusion == "failure"
    assert run.summary is not None and "too large to send" in run.summary


def test_a_truncated_tree_is_walked_folder_by_folder_and_reviewed_the_same(
    tmp_path: Path, redis_client: redis.Redis, redis_url: str
) -> None:
    # GitHub truncates a recursive listing at about 100,000 entries; here at 20, which the
    # example's trees pass at the root and in its larger folders.
    with GitHubEmulator(tmp_path / "small", limits=Limits(tree_entries_max=20)) as gh:
        repo, installation = example_repository(gh, "acme")
        pull = open_example_pull_request(gh, repo, installation)

        outcome = run_review(context_for(gh, redis_client, redis_url), target(pull), Attempt())

        recursive = gh.requests("GET", r"/git/trees/[0-9a-f]{40}$")
        [run] = gh.check_runs(pull.repo, pull.head_sha)
    local = review_demo(tmp_path / "local").review
    assert f": {len(local.findings)} findings;" in outcome  # every file was read
    assert run.conclusion == "failure"
    assert len(recursive) > 4  # the two roots, then their folders one by one


def test_the_config_is_read_from_the_base_commit(
    gh: GitHubEmulator, context: WorkerContext
) -> None:
    repo, installation = example_repository(gh, "acme")
    gh.push(repo, "main", {".github/flow-review.yml": "fail_on: high\n"})
    # The pull request tries to lower its own gate and switch off the critical rules.
    pull = open_example_pull_request(
        gh,
        repo,
        installation,
        extra={
            ".github/flow-review.yml": "fail_on: critical\n"
            "disable: [FLOW201, FLOW207, FLOW301, FLOW302]\n"
        },
    )

    run_review(context, target(pull), Attempt())

    [run] = gh.check_runs(repo, pull.head_sha)
    assert run.conclusion == "failure"
    assert run.title is not None and "at or above high" in run.title
    assert any(a.title and a.title.startswith("FLOW301") for a in run.annotations)


def test_a_failed_attempt_keeps_its_run_open_for_the_retry_which_concludes_it(
    gh: GitHubEmulator, context: WorkerContext, pull: ExamplePullRequest
) -> None:
    gh.inject(ServerError(500), method="GET", path=r"/git/trees/", times=QUICK_RETRIES.attempts)
    review = target(pull)

    with pytest.raises(GitHubUnavailable, match=r"GET the tree .* 500"):
        run_review(context, review, Attempt(retrying=True, retry_in=15))

    [run] = gh.check_runs(pull.repo, pull.head_sha)
    assert (run.status, run.title) == ("in_progress", "Retrying after an error")
    assert run.summary is not None and "tries again in 15 s" in run.summary
    assert read_open_run(context.redis, review.job_id) is not None

    run_review(context, review, Attempt())

    [again] = gh.check_runs(pull.repo, pull.head_sha)
    assert again.id == run.id
    assert (again.status, again.conclusion) == ("completed", "failure")
    assert open_runs(context.redis) == []


def test_the_last_attempt_concludes_its_run_with_the_reason(
    gh: GitHubEmulator, context: WorkerContext, pull: ExamplePullRequest
) -> None:
    gh.inject(ServerError(502), method="GET", path=r"/git/trees/", times=QUICK_RETRIES.attempts)

    with pytest.raises(GitHubUnavailable):
        run_review(context, target(pull), Attempt(retrying=False))

    [run] = gh.check_runs(pull.repo, pull.head_sha)
    assert (run.status, run.conclusion, run.title) == (
        "completed",
        "failure",
        "Review could not finish",
    )
    assert run.summary is not None and "GET the tree" in run.summary and "502" in run.summary
    assert [a.identifier for a in run.actions] == ["rerun"]
    assert open_runs(context.redis) == []


def test_a_review_of_a_commit_that_is_no_longer_the_head_is_cancelled(
    gh: GitHubEmulator, context: WorkerContext, pull: ExamplePullRequest
) -> None:
    newer = gh.push(pull.repo, pull.branch, {"NOTES.md": "newer\n"})
    context.redis.hset(latest_head_key(pull.repo, pull.number), "sha", newer)

    outcome = run_review(context, target(pull), Attempt())

    assert outcome == f"cancelled: superseded by {newer[:12]}"
    [run] = gh.check_runs(pull.repo, pull.head_sha)
    assert (run.conclusion, run.title) == ("cancelled", "Superseded by a newer commit")
    assert gh.review_comments(pull.repo, pull.number) == []


def test_a_recorded_head_that_github_does_not_confirm_does_not_cancel(
    gh: GitHubEmulator, context: WorkerContext, pull: ExamplePullRequest
) -> None:
    # The web recorded an older head than the one this job reviews (deliveries crossed).
    context.redis.hset(latest_head_key(pull.repo, pull.number), "sha", "0" * 40)

    outcome = run_review(context, target(pull), Attempt())

    assert outcome.startswith("failure: ")
    [run] = gh.check_runs(pull.repo, pull.head_sha)
    assert run.conclusion == "failure"


def test_without_write_access_the_checklist_is_one_comment(
    gh: GitHubEmulator, context: WorkerContext
) -> None:
    repo, installation = example_repository(
        gh,
        "acme",
        permissions={
            "checks": "write",
            "contents": "read",
            "issues": "write",
            "pull_requests": "write",
            "metadata": "read",
        },
    )
    pull = open_example_pull_request(gh, repo, installation)

    run_review(context, target(pull), Attempt())
    run_review(context, target(pull), Attempt())

    assert gh.head_sha(repo, pull.number) == pull.head_sha
    [comment] = gh.issue_comments(repo, pull.number)
    assert comment.user == gh.bot_login
    assert comment.body.startswith(CHECKLIST_COMMENT_MARKER)
    runs = gh.check_runs(repo, pull.head_sha)
    assert [r.conclusion for r in runs] == ["failure", "failure"]


def test_the_sweep_concludes_the_runs_of_jobs_rq_gave_up_on(
    gh: GitHubEmulator, context: WorkerContext, pull: ExamplePullRequest
) -> None:
    gh.inject(ServerError(500), method="GET", path=r"/git/trees/", times=QUICK_RETRIES.attempts)
    review = target(pull)
    with pytest.raises(GitHubUnavailable):
        run_review(context, review, Attempt(retrying=True))
    job = Queue(QUEUE_NAME, connection=context.redis).enqueue(
        "github_app.jobs.review_pull_request", job_id=review.job_id
    )

    job.set_status(JobStatus.SCHEDULED)  # rq will run it again: left to the retry
    assert sweep_open_runs(context, owner="test").left_running == 1
    [run] = gh.check_runs(pull.repo, pull.head_sha)
    assert run.status == "in_progress"

    job.set_status(JobStatus.FAILED)  # rq gave up (the worker died on the last attempt)
    result = sweep_open_runs(context, owner="test")

    assert (result.concluded, result.left_running) == (1, 0)
    [run] = gh.check_runs(pull.repo, pull.head_sha)
    assert (run.status, run.conclusion) == ("completed", "failure")
    assert run.summary is not None and "could not finish" in run.summary
    assert open_runs(context.redis) == []
    assert Job.fetch(review.job_id, connection=context.redis).get_status() == JobStatus.FAILED


def test_explain_adds_the_reported_rules_documentation_once(
    gh: GitHubEmulator, context: WorkerContext, pull: ExamplePullRequest
) -> None:
    run_review(context, target(pull), Attempt())
    [run] = gh.check_runs(pull.repo, pull.head_sha, CHECK_NAME)
    explain = ExplainTarget(pull.installation_id, pull.repo, run.id, pull.head_sha, "d-2")

    run_explain(context, explain)
    run_explain(context, explain)

    explained = gh.check_run(run.id)
    assert explained.text is not None
    assert explained.text.count(EXPLANATIONS_MARKER) == 1
    assert "FLOW301" in explained.text and "### What it finds" in explained.text
    assert (explained.conclusion, explained.summary) == (run.conclusion, run.summary)
    assert len(explained.annotations) == len(run.annotations)


def test_an_invalid_config_concludes_the_run_with_the_reason_and_no_retry(
    gh: GitHubEmulator, context: WorkerContext
) -> None:
    repo, installation = example_repository(gh, "acme")
    gh.push(repo, "main", {".github/flow-review.yml": "fail_on: sometimes\n"})
    pull = open_example_pull_request(gh, repo, installation)

    outcome = run_review(context, target(pull), Attempt(retrying=True))

    [run] = gh.check_runs(repo, pull.head_sha)
    assert (run.status, run.conclusion, run.title) == (
        "completed",
        "failure",
        "Review could not finish",
    )
    assert run.summary is not None and ".github/flow-review.yml:1: fail_on" in run.summary
    assert outcome.startswith("failure: .github/flow-review.yml:1: fail_on")
    assert gh.review_comments(repo, pull.number) == []


def test_a_checklist_commit_whose_answer_was_lost_is_not_made_twice(
    gh: GitHubEmulator, context: WorkerContext, pull: ExamplePullRequest
) -> None:
    gh.inject(
        DropConnection(after_processing=True), method="PUT", path=r"/contents/\.tasks/", times=1
    )

    outcome = run_review(context, target(pull), Attempt())

    assert outcome.endswith("checklist commit made by an earlier request")
    [checklist, *_] = gh.commits(pull.repo, pull.branch)
    assert checklist.parents == (pull.head_sha,)
    [run] = gh.check_runs(pull.repo, pull.head_sha)
    assert run.conclusion == "failure"


def test_a_review_comment_whose_answer_was_lost_is_not_posted_twice(
    gh: GitHubEmulator, context: WorkerContext, pull: ExamplePullRequest
) -> None:
    # The first comment is made, and its answer lost: the retry must find it, not post again.
    gh.inject(
        DropConnection(after_processing=True),
        method="POST",
        path=r"/pulls/\d+/comments$",
        times=1,
    )

    run_review(context, target(pull), Attempt())

    comments = gh.review_comments(pull.repo, pull.number)
    bodies = [c.body for c in comments]
    assert len(comments) > 1 and len(bodies) == len(set(bodies))
    posts = gh.requests("POST", r"/pulls/\d+/comments$")
    assert posts[0].status is None  # the dropped one, which did take effect
    assert len(posts) == len(comments)


def test_the_apps_own_checklist_commit_does_not_supersede_the_review_of_its_parent(
    gh: GitHubEmulator, context: WorkerContext, pull: ExamplePullRequest
) -> None:
    run_review(context, target(pull), Attempt())
    checklist_commit = gh.head_sha(pull.repo, pull.number)
    assert checklist_commit != pull.head_sha
    # What the web records from that commit's `synchronize`; then the first commit is
    # reviewed again (a retry after a failure that followed the commit, or "Re-run").
    context.redis.hset(latest_head_key(pull.repo, pull.number), "sha", checklist_commit)
    again = replace(target(pull), job_id="review-again")

    outcome = run_review(context, again, Attempt())

    assert outcome.startswith("failure: ")
    assert "checklist unchanged" in outcome
    runs = gh.check_runs(pull.repo, pull.head_sha)
    assert [r.conclusion for r in runs] == ["failure", "failure"]
    assert gh.head_sha(pull.repo, pull.number) == checklist_commit


def test_blobs_whose_facts_are_cached_are_not_fetched_again(
    gh: GitHubEmulator, context: WorkerContext, pull: ExamplePullRequest
) -> None:
    run_review(context, target(pull), Attempt())
    first = len(gh.requests("GET", r"/git/blobs/"))
    # The same change in a second pull request of the repository: its files' facts are in
    # the repository's cache, whichever pull request put them there.
    second_pull = open_example_pull_request(
        gh, pull.repo, pull.installation_id, branch="matching-v2-again"
    )

    run_review(context, target(second_pull), Attempt())

    fetched_again = len(gh.requests("GET", r"/git/blobs/")) - first
    assert first >= 40
    assert fetched_again <= 5  # manifests (package.json, pyproject.toml, ...), read each time
