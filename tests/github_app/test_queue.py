"""The queue as the web process writes it, on a real redis-server, read back with rq's API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
import redis
from redis.asyncio import Redis as AsyncRedis
from rq import Queue
from rq.job import Job, JobStatus, validate_job_id

from github_app.events import CommandJob, ExplainJob, JobRequest, ReviewJob
from github_app.queue import (
    DEFAULT_FUNCTIONS,
    DELIVERY_TTL_SECONDS,
    QUEUE_NAME,
    Enqueuer,
    JobFunctions,
    JobResult,
    Submission,
    cancel_if_queued,
    delivery_key,
    latest_head,
    review_job_id,
)
from tests.github_app.recording_app import RECORDING_FUNCTIONS
from tests.github_app.recording_jobs import CALLS_KEY
from tests.github_app.servers import rq_worker_burst

REPO = "Codertocat/Hello-World"
SHA_A, SHA_B = "a" * 40, "b" * 40


def submit(
    redis_url: str,
    delivery: str,
    jobs: Sequence[JobRequest],
    functions: JobFunctions = DEFAULT_FUNCTIONS,
) -> Submission:
    async def run() -> Submission:
        client = AsyncRedis.from_url(redis_url)
        with redis.Redis.from_url(redis_url) as connection:
            try:
                enqueuer = Enqueuer(client, connection, functions=functions)
                return await enqueuer.submit(delivery, jobs)
            finally:
                await client.aclose()

    return asyncio.run(run())


def review(sha: str, updated_at: str | None = "2026-01-01T10:00:00Z", number: int = 2) -> ReviewJob:
    trigger = "pull_request.synchronize" if updated_at else "check_run.rerequested"
    return ReviewJob(1, REPO, number, sha, trigger, updated_at)


def queue(client: redis.Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=client)


@pytest.mark.parametrize(
    ("repository", "number", "sha"),
    [
        (REPO, 2, SHA_A),
        ("my.org-x/repo.name_with.dots", 10, "0123456789abcdef" * 4),
        ("a/b_c", 1, SHA_A),
    ],
)
def test_review_job_id_is_a_valid_rq_id(repository: str, number: int, sha: str) -> None:
    job_id = review_job_id(repository, number, sha)
    validate_job_id(job_id)
    assert job_id.startswith("review-") and job_id.endswith(f"-{number}-{sha}")


def test_review_job_ids_are_distinct_and_case_insensitive_on_names() -> None:
    ids = {
        review_job_id("a-b/c", 1, SHA_A),
        review_job_id("a/b-c", 1, SHA_A),
        review_job_id("a/b.c", 1, SHA_A),
        review_job_id("a/b_2ec", 1, SHA_A),
        review_job_id("a/b", 11, SHA_A),
        review_job_id("a/b1", 1, SHA_A),
        review_job_id("a/b", 1, SHA_B),
    }
    assert len(ids) == 7
    assert review_job_id("Octo/Repo", 1, SHA_A) == review_job_id("octo/repo", 1, SHA_A)


def test_jobs_are_rq_jobs_with_primitive_keyword_arguments(
    redis_url: str, redis_client: redis.Redis
) -> None:
    jobs: list[JobRequest] = [
        review(SHA_A),
        CommandJob(1, REPO, 2, comment_id=55, author="octocat", command="/flow-review help"),
        ExplainJob(1, REPO, check_run_id=77, head_sha=SHA_A),
    ]
    submission = submit(redis_url, "delivery-1", jobs)
    review_id = review_job_id(REPO, 2, SHA_A)
    assert submission == Submission(
        duplicate=False,
        jobs=(
            JobResult(review_id, "queued"),
            JobResult("command-55", "queued"),
            JobResult("explain-77", "queued"),
        ),
    )
    assert queue(redis_client).job_ids == [review_id, "command-55", "explain-77"]
    queued = {job.id: job for job in queue(redis_client).jobs}
    assert queued[review_id].func_name == "github_app.jobs.review_pull_request"
    assert queued[review_id].kwargs == {
        "installation_id": 1,
        "repository": REPO,
        "number": 2,
        "head_sha": SHA_A,
        "trigger": "pull_request.synchronize",
        "delivery": "delivery-1",
    }
    assert queued[review_id].args == ()
    assert queued["command-55"].func_name == "github_app.jobs.run_command"
    assert queued["command-55"].kwargs == {
        "installation_id": 1,
        "repository": REPO,
        "number": 2,
        "comment_id": 55,
        "author": "octocat",
        "command": "/flow-review help",
        "delivery": "delivery-1",
    }
    assert queued["explain-77"].func_name == "github_app.jobs.explain_check_run"
    assert queued["explain-77"].kwargs == {
        "installation_id": 1,
        "repository": REPO,
        "check_run_id": 77,
        "head_sha": SHA_A,
        "delivery": "delivery-1",
    }
    for job in queued.values():
        assert job.get_status() == JobStatus.QUEUED
        assert job.origin == QUEUE_NAME
        assert job.enqueued_at is not None
        assert job.retries_left == 2
    assert redis_client.smembers("rq:queues") == {b"rq:queue:flow-review"}


def test_a_delivery_is_handled_once(redis_url: str, redis_client: redis.Redis) -> None:
    first = submit(redis_url, "delivery-1", [review(SHA_A)])
    assert first.jobs[0].state == "queued"
    assert submit(redis_url, "delivery-1", [review(SHA_A)]) == Submission(duplicate=True)
    assert 0 < redis_client.ttl(delivery_key("delivery-1")) <= DELIVERY_TTL_SECONDS
    again = submit(redis_url, "delivery-2", [review(SHA_A)])
    assert again.jobs == (JobResult(review_job_id(REPO, 2, SHA_A), "already-queued", "queued"),)
    assert len(queue(redis_client)) == 1


def test_a_newer_head_supersedes_the_queued_review(
    redis_url: str, redis_client: redis.Redis
) -> None:
    old_id, new_id = review_job_id(REPO, 2, SHA_A), review_job_id(REPO, 2, SHA_B)
    submit(redis_url, "d1", [review(SHA_A, "2026-01-01T10:00:00Z")])
    newer = submit(redis_url, "d2", [review(SHA_B, "2026-01-01T10:05:00Z")])
    assert newer.jobs == (JobResult(new_id, "queued"),)
    assert newer.canceled == (old_id,)
    assert latest_head(redis_client, REPO, 2) == SHA_B
    assert queue(redis_client).job_ids == [new_id]
    assert queue(redis_client).canceled_job_registry.get_job_ids() == [old_id]
    assert Job.fetch(old_id, connection=redis_client).get_status() == JobStatus.CANCELED
    # The older event delivered late does not move the latest head back, nor queue a review.
    late = submit(redis_url, "d3", [review(SHA_A, "2026-01-01T10:00:00Z")])
    assert late.jobs == (JobResult(old_id, "superseded", SHA_B),)
    assert latest_head(redis_client, REPO, 2) == SHA_B
    assert queue(redis_client).job_ids == [new_id]


def test_other_triggers_do_not_move_the_latest_head(
    redis_url: str, redis_client: redis.Redis
) -> None:
    submit(redis_url, "d1", [review(SHA_B, "2026-01-01T10:05:00Z")])
    submit(redis_url, "d2", [review(SHA_A, updated_at=None)])
    assert latest_head(redis_client, REPO, 2) == SHA_B
    assert latest_head(redis_client, REPO, 3) is None


def test_a_started_review_is_not_canceled(redis_url: str, redis_client: redis.Redis) -> None:
    submit(redis_url, "d1", [review(SHA_A, "2026-01-01T10:00:00Z")])
    old_id = review_job_id(REPO, 2, SHA_A)
    Job.fetch(old_id, connection=redis_client).set_status(JobStatus.STARTED)
    assert cancel_if_queued(redis_client, old_id) is False
    newer = submit(redis_url, "d2", [review(SHA_B, "2026-01-01T10:05:00Z")])
    assert newer.canceled == ()
    assert Job.fetch(old_id, connection=redis_client).get_status() == JobStatus.STARTED
    assert latest_head(redis_client, REPO, 2) == SHA_B  # what the running review checks


def test_a_finished_or_canceled_job_is_replaced(
    redis_url: str, redis_client: redis.Redis, tmp_path: Path
) -> None:
    job_id = review_job_id(REPO, 2, SHA_A)
    submit(redis_url, "d1", [review(SHA_A, None)], RECORDING_FUNCTIONS)
    with rq_worker_burst(redis_url, tmp_path, QUEUE_NAME):
        pass
    assert Job.fetch(job_id, connection=redis_client).get_status() == JobStatus.FINISHED
    assert queue(redis_client).finished_job_registry.get_job_ids() == [job_id]

    rerun = submit(redis_url, "d2", [review(SHA_A, None)], RECORDING_FUNCTIONS)
    assert rerun.jobs == (JobResult(job_id, "queued", "finished"),)
    assert queue(redis_client).job_ids == [job_id]
    assert queue(redis_client).finished_job_registry.get_job_ids() == []
    rerun_job = Job.fetch(job_id, connection=redis_client)
    assert rerun_job.get_status() == JobStatus.QUEUED
    assert rerun_job.kwargs["delivery"] == "d2"
    assert rerun_job.ended_at is None

    assert cancel_if_queued(redis_client, job_id) is True
    assert queue(redis_client).canceled_job_registry.get_job_ids() == [job_id]
    submit(redis_url, "d3", [review(SHA_A, None)], RECORDING_FUNCTIONS)
    assert queue(redis_client).canceled_job_registry.get_job_ids() == []
    with rq_worker_burst(redis_url, tmp_path, QUEUE_NAME):
        pass
    calls = [json.loads(call) for call in redis_client.lrange(CALLS_KEY, 0, -1)]
    assert [call["kwargs"]["delivery"] for call in calls] == ["d1", "d3"]


def test_a_refused_write_records_nothing_and_the_redelivery_works(
    redis_url: str, redis_client: redis.Redis
) -> None:
    redis_client.set("rq:queue:flow-review", "a key of the wrong type")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        submit(redis_url, "d1", [review(SHA_A)])
    assert not redis_client.exists(delivery_key("d1"))
    assert not redis_client.exists(Job.key_for(review_job_id(REPO, 2, SHA_A)))
    assert latest_head(redis_client, REPO, 2) is None
    redis_client.delete("rq:queue:flow-review")
    assert submit(redis_url, "d1", [review(SHA_A)]).jobs[0].state == "queued"
    assert queue(redis_client).job_ids == [review_job_id(REPO, 2, SHA_A)]
