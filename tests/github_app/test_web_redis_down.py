"""Redis unreachable: 503 (GitHub records a failed delivery), never 2xx with the event dropped;
once Redis is back, the redelivery is queued."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from redis import Redis
from rq import Queue

from github_app.queue import QUEUE_NAME
from tests.github_app.servers import RedisServer, deliver, example, free_port, web_server

UNAVAILABLE = {"error": "queue unavailable, redeliver later"}


def test_redis_down_is_503_and_the_redelivery_works_once_it_is_back(tmp_path: Path) -> None:
    redis_server = RedisServer(port=free_port(), workdir=tmp_path / "redis")
    body = json.dumps(example("pull_request", "opened")).encode()
    with web_server(redis_server.url, tmp_path / "web") as web:
        refused = deliver(web.url, "pull_request", body, delivery="d-down")
        assert (refused.status_code, refused.json()) == (503, UNAVAILABLE)
        assert httpx.get(f"{web.url}/readyz").status_code == 503
        installation = deliver(web.url, "installation", example("installation", "created"))
        assert installation.status_code == 503
        # What needs no Redis is still answered.
        assert deliver(web.url, "push", {"ref": "refs/heads/main"}).status_code == 202
        assert deliver(web.url, "ping", {"zen": "Keep it logically awesome."}).status_code == 200

        redis_server.start()
        try:
            assert httpx.get(f"{web.url}/readyz").status_code == 200
            redelivered = deliver(web.url, "pull_request", body, delivery="d-down")
            assert redelivered.status_code == 202
            assert redelivered.json()["jobs"][0]["state"] == "queued"
            again = deliver(web.url, "pull_request", body, delivery="d-down")
            assert again.json() == {"status": "duplicate delivery, already handled"}
            with Redis.from_url(redis_server.url) as client:
                assert len(Queue(QUEUE_NAME, connection=client)) == 1

            # A restart of Redis: the web process's pooled connections are dead, not it.
            redis_server.stop()
            assert deliver(web.url, "pull_request", body, delivery="d-2").status_code == 503
            redis_server.start()
            assert deliver(web.url, "pull_request", body, delivery="d-2").status_code == 202
        finally:
            redis_server.stop()
        assert "d-down" in web.log() and "Redis failed" in web.log()
