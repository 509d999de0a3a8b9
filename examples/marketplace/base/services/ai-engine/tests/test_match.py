from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import app
from app.routers.match import get_jobs_api

PROFILE = {"id": "cand_1", "skills": ["Python", "FastAPI", "Postgres"], "seniority": "senior"}
JOBS = [
    {"id": "job_a", "required_skills": ["python", "django"], "seniority": "mid"},
    {"id": "job_b", "required_skills": ["python", "fastapi", "postgres"], "seniority": "senior"},
    {"id": "job_c", "required_skills": ["go"], "seniority": "junior"},
]


class FakeJobsApi:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    async def get_candidate_profile(self, candidate_id: str) -> dict[str, Any]:
        if self.fail:
            raise httpx.ConnectError("connection refused")
        return PROFILE

    async def get_jobs(self, job_ids: list[str]) -> list[dict[str, Any]]:
        return [job for job in JOBS if job["id"] in job_ids]


@pytest.fixture
def client():
    app.dependency_overrides[get_jobs_api] = lambda: FakeJobsApi()
    yield TestClient(app)
    app.dependency_overrides.clear()


def test_match_ranks_jobs_by_score(client: TestClient) -> None:
    response = client.post(
        "/api/v1/match",
        json={"candidate_id": "cand_1", "job_ids": ["job_a", "job_b", "job_c"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert [item["job_id"] for item in body] == ["job_b", "job_a", "job_c"]
    assert all(0.0 <= item["score"] <= 1.0 for item in body)
    assert body[0]["reasons"]


def test_match_respects_limit(client: TestClient) -> None:
    response = client.post(
        "/api/v1/match",
        json={"candidate_id": "cand_1", "job_ids": ["job_a", "job_b", "job_c"], "limit": 1},
    )
    assert response.status_code == 200
    assert len(response.json()) == 1


def test_match_rejects_empty_job_list(client: TestClient) -> None:
    response = client.post("/api/v1/match", json={"candidate_id": "cand_1", "job_ids": []})
    assert response.status_code == 422


def test_match_returns_503_when_job_board_is_down() -> None:
    app.dependency_overrides[get_jobs_api] = lambda: FakeJobsApi(fail=True)
    try:
        response = TestClient(app).post(
            "/api/v1/match", json={"candidate_id": "cand_1", "job_ids": ["job_a"]}
        )
    finally:
        app.dependency_overrides.clear()
    assert response.status_code == 503
