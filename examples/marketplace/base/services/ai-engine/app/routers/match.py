import logging

import httpx
from fastapi import APIRouter, Depends, HTTPException, Request, status

from app.clients.jobs_api import JobsApiClient
from app.models import MatchRequest, MatchResult
from app.scoring import score_candidate

logger = logging.getLogger(__name__)

router = APIRouter(tags=["match"])


def get_jobs_api(request: Request) -> JobsApiClient:
    return request.app.state.jobs_api


@router.post("/match", response_model=list[MatchResult])
async def match(
    payload: MatchRequest,
    jobs_api: JobsApiClient = Depends(get_jobs_api),
) -> list[MatchResult]:
    logger.info(
        "match requested candidate=%s jobs=%d limit=%d",
        payload.candidate_id,
        len(payload.job_ids),
        payload.limit,
    )
    try:
        profile = await jobs_api.get_candidate_profile(payload.candidate_id)
        jobs = await jobs_api.get_jobs(payload.job_ids)
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code == status.HTTP_404_NOT_FOUND:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="candidate not found") from exc
        logger.error("job board returned %s", exc.response.status_code)
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail="job board unavailable") from exc
    except httpx.TransportError as exc:
        logger.error("job board unreachable: %s", exc)
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail="job board unavailable") from exc

    results = [score_candidate(profile, job) for job in jobs]
    results.sort(key=lambda result: result.score, reverse=True)
    logger.info("match scored candidate=%s results=%d", payload.candidate_id, len(results))
    return results[: payload.limit]
