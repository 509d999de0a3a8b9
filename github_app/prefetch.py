"""Fetch at once the blobs a review is going to read, rather than one by one as it reads them.

The engine reads a file only when the fact cache has nothing for it
(`analyzers.extract.FileAnalyzer.prepare`), and each read of a `GitHubSnapshot` is one
request: the first review of a large repository would make thousands of them in a row.
Before the engine runs, the entries it will read are worked out the way it does (the
files `analyzers.engine.analyze_trees` hands to `prepare`, less those `prepare` skips
unread, keyed by the service `analyzers.services.resolve_services` gives them), the fact
cache is asked which of their keys it holds, and the others' blobs are fetched by a few
threads into the job's `BlobStore`. The engine then reads them from memory.

This is only a head start: a blob left out (over the memory budget, or a fetch that
failed) is read by the engine as before, with the lazy path's own errors, and a file
planned here that the engine turns out not to read costs one request and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from analyzers.cache import fact_key
from analyzers.config import Config
from analyzers.engine import is_analysed
from analyzers.extract import unreadable_reason
from analyzers.services import ServiceMap, manifest_reader, resolve_services
from analyzers.snapshot import TreeEntry
from github_app.factcache import RedisFactCache
from github_app.snapshot import BlobStore, GitHubSnapshot


def prefetch_review_blobs(
    snapshots: Iterable[GitHubSnapshot],
    config: Config,
    cache: RedisFactCache,
    blobs: BlobStore,
) -> int:
    """Fetch the blobs of `snapshots` (head first, as the engine has them) that the engine
    will read; the number fetched."""
    trees = [(snapshot.entries(), snapshot.read) for snapshot in snapshots]
    # The engine's own call, with the same paths and the same reader: manifests are read
    # through the blob store, so the engine finds them there.
    service_map = resolve_services(
        config, {path for entries, _ in trees for path in entries}, manifest_reader(trees)
    )
    keyed = dict(_analysed((entries for entries, _ in trees), config, service_map))
    cached = cache.cached(keyed)
    return blobs.prefetch(entry for key, entry in keyed.items() if key not in cached)


def _analysed(
    trees: Iterable[Mapping[str, TreeEntry]], config: Config, service_map: ServiceMap
) -> Iterator[tuple[str, TreeEntry]]:
    """(fact key, entry) of each file the engine analyses by reading it, unless cached."""
    for entries in trees:
        for path, entry in entries.items():
            # As `analyze_trees` chooses the files it prepares...
            if not is_analysed(path, config):
                continue
            # ...and as `FileAnalyzer.prepare` skips some without reading them.
            if unreadable_reason(entry, config.max_file_size) is not None:
                continue
            yield fact_key(entry.sha, path, service_map.owner(path)), entry
