from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.diff import diff_snapshots, parse_diff
from analyzers.errors import DiffError
from analyzers.facts import ChangeStatus
from analyzers.snapshot import SYMLINK, MemorySnapshot
from flow_review.git import GitRepo
from tests.gitrepo import Symlink, commit, git, init_repo


def test_git_diff_of_every_kind_of_change(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    base = commit(
        repo,
        {
            "keep.txt": "a\nb\nc\n",
            "image.bin": b"\x89PNG\0\0\x01",
            "run.sh": "echo hi\n",
            "old.py": "one\ntwo\nthree\nfour\nfive\n",
            "gone.txt": "bye\n",
            "link": Symlink("keep.txt"),
        },
    )
    git(repo, "mv", "old.py", "new name.py")
    (repo / "run.sh").chmod(0o755)
    head = commit(
        repo,
        {
            "keep.txt": "a\nB\nc\nd\n",
            "image.bin": b"\x89PNG\0\0\x02",
            "new name.py": "one\ntwo\nthree\nfour\nfive\nsix\n",
            "gone.txt": None,
            "link": Symlink("run.sh"),
            "ünïcode.py": "x = 1\n",
        },
    )
    with GitRepo(repo) as local:
        changes = {c.path: c for c in parse_diff(local.diff(base, head))}

    assert changes["keep.txt"].status is ChangeStatus.MODIFIED
    assert changes["keep.txt"].added_lines == {2, 4}
    assert changes["keep.txt"].removed_lines == {2}
    assert changes["keep.txt"].deletion_sites == set()  # line 2 was replaced, not deleted
    assert changes["image.bin"].binary
    assert changes["run.sh"].mode_changed
    assert (changes["run.sh"].old_mode, changes["run.sh"].new_mode) == ("100644", "100755")
    renamed = changes["new name.py"]
    assert renamed.status is ChangeStatus.RENAMED
    assert renamed.old_path == "old.py"
    assert renamed.added_lines == {6}
    assert changes["gone.txt"].status is ChangeStatus.DELETED
    assert changes["ünïcode.py"].status is ChangeStatus.ADDED
    assert changes["link"].new_mode == SYMLINK


def test_submodule_change_is_parsed(tmp_path: Path) -> None:
    inner = init_repo(tmp_path / "inner")
    first = commit(inner, {"a.txt": "1\n"})
    second = commit(inner, {"a.txt": "2\n"})
    outer = init_repo(tmp_path / "outer")
    commit(outer, {"README.md": "x\n"})
    shas = []
    for pinned in (first, second):
        # `git add --all` would drop a gitlink with no work-tree folder: commit the index as is.
        git(outer, "update-index", "--add", "--cacheinfo", f"160000,{pinned},lib")
        git(outer, "commit", "--quiet", "-m", "pin lib")
        shas.append(git(outer, "rev-parse", "HEAD"))
    base, head = shas
    with GitRepo(outer) as local:
        (change,) = parse_diff(local.diff(base, head))
    assert change.path == "lib"
    assert change.new_mode == "160000"


def test_empty_diff_has_no_changes() -> None:
    assert parse_diff("") == ()


def test_garbage_diff_is_a_clear_error() -> None:
    with pytest.raises(DiffError, match="cannot be parsed"):
        parse_diff("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-only one line\n")


def test_memory_diff_matches_the_trees() -> None:
    base = MemorySnapshot({"a.py": "1\n2\n", "b.bin": b"\0\1", "c.txt": "gone\n"})
    head = MemorySnapshot(
        {"a.py": "1\n2\n3", "b.bin": b"\0\2", "d.txt": "new\n", "l": "a.py"},
        modes={"l": SYMLINK},
    )
    changes = {c.path: c for c in diff_snapshots(base, head)}
    assert changes["a.py"].added_lines == {3}
    assert changes["b.bin"].binary
    assert changes["c.txt"].status is ChangeStatus.DELETED
    assert changes["d.txt"].status is ChangeStatus.ADDED
    assert changes["l"].new_mode == SYMLINK
