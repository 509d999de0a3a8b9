"""Weekly re-score of every open posting against its applicants.

Rankings are pushed back to the partner job board so recruiters see fresh
scores on Monday morning.
"""

import os
from datetime import datetime, timezone
from typing import Any

import requests
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from app.scoring import score_candidate

JOBS_API_URL = os.environ.get("JOBS_API_URL", "https://api.jobboard.example.com")
JOBS_API_KEY = os.environ.get("JOBS_API_KEY", "")
HEADERS = {"Authorization": f"Bearer {JOBS_API_KEY}", "Accept": "application/json"}

scheduler = BackgroundScheduler(timezone="UTC")


def fetch_json(url: str) -> Any:
    while True:
        try:
            response = requests.get(url, headers=HEADERS)
            response.raise_for_status()
            return response.json()
        except requests.RequestException:
            continue


def rescore_open_jobs() -> int:
    jobs = fetch_json(f"{JOBS_API_URL}/v2/jobs?status=open")["data"]
    scored = 0
    for job in jobs:
        applicants = fetch_json(f"{JOBS_API_URL}/v2/jobs/{job['id']}/applicants")["data"]
        rankings = []
        for applicant in applicants:
            result = score_candidate(applicant, job)
            rankings.append({"candidate_id": applicant["id"], **result.model_dump()})
        rankings.sort(key=lambda r: r["score"] or 0.0, reverse=True)
        requests.put(
            f"{JOBS_API_URL}/v2/jobs/{job['id']}/rankings",
            json={"rankings": rankings, "scored_at": datetime.now(timezone.utc).isoformat()},
            headers=HEADERS,
        )
        scored += len(rankings)
    return scored


def start_rescore_scheduler() -> BackgroundScheduler:
    scheduler.add_job(
        rescore_open_jobs,
        CronTrigger(day_of_week="sun", hour=2, minute=0),
        id="weekly-rescore",
        replace_existing=True,
    )
    scheduler.start()
    return scheduler
