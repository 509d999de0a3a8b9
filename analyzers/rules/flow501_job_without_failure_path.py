from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, QueueJob, Severity
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "rq\ncelery\n"}
RQ = """from redis import Redis
from rq import Queue, Retry

queue = Queue(connection=Redis())

def schedule_export(account_id):
    queue.enqueue(export_account, account_id, job_id=f"export:{{account_id}}"{extra})
"""
CELERY = """from celery import shared_task

@shared_task({options})
def sync_crm(contact_id):
    push_to_crm(contact_id)
"""

TS_SVC = {"svc/package.json": '{"name": "exports", "dependencies": {"bullmq": "^5"}}'}
BULLMQ = """import { Queue, Worker } from 'bullmq';

const exports = new Queue('exports', { connection });

export async function scheduleExport(accountId: string) {
  await exports.add('export', { accountId }, { jobId: `export:${accountId}`, $OPTIONS });
}
$WORKER"""
FAILED_LISTENER = """
const worker = new Worker('exports', exportAccount, { connection });
worker.on('failed', (job, err) => deadLetters.add('export', { job: job?.data, error: err.message }));
"""


def _bullmq(options: str, worker: str = "") -> str:
    return BULLMQ.replace("$OPTIONS", options).replace("$WORKER", worker)


class JobWithoutFailurePath(Rule):
    """A background job with neither a bounded retry nor a failure handler.

    ## What it finds
    Jobs (rq enqueues, Celery tasks, BullMQ `queue.add`) with no retry
    policy with a limit and no failure path: no `on_failure`, `link_error`
    or failure callback, no task base class that handles failure; for
    BullMQ, one attempt (the default) with failed jobs deleted
    (`removeOnFail: true`) and no `failed` listener.

    ## Why it matters
    A job that fails once is simply gone: the export is never produced, the
    CRM never updated, and nothing records what was lost or lets anyone
    replay it. Failed messages disappear instead of landing in a dead-letter
    queue someone watches.

    ## Example
    `@shared_task` over a function that calls a partner API.

    ## Fix
    Retry transient failures a bounded number of times with backoff
    (`autoretry_for=(RequestException,), max_retries=5, retry_backoff=True`,
    or rq's `Retry(max=3, interval=[10, 30, 60])`), and give the job a
    failure path that records it for replay (`on_failure=`, a dead-letter
    queue, an alert).
    """

    code = "FLOW501"
    name = "job-without-failure-path"
    family = Family.DEAD_LETTER
    severity = Severity.MEDIUM

    VALID = (
        Example(
            head={
                **SVC,
                "svc/jobs.py": RQ.format(extra=", retry=Retry(max=3, interval=[10, 60, 300])"),
            }
        ),
        Example(
            head={**SVC, "svc/jobs.py": RQ.format(extra=", **self.job_options")},
            note="options spread from a mapping may carry on_failure: not visible, not reported",
        ),
        Example(
            head={
                **SVC,
                "svc/tasks.py": CELERY.format(
                    options="autoretry_for=(IOError,), max_retries=5, retry_backoff=True"
                ),
            }
        ),
        Example(
            head={
                **TS_SVC,
                "svc/src/exports.ts": _bullmq(
                    "attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnFail: true"
                ),
            },
            note="BullMQ: bounded retries with backoff",
        ),
        Example(
            head={**TS_SVC, "svc/src/exports.ts": _bullmq("removeOnFail: true", FAILED_LISTENER)},
            note="BullMQ: a failed listener records what is dropped",
        ),
        Example(
            head={**TS_SVC, "svc/src/exports.ts": _bullmq("removeOnComplete: true")},
            note="BullMQ keeps failed jobs by default: they can be inspected and retried",
        ),
    )
    INVALID = (
        Example(head={**SVC, "svc/jobs.py": RQ.format(extra="")}),
        Example(head={**SVC, "svc/tasks.py": CELERY.format(options="")}),
        Example(
            head={**TS_SVC, "svc/src/exports.ts": _bullmq("removeOnFail: true")},
            note="BullMQ: one attempt, and the failed job is deleted",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for job in ctx.facts(QueueJob):
            # A failure path, or none visible (None): BullMQ keeps failed jobs in its failed
            # set unless told to remove them (`removeOnFail`), and `**options` may carry an
            # `on_failure`; only with dead_letter False is a failure lost.
            if job.system not in ("rq", "celery", "bullmq", "bull") or job.dead_letter is not False:
                continue
            if job.role == "producer" and job.system not in ("rq", "bullmq", "bull"):
                continue
            if job.retry is not None and job.retry.attempts is not None:
                continue
            yield self.finding(
                title=f"{job.system} job with no bounded retry and no failure path",
                message=(
                    f"{job.name} has no bounded retry and no failure handler: when it fails, the "
                    "work is lost with no record to replay it from."
                ),
                key=f"{job.location.path}:{job.system}:{job.name}",
                service=job.service,
                location=job.location,
                suggestion="retry it a bounded number of times with backoff, and record final failures",
            )
