"""Publishing a review on the pull request: inline review comments and the `.tasks/` checklist.

The decisions are the pure builders' (`comments.plan_review_comments`,
`taskfile.merged_task_file`, `taskfile.checklist_comment_body`); this module makes the
calls they ask for, and turns GitHub's refusals into outcomes:

- a review comment GitHub refuses with 422 (its line is not in the diff after all) is
  counted, and its finding stays in the check run, which lists every finding;
- the task file is committed through the contents API only when its merged text differs;
  a 409 or 422 (the file changed since it was read) means either that a retried PUT had
  already taken effect (the file holds the new text: done) or that the branch moved on
  (left to the newer commit's review); a 403 or 404 (the app may not write to the branch)
  falls back to the checklist comment, as a pull request from a fork does.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analyzers.config import Config
from analyzers.facts import ChangedFile, ChangeStatus, Review
from checklist import ChecklistError
from github_app.api import PullRequestInfo, RepositoryApi
from github_app.comments import plan_review_comments
from github_app.diffmap import CommentableLines
from github_app.github import GitHubRefused
from github_app.taskfile import (
    checklist_comment_body,
    is_checklist_comment,
    merged_task_file,
    task_file_path,
)

NO_WRITE_ACCESS = frozenset({403, 404})
CHECKLIST_COMMIT_MESSAGE = "Flow Review checklist for #{number}"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommentsPublished:
    created: int = 0
    updated: int = 0
    kept: int = 0
    refused: int = 0  # GitHub answered 422: the line is not part of the diff
    outside_diff: int = 0  # never tried: the plan found no line of the diff for them
    left_out: int = 0  # beyond the per-run cap


def publish_review_comments(
    api: RepositoryApi,
    number: int,
    head_sha: str,
    review: Review,
    commentable: CommentableLines,
    bot_login: str,
) -> CommentsPublished:
    existing = api.review_comments(number)
    plan = plan_review_comments(review.findings, commentable, existing, bot_login=bot_login)
    created = refused = 0
    for comment in plan.create:
        try:
            api.create_review_comment(number, head_sha, comment.to_api())
        except GitHubRefused as exc:
            if exc.status != 422:
                raise
            log.warning("review comment on %s:%s refused: %s", comment.path, comment.line, exc)
            refused += 1
        else:
            created += 1
    for update in plan.update:
        api.update_review_comment(update.comment_id, update.body)
    return CommentsPublished(
        created=created,
        updated=len(plan.update),
        kept=len(plan.keep),
        refused=refused,
        outside_diff=len(plan.outside_diff),
        left_out=len(plan.left_out),
    )


# --- the checklist ------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFileCommit:
    """Commit `text` to `path` on `branch` (replacing blob `sha`, or creating the file)."""

    path: str
    branch: str
    text: str
    sha: str | None


@dataclass(frozen=True)
class ChecklistComment:
    """Post or edit the checklist comment instead (a fork, or no write access)."""

    reason: str


@dataclass(frozen=True)
class Unchanged:
    path: str


@dataclass(frozen=True)
class NotUpdated:
    """The task file cannot be merged (a person broke its markers): left as it is."""

    path: str
    reason: str


ChecklistPlan = TaskFileCommit | ChecklistComment | Unchanged | NotUpdated


def plan_checklist(
    api: RepositoryApi,
    config: Config,
    pull: PullRequestInfo,
    review: Review,
    changes: Sequence[ChangedFile],
) -> ChecklistPlan:
    """Where the checklist goes and whether anything must be written; reads the task file
    on the pull request's branch. `changes` are all the pull request's changes (the app's
    own task file included)."""
    if pull.from_fork:
        return ChecklistComment("the pull request comes from a fork")
    changed = [c.path for c in changes if c.status is not ChangeStatus.DELETED]
    path = task_file_path(config, pull.number, changed)
    existing = api.file(path, pull.head_ref)
    try:
        text = existing.data.decode("utf-8") if existing is not None else None
    except UnicodeDecodeError:
        return NotUpdated(path, "it is not UTF-8 text")
    try:
        merged = merged_task_file(text, review, pull.number, pull.title)
    except ChecklistError as exc:
        return NotUpdated(path, str(exc))
    if merged is None:
        return Unchanged(path)
    return TaskFileCommit(
        path, pull.head_ref, merged, existing.sha if existing is not None else None
    )


@dataclass(frozen=True)
class ChecklistPublished:
    where: str  # "commit", "comment", "unchanged", "not updated", "skipped"
    detail: str = ""  # the commit's sha, the comment's id, or why


def commit_task_file(
    api: RepositoryApi, plan: TaskFileCommit, number: int
) -> ChecklistPublished | ChecklistComment:
    """One commit of the task file; the comment fallback when the app may not write."""
    try:
        sha = api.put_file(
            plan.path,
            branch=plan.branch,
            data=plan.text.encode("utf-8"),
            sha=plan.sha,
            message=CHECKLIST_COMMIT_MESSAGE.format(number=number),
        )
    except GitHubRefused as exc:
        if exc.status in NO_WRITE_ACCESS:
            return ChecklistComment(f"the app may not write to the branch ({exc.status})")
        if exc.status not in (409, 422):
            raise
        # The file is not what it was when read: an earlier PUT whose answer was lost took
        # effect (the retry then finds a sha mismatch, or a file it meant to create), or
        # the branch moved on, and the newer commit's review commits the checklist.
        now = api.file(plan.path, plan.branch)
        if now is not None and now.data == plan.text.encode("utf-8"):
            return ChecklistPublished("commit", "made by an earlier request")
        log.info("task file %s not committed, the branch moved: %s", plan.path, exc)
        return ChecklistPublished("skipped", "the branch moved on")
    return ChecklistPublished("commit", sha)


def is_checklist_commit(api: RepositoryApi, sha: str, parent: str, number: int) -> bool:
    """Whether commit `sha` is this app's checklist commit of pull request `number`, made
    right on top of `parent`."""
    commit = api.commit(sha)
    return commit.parents == (parent,) and commit.message.startswith(
        CHECKLIST_COMMIT_MESSAGE.format(number=number)
    )


def publish_checklist_comment(
    api: RepositoryApi, number: int, review: Review, bot_login: str
) -> ChecklistPublished:
    """The checklist as one comment on the pull request, edited in place on each run."""
    comments = api.issue_comments(number)
    mine = next((c for c in comments if is_checklist_comment(c, bot_login)), None)
    previous = _body(mine)
    body = checklist_comment_body(review, previous)
    if body is None:
        return ChecklistPublished("unchanged", "comment")
    if mine is None:
        return ChecklistPublished("comment", str(api.create_issue_comment(number, body)))
    comment_id = mine.get("id")
    if not isinstance(comment_id, int):
        raise ValueError("a listed comment without an id")
    api.update_issue_comment(comment_id, body)
    return ChecklistPublished("comment", str(comment_id))


def _body(comment: Mapping[str, object] | None) -> str | None:
    if comment is None:
        return None
    body = comment.get("body")
    return body if isinstance(body, str) else None
