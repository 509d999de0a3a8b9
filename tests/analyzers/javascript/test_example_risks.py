"""The example change's TypeScript risks of the webhook, idempotency and schedule families.

Read from the example's README table ("Risks the change introduces"): each must
be reported in its family, in its file, on a line of its span, by a diff review
of base against head, as the demo runs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.diff import diff_snapshots
from analyzers.engine import ReviewRequest, review
from analyzers.facts import Finding
from analyzers.snapshot import MemorySnapshot
from tests.analyzers.javascript.tree import read_tree

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "marketplace"
FAMILIES = {"webhook-raw-body", "idempotency", "cron-overlap"}


def _risks() -> list[tuple[str, str, int, int]]:
    rows = []
    for line in (EXAMPLE / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 7 or not cells[0].isdigit():
            continue
        family, path, span = cells[1], cells[3].strip("`"), cells[5]
        if path.endswith(".ts") and family in FAMILIES:
            first, _, last = span.partition("-")
            rows.append((family, path, int(first), int(last or first)))
    return rows


@pytest.fixture(scope="module")
def findings() -> list[Finding]:
    base = MemorySnapshot(read_tree(EXAMPLE / "base"), rev="b" * 40)
    head = MemorySnapshot(read_tree(EXAMPLE / "head"), rev="h" * 40)
    result = review(ReviewRequest(head=head, base=base, changes=diff_snapshots(base, head)))
    return list(result.findings)


def test_the_table_lists_these_risks() -> None:
    assert len(_risks()) == 4


@pytest.mark.parametrize(("family", "path", "first", "last"), _risks())
def test_risk_is_reported_in_its_span(
    findings: list[Finding], family: str, path: str, first: int, last: int
) -> None:
    assert any(
        f.family.value == family
        and f.location is not None
        and f.location.path == path
        and first <= f.location.line <= last
        for f in findings
    ), f"{family} risk at {path}:{first}-{last} not reported"


def test_the_clean_twins_stay_quiet() -> None:
    """nightly-digest.ts (flag, lock, upsert on idempotency_key) is what the new job should be.

    Reviewed whole, so that an unchanged file's findings are not filtered out by the diff.
    """
    head = MemorySnapshot(read_tree(EXAMPLE / "head"), rev="h" * 40)
    findings = review(ReviewRequest(head=head)).findings
    digest = "services/core-api/src/jobs/nightly-digest.ts"
    assert [f for f in findings if f.location is not None and f.location.path == digest] == []
