"""A review as a new `.tasks/` file, and the managed sections that merging regenerates."""

from __future__ import annotations

from collections.abc import Iterable

from analyzers.facts import ChecklistItem, Finding, Review, Service, Severity
from checklist.markup import (
    CHECKLIST,
    FILES,
    ItemLine,
    code_span,
    end_marker,
    inline_text,
    item_text,
    start_marker,
)

SECTION_HEADINGS = {CHECKLIST: "Acceptance Criteria", FILES: "Related Files"}
TOP_FINDINGS = 5

_PRIORITY = {
    Severity.CRITICAL: "P0",
    Severity.HIGH: "P1",
    Severity.MEDIUM: "P2",
    Severity.LOW: "P3",
    Severity.INFO: "P3",
}


def render_task_file(review: Review, *, title: str) -> str:
    """The whole task file for `review`, LF line endings, ending with a newline."""
    lines = [
        f"# {inline_text(title) or 'Integration review'}",
        "",
        "**Status**: IN_REVIEW",
        "**Type**: Integration Review",
        f"**Priority**: {priority(review.findings)}",
        "",
        "## Problem",
        *problem_lines(review),
        "",
        *section_lines(CHECKLIST, review, heading=SECTION_HEADINGS[CHECKLIST]),
        "",
        *section_lines(FILES, review, heading=SECTION_HEADINGS[FILES]),
    ]
    return "\n".join(lines) + "\n"


def priority(findings: Iterable[Finding]) -> str:
    worst = max((finding.severity for finding in findings), key=lambda s: s.rank, default=None)
    return "P3" if worst is None else _PRIORITY[worst]


def problem_lines(review: Review) -> list[str]:
    services = [inline_text(name) for name in review.changed_services]
    if services:
        touches = f"This change touches {_count(len(services), 'service')}: {', '.join(services)}."
    else:
        touches = "This change touches no known service."
    findings = review.findings
    if not findings:
        return [f"{touches} Flow Review found no integration risks."]

    by_severity = [
        f"{sum(1 for f in findings if f.severity is severity)} {severity.value}"
        for severity in reversed(Severity)
        if any(f.severity is severity for f in findings)
    ]
    blocking = sum(1 for f in findings if f.blocking)
    counts = ", ".join(by_severity) + (f" ({blocking} blocking)" if blocking else "")
    lines = [
        f"{touches} Flow Review found {_count(len(findings), 'finding')}: {counts}.",
        "",
        "Top findings:",
    ]
    # sorted() is stable, so findings of equal severity keep the engine's order.
    ranked = sorted(findings, key=lambda f: f.severity.rank, reverse=True)
    for finding in ranked[:TOP_FINDINGS]:
        where = f" ({inline_text(finding.service)})" if finding.service else ""
        lines.append(
            f"- **{finding.severity.value}** {inline_text(finding.rule)}: "
            f"{inline_text(finding.title)}{where}"
        )
    if len(ranked) > TOP_FINDINGS:
        lines.append(f"- and {len(ranked) - TOP_FINDINGS} more")
    return lines


def section_lines(kind: str, review: Review, *, heading: str) -> list[str]:
    body = checklist_lines(review.checklist) if kind == CHECKLIST else file_lines(review)
    return [f"## {heading}", start_marker(kind), *body, end_marker(kind)]


def unique_items(items: Iterable[ChecklistItem]) -> dict[str, ChecklistItem]:
    """Items by id in review order; the id is an item's identity, so the first one wins."""
    by_id: dict[str, ChecklistItem] = {}
    for item in items:
        by_id.setdefault(item.id, item)
    return by_id


def new_item_line(item: ChecklistItem) -> str:
    tick = "x" if item.done else " "
    return ItemLine("", "-", tick, item_text(item.text), item.id).format()


def checklist_lines(items: Iterable[ChecklistItem]) -> list[str]:
    return [new_item_line(item) for item in unique_items(items).values()]


def file_lines(review: Review) -> list[str]:
    lines: list[str] = []
    seen: set[str] = set()
    for change in review.changes:
        if change.path in seen:
            continue
        seen.add(change.path)
        service = service_of(change.path, review.services)
        where = f" ({inline_text(service.name)})" if service is not None else ""
        lines.append(f"- {code_span(change.path)}{where}")
    return lines


def service_of(path: str, services: Iterable[Service]) -> Service | None:
    """The service whose root holds `path`; the longest root wins, root "" holds everything."""
    best: Service | None = None
    for service in services:
        root = service.root.strip("/")
        inside = root in ("", path) or path.startswith(root + "/")
        if inside and (best is None or len(root) > len(best.root.strip("/"))):
            best = service
    return best


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
