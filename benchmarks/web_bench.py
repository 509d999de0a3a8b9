"""Benchmark: the web process receiving signed `pull_request` deliveries.

    .venv/bin/python benchmarks/web_bench.py [--runs 3] [--seconds 10] [--warmup 2]
        [--connections 16]

Starts a redis-server and one web process (`flow-review serve`: uvicorn, one process,
uvloop and httptools, access log off, the app's one log line per delivery to a file), then
runs a load generator in a separate process: Python asyncio over raw sockets with
keep-alive, `--connections` connections on loopback, each sending the largest real
`pull_request` example that the app reviews (25 KB), signed, with a unique
`X-GitHub-Delivery` and a unique pull request number, so every delivery goes through
signature check, parsing, routing, dedupe and enqueue and queues its own job. Prints
requests/s, p50 and p99 latency and the CPU each process spent per delivery, for each run
and their medians, and checks that the rq queue holds exactly as many jobs as deliveries
were accepted. `--baseline` measures, before each run and the same way, an app that only
verifies the signature and parses the JSON: for scale when the machine is busy.

The load generator shares the machine's cores with the server and Redis: that is part of
the measurement conditions. Not a test: figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "data" / "github-webhook-examples" / "pull_request.json"
SECRET = "benchmark-webhook-secret"
REVIEWED = ("opened", "reopened", "synchronize", "ready_for_review")
_NUMBER_MARK = 987654321


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _payload_template() -> tuple[bytes, bytes]:
    """The largest reviewed example, split where its pull request number goes."""
    payloads = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    candidates = [p for p in payloads if p.get("action") in REVIEWED and "installation" in p]
    payload = max(candidates, key=lambda p: len(json.dumps(p)))
    payload["number"] = _NUMBER_MARK
    text = json.dumps(payload).encode()
    mark = f'"number": {_NUMBER_MARK}'.encode()
    assert text.count(mark) == 1
    before, after = text.split(mark)
    return before + b'"number": ', after


# --- The load generator (runs in its own process) -------------------------------------------


async def _connection(
    port: int, template: tuple[bytes, bytes], numbers: list[int], until: float, record_from: float
) -> dict[str, Any]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    secret = SECRET.encode()
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    accepted = 0
    try:
        while time.perf_counter() < until:
            numbers[0] += 1
            body = template[0] + str(numbers[0]).encode() + template[1]
            signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
            head = (
                f"POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Content-Type: application/json\r\nUser-Agent: GitHub-Hookshot/bench\r\n"
                f"X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: {uuid.uuid4()}\r\n"
                f"X-Hub-Signature-256: sha256={signature}\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            writer.write(head + body)
            response_head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in response_head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            response_body = await reader.readexactly(length)
            finished = time.perf_counter()
            status = response_head[9:12].decode()
            statuses[status] = statuses.get(status, 0) + 1
            if status == "202" and b'"state":"queued"' in response_body:
                accepted += 1
            if started >= record_from:
                latencies.append(finished - started)
    finally:
        writer.close()
    return {"latencies": latencies, "statuses": statuses, "accepted": accepted}


async def _generate(port: int, connections: int, seconds: float, warmup: float) -> dict[str, Any]:
    template = _payload_template()
    numbers = [1000]
    start, cpu_start = time.perf_counter(), time.process_time()
    record_from, until = start + warmup, start + warmup + seconds
    results = await asyncio.gather(
        *(_connection(port, template, numbers, until, record_from) for _ in range(connections))
    )
    cpu = time.process_time() - cpu_start
    latencies = sorted(latency for result in results for latency in result["latencies"])
    statuses: dict[str, int] = {}
    for result in results:
        for status, count in result["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / seconds,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "statuses": statuses,
        "accepted": sum(result["accepted"] for result in results),
        "body_bytes": len(template[0]) + len(template[1]) + 4,
        "generator_cpu_us": 1e6 * cpu / sum(statuses.values()),
    }


def _run_generator(args: argparse.Namespace) -> int:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(_generate(args.port, args.connections, args.seconds, args.warmup))
    print(json.dumps(result))
    return 0


# --- The driver: servers up, runs, figures --------------------------------------------------


def _wait(condition: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"web_bench: gave up waiting for {what}")
        time.sleep(0.05)


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux), 0.0 where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _answers(port: int, request: bytes) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(request)
            return sock.recv(64).startswith((b"+PONG", b"HTTP/1.1 200"))
    except OSError:
        return False


def _serve_baseline(port: int) -> int:
    """For scale: a Starlette app that only checks the signature and parses the whole JSON
    (no routing, no Redis), under the same uvicorn settings as `flow-review serve`."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    secret = SECRET.encode()

    async def webhooks(request: Request) -> Response:
        body = await request.body()
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        given = request.headers.get("x-hub-signature-256", "")
        if not hmac.compare_digest(expected.encode(), given.encode()):
            return JSONResponse({"error": "signature"}, status_code=401)
        json.loads(body)
        return JSONResponse({"status": "accepted", "jobs": [{"state": "queued"}]}, 202)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    app = Starlette(
        routes=[Route("/webhooks", webhooks, methods=["POST"]), Route("/healthz", healthz)]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")
    return 0


def _measure(args: argparse.Namespace, port: int, pids: dict[str, int]) -> dict[str, Any]:
    """One run of the load generator against `port`, with the CPU the `pids` spent."""
    before = {name: _cpu_seconds(pid) for name, pid in pids.items()}
    done = subprocess.run(
        [
            *(sys.executable, __file__, "--generate", "--port", str(port)),
            *("--connections", str(args.connections), "--seconds", str(args.seconds)),
            *("--warmup", str(args.warmup)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    sent = sum(result["statuses"].values())
    result["cpu_us"] = {
        name: 1e6 * (_cpu_seconds(pid) - before[name]) / sent for name, pid in pids.items()
    }
    result["cpu_us"]["load generator"] = result["generator_cpu_us"]
    return result


def _line(result: dict[str, Any]) -> str:
    cpu = ", ".join(f"{name} {us:.0f} us" for name, us in result["cpu_us"].items())
    return (
        f"{result['per_second']:7.0f} deliveries/s  p50 {result['p50_ms']:5.2f} ms  "
        f"p99 {result['p99_ms']:5.2f} ms  statuses {result['statuses']}\n"
        f"        CPU per delivery: {cpu}"
    )


def _median_line(label: str, runs: list[dict[str, Any]]) -> str:
    return (
        f"{label}: {statistics.median(r['per_second'] for r in runs):.0f} deliveries/s, "
        f"p50 {statistics.median(r['p50_ms'] for r in runs):.2f} ms, "
        f"p99 {statistics.median(r['p99_ms'] for r in runs):.2f} ms, web process CPU "
        f"{statistics.median(r['cpu_us']['web process'] for r in runs):.0f} us per delivery"
    )


def _start(command: list[str], log_path: Path, environ: dict[str, str]) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="before each run, measure the same way an app that only verifies and parses",
    )
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-baseline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        return _run_generator(args)
    if args.serve_baseline:
        return _serve_baseline(args.port)

    import redis

    with tempfile.TemporaryDirectory(prefix="web-bench-") as tmp:
        redis_port, web_port, baseline_port = _free_port(), _free_port(), _free_port()
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        environ = {**os.environ, "APP_ID": "1", "WEBHOOK_SECRET": SECRET, "REDIS_URL": redis_url}
        processes = [
            _start(
                [
                    *("redis-server", "--port", str(redis_port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--dir", tmp),
                ],
                Path(tmp) / "redis.log",
                environ,
            ),
            _start(
                [sys.executable, "-m", "flow_review.cli", "serve", "--port", str(web_port)],
                Path(tmp) / "web.log",
                environ,
            ),
        ]
        if args.baseline:
            processes.append(
                _start(
                    [sys.executable, __file__, "--serve-baseline", "--port", str(baseline_port)],
                    Path(tmp) / "baseline.log",
                    environ,
                )
            )
        try:
            healthz = b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"
            _wait(lambda: _answers(redis_port, b"PING\r\n"), "redis-server")
            _wait(lambda: _answers(web_port, healthz), "the web process")
            if args.baseline:
                _wait(lambda: _answers(baseline_port, healthz), "the baseline app")
            client = redis.Redis.from_url(redis_url)
            runs, baselines = [], []
            for run in range(1, args.runs + 1):
                if args.baseline:
                    baseline = _measure(args, baseline_port, {"web process": processes[2].pid})
                    print(f"baseline {run}: {_line(baseline)}", flush=True)
                    baselines.append(baseline)
                client.flushall()
                result = _measure(
                    args,
                    web_port,
                    {"web process": processes[1].pid, "redis-server": processes[0].pid},
                )
                queued = int(client.llen("rq:queue:flow-review"))
                check = "ok" if queued == result["accepted"] else "MISMATCH"
                print(
                    f"run {run}:      {_line(result)}\n        queued {queued} jobs, accepted "
                    f"{result['accepted']} deliveries: {check}",
                    flush=True,
                )
                runs.append(result)
                if check != "ok":
                    return 1
            print(
                f"median of {len(runs)} runs of {args.seconds:.0f} s, {args.connections} "
                f"connections, {runs[0]['body_bytes']}-byte pull_request payload"
            )
            if baselines:
                print(_median_line("  baseline (verify + parse only)", baselines))
            print(_median_line("  flow-review serve", runs))
        finally:
            for process in reversed(processes):
                process.terminate()
                process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
