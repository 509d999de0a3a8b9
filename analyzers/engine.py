"""One review, start to finish, with no I/O of its own: trees and a diff in, a `Review` out."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from analyzers.cache import FactCache, MemoryFactCache
from analyzers.config import Config
from analyzers.context import FactSet, ReviewContext
from analyzers.extract import (
    ExtractMany,
    Extractors,
    FileAnalyzer,
    Pending,
    Prepared,
    extract_in_turn,
)
from analyzers.facts import (
    ChangedFile,
    ChangeStatus,
    ChecklistItem,
    Edge,
    ExternalSystemUse,
    FileFacts,
    Finding,
    Review,
    SkippedFile,
    Stats,
    UnresolvedCall,
)
from analyzers.graph.async_edges import AsyncLink, async_edges, async_links
from analyzers.graph.delta import UNCHANGED, GraphDelta, diff_graphs, edges, unresolved
from analyzers.graph.linking import build_graph
from analyzers.paths import is_mock_path, is_test_path, is_vendored, language_of, matches_any
from analyzers.registry import DEFAULT_COMPOSERS, Composer, default_extractors
from analyzers.rules import ALL_RULES
from analyzers.rules.base import Rule, Scope
from analyzers.services import ServiceMap, manifest_reader, resolve_services
from analyzers.snapshot import SUBMODULE, SYMLINK, Snapshot
from analyzers.workflows import affected_workflows, scenarios_for


@dataclass(frozen=True)
class ReviewRequest:
    """What to review: a change (base, head and their diff) or, with no base, a whole tree."""

    head: Snapshot
    base: Snapshot | None = None
    changes: Sequence[ChangedFile] = ()
    config: Config = field(default_factory=Config)

    @property
    def whole_repo(self) -> bool:
        return self.base is None


def review(
    request: ReviewRequest,
    *,
    rules: Sequence[type[Rule]] = ALL_RULES,
    extractors: Extractors | None = None,
    composers: Sequence[Composer] = DEFAULT_COMPOSERS,
    cache: FactCache | None = None,
    progress: Callable[[str], None] | None = None,
    extract_many: ExtractMany = extract_in_turn,
) -> Review:
    started = time.perf_counter()
    config = request.config
    head_entries = request.head.entries()
    base_entries = request.base.entries() if request.base else {}
    trees = [(head_entries, request.head.read)]
    if request.base is not None:
        trees.append((base_entries, request.base.read))
    service_map = resolve_services(
        config, head_entries.keys() | base_entries.keys(), manifest_reader(trees)
    )
    analyzer = FileAnalyzer(
        default_extractors() if extractors is None else extractors,
        cache if cache is not None else MemoryFactCache(),
        config.max_file_size,
        progress,
        extract_many,
    )
    snapshots = [request.head] if request.base is None else [request.head, request.base]
    analysed = analyze_trees(snapshots, analyzer, service_map, config, composers)
    head_facts, skipped = analysed[0]
    base_facts = analysed[1][0] if request.base is not None else FactSet()
    if request.base is not None:
        for change in request.changes:
            for reason in _change_skip_reasons(change):
                skipped.setdefault((change.path, reason), SkippedFile(change.path, reason))
    changes = tuple(request.changes) if request.base is not None else ()

    @functools.cache  # asked of every call and route, a few hundred per file
    def outside_tests(path: str) -> bool:
        # tests, mocks and stories call services on purpose, with fakes: not the integration
        return not (is_test_path(path) or is_mock_path(path) or matches_any(config.tests, path))

    if progress:
        progress("linking calls to routes")
    head_graph = build_graph(head_facts.all(), service_map, config, include=outside_tests)
    base_graph = (
        build_graph(base_facts.all(), service_map, config, include=outside_tests)
        if request.base is not None
        else None
    )
    delta = diff_graphs(base_graph, head_graph)
    head_async = async_links(head_facts.all(), outside_tests)
    base_async = async_links(base_facts.all(), outside_tests) if request.base is not None else None
    ctx = ReviewContext(
        config=config,
        service_map=service_map,
        changes=changes,
        whole_repo=request.whole_repo,
        head=head_facts,
        base=base_facts,
        graph=delta,
        head_tree=request.head,
    )
    if progress:
        progress(f"running {len(rules)} rules")
    enabled = [rule for rule in rules if rule.code not in config.disable]
    findings = _sorted(f for rule in enabled for f in _run(rule, ctx))
    workflows = affected_workflows(ctx, findings)
    relevant = _relevant_skips(skipped.values(), changes, request.whole_repo)
    partial = _relevant_skips(
        (SkippedFile(f.path, f.partial) for f in head_facts.files if f.partial),
        changes,
        request.whole_repo,
    )
    return Review(
        base=request.base.rev if request.base else None,
        head=request.head.rev,
        whole_repo=request.whole_repo,
        services=service_map.services,
        changed_services=ctx.changed_services,
        changes=changes,
        findings=findings,
        workflows=workflows,
        scenarios=scenarios_for(ctx, workflows),
        checklist=checklist_items(findings),
        stats=Stats(
            files_analyzed=analyzer.analyzed + analyzer.cache_hits,
            files_skipped=relevant,
            seconds=round(time.perf_counter() - started, 3),
            cache_hits=analyzer.cache_hits,
            files_partial=partial,
        ),
        external=tuple(_external(head_facts, ctx, request.whole_repo)),
        edges=_edges(delta, ctx) + _async_edges(base_async, head_async, ctx),
        unresolved=_unresolved(delta, ctx),
        rules_run=tuple(rule.code for rule in enabled),
    )


def is_analysed(path: str, config: Config) -> bool:
    """Whether the engine reads this file for facts: a language it knows, not vendored, not
    excluded by the config."""
    return (
        language_of(path) is not None
        and not is_vendored(path)
        and not matches_any(config.exclude, path)
    )


def analyze_trees(
    snapshots: Sequence[Snapshot],
    analyzer: FileAnalyzer,
    service_map: ServiceMap,
    config: Config,
    composers: Sequence[Composer],
) -> list[tuple[FactSet, dict[tuple[str, str], SkippedFile]]]:
    """Facts and skipped files of each tree; the files of all trees are extracted together."""
    prepared: list[list[Prepared]] = []
    for snapshot in snapshots:
        prepared.append(
            [
                analyzer.prepare(snapshot, entry, service_map.owner(path))
                for path, entry in sorted(snapshot.entries().items())
                if is_analysed(path, config)
            ]
        )
    extracted = analyzer.extract(p for tree in prepared for p in tree if isinstance(p, Pending))
    results = []
    for tree in prepared:
        files: list[FileFacts] = []
        skipped: dict[tuple[str, str], SkippedFile] = {}
        for item in tree:
            outcome = analyzer.outcome(extracted[item.key]) if isinstance(item, Pending) else item
            facts, skip = outcome
            if skip is not None:
                skipped.setdefault((skip.path, skip.reason), skip)
            if facts is not None:
                files.append(facts)
        composed: Sequence[FileFacts] = files
        for compose in composers:
            composed = compose(composed)
        results.append((FactSet(tuple(composed)), skipped))
    return results


def _change_skip_reasons(change: ChangedFile) -> Iterable[str]:
    """Changed files the engine cannot look into, whatever their language."""
    if change.binary:
        yield "binary file"
    modes = {change.old_mode, change.new_mode}
    if SYMLINK in modes:
        yield "symlink"
    if SUBMODULE in modes:
        yield "submodule"


def _relevant_skips(
    skipped: Iterable[SkippedFile], changes: Sequence[ChangedFile], whole_repo: bool
) -> tuple[SkippedFile, ...]:
    """A diff review reports what it skipped among the changed files; whole-repo, everything."""
    if whole_repo:
        return tuple(sorted(skipped, key=lambda s: (s.path, s.reason)))
    changed = {p for c in changes for p in (c.path, c.old_path) if p}
    return tuple(
        sorted((s for s in skipped if s.path in changed), key=lambda s: (s.path, s.reason))
    )


def _run(rule_class: type[Rule], ctx: ReviewContext) -> Iterable[Finding]:
    rule = rule_class()
    for finding in rule.check(ctx):
        if ctx.whole_repo or _in_scope(rule_class.scope, finding, ctx):
            yield finding


def _in_scope(scope: Scope, finding: Finding, ctx: ReviewContext) -> bool:
    if scope is Scope.CHANGE or finding.location is None:
        return True
    if scope is Scope.CHANGED_FILES:
        return ctx.touches_changed_file(finding.location)
    return ctx.touches_changed_lines(finding.location)


def _sorted(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    unique = {(f.rule, f.location, f.key): f for f in findings}
    return tuple(
        sorted(
            unique.values(),
            key=lambda f: (
                -f.severity.rank,
                f.location.path if f.location else "",
                f.location.line if f.location else 0,
                f.rule,
                f.key,
            ),
        )
    )


def item_id(finding: Finding) -> str:
    """Stable across line moves and reruns: the rule and the finding's own key."""
    digest = hashlib.sha256(f"{finding.rule}\0{finding.key}".encode())
    return f"{finding.rule.lower()}-{digest.hexdigest()[:10]}"


def checklist_items(findings: Iterable[Finding]) -> tuple[ChecklistItem, ...]:
    items: dict[str, ChecklistItem] = {}
    for finding in findings:
        ident = item_id(finding)
        if ident in items:
            continue
        where = f" ({finding.location.path}:{finding.location.line})" if finding.location else ""
        action = finding.suggestion or finding.title
        text = f"[{finding.severity.value}] {finding.title}{where}: {action}"
        items[ident] = ChecklistItem(ident, text, finding.rule)
    return tuple(items.values())


def _edges(delta: GraphDelta, ctx: ReviewContext) -> tuple[Edge, ...]:
    """Every edge of a whole-repo review; for a change, the edges it changed and the
    unchanged ones of the services it touches (the picture a reviewer needs)."""
    if ctx.whole_repo:
        return edges(delta)
    touched = set(ctx.changed_services)
    keep = [
        change
        for change in delta.changes
        if _kept(touched, change.change, change.link.call.service, change.link.target.name)
    ]
    return edges(delta, keep)


def _async_edges(
    base: Sequence[AsyncLink] | None, head: Sequence[AsyncLink], ctx: ReviewContext
) -> tuple[Edge, ...]:
    """Webhook and queue edges, kept as `_edges` keeps links."""
    if ctx.whole_repo:
        return async_edges(base, head)
    touched = set(ctx.changed_services)
    return async_edges(
        base, head, lambda link, change: _kept(touched, change, link.source, link.target)
    )


def _kept(touched: set[str], change: str, source: str, target: str | None) -> bool:
    """A diff review shows what it changed, and the rest of the services it touches."""
    return change != UNCHANGED or source in touched or target in touched


def _unresolved(delta: GraphDelta, ctx: ReviewContext) -> tuple[UnresolvedCall, ...]:
    links = [
        link
        for link in delta.head.links
        if ctx.whole_repo or ctx.touches_changed_file(link.call.location)
    ]
    return unresolved(links)


def _external(head: FactSet, ctx: ReviewContext, whole_repo: bool) -> Iterable[ExternalSystemUse]:
    changed = {c.path for c in ctx.changes if c.status is not ChangeStatus.DELETED}
    services = set(ctx.changed_services)
    for use in head.of_type(ExternalSystemUse):
        if whole_repo or use.service in services or use.location.path in changed:
            yield use
