"""A local git repository as the engine's snapshots and diff, through the git command.

Trees are listed with `git ls-tree`; file contents are read on demand through
one long-lived `git cat-file --batch` process, so a review of a large tree
starts one process, not one per file.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

from analyzers.errors import SnapshotError
from analyzers.snapshot import TreeEntry

_ENV_FREE_GIT = ["git", "-c", "core.quotePath=false", "-c", "diff.noprefix=false"]


class GitRepo:
    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.is_dir():
            raise SnapshotError(f"not a folder: {path}")
        result = self.git("rev-parse", "--show-toplevel", check=False)
        if result.returncode != 0:
            raise SnapshotError(f"not a git repository: {path}")
        self.root = Path(result.stdout.decode().strip())
        self._batch: subprocess.Popen[bytes] | None = None

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        try:
            result = subprocess.run(
                [*_ENV_FREE_GIT, *args], cwd=self.path, capture_output=True, check=False
            )
        except FileNotFoundError:
            raise SnapshotError("git is not installed (no 'git' on PATH)") from None
        if check and result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SnapshotError(f"git {args[0]} failed: {message[-1] if message else 'no output'}")
        return result

    def resolve(self, rev: str) -> str:
        """The commit sha a revision names; SnapshotError for anything else."""
        if not rev or rev.startswith("-"):
            raise SnapshotError(f"unknown revision '{rev}'")
        result = self.git(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False
        )
        if result.returncode != 0:
            raise SnapshotError(f"unknown revision '{rev}' in {self.path}")
        return result.stdout.decode().strip()

    def diff(self, base: str, head: str) -> str:
        result = self.git(
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--find-renames",
            "--submodule=short",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            base,
            head,
            "--",
        )
        return result.stdout.decode("utf-8", "surrogateescape")

    def snapshot(self, sha: str) -> GitSnapshot:
        return GitSnapshot(self, sha)

    def cat_blob(self, sha: str) -> bytes:
        process = self._batch_process()
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(sha.encode() + b"\n")
        process.stdin.flush()
        header = process.stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            raise SnapshotError(f"object {sha} is not a readable blob")
        data = _read_exactly(process.stdout, int(header[2]))
        process.stdout.read(1)  # the newline after the object
        return data

    def _batch_process(self) -> subprocess.Popen[bytes]:
        if self._batch is None or self._batch.poll() is not None:
            self._batch = subprocess.Popen(
                [*_ENV_FREE_GIT, "cat-file", "--batch"],
                cwd=self.path,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        return self._batch

    def close(self) -> None:
        if self._batch is not None:
            if self._batch.stdin:
                self._batch.stdin.close()
            self._batch.wait(timeout=10)
            if self._batch.stdout:
                self._batch.stdout.close()
            self._batch = None

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise SnapshotError("git cat-file ended early")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


class GitSnapshot:
    """The tree of one commit; `entries()` lists it once, `read()` fetches one blob."""

    def __init__(self, repo: GitRepo, sha: str) -> None:
        self._repo = repo
        self._sha = sha
        self._entries: dict[str, TreeEntry] | None = None

    @property
    def rev(self) -> str:
        return self._sha

    def entries(self) -> Mapping[str, TreeEntry]:
        if self._entries is None:
            out = self._repo.git("ls-tree", "-r", "-l", "-z", "--full-tree", self._sha).stdout
            entries = {}
            for record in out.split(b"\0"):
                if not record:
                    continue
                meta, _, raw_path = record.partition(b"\t")
                mode, _kind, sha, size = meta.split()
                path = raw_path.decode("utf-8", "surrogateescape")
                entries[path] = TreeEntry(
                    path, sha.decode(), mode.decode(), None if size == b"-" else int(size)
                )
            self._entries = entries
        return self._entries

    def read(self, path: str) -> bytes:
        entry = self.entries().get(path)
        if entry is None:
            raise SnapshotError(f"{path} is not in {self._sha[:12]}")
        return self._repo.cat_blob(entry.sha)
