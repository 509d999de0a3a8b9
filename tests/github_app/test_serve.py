"""`flow-review serve`: settings read once at start, a missing one named in one line."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import redis
from rq import Queue

from github_app.queue import QUEUE_NAME
from tests.github_app.servers import (
    ROOT,
    WEBHOOK_SECRET,
    deliver,
    example,
    free_port,
    wait_until,
    web_environment,
)


def serve_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flow_review.cli", "serve", *args]


def test_a_missing_setting_stops_serve_with_one_line(redis_url: str) -> None:
    environ = web_environment(redis_url)
    del environ["WEBHOOK_SECRET"]
    done = subprocess.run(
        serve_command("--port", str(free_port())),
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == "flow-review: error: WEBHOOK_SECRET is not set\n"
    assert done.stdout == ""


def test_serve_runs_the_web_process(
    redis_url: str, redis_client: redis.Redis, tmp_path: Path
) -> None:
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            serve_command("--host", "127.0.0.1", "--port", str(port)),
            cwd=ROOT,
            env=web_environment(redis_url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:

        def healthy() -> bool:
            assert process.poll() is None, log_path.read_text()
            try:
                return httpx.get(f"{url}/healthz").status_code == 200
            except httpx.TransportError:
                return False

        wait_until(healthy, "flow-review serve")
        answer = deliver(url, "pull_request", example("pull_request", "opened"), delivery="d-s")
        assert answer.status_code == 202
        assert len(Queue(QUEUE_NAME, connection=redis_client)) == 1
        ignored = deliver(url, "pull_request", example("pull_request", "closed"), delivery="d-i")
        assert ignored.status_code == 202
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    # uvicorn shuts down gracefully, then lets the signal end the process as it would have.
    assert code == -signal.SIGTERM
    logged = log_path.read_text()
    assert "Finished server process" in logged
    assert "delivery d-s (pull_request.opened): review-codertocat_2fhello-world-2-" in logged
    assert "delivery d-i (pull_request.closed) ignored: event not handled" in logged
    assert WEBHOOK_SECRET not in logged
