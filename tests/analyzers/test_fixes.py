"""Mechanical fixes: every rule example's fixes applied give its `fixed` files and no finding.

The examples are the rules' own (`Example.fixed`); the bundled example change
is reviewed from a real git repository, its fixes committed on top, and
reviewed again.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import jsonschema
import pytest

from analyzers.config import Config
from analyzers.diff import parse_diff
from analyzers.engine import ReviewRequest, review
from analyzers.facts import Finding, Fix, Review
from analyzers.fixes import Edit, SourceLines, append_item, apply_fix
from analyzers.reports import dumps_review, load_json_schema
from analyzers.rules import ALL_RULES
from analyzers.rules.base import Example, Rule
from analyzers.rules.flow101_call_without_timeout import CallWithoutTimeout
from flow_review.demo import example_folder, example_repo
from flow_review.git import GitRepo
from tests.analyzers.examples import review_example
from tests.gitrepo import commit

CASES = [
    pytest.param(rule, example, id=f"{rule.code}-invalid-{i}")
    for rule in ALL_RULES
    for i, example in enumerate(rule.INVALID)
]


def apply_fixes(files: Mapping[str, str], fixes: Iterable[Fix]) -> dict[str, str]:
    """The files with every fix applied, the lowest lines last so line numbers hold."""
    out = dict(files)
    for fix in sorted(fixes, key=lambda f: (f.path, -f.start_line)):
        out[fix.path] = apply_fix(out[fix.path], fix)
    return out


def _own(result: Review, rule: type[Rule]) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule.code]


def as_change(example: Example, rule: type[Rule]) -> Example:
    """The example as a change: a whole-tree example's files with findings added by it.

    Fixes are suggestions on a diff, so a whole-repo review offers none.
    """
    if example.base is not None:
        return example
    whole = _own(review_example(example, [rule]), rule)
    assert all(f.fix is None for f in whole), "a whole-repo review offers no fix"
    added = {f.location.path for f in whole if f.location is not None}
    base = {path: text for path, text in example.head.items() if path not in added}
    return Example(head=example.head, base=base, config=example.config, fixed=example.fixed)


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_example_fixes(rule: type[Rule], example: Example) -> None:
    example = as_change(example, rule)
    found = _own(review_example(example, [rule]), rule)
    fixes = [f.fix for f in found if f.fix is not None]
    if example.fixed is None:
        assert fixes == [], example.note or "this example's findings have no fix"
        return
    assert len(fixes) == len(found), "every finding of the example has its fix"
    for fix in fixes:
        location = next(f.location for f in found if f.fix is fix)
        assert location is not None
        assert (fix.path, fix.start_line, fix.end_line) == (
            location.path,
            location.line,
            location.end_line,
        )
    fixed = apply_fixes(example.head, fixes)
    changed = {path: text for path, text in fixed.items() if text != example.head.get(path)}
    assert changed == dict(example.fixed)
    again = Example(head=fixed, base=example.base, config=example.config)
    assert _own(review_example(again, [rule]), rule) == []


def test_flow101_has_fixed_examples_for_python_and_typescript() -> None:
    paths = [p for e in CallWithoutTimeout.INVALID if e.fixed for p in e.fixed]
    assert any(p.endswith(".py") for p in paths)
    assert any(p.endswith(".ts") for p in paths)


# --- the bundled example, from a real git repository -----------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str, Review]:
    repo = tmp_path_factory.mktemp("fixes") / "repo"
    base, head = example_repo(example_folder(), repo)
    return repo, base, head, _review(repo, base, head)


def _review(repo: Path, base: str, head: str) -> Review:
    with GitRepo(repo) as git:
        request = ReviewRequest(
            head=git.snapshot(head),
            base=git.snapshot(base),
            changes=parse_diff(git.diff(base, head)),
            config=Config(),
        )
        return review(request)


def test_demo_timeouts_come_with_fixes_that_remove_them(
    demo: tuple[Path, str, str, Review],
) -> None:
    repo, base, _, result = demo
    timeouts = [f for f in result.findings if f.rule == "FLOW101"]
    fixes = [f.fix for f in timeouts if f.fix is not None]
    assert {fix.path.rsplit(".", 1)[1] for fix in fixes} >= {"py", "ts"}
    sources = {fix.path: (repo / fix.path).read_text(encoding="utf-8") for fix in fixes}
    for fix in fixes:
        old = "\n".join(sources[fix.path].split("\n")[fix.start_line - 1 : fix.end_line])
        # A timeout fix only adds to the lines it replaces.
        matcher = difflib.SequenceMatcher(None, old, fix.replacement, autojunk=False)
        assert {op for op, *_ in matcher.get_opcodes()} == {"equal", "insert"}
    fixed_head = commit(repo, apply_fixes(sources, fixes), "apply the suggested timeouts")
    again = _review(repo, base, fixed_head)
    fixed_paths = {fix.path for fix in fixes}
    left = [
        f
        for f in again.findings
        if f.rule == "FLOW101" and f.location is not None and f.location.path in fixed_paths
    ]
    unfixed = [
        f
        for f in timeouts
        if f.fix is None and f.location is not None and f.location.path in fixed_paths
    ]
    assert len(left) == len(unfixed)
    # The other rules are not disturbed by the edit: everything else is still found.
    others = {(f.rule, f.key) for f in result.findings if f.rule != "FLOW101"}
    assert others <= {(f.rule, f.key) for f in again.findings}


def test_fix_is_in_the_json_report_and_valid(demo: tuple[Path, str, str, Review]) -> None:
    *_, result = demo
    data = json.loads(dumps_review(result))
    jsonschema.Draft202012Validator(load_json_schema()).validate(data)
    with_fix = [f for f in data["findings"] if "fix" in f]
    assert with_fix and all(f["rule"] == "FLOW101" for f in with_fix)
    first = with_fix[0]
    assert first["fix"]["path"] == first["path"]
    assert first["fix"]["start_line"] == first["line"]
    assert "fix" not in next(f for f in data["findings"] if f["rule"] != "FLOW101")


# --- the edit helpers -------------------------------------------------------------------------


def test_apply_fix_replaces_whole_lines_and_may_add_lines() -> None:
    text = "a\nb\nc\nd\n"
    assert apply_fix(text, Fix("f", 2, 3, "B\nC\nX")) == "a\nB\nC\nX\nd\n"
    assert apply_fix(text, Fix("f", 1, 1, "A")) == "A\nb\nc\nd\n"
    assert apply_fix("x", Fix("f", 1, 1, "y")) == "y"


def test_edits_use_byte_offsets_of_utf8_text() -> None:
    lines = SourceLines("s = 'é'\nf(s)\n")
    close = lines.data.index(b")")
    end = lines.data.index(b"s)") + 1
    edits = append_item(
        lines, last_start=end - 1, last_end=end, comma_end=None, close=close, item="t=1"
    )
    assert lines.edited(edits) == "s = 'é'\nf(s, t=1)\n"
    fix = lines.fix("f.py", 2, 2, edits)
    assert fix == Fix("f.py", 2, 2, "f(s, t=1)")


def test_a_fix_outside_its_lines_is_refused() -> None:
    lines = SourceLines("a\nb\nc\n")
    assert lines.fix("f", 2, 2, [Edit(0, "x")]) is None
    assert lines.fix("f", 2, 2, []) is None


def test_carriage_returns_make_a_file_unfixable() -> None:
    assert SourceLines("a\nb\n").fixable
    assert not SourceLines("a\r\nb\r\n").fixable
