"""Where facts of a file version are kept so that an unchanged file is analysed once.

The key holds the blob sha (the content), the path and service (facts carry
both) and the analyzer version (new extractors must not read stale facts).
`MemoryFactCache` serves one process; a Redis-backed cache implements the
same two methods in `github_app` and is shared by a repository's reviews.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from analyzers.facts import FileFacts

# Bump when an extractor's output changes, so that cached facts are not reused.
# 7: workers in modules that only import Worker, job options spread from a mapping unknown;
# 6: axios(config); 5: catch-all path params; 4: field locations, OpenAPI
ANALYZER_VERSION = "7"


class FactCache(Protocol):
    def get(self, key: str) -> FileFacts | None: ...

    def put(self, key: str, facts: FileFacts) -> None: ...


def fact_key(blob_sha: str, path: str, service: str | None) -> str:
    ident = f"{ANALYZER_VERSION}\0{blob_sha}\0{path}\0{service or ''}"
    return hashlib.sha256(ident.encode("utf-8", "surrogateescape")).hexdigest()


class MemoryFactCache:
    def __init__(self) -> None:
        self._facts: dict[str, FileFacts] = {}

    def get(self, key: str) -> FileFacts | None:
        return self._facts.get(key)

    def put(self, key: str, facts: FileFacts) -> None:
        self._facts[key] = facts

    def __len__(self) -> int:
        return len(self._facts)
