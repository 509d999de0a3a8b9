"""The engine's `FactCache` in Redis, shared by every review of a repository.

Keys are `flow-review:facts:<owner/name>:<fact key>`; the fact key (`analyzers.cache.fact_key`)
already holds the blob sha, the path, the service and the analyzer version, so an unchanged
file is analysed once per repository, whichever pull request or worker meets it first, and
new extractors never read old facts. The repository prefix keeps one installation's facts
out of another's reviews, and lets an operator drop one repository's facts at once.

Values are pickles of `FileFacts`: our own frozen dataclasses, written and read only by
our own workers in our own Redis. Each read pushes the key's expiry back (`GETEX`), so the
facts of files that keep being reviewed stay while those of files nobody touches expire.
A value that no longer unpickles (a dataclass changed without a version bump) is a miss,
and is deleted so that it is written afresh.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterable
from typing import Final

from redis import Redis

from analyzers.facts import FileFacts
from github_app.queue import KEY_PREFIX

FACT_TTL_SECONDS: Final = 14 * 24 * 3600
# Part of every key: bump it when the pickled shape changes incompatibly.
FORMAT: Final = "1"

log = logging.getLogger(__name__)


def facts_prefix(repository: str) -> str:
    return f"{KEY_PREFIX}:facts:v{FORMAT}:{repository.lower()}:"


class RedisFactCache:
    """Facts of one repository's files in Redis; Redis errors are raised as they are."""

    def __init__(self, redis: Redis, repository: str, *, ttl: int = FACT_TTL_SECONDS) -> None:
        self._redis = redis
        self._prefix = facts_prefix(repository)
        self._ttl = ttl
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> FileFacts | None:
        name = self._prefix + key
        data = self._redis.getex(name, ex=self._ttl)
        if not isinstance(data, bytes):
            self.misses += 1
            return None
        try:
            facts = pickle.loads(data)  # noqa: S301 - our own data in our own Redis
        except (pickle.UnpicklingError, AttributeError, ImportError, TypeError, EOFError) as exc:
            log.warning("cached facts %s unreadable (%s): analysed again", key[:16], exc)
            self._redis.delete(name)
            self.misses += 1
            return None
        if not isinstance(facts, FileFacts):
            self._redis.delete(name)
            self.misses += 1
            return None
        self.hits += 1
        return facts

    def cached(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` have facts, asked in one round trip (neither reading the values
        nor pushing their expiry back: `get` does that when the engine reads them)."""
        ordered = list(keys)
        pipeline = self._redis.pipeline(transaction=False)
        for key in ordered:
            pipeline.exists(self._prefix + key)
        return {key for key, found in zip(ordered, pipeline.execute(), strict=True) if found}

    def put(self, key: str, facts: FileFacts) -> None:
        self._redis.set(
            self._prefix + key, pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL), ex=self._ttl
        )
