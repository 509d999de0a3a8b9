"""A review queued from the worker exactly as the web process queues one.

The `/flow-review` command and a fork's "Re-run" learn which pull request to review only
from GitHub, in the worker; the review itself is queued through `queue.Enqueuer`, with the
same job ids (a review of the same head queued or running is not queued twice) and the same
policy as the web process's jobs.
"""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis as AsyncRedis
from rq.job import Job

from github_app.context import WorkerContext
from github_app.events import ReviewJob
from github_app.queue import DEFAULT_POLICY, Enqueuer, JobPolicy, Submission


def enqueue_review(
    context: WorkerContext, job: ReviewJob, *, delivery: str, policy: JobPolicy
) -> Submission:
    """Queue `job` exactly as the web process would (a repeated `delivery` is a no-op)."""

    async def submit() -> Submission:
        redis = AsyncRedis.from_url(context.settings.redis_url)
        try:
            enqueuer = Enqueuer(redis, context.redis, policy=policy)
            return await enqueuer.submit(delivery, [job])
        finally:
            await redis.aclose()

    return asyncio.run(submit())


def policy_of(job: Job | None) -> JobPolicy:
    """The policy of the jobs the web queued (timeout, retry intervals), read off the queuing
    job's own rq job, for the review it queues."""
    intervals = job.retry_intervals if job is not None else None
    return JobPolicy(
        timeout=int(job.timeout) if job is not None and job.timeout else DEFAULT_POLICY.timeout,
        retry_intervals=tuple(intervals) if intervals else DEFAULT_POLICY.retry_intervals,
    )
