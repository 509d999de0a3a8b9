from typing import Literal

from pydantic import BaseModel, Field

SCORER_VERSION = "2.0.0"

ScoringProfile = Literal["balanced", "skills_first", "seniority_first"]


class MatchRequest(BaseModel):
    """Body of POST /api/v1/match, sent by the core API."""

    candidate_id: str = Field(min_length=1)
    job_id_list: list[str] = Field(min_length=1, max_length=200)
    scoring_profile: ScoringProfile
    limit: int = Field(default=10, ge=1, le=100)


class SkillMatch(BaseModel):
    skill: str
    weight: float


class MatchResult(BaseModel):
    """One ranked job for the candidate; the core API stores these as-is."""

    job_id: str
    score: float | None = None
    reasons: list[str]
    matched_skills: list[SkillMatch] = Field(default_factory=list)
    scorer_version: str = SCORER_VERSION
