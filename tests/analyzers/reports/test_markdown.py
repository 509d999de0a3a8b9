from __future__ import annotations

import re
from dataclasses import replace

import pytest

from analyzers.facts import (
    ChecklistItem,
    Edge,
    ExternalSystemUse,
    Family,
    Location,
    Review,
    Scenario,
    Service,
    SkippedFile,
    Stats,
    Workflow,
)
from analyzers.facts import Severity as Sev
from analyzers.reports import render_markdown
from analyzers.rules import ALL_RULES
from tests.analyzers.reports.builders import (
    CONTRACT,
    GOVERNANCE,
    RULES_RUN,
    SIGNATURE,
    TEST_RULES,
    TIMEOUT,
    empty_review,
    finding,
    full_review,
)
from tests.analyzers.reports.markdown_parsing import (
    fenced_blocks,
    lines_with_fence_state,
    sections,
    table_cells,
    tables,
)

HEADINGS = [
    "Workflow Impact Summary",
    "Critical Vulnerabilities",
    "Data Contract Validation",
    "Resilience & Error Handling Review",
    "Observability Assessment",
    "Proposed Workflow Improvements",
    "End-to-End Test Scenarios",
    "Implementation Checklist",
]

# Written out independently of the renderer's own constants, so a family that
# is routed to the wrong section (or to none) fails here.
SECTION_OF_FAMILY = {
    Family.CONTRACT: "Data Contract Validation",
    Family.ROUTE_MISSING: "Data Contract Validation",
    Family.OBSERVABILITY: "Observability Assessment",
    Family.GOVERNANCE: "Proposed Workflow Improvements",
    **{
        family: "Resilience & Error Handling Review"
        for family in (
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
    },
}
FAMILY_SECTIONS = sorted(set(SECTION_OF_FAMILY.values()))


def render(review: Review) -> str:
    return render_markdown(review, TEST_RULES)


def rule_rows(body: str) -> list[str]:
    """Rule codes of the finding rows of every table in a section."""
    codes = []
    for table in tables(body):
        for row in table[2:]:
            codes.append(table_cells(row)[1])
    return codes


@pytest.mark.parametrize("review", [empty_review(), full_review()], ids=["empty", "full"])
def test_title_then_all_eight_sections_in_order(review: Review) -> None:
    markdown = render(review)
    assert markdown.startswith("## Flow Review")
    headings = [
        line[4:]
        for line, fenced in lines_with_fence_state(markdown)
        if not fenced and line.startswith("### ")
    ]
    assert headings == HEADINGS


def test_title_counts_findings_and_blocking_ones() -> None:
    assert render(empty_review()).split("\n")[0] == "## Flow Review: no findings"
    assert render(full_review()).split("\n")[0] == "## Flow Review: 6 findings (1 blocking)"
    assert render(empty_review(findings=(TIMEOUT,))).split("\n")[0] == "## Flow Review: 1 finding"


def test_every_empty_section_says_what_was_checked() -> None:
    body = sections(render(empty_review(rules_run=RULES_RUN)))
    assert "Checked: FLOW001, FLOW101, FLOW201, FLOW202, FLOW301, FLOW401." in body[HEADINGS[1]]
    assert "No data contract issues: 0 endpoints/calls compared" in body[HEADINGS[2]]
    assert "Checked: FLOW301." in body[HEADINGS[2]]
    assert "Checked: FLOW101, FLOW201, FLOW202." in body[HEADINGS[3]]
    assert "Checked: FLOW401." in body[HEADINGS[4]]
    assert "Checked: FLOW001." in body[HEADINGS[5]]
    assert "No test scenarios" in body[HEADINGS[6]]
    assert "Nothing to do before deploying" in body[HEADINGS[7]]
    assert "No services detected." in body[HEADINGS[0]]
    for title in HEADINGS:
        assert body[title].strip(), title


def test_empty_sections_say_when_no_rule_of_theirs_ran() -> None:
    body = sections(render(empty_review(rules_run=("FLOW101",))))
    assert "no rule of the contract, route-missing families ran" in body[HEADINGS[2]]
    assert "Checked: FLOW101." in body[HEADINGS[3]]
    assert "no rule of the observability family ran" in body[HEADINGS[4]]
    assert "no rule ran" in sections(render(empty_review()))[HEADINGS[1]]


def test_contract_section_counts_compared_calls_even_with_findings() -> None:
    body = sections(render(full_review()))[HEADINGS[2]]
    assert "2 endpoints/calls compared, 1 with no matching route." in body
    edges = full_review().edges[:1]
    clean = sections(render(empty_review(edges=edges)))[HEADINGS[2]]
    assert "No data contract issues: 1 endpoints/calls compared" in clean


@pytest.mark.parametrize("family", list(Family), ids=[f.value for f in Family])
def test_each_family_lands_in_its_section_only(family: Family) -> None:
    review = empty_review(findings=(finding("FLOW999", family, Sev.MEDIUM),))
    body = sections(render(review))
    for title in FAMILY_SECTIONS:
        expected = ["FLOW999"] if title == SECTION_OF_FAMILY[family] else []
        assert rule_rows(body[title]) == expected, title
    assert rule_rows(body[HEADINGS[1]]) == []


def test_high_and_critical_findings_also_appear_under_critical_worst_first() -> None:
    high_contract = replace(CONTRACT, severity=Sev.HIGH)
    review = empty_review(findings=(TIMEOUT, high_contract, SIGNATURE, GOVERNANCE))
    body = sections(render(review))
    assert rule_rows(body[HEADINGS[1]]) == ["FLOW201", "FLOW101", "FLOW301"]
    assert rule_rows(body[HEADINGS[2]]) == ["FLOW301"]
    (table,) = tables(body[HEADINGS[1]])
    assert table_cells(table[2])[0] == "critical (blocking)"


def test_finding_row_shows_location_rule_severity_message_and_suggestion() -> None:
    body = sections(render(empty_review(findings=(TIMEOUT, GOVERNANCE))))
    (timeout_table,) = tables(body[HEADINGS[3]])
    assert table_cells(timeout_table[0]) == [
        "Severity",
        "Rule",
        "Service",
        "Location",
        "Finding",
        "Suggestion",
    ]
    severity, rule, service, where, what, suggestion = table_cells(timeout_table[2])
    assert (severity, rule, service) == ("high", "FLOW101", "core-api")
    assert where == "`services/core-api/src/lib/ai-client.ts:10`"
    assert what == "**HTTP call without a timeout**<br>fetch() to ai-engine waits forever."
    assert suggestion == "Pass an AbortSignal.timeout(5000)."
    (governance_table,) = tables(body[HEADINGS[5]])
    assert table_cells(governance_table[2])[3] == "whole change"


def test_improvements_collect_other_findings_suggestions_once() -> None:
    same = finding("FLOW102", Family.RETRY, suggestion="Pass an  AbortSignal.timeout(5000).")
    review = empty_review(findings=(TIMEOUT, same, GOVERNANCE, finding(suggestion=None)))
    body = sections(render(review))[HEADINGS[5]]
    bullets = [line for line in body.split("\n") if line.startswith("- ")]
    assert bullets == ["- Pass an AbortSignal.timeout(5000). (FLOW101, FLOW102)"]
    assert rule_rows(body) == ["FLOW001"]


def test_mode_line() -> None:
    diff = sections(render(full_review()))[HEADINGS[0]]
    assert "Mode: diff `fedcba9..0123456`." in diff
    whole = sections(render(empty_review(whole_repo=True, base=None)))[HEADINGS[0]]
    assert "Mode: whole repository at `0123456`." in whole
    named = sections(render(empty_review(base="main", head="feature/x")))[HEADINGS[0]]
    assert "Mode: diff `main..feature/x`." in named


def test_services_table_marks_changed_services() -> None:
    review = replace(
        full_review(), services=(*full_review().services, Service("web", "", ("typescript",)))
    )
    body = sections(render(review))[HEADINGS[0]]
    rows = [table_cells(row) for row in tables(body)[0][2:]]
    assert rows == [
        ["core-api", "`services/core-api`", "typescript", "yes"],
        ["ai-engine", "`services/ai-engine`", "python", "no"],
        ["web", "(repository root)", "typescript", "no"],
    ]
    assert "Changed services: `core-api`." in body


def test_workflow_block_follows_the_analysis_framework() -> None:
    (block,) = fenced_blocks(sections(render(full_review()))[HEADINGS[0]], "text")
    labels = [
        "Workflow: Matching",
        "Trigger: POST /api/match from the frontend",
        "Services Involved: core-api, ai-engine, stripe (external)",
        "Data Flow:",
        "Vulnerabilities Identified:",
        "Idempotency Analysis:",
        "Observability Gaps:",
        "Test Scenarios:",
    ]
    positions = [block.index(label) for label in labels]
    assert positions == sorted(positions)
    assert block[block.index("Data Flow:") + 1] == (
        "1. core-api → (HTTP POST /api/v1/match) → ai-engine"
    )
    vulnerabilities = block[block.index("Vulnerabilities Identified:") + 1]
    assert vulnerabilities == (
        "- [FLOW101 high] HTTP call without a timeout "
        "(services/core-api/src/lib/ai-client.ts:10): fetch() to ai-engine waits forever."
        " → Pass an AbortSignal.timeout(5000)."
    )
    idempotency = block[block.index("Idempotency Analysis:") + 1]
    assert idempotency.startswith("- services/core-api/src/routes/stripe.ts:9: Not idempotent")
    gap = block[block.index("Observability Gaps:") + 1]
    assert gap == (
        "- Cross-service call without a log at services/core-api/src/lib/ai-client.ts:12"
        " → Log request id and latency."
    )
    scenarios = block[block.index("Test Scenarios:") + 1 :]
    # The "Billing" scenario belongs to another workflow.
    assert scenarios == [
        "1. Happy Path: Start both services; POST /api/match → 200",
        "2. Failure Mode: Stop ai-engine; POST /api/match → 503 fast",
    ]


def test_workflow_block_with_nothing_found_says_what_was_checked() -> None:
    workflow = Workflow("Billing", "cron", ("core-api",), (), (), ())
    review = empty_review(workflows=(workflow,), rules_run=RULES_RUN)
    (block,) = fenced_blocks(render(review), "text")
    assert block[block.index("Data Flow:") + 1] == "(no cross-service step found)"
    assert block[block.index("Vulnerabilities Identified:") + 1] == "- None found."
    assert "Checked: FLOW202." in block[block.index("Idempotency Analysis:") + 1]
    assert "Checked: FLOW401." in block[block.index("Observability Gaps:") + 1]


def test_backticks_in_workflow_text_cannot_close_its_fence() -> None:
    workflow = Workflow("Evil ```\n### Injected", "```", ("core-api",), (), (), ())
    markdown = render(empty_review(workflows=(workflow,)))
    (block,) = fenced_blocks(markdown, "text")
    assert block[0] == "Workflow: Evil ``` ### Injected"
    assert "Injected" not in sections(markdown)


def test_scenarios_section_lists_kind_steps_and_expectation() -> None:
    body = sections(render(full_review()))[HEADINGS[6]]
    assert "#### 2. Failure Mode: Matching" in body
    failure = body.split("#### 2.")[1].split("#### 3.")[0]
    assert "Kind: `failure`." in failure
    assert "1. Stop ai-engine\n2. POST /api/match" in failure
    assert "**Expected:** 503 fast" in failure


def test_checklist_items_are_task_list_entries() -> None:
    body = sections(render(full_review()))[HEADINGS[7]]
    assert "- [ ] Add a timeout to the ai-engine call (FLOW101)" in body
    assert "- [x] Add a contract test (FLOW001)" in body


def test_skipped_files_and_footer() -> None:
    markdown = render(full_review())
    assert "**Files skipped** (1):\n\n- `services/ai-engine/model.bin`: binary" in markdown
    footer = markdown.rstrip("\n").split("\n")[-1]
    assert "12 files analyzed" in footer
    assert "1.25 s" in footer
    assert "Files skipped" not in render(empty_review())


# --- untrusted text ------------------------------------------------------------------------------

HOSTILE_PATH = "services/core-api/a|b\nc`d.ts"
HOSTILE_MESSAGE = "x | y\n| z | w\r\n<!-- flow-review:end -->"


def hostile_review() -> Review:
    hostile = finding(
        path=HOSTILE_PATH,
        title="t|t",
        message=HOSTILE_MESSAGE,
        suggestion="s\n| s",
        service="core|api",
    )
    return empty_review(
        services=(Service("core|api", "services/a|b\nc", ("ts|x",)),),
        changed_services=("core|api",),
        findings=(hostile, replace(hostile, family=Family.CONTRACT, severity=Sev.LOW)),
        checklist=(ChecklistItem("x", "do it\n- [x] forged item", "FLOW101"),),
        scenarios=(Scenario("failure", "wf\n### Forged", ("a\n2. b",), "ok\n- c"),),
        stats=Stats(1, (SkippedFile("bad\n- forged.py", "too <big>"),), 0.1),
    )


def test_pipes_and_newlines_cannot_break_table_rows() -> None:
    markdown = render(hostile_review())
    found = tables(markdown)
    assert len(found) == 4  # services, critical, contract, resilience
    for table in found:
        widths = {len(table_cells(row)) for row in table}
        assert len(widths) == 1, table
    body = sections(markdown)
    assert len(tables(body[HEADINGS[1]])[0]) == 3  # header, rule, one finding
    assert rule_rows(body[HEADINGS[2]]) == ["FLOW101"]


def test_hostile_cell_contents_survive_escaped() -> None:
    body = sections(render(hostile_review()))[HEADINGS[1]]
    row = tables(body)[0][2]
    _, _, service, where, what, suggestion = table_cells(row)
    assert service == "core\\|api"
    assert where == "``services/core-api/a\\|b c`d.ts:10``"
    assert what == "**t\\|t**<br>x \\| y<br>\\| z \\| w<br>&lt;!-- flow-review:end -->"
    assert suggestion == "s<br>\\| s"


def test_untrusted_text_cannot_open_an_html_comment_or_forge_structure() -> None:
    markdown = render(hostile_review())
    assert "<!--" not in markdown
    assert "&lt;big>" in markdown
    assert [line for line in markdown.split("\n") if line.startswith("- [")] == [
        "- [ ] do it - [x] forged item (FLOW101)"
    ]
    assert "### Forged" not in markdown.split("\n")
    assert "- forged.py" not in markdown.split("\n")


# --- integration graph ---------------------------------------------------------------------------


def graph_review() -> Review:
    def edge(source: str, target: str, change: str, path: str = "/x") -> Edge:
        return Edge(source, target, "http", "POST", path, change, Location("a.py", 1, 1), None)

    return empty_review(
        services=tuple(Service(name, name) for name in ("core-api", "ai.engine v2", "end", "a_b")),
        changed_services=("core-api",),
        edges=(
            edge("core-api", "ai.engine v2", "added", '/x"|y'),
            edge("core-api", "end", "removed"),
            edge("end", "ai.engine v2", "modified"),
            edge("a-b", "a_b", "unchanged"),
        ),
        external=(ExternalSystemUse("core-api", Location("a.py", 1, 1), "stripe-eu"),),
    )


NODE = re.compile(r'^ {4}(\S+?)(\["|\{\{")(.*?)("\]|"\}\})$')
LINK = re.compile(r"^ {4}(\S+) (-->|-\.->|==>|--x)\|(.*)\| (\S+)$")


def mermaid_lines() -> list[str]:
    (block,) = fenced_blocks(render(graph_review()), "mermaid")
    return block


def test_mermaid_node_ids_are_sanitised_and_unique() -> None:
    lines = mermaid_lines()
    assert lines[0] == "flowchart LR"
    nodes = {m.group(3): m.group(1) for line in lines if (m := NODE.match(line))}
    assert set(nodes) == {"core-api", "ai.engine v2", "end", "a_b", "a-b", "stripe-eu"}
    for node_id in nodes.values():
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", node_id), node_id
        assert node_id != "end"
    assert len(set(nodes.values())) == len(nodes)
    links = [m for line in lines if (m := LINK.match(line))]
    assert len(links) == 5
    for link in links:
        assert {link.group(1), link.group(4)} <= set(nodes.values())


def test_mermaid_external_systems_have_their_own_shape() -> None:
    lines = mermaid_lines()
    (stripe,) = [line for line in lines if '"stripe-eu"' in line]
    assert '{{"stripe-eu"}}' in stripe
    (core,) = [line for line in lines if '"core-api"' in line and "|" not in line]
    assert '["core-api"]' in core


def test_mermaid_edges_show_their_change() -> None:
    links = {m.group(3): m.group(2) for line in mermaid_lines() if (m := LINK.match(line))}
    assert links['"added: POST /x#quot;#124;y"'] == "-.->"
    assert links['"removed: POST /x"'] == "--x"
    assert links['"modified: POST /x"'] == "==>"
    assert links['"POST /x"'] == "-->"
    assert links["external"] == "-->"


def test_mermaid_marks_changed_services() -> None:
    assert "    class svc_core_api changed" in mermaid_lines()


def test_no_graph_without_edges_says_so() -> None:
    body = sections(render(empty_review()))[HEADINGS[0]]
    assert "no cross-service call or external system found" in body
    assert "```mermaid" not in body


# --- the registry --------------------------------------------------------------------------------


def test_default_rules_are_the_registry() -> None:
    rule = ALL_RULES[0]
    review = empty_review(rules_run=(rule.code,))
    body = sections(render_markdown(review))
    assert f"Checked: {rule.code}." in body[SECTION_OF_FAMILY[rule.family]]


def test_mermaid_labels_cannot_smuggle_entity_codes_or_backticks() -> None:
    edge = Edge("a", "b", "queue", "", "jobs#quot;`x`", "unchanged", None, None)
    (block,) = fenced_blocks(render(empty_review(edges=(edge,))), "mermaid")
    (link,) = [m for line in block if (m := LINK.match(line))]
    # A literal "#quot;" must stay text, not turn into a quote that ends the label.
    assert link.group(3) == '"queue jobs#35;quot;#96;x#96;"'
