"""Flow Review's FLOW101 beside its peers: bandit's B113 and ruff's S113 (calls without timeout).

Each peer runs over the same files, suppression comments ignored (`--ignore-nosec`,
`--ignore-noqa`: what a tool can find, not what a project chose to hide), and
reports (path, line). A peer's line agrees with FLOW101 when it falls inside a
FLOW101 finding's lines in the same file. Every other report is classified by
why Flow Review says nothing there; only the reasons in `ALLOWED` are
deliberate disagreements.

What the installed peers check (bandit 1.9, ruff 0.17): calls of the module
functions `requests.get/post/...` (ruff also `requests.request`) without a
timeout or with `timeout=None`, and httpx calls with `timeout=None` only: both
take httpx's 5 s default as a bound, as Flow Review does. Neither follows a
`requests.Session()` to its methods, nor looks at `urllib.request.urlopen`.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from analyzers.facts import Finding, Location, OutboundCall
from analyzers.paths import is_test_path, is_vendored
from tests.analyzers.python.real_code import PREFIX, SampleReview, engine_path

TEST_CODE = "test code, which FLOW101 leaves alone: tests call services on purpose"
KWARGS = "passes **kwargs, which may carry the timeout"
EXCLUDED = "under a folder the engine never reads as a service's code (build/, vendor/, ...)"
# The deliberate disagreements; any other reason fails the comparison.
ALLOWED = frozenset({TEST_CODE, KWARGS, EXCLUDED})

URLLIB = "urllib urlopen: the peers check requests and httpx only"
AIOHTTP = "aiohttp: neither peer checks it"
CLIENT_METHOD = "a requests Session or httpx Client method: the peers check module functions only"
REQUEST_FUNCTION = "requests.request(): bandit checks the verb functions only"

HTTP_CALLEES = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "urlopen"}
)
Key = tuple[str, int]  # (path relative to the scanned root, line)


@dataclass(frozen=True, order=True)
class PeerReport:
    path: str
    line: int
    tool: str
    message: str


@dataclass
class PeerRun:
    tool: str
    reports: list[PeerReport] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)  # files the tool looked at
    errors: dict[str, str] = field(default_factory=dict)  # files it could not read, and why


def _chunks(paths: Sequence[str], count: int) -> list[list[str]]:
    return [list(paths[i::count]) for i in range(count) if paths[i::count]]


def _bandit_chunk(root: Path, paths: list[str]) -> PeerRun:
    args = ["-t", "B113", "-f", "json", "-q", "--ignore-nosec", *paths]
    result = subprocess.run(
        [sys.executable, "-m", "bandit", *args],
        check=False,  # 1 means issues found
        cwd=root,
        capture_output=True,
        text=True,
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"bandit failed ({result.returncode}): {result.stderr[-2000:]}")
    out = json.loads(result.stdout)
    run = PeerRun("bandit B113")
    for item in out["results"]:
        path = os.path.normpath(item["filename"])
        run.reports.append(PeerReport(path, item["line_number"], run.tool, item["issue_text"]))
    run.errors = {os.path.normpath(e["filename"]): e["reason"] for e in out["errors"]}
    run.checked = {os.path.normpath(name) for name in out["metrics"] if name != "_totals"}
    run.checked -= set(run.errors)
    return run


def bandit_b113(root: Path, paths: Sequence[str], jobs: int | None = None) -> PeerRun:
    """bandit -t B113 over `paths` (relative to `root`), one process per core."""
    chunks = _chunks(paths, jobs or os.cpu_count() or 1)
    with ThreadPoolExecutor(len(chunks)) as pool:
        parts = list(pool.map(lambda chunk: _bandit_chunk(root, chunk), chunks))
    run = PeerRun("bandit B113")
    for part in parts:
        run.reports += part.reports
        run.checked |= part.checked
        run.errors |= part.errors
    run.reports.sort()
    return run


def ruff_s113(root: Path, paths: Sequence[str]) -> PeerRun:
    """ruff's S113 over `paths` (relative to `root`), no configuration, no cache."""
    base = [sys.executable, "-m", "ruff", "check", "--select", "S113", "--no-cache", "--isolated"]
    shown = subprocess.run(
        [*base, "--show-files", *paths], cwd=root, capture_output=True, text=True, check=True
    )
    result = subprocess.run(
        [*base, "--ignore-noqa", "--exit-zero", "--output-format", "json", *paths],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    run = PeerRun("ruff S113")
    run.checked = {
        os.path.relpath(line.strip(), root) for line in shown.stdout.splitlines() if line.strip()
    }
    for item in json.loads(result.stdout):
        path = os.path.relpath(item["filename"], root)
        if item["code"] == "S113":
            run.reports.append(PeerReport(path, item["location"]["row"], run.tool, item["message"]))
        else:  # a syntax error: the file was not checked
            run.errors.setdefault(path, item["message"])
    run.checked -= set(run.errors)
    run.reports.sort()
    return run


def _callee_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _http_calls_at(tree: ast.AST, line: int) -> list[ast.Call]:
    """Calls of an HTTP verb (or `request`, `stream`, `urlopen`) whose lines hold `line`."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and node.lineno <= line <= (node.end_lineno or node.lineno)
        and _callee_name(node) in HTTP_CALLEES
    ]


def _module_aliases(tree: ast.AST, modules: Iterable[str]) -> set[str]:
    names = set(modules)
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name in names
    }


@dataclass
class Comparison:
    peers: list[PeerRun]
    flow: list[Finding]  # FLOW101 findings, paths relative to the scanned root
    agreed: dict[Key, list[PeerReport]] = field(default_factory=dict)
    peer_only: dict[Key, tuple[str, list[PeerReport]]] = field(default_factory=dict)
    flow_only: list[tuple[Finding, str]] = field(default_factory=list)

    @property
    def unexplained(self) -> dict[Key, str]:
        return {key: why for key, (why, _) in self.peer_only.items() if why not in ALLOWED}

    def summary(self) -> str:
        union = {(r.path, r.line) for peer in self.peers for r in peer.reports}
        lines = ["", "FLOW101 beside bandit B113 and ruff S113:"]
        for peer in self.peers:
            lines.append(
                f"  {peer.tool}: {len(peer.reports)} reports over {len(peer.checked)} files"
                + (f", {len(peer.errors)} files it could not read" if peer.errors else "")
            )
        lines.append(f"  peer reports (distinct lines): {len(union)}")
        lines.append(f"  Flow Review FLOW101 findings: {len(self.flow)}")
        lines.append(f"  agreed: {len(self.agreed)}")
        by_reason = Counter(why for why, _ in self.peer_only.values())
        lines.append(f"  peer-only: {len(self.peer_only)}")
        for why, count in by_reason.most_common():
            mark = "" if why in ALLOWED else "  <- NOT an allowed disagreement"
            lines.append(f"    {count:4d}  {why}{mark}")
        for (path, line), (why, reports) in sorted(self.peer_only.items()):
            tools = ", ".join(sorted({r.tool for r in reports}))
            lines.append(f"      {path}:{line} ({tools}): {why}")
        lines.append(f"  Flow-Review-only: {len(self.flow_only)}")
        for why, count in Counter(why for _, why in self.flow_only).most_common():
            lines.append(f"    {count:4d}  {why}")
        for finding, why in self.flow_only[:8]:
            where = finding.location
            assert where is not None
            lines.append(f"      {where.path}:{where.line} {finding.title}: {why}")
        return "\n".join(lines)


def _peer_only_reason(run: SampleReview, path: str, line: int) -> str:
    full = engine_path(path)
    if is_vendored(full):
        return EXCLUDED
    if is_test_path(full):
        return TEST_CODE
    facts = run.facts.get(full)
    if facts is None:
        return "not analysed by Flow Review"
    if facts.error:
        return f"skipped by Flow Review: {facts.error}"
    calls = [
        f
        for f in facts.facts
        if isinstance(f, OutboundCall) and f.location.line <= line <= f.location.end_line
    ]
    if not calls:
        return "missed: Flow Review found no outbound call on this line"
    if any(c.unbounded for c in calls):
        return "missed: an unbounded call that FLOW101 did not report"
    tree = ast.parse(run.data[full].decode("utf-8"))
    for call in _http_calls_at(tree, line):
        keywords = {k.arg for k in call.keywords}
        if None in keywords and "timeout" not in keywords:
            return KWARGS
    bounds = ", ".join(f"{c.library} timeout={c.timeout_seconds}" for c in calls)
    return f"disputed: Flow Review finds this call bounded ({bounds})"


def _flow_only_reason(run: SampleReview, finding: Finding) -> str:
    where = finding.location
    assert where is not None
    full = engine_path(where.path)
    calls = [
        f
        for f in run.facts[full].facts
        if isinstance(f, OutboundCall) and f.location == Location(full, where.line, where.end_line)
    ]
    library = calls[0].library if calls else ""
    if library == "urllib":
        return URLLIB
    if library == "aiohttp":
        return AIOHTTP
    tree = ast.parse(run.data[full].decode("utf-8"))
    modules = _module_aliases(tree, ("requests", "httpx"))
    direct = [
        call.func.attr
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and call.lineno <= where.line <= (call.end_lineno or call.lineno)
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id in modules
    ]
    if not direct:
        return CLIENT_METHOD
    if "request" in direct:
        return REQUEST_FUNCTION
    return f"other: {', '.join(sorted(set(direct)))} of the module, which the peers check"


def compare(run: SampleReview, peers: list[PeerRun]) -> Comparison:
    strip = len(PREFIX) + 1
    flow = []
    for finding in run.review.findings:
        if finding.rule != "FLOW101" or finding.location is None:
            continue
        where = finding.location
        relative = Location(where.path[strip:], where.line, where.end_line)
        flow.append(replace(finding, location=relative))
    result = Comparison(peers, flow)
    reports: dict[Key, list[PeerReport]] = {}
    for peer in peers:
        for report in peer.reports:
            reports.setdefault((report.path, report.line), []).append(report)
    matched: set[int] = set()
    for key, found in sorted(reports.items()):
        path, line = key
        hits = [
            i
            for i, f in enumerate(flow)
            if f.location is not None
            and f.location.path == path
            and f.location.line <= line <= f.location.end_line
        ]
        if hits:
            result.agreed[key] = found
            matched.update(hits)
        else:
            result.peer_only[key] = (_peer_only_reason(run, path, line), found)
    result.flow_only = [
        (f, _flow_only_reason(run, f)) for i, f in enumerate(flow) if i not in matched
    ]
    return result
