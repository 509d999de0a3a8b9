"""Check runs, validated like GitHub's Checks API.

What GitHub refuses is refused here with its messages: more than 50
annotations in one request, an output `title`/`summary`/`text` over 65,535
characters (or, measured in UTF-8, over 65,535 bytes), an unknown status,
conclusion or annotation level, an annotation missing a required field or with
columns across lines, a completed run without a conclusion, more than 3 actions
or action fields over their lengths. Annotations of successive requests
accumulate; the output's texts are replaced by the latest ones.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from tests.github_emulator.calls import Answer, Call, json_answer
from tests.github_emulator.errors import (
    ApiError,
    invalid_request,
    not_found,
    not_supplied,
    validation_failed,
)
from tests.github_emulator.representations import annotation_json, check_run_json
from tests.github_emulator.state import Annotation, CheckRun, CheckRunAction

STATUSES = ("queued", "in_progress", "completed")
ACTIONS_ONLY_STATUSES = ("waiting", "requested", "pending")
CONCLUSIONS = (
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "success",
    "skipped",
    "timed_out",
)
ANNOTATION_LEVELS = ("notice", "warning", "failure")
ANNOTATION_REQUIRED = ("path", "start_line", "end_line", "annotation_level", "message")
MAX_ANNOTATIONS = 50
MAX_OUTPUT_CHARS = 65535
MAX_ACTIONS = 3
ACTION_LIMITS = (("label", 20), ("description", 40), ("identifier", 20))


def _one_of(value: Any, field: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        choices = ", ".join(f'"{a}"' for a in allowed)
        raise invalid_request(
            f"For 'properties/{field}', {json.dumps(value)} is not one of [{choices}]."
        )
    assert isinstance(value, str)
    return value


def _string(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_request(f"For 'properties/{field}', {json.dumps(value)} is not a string.")
    return value


def _timestamp(value: Any, field: str) -> datetime | None:
    text = _string(value, field)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise invalid_request(
            f"For 'properties/{field}', {json.dumps(text)} is not a date-time."
        ) from error


def _bounded_text(value: Any, field: str) -> str | None:
    text = _string(value, field)
    if text is None:
        return None
    if len(text) > MAX_OUTPUT_CHARS:
        raise invalid_request(
            f"Only {MAX_OUTPUT_CHARS} characters are allowed; {len(text)} were supplied."
        )
    if len(text.encode("utf-8")) > MAX_OUTPUT_CHARS:
        raise validation_failed(
            {
                "resource": "CheckRun",
                "code": "custom",
                "field": field,
                "message": f"{field} exceeds a maximum bytesize of {MAX_OUTPUT_CHARS}",
            }
        )
    return text


def _annotations(value: Any) -> tuple[Annotation, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise invalid_request("For 'properties/annotations', the value is not an array.")
    if len(value) > MAX_ANNOTATIONS:
        raise invalid_request(
            f"No more than {MAX_ANNOTATIONS} items are allowed; {len(value)} were supplied."
        )
    missing_lines: list[str] = []
    for item in value:
        if not isinstance(item, dict):
            raise invalid_request("For 'items', the value is not an object.")
        missing = [f for f in ANNOTATION_REQUIRED if f not in item]
        if len(missing) == 1:
            missing_lines.append(f'"{missing[0]}" wasn\'t supplied.')
        elif missing:
            missing_lines.append(", ".join(f'"{m}"' for m in missing) + " weren't supplied.")
    if missing_lines:
        raise invalid_request("\n".join(missing_lines))
    parsed: list[Annotation] = []
    invalid = validation_failed({"resource": "CheckRun", "code": "invalid", "field": "annotations"})
    for item in value:
        level = _one_of(item["annotation_level"], "annotation_level", ANNOTATION_LEVELS)
        path, message = item["path"], item["message"]
        lines = [item["start_line"], item["end_line"]]
        columns = [item.get("start_column"), item.get("end_column")]
        if not isinstance(path, str) or not path or not isinstance(message, str):
            raise invalid
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in lines):
            raise invalid
        if not all(c is None or (isinstance(c, int) and not isinstance(c, bool)) for c in columns):
            raise invalid
        start, end = lines
        if start < 1 or end < start:
            raise invalid
        if any(c is not None for c in columns) and start != end:
            raise invalid
        parsed.append(
            Annotation(
                path=path,
                start_line=start,
                end_line=end,
                annotation_level=level,
                message=message,
                title=_string(item.get("title"), "title"),
                raw_details=_string(item.get("raw_details"), "raw_details"),
                start_column=columns[0],
                end_column=columns[1],
            )
        )
    return tuple(parsed)


def _actions(value: Any) -> tuple[CheckRunAction, ...]:
    if not isinstance(value, list):
        raise invalid_request("For 'properties/actions', the value is not an array.")
    if len(value) > MAX_ACTIONS:
        raise invalid_request(
            f"No more than {MAX_ACTIONS} items are allowed; {len(value)} were supplied."
        )
    actions: list[CheckRunAction] = []
    for item in value:
        if not isinstance(item, dict):
            raise invalid_request("For 'items', the value is not an object.")
        missing = [f for f, _ in ACTION_LIMITS if not isinstance(item.get(f), str)]
        if missing:
            raise not_supplied(*missing)
        for field, limit in ACTION_LIMITS:
            if len(item[field]) > limit:
                raise invalid_request(
                    f"Only {limit} characters are allowed; {len(item[field])} were supplied."
                )
        actions.append(CheckRunAction(item["label"], item["description"], item["identifier"]))
    return tuple(actions)


def _output(value: Any, *, creating: bool, run: CheckRun | None) -> dict[str, Any]:
    """The output's fields to set (title, summary, text, annotations)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_request("For 'properties/output', the value is not an object.")
    required = ("title", "summary") if creating else ("summary",)
    missing = [f for f in required if f not in value]
    if missing:
        raise not_supplied(*missing)
    fields: dict[str, Any] = {
        "title": _bounded_text(value.get("title"), "title"),
        "summary": _bounded_text(value.get("summary"), "summary"),
        "text": _bounded_text(value.get("text"), "text"),
    }
    if run is not None:
        fields["title"] = fields["title"] if "title" in value else run.title
        fields["text"] = fields["text"] if "text" in value else run.text
    fields["annotations"] = (run.annotations if run else ()) + _annotations(
        value.get("annotations")
    )
    return fields


def _status_fields(call: Call, body: dict[str, Any], run: CheckRun | None) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    status = body.get("status")
    if status is not None:
        if status in ACTIONS_ONLY_STATUSES:
            raise ApiError(
                422, "Only GitHub Actions can set a status of waiting, pending, or requested."
            )
        fields["status"] = _one_of(status, "status", STATUSES)
    conclusion = body.get("conclusion")
    if conclusion is not None:
        if conclusion == "stale":
            raise ApiError(422, "Conclusion can only be set to stale by GitHub.")
        fields["conclusion"] = _one_of(conclusion, "conclusion", CONCLUSIONS)
        fields["status"] = "completed"
    completed_at = _timestamp(body.get("completed_at"), "completed_at")
    started_at = _timestamp(body.get("started_at"), "started_at")
    if started_at is not None:
        fields["started_at"] = started_at
    final_status = fields.get("status", run.status if run else "queued")
    final_conclusion = fields.get("conclusion", run.conclusion if run else None)
    if (final_status == "completed" or completed_at is not None) and final_conclusion is None:
        raise not_supplied("conclusion")
    if final_status == "completed":
        fields["completed_at"] = completed_at or (
            run.completed_at if run and run.completed_at else call.now
        )
    else:
        fields["conclusion"] = None
        fields["completed_at"] = None
    return fields


def create_check_run(call: Call) -> Answer:
    state = call.state
    body = call.json_object()
    missing = [f for f in ("name", "head_sha") if not isinstance(body.get(f), str)]
    if missing:
        raise not_supplied(*missing)
    git = state.git(call.repo)
    head_sha = git.resolve_commit(body["head_sha"])
    if head_sha is None or len(body["head_sha"]) != 40:
        raise ApiError(422, f"No commit found for SHA: {body['head_sha']}")
    fields = _status_fields(call, body, None)
    output = _output(body.get("output"), creating=True, run=None)
    actions = _actions(body["actions"]) if body.get("actions") is not None else ()
    suite = state.check_suite_for(
        call.repo.full_name, head_sha, state.branch_of(call.repo, head_sha)
    )
    run = CheckRun(
        id=state.new_id(),
        repo=call.repo.full_name,
        head_sha=head_sha,
        name=body["name"],
        status=fields.get("status", "queued"),
        conclusion=fields.get("conclusion"),
        started_at=fields.get("started_at", call.now),
        completed_at=fields.get("completed_at"),
        title=output.get("title"),
        summary=output.get("summary"),
        text=output.get("text"),
        annotations=output.get("annotations", ()),
        details_url=_string(body.get("details_url"), "details_url"),
        external_id=_string(body.get("external_id"), "external_id"),
        actions=actions,
        check_suite_id=suite.id,
        app_id=state.app.app_id,
        created_at=call.now,
    )
    state.check_runs[run.id] = run
    state.check_suites[suite.id] = replace(suite, updated_at=call.now)
    return json_answer(check_run_json(state, call.urls, run), status=201)


def _run_or_404(call: Call) -> CheckRun:
    run = call.state.check_runs.get(call.int_param("check_run_id"))
    if run is None or run.repo.lower() != call.repo.full_name.lower():
        raise not_found()
    return run


def get_check_run(call: Call) -> Answer:
    return json_answer(check_run_json(call.state, call.urls, _run_or_404(call)))


def update_check_run(call: Call) -> Answer:
    state = call.state
    run = _run_or_404(call)
    body = call.json_object()
    fields = _status_fields(call, body, run)
    output = _output(body.get("output"), creating=False, run=run)
    changes: dict[str, Any] = {**fields, **output}
    if "name" in body:
        name = _string(body["name"], "name")
        if not name:
            raise not_supplied("name")
        changes["name"] = name
    for key in ("details_url", "external_id"):
        if key in body:
            changes[key] = _string(body[key], key)
    if body.get("actions") is not None:
        changes["actions"] = _actions(body["actions"])
    updated = replace(run, **changes)
    state.check_runs[run.id] = updated
    suite = state.check_suites[run.check_suite_id]
    state.check_suites[suite.id] = replace(suite, updated_at=call.now)
    return json_answer(check_run_json(state, call.urls, updated))


def list_check_runs_for_ref(call: Call) -> Answer:
    state = call.state
    ref = call.params["ref"]
    sha = state.git(call.repo).resolve_commit(ref)
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {ref}")
    name = call.arg("check_name")
    status = call.arg("status")
    app_id = call.arg("app_id")
    runs = [
        r
        for r in sorted(state.check_runs.values(), key=lambda r: -r.id)
        if r.repo.lower() == call.repo.full_name.lower()
        and r.head_sha == sha
        and (name is None or r.name == name)
        and (status is None or r.status == status)
        and (app_id is None or str(r.app_id) == app_id)
    ]
    if (call.arg("filter") or "latest") == "latest":
        latest: dict[str, CheckRun] = {}
        for run in runs:
            latest.setdefault(run.name, run)
        runs = [r for r in runs if latest[r.name] is r]
    page, headers = call.page(runs)
    return json_answer(
        {
            "total_count": len(runs),
            "check_runs": [check_run_json(state, call.urls, r) for r in page],
        },
        headers=headers,
    )


def list_annotations(call: Call) -> Answer:
    run = _run_or_404(call)
    page, headers = call.page(run.annotations)
    return json_answer([annotation_json(call.urls, run, a) for a in page], headers=headers)
