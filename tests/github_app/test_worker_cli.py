"""`flow-review worker` refuses to start without its settings or its Redis: one line, exit 2."""

from __future__ import annotations

import subprocess
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.github_app.servers import ROOT, free_port, web_environment


def private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def worker(environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flow_review.cli", "worker", "--burst"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_missing_setting_stops_the_worker_with_a_line_naming_it() -> None:
    environ = web_environment(f"redis://127.0.0.1:{free_port()}/0", PRIVATE_KEY=private_key())
    del environ["WEBHOOK_SECRET"]

    finished = worker(environ)

    assert finished.returncode == 2
    assert finished.stderr == "flow-review: error: WEBHOOK_SECRET is not set\n"
    assert finished.stdout == ""


def test_an_unreachable_redis_stops_the_worker_with_one_line() -> None:
    environ = web_environment(f"redis://127.0.0.1:{free_port()}/0", PRIVATE_KEY=private_key())

    finished = worker(environ)

    assert finished.returncode == 2
    [line] = finished.stderr.splitlines()
    assert line.startswith("flow-review: error: Redis is unreachable: ")
    assert "Traceback" not in finished.stderr
