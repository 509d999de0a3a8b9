"""Benchmark: the Python analyzer over every `.py` file of a site-packages folder.

    .venv/bin/python benchmarks/python_bench.py [--path DIR] [--runs 3] [--profile 25]

Real code no one here wrote, all of it: the files are read into memory first
(a `MemorySnapshot` under `sp/`, with an `sp/requirements.txt` so that they
form a service), then, in this one process (one core), each run

  * extracts: `FileAnalyzer.analyze` on every file, as the engine calls it
    (decode, the text prefilter, the libcst parse, the fact families, the
    parser's skip reasons), with a fresh fact cache so nothing is reused;
  * evaluates: the default composers and every registered rule over those
    facts, as a whole-repository review does.

Prints the median (and spread) of both, files/s and lines/s, and what the
files gave: how many passed the prefilter, were parsed, produced facts, were
skipped and why, the facts by kind and the findings by rule. `--profile N`
runs one more extraction under cProfile and prints where the time goes.
Unlike a review, files under `build/`, `vendor/` and the like are analysed
too: the point is every file. Not a test: figures, not assertions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import sysconfig
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzers.cache import MemoryFactCache
from analyzers.config import Config
from analyzers.context import FactSet, ReviewContext
from analyzers.extract import FileAnalyzer, decode
from analyzers.facts import FileFacts, Finding, SkippedFile
from analyzers.python.prefilter import may_hold_facts
from analyzers.registry import DEFAULT_COMPOSERS, default_extractors
from analyzers.rules import ALL_RULES
from analyzers.services import ServiceMap, manifest_reader, resolve_services
from analyzers.snapshot import MemorySnapshot

TARGET_LINES_PER_SECOND = 20_000
_NEWLINE = re.compile(r"\r\n|\r|\n")
_DIGITS = re.compile(r"\d+")


@dataclass
class Corpus:
    root: Path
    snapshot: MemorySnapshot
    paths: list[str]  # snapshot paths of the .py files, sorted
    lines: dict[str, int]  # lines per file that decodes; 0 for the others
    prefiltered: set[str]  # files whose text passes the prefilter
    service_map: ServiceMap
    config: Config


@dataclass
class Extraction:
    seconds: float
    files: list[FileFacts]
    skipped: list[SkippedFile]
    per_file: dict[str, float]  # seconds per file, for the split by prefilter outcome


def load(root: Path) -> Corpus:
    data: dict[str, bytes] = {}
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in names:
            file = Path(folder, name)
            if name.endswith(".py") and file.is_file() and not file.is_symlink():
                data["sp/" + file.relative_to(root).as_posix()] = file.read_bytes()
    paths = sorted(data)
    snapshot = MemorySnapshot({**data, "sp/requirements.txt": b"# site-packages\n"})
    config = Config()
    lines: dict[str, int] = {}
    prefiltered: set[str] = set()
    for path in paths:
        text, _ = decode(data[path], config.max_file_size)
        lines[path] = len(_NEWLINE.split(text)) if text is not None else 0
        if text is not None and may_hold_facts(path, text):
            prefiltered.add(path)
    entries = snapshot.entries()
    service_map = resolve_services(
        config, entries.keys(), manifest_reader([(entries, snapshot.read)])
    )
    return Corpus(root, snapshot, paths, lines, prefiltered, service_map, config)


def extract(corpus: Corpus) -> Extraction:
    analyzer = FileAnalyzer(default_extractors(), MemoryFactCache(), corpus.config.max_file_size)
    entries = corpus.snapshot.entries()
    owner = corpus.service_map.owner
    files: list[FileFacts] = []
    skipped: list[SkippedFile] = []
    per_file: dict[str, float] = {}
    clock = time.perf_counter
    started = clock()
    for path in corpus.paths:
        begun = clock()
        facts, skip = analyzer.analyze(corpus.snapshot, entries[path], owner(path))
        per_file[path] = clock() - begun
        if facts is not None and facts.error is None:
            files.append(facts)
        if skip is not None:
            skipped.append(skip)
    return Extraction(clock() - started, files, skipped, per_file)


def evaluate(corpus: Corpus, files: Sequence[FileFacts]) -> tuple[float, list[Finding]]:
    """Composers and every rule over the facts, as `engine.review` runs them for a whole repo."""
    started = time.perf_counter()
    composed: Sequence[FileFacts] = files
    for compose in DEFAULT_COMPOSERS:
        composed = compose(composed)
    ctx = ReviewContext(
        config=corpus.config,
        service_map=corpus.service_map,
        changes=(),
        whole_repo=True,
        head=FactSet(tuple(composed)),
        base=FactSet(),
    )
    findings = [finding for rule in ALL_RULES for finding in rule().check(ctx)]
    return time.perf_counter() - started, findings


def _spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"
    )


def report(
    corpus: Corpus, runs: list[Extraction], rule_seconds: list[float], findings: list[Finding]
) -> None:
    first = runs[0]
    total_lines = sum(corpus.lines.values())
    size = sum(e.size or 0 for p, e in corpus.snapshot.entries().items() if p in corpus.lines)
    parsed = [f for f in first.files if f.path in corpus.prefiltered]
    parsed_lines = sum(corpus.lines[f.path] for f in parsed)
    with_facts = [f for f in first.files if f.facts]
    pct = 100 * len(corpus.prefiltered) / max(1, len(corpus.paths))
    pct_lines = 100 * sum(corpus.lines[p] for p in corpus.prefiltered) / max(1, total_lines)
    seconds = statistics.median(r.seconds for r in runs)
    rules = statistics.median(rule_seconds)

    print(f"{corpus.root}: {len(corpus.paths)} .py files, {total_lines} lines, {size / 1e6:.1f} MB")
    print(
        f"passed the text prefilter: {len(corpus.prefiltered)} files ({pct:.1f} %), "
        f"{pct_lines:.1f} % of lines"
    )
    print(f"parsed by libcst:          {len(parsed)} files, {parsed_lines} lines")
    print(f"produced facts:            {len(with_facts)} files")
    print(f"skipped:                   {len(first.skipped)} files")
    reasons = Counter(_DIGITS.sub("N", s.reason) for s in first.skipped)
    for reason, count in reasons.most_common(8):
        print(f"  {count:5d}  {reason}")
    kinds = Counter(type(fact).__name__ for f in first.files for fact in f.facts)
    print("facts by kind:    " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    rules_hit = Counter(f.rule for f in findings)
    print("findings by rule: " + ", ".join(f"{k} {n}" for k, n in sorted(rules_hit.items())))
    print()
    print(f"extraction ({len(runs)} runs, one process): {_spread([r.seconds for r in runs])}")
    print(f"  {len(corpus.paths) / seconds:,.0f} files/s, {total_lines / seconds:,.0f} lines/s")
    passed = [statistics.median(r.per_file[p] for r in runs) for p in corpus.prefiltered]
    passed_lines = sum(corpus.lines[p] for p in corpus.prefiltered)
    if passed:
        print(
            f"  files that passed the prefilter: {sum(passed):.2f} s, "
            f"{passed_lines / sum(passed):,.0f} lines/s (service code, which mostly passes, "
            "runs at about this rate)"
        )
        rest = seconds - sum(passed)
        print(
            f"  files the prefilter turned away: {rest:.2f} s, "
            f"{(total_lines - passed_lines) / max(rest, 1e-9):,.0f} lines/s"
        )
    print(f"rules + composers: {_spread(rule_seconds)}")
    both = seconds + rules
    verdict = "met" if total_lines / both >= TARGET_LINES_PER_SECOND else "NOT met"
    print(
        f"extraction + rules: {both:.2f} s, {len(corpus.paths) / both:,.0f} files/s, "
        f"{total_lines / both:,.0f} lines/s (target {TARGET_LINES_PER_SECOND:,}: {verdict})"
    )


# Where the time of one extraction goes: (label, file suffix, function name).
STAGES = (
    ("text prefilter", "analyzers/python/prefilter.py", "may_hold_facts"),
    ("libcst parse", "libcst/_parser/entrypoints.py", "parse_module"),
    ("module walk (PyModule)", "analyzers/python/module.py", "__init__"),
    ("observability family", "analyzers/python/observability.py", "extract"),
    ("http family", "analyzers/python/http.py", "extract"),
    ("errors family", "analyzers/python/errors.py", "extract"),
    ("webhooks family", "analyzers/python/webhooks.py", "extract"),
    ("jobs family", "analyzers/python/jobs.py", "extract"),
    ("routes family", "analyzers/python/routes.py", "extract"),
    ("models family", "analyzers/python/models.py", "extract"),
    ("  of which line index", "analyzers/python/syntax.py", "_build"),
    ("  of which code_for_node", "libcst/_nodes/module.py", "code_for_node"),
    ("  of which name resolution", "analyzers/python/module.py", "resolve"),
)


def profile(corpus: Corpus, top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    extract(corpus)
    profiler.disable()
    stats = pstats.Stats(profiler)
    table: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    table = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in table.values())
    print(f"\nprofile of one extraction (cProfile, {total:.2f} s with its overhead):")

    def cumulative(suffix: str, name: str) -> tuple[float, int]:
        found = [
            (ct, nc)
            for (file, _, func), (_, nc, _, ct, _) in table.items()
            if func == name and file.replace(os.sep, "/").endswith(suffix)
        ]
        return (max(ct for ct, _ in found), sum(nc for _, nc in found)) if found else (0.0, 0)

    for label, suffix, name in STAGES:
        seconds, calls = cumulative(suffix, name)
        print(f"  {label:<30} {seconds:7.2f} s {100 * seconds / total:5.1f} %  {calls:>9,} calls")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print(f"\ntop {top} functions by own time:")
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    print("\n".join(line for line in lines[start:] if line.strip()))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--path", type=Path, default=Path(sysconfig.get_paths()["purelib"]))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="top N functions")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    corpus = load(args.path.resolve())
    print(f"loaded in {time.perf_counter() - started:.1f} s; {args.runs} runs")
    runs: list[Extraction] = []
    rule_seconds: list[float] = []
    findings: list[Finding] = []
    for _ in range(args.runs):
        run = extract(corpus)
        seconds, findings = evaluate(corpus, run.files)
        runs.append(run)
        rule_seconds.append(seconds)
    report(corpus, runs, rule_seconds, findings)
    if args.profile:
        profile(corpus, args.profile)


if __name__ == "__main__":
    main()
