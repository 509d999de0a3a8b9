"""The GitHub App end to end: signed webhooks into the real web process under uvicorn, jobs
in a real Redis, two real `flow-review worker` processes, and the emulated GitHub holding the
example repository (`examples/marketplace`: its change plants critical findings).

One stack serves the module; each test has its own account and repository in it, so the
tests do not see each other's check runs, comments or commits.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import redis

from github_app.checkrun import CHECK_NAME
from github_app.commands import QUEUED_REACTION
from github_app.taskfile import CHECKLIST_COMMENT_MARKER
from tests.github_app.servers import web_server
from tests.github_app.stack import (
    ExamplePullRequest,
    Stack,
    example_repository,
    open_example_pull_request,
    wait_for,
)
from tests.github_app.workers import FAST_RECOVERY, worker_environment, worker_process
from tests.github_emulator import (
    DropConnection,
    EmittedEvent,
    GitHubEmulator,
    SecondaryRateLimit,
    ServerError,
    Slow,
)

E2E_FACTORY = "tests.github_app.e2e_app:create_e2e_app"
TASK_FILE = ".tasks/in-review/flow-review-pr-{number}.md"
_accounts = itertools.count(1)


@pytest.fixture(scope="module")
def stack(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("e2e")
    with redis.Redis.from_url(redis_server) as client:
        client.flushall()
    with GitHubEmulator(workdir) as gh:
        environ = worker_environment(redis_server, gh.app_id, gh.private_key_pem, gh.url)
        with (
            web_server(
                redis_server, workdir, factory=E2E_FACTORY, extra_env={"APP_ID": str(gh.app_id)}
            ) as web,
            worker_process(environ, workdir, "e2e-one", *FAST_RECOVERY),
            worker_process(environ, workdir, "e2e-two", *FAST_RECOVERY),
        ):
            yield Stack(gh, redis_server, web)


@pytest.fixture
def gh(stack: Stack) -> Iterator[GitHubEmulator]:
    yield stack.gh
    stack.gh.clear_faults()


@pytest.fixture
def account() -> str:
    return f"org{next(_accounts)}"


def opened(stack: Stack, pull: ExamplePullRequest) -> None:
    stack.deliver(stack.gh.payload("pull_request", "opened", pull.repo, pull.number))


def synchronizes(gh: GitHubEmulator, repo: str) -> list[EmittedEvent]:
    return [e for e in gh.emitted("pull_request") if e.repo == repo and e.action == "synchronize"]


def test_a_pull_request_gets_a_failing_check_run_comments_and_its_checklist_commit(
    stack: Stack, gh: GitHubEmulator, account: str
) -> None:
    repo, installation = example_repository(gh, account)
    pull = open_example_pull_request(gh, repo, installation)

    opened(stack, pull)
    stack.settle()

    [run] = stack.runs(repo, pull.head_sha)
    assert (run.status, run.conclusion) == ("completed", "failure")
    assert run.title is not None and "at or above critical" in run.title
    assert run.summary is not None and run.summary.startswith("**This check fails**")
    assert run.external_id and run.external_id.startswith("review-")
    assert [a.identifier for a in run.actions] == ["rerun", "explain"]
    assert run.annotations, "findings on changed lines are annotated"
    assert {a.annotation_level for a in run.annotations} <= {"failure", "warning", "notice"}
    assert any(a.annotation_level == "failure" for a in run.annotations)
    fingerprints = stack.fingerprints(repo, pull.number)
    assert fingerprints and len(set(fingerprints)) == len(fingerprints)
    comments = gh.review_comments(repo, pull.number)
    assert all(c.commit_id == pull.head_sha for c in comments)
    assert any("```suggestion" in c.body for c in comments), "a mechanical fix is suggested"
    # The checklist: one commit by the app on the pull request's branch.
    [checklist_commit, *_] = gh.commits(repo, pull.branch)
    assert checklist_commit.message == f"Flow Review checklist for #{pull.number}"
    assert checklist_commit.parents == (pull.head_sha,)
    task_file = gh.file(repo, TASK_FILE.format(number=pull.number), pull.branch)
    assert task_file is not None and "- [ ]" in task_file
    assert gh.issue_comments(repo, pull.number) == []

    # The commit's own `synchronize` ends in a review that changes nothing and commits nothing.
    [synchronize] = synchronizes(gh, repo)
    new_head = gh.head_sha(repo, pull.number)
    assert new_head == checklist_commit.sha
    stack.deliver(gh.payload_for(synchronize))
    stack.settle()

    [second] = stack.runs(repo, new_head)
    assert (second.status, second.conclusion) == ("completed", "failure")
    assert len(second.annotations) == len(run.annotations)
    assert stack.fingerprints(repo, pull.number) == fingerprints
    assert gh.head_sha(repo, pull.number) == new_head
    assert [e.action for e in gh.emitted("pull_request") if e.repo == repo] == [
        "opened",
        "synchronize",
    ]


def test_the_same_delivery_ten_times_gives_one_review(
    stack: Stack, gh: GitHubEmulator, account: str
) -> None:
    repo, installation = example_repository(gh, account)
    pull = open_example_pull_request(gh, repo, installation)
    payload = gh.payload("pull_request", "opened", pull.repo, pull.number)

    answers = [stack.deliver(payload, delivery="the-one-delivery").json() for _ in range(10)]
    stack.settle()

    assert answers[0]["status"] == "accepted"
    assert all(a["status"].startswith("duplicate") for a in answers[1:])
    assert len(stack.runs(repo, pull.head_sha)) == 1
    fingerprints = stack.fingerprints(repo, pull.number)
    assert fingerprints and len(set(fingerprints)) == len(fingerprints)
    checklist_commits = [
        c for c in gh.commits(repo, pull.branch) if c.message.startswith("Flow Review checklist")
    ]
    assert len(checklist_commits) == 1


def test_a_push_supersedes_the_review_of_the_older_commit(
    stack: Stack, gh: GitHubEmulator, account: str
) -> None:
    repo, installation = example_repository(gh, account)
    pull = open_example_pull_request(gh, repo, installation)
    # The review of the first commit is held on its first look at the pull request.
    gh.inject(Slow(6.0), method="GET", path=rf"^/repos/{repo}/pulls/{pull.number}$", times=1)

    opened(stack, pull)
    wait_for(lambda: stack.runs(repo, pull.head_sha), "the first review's check run", 60)
    newer = gh.push(repo, pull.branch, {"NOTES.md": "a second commit\n"}, message="More")
    [synchronize] = synchronizes(gh, repo)
    stack.deliver(gh.payload_for(synchronize))
    stack.settle()

    [older_run] = stack.runs(repo, pull.head_sha)
    assert (older_run.status, older_run.conclusion) == ("completed", "cancelled")
    assert older_run.title == "Superseded by a newer commit"
    [newer_run] = stack.runs(repo, newer)
    assert (newer_run.status, newer_run.conclusion) == ("completed", "failure")
    comments = gh.review_comments(repo, pull.number)
    assert comments and {c.commit_id for c in comments} == {newer}


def test_flow_review_commands_are_refused_to_readers_and_run_for_maintainers(
    stack: Stack, gh: GitHubEmulator, account: str
) -> None:
    repo, installation = example_repository(gh, account)
    pull = open_example_pull_request(gh, repo, installation)
    opened(stack, pull)
    stack.settle()
    head = gh.head_sha(repo, pull.number)  # the checklist commit, not reviewed yet
    fingerprints = stack.fingerprints(repo, pull.number)
    gh.set_permission(repo, "rita", "read")
    gh.set_permission(repo, "maya", "maintain")

    stack.deliver(
        gh.payload(
            "issue_comment", "created", repo, pull.number, body="/flow-review", commenter="rita"
        )
    )
    stack.settle()
    [refusal] = [c for c in gh.issue_comments(repo, pull.number) if c.user == gh.bot_login]
    assert refusal.body.startswith("@rita only people with write, maintain or admin permission")
    assert "`read`" in refusal.body
    assert stack.runs(repo, head) == []

    for _ in range(2):  # a review, then a second one of the same, unchanged head
        command = gh.payload(
            "issue_comment", "created", repo, pull.number, body="/flow-review", commenter="maya"
        )
        stack.deliver(command)
        stack.settle()
        reactions = gh.reactions(command["comment"]["id"])
        assert [(r.user, r.content) for r in reactions] == [(gh.bot_login, QUEUED_REACTION)]

    runs = stack.runs(repo, head)
    assert [(r.status, r.conclusion) for r in runs] == [("completed", "failure")] * 2
    assert stack.fingerprints(repo, pull.number) == fingerprints, "no duplicate comment"
    assert gh.head_sha(repo, pull.number) == head, "no commit"
    assert len([c for c in gh.issue_comments(repo, pull.number) if c.user == gh.bot_login]) == 1

    stack.deliver(
        gh.payload(
            "issue_comment",
            "created",
            repo,
            pull.number,
            body="/flow-review explain FLOW101",
            commenter="rita",
        )
    )
    stack.settle()
    answer = gh.issue_comments(repo, pull.number)[-1]
    assert answer.user == gh.bot_login and "FLOW101" in answer.body


def test_a_pull_request_from_a_fork_gets_the_checklist_as_a_comment(
    stack: Stack, gh: GitHubEmulator, account: str
) -> None:
    repo, installation = example_repository(gh, account)
    pull = open_example_pull_request(gh, repo, installation, from_fork=True, author="forker")
    gh.set_permission(repo, "maya", "write")
    opened(stack, pull)
    stack.settle()
    # Reviewed again by a maintainer's command (the "Re-run" button: the next test).
    stack.deliver(
        gh.payload(
            "issue_comment", "created", repo, pull.number, body="/flow-review", commenter="maya"
        )
    )
    stack.settle()

    runs = stack.runs(repo, pull.head_sha)
    assert [(r.status, r.conclusion) for r in runs] == [("completed", "failure")] * 2
    [checklist] = [c for c in gh.issue_comments(repo, pull.number) if c.user == gh.bot_login]
    assert checklist.body.startswith(CHECKLIST_COMMENT_MARKER)
    assert "- [ ]" in checklist.body
    assert gh.head_sha(repo, pull.number) == pull.head_sha, "nothing committed to the fork"
    fingerprints = stack.fingerprints(repo, pull.number)
    assert fingerprints and len(set(fingerprints)) == len(fingerprints)


def test_rerun_on_a_fork_heads_check_run_reviews_its_pull_request_again(
    stack: Stack, gh: GitHubEmulator, account: str
) -> None:
    repo, installation = example_repository(gh, account)
    forker = f"{account}-forker"  # the emulator is shared: one fork of one repository each
    pull = open_example_pull_request(gh, repo, installation, from_fork=True, author=forker)
    opened(stack, pull)
    stack.settle()
    rerun = gh.payload("check_run", "rerequested", repo, pull.number, sender="maya")
    assert rerun["check_run"]["pull_requests"] == []  # as GitHub sends it for a fork's head

    stack.deliver(rerun)
    stack.settle()
    # "Re-run all checks": the check suite names no pull request either.
    suite = gh.payload("check_suite", "rerequested", repo, head_sha=pull.head_sha)
    assert suite["check_suite"]["pull_requests"] == []
    stack.deliver(suite)
    stack.settle()

    runs = stack.runs(repo, pull.head_sha)
    assert [(r.status, r.conclusion) for r in runs] == [("completed", "failure")] * 3
    fingerprints = stack.fingerprints(repo, pull.number)
    assert fingerprints and len(set(fingerprints)) == len(fingerprints), "no duplicate comment"


def test_with_a_fifth_of_githubs_answers_failing_every_pull_request_gets_one_check_run(
    stack: Stack, gh: GitHubEmulator, account: str
) -> None:
    repo, installation = example_repository(gh, account)
    pulls = [
        open_example_pull_request(
            gh, repo, installation, branch=f"change-{n}", extra={f"NOTE-{n}.md": f"{n}\n"}
        )
        for n in range(3)
    ]
    # Each kind on a fifteenth of the requests: one in five fails, token requests included.
    gh.inject(ServerError(502), probability=1 / 15)
    gh.inject(SecondaryRateLimit(retry_after=1), probability=1 / 14)
    gh.inject(DropConnection(), probability=1 / 13)

    for pull in pulls:
        opened(stack, pull)
    stack.settle()
    gh.clear_faults()

    faults = [r for r in gh.requests() if r.fault is not None]
    assert len(faults) >= 10, "the faults were injected"
    for pull in pulls:
        [run] = stack.runs(repo, pull.head_sha)
        assert (run.name, run.status, run.conclusion) == (CHECK_NAME, "completed", "failure")
        fingerprints = stack.fingerprints(repo, pull.number)
        assert fingerprints and len(set(fingerprints)) == len(fingerprints)
