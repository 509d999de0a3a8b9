"""Real processes for the GitHub App's tests: redis-server, the web process under uvicorn,
rq workers; and signed webhook deliveries as GitHub sends them.

Every process gets a free port on 127.0.0.1 and its own working directory, and is stopped
by the fixture or context manager that started it. Waiting polls with generous timeouts:
the machine may be loaded.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis

from github_app.serve import log_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "tests" / "data" / "github-webhook-examples"
WEBHOOK_SECRET = "test-webhook-secret"
APP_ID = 2  # the app id of the check runs in the examples' `check_run.rerequested` payloads
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(condition: Callable[[], bool], what: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.02
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f}s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)


@dataclass
class RedisServer:
    """A `redis-server` on 127.0.0.1:`port`, with nothing saved to disk."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=(self.workdir / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_until(self._answers, f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            log = (self.workdir / "redis.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"redis-server exited with {self.process.returncode}: {log}")
        try:
            with redis.Redis(port=self.port, socket_connect_timeout=1) as client:
                return bool(client.ping())
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


@dataclass
class WebServer:
    """The web process: `uvicorn --factory FACTORY` in a subprocess, as production runs it."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def web_environment(redis_url: str, **extra: str) -> dict[str, str]:
    """This process's environment without the app's settings, then the test settings
    (`APP_ID`, `WEBHOOK_SECRET`, `REDIS_URL`), then `extra` (which may override them)."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "REDIS_URL"}
    }
    environ.update(APP_ID=str(APP_ID), WEBHOOK_SECRET=WEBHOOK_SECRET, REDIS_URL=redis_url)
    environ.update(extra)
    return environ


@contextmanager
def web_server(
    redis_url: str,
    workdir: Path,
    *,
    factory: str = "github_app.web:create_app",
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[WebServer]:
    """Start the web process, wait until `/healthz` answers, stop it on exit."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"uvicorn-{port}.log"
    # The app's own log lines (one per delivery) as `flow-review serve` logs them.
    log_config_path = workdir / "log-config.json"
    log_config_path.write_text(json.dumps(log_config()), encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-config",
        str(log_config_path),
    ]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=web_environment(redis_url, **(extra_env or {})),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = WebServer(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        wait_until(lambda: _healthy(server), f"the web process on port {port}")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def _healthy(server: WebServer) -> bool:
    if server.process.poll() is not None:
        raise RuntimeError(f"the web process exited early:\n{server.log()}")
    try:
        return httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


# --- Deliveries -----------------------------------------------------------------------------


def sign(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Example:
    """One real payload from @octokit/webhooks-examples."""

    event: str
    index: int
    payload: dict[str, Any] = field(hash=False, compare=False)

    @property
    def action(self) -> str | None:
        action = self.payload.get("action")
        return action if isinstance(action, str) else None

    @property
    def name(self) -> str:
        return f"{self.event}-{self.index}-{self.action or 'none'}"

    def body(self) -> bytes:
        return json.dumps(self.payload).encode()


def examples(event: str | None = None) -> list[Example]:
    files = [EXAMPLES / f"{event}.json"] if event else sorted(EXAMPLES.glob("*.json"))
    return [
        Example(path.stem, index, payload)
        for path in files
        for index, payload in enumerate(json.loads(path.read_text(encoding="utf-8")))
    ]


def example(event: str, action: str, *, installed: bool = True) -> dict[str, Any]:
    """A deep copy of the first example of `event`.`action` (with an installation if asked)."""
    for candidate in examples(event):
        if candidate.action == action and ("installation" in candidate.payload) == installed:
            copied: dict[str, Any] = json.loads(json.dumps(candidate.payload))
            return copied
    raise LookupError(f"no example of {event}.{action} (installed={installed})")


def deliver(
    url: str,
    event: str,
    body: bytes | dict[str, Any],
    *,
    delivery: str | None = None,
    secret: str = WEBHOOK_SECRET,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """POST a delivery to `url`/webhooks signed as GitHub signs it."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/test",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(raw, secret),
        **(headers or {}),
    }
    return http_client().post(f"{url}/webhooks", content=raw, headers=sent)


@functools.cache
def http_client() -> httpx.Client:
    """One client for the session: a new one per request would load TLS certificates each time."""
    return httpx.Client(timeout=30)


@contextmanager
def rq_worker_burst(redis_url: str, workdir: Path, *queues: str) -> Iterator[None]:
    """Run a real `rq worker --burst` process over `queues` to the end (it exits when empty)."""
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / "rq-worker.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", redis_url, *queues],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        code = process.wait(timeout=120)
        if code != 0:
            raise RuntimeError(f"rq worker exited with {code}:\n{log_path.read_text()}")
        yield
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
