"""Rule-based scorer: skill overlap weighted with seniority fit."""

from typing import Any

from app.models import MatchResult

SENIORITY_LEVELS = {"junior": 0, "mid": 1, "senior": 2, "staff": 3, "principal": 4}
SKILL_WEIGHT = 0.7
SENIORITY_WEIGHT = 0.3


def _normalise(skills: list[str]) -> set[str]:
    return {skill.strip().lower() for skill in skills if skill and skill.strip()}


def _seniority_fit(candidate_level: str | None, job_level: str | None) -> float:
    candidate = SENIORITY_LEVELS.get((candidate_level or "").lower())
    job = SENIORITY_LEVELS.get((job_level or "").lower())
    if candidate is None or job is None:
        return 0.5
    return 1.0 - min(abs(candidate - job), 2) / 2


def score_candidate(profile: dict[str, Any], job: dict[str, Any]) -> MatchResult:
    candidate_skills = _normalise(profile.get("skills", []))
    required = _normalise(job.get("required_skills", []))
    reasons: list[str] = []

    if required:
        overlap = candidate_skills & required
        skill_score = len(overlap) / len(required)
        if overlap:
            reasons.append(
                f"Matches {len(overlap)} of {len(required)} required skills: "
                + ", ".join(sorted(overlap))
            )
        missing = required - candidate_skills
        if missing:
            reasons.append("Missing: " + ", ".join(sorted(missing)))
    else:
        skill_score = 0.5
        reasons.append("Job lists no required skills")

    seniority = _seniority_fit(profile.get("seniority"), job.get("seniority"))
    if seniority == 1.0:
        reasons.append("Seniority matches the role")

    score = round(SKILL_WEIGHT * skill_score + SENIORITY_WEIGHT * seniority, 4)
    return MatchResult(job_id=str(job["id"]), score=score, reasons=reasons)
