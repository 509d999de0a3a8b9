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

TS_SVC = {"svc/package.json": '{"name": "core-api", "dependencies": {"node-cron": "^3"}}'}
NODE_CRON = """import cron from 'node-cron';

$STATE
export async function rescore(): Promise<void> {
$BODY
}

export function scheduleRescore() {
  return cron.schedule('*/5 * * * *', () => {
    rescore().catch((err) => logger.error({ err }, 'rescore failed'));
  });
}
"""
GUARDED = """  if (running) return;
  running = true;
  try {
    const { data: acquired } = await supabase.rpc('try_acquire_job_lock', { lock_name: 'rescore' });
    if (!acquired) return;
    await run();
  } finally {
    running = false;
  }"""
LOCAL_FLAG = """  let running = false;
  if (running) return;
  running = true;
  await run();
  running = false;"""
POLLER = """export function startPolling() {
  setInterval(async () => {
    const jobs = await fetchPendingJobs();
    await Promise.all(jobs.map(process));
  }, 10_000);
}
"""


def _cron(body: str, state: str = "") -> str:
    return NODE_CRON.replace("$STATE", state).replace("$BODY", body)


class OverlappingSchedule(Rule):
    """A scheduled job that can run twice at the same time.

    ## What it finds
    Scheduled jobs that allow overlapping runs: APScheduler jobs with
    `max_instances` above 1; node-cron, `cron` and async `setInterval` jobs
    with neither a lock nor a running flag (they run in every process that
    starts them and never skip a tick that is still busy); and jobs of a
    scheduler that runs inside a web service's own processes (every worker
    and replica starts its own copy of the schedule) with no lock around the
    work.

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
    `max_instances=1, coalesce=True`; in Node, skip a tick while the previous
    run is in progress (a module-level `running` flag, node-cron 4's
    `noOverlap: true`, cron's `waitForCompletion: true`) and lock across
    replicas.
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
        Example(
            head={**TS_SVC, "svc/src/jobs.ts": _cron(GUARDED, "let running = false;\n")},
            note="node-cron: an in-process flag and a database lock",
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
        Example(
            head={**TS_SVC, "svc/src/jobs.ts": _cron("  await run();")},
            note="node-cron runs in every replica and never skips a busy tick",
        ),
        Example(
            head={**TS_SVC, "svc/src/jobs.ts": _cron(LOCAL_FLAG)},
            note="a running flag declared inside the run is false on every tick",
        ),
        Example(
            head={**TS_SVC, "svc/src/poller.ts": POLLER},
            note="an async setInterval poller: a slow run overlaps the next tick",
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
