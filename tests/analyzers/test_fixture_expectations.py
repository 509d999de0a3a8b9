"""Fixture services whose lines say which findings they must produce: `# expect: FLOW101 ...`.

Python fixtures (`tests/fixtures/python/*`) announce them in `#` comments,
TypeScript ones (`tests/fixtures/typescript/*`) in `//` comments. Every rule
finding in a fixture must be announced on its first line, and every
announcement must be found: the comparison is exact both ways, so a rule that
starts crying wolf fails here as surely as one that goes quiet.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzers.engine import ReviewRequest, review
from analyzers.snapshot import MemorySnapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LANGUAGES = ("python", "typescript")
EXPECT = re.compile(r"(?:#|//)\s*expect:\s*((?:FLOW\d{3}\s*)+)")
SERVICES = [
    pytest.param(FIXTURES / language / service.name, id=f"{language}-{service.name}")
    for language in LANGUAGES
    for service in sorted((FIXTURES / language).iterdir())
    if service.is_dir()
]


def _tree(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _expected(files: dict[str, str]) -> set[tuple[str, int, str]]:
    found: set[tuple[str, int, str]] = set()
    for path, text in files.items():
        for number, line in enumerate(text.splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                found.update((path, number, code) for code in match.group(1).split())
    return found


def test_both_comment_styles_are_read() -> None:
    files = {"a.py": "x = 1  # expect: FLOW101 FLOW102\n", "b.ts": "f(); // expect: FLOW207\n"}
    assert _expected(files) == {
        ("a.py", 1, "FLOW101"),
        ("a.py", 1, "FLOW102"),
        ("b.ts", 1, "FLOW207"),
    }


@pytest.mark.parametrize("root", SERVICES)
def test_findings_match_the_inline_expectations(root: Path) -> None:
    files = _tree(root)
    result = review(ReviewRequest(head=MemorySnapshot(files)))
    found = {
        (f.location.path, f.location.line, f.rule)
        for f in result.findings
        if f.location is not None
    }
    expected = _expected(files)
    assert expected, "a fixture without expectations tests nothing"
    assert sorted(found - expected) == [], "findings nobody announced"
    assert sorted(expected - found) == [], "announced findings not found"
    assert result.stats.files_skipped == ()
