"""Every rule's own examples, run for every rule, and the checks that keep the registry honest."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest

import analyzers.rules
from analyzers.facts import Family, Severity
from analyzers.rules import ALL_RULES
from analyzers.rules.base import CODE_PATTERN, DOC_HEADINGS, Example, Rule
from analyzers.rules.reference import render_reference
from tests.analyzers.examples import review_example

ROOT = Path(__file__).resolve().parents[2]
CASES = [
    pytest.param(rule, kind, example, id=f"{rule.code}-{kind}-{i}")
    for rule in ALL_RULES
    for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for i, example in enumerate(examples)
]


@pytest.mark.parametrize(("rule", "kind", "example"), CASES)
def test_rule_example(rule: type[Rule], kind: str, example: Example) -> None:
    result = review_example(example, [rule])
    found = [f for f in result.findings if f.rule == rule.code]
    if kind == "valid":
        assert found == [], f"{example.note or 'valid example'}: {found}"
    else:
        assert len(found) == example.expected, example.note or "invalid example"
        for finding in found:
            assert finding.family is rule.family
            assert finding.title and finding.message and finding.key


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_is_documented_and_has_examples(rule: type[Rule]) -> None:
    assert CODE_PATTERN.match(rule.code)
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert isinstance(rule.family, Family) and isinstance(rule.severity, Severity)
    docs = rule.docs()
    assert docs.summary
    for heading in DOC_HEADINGS:
        assert docs.sections.get(heading), f"{rule.code} lacks '## {heading}'"
    assert rule.VALID and rule.INVALID


def test_codes_and_names_are_unique() -> None:
    codes = [rule.code for rule in ALL_RULES]
    names = [rule.name for rule in ALL_RULES]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))


def test_every_rule_module_is_registered() -> None:
    """One rule per file, the file named after its code, and no file left out of the registry."""
    modules = {
        m.name for m in pkgutil.iter_modules(analyzers.rules.__path__) if m.name.startswith("flow")
    }
    registered = {rule.__module__.rsplit(".", 1)[1] for rule in ALL_RULES}
    assert modules == registered
    for rule in ALL_RULES:
        assert rule.__module__.rsplit(".", 1)[1].startswith(rule.code.lower() + "_")


def test_rules_reference_is_up_to_date() -> None:
    written = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert written == render_reference(ALL_RULES), (
        "docs/rules.md is stale: flow-review rules --format markdown > docs/rules.md"
    )
