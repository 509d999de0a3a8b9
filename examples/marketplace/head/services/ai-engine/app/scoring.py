"""Rule-based scorer: skill overlap weighted with seniority fit."""

from typing import Any

from app.models import MatchResult, ScoringProfile, SkillMatch

SENIORITY_LEVELS = {"junior": 0, "mid": 1, "senior": 2, "staff": 3, "principal": 4}

# (skill weight, seniority weight) per scoring profile.
PROFILE_WEIGHTS: dict[str, tuple[float, float]] = {
    "balanced": (0.7, 0.3),
    "skills_first": (0.9, 0.1),
    "seniority_first": (0.4, 0.6),
}


def _normalise(skills: list[str]) -> set[str]:
    return {skill.strip().lower() for skill in skills if skill and skill.strip()}


def _seniority_fit(candidate_level: str | None, job_level: str | None) -> float:
    candidate = SENIORITY_LEVELS.get((candidate_level or "").lower())
    job = SENIORITY_LEVELS.get((job_level or "").lower())
    if candidate is None or job is None:
        return 0.5
    return 1.0 - min(abs(candidate - job), 2) / 2


def score_candidate(
    profile: dict[str, Any],
    job: dict[str, Any],
    scoring_profile: ScoringProfile = "balanced",
) -> MatchResult:
    candidate_skills = _normalise(profile.get("skills", []))
    required = _normalise(job.get("required_skills", []))

    if not required:
        # Not enough data to rank this posting; let the caller decide.
        return MatchResult(job_id=str(job["id"]), score=None, reasons=["Job lists no required skills"])

    skill_weight, seniority_weight = PROFILE_WEIGHTS[scoring_profile]
    overlap = candidate_skills & required
    skill_score = len(overlap) / len(required)
    reasons: list[str] = []
    if overlap:
        reasons.append(
            f"Matches {len(overlap)} of {len(required)} required skills: "
            + ", ".join(sorted(overlap))
        )
    missing = required - candidate_skills
    if missing:
        reasons.append("Missing: " + ", ".join(sorted(missing)))

    seniority = _seniority_fit(profile.get("seniority"), job.get("seniority"))
    if seniority == 1.0:
        reasons.append("Seniority matches the role")

    score = round(skill_weight * skill_score + seniority_weight * seniority, 4)
    matched = [SkillMatch(skill=skill, weight=round(1 / len(required), 4)) for skill in sorted(overlap)]
    return MatchResult(job_id=str(job["id"]), score=score, reasons=reasons, matched_skills=matched)
