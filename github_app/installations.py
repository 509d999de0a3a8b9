"""Where the app is installed, as `installation` and `installation_repositories` events say.

Recorded in Redis, nothing queued: the hash `flow-review:installations` maps each
installation id to its account, a hash per installation holds its state (repository
selection, suspended) and a set per installation its repositories (`owner/name`). Every
change is a few writes in one MULTI, with no read first. The worker does not need this to
review (the installation id arrives with every event); it is there for operators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from redis import Redis
from redis.asyncio import Redis as AsyncRedis

from github_app.events import InstallationChange
from github_app.queue import KEY_PREFIX

INSTALLATIONS_KEY: Final = f"{KEY_PREFIX}:installations"


def installation_key(installation_id: int) -> str:
    return f"{KEY_PREFIX}:installation:{installation_id}"


def repositories_key(installation_id: int) -> str:
    return f"{KEY_PREFIX}:installation:{installation_id}:repositories"


@dataclass(frozen=True)
class InstallationRecord:
    installation_id: int
    account: str
    repository_selection: str | None
    suspended: bool
    repositories: frozenset[str]


async def record_installation(redis: AsyncRedis, change: InstallationChange) -> None:
    """Apply one change atomically; raises `RedisError` when Redis fails."""
    state, repositories = (
        installation_key(change.installation_id),
        repositories_key(change.installation_id),
    )
    async with redis.pipeline(transaction=True) as pipe:
        if change.deleted:
            pipe.hdel(INSTALLATIONS_KEY, str(change.installation_id))
            pipe.delete(state, repositories)
        else:
            pipe.hset(INSTALLATIONS_KEY, str(change.installation_id), change.account)
            if change.repository_selection is not None:
                pipe.hset(state, "repository_selection", change.repository_selection)
            if change.suspended is not None:
                pipe.hset(state, "suspended", int(change.suspended))
            if change.repositories is not None:
                pipe.delete(repositories)
                if change.repositories:
                    pipe.sadd(repositories, *change.repositories)
            if change.added:
                pipe.sadd(repositories, *change.added)
            if change.removed:
                pipe.srem(repositories, *change.removed)
        await pipe.execute()


def read_installation(redis: Redis, installation_id: int) -> InstallationRecord | None:
    """What was recorded of the installation, None if nothing (or it was deleted)."""
    account = redis.hget(INSTALLATIONS_KEY, str(installation_id))
    if account is None:
        return None
    state = {
        _text(k): _text(v) for k, v in redis.hgetall(installation_key(installation_id)).items()
    }
    members = redis.smembers(repositories_key(installation_id))
    return InstallationRecord(
        installation_id=installation_id,
        account=_text(account),
        repository_selection=state.get("repository_selection"),
        suspended=state.get("suspended") == "1",
        repositories=frozenset(_text(member) for member in members),
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
