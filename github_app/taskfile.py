"""The `.tasks/` checklist of a pull request: which file, its merged text, or the fallback comment.

The checklist package does the merging (`checklist.merge_task_file`): only the
regions between its markers are rewritten, everything a person wrote around
them is copied through, and a box a person ticked stays ticked. This module
decides where the checklist goes and returns the new text only when it
differs, so that the commit of the task file, whose `synchronize` event starts
another review, ends in a review that commits nothing.

Two choices keep that loop closed. The task file the app writes itself (the
config's path) is not part of the author's change: the worker leaves it out of
the changes it gives the engine (`without_own_task_file`), or its own commit
would count as the change's task entry (FLOW002) and add itself to the Related
Files, and each would change the file again. And a pull request from a fork,
or one the app may not push to, gets the checklist as one comment, found again
by its hidden marker and edited in place (`checklist_comment_body`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping

from analyzers.config import Config
from analyzers.facts import ChangedFile, Review
from checklist import ChecklistError, merge_task_file, render_task_file

TASKS_FOLDER = ".tasks/"
CHECKLIST_COMMENT_MARKER = "<!-- flow-review:checklist-comment -->"


def task_file_path(config: Config, number: int, changed_paths: Iterable[str]) -> str:
    """Where pull request `number`'s checklist goes.

    A Markdown file under `.tasks/` that the pull request itself adds or changes is its
    task entry, and gets the Flow Review section (the config's own path first, if it is
    one of them, then in path order); otherwise the config's `task_file` path. Pass the
    head paths of the files the pull request changes, deleted files left out.
    """
    own = config.task_file_for(number)
    candidates = sorted(
        {
            path
            for path in changed_paths
            if path.startswith(TASKS_FOLDER) and posixpath.splitext(path)[1].lower() == ".md"
        }
    )
    if own in candidates or not candidates:
        return own
    return candidates[0]


def is_own_task_file(config: Config, number: int, path: str) -> bool:
    """True for the file the app writes for pull request `number` (the config's path)."""
    return path == config.task_file_for(number)


def without_own_task_file(
    changes: Iterable[ChangedFile], config: Config, number: int
) -> tuple[ChangedFile, ...]:
    """The changes to review: the pull request's, less the task file the app writes itself."""
    return tuple(c for c in changes if not is_own_task_file(config, number, c.path))


def task_file_title(number: int, title: str) -> str:
    return f"Integration review: #{number} {title}".strip()


def merged_task_file(existing: str | None, review: Review, number: int, title: str) -> str | None:
    """The task file's new text, or None when it would not change.

    `existing` is the file's text on the pull request's branch (None when it does not
    exist yet); `title` is the pull request's. Raises `checklist.ChecklistError` when a
    person broke the file's Flow Review markers: the file is then left as it is and the
    error says which marker is wrong.
    """
    current = existing or ""
    merged = merge_task_file(current, review, title=task_file_title(number, title))
    return None if merged == current else merged


def checklist_comment_body(review: Review, existing_body: str | None) -> str | None:
    """The checklist as a pull request comment, or None when `existing_body` is already it.

    The comment starts with a hidden marker (find it with `is_checklist_comment`) and is
    edited in place on every run; boxes a person ticked in it stay ticked. Should a person
    have broken the markers inside the comment, the app's own comment is written afresh.
    """
    title = "Flow Review checklist"
    if existing_body is None:
        return _with_marker(render_task_file(review, title=title))
    previous = _without_marker(existing_body)
    try:
        merged = merge_task_file(previous, review, title=title)
    except ChecklistError:
        merged = render_task_file(review, title=title)
    body = _with_marker(merged)
    return None if body == existing_body else body


def is_checklist_comment(comment: Mapping[str, object], bot_login: str | None = None) -> bool:
    """Whether an issue comment (as GitHub lists it) is this app's checklist comment."""
    body = comment.get("body")
    user = comment.get("user")
    if not isinstance(body, str) or not body.startswith(CHECKLIST_COMMENT_MARKER):
        return False
    if not isinstance(user, Mapping):
        return bot_login is None
    if bot_login is not None and user.get("login") != bot_login:
        return False
    return user.get("type") == "Bot"


def _with_marker(text: str) -> str:
    newline = "\r\n" if "\r\n" in text else "\n"
    return CHECKLIST_COMMENT_MARKER + newline + text


def _without_marker(body: str) -> str:
    if not body.startswith(CHECKLIST_COMMENT_MARKER):
        return body
    rest = body[len(CHECKLIST_COMMENT_MARKER) :]
    for newline in ("\r\n", "\n"):
        if rest.startswith(newline):
            return rest[len(newline) :]
    return rest
