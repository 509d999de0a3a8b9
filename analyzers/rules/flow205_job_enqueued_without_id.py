from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, QueueJob, Severity
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "rq\n"}
ENQUEUE = """from redis import Redis
from rq import Queue, Retry

queue = Queue(connection=Redis())

def on_order_paid(order_id):
    queue.enqueue(send_receipt, order_id{extra}, retry=Retry(max=3, interval=[10, 30, 60]))
"""


class JobEnqueuedWithoutId(Rule):
    """A job enqueued without a job id, so a repeated trigger runs it twice.

    ## What it finds
    Producers that enqueue background work (rq `enqueue`, arq `enqueue_job`,
    Celery `apply_async`) without a deterministic job id (`job_id=`,
    `_job_id=`, `task_id=`).

    ## Why it matters
    Whatever triggers the enqueue can happen twice: a webhook redelivered, a
    double-clicked button, a cron run retried. With a job id derived from the
    event, the second enqueue collapses into the first; without one, the work
    (an email, a charge, a sync) is done twice.

    ## Example
    `queue.enqueue(send_receipt, order_id)` in a payment webhook.

    ## Fix
    Derive the id from what makes the work unique:
    `queue.enqueue(send_receipt, order_id, job_id=f"receipt:{order_id}")`.
    """

    code = "FLOW205"
    name = "job-enqueued-without-id"
    family = Family.IDEMPOTENCY
    severity = Severity.MEDIUM

    VALID = (
        Example(
            head={**SVC, "svc/jobs.py": ENQUEUE.format(extra=', job_id=f"receipt:{order_id}"')}
        ),
    )
    INVALID = (Example(head={**SVC, "svc/jobs.py": ENQUEUE.format(extra="")}),)

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for job in ctx.facts(QueueJob):
            if job.role != "producer" or job.idempotency_key:
                continue
            yield self.finding(
                title=f"{job.system} job enqueued without a job id",
                message=(
                    f"{job.name} is enqueued without a job id: a repeated trigger (redelivered "
                    "webhook, double click, retried cron) enqueues and runs it twice."
                ),
                key=f"{job.location.path}:{job.system}:{job.name}",
                service=job.service,
                location=job.location,
                suggestion="pass a job id derived from the event or entity the job is about",
            )
