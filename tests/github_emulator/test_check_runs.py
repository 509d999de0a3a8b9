"""Check runs: created, updated, listed and validated as GitHub's Checks API does."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from githubkit import AppInstallationAuthStrategy, GitHub

from tests.github_emulator.conftest import World


def annotation(line: int, level: str = "warning") -> dict[str, Any]:
    return {
        "path": "src/app.py",
        "start_line": line,
        "end_line": line,
        "annotation_level": level,
        "message": f"finding on line {line}",
    }


def head(world: World) -> str:
    return world.gh.head_sha(world.repo, world.number)


def test_a_check_run_from_in_progress_to_completed(
    world: World, client: GitHub[AppInstallationAuthStrategy]
) -> None:
    created = client.rest.checks.create(
        world.owner,
        world.name,
        name="flow-review",
        head_sha=head(world),
        status="in_progress",
        output={"title": "Reviewing", "summary": "Fetching the diff"},
    )
    assert created.status_code == 201
    run = created.parsed_data
    assert (run.status, run.conclusion, run.name) == ("in_progress", None, "flow-review")
    assert run.app is not None
    assert run.app.id == world.gh.app_id
    assert [p.number for p in run.pull_requests] == [world.number]
    update: Any = {  # githubkit checks `data` against its own schema before sending it
        "conclusion": "failure",
        "output": {
            "title": "2 findings",
            "summary": "summary",
            "text": "details",
            "annotations": [annotation(3), annotation(35, "failure")],
        },
        "actions": [
            {"label": "Re-run", "description": "Review again", "identifier": "rerun"},
            {"label": "Explain", "description": "Explain the findings", "identifier": "explain"},
        ],
    }
    completed = client.rest.checks.update(world.owner, world.name, run.id, data=update).parsed_data
    assert (completed.status, completed.conclusion) == ("completed", "failure")
    assert completed.completed_at is not None
    assert completed.output.annotations_count == 2
    state = world.gh.check_run(run.id)
    assert (state.title, state.summary, state.text) == ("2 findings", "summary", "details")
    assert [a.identifier for a in state.actions] == ["rerun", "explain"]
    fetched = client.rest.checks.get(world.owner, world.name, run.id).parsed_data
    assert fetched.conclusion == "failure"


def test_annotations_accumulate_across_updates(world: World, http: httpx.Client) -> None:
    run = http.post(
        "/repos/acme/shop/check-runs",
        json={
            "name": "flow-review",
            "head_sha": head(world),
            "output": {
                "title": "t",
                "summary": "s",
                "annotations": [annotation(n) for n in range(1, 51)],
            },
        },
    ).json()
    for batch in (range(51, 101), range(101, 111)):
        response = http.patch(
            f"/repos/acme/shop/check-runs/{run['id']}",
            json={"output": {"summary": "s", "annotations": [annotation(n) for n in batch]}},
        )
        assert response.status_code == 200
    assert response.json()["output"]["annotations_count"] == 110
    assert response.json()["output"]["title"] == "t"  # kept when an update omits it
    listed = http.get(
        f"/repos/acme/shop/check-runs/{run['id']}/annotations", params={"per_page": 100}
    )
    assert len(listed.json()) == 100
    assert 'rel="next"' in listed.headers["link"]
    assert [a.start_line for a in world.gh.check_run(run["id"]).annotations] == list(range(1, 111))


def _create(world: World, http: httpx.Client, **fields: Any) -> httpx.Response:
    return http.post(
        "/repos/acme/shop/check-runs",
        json={"name": "flow-review", "head_sha": head(world), **fields},
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"output": {"title": "t", "summary": "s", "annotations": [annotation(1)] * 51}},
            "Invalid request.\n\nNo more than 50 items are allowed; 51 were supplied.",
        ),
        (
            {"output": {"title": "t", "summary": "x" * 65536}},
            "Invalid request.\n\nOnly 65535 characters are allowed; 65536 were supplied.",
        ),
        (
            {"output": {"title": "t", "summary": "s", "text": "y" * 70000}},
            "Invalid request.\n\nOnly 65535 characters are allowed; 70000 were supplied.",
        ),
        (
            {"output": {"title": "t" * 65536, "summary": "s"}},
            "Invalid request.\n\nOnly 65535 characters are allowed; 65536 were supplied.",
        ),
        (
            {"output": {"title": "t", "summary": "s", "annotations": [annotation(1, "error")]}},
            "Invalid request.\n\nFor 'properties/annotation_level', \"error\" is not one of "
            '["notice", "warning", "failure"].',
        ),
        (
            {"output": {"title": "t", "summary": "s", "annotations": [{"path": "a.py"}] * 2}},
            'Invalid request.\n\n"start_line", "end_line", "annotation_level", "message" '
            'weren\'t supplied.\n"start_line", "end_line", "annotation_level", "message" '
            "weren't supplied.",
        ),
        ({"output": {"title": "t"}}, 'Invalid request.\n\n"summary" wasn\'t supplied.'),
        ({"status": "completed"}, 'Invalid request.\n\n"conclusion" wasn\'t supplied.'),
        (
            {"conclusion": "great"},
            "Invalid request.\n\nFor 'properties/conclusion', \"great\" is not one of "
            '["action_required", "cancelled", "failure", "neutral", "success", "skipped", '
            '"timed_out"].',
        ),
        (
            {"status": "running"},
            "Invalid request.\n\nFor 'properties/status', \"running\" is not one of "
            '["queued", "in_progress", "completed"].',
        ),
        (
            {"actions": [{"label": "a", "description": "b", "identifier": "c"}] * 4},
            "Invalid request.\n\nNo more than 3 items are allowed; 4 were supplied.",
        ),
        (
            {"actions": [{"label": "L" * 21, "description": "b", "identifier": "c"}]},
            "Invalid request.\n\nOnly 20 characters are allowed; 21 were supplied.",
        ),
        (
            {"actions": [{"label": "a", "description": "D" * 41, "identifier": "c"}]},
            "Invalid request.\n\nOnly 40 characters are allowed; 41 were supplied.",
        ),
        (
            {"actions": [{"label": "a", "description": "b", "identifier": "I" * 21}]},
            "Invalid request.\n\nOnly 20 characters are allowed; 21 were supplied.",
        ),
        ({"head_sha": "f" * 40}, f"No commit found for SHA: {'f' * 40}"),
    ],
)
def test_invalid_check_runs_are_422(
    world: World, http: httpx.Client, fields: dict[str, Any], message: str
) -> None:
    response = _create(world, http, **fields)
    assert response.status_code == 422
    assert response.json()["message"] == message
    assert response.json()["documentation_url"] == (
        "https://docs.github.com/rest/checks/runs#create-a-check-run"
    )
    assert world.gh.check_runs(world.repo) == []


def test_output_is_limited_in_bytes_too(world: World, http: httpx.Client) -> None:
    emoji = "\N{ROCKET}" * 20000  # 20,000 characters, 80,000 bytes
    response = _create(world, http, output={"title": "t", "summary": emoji})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "resource": "CheckRun",
            "code": "custom",
            "field": "summary",
            "message": "summary exceeds a maximum bytesize of 65535",
        }
    ]


def test_columns_only_on_one_line(world: World, http: httpx.Client) -> None:
    spanning = {**annotation(3), "end_line": 5, "start_column": 1, "end_column": 4}
    response = _create(
        world, http, output={"title": "t", "summary": "s", "annotations": [spanning]}
    )
    assert response.status_code == 422
    assert response.json()["message"] == "Validation Failed"
    assert response.json()["errors"] == [
        {"resource": "CheckRun", "code": "invalid", "field": "annotations"}
    ]


def test_an_update_past_the_limit_keeps_what_was_there(world: World, http: httpx.Client) -> None:
    run = _create(world, http, output={"title": "t", "summary": "s"}).json()
    response = http.patch(
        f"/repos/acme/shop/check-runs/{run['id']}",
        json={"output": {"summary": "s", "annotations": [annotation(1)] * 51}},
    )
    assert response.status_code == 422
    assert world.gh.check_run(run["id"]).annotations == ()


def test_a_conclusion_completes_the_run(world: World, http: httpx.Client) -> None:
    body = _create(world, http, conclusion="neutral").json()
    assert (body["status"], body["conclusion"]) == ("completed", "neutral")
    assert body["completed_at"] is not None


def test_check_runs_for_a_ref_filtered_by_name(
    world: World, client: GitHub[AppInstallationAuthStrategy]
) -> None:
    sha = head(world)
    for name in ("flow-review", "flow-review", "other"):
        client.rest.checks.create(world.owner, world.name, name=name, head_sha=sha)
    mine = client.rest.checks.list_for_ref(
        world.owner, world.name, "feature", check_name="flow-review"
    ).parsed_data
    assert mine.total_count == 1  # filter=latest: the newest run of each name
    everything = client.rest.checks.list_for_ref(
        world.owner, world.name, sha, check_name="flow-review", filter_="all"
    ).parsed_data
    assert everything.total_count == 2
    assert mine.check_runs[0].id == max(r.id for r in everything.check_runs)
    assert (
        client.rest.checks.list_for_ref(world.owner, world.name, sha).parsed_data.total_count == 2
    )


def test_a_run_of_another_repository_is_404(world: World, http: httpx.Client) -> None:
    assert http.get("/repos/acme/shop/check-runs/123456789").status_code == 404
