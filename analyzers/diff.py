"""The change between base and head: a git-style unified diff parsed into `ChangedFile`s.

Every source of a diff (local git, GitHub's diff media type, two trees held in
memory) ends up as unified diff text and goes through `parse_diff`, so
renames, deletions, mode changes and binary files are handled in one place.
"""

from __future__ import annotations

import difflib

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from analyzers.errors import DiffError
from analyzers.facts import ChangedFile, ChangeStatus, Hunk
from analyzers.snapshot import Snapshot

_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _unquote(name: str) -> str:
    """A name git wrote C-quoted (`"a/new\\nline.txt"`, octal escapes for raw bytes) as is."""
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name
    body = name[1:-1].encode("utf-8", "surrogateescape")
    out = bytearray()
    at = 0
    while at < len(body):
        char = body[at]
        if char != 0x5C or at + 1 == len(body):  # not a backslash
            out.append(char)
            at += 1
            continue
        escaped = chr(body[at + 1])
        octal = body[at + 1 : at + 4]
        if len(octal) == 3 and all(0x30 <= b <= 0x37 for b in octal):
            out.append(int(octal, 8) & 0xFF)
            at += 4
        elif escaped in _ESCAPES:
            out.append(_ESCAPES[escaped])
            at += 2
        else:
            out.append(char)
            at += 1
    return out.decode("utf-8", "surrogateescape")


def _strip_prefix(name: str | None) -> str | None:
    if name is None or name == "/dev/null":
        return None
    name = _unquote(name.rstrip("\t"))  # git ends a name that holds a space with a tab
    return name[2:] if name[:2] in ("a/", "b/") else name


def parse_diff(text: str) -> tuple[ChangedFile, ...]:
    try:
        patch = PatchSet(text)
    except UnidiffParseError as exc:
        raise DiffError(f"the diff cannot be parsed: {exc}") from None
    changes = []
    for patched in patch:
        source = _strip_prefix(patched.source_file)
        target = _strip_prefix(patched.target_file)
        if patched.is_added_file:
            status, path, old = ChangeStatus.ADDED, target or patched.path, None
        elif patched.is_removed_file:
            status, path, old = ChangeStatus.DELETED, source or patched.path, None
        elif patched.is_rename:
            status, path, old = ChangeStatus.RENAMED, target or patched.path, source
        else:
            status, path, old = ChangeStatus.MODIFIED, target or patched.path, None
        added: set[int] = set()
        removed: set[int] = set()
        deletions: set[int] = set()
        hunks = []
        for hunk in patched:
            hunks.append(
                Hunk(hunk.source_start, hunk.source_length, hunk.target_start, hunk.target_length)
            )
            last_target = hunk.target_start - 1
            pending: set[int] = set()  # sites of the current run of removed lines
            for line in hunk:
                if line.is_added and line.target_line_no is not None:
                    added.add(line.target_line_no)
                    pending.clear()  # removed then added: a replacement, not a deletion
                elif line.is_removed and line.source_line_no is not None:
                    removed.add(line.source_line_no)
                    pending.update((max(last_target, 1), last_target + 1))
                else:
                    deletions |= pending
                    pending = set()
                if line.target_line_no is not None:
                    last_target = line.target_line_no
            deletions |= pending
        changes.append(
            ChangedFile(
                path=path,
                status=status,
                old_path=old,
                binary=bool(patched.is_binary_file),
                old_mode=patched.source_mode or None,
                new_mode=patched.target_mode or None,
                hunks=tuple(hunks),
                added_lines=frozenset(added),
                removed_lines=frozenset(removed),
                deletion_sites=frozenset(deletions - added),
            )
        )
    return tuple(changes)


def _is_binary(data: bytes) -> bool:
    return b"\0" in data[:8000]


def _file_diff(path: str, old: bytes | None, new: bytes | None, modes: tuple[str, str]) -> str:
    header = [f"diff --git a/{path} b/{path}"]
    if old is None:
        header.append(f"new file mode {modes[1]}")
    elif new is None:
        header.append(f"deleted file mode {modes[0]}")
    elif modes[0] != modes[1]:
        header += [f"old mode {modes[0]}", f"new mode {modes[1]}"]
    if old == new:
        return "\n".join(header) + "\n"
    if _is_binary(old or b"") or _is_binary(new or b""):
        a = "/dev/null" if old is None else f"a/{path}"
        b = "/dev/null" if new is None else f"b/{path}"
        return "\n".join([*header, f"Binary files {a} and {b} differ"]) + "\n"
    old_lines = (old or b"").decode("utf-8", "replace").splitlines(keepends=True)
    new_lines = (new or b"").decode("utf-8", "replace").splitlines(keepends=True)
    body = []
    for line in difflib.unified_diff(
        old_lines,
        new_lines,
        "/dev/null" if old is None else f"a/{path}",
        "/dev/null" if new is None else f"b/{path}",
        lineterm="\n",
    ):
        body.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "\n".join(header) + "\n" + "".join(body)


def diff_snapshots(base: Snapshot, head: Snapshot) -> tuple[ChangedFile, ...]:
    """The change between two trees, without rename detection (git's diff has that)."""
    old_entries, new_entries = base.entries(), head.entries()
    parts = []
    for path in sorted(old_entries.keys() | new_entries.keys()):
        old_entry, new_entry = old_entries.get(path), new_entries.get(path)
        if (
            old_entry
            and new_entry
            and (old_entry.sha, old_entry.mode)
            == (
                new_entry.sha,
                new_entry.mode,
            )
        ):
            continue
        old = base.read(path) if old_entry else None
        new = head.read(path) if new_entry else None
        modes = (
            old_entry.mode if old_entry else "000000",
            new_entry.mode if new_entry else "000000",
        )
        parts.append(_file_diff(path, old, new, modes))
    return parse_diff("".join(parts))
