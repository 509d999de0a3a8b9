"""Webhook routing: an explicit `(event, action)` table of small pure functions.

Each function turns one payload into an `Outcome`: jobs to queue (with primitive arguments
only), an installation change to record, a pong, or `Ignored` with the reason that the web
process logs. Nothing here does I/O; the web process does the queueing.

Only what the routing needs is read from a payload: each event has a typed shape
(`TypedDict`s validated by pydantic-core straight from the JSON bytes), so the rest of a 25 KB
pull request payload is checked as JSON but never turned into Python objects.

Choices worth knowing:

- Draft pull requests are reviewed like any other: GitHub sends `check_suite.requested` for
  every push whether or not the pull request is a draft, so skipping drafts on
  `pull_request` events alone would not skip them, and early feedback is the point.
  `ready_for_review` reviews again (it collapses into the queued job of the same head).
- `pull_request.edited` reviews only when the base branch changed: the diff is different.
- A `/flow-review` command is the first line of a pull request comment that starts with
  `/flow-review` (outside fenced code blocks); who may run it is the worker's check.
- Comments by bots, this app's own included, are ignored.
- `check_run` actions are acted on only for this app's own check runs; `check_suite`
  events are sent by GitHub only for the app's own suites.
- A pull request listed in a check run or suite is reviewed only if it belongs to the
  repository of the event (a branch can be the head of a pull request in another one).
- Payloads without `installation` (not delivered to an app installation) are ignored.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final, NotRequired, TypeAlias

from pydantic import StringConstraints, TypeAdapter, ValidationError

# pydantic needs typing_extensions' TypedDict before Python 3.12.
from typing_extensions import TypedDict

from github_app.command_line import COMMAND, find_command_line

# GitHub's own limits: owners are letters, digits and hyphens; names add dots and underscores.
Repository: TypeAlias = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$")
]
# SHA-1 object names, or SHA-256 ones for repositories that use them.
CommitSha: TypeAlias = Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{40}|[0-9a-f]{64})$")]

_MAX_COMMAND_LENGTH: Final = 200


# --- What the routing reads from each event (everything else is skipped) --------------------


class _Installation(TypedDict):
    id: int


class _Repository(TypedDict):
    id: int
    full_name: Repository


class _Head(TypedDict):
    sha: CommitSha


class _PullRequest(TypedDict):
    head: _Head
    updated_at: str


class PullRequestEvent(TypedDict):
    action: str
    number: int
    pull_request: _PullRequest
    repository: _Repository
    changes: NotRequired[dict[str, object]]
    installation: NotRequired[_Installation]


class _User(TypedDict):
    login: str
    type: str


class _Issue(TypedDict):
    number: int
    pull_request: NotRequired[object]


class _Comment(TypedDict):
    id: int
    body: str | None
    user: _User


class IssueCommentEvent(TypedDict):
    action: str
    issue: _Issue
    comment: _Comment
    sender: _User
    repository: _Repository
    installation: NotRequired[_Installation]


class _App(TypedDict):
    id: int


class _RepoRef(TypedDict):
    id: int


class _BaseRef(TypedDict):
    repo: _RepoRef


class _LinkedPullRequest(TypedDict):
    number: int
    base: _BaseRef


class _CheckRun(TypedDict):
    id: int
    head_sha: CommitSha
    app: _App | None
    pull_requests: list[_LinkedPullRequest]


class _RequestedAction(TypedDict):
    identifier: str


class CheckRunEvent(TypedDict):
    action: str
    check_run: _CheckRun
    requested_action: NotRequired[_RequestedAction | None]
    repository: _Repository
    installation: NotRequired[_Installation]


class _CheckSuite(TypedDict):
    id: int
    head_sha: CommitSha
    pull_requests: list[_LinkedPullRequest]


class CheckSuiteEvent(TypedDict):
    action: str
    check_suite: _CheckSuite
    repository: _Repository
    installation: NotRequired[_Installation]


class PingEvent(TypedDict):
    zen: NotRequired[str]
    hook_id: NotRequired[int]


class _Account(TypedDict, total=False):
    login: str
    slug: str
    type: str


class _InstallationDetails(TypedDict):
    id: int
    account: NotRequired[_Account | None]
    repository_selection: NotRequired[str]


class _RepositoryName(TypedDict):
    full_name: str


class InstallationEvent(TypedDict):
    action: str
    installation: _InstallationDetails
    repositories: NotRequired[list[_RepositoryName] | None]


class InstallationRepositoriesEvent(TypedDict):
    action: str
    installation: _InstallationDetails
    repository_selection: NotRequired[str]
    repositories_added: list[_RepositoryName]
    repositories_removed: list[_RepositoryName]


class OtherEvent(TypedDict):
    """Any event this app does not use: checked as a JSON object, its action read for logs."""

    action: NotRequired[object]


_SHAPES: Final[Mapping[str, type]] = {
    "pull_request": PullRequestEvent,
    "issue_comment": IssueCommentEvent,
    "check_run": CheckRunEvent,
    "check_suite": CheckSuiteEvent,
    "ping": PingEvent,
    "installation": InstallationEvent,
    "installation_repositories": InstallationRepositoriesEvent,
}


# --- Outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewJob:
    """Review one pull request at one head commit.

    `head_updated_at` is set by `pull_request` events only: they say which head is the pull
    request's latest (the time orders deliveries that arrive out of order), so a review of
    an older head can be superseded.
    """

    installation_id: int
    repository: str
    number: int
    head_sha: str
    trigger: str
    head_updated_at: str | None = None


@dataclass(frozen=True)
class CommandJob:
    """Run a `/flow-review` command from a pull request comment."""

    installation_id: int
    repository: str
    number: int
    comment_id: int
    author: str
    command: str


@dataclass(frozen=True)
class ExplainJob:
    """Explain a check run's findings (its "Explain" button)."""

    installation_id: int
    repository: str
    check_run_id: int
    head_sha: str


@dataclass(frozen=True)
class RerunJob:
    """Review the open pull requests whose head is `head_sha`, which the worker asks GitHub
    for: the check runs and suites of a head in a fork link no pull request, so their
    "Re-run" names none. `rerun_of` says what was re-run (`check_run-<id>`,
    `check_suite-<id>`)."""

    installation_id: int
    repository: str
    head_sha: str
    rerun_of: str
    trigger: str


JobRequest: TypeAlias = ReviewJob | CommandJob | ExplainJob | RerunJob


@dataclass(frozen=True)
class Enqueue:
    jobs: tuple[JobRequest, ...]


@dataclass(frozen=True)
class Ignored:
    reason: str


@dataclass(frozen=True)
class Pong:
    hook_id: int | None


@dataclass(frozen=True)
class InstallationChange:
    """What an `installation` or `installation_repositories` event says about one installation.

    `repositories`, when set, replaces the recorded list; `added` and `removed` edit it.
    """

    installation_id: int
    action: str
    account: str
    repository_selection: str | None = None
    repositories: tuple[str, ...] | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    suspended: bool | None = None
    deleted: bool = False


Outcome: TypeAlias = Enqueue | Ignored | Pong | InstallationChange


@dataclass(frozen=True)
class RouteContext:
    """What routing knows about the app itself."""

    app_id: int


class PayloadError(ValueError):
    """The body is not JSON, or lacks what the event must carry; the message is one line."""


# --- Parsing --------------------------------------------------------------------------------


@functools.cache
def _adapter(shape: type) -> TypeAdapter[Any]:
    return TypeAdapter(shape)


def prepare_shapes() -> None:
    """Build every validator now (at process start) rather than on a first delivery."""
    for shape in (*_SHAPES.values(), OtherEvent):
        _adapter(shape)


def parse_payload(event: str, body: bytes) -> Mapping[str, Any]:
    """The parts of the payload that routing `event` needs, validated; `PayloadError` if not."""
    try:
        shape = _adapter(_SHAPES.get(event, OtherEvent))
        payload: Mapping[str, Any] = shape.validate_json(body, strict=True)
    except ValidationError as exc:
        raise PayloadError(_one_line(exc)) from None
    return payload


def _one_line(exc: ValidationError) -> str:
    first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
    if first["type"] == "json_invalid":
        return f"malformed JSON: {first['msg'].removeprefix('Invalid JSON: ')}"
    where = ".".join(str(part) for part in first["loc"]) or "payload"
    return f"{where}: {first['msg']}"


def event_action(payload: Mapping[str, Any]) -> str | None:
    action = payload.get("action")
    return action if isinstance(action, str) else None


def route(event: str, payload: Mapping[str, Any], context: RouteContext) -> Outcome:
    """Look `(event, action)` up in `ROUTES`; anything not there is ignored with its reason."""
    action = event_action(payload)
    handler = ROUTES.get((event, action))
    if handler is not None:
        return handler(payload, context)
    if event not in _SHAPES:
        return Ignored(f"event not handled: {event}")
    return Ignored(f"event not handled: {event}.{action}")


# --- Handlers -------------------------------------------------------------------------------

_NO_INSTALLATION: Final = Ignored("no installation in the payload (not sent to an app)")


def review_pull_request(payload: PullRequestEvent, context: RouteContext) -> Outcome:
    """opened, reopened, synchronize, ready_for_review: review the head commit."""
    if "installation" not in payload:
        return _NO_INSTALLATION
    pull_request = payload["pull_request"]
    return Enqueue(
        (
            ReviewJob(
                installation_id=payload["installation"]["id"],
                repository=payload["repository"]["full_name"],
                number=payload["number"],
                head_sha=pull_request["head"]["sha"],
                trigger=f"pull_request.{payload['action']}",
                head_updated_at=pull_request["updated_at"],
            ),
        )
    )


def review_retargeted_pull_request(payload: PullRequestEvent, context: RouteContext) -> Outcome:
    """edited: review again only when the base branch changed (title and body edits don't)."""
    if "base" not in payload.get("changes", {}):
        return Ignored("pull request edited, base branch unchanged")
    return review_pull_request(payload, context)


def run_comment_command(payload: IssueCommentEvent, context: RouteContext) -> Outcome:
    """created: a `/flow-review` line in a pull request comment queues the command."""
    if "installation" not in payload:
        return _NO_INSTALLATION
    if "pull_request" not in payload["issue"]:
        return Ignored("comment on an issue, not a pull request")
    if payload["sender"]["type"] == "Bot" or payload["comment"]["user"]["type"] == "Bot":
        return Ignored(f"comment by a bot ({payload['sender']['login']})")
    command = find_command(payload["comment"]["body"] or "")
    if command is None:
        return Ignored(f"no {COMMAND} command in the comment")
    return Enqueue(
        (
            CommandJob(
                installation_id=payload["installation"]["id"],
                repository=payload["repository"]["full_name"],
                number=payload["issue"]["number"],
                comment_id=payload["comment"]["id"],
                author=payload["comment"]["user"]["login"],
                command=command,
            ),
        )
    )


def find_command(body: str) -> str | None:
    """The first line that is a `/flow-review` command, outside fenced code blocks."""
    line = find_command_line(body)
    return None if line is None else line[:_MAX_COMMAND_LENGTH]


def rerun_check_run(payload: CheckRunEvent, context: RouteContext) -> Outcome:
    """rerequested ("Re-run" in GitHub's UI): review the check run's head again."""
    refusal = _foreign_check_run(payload, context)
    if refusal is not None:
        return refusal
    check_run = payload["check_run"]
    trigger = f"check_run.{payload['action']}"
    if not check_run["pull_requests"]:
        # GitHub links no pull request to a check run of a head in a fork.
        return _rerun(payload, check_run["head_sha"], f"check_run-{check_run['id']}", trigger)
    return _reviews(
        payload,
        check_run["head_sha"],
        check_run["pull_requests"],
        trigger=trigger,
        none_reason="check run linked to no pull request of this repository",
    )


def check_run_action(payload: CheckRunEvent, context: RouteContext) -> Outcome:
    """requested_action: this app's buttons, "rerun" (review again) and "explain"."""
    refusal = _foreign_check_run(payload, context)
    if refusal is not None:
        return refusal
    requested = payload.get("requested_action")
    identifier = requested["identifier"] if requested else ""
    if identifier == "rerun":
        return rerun_check_run(payload, context)
    if identifier == "explain":
        check_run = payload["check_run"]
        return Enqueue(
            (
                ExplainJob(
                    installation_id=payload["installation"]["id"],
                    repository=payload["repository"]["full_name"],
                    check_run_id=check_run["id"],
                    head_sha=check_run["head_sha"],
                ),
            )
        )
    return Ignored(f"unknown requested action {identifier[:40]!r}")


def _foreign_check_run(payload: CheckRunEvent, context: RouteContext) -> Ignored | None:
    if "installation" not in payload:
        return _NO_INSTALLATION
    app = payload["check_run"]["app"]
    if app is None or app["id"] != context.app_id:
        owner = "no app" if app is None else f"app {app['id']}"
        return Ignored(f"check run of another app ({owner})")
    return None


def review_check_suite(payload: CheckSuiteEvent, context: RouteContext) -> Outcome:
    """requested (a push), rerequested ("Re-run all checks"): review each listed pull request."""
    if "installation" not in payload:
        return _NO_INSTALLATION
    suite = payload["check_suite"]
    trigger = f"check_suite.{payload['action']}"
    if payload["action"] == "rerequested" and not suite["pull_requests"]:
        # "Re-run all checks" on a fork's head, which GitHub links to no pull request. (A
        # push's `requested` names none for a branch with no pull request: nothing to do.)
        return _rerun(payload, suite["head_sha"], f"check_suite-{suite['id']}", trigger)
    return _reviews(
        payload,
        suite["head_sha"],
        suite["pull_requests"],
        trigger=trigger,
        none_reason="check suite lists no pull request of this repository",
    )


def _rerun(
    payload: CheckRunEvent | CheckSuiteEvent, head_sha: str, rerun_of: str, trigger: str
) -> Enqueue:
    """A re-run that names no pull request: the worker asks which open ones have the head."""
    return Enqueue(
        (
            RerunJob(
                installation_id=payload["installation"]["id"],
                repository=payload["repository"]["full_name"],
                head_sha=head_sha,
                rerun_of=rerun_of,
                trigger=trigger,
            ),
        )
    )


def _reviews(
    payload: CheckRunEvent | CheckSuiteEvent,
    head_sha: str,
    linked: list[_LinkedPullRequest],
    *,
    trigger: str,
    none_reason: str,
) -> Outcome:
    repository = payload["repository"]
    numbers = sorted(
        {pr["number"] for pr in linked if pr["base"]["repo"]["id"] == repository["id"]}
    )
    if not numbers:
        return Ignored(none_reason)
    return Enqueue(
        tuple(
            ReviewJob(
                installation_id=payload["installation"]["id"],
                repository=repository["full_name"],
                number=number,
                head_sha=head_sha,
                trigger=trigger,
            )
            for number in numbers
        )
    )


def pong(payload: PingEvent, context: RouteContext) -> Outcome:
    """ping: GitHub checks the webhook when it is created."""
    return Pong(hook_id=payload.get("hook_id"))


def record_installation(payload: InstallationEvent, context: RouteContext) -> Outcome:
    """created, deleted, suspend, unsuspend, new_permissions_accepted: recorded, nothing queued."""
    action = payload["action"]
    installation = payload["installation"]
    listed = payload.get("repositories")
    return InstallationChange(
        installation_id=installation["id"],
        action=action,
        account=_account_name(installation),
        repository_selection=installation.get("repository_selection"),
        repositories=None if listed is None else tuple(r["full_name"] for r in listed),
        suspended={"suspend": True, "unsuspend": False}.get(action),
        deleted=action == "deleted",
    )


def record_installation_repositories(
    payload: InstallationRepositoriesEvent, context: RouteContext
) -> Outcome:
    """added, removed: the installation's repositories changed; recorded, nothing queued."""
    installation = payload["installation"]
    return InstallationChange(
        installation_id=installation["id"],
        action=payload["action"],
        account=_account_name(installation),
        repository_selection=payload.get(
            "repository_selection", installation.get("repository_selection")
        ),
        added=tuple(r["full_name"] for r in payload["repositories_added"]),
        removed=tuple(r["full_name"] for r in payload["repositories_removed"]),
    )


def _account_name(installation: _InstallationDetails) -> str:
    account = installation.get("account") or {}
    return account.get("login") or account.get("slug") or ""


Handler: TypeAlias = Callable[[Any, RouteContext], Outcome]

ROUTES: Final[Mapping[tuple[str, str | None], Handler]] = {
    ("pull_request", "opened"): review_pull_request,
    ("pull_request", "reopened"): review_pull_request,
    ("pull_request", "synchronize"): review_pull_request,
    ("pull_request", "ready_for_review"): review_pull_request,
    ("pull_request", "edited"): review_retargeted_pull_request,
    ("issue_comment", "created"): run_comment_command,
    ("check_run", "rerequested"): rerun_check_run,
    ("check_run", "requested_action"): check_run_action,
    ("check_suite", "requested"): review_check_suite,
    ("check_suite", "rerequested"): review_check_suite,
    ("ping", None): pong,
    ("installation", "created"): record_installation,
    ("installation", "deleted"): record_installation,
    ("installation", "suspend"): record_installation,
    ("installation", "unsuspend"): record_installation,
    ("installation", "new_permissions_accepted"): record_installation,
    ("installation_repositories", "added"): record_installation_repositories,
    ("installation_repositories", "removed"): record_installation_repositories,
}
"""The routing table: `(X-GitHub-Event, payload action)` to its handler."""
