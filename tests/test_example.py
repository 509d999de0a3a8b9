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
    assert code == 0
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
    assert sorted(f["rule"] for f in report["findings"]) == ["FLOW001", "FLOW002"]
    assert len(report["checklist"]) == 2


def test_sarif_validates_against_the_official_schema(example: tuple[Path, str, str]) -> None:
    _, text = _review(example, "--format", "sarif")
    sarif = json.loads(text)
    schema = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"FLOW001", "FLOW002"}
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
    assert merged.count(b"- [ ] [") == 2
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
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["changed_services"] == [
        "ai-engine",
        "core-api",
        "marketplace-web",
    ]
