from __future__ import annotations

import hashlib
import json
from importlib import metadata
from typing import Any

import pytest
from jsonschema import Draft4Validator

from analyzers.facts import Family, Severity
from analyzers.reports import dumps_sarif, finding_fingerprint, review_to_sarif
from analyzers.reports.sarif import artifact_uri, pascal_case
from analyzers.rules import ALL_RULES
from tests.analyzers.reports.builders import (
    CONTRACT,
    GOVERNANCE,
    HEAD,
    SIGNATURE,
    TEST_RULES,
    TIMEOUT,
    MissingLog,
    MissingTimeout,
    empty_review,
    finding,
    full_review,
)


def run_of(log: dict[str, object]) -> Any:
    data: Any = json.loads(json.dumps(log))
    (run,) = data["runs"]
    return run


@pytest.mark.parametrize("review", [empty_review(), full_review()], ids=["empty", "full"])
def test_validates_against_sarif_2_1_0_schema(
    sarif_validator: Draft4Validator, review: Any
) -> None:
    log = json.loads(dumps_sarif(review, TEST_RULES, tool_version="1.2.3"))
    errors = [error.message for error in sarif_validator.iter_errors(log)]
    assert errors == []
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"


def test_registry_rules_produce_valid_sarif(sarif_validator: Draft4Validator) -> None:
    log = review_to_sarif(full_review(), ALL_RULES)
    assert sarif_validator.is_valid(json.loads(json.dumps(log)))
    driver = run_of(log)["tool"]["driver"]
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in ALL_RULES]
    for descriptor in driver["rules"]:
        assert descriptor["shortDescription"]["text"]
        assert "## What it finds" in descriptor["help"]["markdown"]


def test_driver() -> None:
    driver = run_of(review_to_sarif(empty_review(), TEST_RULES, tool_version="1.2.3"))["tool"][
        "driver"
    ]
    assert driver["name"] == "flow-review"
    assert driver["version"] == "1.2.3"
    assert driver["informationUri"].startswith("https://")
    assert len(driver["rules"]) == len(TEST_RULES)


def test_version_falls_back_when_the_package_is_not_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    driver = run_of(review_to_sarif(empty_review(), TEST_RULES))["tool"]["driver"]
    assert driver["version"] == "0.0.0"


def test_version_comes_from_package_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metadata, "version", lambda name: f"{name}-9.9")
    driver = run_of(review_to_sarif(empty_review(), TEST_RULES))["tool"]["driver"]
    assert driver["version"] == "flow-review-9.9"


def test_rule_descriptor_from_rule_docs() -> None:
    driver = run_of(review_to_sarif(empty_review(), [MissingTimeout]))["tool"]["driver"]
    (rule,) = driver["rules"]
    assert rule["id"] == "FLOW101"
    assert rule["name"] == "HttpCallWithoutTimeout"
    assert rule["shortDescription"] == {"text": "An outbound HTTP call that can wait forever."}
    assert rule["fullDescription"] == {"text": "A call with no timeout."}
    markdown = rule["help"]["markdown"]
    headings = ["## What it finds", "## Why it matters", "## Example", "## Fix"]
    assert [markdown.index(h) for h in headings] == sorted(markdown.index(h) for h in headings)
    assert "`await fetch(url, {signal: AbortSignal.timeout(5000)})`" in markdown
    assert "Why it matters\n\nOne slow dependency holds every worker." in rule["help"]["text"]
    assert "##" not in rule["help"]["text"]
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["properties"]["family"] == "timeout"
    assert "timeout" in rule["properties"]["tags"]


def test_rule_without_sections_falls_back_to_its_summary() -> None:
    (rule,) = run_of(review_to_sarif(empty_review(), [MissingLog]))["tool"]["driver"]["rules"]
    summary = "A cross-service call with no log line around it."
    assert rule["fullDescription"]["text"] == summary
    assert rule["help"] == {"text": summary, "markdown": summary}
    assert rule["defaultConfiguration"]["level"] == "note"


@pytest.mark.parametrize(
    ("severity", "score", "level"),
    [
        (Severity.CRITICAL, 9.5, "error"),
        (Severity.HIGH, 8.0, "error"),
        (Severity.MEDIUM, 5.5, "warning"),
        (Severity.LOW, 3.0, "note"),
        (Severity.INFO, 1.0, "note"),
    ],
)
def test_severity_maps_to_level_and_security_severity(
    severity: Severity, score: float, level: str
) -> None:
    rule = type(
        "Probe", (MissingTimeout,), {"severity": severity, "__doc__": MissingTimeout.__doc__}
    )
    review = empty_review(findings=(finding(severity=severity),))
    run = run_of(review_to_sarif(review, [rule]))
    descriptor = run["tool"]["driver"]["rules"][0]
    # A numeric score written as a string: GitHub's ingestion rejects a JSON number here.
    assert float(descriptor["properties"]["security-severity"]) == score
    assert isinstance(descriptor["properties"]["security-severity"], str)
    assert descriptor["defaultConfiguration"]["level"] == level
    assert run["results"][0]["level"] == level


def test_only_webhook_security_rules_are_tagged_security() -> None:
    rules = run_of(review_to_sarif(empty_review(), TEST_RULES))["tool"]["driver"]["rules"]
    tagged = {rule["id"] for rule in rules if "security" in rule["properties"]["tags"]}
    assert tagged == {"FLOW201"}


def test_results_point_at_their_rule_and_location() -> None:
    review = empty_review(findings=(TIMEOUT, SIGNATURE, CONTRACT))
    run = run_of(review_to_sarif(review, TEST_RULES))
    rules = run["tool"]["driver"]["rules"]
    for result, expected in zip(run["results"], review.findings, strict=True):
        assert result["ruleId"] == expected.rule
        assert rules[result["ruleIndex"]]["id"] == expected.rule
        assert expected.message in result["message"]["text"]
        assert expected.location is not None
        (location,) = result["locations"]
        assert location["physicalLocation"] == {
            "artifactLocation": {"uri": expected.location.path, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": expected.location.line, "endLine": expected.location.end_line},
        }
    assert run["results"][2]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 40,
        "endLine": 44,
    }
    first = run["results"][0]["message"]["text"]
    assert first.endswith("\n\nSuggested fix: Pass an AbortSignal.timeout(5000).")


def test_finding_about_the_whole_change_has_no_location() -> None:
    run = run_of(review_to_sarif(empty_review(findings=(GOVERNANCE,)), TEST_RULES))
    (result,) = run["results"]
    assert "locations" not in result
    assert result["ruleId"] == "FLOW001"


def test_result_of_a_rule_not_given_has_no_rule_index(sarif_validator: Draft4Validator) -> None:
    log = review_to_sarif(empty_review(findings=(TIMEOUT,)), [MissingLog])
    (result,) = run_of(log)["results"]
    assert result["ruleId"] == "FLOW101"
    assert "ruleIndex" not in result
    assert sarif_validator.is_valid(json.loads(json.dumps(log)))


def test_duplicate_rules_are_described_once() -> None:
    driver = run_of(review_to_sarif(empty_review(), [MissingTimeout, MissingTimeout]))["tool"][
        "driver"
    ]
    assert [rule["id"] for rule in driver["rules"]] == ["FLOW101"]


def fingerprint_of(review: Any) -> str:
    (result,) = run_of(review_to_sarif(review, TEST_RULES))["results"]
    value: str = result["partialFingerprints"]["flowReview/v1"]
    return value


def test_fingerprint_survives_the_finding_moving_lines() -> None:
    before = fingerprint_of(empty_review(findings=(finding(line=10, end_line=12),)))
    after = fingerprint_of(empty_review(findings=(finding(line=57, end_line=80),)))
    assert before == after


def test_fingerprint_is_sha256_of_rule_path_and_key() -> None:
    expected = hashlib.sha256(
        b"FLOW101\0services/core-api/src/lib/ai-client.ts\0call:POST /api/v1/match"
    ).hexdigest()
    assert fingerprint_of(empty_review(findings=(TIMEOUT,))) == expected
    assert finding_fingerprint(TIMEOUT) == expected
    whole = hashlib.sha256(b"FLOW001\0\0change").hexdigest()
    assert finding_fingerprint(GOVERNANCE) == whole


@pytest.mark.parametrize(
    "other",
    [
        finding(key="call:POST /api/v1/other"),
        finding(path="services/core-api/src/lib/other.ts"),
        finding(rule="FLOW102"),
        finding(path=None),
    ],
    ids=["key", "path", "rule", "no-location"],
)
def test_fingerprint_differs_when_identity_differs(other: Any) -> None:
    assert fingerprint_of(empty_review(findings=(other,))) != fingerprint_of(
        empty_review(findings=(TIMEOUT,))
    )


def test_paths_become_percent_encoded_relative_uris() -> None:
    assert artifact_uri("services/core api/#1.ts") == "services/core%20api/%231.ts"
    assert artifact_uri("./src/a.py") == "src/a.py"
    run = run_of(review_to_sarif(empty_review(findings=(finding(path="a b/c.py"),)), TEST_RULES))
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "a%20b/c.py"


def test_pascal_case() -> None:
    assert pascal_case("http-call-without-timeout") == "HttpCallWithoutTimeout"
    assert pascal_case("route_missing v2") == "RouteMissingV2"


def test_src_root_is_declared_and_optionally_resolved() -> None:
    unresolved = run_of(review_to_sarif(empty_review(), TEST_RULES))["originalUriBaseIds"]
    assert "uri" not in unresolved["%SRCROOT%"]
    resolved = run_of(review_to_sarif(empty_review(), TEST_RULES, srcroot_uri="file:///repo"))
    assert resolved["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///repo/"


def test_automation_category_separates_diff_from_whole_repo_reviews() -> None:
    diff = run_of(review_to_sarif(empty_review(), TEST_RULES))["automationDetails"]["id"]
    whole = run_of(review_to_sarif(empty_review(whole_repo=True, base=None), TEST_RULES))[
        "automationDetails"
    ]["id"]
    # GitHub's category is everything before the last "/".
    assert diff.rsplit("/", 1) == ["flow-review/diff", HEAD]
    assert whole.rsplit("/", 1)[0] == "flow-review/whole-repo"


def test_skipped_files_become_tool_notifications() -> None:
    (invocation,) = run_of(review_to_sarif(full_review(), TEST_RULES))["invocations"]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert "binary" in note["message"]["text"]
    location = note["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "services/ai-engine/model.bin"
    (quiet,) = run_of(review_to_sarif(empty_review(), TEST_RULES))["invocations"]
    assert "toolExecutionNotifications" not in quiet


def test_result_properties_keep_what_sarif_has_no_field_for() -> None:
    (result,) = run_of(review_to_sarif(empty_review(findings=(SIGNATURE,)), TEST_RULES))["results"]
    assert result["properties"] == {
        "title": SIGNATURE.title,
        "family": Family.WEBHOOK_SIGNATURE.value,
        "severity": "critical",
        "blocking": True,
        "service": "core-api",
    }


def test_dumps_sarif_is_stable_json_with_newline() -> None:
    text = dumps_sarif(full_review(), TEST_RULES, tool_version="1")
    assert text.endswith("\n")
    assert text == dumps_sarif(full_review(), TEST_RULES, tool_version="1")
    assert json.loads(text) == json.loads(
        json.dumps(review_to_sarif(full_review(), TEST_RULES, tool_version="1"))
    )
