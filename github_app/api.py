"""Typed helpers for the GitHub calls the worker makes, each one retried (`call_with_retries`).

`RepositoryApi` wraps githubkit for one repository of one installation. Each method is one
API call (or one paginated listing) and returns a frozen record or the plain mappings the
pure builders (`comments`, `taskfile`, `diffmap`) read; failures are raised as
`github.GitHubError`s. Enter the client (`with api:`) to reuse one connection for a whole
job.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar, cast
from urllib.parse import quote

from githubkit import AppInstallationAuthStrategy, GitHub
from githubkit.utils import UNSET
from githubkit_schemas.latest.models import (
    CheckAnnotation,
    DiffEntry,
    IssueComment,
    PullRequestReviewComment,
    PullRequestSimple,
)

from github_app.github import GitHubError, GitHubRefused, RetryPolicy, call_with_retries

T = TypeVar("T")

DIFF_MEDIA_TYPE = "application/vnd.github.diff"
RAW_MEDIA_TYPE = "application/vnd.github.raw"
PER_PAGE = 100


@dataclass(frozen=True)
class PullRequestInfo:
    number: int
    title: str
    state: str
    head_sha: str
    head_ref: str
    head_repo: str | None  # None when the fork was deleted
    base_sha: str
    base_ref: str
    base_repo: str

    @property
    def from_fork(self) -> bool:
        return self.head_repo is None or self.head_repo.lower() != self.base_repo.lower()


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    parents: tuple[str, ...]
    message: str
    author_login: str | None  # the GitHub account of its author, when GitHub knows it


@dataclass(frozen=True)
class CheckRunInfo:
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    title: str | None = None
    summary: str | None = None
    text: str | None = None
    app_id: int | None = None

    @property
    def completed(self) -> bool:
        return self.status == "completed"


@dataclass(frozen=True)
class RepoFile:
    path: str
    sha: str  # the blob sha, needed to replace the file
    data: bytes


@dataclass(frozen=True)
class TreeItem:
    path: str
    mode: str
    type: str  # blob, tree or commit (a submodule)
    sha: str
    size: int | None


@dataclass(frozen=True)
class TreeListing:
    items: tuple[TreeItem, ...]
    truncated: bool


class RepositoryApi:
    """The calls of one job on one repository (`owner/name`) of one installation."""

    def __init__(
        self,
        github: GitHub[AppInstallationAuthStrategy],
        repository: str,
        retry: RetryPolicy,
    ) -> None:
        self.github = github
        self.repository = repository
        self.owner, _, self.name = repository.partition("/")
        self._retry = retry

    def __enter__(self) -> RepositoryApi:
        self.github.__enter__()  # type: ignore[no-untyped-call]  # githubkit leaves it untyped
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.github.__exit__(exc_type, exc, tb)

    def _call(self, what: str, call: Callable[[], T]) -> T:
        return call_with_retries(f"{what} ({self.repository})", call, self._retry)

    # the app and people

    def app_slug(self) -> str:
        """The app's slug (its bot is `<slug>[bot]`); asked with the app's JWT."""
        app = self._call("GET the app", self.github.rest.apps.get_authenticated)
        slug = app.parsed_data.slug if app.parsed_data is not None else None
        if not isinstance(slug, str) or not slug:
            raise GitHubError("GET the app: the answer has no slug")
        return slug

    def permission(self, user: str) -> str:
        """The user's role on the repository (admin, maintain, write, triage, read, a custom
        role's name) or, without one, GitHub's older permission word; "none" if not a user."""
        api = self.github.rest.repos

        def ask() -> str:
            answer = api.get_collaborator_permission_level(self.owner, self.name, user)
            data = answer.parsed_data
            role = data.role_name if isinstance(data.role_name, str) else ""
            return role or data.permission

        return self._call(f"GET the permission of {user}", ask)

    # pull requests and their diff

    def pull_request(self, number: int) -> PullRequestInfo:
        answer = self._call(
            f"GET pull request #{number}",
            lambda: self.github.rest.pulls.get(self.owner, self.name, number),
        )
        pull = answer.parsed_data
        head_repo = pull.head.repo.full_name if pull.head.repo is not None else None
        return PullRequestInfo(
            number=pull.number,
            title=pull.title,
            state=pull.state,
            head_sha=pull.head.sha,
            head_ref=pull.head.ref,
            head_repo=head_repo,
            base_sha=pull.base.sha,
            base_ref=pull.base.ref,
            base_repo=pull.base.repo.full_name,
        )

    def open_pull_requests_with_head(self, sha: str) -> list[int]:
        """The numbers of the repository's open pull requests whose head commit is `sha`,
        forks' included (a check run of a fork's head names none)."""
        pulls = self.github.rest.pulls

        def listing() -> list[int]:
            found: Iterable[PullRequestSimple] = self.github.rest.paginate(
                pulls.list, owner=self.owner, repo=self.name, state="open", per_page=PER_PAGE
            )
            return sorted(pull.number for pull in found if pull.head.sha == sha)

        return self._call(f"GET the open pull requests with head {sha[:12]}", listing)

    def diff(self, number: int) -> str:
        """The pull request's unified diff; `GitHubRefused` with status 406 when GitHub finds
        it too large to send."""
        answer = self._call(
            f"GET the diff of pull request #{number}",
            lambda: self.github.rest.pulls.get(
                self.owner, self.name, number, headers={"Accept": DIFF_MEDIA_TYPE}
            ),
        )
        return answer.raw_response.text

    def pull_files(self, number: int) -> list[dict[str, object]]:
        """The pull request's files as GitHub lists them (for `diffmap.diff_from_files`)."""
        pulls = self.github.rest.pulls

        def listing() -> list[dict[str, object]]:
            files: Iterable[DiffEntry] = self.github.rest.paginate(
                pulls.list_files,
                owner=self.owner,
                repo=self.name,
                pull_number=number,
                per_page=PER_PAGE,
            )
            return [
                {
                    "filename": entry.filename,
                    "status": entry.status,
                    "previous_filename": _present(entry.previous_filename),
                    "patch": _present(entry.patch),
                    "changes": entry.changes,
                }
                for entry in files
            ]

        return self._call(f"GET the files of pull request #{number}", listing)

    # git data

    def merge_base(self, base: str, head: str) -> str:
        """The merge base of commits `base` and `head`: where GitHub's diff of a pull request
        (`base...head`) starts. Asked as a comparison with one commit per page: the commits
        of the comparison are not needed (its files come with the first page regardless)."""
        answer = self._call(
            f"GET the comparison {base[:12]}...{head[:12]}",
            lambda: self.github.rest.repos.compare_commits(
                self.owner, self.name, f"{base}...{head}", per_page=1
            ),
        )
        return answer.parsed_data.merge_base_commit.sha

    def commit(self, sha: str) -> CommitInfo:
        answer = self._call(
            f"GET the commit {sha[:12]}",
            lambda: self.github.rest.repos.get_commit(self.owner, self.name, sha),
        )
        commit = answer.parsed_data
        author = getattr(commit.author, "login", None)
        return CommitInfo(
            sha=commit.sha,
            parents=tuple(parent.sha for parent in commit.parents),
            message=commit.commit.message,
            author_login=author if isinstance(author, str) else None,
        )

    def tree(self, sha: str, *, recursive: bool) -> TreeListing:
        """A tree (or a commit's tree) as git trees API lists it."""

        def get() -> TreeListing:
            answer = self.github.rest.git.get_tree(
                self.owner, self.name, sha, recursive="1" if recursive else UNSET
            )
            tree = answer.parsed_data
            return TreeListing(
                items=tuple(
                    TreeItem(
                        path=item.path,
                        mode=item.mode,
                        type=item.type,
                        sha=item.sha,
                        size=_present(item.size),
                    )
                    for item in tree.tree
                ),
                truncated=tree.truncated,
            )

        return self._call(f"GET the tree {sha[:12]}", get)

    def blob(self, sha: str) -> bytes:
        answer = self._call(
            f"GET the blob {sha[:12]}",
            lambda: self.github.request(
                "GET",
                f"/repos/{self.owner}/{self.name}/git/blobs/{sha}",
                headers={"Accept": RAW_MEDIA_TYPE},
            ),
        )
        return answer.raw_response.content

    def file(self, path: str, ref: str) -> RepoFile | None:
        """The file at `path` on `ref` (branch or sha); None when there is no file there."""

        def get() -> object:
            answer = self.github.request(
                "GET",
                f"/repos/{self.owner}/{self.name}/contents/{quote(path, safe='/')}",
                params={"ref": ref},
            )
            return answer.raw_response.json()

        try:
            content = self._call(f"GET {path} at {ref[:40]}", get)
        except GitHubRefused as exc:
            if exc.status == 404:
                return None
            raise
        found = _repo_file(path, content)
        if found is None or found.data or not isinstance(content, dict):
            return found
        if content.get("encoding") == "none":  # over 1 MB: the contents API leaves it out
            return RepoFile(path=path, sha=found.sha, data=self.blob(found.sha))
        return found

    def put_file(
        self, path: str, *, branch: str, data: bytes, sha: str | None, message: str
    ) -> str:
        """Create or replace `path` on `branch` in one commit; returns the commit's sha.
        `sha` is the blob being replaced (None to create): GitHub answers 409 if it moved."""
        body: dict[str, Any] = {
            "message": message,
            "content": base64.b64encode(data).decode("ascii"),
            "branch": branch,
        }
        if sha is not None:
            body["sha"] = sha
        answer = self._call(
            f"PUT {path} on {branch}",
            lambda: self.github.rest.repos.create_or_update_file_contents(
                self.owner, self.name, path, data=cast(Any, body)
            ),
        )
        commit_sha = answer.parsed_data.commit.sha
        if not isinstance(commit_sha, str):
            raise GitHubError(f"PUT {path} on {branch}: the answer names no commit")
        return commit_sha

    # check runs

    def check_runs(self, head_sha: str, name: str, app_id: int) -> list[CheckRunInfo]:
        """This app's check runs called `name` on `head_sha`, newest first (all of them,
        not only the latest)."""

        def listing() -> list[CheckRunInfo]:
            answer = self.github.rest.checks.list_for_ref(
                self.owner,
                self.name,
                head_sha,
                check_name=name,
                app_id=app_id,
                filter_="all",
                per_page=PER_PAGE,
            )
            return [_check_run(run) for run in answer.parsed_data.check_runs]

        return self._call(f"GET the check runs of {head_sha[:12]}", listing)

    def check_run(self, check_run_id: int) -> CheckRunInfo:
        answer = self._call(
            f"GET check run {check_run_id}",
            lambda: self.github.rest.checks.get(self.owner, self.name, check_run_id),
        )
        return _check_run(answer.parsed_data)

    def create_check_run(self, body: Mapping[str, object]) -> CheckRunInfo:
        answer = self._call(
            "POST a check run",
            lambda: self.github.rest.checks.create(self.owner, self.name, data=cast(Any, body)),
        )
        return _check_run(answer.parsed_data)

    def open_check_run(
        self, head_sha: str, name: str, app_id: int, external_id: str, body: Mapping[str, object]
    ) -> tuple[CheckRunInfo, bool]:
        """This app's unfinished run `name` on `head_sha` whose `external_id` is the given one
        (a run an earlier attempt of the same job left open), else a new one made of `body`;
        and whether it is new. Listing first inside each attempt makes the creation safe to
        retry: a POST whose answer was lost, but which took effect, is found, not repeated."""
        checks = self.github.rest.checks

        def find_or_create() -> tuple[CheckRunInfo, bool]:
            listed = checks.list_for_ref(
                self.owner,
                self.name,
                head_sha,
                check_name=name,
                app_id=app_id,
                filter_="all",
                per_page=PER_PAGE,
            ).parsed_data.check_runs
            for run in listed:
                if run.external_id == external_id and run.status != "completed":
                    return _check_run(run), False
            created = checks.create(self.owner, self.name, data=cast(Any, body)).parsed_data
            return _check_run(created), True

        return self._call(f"open check run {name} on {head_sha[:12]}", find_or_create)

    def update_check_run(self, check_run_id: int, body: Mapping[str, object]) -> CheckRunInfo:
        answer = self._call(
            f"PATCH check run {check_run_id}",
            lambda: self.github.rest.checks.update(
                self.owner, self.name, check_run_id, data=cast(Any, body)
            ),
        )
        return _check_run(answer.parsed_data)

    def annotation_titles(self, check_run_id: int) -> list[str]:
        checks = self.github.rest.checks

        def listing() -> list[str]:
            annotations: Iterable[CheckAnnotation] = self.github.rest.paginate(
                checks.list_annotations,
                owner=self.owner,
                repo=self.name,
                check_run_id=check_run_id,
                per_page=PER_PAGE,
            )
            return [a.title for a in annotations if isinstance(a.title, str)]

        return self._call(f"GET the annotations of check run {check_run_id}", listing)

    # review comments

    def review_comments(self, number: int) -> list[dict[str, object]]:
        """The pull request's review comments as `comments.plan_review_comments` reads them."""
        pulls = self.github.rest.pulls

        def listing() -> list[dict[str, object]]:
            found: Iterable[PullRequestReviewComment] = self.github.rest.paginate(
                pulls.list_review_comments,
                owner=self.owner,
                repo=self.name,
                pull_number=number,
                per_page=PER_PAGE,
            )
            return [
                {"id": c.id, "body": c.body, "user": _user(c.user), "path": c.path} for c in found
            ]

        return self._call(f"GET the review comments of #{number}", listing)

    def create_review_comment(
        self, number: int, commit_id: str, fields: Mapping[str, object]
    ) -> int:
        body = {**fields, "commit_id": commit_id}

        def create() -> int:
            answer = self.github.rest.pulls.create_review_comment(
                self.owner, self.name, number, data=cast(Any, body)
            )
            return answer.parsed_data.id

        def made_already() -> int | None:
            # A comment's body carries its finding's fingerprint and content hash: one with
            # this body on this file, which the plan did not see, is the lost answer's.
            for comment in self.review_comments(number):
                if comment.get("body") == fields.get("body") and comment.get("path") == fields.get(
                    "path"
                ):
                    found = comment.get("id")
                    return found if isinstance(found, int) else None
            return None

        return call_with_retries(
            f"POST a review comment on #{number} ({self.repository})",
            create,
            self._retry,
            took_effect=made_already,
        )

    def update_review_comment(self, comment_id: int, body: str) -> None:
        self._call(
            f"PATCH review comment {comment_id}",
            lambda: self.github.rest.pulls.update_review_comment(
                self.owner, self.name, comment_id, body=body
            ),
        )

    # issue comments and reactions

    def issue_comments(self, number: int) -> list[dict[str, object]]:
        """The pull request's conversation comments (`id`, `body`, `user`)."""
        issues = self.github.rest.issues

        def listing() -> list[dict[str, object]]:
            found: Iterable[IssueComment] = self.github.rest.paginate(
                issues.list_comments,
                owner=self.owner,
                repo=self.name,
                issue_number=number,
                per_page=PER_PAGE,
            )
            return [{"id": c.id, "body": _present(c.body), "user": _user(c.user)} for c in found]

        return self._call(f"GET the comments of #{number}", listing)

    def create_issue_comment(self, number: int, body: str) -> int:
        answer = self._call(
            f"POST a comment on #{number}",
            lambda: self.github.rest.issues.create_comment(
                self.owner, self.name, number, body=body
            ),
        )
        return answer.parsed_data.id

    def update_issue_comment(self, comment_id: int, body: str) -> None:
        self._call(
            f"PATCH comment {comment_id}",
            lambda: self.github.rest.issues.update_comment(
                self.owner, self.name, comment_id, body=body
            ),
        )

    def react(self, comment_id: int, content: str) -> None:
        """Add a reaction to a conversation comment (GitHub keeps one per user and kind)."""
        self._call(
            f"POST a reaction to comment {comment_id}",
            lambda: self.github.rest.reactions.create_for_issue_comment(
                self.owner, self.name, comment_id, content=cast(Any, content)
            ),
        )


def _present(value: T | object) -> T | None:
    """githubkit's UNSET (a field the answer left out) as None."""
    return None if value is UNSET else cast(T, value)


def _user(user: object) -> dict[str, object] | None:
    if user is None or user is UNSET:
        return None
    login = getattr(user, "login", None)
    kind = getattr(user, "type", None)
    return {"login": login, "type": kind}


def _check_run(run: Any) -> CheckRunInfo:
    output = run.output
    app = run.app
    return CheckRunInfo(
        id=run.id,
        name=run.name,
        head_sha=run.head_sha,
        status=run.status,
        conclusion=_present(run.conclusion),
        title=_present(output.title),
        summary=_present(output.summary),
        text=_present(output.text),
        app_id=app.id if app is not None and app is not UNSET else None,
    )


def _repo_file(path: str, content: object) -> RepoFile | None:
    """The file of a contents answer; None for a folder, symlink or submodule."""
    if not isinstance(content, dict) or content.get("type") != "file":
        return None
    encoded = content.get("content") or ""
    sha = content.get("sha")
    if not isinstance(encoded, str) or not isinstance(sha, str):
        return None
    return RepoFile(path=path, sha=sha, data=base64.b64decode(encoded))
