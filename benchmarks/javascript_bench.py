"""Benchmark: the JavaScript/TypeScript analyzer over every script of a pinned npm tree.

    .venv/bin/python benchmarks/javascript_bench.py [--path NODE_MODULES] [--runs 3] [--profile 25]

The tree is `tests/data/node-corpus` (next, react, express, axios, stripe,
bullmq, supabase-js, zod, typescript and what they pull in), installed outside
the repository by `tests/analyzers/javascript/node_corpus.py` when missing
(`--path` takes any node_modules folder instead). Every .js .jsx .mjs .cjs .ts
.tsx .mts .cts file of it is read into memory first (a `MemorySnapshot` under
`nm/`, vendored folder names such as `dist/` renamed so the engine does not
leave them out, with an `nm/package.json` so that they form a service), then,
in this one process (one core), each run

  * extracts: `FileAnalyzer.analyze` on every file, as the engine calls it
    (decode, the text prefilter, the tree-sitter parse and query, the fact
    families), with a fresh fact cache so nothing is reused;
  * evaluates: the default composers and every registered rule over those
    facts, as a whole-repository review does;
  * parses only: tree-sitter on the same bytes with no Python on top, once every
    readable file and once the files the extractor parsed, those also with the
    module's query run, for what the analyzer costs beyond the C parser.

Times are CPU seconds of this process (`time.process_time`), which other
processes on a busy machine do not inflate; the extraction's elapsed time is
printed beside them. Prints the median (and spread) of each, files/s and
lines/s, and what the files gave: how many passed the prefilter, were parsed,
had syntax errors, produced facts, were read in part or skipped and why, the
facts by kind and the findings by rule. `--profile N` runs one more extraction under cProfile
and prints where the time goes. Not a test: figures, not assertions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import tree_sitter as ts

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for the corpus installer in tests/

from analyzers import javascript  # noqa: E402
from analyzers.cache import MemoryFactCache  # noqa: E402
from analyzers.config import Config  # noqa: E402
from analyzers.context import FactSet, ReviewContext  # noqa: E402
from analyzers.extract import FileAnalyzer, decode  # noqa: E402
from analyzers.facts import FileFacts, Finding, SkippedFile  # noqa: E402
from analyzers.javascript.module import JsModule, _query  # noqa: E402
from analyzers.javascript.parsing import dialect, parser_for  # noqa: E402
from analyzers.javascript.prefilter import may_hold_facts  # noqa: E402
from analyzers.registry import DEFAULT_COMPOSERS, default_extractors  # noqa: E402
from analyzers.rules import ALL_RULES  # noqa: E402
from analyzers.services import ServiceMap, manifest_reader, resolve_services  # noqa: E402
from analyzers.snapshot import MemorySnapshot  # noqa: E402
from tests.analyzers.javascript.node_corpus import installed_corpus, script_files  # noqa: E402
from tests.analyzers.javascript.real_code import MANIFEST, MANIFEST_TEXT, engine_path  # noqa: E402

TARGET_LINES_PER_SECOND = 100_000
_NEWLINE = re.compile(r"\r\n|\r|\n")
_DIGITS = re.compile(r"\d+")


@dataclass
class Corpus:
    root: Path
    snapshot: MemorySnapshot
    paths: list[str]  # snapshot paths of the scripts, sorted
    lines: dict[str, int]  # lines per file that decodes; 0 for the others
    readable: dict[str, bytes]  # files that decode, as the parser gets them
    prefiltered: set[str]  # files whose text passes the prefilter
    service_map: ServiceMap
    config: Config


@dataclass
class Extraction:
    seconds: float
    files: list[FileFacts]
    skipped: list[SkippedFile]
    per_file: dict[str, float]  # seconds per file, for the split by parsed or not
    parsed: set[str]  # files the extractor parsed (passed its prefilter, or a route file)
    wall: float = 0.0  # elapsed seconds; above it the process waited for a core


class _Recorder:
    """Records the paths `JsModule` is made for, whatever the extractor's gate is."""

    def __init__(self) -> None:
        self.paths: set[str] = set()

    def __call__(self, path: str, source: bytes, language: str) -> JsModule:
        self.paths.add(path)
        return JsModule(path, source, language)


def load(root: Path) -> Corpus:
    data = {engine_path(rel): (root / rel).read_bytes() for rel in script_files(root)}
    paths = sorted(data)
    snapshot = MemorySnapshot({**data, MANIFEST: MANIFEST_TEXT})
    config = Config()
    lines: dict[str, int] = {}
    readable: dict[str, bytes] = {}
    prefiltered: set[str] = set()
    for path in paths:
        text, _ = decode(data[path], config.max_file_size)
        lines[path] = len(_NEWLINE.split(text)) if text is not None else 0
        if text is not None:
            readable[path] = data[path]
            if may_hold_facts(text):
                prefiltered.add(path)
    entries = snapshot.entries()
    service_map = resolve_services(
        config, entries.keys(), manifest_reader([(entries, snapshot.read)])
    )
    return Corpus(root, snapshot, paths, lines, readable, prefiltered, service_map, config)


def extract(corpus: Corpus) -> Extraction:
    analyzer = FileAnalyzer(default_extractors(), MemoryFactCache(), corpus.config.max_file_size)
    entries = corpus.snapshot.entries()
    owner = corpus.service_map.owner
    files: list[FileFacts] = []
    skipped: list[SkippedFile] = []
    per_file: dict[str, float] = {}
    recorder = _Recorder()
    namespace = vars(javascript)  # the name the extractor calls
    namespace["JsModule"] = recorder
    clock = time.process_time
    try:
        wall = time.perf_counter()
        started = clock()
        for path in corpus.paths:
            begun = clock()
            facts, skip = analyzer.analyze(corpus.snapshot, entries[path], owner(path))
            per_file[path] = clock() - begun
            if facts is not None and facts.error is None:
                files.append(facts)
            if skip is not None:
                skipped.append(skip)
        seconds = clock() - started
        wall = time.perf_counter() - wall
    finally:
        namespace["JsModule"] = JsModule
    return Extraction(seconds, files, skipped, per_file, recorder.paths, wall)


def evaluate(corpus: Corpus, files: Sequence[FileFacts]) -> tuple[float, list[Finding]]:
    """Composers and every rule over the facts, as `engine.review` runs them for a whole repo."""
    started = time.process_time()
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
    return time.process_time() - started, findings


def parse_only(corpus: Corpus, paths: Sequence[str], query: bool) -> tuple[float, set[str]]:
    """tree-sitter alone on `paths` (and the module's query, with `query`): seconds, and the
    files whose tree has a syntax error."""
    broken: set[str] = set()
    work = [(path, corpus.readable[path], parser_for(dialect(path))) for path in paths]
    queries = {name: _query(name) for name in ("javascript", "typescript", "tsx")}
    started = time.process_time()
    for path, data, parser in work:
        tree = parser.parse(data)
        if query:
            ts.QueryCursor(queries[dialect(path)]).captures(tree.root_node)
        if tree.root_node.has_error:
            broken.add(path)
    return time.process_time() - started, broken


def _spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"
    )


def _rate(files: int, lines: int, seconds: float) -> str:
    seconds = max(seconds, 1e-9)
    return f"{files / seconds:,.0f} files/s, {lines / seconds:,.0f} lines/s"


@dataclass
class ParseTimes:
    all_files: list[float]
    parsed: list[float]
    parsed_query: list[float]
    broken: set[str]


def report(
    corpus: Corpus,
    runs: list[Extraction],
    rule_seconds: list[float],
    findings: list[Finding],
    parsing: ParseTimes,
) -> None:
    first = runs[0]
    files = len(corpus.paths)
    total_lines = sum(corpus.lines.values())
    size = sum(e.size or 0 for p, e in corpus.snapshot.entries().items() if p in corpus.lines)
    suffixes = Counter(Path(p).suffix for p in corpus.paths)
    pct = 100 * len(corpus.prefiltered) / max(1, files)
    pct_lines = 100 * sum(corpus.lines[p] for p in corpus.prefiltered) / max(1, total_lines)
    parsed_lines = sum(corpus.lines[p] for p in first.parsed)
    with_facts = [f for f in first.files if f.facts]
    partial = [f for f in first.files if f.partial]
    seconds = statistics.median(r.seconds for r in runs)
    rules = statistics.median(rule_seconds)

    print(
        f"{corpus.root}: {files} scripts "
        f"({', '.join(f'{s} {n}' for s, n in sorted(suffixes.items()))}), "
        f"{total_lines:,} lines, {size / 1e6:.1f} MB"
    )
    print(
        f"passed the text prefilter: {len(corpus.prefiltered)} files ({pct:.1f} %), "
        f"{pct_lines:.1f} % of lines"
    )
    print(f"parsed by tree-sitter:     {len(first.parsed)} files, {parsed_lines:,} lines")
    print(
        f"  with syntax errors:      {len(parsing.broken & first.parsed)} of them "
        f"({len(parsing.broken)} of all readable files)"
    )
    print(f"produced facts:            {len(with_facts)} files")
    print(f"read in part (partial):    {len(partial)} files")
    for reason, count in Counter(_DIGITS.sub("N", f.partial or "") for f in partial).most_common(5):
        print(f"  {count:5d}  {reason}")
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
    print(f"  {_rate(files, total_lines, seconds)}")
    walls = [r.wall for r in runs]
    print(f"  elapsed: {_spread(walls)} (more than CPU time: other processes had the core)")
    fastest = min(r.seconds for r in runs)
    print(f"  fastest run: {_rate(files, total_lines, fastest)}")
    parsed = [statistics.median(r.per_file[p] for r in runs) for p in first.parsed]
    if parsed:
        print(
            f"  files it parsed:     {sum(parsed):6.2f} s, "
            f"{_rate(len(parsed), parsed_lines, sum(parsed))}"
        )
        rest = seconds - sum(parsed)
        print(
            f"  files it turned away: {rest:5.2f} s, "
            f"{_rate(files - len(parsed), total_lines - parsed_lines, rest)}"
        )
    print(f"rules + composers: {_spread(rule_seconds)}")
    print(f"  {_rate(files, total_lines, rules)}")
    both = seconds + rules
    verdict = "met" if total_lines / both >= TARGET_LINES_PER_SECOND else "NOT met"
    print(
        f"extraction + rules: {both:.2f} s, {_rate(files, total_lines, both)} "
        f"(target {TARGET_LINES_PER_SECOND:,} lines/s: {verdict})"
    )
    readable_lines = sum(corpus.lines[p] for p in corpus.readable)
    print("tree-sitter alone on the same bytes, for comparison:")
    for label, values, count, lines in (
        ("parse, every readable file", parsing.all_files, len(corpus.readable), readable_lines),
        ("parse, the files it parsed", parsing.parsed, len(parsed), parsed_lines),
        ("parse + query, the files it parsed", parsing.parsed_query, len(parsed), parsed_lines),
    ):
        median = statistics.median(values)
        print(f"  {label:<35} {_spread(values)}, {_rate(count, lines, median)}")


# Where the time of one extraction goes: (label, file suffix, function name); a file of "~"
# is a builtin (C) function, named as cProfile names it. The families are added from
# `analyzers.javascript.FAMILIES`, whichever there are.
STAGES = (
    ("text prefilter", "analyzers/javascript/prefilter.py", "may_hold_facts"),
    ("decode (bytes to str)", "analyzers/extract.py", "decode"),
    ("JavaScriptExtractor.extract", "analyzers/javascript/__init__.py", "extract"),
    ("  str.encode back to bytes", "~", "<method 'encode' of 'str' objects>"),
    ("  JsModule.__init__", "analyzers/javascript/module.py", "__init__"),
    ("    tree-sitter parse", "~", "<method 'parse' of 'tree_sitter.Parser' objects>"),
    ("    query captures", "~", "<method 'captures' of 'tree_sitter.QueryCursor' objects>"),
    ("    imports and declarators", "analyzers/javascript/module.py", "_declarator"),
)
DETAILS = (
    ("  of which name resolution", "analyzers/javascript/module.py", "resolve"),
    ("  of which binding lookup", "analyzers/javascript/module.py", "lookup"),
    ("    of which scope_of", "analyzers/javascript/module.py", "scope_of"),
    ("  of which enclosing_function", "analyzers/javascript/module.py", "enclosing_function"),
    ("  of which node text", "analyzers/javascript/module.py", "text"),
)


def _family_stages() -> list[tuple[str, str, str]]:
    from analyzers.javascript import FAMILIES

    stages = []
    for family in FAMILIES:
        module = sys.modules[family.__module__]
        file = Path(module.__file__ or "").resolve().relative_to(ROOT).as_posix()
        label = family.__module__.rsplit(".", 1)[-1]
        stages.append((f"  {label} family", file, family.__name__))
    return stages


def profile(corpus: Corpus, top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    extract(corpus)
    profiler.disable()
    table: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    table = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in table.values())
    print(f"\nprofile of one extraction (cProfile, {total:.2f} s with its overhead):")

    def cumulative(suffix: str, name: str) -> tuple[float, int]:
        found = [
            (ct, nc)
            for (file, _, func), (_, nc, _, ct, _) in table.items()
            if func == name and file.replace("\\", "/").endswith(suffix)
        ]
        return (max(ct for ct, _ in found), sum(nc for _, nc in found)) if found else (0.0, 0)

    for label, suffix, name in (*STAGES, *_family_stages(), *DETAILS):
        seconds, calls = cumulative(suffix, name)
        print(f"  {label:<34} {seconds:7.2f} s {100 * seconds / total:5.1f} %  {calls:>9,} calls")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print(f"\ntop {top} functions by own time:")
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    print("\n".join(line for line in lines[start:] if line.strip()))


def _parse_runs(corpus: Corpus, paths: Sequence[str], query: bool, runs: int) -> list[float]:
    return [parse_only(corpus, paths, query)[0] for _ in range(runs)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--path", type=Path, default=None, help="a node_modules folder")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="top N functions")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    root: Path = args.path.resolve() if args.path else installed_corpus()
    corpus = load(root)
    print(f"loaded in {time.perf_counter() - started:.1f} s; {args.runs} runs")
    runs: list[Extraction] = []
    rule_seconds: list[float] = []
    findings: list[Finding] = []
    for _ in range(args.runs):
        run = extract(corpus)
        seconds, findings = evaluate(corpus, run.files)
        runs.append(run)
        rule_seconds.append(seconds)
    readable = sorted(corpus.readable)
    parsed = sorted(runs[0].parsed)
    parsing = ParseTimes(
        _parse_runs(corpus, readable, False, args.runs),
        _parse_runs(corpus, parsed, False, args.runs),
        _parse_runs(corpus, parsed, True, args.runs),
        parse_only(corpus, readable, False)[1],
    )
    report(corpus, runs, rule_seconds, findings, parsing)
    if args.profile:
        profile(corpus, args.profile)


if __name__ == "__main__":
    main()
