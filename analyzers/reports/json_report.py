"""The machine-readable review, schema `flow-review/v1` (DESIGN.md).

Other tools and the project's evaluations parse this, so fields are only ever
added, never renamed or removed. The fields DESIGN.md lists come first in each
builder; everything after them is an addition.
"""

from __future__ import annotations

import json
from importlib import resources

from analyzers.facts import (
    Edge,
    ExternalSystemUse,
    Finding,
    Location,
    Review,
    Scenario,
    UnresolvedCall,
    Workflow,
)
from analyzers.reports.fingerprint import finding_fingerprint

SCHEMA = "flow-review/v1"
SCHEMA_FILE = "flow-review-v1.schema.json"

JSONObject = dict[str, object]


def review_to_json(review: Review) -> JSONObject:
    return {
        "schema": SCHEMA,
        "base": review.base,
        "head": review.head,
        "services": [
            {"name": s.name, "root": s.root, "languages": list(s.languages)}
            for s in review.services
        ],
        "changed_services": list(review.changed_services),
        "edges": [_edge(edge) for edge in review.edges],
        "external": [_external(use) for use in review.external],
        "unresolved": [_unresolved(call) for call in review.unresolved],
        "findings": [_finding(finding) for finding in review.findings],
        "scenarios": [_scenario(scenario) for scenario in review.scenarios],
        "checklist": [
            {"id": item.id, "text": item.text, "rule": item.rule, "done": item.done}
            for item in review.checklist
        ],
        "stats": {
            "files_analyzed": review.stats.files_analyzed,
            "files_skipped": [
                {"path": skipped.path, "reason": skipped.reason}
                for skipped in review.stats.files_skipped
            ],
            "seconds": review.stats.seconds,
            "cache_hits": review.stats.cache_hits,
            "files_partial": [
                {"path": partial.path, "reason": partial.reason}
                for partial in review.stats.files_partial
            ],
        },
        "whole_repo": review.whole_repo,
        "rules_run": list(review.rules_run),
        "workflows": [_workflow(workflow) for workflow in review.workflows],
    }


def dumps_review(review: Review) -> str:
    """The review as text whose bytes depend only on the review (sorted keys, newline at end).

    One top-level key per line and one list item (a finding, an edge) per line: as easy to
    read and diff as full indentation, and written by json's C encoder, which `indent`
    turns off (a whole-repo review of a large tree has hundreds of thousands of findings).
    """
    lines = ["{"]
    data = review_to_json(review)
    keys = sorted(data)
    for index, key in enumerate(keys):
        comma = "," if index < len(keys) - 1 else ""
        value = data[key]
        if isinstance(value, list) and value:
            lines.append(f"  {_compact(key)}: [")
            lines.extend(f"    {_compact(item)}," for item in value[:-1])
            lines.append(f"    {_compact(value[-1])}")
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {_compact(key)}: {_compact(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _compact(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def load_json_schema() -> JSONObject:
    """The JSON Schema (draft 2020-12) of `review_to_json`'s output, shipped as package data."""
    text = resources.files("analyzers.reports").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: JSONObject = json.loads(text)
    return schema


def _point(location: Location | None) -> JSONObject | None:
    if location is None:
        return None
    return {"path": location.path, "line": location.line}


def _edge(edge: Edge) -> JSONObject:
    return {
        "from": edge.source,
        "to": edge.target,
        "kind": edge.kind,
        "method": edge.method,
        "path": edge.path,
        "change": edge.change,
        "call": _point(edge.call),
        "endpoint": _point(edge.endpoint),
        "to_kind": edge.target_kind,
        "from_kind": edge.source_kind,
        "status": edge.status,
        "detail": edge.detail,
        "issues": list(edge.issues),
    }


def _unresolved(call: UnresolvedCall) -> JSONObject:
    return {
        "service": call.service,
        "method": call.method,
        "url": call.url,
        "path": call.location.path,
        "line": call.location.line,
        "reason": call.reason,
    }


def _external(use: ExternalSystemUse) -> JSONObject:
    return {
        "service": use.service,
        "system": use.system,
        "path": use.location.path,
        "line": use.location.line,
    }


def _finding(finding: Finding) -> JSONObject:
    location = finding.location
    data: JSONObject = {
        "rule": finding.rule,
        "family": finding.family.value,
        "severity": finding.severity.value,
        "title": finding.title,
        "message": finding.message,
        "service": finding.service,
        "path": location.path if location is not None else None,
        "line": location.line if location is not None else None,
        "end_line": location.end_line if location is not None else None,
        "blocking": finding.blocking,
        "suggestion": finding.suggestion,
        "key": finding.key,
        "fingerprint": finding_fingerprint(finding),
    }
    if finding.fix is not None:
        # Only present with a fix, so that reports of findings without one read as before.
        data["fix"] = {
            "path": finding.fix.path,
            "start_line": finding.fix.start_line,
            "end_line": finding.fix.end_line,
            "replacement": finding.fix.replacement,
        }
    return data


def _scenario(scenario: Scenario) -> JSONObject:
    return {
        "kind": scenario.kind,
        "workflow": scenario.workflow,
        "steps": list(scenario.steps),
        "expected": scenario.expected,
    }


def _workflow(workflow: Workflow) -> JSONObject:
    # Findings are referenced by fingerprint: they are already listed in full
    # under "findings", and a second copy could drift from the first.
    return {
        "name": workflow.name,
        "trigger": workflow.trigger,
        "services": list(workflow.services),
        "data_flow": list(workflow.data_flow),
        "files": list(workflow.files),
        "findings": [finding_fingerprint(finding) for finding in workflow.findings],
    }
