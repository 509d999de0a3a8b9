"""Client for the partner job-board API (job postings and candidate profiles)."""

import logging
import os
from typing import Any

import httpx
from tenacity import (
    before_sleep_log,
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.jobboard.example.com"


def _is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, httpx.TransportError):
        return True
    if isinstance(exc, httpx.HTTPStatusError):
        code = exc.response.status_code
        return code == 429 or code >= 500
    return False


class JobsApiClient:
    def __init__(self, base_url: str, api_key: str, timeout: float = 5.0) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=2.0),
        )

    @classmethod
    def from_env(cls) -> "JobsApiClient":
        return cls(
            base_url=os.environ.get("JOBS_API_URL", DEFAULT_BASE_URL),
            api_key=os.environ.get("JOBS_API_KEY", ""),
            timeout=float(os.environ.get("JOBS_API_TIMEOUT", "5")),
        )

    @retry(
        retry=retry_if_exception(_is_retryable),
        stop=stop_after_attempt(3),
        wait=wait_exponential_jitter(initial=0.5, max=4),
        before_sleep=before_sleep_log(logger, logging.WARNING),
        reraise=True,
    )
    async def _get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        response = await self._client.get(path, params=params)
        response.raise_for_status()
        return response.json()

    async def get_jobs(self, job_ids: list[str]) -> list[dict[str, Any]]:
        payload = await self._get_json("/v2/jobs", params={"ids": ",".join(job_ids)})
        jobs = payload["data"]
        logger.info("fetched %d of %d jobs from job board", len(jobs), len(job_ids))
        return jobs

    async def get_candidate_profile(self, candidate_id: str) -> dict[str, Any]:
        return await self._get_json(f"/v2/candidates/{candidate_id}/profile")

    async def aclose(self) -> None:
        await self._client.aclose()
