"""The bundled example, reviewed as `flow-review` reviews it, in every format."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from analyzers.reports import load_json_schema
from flow_review.cli import main
from flow_review.demo import example_folder, example_repo

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = [
    "Workflow Impact Summary",
    "Critical Vulnerabilities",
    "Data Contract Validation",
    "Resilience & Error Handling Review",
    "Observability Assessment",
    "Proposed Workflow Improvements",
    "End-to-End Test Scenarios",
    "Implementation Checklist",
]
FRAMEWORK_LINES = [
    "Workflow:",
    "Trigger:",
    "Services Involved:",
    "Data Flow:",
    "Vulnerabilities Identified:",
    "Idempotency Analysis:",
    "Observability Gaps:",
    "Test Scenarios:",
]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    repo = tmp_path_factory.mktemp("example") / "repo"
    base, head = example_repo(example_folder(), repo)
    return repo, base, head


def _review(example: tuple[Path, str, str], *extra: str) -> tuple[int, str]:
    repo, base, head = example
    out = repo.parent / ("report" + "".join(ch if ch.isalnum() else "-" for ch in "".join(extra)))
    code = main(
        [
            "review",
            "--repo",
            str(repo),
            "--base",
            base,
            "--head",
            head,
            "--output",
            str(out),
            *extra,
        ]
    )
    return code, out.read_text(encoding="utf-8")


def test_markdown_has_the_eight_sections_in_order(example: tuple[Path, str, str]) -> None:
    code, markdown = _review(example)
    assert code == 1  # the change breaks the Stripe webhook's raw body: critical, blocking
    headings = re.findall(r"^### (.+)$", markdown, flags=re.MULTILINE)
    assert headings == SECTIONS
    for line in FRAMEWORK_LINES:
        assert re.search(rf"^{re.escape(line)}", markdown, flags=re.MULTILINE), line
    assert "FLOW001" in markdown and "FLOW002" in markdown


def test_json_validates_against_the_schema(example: tuple[Path, str, str]) -> None:
    _, text = _review(example, "--format", "json")
    report = json.loads(text)
    jsonschema.Draft202012Validator(load_json_schema()).validate(report)
    assert report["changed_services"] == ["ai-engine", "core-api", "marketplace-web"]
    assert {s["name"]: s["root"] for s in report["services"]} == {
        "ai-engine": "services/ai-engine",
        "core-api": "services/core-api",
        "marketplace-web": "",
    }
    # The change alters three services and no test, doc or task file.
    assert {"FLOW001", "FLOW002"} <= {f["rule"] for f in report["findings"]}
    assert len(report["checklist"]) == len({(f["rule"], f["key"]) for f in report["findings"]})


def _planted_risks(language_suffix: str, families: set[str]) -> list[tuple[str, str, int, int]]:
    """Rows of the example's "Risks the change introduces" table: family, path, span."""
    readme = (example_folder() / "README.md").read_text(encoding="utf-8")
    rows = []
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 7 or not cells[0].isdigit():
            continue
        family, path, span = cells[1], cells[3].strip("`"), cells[5]
        if path.endswith(language_suffix) and family in families:
            first, _, last = span.partition("-")
            rows.append((family, path, int(first), int(last or first)))
    return rows


# The families planted in Python files: contract rows point at the ai-engine's models.
PYTHON_FAMILIES = {
    "timeout", "retry", "backoff", "rate-limit", "observability", "cron-overlap",
    "swallowed-error", "idempotency", "dead-letter", "webhook-signature", "webhook-raw-body",
    "contract",
}  # fmt: skip


def test_every_planted_python_risk_is_reported(example: tuple[Path, str, str]) -> None:
    _, text = _review(example, "--format", "json")
    findings = json.loads(text)["findings"]
    planted = _planted_risks(".py", PYTHON_FAMILIES)
    assert len(planted) >= 7
    for family, path, first, last in planted:
        assert any(
            f["family"] == family and f["path"] == path and first <= f["line"] <= last
            for f in findings
        ), f"{family} risk at {path}:{first}-{last} not reported"


# The TypeScript-side families the analyzer's rules cover. Not here: retry (row 6 is a POST,
# which no rule retries without an idempotency key).
TYPESCRIPT_FAMILIES = {
    "timeout", "webhook-raw-body", "idempotency", "swallowed-error", "dead-letter", "cron-overlap",
    "route-missing", "cascading",
}  # fmt: skip


def test_every_planted_typescript_risk_is_reported(example: tuple[Path, str, str]) -> None:
    _, text = _review(example, "--format", "json")
    findings = json.loads(text)["findings"]
    planted = _planted_risks(".ts", TYPESCRIPT_FAMILIES)
    assert len(planted) >= 7
    for family, path, first, last in planted:
        assert any(
            f["family"] == family and f["path"] == path and first <= f["line"] <= last
            for f in findings
        ), f"{family} risk at {path}:{first}-{last} not reported"


def _planted_edges(services: set[str]) -> list[dict[str, str]]:
    """The README's table of cross-service edges at head, rows between two services."""
    readme = (example_folder() / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Cross-service edges at head", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0] in services and cells[1] in services:
            source, target, method, path, change, call, endpoint = cells
            rows.append(
                {
                    "from": source,
                    "to": target,
                    "method": method,
                    "path": path.strip("`"),
                    "change": change.split()[0].strip(","),
                    "call": call.strip("`"),
                    "endpoint": endpoint.strip("`"),
                }
            )
    return rows


def test_edges_match_the_readme_table(example: tuple[Path, str, str]) -> None:
    report = json.loads(_review(example, "--format", "json")[1])
    services = {s["name"] for s in report["services"]} | {"web"}
    planted = _planted_edges(services)
    assert len(planted) >= 6
    for row in planted:
        source = "marketplace-web" if row["from"] == "web" else row["from"]
        found = [
            e
            for e in report["edges"]
            if e["from"] == source
            and e["to"] == row["to"]
            and e["method"] == row["method"]
            and f"{e['call']['path']}:{e['call']['line']}" == row["call"]
        ]
        assert len(found) == 1, row
        edge = found[0]
        assert edge["change"] == row["change"], row
        endpoint = edge["endpoint"]
        if row["endpoint"] == "none":
            assert endpoint is None and edge["status"] == "no-route", row
        else:
            assert f"{endpoint['path']}:{endpoint['line']}" == row["endpoint"], row


def test_typescript_risks_land_in_their_report_sections(example: tuple[Path, str, str]) -> None:
    _, markdown = _review(example)
    sections = dict(
        zip(SECTIONS, re.split(r"^### .+$", markdown, flags=re.MULTILINE)[1:], strict=True)
    )
    assert "FLOW207" in sections["Critical Vulnerabilities"]
    resilience = sections["Resilience & Error Handling Review"]
    for code in ("FLOW204", "FLOW205", "FLOW207", "FLOW401", "FLOW502", "FLOW503"):
        assert code in resilience, code
    assert "services/core-api/src/webhooks/stripe.ts" in sections["Implementation Checklist"]


def test_python_risks_land_in_their_report_sections(example: tuple[Path, str, str]) -> None:
    _, markdown = _review(example)
    sections = dict(
        zip(SECTIONS, re.split(r"^### .+$", markdown, flags=re.MULTILINE)[1:], strict=True)
    )
    resilience = sections["Resilience & Error Handling Review"]
    for code in ("FLOW101", "FLOW103", "FLOW104", "FLOW106", "FLOW502"):
        assert code in resilience, code
    assert "FLOW402" in sections["Observability Assessment"]
    assert "FLOW101" in sections["Critical Vulnerabilities"]  # high severity
    assert "services/ai-engine/app/jobs/rescore.py" in sections["Implementation Checklist"]


def test_sarif_validates_against_the_official_schema(example: tuple[Path, str, str]) -> None:
    _, text = _review(example, "--format", "sarif")
    sarif = json.loads(text)
    schema = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    results = sarif["runs"][0]["results"]
    report = json.loads(_review(example, "--format", "json")[1])
    assert {r["ruleId"] for r in results} == {f["rule"] for f in report["findings"]}
    assert all(r["partialFingerprints"]["flowReview/v1"] for r in results)


def test_checklist_appends_to_the_existing_human_task_file(
    example: tuple[Path, str, str], tmp_path: Path
) -> None:
    task = tmp_path / "TASK-012-matching-v2.md"
    original = (example_folder() / "head" / ".tasks" / "TASK-012-matching-v2.md").read_bytes()
    task.write_bytes(original)
    _review(example, "--checklist", str(task))
    merged = task.read_bytes()
    assert merged.startswith(original)
    assert merged.count(b"- [ ] [") >= 2
    _review(example, "--checklist", str(task))
    assert task.read_bytes() == merged


def test_demo_command_prints_the_review() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flow_review.cli", "demo", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stderr  # critical findings, as planted
    assert json.loads(result.stdout)["changed_services"] == [
        "ai-engine",
        "core-api",
        "marketplace-web",
    ]
