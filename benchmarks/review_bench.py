"""Benchmark: `flow-review review` end to end, process start included.

    .venv/bin/python benchmarks/review_bench.py [--runs 7] [--large-runs 3] [--skip-large]

1. A two-language repository of about 250 source files (1.3 MB) made of real
   code: the example marketplace and the clinic fixture (three services each,
   Python, TypeScript and JavaScript), with real library code nobody here
   wrote placed inside their services: Starlette (Python, from PyPI) in the
   AI engine, TanStack Query's sources (TypeScript), Express and axios
   (JavaScript) from the pinned node corpus in the APIs. Each run is
   `flow-review review --whole-repo --format json` in a fresh process, timed
   from spawn to exit: what a user waits for.
2. The generated 5,000-file repository of `engine_bench.py` (diff and
   whole-repo reviews), run through that script.

Prints medians and spreads. Not a test: figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for the corpus installer in tests/

from tests.analyzers.javascript.node_corpus import installed_corpus  # noqa: E402

STARLETTE = "starlette==0.46.2"
SOURCE_SUFFIXES = (".py", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs")
# (what, where it comes from under node_modules, where it goes, how many files at most)
NODE_PARTS = (
    ("@tanstack/query-core/src", "services/core-api/src/lib/query", 45),
    ("express/lib", "services/core-api/src/server", 20),
    ("axios/lib", "clinic/services/api/src/http", 50),
)


def python_corpus() -> Path:
    """Starlette's sources, downloaded once into the user's cache (pinned)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    target = cache / "flow-review" / "py-corpus" / STARLETTE.replace("==", "-")
    if (target / "starlette").is_dir():
        return target / "starlette"
    target.mkdir(parents=True, exist_ok=True)
    download = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    subprocess.run(
        [*download, STARLETTE, "-d", str(target)], check=True, capture_output=True, text=True
    )
    (wheel,) = target.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target / "starlette"


def build_small_repo(dest: Path) -> tuple[int, int]:
    """The ~250-file repository; returns (source files, bytes of source)."""
    shutil.copytree(ROOT / "examples" / "marketplace" / "head", dest)
    shutil.copytree(
        ROOT / "tests" / "fixtures" / "integration" / "clinic" / "base", dest / "clinic"
    )
    starlette = python_corpus()
    for source in sorted(starlette.rglob("*.py")):
        target = dest / "services/ai-engine/app/web" / source.relative_to(starlette)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    node_modules = installed_corpus()
    for part, where, limit in NODE_PARTS:
        origin = node_modules / part
        files = [
            p
            for p in sorted(origin.rglob("*"))
            if p.suffix in SOURCE_SUFFIXES and "__tests__" not in p.parts
        ][:limit]
        for source in files:
            target = dest / where / source.relative_to(origin)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    sources = [p for p in dest.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES]
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "benchmark tree")
    return len(sources), sum(p.stat().st_size for p in sources)


def _git(cwd: Path, *args: str) -> None:
    ident = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run(["git", *ident, *args], cwd=cwd, check=True, capture_output=True)


def time_review(repo: Path, runs: int) -> list[float]:
    command = [
        str(Path(sys.executable).parent / "flow-review"),
        "review",
        "--repo",
        str(repo),
        "--whole-repo",
        "--format",
        "json",
        "--output",
        os.devnull,
    ]
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):
            raise SystemExit(f"review failed ({done.returncode}): {done.stderr.strip()}")
    return seconds


def time_import(runs: int) -> list[float]:
    """Process start and imports alone: the floor under every run."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import flow_review.cli"], check=True)
        seconds.append(time.perf_counter() - started)
    return seconds


def _spread(samples: list[float]) -> str:
    return (
        f"median {statistics.median(samples):.3f} s "
        f"(min {min(samples):.3f}, max {max(samples):.3f}, {len(samples)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--large-runs", type=int, default=3)
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="flow-review-review-bench-") as tmp:
        repo = Path(tmp) / "repo"
        count, size = build_small_repo(repo)
        print(f"small repository: {count} source files, {size / 1e6:.2f} MB of source")
        print(f"  process start + imports: {_spread(time_import(args.runs))}")
        print(f"  whole-repo review, end to end: {_spread(time_review(repo, args.runs))}")
    if not args.skip_large:
        print("generated repository (benchmarks/engine_bench.py):", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "engine_bench.py"),
                "--runs",
                str(args.large_runs),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
