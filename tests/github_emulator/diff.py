"""Diffs as GitHub's pull-request files API and review comments see them.

`parse_diff` reads two outputs of one `git diff-tree -M` run: `--raw -z` (status,
paths and blob shas of each file, safe for any path) and `-p --full-index` (the
patch text, split per file in the same order). Each `FileDiff` knows which lines
a review comment may target: on the RIGHT side the new file's lines inside
hunks (context and added lines), on the LEFT side the old file's lines inside
hunks (context and deleted lines), each with its hunk and its `position` (the
line's offset below the file's first `@@` header, GitHub's legacy coordinate).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

Side = Literal["LEFT", "RIGHT"]

# git's status letters -> the words of GitHub's files API
STATUS_WORDS = {
    "A": "added",
    "D": "removed",
    "M": "modified",
    "R": "renamed",
    "C": "copied",
    "T": "changed",
}
HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class DiffLine:
    """One line of a file's patch below a hunk header."""

    kind: str  # " ", "+", "-", or "\\" for "\ No newline at end of file"
    old_line: int | None
    new_line: int | None
    position: int
    hunk: int
    index: int  # offset in the patch's list of lines


@dataclass(frozen=True)
class FileDiff:
    """One file of a diff, with what GitHub's files API reports about it."""

    status: str
    filename: str
    previous_filename: str | None
    old_sha: str
    new_sha: str
    additions: int
    deletions: int
    patch: str | None

    @property
    def changes(self) -> int:
        return self.additions + self.deletions

    @functools.cached_property
    def lines(self) -> tuple[DiffLine, ...]:
        return _patch_lines(self.patch or "")

    @functools.cached_property
    def _by_side(self) -> dict[tuple[Side, int], DiffLine]:
        found: dict[tuple[Side, int], DiffLine] = {}
        for line in self.lines:
            if line.new_line is not None:
                found[("RIGHT", line.new_line)] = line
            if line.old_line is not None:
                found[("LEFT", line.old_line)] = line
        return found

    def find(self, side: Side, line: int) -> DiffLine | None:
        """The patch line a comment on `line` of `side` attaches to, None when outside the diff."""
        return self._by_side.get((side, line))

    def at_position(self, position: int) -> DiffLine | None:
        for line in self.lines:
            if line.position == position:
                return line
        return None

    def diff_hunk(self, target: DiffLine) -> str:
        """The patch from the hunk header of `target` down to `target` itself."""
        patch_lines = (self.patch or "").split("\n")
        start = target.index
        while start > 0 and not patch_lines[start].startswith("@@"):
            start -= 1
        return "\n".join(patch_lines[start : target.index + 1])


@dataclass(frozen=True)
class Diff:
    """All files of a diff, in git's order."""

    files: tuple[FileDiff, ...]

    def file(self, path: str) -> FileDiff | None:
        for entry in self.files:
            if entry.filename == path:
                return entry
        return None


def _patch_lines(patch: str) -> tuple[DiffLine, ...]:
    lines: list[DiffLine] = []
    old = new = 0
    hunk = -1
    position = -1
    for index, text in enumerate(patch.split("\n") if patch else []):
        position += 1
        if text.startswith("@@"):
            match = HUNK_HEADER.match(text)
            if match is None:
                continue
            old, new = int(match.group(1)), int(match.group(3))
            hunk += 1
            continue
        kind = text[:1] or " "
        if kind == "+":
            lines.append(DiffLine("+", None, new, position, hunk, index))
            new += 1
        elif kind == "-":
            lines.append(DiffLine("-", old, None, position, hunk, index))
            old += 1
        elif kind == "\\":
            lines.append(DiffLine("\\", None, None, position, hunk, index))
        else:
            lines.append(DiffLine(" ", old, new, position, hunk, index))
            old += 1
            new += 1
    return tuple(lines)


@dataclass(frozen=True)
class _RawEntry:
    status: str
    old_sha: str
    new_sha: str
    path: str
    previous: str | None


def _parse_raw(raw: bytes) -> list[_RawEntry]:
    fields = raw.split(b"\0")
    entries: list[_RawEntry] = []
    index = 0
    while index < len(fields) and fields[index]:
        meta = fields[index].decode()
        _, _, old_sha, new_sha, status = meta.lstrip(":").split(" ")
        letter = status[0]
        if letter in ("R", "C"):
            previous = fields[index + 1].decode("utf-8", "replace")
            path = fields[index + 2].decode("utf-8", "replace")
            index += 3
        else:
            previous = None
            path = fields[index + 1].decode("utf-8", "replace")
            index += 2
        entries.append(_RawEntry(letter, old_sha, new_sha, path, previous))
    return entries


def _split_patches(patch: str) -> list[list[str]]:
    sections: list[list[str]] = []
    for line in patch.split("\n"):
        if line.startswith("diff --git "):
            sections.append([])
        if sections:
            sections[-1].append(line)
    return sections


def parse_diff(raw: bytes, patch: str) -> Diff:
    """Pair `diff-tree --raw -z` entries with the sections of `diff-tree -p` for the same diff."""
    entries = _parse_raw(raw)
    sections = _split_patches(patch)
    if len(entries) != len(sections):
        raise ValueError(f"{len(entries)} raw entries but {len(sections)} patch sections")
    files: list[FileDiff] = []
    for entry, section in zip(entries, sections, strict=True):
        while section and section[-1] == "":
            section.pop()
        first_hunk = next((i for i, line in enumerate(section) if line.startswith("@@")), None)
        body = section[first_hunk:] if first_hunk is not None else []
        additions = sum(1 for line in body if line.startswith("+"))
        deletions = sum(1 for line in body if line.startswith("-"))
        files.append(
            FileDiff(
                status=STATUS_WORDS.get(entry.status, "modified"),
                filename=entry.path,
                previous_filename=entry.previous if entry.status == "R" else None,
                old_sha=entry.old_sha,
                new_sha=entry.new_sha,
                additions=additions,
                deletions=deletions,
                patch="\n".join(body) if body else None,
            )
        )
    return Diff(tuple(files))
