"""A tree of one revision: its entries up front, file contents only when asked.

The engine sees trees through the `Snapshot` protocol; a local git
repository (`flow_review.git`), GitHub's API (`github_app`) and plain
dictionaries (`MemorySnapshot`, for tests and rule examples) implement it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

REGULAR = "100644"
EXECUTABLE = "100755"
SYMLINK = "120000"
SUBMODULE = "160000"


@dataclass(frozen=True, slots=True)
class TreeEntry:
    path: str
    sha: str  # git blob sha: the identity of the content, the key of the fact cache
    mode: str = REGULAR
    size: int | None = None  # None where the tree listing does not say

    @property
    def is_symlink(self) -> bool:
        return self.mode == SYMLINK

    @property
    def is_submodule(self) -> bool:
        return self.mode == SUBMODULE


class Snapshot(Protocol):
    @property
    def rev(self) -> str | None:
        """The commit sha of this tree, None for a tree that is not a commit."""

    def entries(self) -> Mapping[str, TreeEntry]:
        """Every file of the tree by path (folders are implied by paths)."""

    def read(self, path: str) -> bytes:
        """The content of one file; raises SnapshotError when it cannot be read."""


def blob_sha(data: bytes) -> str:
    """The sha git gives a blob with this content."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class MemorySnapshot:
    """A tree held in memory: path -> text or bytes, with optional modes."""

    def __init__(
        self,
        files: Mapping[str, str | bytes],
        *,
        rev: str | None = None,
        modes: Mapping[str, str] | None = None,
    ) -> None:
        self._rev = rev
        self._data = {
            path: content.encode() if isinstance(content, str) else content
            for path, content in files.items()
        }
        modes = modes or {}
        self._entries = {
            path: TreeEntry(path, blob_sha(data), modes.get(path, REGULAR), len(data))
            for path, data in self._data.items()
        }

    @property
    def rev(self) -> str | None:
        return self._rev

    def entries(self) -> Mapping[str, TreeEntry]:
        return self._entries

    def read(self, path: str) -> bytes:
        return self._data[path]
