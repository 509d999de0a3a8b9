from pydantic import BaseModel, Field


class MatchRequest(BaseModel):
    """Body of POST /api/v1/match, sent by the core API."""

    candidate_id: str = Field(min_length=1)
    job_ids: list[str] = Field(min_length=1, max_length=200)
    limit: int = Field(default=10, ge=1, le=100)


class MatchResult(BaseModel):
    """One ranked job for the candidate; the core API stores these as-is."""

    job_id: str
    score: float = Field(ge=0.0, le=1.0)
    reasons: list[str]
