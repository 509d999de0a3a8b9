"""`flow-review worker` as a real process for end-to-end tests, and ways to kill it.

The worker runs with short intervals (heartbeat 1 s, abandoned 2 s after a missed
heartbeat, maintenance every second) so that recovery happens within a test's patience;
production defaults are the CLI's. `kill_all` sends SIGKILL to the worker and every
process under it (its scheduler and its work horse, which rq puts in a process group of
its own): a machine lost mid-review.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import redis
from rq import Worker

from tests.github_app.servers import ROOT, START_TIMEOUT, wait_until, web_environment

FAST_RECOVERY = (
    "--job-monitoring-interval",
    "1",
    "--abandoned-after",
    "2",
    "--maintenance-interval",
    "1",
    "--jobs",
    "1",
)


@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    redis_url: str

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def descendants(self) -> list[int]:
        """Every live process started by the worker, children first found first."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        found: list[int] = []
        pending = [self.process.pid]
        while pending:
            for child in children.get(pending.pop(), []):
                found.append(child)
                pending.append(child)
        return found

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill_all(self) -> None:
        for pid in [self.process.pid, *self.descendants()]:
            with suppress(ProcessLookupError):  # it died meanwhile
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: the current job ends
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill_all()


def worker_environment(
    redis_url: str, app_id: int, private_key: str, github_api_url: str
) -> dict[str, str]:
    return web_environment(
        redis_url,
        APP_ID=str(app_id),
        PRIVATE_KEY=private_key,
        GITHUB_API_URL=github_api_url,
    )


@contextmanager
def worker_process(
    environ: Mapping[str, str],
    workdir: Path,
    name: str,
    *args: str,
) -> Iterator[WorkerProcess]:
    """Start `flow-review worker --name NAME ARGS`, wait until it is registered in rq."""
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"worker-{name}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "flow_review.cli", "worker", "--name", name, *args],
            cwd=ROOT,
            env=dict(environ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = WorkerProcess(name, process, log_path, environ["REDIS_URL"])
    try:
        wait_until(lambda: _registered(worker), f"worker {name}", START_TIMEOUT)
        yield worker
    finally:
        worker.stop()


def _registered(worker: WorkerProcess) -> bool:
    if worker.process.poll() is not None:
        raise RuntimeError(f"worker {worker.name} exited early:\n{worker.log()}")
    with redis.Redis.from_url(worker.redis_url) as client:
        return any(w.name == worker.name for w in Worker.all(connection=client))
