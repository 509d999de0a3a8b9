from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from analyzers.facts import Family, Location, Severity, UnresolvedCall
from analyzers.reports import dumps_review, finding_fingerprint, load_json_schema, review_to_json
from tests.analyzers.reports.builders import (
    BASE,
    GOVERNANCE,
    HEAD,
    TIMEOUT,
    empty_review,
    finding,
    full_review,
)

SCHEMA_PATH = (
    Path(__file__).resolve().parents[3] / "analyzers" / "reports" / "flow-review-v1.schema.json"
)


def as_data(review_json: dict[str, object]) -> Any:
    # A JSON round trip both proves the output serialises and gives freely indexable data.
    return json.loads(json.dumps(review_json))


def test_schema_file_is_a_valid_draft_2020_12_schema() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert load_json_schema() == schema


@pytest.mark.parametrize("review", [empty_review(), full_review()], ids=["empty", "full"])
def test_output_validates_against_schema(
    review_validator: Draft202012Validator, review: Any
) -> None:
    errors = list(review_validator.iter_errors(as_data(review_to_json(review))))
    assert errors == []


def test_top_level_fields_are_exactly_designs_names_plus_additions() -> None:
    data = as_data(review_to_json(full_review()))
    design = {
        "schema",
        "base",
        "head",
        "services",
        "changed_services",
        "edges",
        "external",
        "findings",
        "scenarios",
        "checklist",
        "stats",
    }
    assert design <= data.keys()
    assert data["schema"] == "flow-review/v1"
    assert (data["base"], data["head"]) == (BASE, HEAD)
    assert data["services"][0] == {
        "name": "core-api",
        "root": "services/core-api",
        "languages": ["typescript"],
    }
    assert data["changed_services"] == ["core-api"]
    assert data["external"] == [
        {
            "service": "core-api",
            "system": "stripe",
            "path": "services/core-api/src/routes/stripe.ts",
            "line": 1,
        }
    ]
    assert data["stats"]["files_skipped"] == [
        {"path": "services/ai-engine/model.bin", "reason": "binary"}
    ]
    assert data["stats"]["files_analyzed"] == 12
    assert data["checklist"][1] == {
        "id": "flow001-change",
        "text": "Add a contract test",
        "rule": "FLOW001",
        "done": True,
    }


def test_edges_use_from_and_to_and_null_for_a_missing_endpoint() -> None:
    added, unmatched = as_data(review_to_json(full_review()))["edges"]
    assert added == {
        "from": "core-api",
        "to": "ai-engine",
        "kind": "http",
        "method": "POST",
        "path": "/api/v1/match",
        "change": "added",
        "call": {"path": "services/core-api/src/lib/ai-client.ts", "line": 10},
        "endpoint": {"path": "services/ai-engine/main.py", "line": 40},
        "to_kind": "service",
        "from_kind": "service",
        "status": "matched",
        "detail": "",
        "issues": ["renamed:job_ids"],
    }
    assert unmatched["endpoint"] is None
    assert unmatched["status"] == "no-route"


def test_unresolved_calls_carry_their_reason() -> None:
    call = UnresolvedCall(
        "web", Location("src/a.ts", 3, 4), "GET", "{API}/x", "`API` matches no service"
    )
    data = as_data(review_to_json(empty_review(unresolved=(call,))))
    assert data["unresolved"] == [
        {
            "service": "web",
            "method": "GET",
            "url": "{API}/x",
            "path": "src/a.ts",
            "line": 3,
            "reason": "`API` matches no service",
        }
    ]


def test_finding_fields() -> None:
    data = as_data(review_to_json(empty_review(findings=(TIMEOUT, GOVERNANCE))))
    located, whole = data["findings"]
    assert located | {"fingerprint": None} == {
        "rule": "FLOW101",
        "family": "timeout",
        "severity": "high",
        "title": TIMEOUT.title,
        "message": TIMEOUT.message,
        "service": "core-api",
        "path": "services/core-api/src/lib/ai-client.ts",
        "line": 10,
        "end_line": 10,
        "blocking": False,
        "suggestion": TIMEOUT.suggestion,
        "key": TIMEOUT.key,
        "fingerprint": None,
    }
    assert located["fingerprint"] == finding_fingerprint(TIMEOUT)
    assert (whole["path"], whole["line"], whole["end_line"]) == (None, None, None)
    assert whole["service"] is None


def test_workflows_reference_findings_by_fingerprint() -> None:
    data = as_data(review_to_json(full_review()))
    listed = {f["fingerprint"] for f in data["findings"]}
    (workflow,) = data["workflows"]
    assert workflow["name"] == "Matching"
    assert len(workflow["findings"]) == 3
    assert set(workflow["findings"]) <= listed


def test_schema_enums_match_the_fact_enums() -> None:
    defs = load_json_schema()["$defs"]
    assert isinstance(defs, dict)
    assert defs["severity"]["enum"] == [s.value for s in Severity]
    assert defs["family"]["enum"] == [f.value for f in Family]


def _mutations() -> list[tuple[str, list[str | int], object]]:
    return [
        ("bad severity", ["findings", 0, "severity"], "urgent"),
        ("bad family", ["findings", 0, "family"], "vibes"),
        ("bad change", ["edges", 0, "change"], "renamed"),
        ("bad scenario kind", ["scenarios", 0, "kind"], "smoke"),
        ("bad schema", ["schema"], "flow-review/v2"),
        ("line without path", ["findings", 4, "line"], 3),
        ("path without line", ["findings", 0, "line"], None),
        ("bad rule code", ["findings", 0, "rule"], "X1"),
        ("line zero", ["edges", 0, "call", "line"], 0),
    ]


@pytest.mark.parametrize(("why", "where", "value"), _mutations(), ids=[m[0] for m in _mutations()])
def test_schema_rejects_invalid_values(
    review_validator: Draft202012Validator, why: str, where: list[str | int], value: object
) -> None:
    data = as_data(review_to_json(full_review()))
    target = data
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    assert not review_validator.is_valid(data), why


@pytest.mark.parametrize(
    "where", [[], ["findings", 0], ["edges", 0], ["stats"]], ids=["top", "finding", "edge", "stats"]
)
def test_schema_rejects_a_missing_required_field_and_allows_added_ones(
    review_validator: Draft202012Validator, where: list[str | int]
) -> None:
    data = as_data(review_to_json(full_review()))
    target = data
    for step in where:
        target = target[step]
    target["added_by_a_later_version"] = {"anything": [1, 2]}
    assert review_validator.is_valid(data)
    broken = copy.deepcopy(data)
    target = broken
    for step in where:
        target = target[step]
    del target[next(k for k in target if k != "added_by_a_later_version")]
    assert not review_validator.is_valid(broken)


def test_dumps_is_sorted_stable_and_ends_with_newline() -> None:
    review = full_review()
    text = dumps_review(review)
    assert text.endswith("}\n")
    assert text == dumps_review(full_review())
    assert json.loads(text) == as_data(review_to_json(review))
    keys = list(json.loads(text))
    assert keys == sorted(keys)
    assert '\n  "base": ' in text  # indent 2


def test_dumps_keeps_non_ascii_readable() -> None:
    review = empty_review(findings=(finding(message="Zeitüberschreitung → 5 s"),))
    assert "Zeitüberschreitung → 5 s" in dumps_review(review)
