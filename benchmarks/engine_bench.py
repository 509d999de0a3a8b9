"""Benchmark: the engine on a generated 5,000-file repository with a 200-file change.

    .venv/bin/python benchmarks/engine_bench.py [--shape real|dense|both] [--files 5000]
        [--changed 200] [--runs 5] [--jobs N] [--keep DIR]

Two shapes of repository, both two-language and about 5,000 source files:

- `real`: real code at the make-up of `review_bench.py`'s 250-file repository
  (the example services with Starlette, httpx, TanStack Query, Express, axios
  and BullMQ sources placed inside them), copied under `org-NN/` folders until
  there are enough files. Each copy of a file gets a line of its own, so no two
  files are one blob (the engine reads a blob once). About 29 MB: the 250-file
  repository's density, twenty times over.
- `dense`: generated code that is all integration, a stress test: each
  TypeScript file is 20-120 Express routes that each call another service with
  `fetch`, each Python file 20-120 handlers; 56 MB, about 170,000 routes and as
  many outbound calls, and over half a million findings in a whole-repo review.

Each run is a fresh process (so the peak memory is that review's own): it opens
the repository, lists both trees, parses the diff, reads and analyses the
files and runs every registered rule, as `flow-review review` does. Prints the
median and spread of seconds and peak RSS, for a diff review and a whole-repo
review. Files are parsed by one process per CPU, as `flow-review review` does
(`--jobs` overrides); the peak RSS is the reviewing process's, and the largest
worker's is printed beside it. Not a test: figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from review_bench import SOURCE_SUFFIXES, build_small_repo

ROOT = Path(__file__).resolve().parents[1]
SERVICES = 10


def _python_file(rng: random.Random, n: int) -> str:
    lines = ["import logging", "import os", "", "log = logging.getLogger(__name__)", ""]
    for i in range(rng.randint(20, 120)):
        lines += [
            f"def handler_{n}_{i}(payload: dict) -> dict:",
            f'    url = os.getenv("SVC_URL", "http://localhost:{3000 + i % 50}")',
            f'    log.info("handling %s", payload.get("id_{i}"))',
            f"    return {{'ok': True, 'n': {i}}}",
            "",
        ]
    return "\n".join(lines) + "\n"


def _ts_file(rng: random.Random, n: int) -> str:
    lines = ["import express from 'express';", "const router = express.Router();", ""]
    for i in range(rng.randint(20, 120)):
        lines += [
            f"router.get('/items/{n}/{i}', async (req, res) => {{",
            f"  const r = await fetch(`${{process.env.API_URL}}/v1/{i}`);",
            "  res.json(await r.json());",
            "});",
            "",
        ]
    return "\n".join([*lines, "export default router;"]) + "\n"


def generate_dense(dest: Path, files: int, changed: int, seed: int = 7) -> tuple[str, str]:
    rng = random.Random(seed)
    tree: dict[str, bytes] = {}
    for s in range(SERVICES):
        python = s % 2 == 0
        root = f"services/svc-{s}"
        tree[f"{root}/{'requirements.txt' if python else 'package.json'}"] = b"{}\n"
    while len(tree) < files:
        n = len(tree)
        s = n % SERVICES
        root = f"services/svc-{s}"
        if s % 2 == 0:
            tree[f"{root}/app/mod_{n}.py"] = _python_file(rng, n).encode()
        else:
            tree[f"{root}/src/routes/r_{n}.ts"] = _ts_file(rng, n).encode()
    return _commit_with_change(dest, tree, changed, rng)


def generate_real(dest: Path, files: int, changed: int, seed: int = 7) -> tuple[str, str]:
    with tempfile.TemporaryDirectory(prefix="flow-review-bench-small-") as tmp:
        small = Path(tmp) / "small"
        build_small_repo(small)
        one = {
            p.relative_to(small).as_posix(): p.read_bytes()
            for p in sorted(small.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(small).parts
        }
    tree: dict[str, bytes] = {}
    sources = 0
    copy = 0
    while sources < files:
        for path, original in one.items():
            data = original
            if path.endswith(SOURCE_SUFFIXES):
                if sources >= files:
                    continue
                sources += 1
                mark = f"# copy {copy}\n" if path.endswith(".py") else f"// copy {copy}\n"
                data = data + (b"" if data.endswith(b"\n") else b"\n") + mark.encode()
            tree[f"org-{copy:02d}/{path}"] = data
        copy += 1
    return _commit_with_change(dest, tree, changed, random.Random(seed))


def _commit_with_change(
    dest: Path, tree: dict[str, bytes], changed: int, rng: random.Random
) -> tuple[str, str]:
    """Commits `tree`, then a line added to each of `changed` source files; (base, head)."""
    _write_commit(dest, tree, init=True)
    base = _git(dest, "rev-parse", "HEAD")
    sources = sorted(p for p in tree if p.endswith(SOURCE_SUFFIXES))
    for path in rng.sample(sources, changed):
        lines = tree[path].split(b"\n")
        at = rng.randrange(len(lines))
        comment = b"# changed" if path.endswith(".py") else b"// changed"
        tree[path] = b"\n".join([*lines[:at], comment, *lines[at:]])
    _write_commit(dest, tree, init=False)
    return base, _git(dest, "rev-parse", "HEAD")


def _write_commit(dest: Path, tree: dict[str, bytes], init: bool) -> None:
    if init:
        dest.mkdir(parents=True)
        _git(dest, "init", "--quiet")
    for path, data in tree.items():
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    _git(dest, "add", "--all")
    _git(dest, "commit", "--quiet", "-m", "bench")


def _git(cwd: Path, *args: str) -> str:
    ident = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    return subprocess.run(
        ["git", *ident, *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def child(repo: str, base: str | None, head: str, jobs: int | None) -> None:
    """One review in this process; prints seconds and peak RSS as JSON."""
    from analyzers.diff import parse_diff
    from analyzers.engine import ReviewRequest, review
    from flow_review.git import GitRepo
    from flow_review.parallel import process_extraction

    started = time.perf_counter()
    with GitRepo(Path(repo)) as local:
        head_tree = local.snapshot(head)
        base_tree = local.snapshot(base) if base else None
        changes = parse_diff(local.diff(base, head)) if base else ()
        result = review(
            ReviewRequest(head=head_tree, base=base_tree, changes=changes),
            extract_many=process_extraction(jobs),
        )
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    worker_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak_kib / 1024,
                "worker_peak_mib": worker_kib / 1024,
                "files_analyzed": result.stats.files_analyzed,
                "changes": len(result.changes),
                "findings": len(result.findings),
            }
        )
    )


def measure(
    repo: Path, base: str | None, head: str, runs: int, jobs: int | None
) -> list[dict[str, float]]:
    out = []
    for _ in range(runs):
        args = [sys.executable, __file__, "--child", str(repo), base or "-", head]
        if jobs is not None:
            args += ["--jobs", str(jobs)]
        result = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT)
        out.append(json.loads(result.stdout))
    return out


def _summary(name: str, samples: list[dict[str, float]]) -> str:
    secs = [s["seconds"] for s in samples]
    mem = [s["peak_mib"] for s in samples]
    workers = [s["worker_peak_mib"] for s in samples]
    return (
        f"{name:<14} median {statistics.median(secs):.3f} s "
        f"(min {min(secs):.3f}, max {max(secs):.3f}), "
        f"peak RSS median {statistics.median(mem):.0f} MiB "
        f"(largest worker {statistics.median(workers):.0f} MiB); files analysed "
        f"{samples[0]['files_analyzed']:.0f}, changed files {samples[0]['changes']:.0f}, "
        f"findings {samples[0]['findings']:.0f}"
    )


GENERATORS = {"real": generate_real, "dense": generate_dense}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", choices=[*GENERATORS, "both"], default="both")
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--changed", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, help="parsing processes (default: one per CPU)")
    parser.add_argument("--keep", type=Path, help="generate the repositories under here, kept")
    parser.add_argument("--child", nargs=3, metavar=("REPO", "BASE", "HEAD"))
    args = parser.parse_args()
    if args.child:
        repo, base, head = args.child
        child(repo, None if base == "-" else base, head, args.jobs)
        return
    shapes = list(GENERATORS) if args.shape == "both" else [args.shape]
    with tempfile.TemporaryDirectory(prefix="flow-review-bench-") as tmp:
        for shape in shapes:
            repo = (args.keep or Path(tmp)) / shape
            started = time.perf_counter()
            base, head = GENERATORS[shape](repo, args.files, args.changed)
            sources = [
                p
                for p in repo.rglob("*")
                if p.is_file() and ".git" not in p.parts and p.name.endswith(SOURCE_SUFFIXES)
            ]
            size = sum(p.stat().st_size for p in sources)
            print(
                f"{shape}: {len(sources)} source files ({size / 1e6:.1f} MB), "
                f"{args.changed} changed, generated in {time.perf_counter() - started:.1f} s; "
                f"{args.runs} runs each"
            )
            print(f"  base {base}, head {head}", flush=True)
            diff = measure(repo, base, head, args.runs, args.jobs)
            print(_summary("  diff review", diff), flush=True)
            whole = measure(repo, None, head, args.runs, args.jobs)
            print(_summary("  whole repo", whole), flush=True)


if __name__ == "__main__":
    main()
