"""A commit's tree through GitHub's git trees API, as the engine's `Snapshot`.

The tree is listed once, recursively. GitHub cuts a recursive listing it finds too large
(`truncated: true`, at about 100,000 entries or 7 MB); the tree is then walked folder by
folder, each subtree asked for recursively first, so a large repository costs a few calls
more rather than one per folder.

File contents are fetched only when the engine reads them, and the engine reads a file
only when the fact cache has nothing for its blob (`analyzers.extract.FileAnalyzer.prepare`):
an unchanged file analysed in an earlier review costs no request. `BlobStore` keeps what was
fetched for the job, by blob sha, so the base and the head share their common files; the
blobs a review will read can be fetched into it beforehand, several at a time
(`BlobStore.prefetch`, planned by `github_app.prefetch`), within a memory budget.

A file GitHub says is not there (404, 422) is a `SnapshotError`: the engine skips it with
the reason. A transient failure that outlived its retries is raised as it is, so that the
job fails and is retried, rather than reviewing a tree with files silently missing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextvars import copy_context
from typing import Final

from analyzers.errors import SnapshotError
from analyzers.snapshot import TreeEntry
from github_app.api import RepositoryApi, TreeItem, TreeListing
from github_app.github import GitHubError, GitHubRefused

FILE_TYPES = frozenset({"blob", "commit"})  # a commit in a tree is a submodule
PREFETCH_WORKERS: Final = 8  # requests in flight at once
PREFETCH_BYTES: Final = 200 * 1024 * 1024  # blobs fetched ahead of time, at most

log = logging.getLogger(__name__)


class BlobStore:
    """Blob contents fetched for one job, by sha."""

    def __init__(self, api: RepositoryApi) -> None:
        self._api = api
        self._blobs: dict[str, bytes] = {}
        self.fetched = 0

    def read(self, sha: str, path: str) -> bytes:
        found = self._blobs.get(sha)
        if found is not None:
            return found
        try:
            data = self._api.blob(sha)
        except GitHubRefused as exc:
            raise SnapshotError(f"{path}: {exc}") from None
        self._blobs[sha] = data
        self.fetched += 1
        return data

    def prefetch(
        self,
        entries: Iterable[TreeEntry],
        *,
        workers: int = PREFETCH_WORKERS,
        max_bytes: int = PREFETCH_BYTES,
    ) -> int:
        """Fetch the blobs of `entries` not held yet, `workers` at a time, as long as their
        sizes add up to `max_bytes` at most; the number fetched. A blob of unknown size, one
        over the budget, or one whose fetch fails (after its retries) is left to `read`,
        which fetches it again and raises what it raises."""
        wanted: dict[str, str] = {}  # sha -> a path, for messages
        budget = max_bytes
        for entry in entries:
            if entry.sha in self._blobs or entry.sha in wanted or entry.size is None:
                continue
            if entry.size <= budget:
                wanted[entry.sha] = entry.path
                budget -= entry.size
        if not wanted:
            return 0
        fetched = 0
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="blob-prefetch")
        try:
            # githubkit keeps the job's httpx client (thread-safe) in a context variable: each
            # fetch runs in a copy of this context so that it shares that client's connections.
            futures: dict[Future[bytes], str] = {
                pool.submit(copy_context().run, self._api.blob, sha): sha for sha in wanted
            }
            for future in as_completed(futures):
                sha = futures[future]
                try:
                    data = future.result()
                except GitHubError as exc:
                    log.warning("prefetch of %s failed, left for the read: %s", wanted[sha], exc)
                    continue
                self._blobs[sha] = data
                self.fetched += 1
                fetched += 1
        finally:
            # On the way out by an exception (the job's time limit, say) nothing new starts;
            # the requests under way end within their own timeouts.
            pool.shutdown(wait=True, cancel_futures=True)
        return fetched


class GitHubSnapshot:
    """The tree of commit `rev` of the API's repository."""

    def __init__(self, api: RepositoryApi, rev: str, blobs: BlobStore) -> None:
        self._api = api
        self._rev = rev
        self._blobs = blobs
        self._entries: dict[str, TreeEntry] | None = None
        self.tree_requests = 0

    @property
    def rev(self) -> str | None:
        return self._rev

    def entries(self) -> Mapping[str, TreeEntry]:
        if self._entries is None:
            entries: dict[str, TreeEntry] = {}
            self._walk(self._rev, "", entries)
            self._entries = entries
        return self._entries

    def read(self, path: str) -> bytes:
        entry = self.entries().get(path)
        if entry is None:
            raise SnapshotError(f"{path} is not in the tree of {self._rev[:12]}")
        return self._blobs.read(entry.sha, path)

    def _walk(self, tree_sha: str, prefix: str, into: dict[str, TreeEntry]) -> None:
        listing = self._list(tree_sha, recursive=True)
        if not listing.truncated:
            _add(listing.items, prefix, into)
            return
        shallow = self._list(tree_sha, recursive=False)
        for item in shallow.items:
            if item.type == "tree":
                self._walk(item.sha, f"{prefix}{item.path}/", into)
        _add(shallow.items, prefix, into)

    def _list(self, tree_sha: str, *, recursive: bool) -> TreeListing:
        self.tree_requests += 1
        try:
            return self._api.tree(tree_sha, recursive=recursive)
        except GitHubRefused as exc:
            raise SnapshotError(f"the tree of {self._rev[:12]} cannot be read: {exc}") from None


def _add(items: tuple[TreeItem, ...], prefix: str, into: dict[str, TreeEntry]) -> None:
    for item in items:
        if item.type in FILE_TYPES:
            path = prefix + item.path
            into[path] = TreeEntry(path, item.sha, item.mode, item.size)
