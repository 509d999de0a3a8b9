"""The routing table on GitHub's real example payloads: pure functions, no server."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from github_app.events import (
    ROUTES,
    CommandJob,
    Enqueue,
    ExplainJob,
    Ignored,
    InstallationChange,
    Outcome,
    PayloadError,
    Pong,
    RerunJob,
    ReviewJob,
    RouteContext,
    find_command,
    parse_payload,
    route,
)
from tests.github_app.servers import APP_ID, Example, example, examples

CONTEXT = RouteContext(app_id=APP_ID)
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"


def routed(event: str, payload: dict[str, Any], context: RouteContext = CONTEXT) -> Outcome:
    return route(event, parse_payload(event, json.dumps(payload).encode()), context)


def summary(outcome: Outcome) -> str:
    if isinstance(outcome, Ignored):
        return f"ignored: {outcome.reason}"
    if isinstance(outcome, Enqueue):
        return f"{len(outcome.jobs)} job(s)"
    return type(outcome).__name__


def test_routing_table_covers_the_events_of_the_app() -> None:
    assert set(ROUTES) == {
        ("pull_request", "opened"),
        ("pull_request", "reopened"),
        ("pull_request", "synchronize"),
        ("pull_request", "ready_for_review"),
        ("pull_request", "edited"),
        ("issue_comment", "created"),
        ("check_run", "rerequested"),
        ("check_run", "requested_action"),
        ("check_suite", "requested"),
        ("check_suite", "rerequested"),
        ("ping", None),
        ("installation", "created"),
        ("installation", "deleted"),
        ("installation", "suspend"),
        ("installation", "unsuspend"),
        ("installation", "new_permissions_accepted"),
        ("installation_repositories", "added"),
        ("installation_repositories", "removed"),
    }


@pytest.mark.parametrize("case", examples(), ids=lambda case: case.name)
def test_every_example_is_handled_or_ignored_with_a_reason(case: Example) -> None:
    outcome = routed(case.event, case.payload)
    assert isinstance(outcome, Enqueue | Ignored | Pong | InstallationChange)
    if isinstance(outcome, Ignored):
        assert outcome.reason.strip()


def test_what_each_example_becomes() -> None:
    outcomes = Counter(
        (case.event, summary(routed(case.event, case.payload))) for case in examples()
    )
    no_installation = "ignored: no installation in the payload (not sent to an app)"
    assert outcomes == {
        # Re-runs of check runs GitHub linked to no pull request (a fork's head): the worker
        # asks which pull requests have that head.
        ("check_run", "1 job(s)"): 2,
        ("check_run", "ignored: check run of another app (app 25811)"): 1,
        ("check_run", "ignored: event not handled: check_run.completed"): 3,
        ("check_run", "ignored: event not handled: check_run.created"): 3,
        ("check_suite", "1 job(s)"): 2,
        ("check_suite", "ignored: check suite lists no pull request of this repository"): 3,
        ("check_suite", "ignored: event not handled: check_suite.completed"): 4,
        ("installation", "InstallationChange"): 7,
        ("installation_repositories", "InstallationChange"): 3,
        ("issue_comment", "ignored: comment on an issue, not a pull request"): 1,
        ("issue_comment", "ignored: event not handled: issue_comment.deleted"): 2,
        ("issue_comment", "ignored: event not handled: issue_comment.edited"): 2,
        ("issue_comment", no_installation): 4,
        ("ping", "Pong"): 4,
        ("pull_request", "1 job(s)"): 7,
        ("pull_request", "ignored: event not handled: pull_request.assigned"): 2,
        ("pull_request", "ignored: event not handled: pull_request.closed"): 2,
        ("pull_request", "ignored: event not handled: pull_request.converted_to_draft"): 3,
        ("pull_request", "ignored: event not handled: pull_request.labeled"): 2,
        ("pull_request", "ignored: event not handled: pull_request.locked"): 2,
        ("pull_request", "ignored: event not handled: pull_request.review_request_removed"): 1,
        ("pull_request", "ignored: event not handled: pull_request.review_requested"): 1,
        ("pull_request", "ignored: event not handled: pull_request.unassigned"): 2,
        ("pull_request", "ignored: event not handled: pull_request.unlabeled"): 2,
        ("pull_request", "ignored: event not handled: pull_request.unlocked"): 2,
        ("pull_request", no_installation): 3,
        ("pull_request_review", "ignored: event not handled: pull_request_review"): 4,
        (
            "pull_request_review_comment",
            "ignored: event not handled: pull_request_review_comment",
        ): 5,
        ("push", "ignored: event not handled: push"): 7,
    }


@pytest.mark.parametrize("action", ["opened", "reopened", "synchronize", "ready_for_review"])
def test_pull_request_reviews_its_head(action: str) -> None:
    payload = example("pull_request", action)
    assert routed("pull_request", payload) == Enqueue(
        (
            ReviewJob(
                installation_id=1,
                repository="Codertocat/Hello-World",
                number=2,
                head_sha=HEAD,
                trigger=f"pull_request.{action}",
                head_updated_at=payload["pull_request"]["updated_at"],
            ),
        )
    )


def test_draft_pull_requests_are_reviewed() -> None:
    payload = example("pull_request", "opened")
    payload["pull_request"]["draft"] = True
    outcome = routed("pull_request", payload)
    assert isinstance(outcome, Enqueue) and len(outcome.jobs) == 1


def test_edited_reviews_only_when_the_base_branch_changed() -> None:
    payload = example("pull_request", "opened")
    payload["action"] = "edited"
    payload["changes"] = {"title": {"from": "Old title"}}
    assert routed("pull_request", payload) == Ignored("pull request edited, base branch unchanged")
    payload["changes"] = {"base": {"ref": {"from": "develop"}, "sha": {"from": "0" * 40}}}
    outcome = routed("pull_request", payload)
    assert isinstance(outcome, Enqueue)
    assert outcome.jobs[0] == ReviewJob(
        1, "Codertocat/Hello-World", 2, HEAD, "pull_request.edited", "2019-05-15T15:20:33Z"
    )


def pull_request_comment(body: str, *, sender_type: str = "User") -> dict[str, Any]:
    """The real `issue_comment.created` example, made a comment on a pull request."""
    payload = example("issue_comment", "created")
    payload["issue"]["pull_request"] = {
        "url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/1"
    }
    payload["comment"]["body"] = body
    payload["sender"]["type"] = sender_type
    payload["comment"]["user"]["type"] = sender_type
    return payload


def test_command_in_a_pull_request_comment() -> None:
    payload = pull_request_comment("Thanks!\r\n\r\n  /flow-review explain FLOW101  \r\nBye")
    assert routed("issue_comment", payload) == Enqueue(
        (
            CommandJob(
                installation_id=1,
                repository="Codertocat/Hello-World",
                number=payload["issue"]["number"],
                comment_id=payload["comment"]["id"],
                author="Codertocat",
                command="/flow-review explain FLOW101",
            ),
        )
    )


def test_comment_without_command_or_by_a_bot_is_ignored() -> None:
    assert routed("issue_comment", pull_request_comment("LGTM")) == Ignored(
        "no /flow-review command in the comment"
    )
    by_bot = pull_request_comment("/flow-review", sender_type="Bot")
    assert routed("issue_comment", by_bot) == Ignored("comment by a bot (Codertocat)")


def test_command_on_an_issue_is_ignored() -> None:
    payload = pull_request_comment("/flow-review")
    del payload["issue"]["pull_request"]
    assert routed("issue_comment", payload) == Ignored("comment on an issue, not a pull request")


@pytest.mark.parametrize(
    ("body", "command"),
    [
        ("/flow-review", "/flow-review"),
        ("/flow-review help", "/flow-review help"),
        ("please\n/flow-review\n", "/flow-review"),
        ("\t/flow-review   explain FLOW101\t", "/flow-review   explain FLOW101"),
        ("/flow-reviewer", None),
        ("run /flow-review please", None),
        ("> /flow-review", None),
        ("```\n/flow-review\n```", None),
        ("```\n/flow-review\n```\n/flow-review help", "/flow-review help"),
        ("", None),
    ],
)
def test_find_command(body: str, command: str | None) -> None:
    assert find_command(body) == command


def own_check_run(action: str, identifier: str | None = None) -> dict[str, Any]:
    """The real `check_run.requested_action` example, made this app's check run."""
    payload = example("check_run", "requested_action")
    payload["action"] = action
    payload["check_run"]["app"]["id"] = APP_ID
    if identifier is not None:
        payload["requested_action"] = {"identifier": identifier}
    return payload


def test_rerun_button_and_rerequest_review_the_check_runs_head() -> None:
    head = "5bd5f196a46b8222fb7484f05faba41a73cf34bd"
    for payload, trigger in [
        (own_check_run("requested_action", "rerun"), "check_run.requested_action"),
        (own_check_run("rerequested"), "check_run.rerequested"),
    ]:
        assert routed("check_run", payload) == Enqueue(
            (ReviewJob(690857, "electron/electron", 26764, head, trigger),)
        )


def test_rerun_of_a_fork_heads_check_run_asks_the_worker_for_its_pull_requests() -> None:
    # GitHub links no pull request to a check run of a head in a fork.
    payload = own_check_run("rerequested")
    payload["check_run"]["pull_requests"] = []
    assert routed("check_run", payload) == Enqueue(
        (
            RerunJob(
                installation_id=690857,
                repository="electron/electron",
                head_sha="5bd5f196a46b8222fb7484f05faba41a73cf34bd",
                rerun_of="check_run-1494503112",
                trigger="check_run.rerequested",
            ),
        )
    )
    # Linked to pull requests of other repositories only: nothing of ours to review.
    elsewhere = own_check_run("rerequested")
    elsewhere["check_run"]["pull_requests"][0]["base"]["repo"]["id"] = 1
    assert routed("check_run", elsewhere) == Ignored(
        "check run linked to no pull request of this repository"
    )


def test_explain_button() -> None:
    payload = own_check_run("requested_action", "explain")
    assert routed("check_run", payload) == Enqueue(
        (
            ExplainJob(
                installation_id=690857,
                repository="electron/electron",
                check_run_id=1494503112,
                head_sha="5bd5f196a46b8222fb7484f05faba41a73cf34bd",
            ),
        )
    )


def test_check_runs_of_other_apps_and_unknown_buttons_are_ignored() -> None:
    assert routed("check_run", own_check_run("requested_action", "lgtm")) == Ignored(
        "unknown requested action 'lgtm'"
    )
    other = routed("check_run", own_check_run("rerequested"), RouteContext(app_id=99))
    assert other == Ignored(f"check run of another app (app {APP_ID})")


def test_check_suite_reviews_each_pull_request_of_its_repository() -> None:
    payload = example("check_suite", "rerequested")
    linked = payload["check_suite"]["pull_requests"][0]
    elsewhere = json.loads(json.dumps(linked))
    elsewhere["number"], elsewhere["base"]["repo"]["id"] = 7, 1
    another = json.loads(json.dumps(linked))
    another["number"] = 3
    payload["check_suite"]["pull_requests"] = [another, linked, elsewhere]
    assert routed("check_suite", payload) == Enqueue(
        tuple(
            ReviewJob(957387, "Codertocat/Hello-World", number, HEAD, "check_suite.rerequested")
            for number in (2, 3)
        )
    )


def test_rerun_all_checks_of_a_fork_head_asks_the_worker_and_a_push_does_not() -> None:
    payload = example("check_suite", "rerequested")
    payload["check_suite"]["pull_requests"] = []
    assert routed("check_suite", payload) == Enqueue(
        (
            RerunJob(
                installation_id=957387,
                repository="Codertocat/Hello-World",
                head_sha=HEAD,
                rerun_of="check_suite-118578147",
                trigger="check_suite.rerequested",
            ),
        )
    )
    payload["action"] = "requested"  # a push to a branch with no pull request
    assert routed("check_suite", payload) == Ignored(
        "check suite lists no pull request of this repository"
    )


def test_installation_events_are_recorded_changes() -> None:
    created = routed("installation", example("installation", "created", installed=True))
    assert created == InstallationChange(
        installation_id=957387,
        action="created",
        account="Codertocat",
        repository_selection="selected",
        repositories=("Codertocat/Hello-World",),
    )
    suspended = routed("installation", example("installation", "suspend"))
    assert isinstance(suspended, InstallationChange)
    assert suspended.suspended is True and suspended.repositories is None
    removed = routed("installation_repositories", example("installation_repositories", "removed"))
    assert removed == InstallationChange(
        installation_id=2,
        action="removed",
        account="octocat",
        repository_selection="selected",
        removed=("octocat/Hello-World",),
    )


def test_ping_answers_pong() -> None:
    assert routed("ping", examples("ping")[0].payload) == Pong(hook_id=109948940)


@pytest.mark.parametrize(
    ("event", "body", "message"),
    [
        ("pull_request", b"{", "malformed JSON: EOF while parsing an object at line 1 column 1"),
        ("push", b"not json", "malformed JSON: expected ident at line 1 column 2"),
        ("pull_request", b"[]", "payload: Input should be an object"),
        ("pull_request", b'{"action": "opened"}', "number: Field required"),
    ],
)
def test_payload_errors_are_one_line(event: str, body: bytes, message: str) -> None:
    with pytest.raises(PayloadError) as raised:
        parse_payload(event, body)
    assert str(raised.value) == message


def test_payload_with_an_impossible_sha_or_repository_is_refused() -> None:
    payload = example("pull_request", "opened")
    payload["pull_request"]["head"]["sha"] = "../../etc"
    with pytest.raises(PayloadError, match=r"^pull_request\.head\.sha: String should match"):
        parse_payload("pull_request", json.dumps(payload).encode())
    payload = example("pull_request", "opened")
    payload["repository"]["full_name"] = "a/b/c"
    with pytest.raises(PayloadError, match=r"^repository\.full_name: String should match"):
        parse_payload("pull_request", json.dumps(payload).encode())
