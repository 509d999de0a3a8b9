"""Which lines of a pull request GitHub accepts review comments and annotations on.

GitHub takes a review comment only on a line its diff shows: on the RIGHT side
an added or context line of a hunk (by its new number), on the LEFT side a
removed or context line (by its old number); anywhere else it answers 422.
The diff is parsed once by the engine's own parser (`analyzers.diff`), which
already handles renames, deletions, binary files, mode changes and "no newline
at end of file" markers; the hunk ranges are exactly the lines shown.

When GitHub refuses the whole diff as too large (406), the worker lists the
pull request's files instead; `diff_from_files` turns that listing back into a
unified diff with the same meaning, so everything downstream reads one format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from analyzers.diff import parse_diff
from analyzers.facts import ChangedFile, ChangeStatus

Side = Literal["RIGHT", "LEFT"]
RIGHT: Side = "RIGHT"
LEFT: Side = "LEFT"


@dataclass(frozen=True, slots=True)
class DiffFile:
    """One file of the diff and the lines it shows on each side."""

    path: str  # the head path; the base path of a deleted file (GitHub's `path` either way)
    status: ChangeStatus
    old_path: str | None = None  # the base path of a renamed file
    binary: bool = False
    right: frozenset[int] = frozenset()  # new line numbers shown: added and context lines
    left: frozenset[int] = frozenset()  # old line numbers shown: removed and context lines
    added: frozenset[int] = frozenset()  # new line numbers the pull request adds or changes


@dataclass(frozen=True, slots=True)
class CommentableLines:
    """The lines of every file of a diff that take a comment, by path and side."""

    files: Mapping[str, DiffFile] = field(default_factory=dict)

    def lines(self, path: str, side: Side = RIGHT) -> frozenset[int]:
        found = self.files.get(path)
        if found is None:
            return frozenset()
        return found.right if side == RIGHT else found.left

    def can_comment(self, path: str, line: int, side: Side = RIGHT) -> bool:
        return line in self.lines(path, side)

    def first_commentable(self, path: str, start: int, end: int) -> int | None:
        """The first line of `start`..`end` that takes a comment on the RIGHT side."""
        shown = self.lines(path, RIGHT)
        return next((line for line in range(start, end + 1) if line in shown), None)


def commentable_lines(diff: str) -> CommentableLines:
    """The commentable lines of a unified diff; raises `analyzers.errors.DiffError` when the
    text is not a diff."""
    return commentable_from_changes(parse_diff(diff))


def commentable_from_changes(changes: Iterable[ChangedFile]) -> CommentableLines:
    """The same from changes the engine has parsed already (`Review.changes`)."""
    files: dict[str, DiffFile] = {}
    for change in changes:
        right: set[int] = set()
        left: set[int] = set()
        for hunk in change.hunks:
            right.update(range(hunk.target_start, hunk.target_start + hunk.target_length))
            left.update(range(hunk.source_start, hunk.source_start + hunk.source_length))
        right.discard(0)
        left.discard(0)
        files[change.path] = DiffFile(
            path=change.path,
            status=change.status,
            old_path=change.old_path,
            binary=change.binary,
            right=frozenset(right),
            left=frozenset(left),
            added=change.added_lines,
        )
    return CommentableLines(files)


# --- a diff rebuilt from the pull request files API ------------------------------------------

# GitHub's `status` of a listed file -> the extended header lines git writes for it.
_STATUSES = frozenset({"added", "removed", "modified", "renamed", "copied", "changed", "unchanged"})


def diff_from_files(files: Sequence[Mapping[str, object]]) -> str:
    """A unified diff from the items of "list pull request files" (GET .../pulls/N/files).

    Each item gives `filename`, `status`, `previous_filename` for renames and copies, and
    `patch`: the hunks alone, absent for a binary file or one too large to show. A file
    without a patch is still listed (with its status, no hunks), so it counts as changed;
    `files_without_patch` names them for the report. A copy reads as a rename from the
    copied file (git's copy headers; the copied file still exists). "unchanged" items and
    items with no filename are left out.
    """
    parts: list[str] = []
    for item in files:
        filename = item.get("filename")
        status = item.get("status")
        if not isinstance(filename, str) or not filename or status == "unchanged":
            continue
        status = status if isinstance(status, str) and status in _STATUSES else "modified"
        previous = item.get("previous_filename")
        old = previous if isinstance(previous, str) and previous else filename
        patch = item.get("patch")
        parts.append(_file_diff(filename, old, status, patch if isinstance(patch, str) else None))
    return "".join(parts)


def files_without_patch(files: Sequence[Mapping[str, object]]) -> tuple[str, ...]:
    """Files whose changed lines the listing does not show: binary, or too large to diff.

    A rename, copy or mode change with no changed line (`changes` 0) has no patch either,
    and nothing is missing from it.
    """
    missing: list[str] = []
    for item in files:
        filename, status = item.get("filename"), item.get("status")
        if not isinstance(filename, str) or status == "unchanged":
            continue
        if isinstance(item.get("patch"), str):
            continue
        if status in ("renamed", "copied", "changed") and item.get("changes") == 0:
            continue
        missing.append(filename)
    return tuple(missing)


def _file_diff(filename: str, old: str, status: str, patch: str | None) -> str:
    source = "/dev/null" if status == "added" else _name("a/", old)
    target = "/dev/null" if status == "removed" else _name("b/", filename)
    lines = [f"diff --git {_name('a/', old)} {_name('b/', filename)}"]
    if status == "added":
        lines.append("new file mode 100644")
    elif status == "removed":
        lines.append("deleted file mode 100644")
    elif status in ("renamed", "copied") and old != filename:
        verb = "rename" if status == "renamed" else "copy"
        lines += [f"{verb} from {_name('', old)}", f"{verb} to {_name('', filename)}"]
    if patch is not None and patch.strip():
        lines += [f"--- {_marked(source)}", f"+++ {_marked(target)}"]
        body = patch if patch.endswith("\n") else patch + "\n"
        return "\n".join(lines) + "\n" + body
    return "\n".join(lines) + "\n"


def _marked(name: str) -> str:
    # git ends a file name holding a space with a tab, so the parser knows where it stops.
    return name + "\t" if " " in name else name


_QUOTED = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _name(prefix: str, path: str) -> str:
    """`prefix + path`, C-quoted as git quotes a name with quotes or control characters."""
    if not any(char in _QUOTED or ord(char) < 0x20 or ord(char) == 0x7F for char in path):
        return prefix + path
    escaped = "".join(
        _QUOTED.get(char, f"\\{ord(char):03o}" if ord(char) < 0x20 or ord(char) == 0x7F else char)
        for char in prefix + path
    )
    return f'"{escaped}"'
