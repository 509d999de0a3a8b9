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

TS_SVC = {"svc/package.json": '{"name": "mailer", "dependencies": {"bullmq": "^5"}}'}
BULLMQ = """import { Queue } from 'bullmq';

const emails = new Queue('emails', { connection });

export async function onOrderPaid(orderId: string) {
  await emails.add('receipt', { orderId }, { attempts: 5, backoff: { type: 'exponential', delay: 1000 }$EXTRA });
}
"""
TABLE = """import { supabase } from './supabase';

export async function enqueueRescore(candidateIds: string[]) {
  const rows = candidateIds.map((id) => ({ type: 'rescore', payload: { id }$KEY }));
  const { error } = await supabase.from('job_queue').$WRITE;
  if (error) throw error;
}
"""


def _table(key: str = "", write: str = "insert(rows)") -> str:
    return TABLE.replace("$KEY", key).replace("$WRITE", write)


class JobEnqueuedWithoutId(Rule):
    """A job enqueued without a job id, so a repeated trigger runs it twice.

    ## What it finds
    Producers that enqueue background work (rq `enqueue`, arq `enqueue_job`,
    Celery `apply_async`, BullMQ `queue.add`) without a deterministic job id
    (`job_id=`, `_job_id=`, `task_id=`, `{ jobId }`), and rows inserted into a
    queue table (`supabase.from('job_queue').insert(rows)`) with no
    idempotency key and no upsert on one.

    ## Why it matters
    Whatever triggers the enqueue can happen twice: a webhook redelivered, a
    double-clicked button, a cron run retried. With a job id derived from the
    event, the second enqueue collapses into the first; without one, the work
    (an email, a charge, a sync) is done twice.

    ## Example
    `queue.enqueue(send_receipt, order_id)` in a payment webhook.

    ## Fix
    Derive the id from what makes the work unique:
    `queue.enqueue(send_receipt, order_id, job_id=f"receipt:{order_id}")`,
    `queue.add('receipt', data, { jobId: 'receipt:' + orderId })`; give queue rows an
    `idempotency_key` column with a unique constraint and upsert on it.
    """

    code = "FLOW205"
    name = "job-enqueued-without-id"
    family = Family.IDEMPOTENCY
    severity = Severity.MEDIUM

    VALID = (
        Example(
            head={**SVC, "svc/jobs.py": ENQUEUE.format(extra=', job_id=f"receipt:{order_id}"')}
        ),
        Example(
            head={**SVC, "svc/jobs.py": ENQUEUE.format(extra=", **job_options")},
            note="options spread from a mapping may carry the job id: not visible, not reported",
        ),
        Example(
            head={
                **TS_SVC,
                "svc/src/orders.ts": BULLMQ.replace("$EXTRA", ", jobId: `receipt:${orderId}`"),
            },
            note="BullMQ add with a jobId",
        ),
        Example(
            head={
                **TS_SVC,
                "svc/src/rescore.ts": _table(
                    ", idempotency_key: `rescore:${id}:${week}`",
                    "upsert(rows, { onConflict: 'idempotency_key', ignoreDuplicates: true })",
                ),
            },
            note="rows of a queue table carrying an idempotency key",
        ),
    )
    INVALID = (
        Example(head={**SVC, "svc/jobs.py": ENQUEUE.format(extra="")}),
        Example(
            head={**TS_SVC, "svc/src/orders.ts": BULLMQ.replace("$EXTRA", "")},
            note="BullMQ add without a jobId",
        ),
        Example(
            head={**TS_SVC, "svc/src/rescore.ts": _table()},
            note="rows inserted into a queue table without an idempotency key",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for job in ctx.facts(QueueJob):
            # None: options built elsewhere, whether they carry an id is not visible.
            if job.role != "producer" or job.idempotency_key is not False:
                continue
            if job.system == "table":
                # A queue table has no job id; its rows need a unique idempotency key.
                yield self.finding(
                    title=f"Rows queued in {job.name} without an idempotency key",
                    message=(
                        f"Rows are inserted into the queue table {job.name} with no idempotency "
                        "key: a repeated trigger (a second replica, a retried run, a "
                        "redelivered webhook) queues the same work again."
                    ),
                    key=f"{job.location.path}:{job.system}:{job.name}",
                    service=job.service,
                    location=job.location,
                    suggestion=(
                        "give each row an idempotency_key derived from the work (unique in the "
                        "table) and upsert on it with ignoreDuplicates"
                    ),
                )
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
