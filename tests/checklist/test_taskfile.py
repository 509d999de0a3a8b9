"""The `.tasks/` checklist: rendering, merging, and what a merge must never lose."""

from __future__ import annotations

import ast
import random
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import unquote

import pytest

import checklist
from analyzers.facts import (
    ChangedFile,
    ChangeStatus,
    ChecklistItem,
    Family,
    Finding,
    Review,
    Service,
    Severity,
    Stats,
)
from checklist import ChecklistError, merge_task_file, render_task_file

HEAD = "0123456789abcdef0123456789abcdef01234567"
OTHER_HEAD = "fedcba9876543210fedcba9876543210fedcba98"
TITLE = "Review: add matching endpoint"

CL_START = "<!-- flow-review:checklist:start -->"
CL_END = "<!-- flow-review:checklist:end -->"
FILES_START = "<!-- flow-review:files:start -->"
FILES_END = "<!-- flow-review:files:end -->"
MARKERS = (CL_START, CL_END, FILES_START, FILES_END)

SERVICES = (
    Service("repo", ""),
    Service("core-api", "services/core-api", ("typescript",)),
    Service("ai-engine", "services/ai-engine", ("python",)),
)


# --- building reviews by hand -----------------------------------------------------------------


def item(item_id: str, text: str | None = None, *, done: bool = False) -> ChecklistItem:
    return ChecklistItem(id=item_id, text=text or f"Fix {item_id}", rule="FLOW101", done=done)


def finding(
    severity: Severity,
    title: str = "Call without a timeout",
    *,
    rule: str = "FLOW101",
    service: str | None = "core-api",
    blocking: bool = False,
) -> Finding:
    return Finding(
        rule=rule,
        family=Family.TIMEOUT,
        severity=severity,
        title=title,
        message="message",
        service=service,
        location=None,
        key=f"{rule}:{title}",
        blocking=blocking,
    )


def change(path: str) -> ChangedFile:
    return ChangedFile(path=path, status=ChangeStatus.MODIFIED)


def make_review(
    items: Iterable[ChecklistItem] = (),
    *,
    findings: Iterable[Finding] = (),
    head: str | None = HEAD,
    services: Sequence[Service] = SERVICES,
    changed_services: Sequence[str] = ("core-api",),
    paths: Sequence[str] = ("services/core-api/src/lib/ai-client.ts",),
) -> Review:
    return Review(
        base="b" * 40,
        head=head,
        whole_repo=False,
        services=tuple(services),
        changed_services=tuple(changed_services),
        changes=tuple(change(path) for path in paths),
        findings=tuple(findings),
        workflows=(),
        scenarios=(),
        checklist=tuple(items),
        stats=Stats(files_analyzed=0, files_skipped=(), seconds=0.0),
    )


# --- reading task files back, independently of the implementation -----------------------------

ITEM_RE = re.compile(r"^- \[(?P<tick>[ xX])\] (?P<text>.*) <!-- flow-review:item=(?P<id>\S*) -->$")
RESOLVED_RE = re.compile(r"(?<!\\)\(resolved in [^()]*\)$")


def region(text: str, start: str, end: str) -> list[str]:
    """The lines (without endings) strictly between two markers."""
    lines = [line.rstrip("\r\n") for line in text.splitlines(keepends=True)]
    stripped = [line.strip() for line in lines]
    return lines[stripped.index(start) + 1 : stripped.index(end)]


def items_of(text: str) -> list[tuple[str, str, str]]:
    """(id, tick, text) of every item line in the checklist region, in file order."""
    found = []
    for line in region(text, CL_START, CL_END):
        match = ITEM_RE.match(line)
        if match:
            found.append((unquote(match["id"]), match["tick"], match["text"]))
    return found


def item_map(text: str) -> dict[str, tuple[str, str]]:
    return {item_id: (tick, body) for item_id, tick, body in items_of(text)}


def notes_of(text: str) -> list[str]:
    return [line for line in region(text, CL_START, CL_END) if not ITEM_RE.match(line)]


def outside_lines(text: str) -> list[str]:
    """Raw lines (with endings) that are not between a start and an end marker."""
    kept: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped in (CL_END, FILES_END):
            inside = False
        if not inside:
            kept.append(line)
        if stripped in (CL_START, FILES_START):
            inside = True
    return kept


def tick(text: str, item_id: str, mark: str = "x") -> str:
    """`text` with the box of one item set to `mark`, as a person would do in an editor."""
    pattern = re.compile(
        rf"^- \[[ xX]\](?= .*<!-- flow-review:item={re.escape(item_id)} -->)", re.M
    )
    changed, count = pattern.subn(f"- [{mark}]", text)
    assert count == 1
    return changed


# --- rendering --------------------------------------------------------------------------------


def test_render_has_every_heading_and_field_in_order() -> None:
    text = render_task_file(make_review([item("a")]), title=TITLE)
    lines = text.split("\n")

    assert lines[0] == f"# {TITLE}"
    expected_order = [
        "**Status**: IN_REVIEW",
        "**Type**: Integration Review",
        "**Priority**: P3",
        "## Problem",
        "## Acceptance Criteria",
        CL_START,
        CL_END,
        "## Related Files",
        FILES_START,
        FILES_END,
    ]
    positions = [lines.index(line) for line in expected_order]
    assert positions == sorted(positions)
    assert all(lines.count(marker) == 1 for marker in MARKERS)
    assert text.endswith(f"{FILES_END}\n")
    assert "\r" not in text


@pytest.mark.parametrize(
    ("severities", "expected"),
    [
        ((), "P3"),
        ((Severity.INFO,), "P3"),
        ((Severity.LOW, Severity.INFO), "P3"),
        ((Severity.MEDIUM, Severity.LOW), "P2"),
        ((Severity.INFO, Severity.HIGH, Severity.MEDIUM), "P1"),
        ((Severity.LOW, Severity.CRITICAL, Severity.HIGH), "P0"),
    ],
)
def test_priority_follows_the_worst_finding(
    severities: tuple[Severity, ...], expected: str
) -> None:
    review = make_review(findings=[finding(severity) for severity in severities])
    assert f"\n**Priority**: {expected}\n" in render_task_file(review, title=TITLE)


def test_problem_summarises_services_counts_and_top_findings() -> None:
    findings = [
        finding(Severity.LOW, "Log line without request id", rule="FLOW120"),
        finding(Severity.HIGH, "Retry without backoff", rule="FLOW102", blocking=True),
        finding(Severity.CRITICAL, "Webhook signature not verified", service="ai-engine"),
        finding(Severity.HIGH, "Call without a timeout"),
    ]
    review = make_review(findings=findings, changed_services=("ai-engine", "core-api"))
    problem = render_task_file(review, title=TITLE).split("## Problem\n")[1].split("\n## ")[0]

    assert "touches 2 services: ai-engine, core-api." in problem
    assert "4 findings: 1 critical, 2 high, 1 low (1 blocking)." in problem
    bullets = [line for line in problem.splitlines() if line.startswith("- ")]
    assert bullets == [
        "- **critical** FLOW101: Webhook signature not verified (ai-engine)",
        "- **high** FLOW102: Retry without backoff (core-api)",
        "- **high** FLOW101: Call without a timeout (core-api)",
        "- **low** FLOW120: Log line without request id (core-api)",
    ]


def test_problem_lists_at_most_five_findings_and_counts_the_rest() -> None:
    review = make_review(findings=[finding(Severity.MEDIUM, f"Finding {n}") for n in range(8)])
    problem = render_task_file(review, title=TITLE).split("## Problem\n")[1].split("\n## ")[0]

    bullets = [line for line in problem.splitlines() if line.startswith("- ")]
    assert bullets[:5] == [f"- **medium** FLOW101: Finding {n} (core-api)" for n in range(5)]
    assert bullets[5:] == ["- and 3 more"]


def test_problem_without_findings_or_services_says_so() -> None:
    review = make_review(changed_services=())
    problem = render_task_file(review, title=TITLE).split("## Problem\n")[1].split("\n## ")[0]
    assert "touches no known service" in problem
    assert "found no integration risks" in problem


def test_render_lists_items_in_review_order_once_each_with_their_done_state() -> None:
    review = make_review(
        [item("b", "Second thing"), item("a", "First thing", done=True), item("b", "Ignored")]
    )
    assert items_of(render_task_file(review, title=TITLE)) == [
        ("b", " ", "Second thing"),
        ("a", "x", "First thing"),
    ]


def test_related_files_name_the_service_with_the_longest_matching_root() -> None:
    services = (*SERVICES, Service("shared", "services"))
    paths = (
        "services/core-api/src/app.ts",
        "services/core-apix/main.py",
        "services/ai-engine/main.py",
        "README.md",
        "services/core-api/src/app.ts",
    )
    text = render_task_file(make_review(services=services, paths=paths), title=TITLE)
    assert region(text, FILES_START, FILES_END) == [
        "- `services/core-api/src/app.ts` (core-api)",
        "- `services/core-apix/main.py` (shared)",
        "- `services/ai-engine/main.py` (ai-engine)",
        "- `README.md` (repo)",
    ]


def test_related_files_without_a_matching_service_and_with_awkward_paths() -> None:
    paths = ("docs/a`b.md", "weird\nname.txt")
    text = render_task_file(make_review(services=(), paths=paths), title=TITLE)
    assert region(text, FILES_START, FILES_END) == ["- ``docs/a`b.md``", "- `weird\\nname.txt`"]


def test_merging_into_an_empty_file_renders_a_new_one() -> None:
    review = make_review([item("a")], findings=[finding(Severity.HIGH)])
    assert merge_task_file("", review, title=TITLE) == render_task_file(review, title=TITLE)


def test_a_rendered_file_is_already_merged() -> None:
    review = make_review([item("a"), item("b", done=True)], findings=[finding(Severity.LOW)])
    rendered = render_task_file(review, title=TITLE)
    assert merge_task_file(rendered, review, title="Another title") == rendered


# --- merging: ticks, new, resolved and reopened items -----------------------------------------


def test_ticked_boxes_stay_ticked_even_while_the_finding_is_still_there() -> None:
    review = make_review([item("a"), item("b"), item("c")])
    edited = tick(tick(render_task_file(review, title=TITLE), "a", "x"), "b", "X")

    merged = merge_task_file(edited, review, title=TITLE)

    assert [(item_id, mark) for item_id, mark, _ in items_of(merged)] == [
        ("a", "x"),
        ("b", "X"),
        ("c", " "),
    ]
    assert merged == edited


def test_new_items_are_added_in_review_order_after_the_existing_items() -> None:
    old = render_task_file(make_review([item("a"), item("b")]), title=TITLE)
    old = old.replace(f"{CL_END}\n", f"A note a person left after the items.\n{CL_END}\n")

    merged = merge_task_file(
        old, make_review([item("z"), item("b"), item("y"), item("a")]), title=TITLE
    )

    assert region(merged, CL_START, CL_END) == [
        "- [ ] Fix a <!-- flow-review:item=a -->",
        "- [ ] Fix b <!-- flow-review:item=b -->",
        "- [ ] Fix z <!-- flow-review:item=z -->",
        "- [ ] Fix y <!-- flow-review:item=y -->",
        "A note a person left after the items.",
    ]


def test_new_items_fill_a_region_that_has_only_notes() -> None:
    old = render_task_file(make_review(), title=TITLE).replace(
        f"{CL_START}\n", f"{CL_START}\nNothing to do yet.\n"
    )
    merged = merge_task_file(old, make_review([item("a", done=True)]), title=TITLE)
    assert region(merged, CL_START, CL_END) == [
        "Nothing to do yet.",
        "- [x] Fix a <!-- flow-review:item=a -->",
    ]


def test_item_text_follows_the_review_but_the_tick_stays() -> None:
    old = tick(render_task_file(make_review([item("a", "Old wording")]), title=TITLE), "a", "X")
    merged = merge_task_file(old, make_review([item("a", "New wording")]), title=TITLE)
    assert items_of(merged) == [("a", "X", "New wording")]


def test_items_whose_finding_is_gone_are_ticked_and_annotated_never_deleted() -> None:
    old = render_task_file(make_review([item("a"), item("b"), item("c")]), title=TITLE)
    old = tick(old, "b", "X")

    merged = merge_task_file(old, make_review([item("c")]), title=TITLE)

    assert items_of(merged) == [
        ("a", "x", "Fix a (resolved in 0123456)"),
        ("b", "X", "Fix b (resolved in 0123456)"),
        ("c", " ", "Fix c"),
    ]


def test_resolved_in_the_working_tree_when_there_is_no_head() -> None:
    old = render_task_file(make_review([item("a")]), title=TITLE)
    merged = merge_task_file(old, make_review(head=None), title=TITLE)
    assert items_of(merged) == [("a", "x", "Fix a (resolved in working tree)")]


def test_a_resolved_item_keeps_the_sha_that_resolved_it() -> None:
    old = render_task_file(make_review([item("a")]), title=TITLE)
    first = merge_task_file(old, make_review(head=HEAD), title=TITLE)
    later = merge_task_file(first, make_review(head=OTHER_HEAD), title=TITLE)
    assert later == first
    assert "(resolved in 0123456)" in later


def test_a_resolved_item_reopens_when_its_finding_comes_back() -> None:
    old = render_task_file(make_review([item("a"), item("b")]), title=TITLE)
    resolved = merge_task_file(old, make_review([item("b")]), title=TITLE)
    assert item_map(resolved)["a"][0] == "x"

    reopened = merge_task_file(
        resolved, make_review([item("a", "Fix a again"), item("b")]), title=TITLE
    )

    assert items_of(reopened) == [("a", " ", "Fix a again"), ("b", " ", "Fix b")]


def test_a_person_unticking_a_resolved_item_is_respected() -> None:
    old = render_task_file(make_review([item("a")]), title=TITLE)
    resolved = merge_task_file(old, make_review(), title=TITLE)
    unticked = tick(resolved, "a", " ")
    assert merge_task_file(unticked, make_review(), title=TITLE) == unticked


def test_text_that_looks_like_the_annotation_never_unticks_a_persons_box() -> None:
    review = make_review([item("a", "Retry (resolved in abcdef0)")])
    ticked = tick(render_task_file(review, title=TITLE), "a")
    merged = merge_task_file(ticked, review, title=TITLE)
    assert merged == ticked
    assert item_map(merged)["a"][0] == "x"


def test_duplicated_item_lines_are_both_kept_and_updated() -> None:
    old = render_task_file(make_review([item("a", "Old")]), title=TITLE)
    line = "- [ ] Old <!-- flow-review:item=a -->\n"
    old = tick(old, "a").replace(f"{CL_END}\n", f"{line}{CL_END}\n")

    merged = merge_task_file(old, make_review([item("a", "New")]), title=TITLE)

    assert items_of(merged) == [("a", "x", "New"), ("a", " ", "New")]
    assert merge_task_file(merged, make_review([item("a", "New")]), title=TITLE) == merged


# --- merging: a person's bytes ----------------------------------------------------------------

HUMAN_FILE = (
    "# Integrate matching   \n"
    "\n"
    "**Status**: BLOCKED\t(waiting on infra)\n"
    "**Owner**: Zoë\n"
    "\n"
    "## Acceptance Criteria\n"
    "Things we agreed on in the design review:\n"
    "- [x] My own task, not Flow Review's\n"
    f"{CL_START}\n"
    "> Reviewer note: a is the important one  \n"
    "- [ ] Fix a <!-- flow-review:item=a -->\n"
    "\n"
    "   indented note with <b>html</b>\n"
    "- [X] Fix b <!-- flow-review:item=b -->\n"
    f"{CL_END}\n"
    "\n"
    "## Related Files\n"
    f"{FILES_START}\n"
    "- `stale/path.py` (gone)\n"
    f"{FILES_END}\n"
    "\n"
    "## Notes\n"
    "- [ ] looks like an item <!-- flow-review:item=c -->\n"
    "trailing human text"
)


def test_human_lines_outside_and_inside_the_regions_are_kept_byte_for_byte() -> None:
    review = make_review([item("b", "Fix b properly"), item("c")], paths=("services/x.py",))

    merged = merge_task_file(HUMAN_FILE, review, title=TITLE)

    assert outside_lines(merged) == outside_lines(HUMAN_FILE)
    assert merged.endswith("trailing human text")
    assert region(merged, CL_START, CL_END) == [
        "> Reviewer note: a is the important one  ",
        "- [x] Fix a (resolved in 0123456) <!-- flow-review:item=a -->",
        "",
        "   indented note with <b>html</b>",
        "- [X] Fix b properly <!-- flow-review:item=b -->",
        "- [ ] Fix c <!-- flow-review:item=c -->",
    ]


def test_the_files_region_is_regenerated_from_the_review() -> None:
    review = make_review(paths=("services/ai-engine/main.py",))
    merged = merge_task_file(HUMAN_FILE, review, title=TITLE)
    assert region(merged, FILES_START, FILES_END) == ["- `services/ai-engine/main.py` (ai-engine)"]


def test_a_crlf_file_stays_crlf_inside_the_regions_too() -> None:
    crlf = HUMAN_FILE.replace("\n", "\r\n")
    review = make_review([item("b"), item("new")], paths=("a.py", "b.py"))

    merged = merge_task_file(crlf, review, title=TITLE)

    assert re.search(r"(?<!\r)\n", merged) is None
    assert outside_lines(merged) == outside_lines(crlf)
    assert "- [ ] Fix new <!-- flow-review:item=new -->\r\n" in merged
    assert "- `b.py` (repo)\r\n" in merged
    assert merge_task_file(merged, review, title=TITLE) == merged


def test_a_file_without_a_trailing_newline_keeps_having_none() -> None:
    rendered = render_task_file(make_review([item("a")]), title=TITLE)
    assert rendered.endswith("\n")
    trimmed = rendered[:-1]

    merged = merge_task_file(trimmed, make_review([item("a"), item("b")]), title=TITLE)

    assert merged.endswith(FILES_END)
    assert [item_id for item_id, _, _ in items_of(merged)] == ["a", "b"]


@pytest.mark.parametrize(
    ("human", "joint"),
    [
        ("# Plan\n\nDo the thing.\n", "Do the thing.\n\n## Acceptance Criteria (Flow Review)\n"),
        ("# Plan\n\nDo the thing.", "Do the thing.\n\n## Acceptance Criteria (Flow Review)\n"),
        ("# Plan\n\n", "# Plan\n\n## Acceptance Criteria (Flow Review)\n"),
        ("# Plan\r\nDo it.\r\n", "Do it.\r\n\r\n## Acceptance Criteria (Flow Review)\r\n"),
    ],
)
def test_a_file_without_regions_gets_both_sections_appended(human: str, joint: str) -> None:
    review = make_review([item("a")], paths=("services/core-api/x.ts",))

    merged = merge_task_file(human, review, title=TITLE)

    assert merged.startswith(human)
    assert joint in merged
    newline = "\r\n" if "\r\n" in human else "\n"
    assert (
        f"{newline}{CL_END}{newline}{newline}## Related Files (Flow Review){newline}{FILES_START}"
        in merged
    )
    assert items_of(merged) == [("a", " ", "Fix a")]
    assert region(merged, FILES_START, FILES_END) == ["- `services/core-api/x.ts` (core-api)"]
    assert merged.endswith(FILES_END + newline) == human.endswith("\n")
    assert merge_task_file(merged, review, title=TITLE) == merged


def test_a_missing_files_region_is_appended_and_the_checklist_merged_in_place() -> None:
    rendered = render_task_file(make_review([item("a")]), title=TITLE)
    without_files = rendered.split("## Related Files")[0]
    review = make_review([item("a"), item("b")])

    merged = merge_task_file(without_files, review, title=TITLE)

    assert "## Acceptance Criteria (Flow Review)" not in merged
    assert merged.count(CL_START) == 1
    assert "\n## Related Files (Flow Review)\n" in merged
    assert [item_id for item_id, _, _ in items_of(merged)] == ["a", "b"]
    assert merge_task_file(merged, review, title=TITLE) == merged


# --- idempotency ------------------------------------------------------------------------------

ODD_IDS = ["a b", "x-->y", "100%", "ü", "<!--"]
POOL = [f"FLOW1{n:02d}:svc-{n % 3}:src/file{n}.py" for n in range(10)] + ODD_IDS
TEXTS = [
    "Add a timeout to the AI engine call",
    "Bound retries <!-- with backoff",
    "Check --> arrow handling",
    "Multi\nline\r\ntext",
    "Retry (resolved in deadbee)",
    "  padded   text  ",
    "",
]
HUMAN_NOTES = ["> a note", "", "- [ ] a person's own task", "  - nested bullet", "Zoë was here"]
HUMAN_OUTSIDE = [
    "Outside note",
    "- [x] a task outside <!-- flow-review:item=FLOW100:svc-0:src/file0.py -->",
    "",
]


def random_review(rng: random.Random) -> Review:
    ids = rng.sample(POOL, k=rng.randint(0, len(POOL)))
    items = [item(i, rng.choice(TEXTS) or None, done=rng.random() < 0.1) for i in ids]
    head = rng.choice([None, HEAD, OTHER_HEAD, "".join(rng.choices("0123456789abcdef", k=40))])
    paths = rng.sample(["services/core-api/a.ts", "services/ai-engine/b.py", "c.md"], k=2)
    return make_review(items, head=head, paths=paths)


def human_edit(rng: random.Random, text: str, newline: str) -> str:
    lines = text.splitlines(keepends=True)
    stripped = [line.strip() for line in lines]
    start, end = stripped.index(CL_START), stripped.index(CL_END)
    items = [n for n in range(start + 1, end) if ITEM_RE.match(lines[n].rstrip("\r\n"))]
    action = rng.choice(["tick", "untick", "note", "outside", "reword"])
    if action in ("tick", "untick", "reword") and items:
        n = rng.choice(items)
        if action == "reword":
            lines[n] = re.sub(r"\] .* <!--", "] blocked on infra <!--", lines[n])
        else:
            mark = rng.choice("xX") if action == "tick" else " "
            lines[n] = f"- [{mark}]{lines[n][5:]}"
    elif action == "note":
        lines.insert(rng.randint(start + 1, end), rng.choice(HUMAN_NOTES) + newline)
    elif action == "outside":
        # Never after the last line: that would change whether the file ends in a newline.
        at = rng.choice([rng.randint(0, start), rng.randint(end + 1, len(lines) - 1)])
        lines.insert(at, rng.choice(HUMAN_OUTSIDE) + newline)
    return "".join(lines)


def check_merge(before: str, review: Review, merged: str, newline: str) -> None:
    assert merge_task_file(merged, review, title=TITLE) == merged
    assert outside_lines(merged) == outside_lines(before)
    assert notes_of(merged) == notes_of(before)
    assert merged.endswith("\n") == before.endswith("\n")
    if newline == "\r\n":
        assert re.search(r"(?<!\r)\n", merged) is None

    after = item_map(merged)
    wanted = {entry.id for entry in review.checklist}
    assert {item_id for item_id, _, _ in items_of(before)} | wanted == set(after)
    for item_id, mark, body in items_of(before):
        if mark != " " and not RESOLVED_RE.search(body):
            assert after[item_id][0] != " ", f"{item_id} lost its tick"
    for item_id, (mark, body) in after.items():
        assert "<!--" not in body
        assert "-->" not in body
        if item_id in wanted:
            assert not RESOLVED_RE.search(body)
        else:
            assert RESOLVED_RE.search(body)
            if not RESOLVED_RE.search(item_map(before)[item_id][1]):
                assert mark != " ", f"{item_id} was resolved but not ticked"
    assert len(region(merged, FILES_START, FILES_END)) == len(review.changes)


@pytest.mark.parametrize("seed", range(40))
def test_merging_is_idempotent_over_random_edit_sequences(seed: int) -> None:
    rng = random.Random(seed)
    newline = rng.choice(["\n", "\r\n"])
    first = random_review(rng)
    if rng.random() < 0.3:
        text = merge_task_file(f"# Hand-written{newline}{newline}Body", first, title=TITLE)
    else:
        text = render_task_file(first, title=TITLE).replace("\n", newline)
        if rng.random() < 0.3:
            text = text.removesuffix(newline)

    for _ in range(12):
        for _ in range(rng.randint(0, 4)):
            text = human_edit(rng, text, newline)
        review = random_review(rng)
        merged = merge_task_file(text, review, title=TITLE)
        check_merge(text, review, merged, newline)
        text = merged


# --- broken markers ---------------------------------------------------------------------------


def rendered_lines() -> list[str]:
    return render_task_file(make_review([item("a")]), title=TITLE).splitlines()


def broken(edit: str) -> tuple[str, str, int]:
    """A broken file, the marker the error must name and its 1-based line number."""
    lines = rendered_lines()
    cl_start, cl_end = lines.index(CL_START), lines.index(CL_END)
    files_start = lines.index(FILES_START)
    if edit == "start without end":
        del lines[cl_end]
        # The files start marker now opens a region inside the unclosed checklist one.
        return "\n".join(lines), FILES_START, files_start
    if edit == "files start without end":
        del lines[lines.index(FILES_END)]
        return "\n".join(lines), FILES_START, files_start + 1
    if edit == "end without start":
        del lines[cl_start]
        return "\n".join(lines), CL_END, cl_end
    if edit == "end before start":
        lines[cl_start], lines[cl_end] = lines[cl_end], lines[cl_start]
        return "\n".join(lines), CL_END, cl_start + 1
    if edit == "duplicated region":
        lines += ["", CL_START, "- [x] Fix a <!-- flow-review:item=a -->", CL_END]
        return "\n".join(lines), CL_START, len(lines) - 2
    if edit == "stray end after region":
        lines.insert(cl_end + 2, CL_END)
        return "\n".join(lines), CL_END, cl_end + 3
    if edit == "nested start":
        lines.insert(cl_start + 1, CL_START)
        return "\n".join(lines), CL_START, cl_start + 2
    if edit == "foreign end inside region":
        lines.insert(cl_start + 1, FILES_END)
        return "\n".join(lines), FILES_END, cl_start + 2
    raise AssertionError(edit)


@pytest.mark.parametrize(
    "edit",
    [
        "start without end",
        "files start without end",
        "end without start",
        "end before start",
        "duplicated region",
        "stray end after region",
        "nested start",
        "foreign end inside region",
    ],
)
def test_broken_markers_raise_a_one_line_error_naming_marker_and_line(edit: str) -> None:
    text, marker, line = broken(edit)
    with pytest.raises(ChecklistError) as caught:
        merge_task_file(text, make_review([item("a")]), title=TITLE)
    message = str(caught.value)
    assert "\n" not in message
    assert marker in message
    assert f"line {line}:" in message
    assert (caught.value.marker, caught.value.line) == (marker, line)


def test_an_unclosed_last_region_names_its_own_start() -> None:
    lines = rendered_lines()
    del lines[lines.index(FILES_END)]
    lines.append("trailing text")
    with pytest.raises(ChecklistError, match=re.escape(FILES_START)) as caught:
        merge_task_file("\n".join(lines), make_review(), title=TITLE)
    assert caught.value.line == lines.index(FILES_START) + 1
    assert FILES_END in str(caught.value)


# --- escaping ---------------------------------------------------------------------------------

INJECTIONS = [
    f"Harmless {CL_END}",
    f"line one\n{CL_END}\n- [x] forged <!-- flow-review:item=forged -->\n{CL_START}",
    "opens a comment <!-- and never closes it",
    "closes one --> early",
    "<!---->",
    "<!-- flow-review:item=b -->",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_item_text_cannot_forge_markers_or_break_the_markdown(text: str) -> None:
    review = make_review([item("a", text), item("b")])

    rendered = render_task_file(review, title=text)

    lines = rendered.split("\n")
    assert all(lines.count(marker) == 1 for marker in MARKERS)
    assert rendered.count("<!--") == rendered.count("-->") == 4 + 2
    assert [item_id for item_id, _, _ in items_of(rendered)] == ["a", "b"]
    body = item_map(rendered)["a"][1]
    assert "<!--" not in body
    assert "-->" not in body
    assert "\n" not in body
    resolved = merge_task_file(rendered, make_review([item("b")]), title=TITLE)
    assert [item_id for item_id, _, _ in items_of(resolved)] == ["a", "b"]
    assert merge_task_file(resolved, make_review([item("b")]), title=TITLE) == resolved


def test_finding_titles_and_service_names_are_escaped_too() -> None:
    review = make_review(
        findings=[finding(Severity.HIGH, "Unclosed <!-- comment", service="svc-->")],
        changed_services=("a\nb",),
    )
    rendered = render_task_file(review, title=TITLE)
    assert rendered.count("<!--") == rendered.count("-->") == 4
    assert "touches 1 service: a b." in rendered


def test_no_text_of_comment_characters_survives_escaping() -> None:
    rng = random.Random(7)
    for _ in range(500):
        text = "".join(rng.choices("<!->\n x", k=rng.randint(0, 14)))
        review = make_review([item("a", text or "x")])
        body = item_map(render_task_file(review, title=TITLE))["a"][1]
        assert "<!--" not in body
        assert "-->" not in body


@pytest.mark.parametrize("item_id", ["a b", "x-->y", "100%", "ü", "", "tab\there", "<!--"])
def test_any_item_id_round_trips_through_its_marker(item_id: str) -> None:
    review = make_review([item(item_id, "Text"), item("other")])
    rendered = render_task_file(review, title=TITLE)

    assert rendered.count("-->") == 6
    assert [found for found, _, _ in items_of(rendered)] == [item_id, "other"]
    assert merge_task_file(rendered, review, title=TITLE) == rendered
    resolved = merge_task_file(rendered, make_review([item("other")]), title=TITLE)
    assert item_map(resolved)[item_id] == ("x", "Text (resolved in 0123456)")


# --- purity -----------------------------------------------------------------------------------


def test_the_package_imports_only_the_standard_library_and_the_facts() -> None:
    package = Path(checklist.__file__).parent
    imported: set[str] = set()
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module)
    foreign = {
        name
        for name in imported
        if name.split(".")[0] not in sys.stdlib_module_names
        and name != "analyzers.facts"
        and name.split(".")[0] != "checklist"
    }
    assert "analyzers.facts" in imported
    assert foreign == set()
