"""SARIF 2.1.0 for GitHub code scanning and any other SARIF viewer.

Shaped by what GitHub's ingestion accepts (docs: "SARIF support for code
scanning"): one run, rules carrying `security-severity`, results matched
between uploads by `partialFingerprints`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from analyzers.facts import Family, Finding, Review, Severity
from analyzers.reports.fingerprint import FINGERPRINT_KEY, finding_fingerprint
from analyzers.rules.base import DOC_HEADINGS, Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "flow-review"
INFORMATION_URI = "https://github.com/apps/flow-review"
SRCROOT = "%SRCROOT%"

JSONObject = dict[str, object]

LEVELS: Mapping[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

# GitHub maps these onto its critical/high/medium/low bands (>= 9.0, 7.0-8.9,
# 4.0-6.9, < 4.0). They are written as strings because code scanning rejects a
# JSON number here ("parse error: expected string", DependencyCheck#5347).
SECURITY_SEVERITY: Mapping[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}

# GitHub reads `security-severity` only for rules tagged "security"; tagging
# every resilience rule that way would file timeouts under security alerts.
_SECURITY_FAMILIES = frozenset({Family.WEBHOOK_SIGNATURE, Family.WEBHOOK_RAW_BODY})
_CORRECTNESS_FAMILIES = frozenset({Family.CONTRACT, Family.ROUTE_MISSING})
_MAINTAINABILITY_FAMILIES = frozenset({Family.OBSERVABILITY, Family.GOVERNANCE})


def review_to_sarif(
    review: Review,
    rules: Sequence[type[Rule]],
    *,
    tool_version: str | None = None,
    srcroot_uri: str | None = None,
) -> JSONObject:
    """One SARIF log for the review; `rules` become the driver's rule metadata.

    `srcroot_uri` is the absolute `file:` URI of the checkout, when there is
    one; without it `%SRCROOT%` stays a described but unresolved base, which
    is what GitHub expects of repository-relative paths.
    """
    unique_rules = _unique_by_code(rules)
    index = {rule.code: position for position, rule in enumerate(unique_rules)}
    root: JSONObject = {"description": {"text": "The root of the reviewed repository."}}
    if srcroot_uri is not None:
        root["uri"] = srcroot_uri if srcroot_uri.endswith("/") else srcroot_uri + "/"
    run: JSONObject = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "informationUri": INFORMATION_URI,
                "version": tool_version if tool_version is not None else _installed_version(),
                "rules": [_rule(rule) for rule in unique_rules],
            }
        },
        "automationDetails": {"id": _automation_id(review)},
        "originalUriBaseIds": {SRCROOT: root},
        "invocations": [_invocation(review)],
        "results": [_result(finding, index) for finding in review.findings],
        "properties": {
            "base": review.base,
            "head": review.head,
            "wholeRepo": review.whole_repo,
            "changedServices": list(review.changed_services),
            "rulesRun": list(review.rules_run),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def dumps_sarif(
    review: Review,
    rules: Sequence[type[Rule]],
    *,
    tool_version: str | None = None,
    srcroot_uri: str | None = None,
) -> str:
    log = review_to_sarif(review, rules, tool_version=tool_version, srcroot_uri=srcroot_uri)
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def pascal_case(name: str) -> str:
    """`missing-timeout` -> `MissingTimeout`: SARIF rule names are identifiers, not slugs."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name))


def artifact_uri(path: str) -> str:
    """A repository-relative path as a relative URI reference (SARIF requires valid URIs)."""
    return quote(path.removeprefix("./"), safe="/")


def _installed_version() -> str:
    # Imported here: importlib.metadata costs every run of the CLI ~20 ms, SARIF or not.
    from importlib import metadata  # noqa: PLC0415

    try:
        return metadata.version(TOOL_NAME)
    except metadata.PackageNotFoundError:
        # Running from a source tree that was never installed.
        return "0.0.0"


def _unique_by_code(rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    seen: dict[str, type[Rule]] = {}
    for rule in rules:
        seen.setdefault(rule.code, rule)
    return list(seen.values())


def _automation_id(review: Review) -> str:
    # GitHub takes everything before the last "/" as the analysis category and
    # closes alerts missing from a newer upload of the same category. A diff
    # review only sees the change, so it must not share a category with a
    # whole-repository review, or uploading it would close everything else.
    mode = "whole-repo" if review.whole_repo else "diff"
    return f"{TOOL_NAME}/{mode}/{review.head or 'working-tree'}"


def _tags(family: Family) -> list[str]:
    if family in _SECURITY_FAMILIES:
        category = "security"
    elif family in _CORRECTNESS_FAMILIES:
        category = "correctness"
    elif family in _MAINTAINABILITY_FAMILIES:
        category = "maintainability"
    else:
        category = "reliability"
    return [TOOL_NAME, category, family.value]


def _ordered_sections(sections: Mapping[str, str]) -> list[tuple[str, str]]:
    known = [(heading, sections[heading]) for heading in DOC_HEADINGS if heading in sections]
    extra = [(h, body) for h, body in sections.items() if h not in DOC_HEADINGS]
    return known + extra


def _rule(rule: type[Rule]) -> JSONObject:
    docs = rule.docs()
    summary = docs.summary or rule.name
    sections = _ordered_sections(docs.sections)
    help_text = "\n\n".join(f"{heading}\n\n{body}" for heading, body in sections) or summary
    help_markdown = "\n\n".join(f"## {heading}\n\n{body}" for heading, body in sections) or summary
    return {
        "id": rule.code,
        "name": pascal_case(rule.name),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": docs.sections.get("What it finds") or summary},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "family": rule.family.value,
            "tags": _tags(rule.family),
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def _result(finding: Finding, index: Mapping[str, int]) -> JSONObject:
    text = finding.message
    if finding.suggestion:
        text = f"{text}\n\nSuggested fix: {finding.suggestion}"
    result: JSONObject = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "partialFingerprints": {FINGERPRINT_KEY: finding_fingerprint(finding)},
        "properties": {
            "title": finding.title,
            "family": finding.family.value,
            "severity": finding.severity.value,
            "blocking": finding.blocking,
            "service": finding.service,
        },
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    if finding.location is not None:
        location = finding.location
        result["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(location.path), "uriBaseId": SRCROOT},
                    "region": {"startLine": location.line, "endLine": location.end_line},
                }
            }
        ]
    return result


def _invocation(review: Review) -> JSONObject:
    # A skipped file is a gap in coverage, not a finding: SARIF's place for
    # that is a tool execution notification, which viewers list apart.
    notifications: list[JSONObject] = [
        {
            "level": "note",
            "message": {"text": f"Skipped {skipped.path}: {skipped.reason}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": artifact_uri(skipped.path),
                            "uriBaseId": SRCROOT,
                        }
                    }
                }
            ],
        }
        for skipped in review.stats.files_skipped
    ]
    invocation: JSONObject = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation
