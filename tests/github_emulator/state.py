"""The emulated GitHub's state: users, repositories, pull requests, checks, comments, records.

Every record is a frozen dataclass kept in a dictionary and replaced whole when
it changes, so what a test reads is a snapshot nobody mutates under it. One
re-entrant lock guards all of it: the test thread sets state up and reads it
while the server's worker threads answer requests.

Repositories are real git repositories (see `git.py`); a pull request's head
sha is its head branch's tip, read from git, and every move of that branch is
also written to the base repository's `refs/pull/<n>/head`, as GitHub does.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from tests.github_emulator.auth import AppCredentials, InstallationToken, utcnow
from tests.github_emulator.diff import Diff
from tests.github_emulator.git import (
    FileContent,
    GitRepository,
    Signature,
    init_store,
)

Role = Literal["admin", "maintain", "write", "triage", "read"]
ROLES: tuple[Role, ...] = ("admin", "maintain", "write", "triage", "read")
# GitHub's `permission` field predates roles: maintain reads as write, triage as read.
ROLE_PERMISSION: Mapping[str, str] = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
}
ROLE_RANK: Mapping[str, int] = {"read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}

# What Flow Review asks for in app.yml; an installation grants these unless told otherwise.
DEFAULT_APP_PERMISSIONS: Mapping[str, str] = {
    "checks": "write",
    "contents": "write",
    "issues": "write",
    "metadata": "read",
    "pull_requests": "write",
}
DEFAULT_APP_EVENTS: tuple[str, ...] = (
    "check_run",
    "check_suite",
    "issue_comment",
    "pull_request",
)


class StateError(ValueError):
    """A test asked for state that cannot exist (unknown repository, branch, number...)."""


@dataclass(frozen=True)
class User:
    login: str
    id: int
    type: str  # "User", "Organization" or "Bot"


@dataclass(frozen=True)
class Repository:
    id: int
    owner: str
    name: str
    default_branch: str
    private: bool
    parent: str | None  # full name of the repository this one is a fork of
    store: Path  # the fork network's bare git repository
    namespace: str | None  # None for the network's root repository
    created_at: datetime

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class Installation:
    id: int
    account: str
    repository_selection: str  # "all" or "selected"
    repositories: frozenset[str]  # full names; ignored when the selection is "all"
    permissions: Mapping[str, str]
    events: tuple[str, ...]
    created_at: datetime

    def covers(self, repository: Repository) -> bool:
        if self.repository_selection == "all":
            return repository.owner.lower() == self.account.lower()
        return repository.full_name.lower() in {name.lower() for name in self.repositories}


@dataclass(frozen=True)
class PullRequest:
    repo: str
    number: int
    id: int
    issue_id: int  # the pull request seen as an issue has an id of its own
    title: str
    body: str | None
    author: str
    head_repo: str
    head_ref: str
    base_ref: str
    state: str  # "open" or "closed"
    draft: bool
    created_at: datetime
    updated_at: datetime
    head_shas: tuple[str, ...]  # every head the pull request had, oldest first

    @property
    def head_sha(self) -> str:
        return self.head_shas[-1]

    @property
    def from_fork(self) -> bool:
        return self.head_repo != self.repo


@dataclass(frozen=True)
class Annotation:
    path: str
    start_line: int
    end_line: int
    annotation_level: str
    message: str
    title: str | None = None
    raw_details: str | None = None
    start_column: int | None = None
    end_column: int | None = None


@dataclass(frozen=True)
class CheckRunAction:
    label: str
    description: str
    identifier: str


@dataclass(frozen=True)
class CheckSuite:
    id: int
    repo: str
    head_sha: str
    head_branch: str | None
    app_id: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CheckRun:
    id: int
    repo: str
    head_sha: str
    name: str
    status: str
    conclusion: str | None
    started_at: datetime | None
    completed_at: datetime | None
    title: str | None
    summary: str | None
    text: str | None
    annotations: tuple[Annotation, ...]
    details_url: str | None
    external_id: str | None
    actions: tuple[CheckRunAction, ...]
    check_suite_id: int
    app_id: int
    created_at: datetime


@dataclass(frozen=True)
class Review:
    id: int
    repo: str
    number: int
    user: str
    body: str
    state: str  # COMMENTED, APPROVED, CHANGES_REQUESTED, PENDING
    commit_id: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class ReviewComment:
    id: int
    repo: str
    number: int
    review_id: int
    user: str
    body: str
    path: str
    commit_id: str
    original_commit_id: str
    line: int | None
    side: str
    start_line: int | None
    start_side: str | None
    position: int | None
    diff_hunk: str
    subject_type: str  # "line" or "file"
    in_reply_to_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class IssueComment:
    id: int
    repo: str
    number: int
    user: str
    body: str
    created_at: datetime
    updated_at: datetime
    via_app: bool


@dataclass(frozen=True)
class Reaction:
    id: int
    comment_id: int
    user: str
    content: str
    created_at: datetime


@dataclass(frozen=True)
class RequestRecord:
    """One request the emulator answered (or dropped), in arrival order."""

    seq: int
    time: datetime
    method: str
    path: str
    query: str
    body: Any  # the JSON body, parsed; None when there was none or it was not JSON
    status: int | None  # None when the connection was dropped without an answer
    fault: str | None  # the injected fault's class name, if one hit this request
    request_id: str
    installation_id: int | None
    # Requests being answered when this one arrived, itself included: how a test sees that
    # a client sent requests at once, without measuring time.
    in_flight: int = 1


@dataclass(frozen=True)
class EmittedEvent:
    """A webhook GitHub would send because of a change made through the API or the test API."""

    event: str
    action: str
    repo: str
    number: int
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RateWindow:
    started: datetime
    used: int


class State:
    """Everything the emulated GitHub knows; every method takes the lock."""

    def __init__(self, root: Path, app: AppCredentials) -> None:
        self.root = root
        self.app = app
        self.lock = threading.RLock()
        self._ids = itertools.count(1001)
        self._seq = itertools.count(1)
        self.users: dict[str, User] = {}
        self.repositories: dict[str, Repository] = {}  # lower-cased full name -> repository
        self.installations: dict[int, Installation] = {}
        self.tokens: dict[str, InstallationToken] = {}
        self.roles: dict[tuple[str, str], Role] = {}  # (repo full name, login) -> role
        self.pulls: dict[tuple[str, int], PullRequest] = {}
        self.next_number: dict[str, int] = {}
        self.check_suites: dict[int, CheckSuite] = {}
        self.check_runs: dict[int, CheckRun] = {}
        self.reviews: dict[int, Review] = {}
        self.review_comments: dict[int, ReviewComment] = {}
        self.issue_comments: dict[int, IssueComment] = {}
        self.reactions: dict[int, Reaction] = {}
        self.records: list[RequestRecord] = []
        self.in_flight = 0  # requests arrived and not yet answered (or dropped)
        self.emitted: list[EmittedEvent] = []
        self.rate_windows: dict[str, RateWindow] = {}
        self.internal_errors: list[str] = []
        self.user(app.bot_login, kind="Bot")

    def new_id(self) -> int:
        with self.lock:
            return next(self._ids)

    def next_seq(self) -> int:
        with self.lock:
            return next(self._seq)

    def arrived(self) -> int:
        """Count a request in flight; the number in flight, this one included."""
        with self.lock:
            self.in_flight += 1
            return self.in_flight

    def answered(self) -> None:
        with self.lock:
            self.in_flight -= 1

    # users

    def user(self, login: str, *, kind: str = "User") -> User:
        """The user called `login`, created on first mention."""
        with self.lock:
            key = login.lower()
            if key not in self.users:
                self.users[key] = User(login=login, id=self.new_id(), type=kind)
            return self.users[key]

    def find_user(self, login: str) -> User | None:
        with self.lock:
            return self.users.get(login.lower())

    # repositories

    def repository(self, full_name: str) -> Repository:
        found = self.find_repository(full_name)
        if found is None:
            raise StateError(f"no repository {full_name!r}")
        return found

    def find_repository(self, full_name: str) -> Repository | None:
        with self.lock:
            return self.repositories.get(full_name.lower())

    def repository_by_id(self, repo_id: int) -> Repository | None:
        with self.lock:
            return next((r for r in self.repositories.values() if r.id == repo_id), None)

    def git(self, repository: Repository) -> GitRepository:
        return GitRepository(repository.store, repository.namespace)

    def create_repository(
        self,
        owner: str,
        name: str,
        files: Mapping[str, FileContent],
        *,
        default_branch: str,
        private: bool,
        owner_type: str,
    ) -> Repository:
        with self.lock:
            full_name = f"{owner}/{name}"
            if full_name.lower() in self.repositories:
                raise StateError(f"repository {full_name} exists already")
            account = self.user(owner, kind=owner_type)
            store = self.root / "git" / f"{account.id}-{name}.git"
            init_store(store, default_branch)
            repository = Repository(
                id=self.new_id(),
                owner=account.login,
                name=name,
                default_branch=default_branch,
                private=private,
                parent=None,
                store=store,
                namespace=None,
                created_at=utcnow(),
            )
            self.repositories[full_name.lower()] = repository
            self.git(repository).commit(
                default_branch,
                files,
                message="Initial commit",
                author=self.signature(account.login),
            )
            return repository

    def fork(self, parent_name: str, owner: str) -> Repository:
        """A fork of `parent_name` owned by `owner`, with all of the parent's branches."""
        with self.lock:
            parent = self.repository(parent_name)
            full_name = f"{owner}/{parent.name}"
            if existing := self.find_repository(full_name):
                if existing.parent != parent.full_name:
                    raise StateError(f"{full_name} exists and is not a fork of {parent_name}")
                return existing
            account = self.user(owner)
            fork_id = self.new_id()
            repository = Repository(
                id=fork_id,
                owner=account.login,
                name=parent.name,
                default_branch=parent.default_branch,
                private=parent.private,
                parent=parent.full_name,
                store=parent.store,
                namespace=str(fork_id),
                created_at=utcnow(),
            )
            self.repositories[full_name.lower()] = repository
            fork_git = self.git(repository)
            for branch, sha in self.git(parent).branches().items():
                fork_git.set_ref(fork_git.branch_ref(branch), sha)
            return repository

    def signature(self, login: str) -> Signature:
        account = self.user(login)
        return Signature(login, f"{account.id}+{login}@users.noreply.github.com", utcnow())

    def commit(
        self,
        repo_name: str,
        branch: str,
        files: Mapping[str, FileContent],
        *,
        message: str,
        author: Signature,
        committer: Signature | None = None,
        parent: str | None = None,
    ) -> str:
        """Commit on `branch` (created from `parent` or the default branch when new)."""
        with self.lock:
            repository = self.repository(repo_name)
            git = self.git(repository)
            before = git.branch_sha(branch)
            if parent is None:
                parent = before or git.branch_sha(repository.default_branch)
            after = git.commit(
                branch, files, message=message, author=author, committer=committer, parent=parent
            )
            self._branch_moved(repository, branch, after)
            return after

    def _branch_moved(self, repository: Repository, branch: str, after: str) -> None:
        for key, pull in list(self.pulls.items()):
            if pull.state != "open" or pull.head_ref != branch:
                continue
            if pull.head_repo.lower() != repository.full_name.lower():
                continue
            if pull.head_sha == after:
                continue
            before = pull.head_sha
            self.pulls[key] = replace(pull, head_shas=(*pull.head_shas, after), updated_at=utcnow())
            base = self.repository(pull.repo)
            base_git = self.git(base)
            base_git.set_ref(self.pull_ref(base, pull.number), after)
            self.emitted.append(
                EmittedEvent(
                    "pull_request",
                    "synchronize",
                    pull.repo,
                    pull.number,
                    {"before": before, "after": after},
                )
            )

    @staticmethod
    def pull_ref(base: Repository, number: int) -> str:
        prefix = f"refs/namespaces/{base.namespace}/" if base.namespace else ""
        return f"{prefix}refs/pull/{number}/head"

    # pull requests

    def open_pull_request(
        self,
        repo_name: str,
        *,
        head_repo: str,
        head_ref: str,
        base_ref: str,
        title: str,
        body: str | None,
        author: str,
        draft: bool,
    ) -> PullRequest:
        with self.lock:
            base = self.repository(repo_name)
            head = self.repository(head_repo)
            if head.store != base.store:
                raise StateError(f"{head.full_name} is not in the fork network of {base.full_name}")
            head_sha = self.git(head).branch_sha(head_ref)
            if head_sha is None:
                raise StateError(f"{head.full_name} has no branch {head_ref!r}")
            if self.git(base).branch_sha(base_ref) is None:
                raise StateError(f"{base.full_name} has no branch {base_ref!r}")
            number = self.next_number.get(base.full_name.lower(), 1)
            self.next_number[base.full_name.lower()] = number + 1
            self.user(author)
            now = utcnow()
            pull = PullRequest(
                repo=base.full_name,
                number=number,
                id=self.new_id(),
                issue_id=self.new_id(),
                title=title,
                body=body,
                author=author,
                head_repo=head.full_name,
                head_ref=head_ref,
                base_ref=base_ref,
                state="open",
                draft=draft,
                created_at=now,
                updated_at=now,
                head_shas=(head_sha,),
            )
            self.pulls[(base.full_name.lower(), number)] = pull
            self.git(base).set_ref(self.pull_ref(base, number), head_sha)
            self.emitted.append(EmittedEvent("pull_request", "opened", base.full_name, number))
            return pull

    def pull(self, repo_name: str, number: int) -> PullRequest:
        found = self.find_pull(repo_name, number)
        if found is None:
            raise StateError(f"{repo_name} has no pull request #{number}")
        return found

    def find_pull(self, repo_name: str, number: int) -> PullRequest | None:
        with self.lock:
            return self.pulls.get((repo_name.lower(), number))

    def update_pull(self, pull: PullRequest, **changes: Any) -> PullRequest:
        with self.lock:
            updated = replace(pull, updated_at=utcnow(), **changes)
            self.pulls[(pull.repo.lower(), pull.number)] = updated
            return updated

    def base_sha(self, pull: PullRequest) -> str:
        sha = self.git(self.repository(pull.repo)).branch_sha(pull.base_ref)
        if sha is None:
            raise StateError(f"{pull.repo} lost its branch {pull.base_ref!r}")
        return sha

    def pull_diff_range(self, pull: PullRequest, head: str | None = None) -> tuple[str, str]:
        """(merge base, head): the two commits `git diff base...head` compares."""
        git = self.git(self.repository(pull.repo))
        head = head or pull.head_sha
        merge_base = git.merge_base(self.base_sha(pull), head)
        if merge_base is None:
            raise StateError(f"{pull.repo}#{pull.number}: head and base share no history")
        return merge_base, head

    def pull_diff(self, pull: PullRequest, head: str | None = None) -> Diff:
        merge_base, head = self.pull_diff_range(pull, head)
        return self.git(self.repository(pull.repo)).diff(merge_base, head)

    # permissions and installations

    def set_role(self, repo_name: str, login: str, role: Role) -> None:
        if role not in ROLES:
            raise StateError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        with self.lock:
            repository = self.repository(repo_name)
            self.user(login)
            self.roles[(repository.full_name.lower(), login.lower())] = role

    def role_of(self, repository: Repository, login: str) -> str:
        """The user's role, as GitHub's permission endpoint reports it ("none" for nobody)."""
        with self.lock:
            if login.lower() == repository.owner.lower():
                return "admin"
            explicit = self.roles.get((repository.full_name.lower(), login.lower()))
            if explicit is not None:
                return explicit
            return "none" if repository.private else "read"

    def author_association(self, repository: Repository, login: str) -> str:
        with self.lock:
            if login.lower() == repository.owner.lower():
                return "OWNER"
            owner = self.find_user(repository.owner)
            if (repository.full_name.lower(), login.lower()) in self.roles:
                return (
                    "MEMBER"
                    if owner is not None and owner.type == "Organization"
                    else ("COLLABORATOR")
                )
            return "NONE"

    def install(
        self,
        account: str,
        repositories: Sequence[str] | Literal["all"],
        permissions: Mapping[str, str] | None,
        events: Sequence[str] | None,
    ) -> Installation:
        with self.lock:
            owner = self.user(account)
            if repositories == "all":
                selection, names = "all", frozenset[str]()
            else:
                full_names = []
                for name in repositories:
                    full = name if "/" in name else f"{owner.login}/{name}"
                    full_names.append(self.repository(full).full_name)
                selection, names = "selected", frozenset(full_names)
            installation = Installation(
                id=self.new_id(),
                account=owner.login,
                repository_selection=selection,
                repositories=names,
                permissions=dict(permissions or DEFAULT_APP_PERMISSIONS),
                events=tuple(events or DEFAULT_APP_EVENTS),
                created_at=utcnow(),
            )
            self.installations[installation.id] = installation
            return installation

    def installation_for(self, repository: Repository) -> Installation | None:
        with self.lock:
            return next((i for i in self.installations.values() if i.covers(repository)), None)

    def installation_repositories(self, installation: Installation) -> list[Repository]:
        with self.lock:
            return [r for r in self.repositories.values() if installation.covers(r)]

    # check suites and runs

    def check_suite_for(self, repo_name: str, head_sha: str, head_branch: str | None) -> CheckSuite:
        """The app's check suite for this commit, created on first use as GitHub does."""
        with self.lock:
            for suite in self.check_suites.values():
                if suite.repo.lower() == repo_name.lower() and suite.head_sha == head_sha:
                    return suite
            now = utcnow()
            suite = CheckSuite(
                id=self.new_id(),
                repo=self.repository(repo_name).full_name,
                head_sha=head_sha,
                head_branch=head_branch,
                app_id=self.app.app_id,
                created_at=now,
                updated_at=now,
            )
            self.check_suites[suite.id] = suite
            return suite

    def branch_of(self, repository: Repository, sha: str) -> str | None:
        """A branch whose tip is `sha`, the default branch first."""
        branches = self.git(repository).branches()
        if branches.get(repository.default_branch) == sha:
            return repository.default_branch
        return next((name for name, tip in sorted(branches.items()) if tip == sha), None)

    def pulls_with_head(self, repository: Repository, sha: str) -> list[PullRequest]:
        """Open pull requests of this repository whose head is `sha` and lives in it too.

        GitHub leaves a check run's `pull_requests` empty for heads in forks.
        """
        with self.lock:
            return [
                p
                for p in self.pulls.values()
                if p.repo.lower() == repository.full_name.lower()
                and p.head_repo.lower() == repository.full_name.lower()
                and p.state == "open"
                and p.head_sha == sha
            ]

    # records

    def record(self, record: RequestRecord) -> None:
        with self.lock:
            self.records.append(record)

    def count_request(self, key: str, now: datetime) -> RateWindow:
        """Count one request against the rate window of `key` (an installation, the app, an IP)."""
        with self.lock:
            window = self.rate_windows.get(key)
            if window is None or (now - window.started).total_seconds() >= 3600:
                window = RateWindow(started=now, used=0)
            window = replace(window, used=window.used + 1)
            self.rate_windows[key] = window
            return window
