"""Inline review comments for findings: their bodies and the plan that keeps them unique.

Each comment ends with two hidden markers: the finding's fingerprint (rule,
path and the finding's own key, never the line number, so a push that moves
the code does not make the finding new; `analyzers.reports.finding_fingerprint`,
the same identity code scanning and the checklist use) and a hash of the
comment's visible content. On every run `plan_review_comments` compares the
findings with the comments already on the pull request: a finding with no
comment gets one, a comment whose content changed is edited in place, an
unchanged one is left alone, and a finding on a line the diff does not show
(GitHub refuses those with 422) is left to the check run. A comment is ours
only when it carries the fingerprint marker on a line of its own and was
written by a bot (by `bot_login` when given): a person quoting or copying a
marker does not make their comment ours.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analyzers.facts import Finding
from analyzers.reports.fingerprint import finding_fingerprint
from analyzers.reports.markdown import inline
from github_app.diffmap import RIGHT, CommentableLines

MAX_NEW_COMMENTS = 50  # per run, most severe first; the rest are in the check run

_FINGERPRINT = re.compile(r"^<!-- flow-review:fingerprint:([0-9a-f]{64}) -->[ \t]*\r?$", re.M)
_CONTENT = re.compile(r"^<!-- flow-review:content:([0-9a-f]{16}) -->[ \t]*\r?$", re.M)


@dataclass(frozen=True, slots=True)
class NewComment:
    """A review comment to create, in the shape of GitHub's review comment parameters."""

    path: str
    line: int
    body: str
    fingerprint: str
    side: str = RIGHT
    start_line: int | None = None  # set for a comment over several lines (a suggestion's)

    def to_api(self) -> dict[str, object]:
        """The fields of POST .../pulls/{n}/comments (add `commit_id`) or of one entry of a
        review's `comments`."""
        data: dict[str, object] = {
            "path": self.path,
            "line": self.line,
            "side": self.side,
            "body": self.body,
        }
        if self.start_line is not None:
            data["start_line"] = self.start_line
            data["start_side"] = self.side
        return data


@dataclass(frozen=True, slots=True)
class CommentUpdate:
    comment_id: int
    body: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class CommentPlan:
    create: tuple[NewComment, ...] = ()
    update: tuple[CommentUpdate, ...] = ()
    keep: tuple[int, ...] = ()  # ids of our comments that are already right
    outside_diff: tuple[Finding, ...] = ()  # not on a line the diff shows: check run only
    left_out: tuple[Finding, ...] = ()  # commentable, beyond the per-run cap of new comments
    resolved: tuple[int, ...] = ()  # ids of our comments whose finding is gone
    duplicates: tuple[int, ...] = ()  # ids of extra copies of one of our comments


@dataclass(frozen=True, slots=True)
class _Placement:
    path: str
    line: int
    start_line: int | None
    with_fix: bool


@dataclass(frozen=True, slots=True)
class _Ours:
    comment_id: int
    content: str | None


def plan_review_comments(
    findings: Iterable[Finding],
    commentable: CommentableLines,
    existing_comments: Iterable[Mapping[str, object]],
    *,
    bot_login: str | None = None,
    max_new: int = MAX_NEW_COMMENTS,
) -> CommentPlan:
    """What to create, edit and leave alone so that each finding has exactly one comment.

    `existing_comments` are the pull request's review comments as GitHub lists them (`id`,
    `body`, `user` with `login` and `type`, ...); `bot_login` is this app's bot account
    (`<app-slug>[bot]`) when known. Two findings with one fingerprint give one comment.
    """
    ours, duplicates = _our_comments(existing_comments, bot_login)
    create: list[NewComment] = []
    update: list[CommentUpdate] = []
    keep: list[int] = []
    outside: list[Finding] = []
    left_out: list[Finding] = []
    seen: set[str] = set()
    # sorted() is stable: equal severities keep the engine's order.
    for finding in sorted(findings, key=lambda f: -f.severity.rank):
        fingerprint = finding_fingerprint(finding)
        if fingerprint in seen:
            continue
        seen.add(fingerprint)
        placement = _placement(finding, commentable)
        existing = ours.get(fingerprint)
        if existing is not None:
            if placement is None:
                keep.append(existing.comment_id)  # commented before; the line left the diff
                continue
            body = comment_body(finding, with_fix=placement.with_fix)
            if existing.content == content_hash(body):
                keep.append(existing.comment_id)
            else:
                update.append(CommentUpdate(existing.comment_id, body, fingerprint))
        elif placement is None:
            outside.append(finding)
        elif len(create) >= max_new:
            left_out.append(finding)
        else:
            create.append(
                NewComment(
                    path=placement.path,
                    line=placement.line,
                    start_line=placement.start_line,
                    body=comment_body(finding, with_fix=placement.with_fix),
                    fingerprint=fingerprint,
                )
            )
    resolved = [mine.comment_id for fp, mine in ours.items() if fp not in seen]
    return CommentPlan(
        create=tuple(create),
        update=tuple(update),
        keep=tuple(keep),
        outside_diff=tuple(outside),
        left_out=tuple(left_out),
        resolved=tuple(sorted(resolved)),
        duplicates=tuple(sorted(duplicates)),
    )


def comment_body(finding: Finding, *, with_fix: bool = True) -> str:
    """The comment for `finding`: what and why, the suggestion, a ```suggestion block when the
    finding has a mechanical fix (and `with_fix`: the comment spans the fix's lines), then the
    hidden fingerprint and content markers."""
    parts = [
        f"**{finding.severity.value}** · `{finding.rule}` · {inline(finding.title)}",
        inline(finding.message),
    ]
    if finding.suggestion:
        parts.append(f"**Suggestion:** {inline(finding.suggestion)}")
    if with_fix and finding.fix is not None:
        parts.append(_suggestion_block(finding.fix.replacement))
    visible = "\n\n".join(parts)
    return (
        f"{visible}\n\n"
        f"<!-- flow-review:fingerprint:{finding_fingerprint(finding)} -->\n"
        f"<!-- flow-review:content:{content_hash(visible)} -->"
    )


def content_hash(body: str) -> str:
    """A short hash of a comment's visible content (its markers left out)."""
    visible = _CONTENT.sub("", _FINGERPRINT.sub("", body)).rstrip()
    return hashlib.sha256(visible.encode("utf-8")).hexdigest()[:16]


def fingerprint_of(body: str) -> str | None:
    """The finding fingerprint a comment body carries on a line of its own (the last one)."""
    found = _FINGERPRINT.findall(body)
    return found[-1] if found else None


def _suggestion_block(code: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}suggestion\n{code}\n{fence}"


def _placement(finding: Finding, commentable: CommentableLines) -> _Placement | None:
    where = finding.location
    if where is None:
        return None
    fix = finding.fix
    if fix is not None and fix.path == where.path:
        lines = range(fix.start_line, fix.end_line + 1)
        if all(commentable.can_comment(where.path, line) for line in lines):
            start = fix.start_line if fix.end_line > fix.start_line else None
            return _Placement(where.path, fix.end_line, start, with_fix=True)
    first = commentable.first_commentable(where.path, where.line, where.end_line)
    if first is None:
        return None
    return _Placement(where.path, first, None, with_fix=False)


def _our_comments(
    comments: Iterable[Mapping[str, object]], bot_login: str | None
) -> tuple[dict[str, _Ours], list[int]]:
    """Our comments by fingerprint (the oldest of each), and the ids of later copies."""
    found: list[tuple[int, str, str | None]] = []
    for comment in comments:
        identity = comment.get("id")
        body = comment.get("body")
        if not isinstance(identity, int) or not isinstance(body, str):
            continue
        if not _by_a_bot(comment.get("user"), bot_login):
            continue
        fingerprint = fingerprint_of(body)
        if fingerprint is None:
            continue
        contents = _CONTENT.findall(body)
        found.append((identity, fingerprint, contents[-1] if contents else None))
    ours: dict[str, _Ours] = {}
    duplicates: list[int] = []
    for identity, fingerprint, content in sorted(found):
        if fingerprint in ours:
            duplicates.append(identity)
        else:
            ours[fingerprint] = _Ours(identity, content)
    return ours, duplicates


def _by_a_bot(user: object, bot_login: str | None) -> bool:
    if not isinstance(user, Mapping):
        return bot_login is None
    if bot_login is not None and user.get("login") != bot_login:
        return False
    return user.get("type") == "Bot"
