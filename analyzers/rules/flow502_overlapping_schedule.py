from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Endpoint, Family, Finding, ScheduledJob, Severity
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "apscheduler\nfastapi\n"}
JOB = """from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

scheduler = BackgroundScheduler()

def rescore():
{body}

def start():
    scheduler.add_job(rescore, CronTrigger(minute="*/5"){options})
    scheduler.start()
"""
APP = """from fastapi import FastAPI

app = FastAPI()

@app.get("/health")
def health():
    return {"ok": True}
"""


class OverlappingSchedule(Rule):
    """A scheduled job that can run twice at the same time.

    ## What it finds
    Scheduled jobs that allow overlapping runs: APScheduler jobs with
    `max_instances` above 1, and jobs of a scheduler that runs inside a web
    service's own processes (every worker and replica starts its own copy of
    the schedule) with no lock around the work.

    ## Why it matters
    When a run outlasts its interval, or when four web workers each run the
    scheduler, the same batch is processed several times at once: duplicate
    emails, double charges, rows updated from stale reads.

    ## Example
    `scheduler.add_job(rescore, CronTrigger(...))` in a FastAPI service whose
    lifespan starts a `BackgroundScheduler` in every worker.

    ## Fix
    Run schedules in one dedicated process, or take a distributed lock for
    the run (a Redis `SET NX` with expiry, a database advisory lock), and set
    `max_instances=1, coalesce=True`.
    """

    code = "FLOW502"
    name = "overlapping-schedule"
    family = Family.CRON_OVERLAP
    severity = Severity.MEDIUM

    VALID = (
        Example(
            head={
                **SVC,
                "svc/app.py": APP,
                "svc/jobs.py": JOB.format(
                    body="    with redis.lock('rescore', timeout=600, blocking_timeout=0):\n        run()",
                    options="",
                ),
            },
            note="a distributed lock around the run",
        ),
        Example(
            head={**SVC, "svc/jobs.py": JOB.format(body="    run()", options="")},
            note="a worker process that serves no HTTP: one scheduler",
        ),
    )
    INVALID = (
        Example(
            head={**SVC, "svc/app.py": APP, "svc/jobs.py": JOB.format(body="    run()", options="")}
        ),
        Example(
            head={**SVC, "svc/jobs.py": JOB.format(body="    run()", options=", max_instances=3")},
            note="overlap allowed explicitly",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        web_services = {endpoint.service for endpoint in ctx.facts(Endpoint)}
        for job in ctx.facts(ScheduledJob):
            if job.overlap_guard is True:
                continue
            in_web = job.in_process and job.service in web_services
            if job.overlap_guard is None and not in_web:
                continue
            why = (
                "its settings allow concurrent runs"
                if job.overlap_guard is False
                else "its scheduler runs inside every web worker and replica of the service"
            )
            yield self.finding(
                title=f"Scheduled job {job.name.rsplit('.', 1)[-1]} can overlap itself",
                message=(
                    f"{job.name} ({job.system}, {job.schedule}) can run twice at once: {why}, and "
                    "no lock guards the work."
                ),
                key=f"{job.location.path}:{job.system}:{job.name}",
                service=job.service,
                location=job.location,
                suggestion="run it in a single scheduler process or take a distributed lock per run",
            )
