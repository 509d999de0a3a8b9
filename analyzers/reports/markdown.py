"""The review as GitHub-flavoured Markdown, laid out as the brief's "Output Format".

Used for the check-run summary, the PR comment and `--format markdown`. Every
one of the eight sections is always present: a reviewer must be able to tell
"nothing found" from "not looked at", so an empty section says what was checked.

Rule messages quote identifiers, URLs and paths from the reviewed code, so
all such text is treated as untrusted: it may not end a table row, open an
HTML comment (the `.tasks/` merge finds its section by comment markers) or
close a code fence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from analyzers.facts import Edge, Family, Finding, Review, Scenario, Severity, Workflow
from analyzers.rules import ALL_RULES
from analyzers.rules.base import Rule

SECTIONS = (
    "Workflow Impact Summary",
    "Critical Vulnerabilities",
    "Data Contract Validation",
    "Resilience & Error Handling Review",
    "Observability Assessment",
    "Proposed Workflow Improvements",
    "End-to-End Test Scenarios",
    "Implementation Checklist",
)

CONTRACT_FAMILIES = (Family.CONTRACT, Family.ROUTE_MISSING)
RESILIENCE_FAMILIES = (
    Family.TIMEOUT,
    Family.RETRY,
    Family.BACKOFF,
    Family.IDEMPOTENCY,
    Family.WEBHOOK_SIGNATURE,
    Family.WEBHOOK_RAW_BODY,
    Family.DEAD_LETTER,
    Family.RATE_LIMIT,
    Family.CASCADING,
    Family.SWALLOWED_ERROR,
    Family.CRON_OVERLAP,
)
OBSERVABILITY_FAMILIES = (Family.OBSERVABILITY,)
IMPROVEMENT_FAMILIES = (Family.GOVERNANCE,)

SCENARIO_LABELS: Mapping[str, str] = {
    "happy": "Happy Path",
    "failure": "Failure Mode",
    "idempotency": "Idempotency",
    "consistency": "Data Consistency",
    "stress": "Stress",
}

_NEWLINES = re.compile(r"\r\n|\r|\n")
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def render_markdown(review: Review, rules: Sequence[type[Rule]] = ALL_RULES) -> str:
    """The whole report; `rules` tells which family each code of `review.rules_run` checks."""
    families = _code_families(rules, review.findings)
    blocks: list[str] = [_title(review)]
    blocks += _section(SECTIONS[0], _impact_summary(review, families))
    blocks += _section(SECTIONS[1], _critical(review))
    blocks += _section(SECTIONS[2], _contracts(review, families))
    blocks += _section(
        SECTIONS[3],
        _family_section(review, families, RESILIENCE_FAMILIES, "No resilience issues found."),
    )
    blocks += _section(
        SECTIONS[4],
        _family_section(review, families, OBSERVABILITY_FAMILIES, "No observability gaps found."),
    )
    blocks += _section(SECTIONS[5], _improvements(review, families))
    blocks += _section(SECTIONS[6], _scenarios(review))
    blocks += _section(SECTIONS[7], _checklist(review))
    blocks += _skipped(review)
    blocks.append(_footer(review))
    return "\n\n".join(blocks) + "\n"


# --- escaping ---------------------------------------------------------------------------------


def inline(text: str) -> str:
    """Untrusted text inside a paragraph, list item or heading: one line, no raw HTML."""
    return _NEWLINES.sub(" ", text).replace("<", "&lt;")


def cell(text: str) -> str:
    """Untrusted text inside a table cell: a pipe or newline would end the cell or the row."""
    return _NEWLINES.sub("<br>", text.replace("<", "&lt;")).replace("|", "\\|")


def code(text: str) -> str:
    """A code span that survives backticks in `text` (CommonMark: a longer delimiter)."""
    flat = _NEWLINES.sub(" ", text)
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def code_cell(text: str) -> str:
    # GFM splits cells before parsing code spans, so a pipe must be escaped even here.
    return code(text).replace("|", "\\|")


def _fenced(info: str, lines: Iterable[str]) -> str:
    body = "\n".join(_NEWLINES.sub(" ", line) for line in lines)
    longest = max((len(run) for run in re.findall(r"`{3,}", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"


# --- pieces -----------------------------------------------------------------------------------


def _section(title: str, body: list[str]) -> list[str]:
    return [f"### {title}", *body]


def _title(review: Review) -> str:
    total = len(review.findings)
    if total == 0:
        return "## Flow Review: no findings"
    blocking = sum(1 for f in review.findings if f.blocking)
    noun = "finding" if total == 1 else "findings"
    suffix = f" ({blocking} blocking)" if blocking else ""
    return f"## Flow Review: {total} {noun}{suffix}"


def short_sha(revision: str) -> str:
    return revision[:7] if _SHA.fullmatch(revision) else revision


def location_text(finding: Finding) -> str:
    if finding.location is None:
        return "whole change"
    return f"{finding.location.path}:{finding.location.line}"


def _code_families(rules: Sequence[type[Rule]], findings: Iterable[Finding]) -> dict[str, Family]:
    families = {rule.code: rule.family for rule in rules}
    # A finding names its own family, which covers rules the caller did not pass.
    for finding in findings:
        families.setdefault(finding.rule, finding.family)
    return families


def _checked(review: Review, families: Mapping[str, Family], wanted: Sequence[Family]) -> str:
    codes = [code for code in review.rules_run if families.get(code) in wanted]
    if codes:
        return "Checked: " + ", ".join(codes) + "."
    names = ", ".join(family.value for family in wanted)
    noun = "family" if len(wanted) == 1 else "families"
    return f"Checked: no rule of the {names} {noun} ran in this review."


def _findings_table(findings: Sequence[Finding]) -> str:
    """Worst first; `sorted` is stable, so equal severities keep the engine's order."""
    rows = [
        "| Severity | Rule | Service | Location | Finding | Suggestion |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for finding in sorted(findings, key=lambda f: -f.severity.rank):
        severity = finding.severity.value + (" (blocking)" if finding.blocking else "")
        where = "whole change" if finding.location is None else code_cell(location_text(finding))
        what = f"**{cell(finding.title)}**<br>{cell(finding.message)}"
        suggestion = cell(finding.suggestion) if finding.suggestion else "-"
        service = cell(finding.service) if finding.service else "-"
        cells = (severity, finding.rule, service, where, what, suggestion)
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _of_families(review: Review, wanted: Sequence[Family]) -> list[Finding]:
    return [finding for finding in review.findings if finding.family in wanted]


# --- 1. workflow impact summary ---------------------------------------------------------------


def _impact_summary(review: Review, families: Mapping[str, Family]) -> list[str]:
    blocks = [_mode(review) + " " + _overview(review)]
    blocks.append(_services_table(review))
    changed = ", ".join(code(name) for name in review.changed_services) or "none"
    blocks.append(f"Changed services: {changed}.")
    blocks.append(_mermaid(review))
    if review.workflows:
        blocks += [_workflow_block(review, workflow, families) for workflow in review.workflows]
    else:
        blocks.append("No cross-service workflow is affected by this change.")
    return blocks


def _mode(review: Review) -> str:
    head = short_sha(review.head) if review.head else "the working tree"
    if review.whole_repo:
        return f"Mode: whole repository at {code(head)}."
    base = short_sha(review.base) if review.base else "(no base)"
    return f"Mode: diff {code(base + '..' + head)}."


def _overview(review: Review) -> str:
    counts = [
        f"{sum(1 for f in review.findings if f.severity is severity)} {severity.value}"
        for severity in reversed(Severity)
        if any(f.severity is severity for f in review.findings)
    ]
    found = ", ".join(counts) if counts else "no findings"
    workflows = len(review.workflows)
    return (
        f"{workflows} workflow{'' if workflows == 1 else 's'} affected across "
        f"{len(review.changed_services)} changed of {len(review.services)} services; {found}."
    )


def _services_table(review: Review) -> str:
    if not review.services:
        return "No services detected."
    changed = set(review.changed_services)
    rows = ["| Service | Root | Languages | Changed |", "| --- | --- | --- | --- |"]
    for service in review.services:
        root = code_cell(service.root) if service.root else "(repository root)"
        languages = cell(", ".join(service.languages)) or "-"
        mark = "yes" if service.name in changed else "no"
        rows.append(f"| {cell(service.name)} | {root} | {languages} | {mark} |")
    return "\n".join(rows)


def _workflow_block(review: Review, workflow: Workflow, families: Mapping[str, Family]) -> str:
    involved = list(workflow.services)
    for use in review.external:
        external = f"{use.system} (external)"
        wanted = use.service in workflow.services and use.system not in involved
        if wanted and external not in involved:
            involved.append(external)
    lines = [
        f"Workflow: {workflow.name}",
        f"Trigger: {workflow.trigger}",
        f"Services Involved: {', '.join(involved) or '(none found)'}",
        "",
        "Data Flow:",
    ]
    lines += [f"{n}. {step}" for n, step in enumerate(workflow.data_flow, 1)] or [
        "(no cross-service step found)"
    ]

    lines += ["", "Vulnerabilities Identified:"]
    vulnerabilities = [f for f in workflow.findings if f.family not in OBSERVABILITY_FAMILIES]
    lines += [
        f"- [{f.rule} {f.severity.value}] {f.title} ({location_text(f)}): {f.message}"
        f" → {f.suggestion or 'see ' + f.rule}"
        for f in vulnerabilities
    ] or ["- None found."]

    lines += ["", "Idempotency Analysis:"]
    idempotency = [f for f in workflow.findings if f.family is Family.IDEMPOTENCY]
    lines += [
        f"- {location_text(f)}: Not idempotent: {f.message} → {f.suggestion or 'see ' + f.rule}"
        for f in idempotency
    ] or ["- No idempotency gap found. " + _checked(review, families, (Family.IDEMPOTENCY,))]

    lines += ["", "Observability Gaps:"]
    gaps = [f for f in workflow.findings if f.family in OBSERVABILITY_FAMILIES]
    lines += [f"- {f.title} at {location_text(f)} → {f.suggestion or f.message}" for f in gaps] or [
        "- None found. " + _checked(review, families, OBSERVABILITY_FAMILIES)
    ]

    lines += ["", "Test Scenarios:"]
    scenarios = [s for s in review.scenarios if s.workflow == workflow.name]
    lines += [
        f"{n}. {_scenario_label(s)}: {'; '.join(s.steps)} → {s.expected}"
        for n, s in enumerate(scenarios, 1)
    ] or ["(none generated)"]
    return _fenced("text", lines)


def _scenario_label(scenario: Scenario) -> str:
    return SCENARIO_LABELS.get(scenario.kind, scenario.kind)


# --- integration graph ------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    # Mermaid entity codes; "#" first in the table so the codes are not re-escaped.
    table = {"#": "#35;", '"': "#quot;", "|": "#124;", "<": "#lt;", ">": "#gt;", "`": "#96;"}
    flat = _NEWLINES.sub(" ", text)
    return "".join(table.get(char, char) for char in flat)


class _NodeIds:
    """Mermaid ids: letters, digits and `_` only; prefixed so a service called `end` works."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], str] = {}
        self._taken: set[str] = set()

    def get(self, prefix: str, name: str) -> str:
        key = (prefix, name)
        if key not in self._ids:
            base = prefix + "_" + re.sub(r"[^A-Za-z0-9_]", "_", name)
            candidate, n = base, 2
            while candidate in self._taken:
                candidate, n = f"{base}_{n}", n + 1
            self._taken.add(candidate)
            self._ids[key] = candidate
        return self._ids[key]


_ARROWS = {"added": "-.->", "removed": "--x", "modified": "==>"}


_BROKEN_STATUS = {"no-route": "404", "wrong-method": "405"}


def _broken(edge: Edge) -> bool:
    return edge.status in _BROKEN_STATUS or bool(edge.issues)


def _edge_label(edge: Edge) -> str:
    label = " ".join(part for part in (edge.method, edge.path) if part)
    if edge.kind and edge.kind != "http":
        label = f"{edge.kind} {label}".strip()
    if edge.change in _ARROWS:
        label = f"{edge.change}: {label}" if label else edge.change
    if edge.status in _BROKEN_STATUS:
        label = f"{label} ({_BROKEN_STATUS[edge.status]}: no route)"
    elif edge.issues:
        label = f"{label} (contract broken)"
    return label


def _mermaid(review: Review) -> str:
    if not review.edges and not review.external:
        return "Integration graph: no cross-service call or external system found."
    ids = _NodeIds()
    systems = sorted(
        {use.system for use in review.external}
        | {edge.target for edge in review.edges if edge.target_kind == "external"}
        | {edge.source for edge in review.edges if edge.source_kind == "external"}
    )
    services = [service.name for service in review.services]
    # Declare every node up front: Mermaid would silently invent an unlabelled
    # one for an undeclared id, showing the sanitised id instead of the name.
    mentioned = [name for edge in review.edges for name in (edge.source, edge.target)]
    mentioned += [use.service for use in review.external]
    for name in mentioned:
        if name not in services and name not in systems:
            services.append(name)
    lines = ["flowchart LR"]
    lines += [f'    {ids.get("svc", name)}["{_mermaid_text(name)}"]' for name in services]
    lines += [f'    {ids.get("ext", name)}{{{{"{_mermaid_text(name)}"}}}}' for name in systems]

    def node(name: str) -> str:
        return ids.get("ext", name) if name in systems else ids.get("svc", name)

    # Mermaid styles links by their index in the order they are drawn.
    broken, removed = [], []
    for index, edge in enumerate(review.edges):
        arrow = _ARROWS.get(edge.change, "-->")
        label = _mermaid_text(_edge_label(edge))
        lines.append(f'    {node(edge.source)} {arrow}|"{label}"| {node(edge.target)}')
        if _broken(edge):
            broken.append(str(index))
        elif edge.change == "removed":
            removed.append(str(index))
    pairs = sorted({(use.service, use.system) for use in review.external})
    pairs = [p for p in pairs if p not in {(e.source, e.target) for e in review.edges}]
    lines += [f"    {node(s)} -->|external| {ids.get('ext', system)}" for s, system in pairs]
    if broken:
        lines.append(f"    linkStyle {','.join(broken)} stroke:#d73a49,stroke-width:3px")
    if removed:
        lines.append(f"    linkStyle {','.join(removed)} stroke:#8b949e,stroke-dasharray:3 3")
    changed = [ids.get("svc", name) for name in review.changed_services if name in services]
    lines.append("    classDef changed stroke-width:3px")
    lines.append("    classDef external stroke-dasharray:4 2")
    if changed:
        lines.append(f"    class {','.join(changed)} changed")
    if systems:
        lines.append(f"    class {','.join(ids.get('ext', s) for s in systems)} external")
    return "```mermaid\n" + "\n".join(lines) + "\n```"


# --- 2-6. findings by section ------------------------------------------------------------------


def _critical(review: Review) -> list[str]:
    urgent = [f for f in review.findings if f.severity.at_least(Severity.HIGH)]
    if not urgent:
        if not review.rules_run:
            return ["No critical or high-severity findings. Checked: no rule ran in this review."]
        codes = ", ".join(review.rules_run)
        return [f"No critical or high-severity findings. Checked: {codes}."]
    return [_findings_table(urgent)]


def _contracts(review: Review, families: Mapping[str, Family]) -> list[str]:
    findings = _of_families(review, CONTRACT_FAMILIES)
    calls = [edge for edge in review.edges if edge.kind == "http"]
    compared = len(calls)
    unmatched = sum(1 for edge in calls if edge.endpoint is None)
    if not findings:
        return [
            f"No data contract issues: {compared} endpoints/calls compared. "
            + _checked(review, families, CONTRACT_FAMILIES)
        ]
    summary = f"{compared} endpoints/calls compared, {unmatched} with no matching route."
    return [summary, _findings_table(findings)]


def _family_section(
    review: Review, families: Mapping[str, Family], wanted: Sequence[Family], none: str
) -> list[str]:
    findings = _of_families(review, wanted)
    if not findings:
        return [f"{none} {_checked(review, families, wanted)}"]
    return [_findings_table(findings)]


def _improvements(review: Review, families: Mapping[str, Family]) -> list[str]:
    governance = _of_families(review, IMPROVEMENT_FAMILIES)
    suggested: dict[str, list[str]] = {}
    for finding in review.findings:
        if finding.family in IMPROVEMENT_FAMILIES or not finding.suggestion:
            continue
        codes = suggested.setdefault(" ".join(finding.suggestion.split()), [])
        if finding.rule not in codes:
            codes.append(finding.rule)
    blocks: list[str] = []
    if governance:
        blocks.append(_findings_table(governance))
    if suggested:
        blocks.append(
            "\n".join(f"- {inline(text)} ({', '.join(codes)})" for text, codes in suggested.items())
        )
    if not blocks:
        blocks.append(
            "No improvements proposed: no governance finding and no finding with a suggested fix. "
            + _checked(review, families, IMPROVEMENT_FAMILIES)
        )
    return blocks


# --- 7-8. scenarios and checklist --------------------------------------------------------------


def _scenarios(review: Review) -> list[str]:
    if not review.scenarios:
        return [
            "No test scenarios: no affected workflow to exercise "
            f"({len(review.workflows)} workflows, {len(review.edges)} edges examined)."
        ]
    blocks: list[str] = []
    for n, scenario in enumerate(review.scenarios, 1):
        blocks.append(f"#### {n}. {_scenario_label(scenario)}: {inline(scenario.workflow)}")
        steps = [f"{i}. {inline(step)}" for i, step in enumerate(scenario.steps, 1)]
        blocks.append(f"Kind: {code(scenario.kind)}. Steps:")
        blocks.append("\n".join(steps) if steps else "(no steps)")
        blocks.append(f"**Expected:** {inline(scenario.expected)}")
    return blocks


def _checklist(review: Review) -> list[str]:
    if not review.checklist:
        return [
            "Nothing to do before deploying: no finding produced a checklist item "
            f"({len(review.findings)} findings reviewed)."
        ]
    items = []
    for item in review.checklist:
        box = "[x]" if item.done else "[ ]"
        rule = f" ({item.rule})" if item.rule else ""
        items.append(f"- {box} {inline(item.text)}{rule}")
    return ["\n".join(items)]


def _skipped(review: Review) -> list[str]:
    blocks = []
    for label, files in (
        ("Files skipped", review.stats.files_skipped),
        ("Files read only in part (syntax errors)", review.stats.files_partial),
    ):
        if files:
            lines = [f"- {code(s.path)}: {inline(s.reason)}" for s in files]
            blocks += [f"**{label}** ({len(files)}):", "\n".join(lines)]
    return blocks


def _footer(review: Review) -> str:
    stats = review.stats
    return (
        f"---\n\n<sub>Flow Review: {stats.files_analyzed} files analyzed, "
        f"{len(stats.files_skipped)} skipped, {len(review.rules_run)} rules run, "
        f"{stats.seconds:.2f} s.</sub>"
    )
