"""Benchmark: `flow-review review` end to end, process start included.

    .venv/bin/python benchmarks/review_bench.py [--runs 7] [--large-runs 3] [--skip-large]
        [--semgrep PATH]

1. A two-language repository of about 250 source files (1.3 MB) made of real
   code: the example marketplace and the clinic fixture (three services each,
   Python, TypeScript and JavaScript), with real library code nobody here
   wrote placed inside their services: Starlette and httpx (Python, from
   PyPI) in the AI engine, TanStack Query's sources (TypeScript), Express and
   axios (JavaScript) from the pinned node corpus in the APIs. Each run is
   `flow-review review --whole-repo --format json` in a fresh process, timed
   from spawn to exit: what a user waits for. With `--semgrep`, semgrep runs
   two timeout rules (Python `requests` and JavaScript `fetch` without a
   timeout) over the same tree in the same run, alternating with our runs, so
   the two compare on one machine's noise (the issue's yardstick: half of
   semgrep's time).
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

# (pinned PyPI release, where it goes inside the AI engine)
PYTHON_PARTS = (
    ("starlette==0.46.2", "services/ai-engine/app/web"),
    ("httpx==0.28.1", "services/ai-engine/app/http"),
)
SOURCE_SUFFIXES = (".py", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs")
# (what, where it comes from under node_modules, where it goes, how many files at most)
NODE_PARTS = (
    ("@tanstack/query-core/src", "services/core-api/src/lib/query", 45),
    ("express/lib", "services/core-api/src/server", 20),
    ("axios/lib", "clinic/services/api/src/http", 72),
    ("bullmq/dist/esm/classes", "services/core-api/src/jobs/queue", 27),
)
SEMGREP_RULES = """\
rules:
  - id: python-requests-without-timeout
    languages: [python]
    severity: WARNING
    message: HTTP call without a timeout
    patterns:
      - pattern-either:
          - pattern: requests.$METHOD(...)
          - pattern: httpx.$METHOD(...)
      - pattern-not: $LIB.$METHOD(..., timeout=$T, ...)
  - id: js-fetch-without-timeout
    languages: [javascript, typescript]
    severity: WARNING
    message: fetch without an abort signal
    patterns:
      - pattern: fetch(...)
      - pattern-not: 'fetch($URL, {..., signal: $S, ...})'
"""


def python_corpus(requirement: str) -> Path:
    """A pinned PyPI package's sources, downloaded once into the user's cache."""
    name = requirement.split("==", maxsplit=1)[0]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    target = cache / "flow-review" / "py-corpus" / requirement.replace("==", "-")
    if (target / name).is_dir():
        return target / name
    target.mkdir(parents=True, exist_ok=True)
    download = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    subprocess.run(
        [*download, requirement, "-d", str(target)], check=True, capture_output=True, text=True
    )
    (wheel,) = target.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target / name


def build_small_repo(dest: Path) -> tuple[int, int]:
    """The ~250-file repository; returns (source files, bytes of source)."""
    shutil.copytree(ROOT / "examples" / "marketplace" / "head", dest)
    shutil.copytree(
        ROOT / "tests" / "fixtures" / "integration" / "clinic" / "base", dest / "clinic"
    )
    for requirement, where in PYTHON_PARTS:
        package = python_corpus(requirement)
        for source in sorted(package.rglob("*.py")):
            target = dest / where / source.relative_to(package)
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


def review_command(repo: Path) -> list[str]:
    return [
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


def semgrep_command(semgrep: str, repo: Path, rules: Path) -> list[str]:
    return [
        semgrep,
        "scan",
        "--config",
        str(rules),
        "--metrics=off",
        "--disable-version-check",
        "--json",
        "--output",
        os.devnull,
        "--quiet",
        str(repo),
    ]


def child_env() -> dict[str, str]:
    """The environment of the timed processes: bytecode is written and reused, as it is for
    an installed tool (pip compiles it at install); PYTHONDONTWRITEBYTECODE would make every
    run compile the project's modules again, about a third of a second here."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def time_once(command: list[str], what: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=child_env())
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{what} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return seconds


def time_import(runs: int) -> list[float]:
    """Process start and imports alone: the floor under every run."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "import flow_review.cli"], check=True, env=child_env()
        )
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
    parser.add_argument("--semgrep", help="a semgrep executable to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="flow-review-review-bench-") as tmp:
        repo = Path(tmp) / "repo"
        count, size = build_small_repo(repo)
        print(f"small repository: {count} source files, {size / 1e6:.2f} MB of source")
        rules = Path(tmp) / "timeout-rules.yml"
        rules.write_text(SEMGREP_RULES)
        time_once(review_command(repo), "flow-review")  # warm-up: bytecode, disk cache
        if args.semgrep:
            time_once(semgrep_command(args.semgrep, repo, rules), "semgrep")
        print(f"  process start + imports: {_spread(time_import(args.runs))}")
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(args.runs):  # alternating, so both see the same load
            ours.append(time_once(review_command(repo), "flow-review"))
            if args.semgrep:
                theirs.append(time_once(semgrep_command(args.semgrep, repo, rules), "semgrep"))
        print(f"  whole-repo review, end to end: {_spread(ours)}")
        if theirs:
            print(f"  semgrep, two timeout rules: {_spread(theirs)}")
            ratio = statistics.median(ours) / statistics.median(theirs)
            print(f"  ratio of medians (flow-review / semgrep): {ratio:.2f}")
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
