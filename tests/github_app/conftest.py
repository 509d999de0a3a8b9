"""Fixtures with real parts: one redis-server per test session, emptied before each test that
asks for `redis_url`, and the web process under uvicorn pointing at it.

End-to-end tests reuse them: `redis_server` (the session's server), `redis_url` (a URL to it,
with every key flushed first), `redis_client` (a client of that URL) and `web` (the web
process, `servers.WebServer`, with `servers.APP_ID` and `servers.WEBHOOK_SECRET`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from github_app.context import WorkerContext
from tests.github_app.direct import context_for
from tests.github_app.servers import RedisServer, WebServer, free_port, web_server
from tests.github_emulator import GitHubEmulator


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server for the session, on a free port; yields its URL."""
    server = RedisServer(port=free_port(), workdir=tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis, emptied for this test."""
    with redis.Redis.from_url(redis_server) as client:
        client.flushall()
    return redis_server


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="session")
def web_session(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    with web_server(redis_server, tmp_path_factory.mktemp("web")) as server:
        yield server


@pytest.fixture
def web(web_session: WebServer, redis_url: str) -> WebServer:
    """The web process (one per session), with Redis emptied for this test."""
    return web_session


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[GitHubEmulator]:
    """An emulated GitHub with no repository yet (end-to-end tests have their own)."""
    with GitHubEmulator(tmp_path) as emulator:
        yield emulator


@pytest.fixture
def context(gh: GitHubEmulator, redis_client: redis.Redis, redis_url: str) -> WorkerContext:
    """What a worker gives a job, for running jobs in this process."""
    return context_for(gh, redis_client, redis_url)
