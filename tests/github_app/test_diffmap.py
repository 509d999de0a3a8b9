"""Commentable lines from real git diffs, the diff rebuilt from the files API, and real history."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from analyzers.diff import parse_diff
from analyzers.facts import ChangeStatus
from flow_review.git import GitRepo
from github_app.diffmap import (
    LEFT,
    RIGHT,
    CommentableLines,
    commentable_from_changes,
    commentable_lines,
    diff_from_files,
    files_without_patch,
)
from tests.gitrepo import Content, commit, git, init_repo

ROOT = Path(__file__).resolve().parents[2]
TWENTY = "".join(f"line {n}\n" for n in range(1, 21))
SIX = "".join(f"row {n}\n" for n in range(1, 7))
PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256))
NEWLINE_NAME = "odd\nname.txt"

BASE: dict[str, Content] = {
    "app/main.py": TWENTY,
    "app/old_name.py": SIX,
    "app/same.py": "unchanged content\n" * 5,
    "app/gone.py": "a\nb\nc\nd\n",
    "app/tail.txt": "a\nb\nc",  # no newline at the end
    "assets/logo.png": PNG,
    "docs/with space.md": "one\ntwo\n",
    "docs/été.md": "un\ndeux\n",
    NEWLINE_NAME: "x\n",
    "run.sh": "echo hi\n",
}
HEAD_CHANGES: dict[str, Content] = {
    "app/main.py": TWENTY.replace("line 10\n", "line ten\n"),
    "app/old_name.py": None,
    "app/new_name.py": SIX.replace("row 2\n", "row two\n"),
    "app/same.py": None,
    "app/moved.py": "unchanged content\n" * 5,
    "app/gone.py": None,
    "app/tail.txt": "a\nb\nd",
    "assets/logo.png": PNG + b"\0more",
    "assets/new.png": PNG,
    "app/added.py": "one\ntwo\nthree\n",
    "docs/with space.md": "one\n2\n",
    "docs/été.md": "un\ndeux\ntrois\n",
    NEWLINE_NAME: "x\ny\n",
}


@pytest.fixture(scope="module")
def change(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    repo = init_repo(tmp_path_factory.mktemp("diffmap") / "repo")
    base = commit(repo, BASE, "base")
    commit(repo, HEAD_CHANGES, "head")
    (repo / "run.sh").chmod(0o755)
    head = commit(repo, {}, "mode")
    with GitRepo(repo) as real:
        return repo, real.diff(base, head)


def test_lines_of_every_kind_of_change(change: tuple[Path, str]) -> None:
    _, diff = change
    lines = commentable_lines(diff)
    files = lines.files
    # A one-line edit shows three lines of context on each side.
    assert lines.lines("app/main.py") == frozenset(range(7, 14))
    assert lines.lines("app/main.py", LEFT) == frozenset(range(7, 14))
    assert files["app/main.py"].added == frozenset({10})
    # A renamed and edited file is keyed by its new name, and remembers the old one.
    assert files["app/new_name.py"].status is ChangeStatus.RENAMED
    assert files["app/new_name.py"].old_path == "app/old_name.py"
    assert lines.lines("app/new_name.py") == frozenset(range(1, 6))
    # A pure rename shows no line.
    assert files["app/moved.py"].status is ChangeStatus.RENAMED
    assert lines.lines("app/moved.py") == frozenset()
    # A deleted file has lines on the left only, under its old path.
    assert files["app/gone.py"].status is ChangeStatus.DELETED
    assert lines.lines("app/gone.py") == frozenset()
    assert lines.lines("app/gone.py", LEFT) == frozenset({1, 2, 3, 4})
    assert lines.lines("app/added.py") == frozenset({1, 2, 3})
    assert lines.lines("app/added.py", LEFT) == frozenset()
    # "\ No newline at end of file" is no line of its own.
    assert lines.lines("app/tail.txt") == frozenset({1, 2, 3})
    assert files["app/tail.txt"].added == frozenset({3})
    # Binary files and a mode change are listed, with nothing to comment on.
    assert files["assets/logo.png"].binary and files["assets/new.png"].binary
    assert lines.lines("assets/logo.png") == frozenset()
    assert files["run.sh"].status is ChangeStatus.MODIFIED and not lines.lines("run.sh")
    # Names git writes specially: a space (tab-terminated), non-ASCII, a newline (C-quoted).
    assert lines.lines("docs/with space.md") == frozenset({1, 2})
    assert lines.lines("docs/été.md") == frozenset({1, 2, 3})
    assert lines.lines(NEWLINE_NAME) == frozenset({1, 2})
    assert lines.can_comment("app/main.py", 13) and not lines.can_comment("app/main.py", 14)
    assert not lines.can_comment("nowhere.py", 1)
    assert lines.first_commentable("app/main.py", 1, 20) == 7
    assert lines.first_commentable("app/main.py", 14, 20) is None


def test_lines_from_the_engines_changes_are_the_same(change: tuple[Path, str]) -> None:
    _, diff = change
    assert commentable_from_changes(parse_diff(diff)) == commentable_lines(diff)


# --- the files API -----------------------------------------------------------------------------

_STATUS = {
    ChangeStatus.ADDED: "added",
    ChangeStatus.DELETED: "removed",
    ChangeStatus.MODIFIED: "modified",
    ChangeStatus.RENAMED: "renamed",
}


def files_listing(diff: str) -> list[dict[str, object]]:
    """What GitHub's "list pull request files" answers for this diff: per file its name,
    status, previous name and `patch` (the hunks only, no final newline, none for binaries)."""
    items: list[dict[str, object]] = []
    chunks = re.split(r"(?m)^(?=diff --git )", diff)
    changes = iter(parse_diff(diff))
    for chunk in chunks:
        if not chunk.startswith("diff --git "):
            continue
        file = next(changes)
        status = _STATUS[file.status]
        if file.mode_changed and not file.hunks and status == "modified":
            status = "changed"
        changed = len(file.added_lines) + len(file.removed_lines)
        item: dict[str, object] = {"filename": file.path, "status": status, "changes": changed}
        if file.old_path:
            item["previous_filename"] = file.old_path
        hunks = re.search(r"(?m)^@@ ", chunk)
        if hunks is not None:
            item["patch"] = chunk[hunks.start() :].rstrip("\n")
        items.append(item)
    return items


def test_diff_rebuilt_from_the_files_api_means_the_same(change: tuple[Path, str]) -> None:
    _, diff = change
    listing = files_listing(diff)
    rebuilt = diff_from_files(listing)
    original = {c.path: c for c in parse_diff(diff)}
    again = {c.path: c for c in parse_diff(rebuilt)}
    assert again.keys() == original.keys()
    for path, file in original.items():
        copy = again[path]
        assert (copy.status, copy.old_path, copy.hunks) == (file.status, file.old_path, file.hunks)
        assert (copy.added_lines, copy.removed_lines) == (file.added_lines, file.removed_lines)
    ours = commentable_lines(rebuilt)
    theirs = commentable_lines(diff)
    for path in original:
        assert ours.lines(path) == theirs.lines(path)
        assert ours.lines(path, LEFT) == theirs.lines(path, LEFT)
    # Binary files; not the pure rename nor the mode change, which have no lines to show.
    assert set(files_without_patch(listing)) == {"assets/logo.png", "assets/new.png"}


def test_files_api_edge_cases() -> None:
    listing: list[dict[str, object]] = [
        {"filename": "big.sql", "status": "modified"},  # too large to diff: no patch
        {"filename": "new.bin", "status": "added"},
        {"filename": "gone.bin", "status": "removed"},
        {"filename": "same.py", "status": "unchanged"},
        {"status": "modified", "patch": "@@ -1 +1 @@\n-a\n+b"},  # no name: left out
        {"filename": "copy.py", "previous_filename": "orig.py", "status": "copied", "changes": 0},
        {
            "filename": "crlf.txt",
            "status": "modified",
            "patch": "@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r",
        },
        {"filename": "weird", "status": "surprising", "patch": "@@ -1 +1,2 @@\n x\n+y"},
    ]
    changes = {c.path: c for c in parse_diff(diff_from_files(listing))}
    assert changes["big.sql"].status is ChangeStatus.MODIFIED and not changes["big.sql"].hunks
    assert changes["new.bin"].status is ChangeStatus.ADDED
    assert changes["gone.bin"].status is ChangeStatus.DELETED
    assert "same.py" not in changes
    assert changes["copy.py"].old_path == "orig.py"
    assert changes["crlf.txt"].added_lines == frozenset({2})
    assert changes["weird"].added_lines == frozenset({2})
    assert files_without_patch(listing) == ("big.sql", "new.bin", "gone.bin")
    assert diff_from_files([]) == ""
    assert commentable_lines("") == CommentableLines({})


# --- real history: never a crash, and the same lines an independent reading finds ------------


def shown_lines(diff: str) -> list[tuple[frozenset[int], frozenset[int]]]:
    """(RIGHT, LEFT) lines of each file of a diff, read straight from its hunk lines."""
    files: list[tuple[set[int], set[int]]] = []
    new = old = 0
    remaining_old = remaining_new = 0
    for line in diff.split("\n"):
        if remaining_old > 0 or remaining_new > 0:
            if line.startswith("\\"):
                continue
            kind = line[:1]
            if kind in (" ", ""):
                files[-1][0].add(new)
                files[-1][1].add(old)
                new, old = new + 1, old + 1
                remaining_old, remaining_new = remaining_old - 1, remaining_new - 1
            elif kind == "+":
                files[-1][0].add(new)
                new, remaining_new = new + 1, remaining_new - 1
            elif kind == "-":
                files[-1][1].add(old)
                old, remaining_old = old + 1, remaining_old - 1
            continue
        if line.startswith("diff --git "):
            files.append((set(), set()))
            continue
        hunk = re.match(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", line)
        if hunk is not None:
            old, remaining_old = int(hunk[1]), int(hunk[2] or 1)
            new, remaining_new = int(hunk[3]), int(hunk[4] or 1)
    return [(frozenset(right), frozenset(left)) for right, left in files]


def test_real_history_of_this_repository() -> None:
    log = git(ROOT, "log", "--format=%H", "-n", "40")
    shas = log.split()
    assert shas, "the project's own git history"
    checked = 0
    for sha in shas:
        diff = subprocess.run(
            ["git", "-c", "core.quotePath=false", "show", "--format=", "--find-renames", sha],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8", "surrogateescape")
        changes = parse_diff(diff)
        lines = commentable_from_changes(changes)
        expected = shown_lines(diff)
        assert len(expected) == len(changes)
        for file, (right, left) in zip(changes, expected, strict=True):
            assert lines.lines(file.path, RIGHT) == right, (sha, file.path)
            assert lines.lines(file.path, LEFT) == left, (sha, file.path)
        # The same change rebuilt from what the files API would list.
        rebuilt = commentable_lines(diff_from_files(files_listing(diff)))
        for file in changes:
            assert rebuilt.lines(file.path) == lines.lines(file.path), (sha, file.path)
        checked += 1
    assert checked == len(shas)
