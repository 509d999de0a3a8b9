"""The rq queue as the web process writes it: delivery dedupe, enqueue, supersede bookkeeping.

The web process enqueues jobs by the dotted path of their function, so it never imports
the worker's code. Each job has a deterministic rq job id (one review per repository, pull
request and head commit; one command per comment; one explanation per check run; one
look-up of a fork head's pull requests per re-run check run or suite): a job
whose id is already queued, started, deferred or scheduled is not queued again, so
duplicate deliveries and double clicks collapse; a finished, failed, canceled or stopped
one is replaced, so a re-run after completion reviews again.

The hot path is one script call. The job hash is built by rq's own Job API (`Job.create`
then `Job.to_dict`, with None values left out as rq's own unique-enqueue script leaves
them) and one Lua script, atomic in Redis, does what rq's `enqueue_job` does for each job
(save the hash, register the queue, push the id) after checking the delivery and the job's
status. The delivery's dedupe key is written last, in the same script, so it exists only
when every job of the delivery was handled: a failed enqueue leaves nothing to undo, and
GitHub's redelivery is processed afresh. The script calls of deliveries arriving together
share one pipeline (`_ScriptBatcher`): one write and one read for all of them.

Supersede: `pull_request` events also record the pull request's latest head (with the
pull request's `updated_at`, so a late, older delivery does not move it back) under
`latest_head_key`. The worker compares `latest_head` with its job's head at each step and
stops a superseded review; here a still-queued review of the previous head is canceled
with rq's own `Job.cancel`, so it lands in the canceled registry.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final, Literal, TypeAlias, cast

from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.exceptions import NoScriptError, RedisError, WatchError
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.utils import now

from github_app.events import CommandJob, ExplainJob, JobRequest, RerunJob, ReviewJob

QUEUE_NAME: Final = "flow-review"
KEY_PREFIX: Final = "flow-review"
DELIVERY_TTL_SECONDS: Final = 3 * 24 * 3600  # GitHub offers redelivery for three days
LATEST_HEAD_TTL_SECONDS: Final = 90 * 24 * 3600  # refreshed by every push to the pull request

_UNSAFE_IN_ID = re.compile(r"[^A-Za-z0-9-]")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobFunctions:
    """Dotted paths of the worker's job functions (tests point them at a module of theirs)."""

    review: str = "github_app.jobs.review_pull_request"
    command: str = "github_app.jobs.run_command"
    explain: str = "github_app.jobs.explain_check_run"
    rerun: str = "github_app.jobs.review_head_again"


@dataclass(frozen=True)
class JobPolicy:
    """rq options of every job the web process queues.

    Retries with an interval need the worker's scheduler (`rq worker --with-scheduler`,
    `Worker.work(with_scheduler=True)`): a job waiting for its retry sits in the scheduled
    registry until a scheduler moves it back to the queue.
    """

    timeout: int = 15 * 60
    result_ttl: int = 24 * 3600
    failure_ttl: int = 7 * 24 * 3600
    retry_max: int = 2
    retry_intervals: tuple[int, ...] = (15, 60)


DEFAULT_FUNCTIONS: Final = JobFunctions()
DEFAULT_POLICY: Final = JobPolicy()


# --- Keys and ids ---------------------------------------------------------------------------


def _id_part(text: str) -> str:
    """`text` in rq's job id alphabet (letters, digits, `_`, `-`): every other character,
    `_` included, becomes `_xx` (its UTF-8 bytes in hex), so distinct texts give distinct
    ids."""
    return _UNSAFE_IN_ID.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    return "".join(f"_{byte:02x}" for byte in match.group().encode("utf-8"))


def review_job_id(repository: str, number: int, head_sha: str) -> str:
    """The rq job id of the review of `repository` (owner/name) pull request `number` at
    `head_sha`. GitHub's names are case-insensitive, so the repository is lower-cased."""
    return f"review-{_id_part(repository.lower())}-{number}-{_id_part(head_sha.lower())}"


def command_job_id(comment_id: int) -> str:
    return f"command-{comment_id}"


def explain_job_id(check_run_id: int) -> str:
    return f"explain-{check_run_id}"


def rerun_job_id(rerun_of: str) -> str:
    return "rerun-" + _UNSAFE_IN_ID.sub("-", rerun_of)


def latest_head_key(repository: str, number: int) -> str:
    """Redis hash of the pull request's latest head: fields `sha` and `updated_at`."""
    return f"{KEY_PREFIX}:latest-head:{repository.lower()}#{number}"


def delivery_key(delivery: str) -> str:
    return f"{KEY_PREFIX}:delivery:{delivery}"


def latest_head(redis: Redis, repository: str, number: int) -> str | None:
    """The newest head sha seen for the pull request, None if none was recorded."""
    sha = redis.hget(latest_head_key(repository, number), "sha")
    return sha.decode() if isinstance(sha, bytes) else sha


# --- Submitting a delivery's jobs -----------------------------------------------------------

JobState: TypeAlias = Literal["queued", "already-queued", "superseded"]


@dataclass(frozen=True)
class JobResult:
    job_id: str
    state: JobState
    detail: str = ""  # the existing job's status, or the newer head that supersedes this one


@dataclass(frozen=True)
class Submission:
    """What happened to a delivery's jobs; `duplicate` when the delivery was seen before."""

    duplicate: bool
    jobs: tuple[JobResult, ...] = ()
    canceled: tuple[str, ...] = ()


@dataclass(frozen=True)
class _PreparedJob:
    job_id: str
    fields: bytes  # the job's hash, field and value after field and value, as netstrings
    head_key: str | None
    head_sha: str
    head_updated_at: str
    repository: str
    number: int


# For each job whose id is not active, this does what rq's `Queue.enqueue_job` does (save the
# hash, register the queue, push the id), in the manner of rq's own UNIQUE_ENQUEUE_SCRIPT.
# It reads and decides first, then writes: the queue push first (the write Redis might
# refuse, e.g. a key of another type), the delivery's dedupe key last. A refused write
# thus records nothing that would make the redelivery of the same event look handled.
# A job's hash travels as one argument of netstrings (`<length>:<bytes>`, binary-safe):
# forty small arguments cost redis-py more to pack than the whole script costs Redis.
_SUBMIT_SCRIPT: Final = """
-- KEYS[1] delivery key, KEYS[2] queue, KEYS[3] set of queues,
-- KEYS[4], KEYS[5], KEYS[6] finished, failed and canceled registries,
-- then two keys per job: its hash and its pull request's latest-head hash (or its hash again).
-- ARGV[1] delivery TTL, ARGV[2] queue key, ARGV[3] head TTL, ARGV[4] number of jobs, then per
-- job: id, head sha, head updated_at ('' when the job records no head), its hash as netstrings.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {}
end
local function netstrings(blob)
  local items, pos = {}, 1
  while pos <= #blob do
    local colon = string.find(blob, ':', pos, true)
    local length = tonumber(string.sub(blob, pos, colon - 1))
    items[#items + 1] = string.sub(blob, colon + 1, colon + length)
    pos = colon + length + 1
  end
  return items
end
local active = {queued = true, started = true, deferred = true, scheduled = true}
local plan = {}
for i = 1, tonumber(ARGV[4]) do
  local a = 1 + 4 * i
  local job = {key = KEYS[5 + 2 * i], head_key = KEYS[6 + 2 * i], id = ARGV[a], sha = ARGV[a + 1],
               updated_at = ARGV[a + 2], fields = ARGV[a + 3], previous = '', record_head = false}
  if job.updated_at ~= '' then
    local current = redis.call('HMGET', job.head_key, 'sha', 'updated_at')
    if current[2] and current[2] > job.updated_at then
      if current[1] ~= job.sha then
        job.state, job.detail = 'superseded', current[1]
      end
    else
      job.record_head = true
      if current[1] and current[1] ~= job.sha then
        job.previous = current[1]
      end
    end
  end
  if not job.state then
    local status = redis.call('HGET', job.key, 'status')
    if status and active[status] then
      job.state, job.detail = 'already-queued', status
    else
      job.state, job.detail = 'queued', status or ''
    end
  end
  plan[i] = job
end
local results = {}
for i, job in ipairs(plan) do
  if job.state == 'queued' then
    redis.call('RPUSH', KEYS[2], job.id)
    redis.call('SADD', KEYS[3], ARGV[2])
    redis.call('DEL', job.key)
    redis.call('ZREM', KEYS[4], job.id)
    redis.call('ZREM', KEYS[5], job.id)
    redis.call('ZREM', KEYS[6], job.id)
    redis.call('HSET', job.key, unpack(netstrings(job.fields)))
  end
  if job.record_head then
    redis.call('HSET', job.head_key, 'sha', job.sha, 'updated_at', job.updated_at)
    redis.call('EXPIRE', job.head_key, ARGV[3])
  end
  results[i] = {job.state, job.detail, job.previous}
end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
return results
"""


class Enqueuer:
    """Queues a delivery's jobs over an asyncio Redis client, in one round trip.

    `connection` (a synchronous client) is what rq's Job API needs to build a job; it is
    used for I/O only to cancel a superseded job, in a worker thread.
    """

    def __init__(
        self,
        redis: AsyncRedis,
        connection: Redis,
        *,
        functions: JobFunctions = DEFAULT_FUNCTIONS,
        policy: JobPolicy = DEFAULT_POLICY,
        delivery_ttl: int = DELIVERY_TTL_SECONDS,
    ) -> None:
        self._redis = redis
        self._connection = connection
        self._functions = functions
        self._retry = Retry(max=policy.retry_max, interval=list(policy.retry_intervals))
        self._policy = policy
        self._delivery_ttl = delivery_ttl
        self._queue = Queue(QUEUE_NAME, connection=connection)
        self._static_keys = [
            self._queue.key,
            Queue.redis_queues_keys,
            self._queue.finished_job_registry.key,
            self._queue.failed_job_registry.key,
            self._queue.canceled_job_registry.key,
        ]
        self._submit_script = _ScriptBatcher(redis, _SUBMIT_SCRIPT)

    async def submit(self, delivery: str, requests: Sequence[JobRequest]) -> Submission:
        """Queue `requests` unless `delivery` was seen; raises `RedisError` when Redis fails
        (then nothing of the delivery was recorded)."""
        prepared = [self._prepare(request, delivery) for request in requests]
        keys: list[str] = [delivery_key(delivery), *self._static_keys]
        args: list[bytes | str | int] = [
            self._delivery_ttl,
            self._queue.key,
            LATEST_HEAD_TTL_SECONDS,
            len(prepared),
        ]
        for job in prepared:
            job_key = Job.key_for(job.job_id)
            keys += [job_key, job.head_key or job_key]
            args += [job.job_id, job.head_sha, job.head_updated_at, job.fields]
        replies = cast(list[list[bytes]], await self._submit_script.run(keys, args))
        if not replies:
            return Submission(duplicate=True)
        results: list[JobResult] = []
        superseded: list[str] = []
        for job, (state, detail, previous) in zip(prepared, replies, strict=True):
            results.append(JobResult(job.job_id, cast(JobState, state.decode()), detail.decode()))
            if previous:
                superseded.append(review_job_id(job.repository, job.number, previous.decode()))
        canceled = await self._cancel_superseded(superseded)
        return Submission(duplicate=False, jobs=tuple(results), canceled=canceled)

    def _prepare(self, request: JobRequest, delivery: str) -> _PreparedJob:
        function, job_id, kwargs, description = _job_call(request, delivery, self._functions)
        job = Job.create(
            function,
            kwargs=kwargs,
            connection=self._connection,
            id=job_id,
            origin=QUEUE_NAME,
            description=description,
            timeout=self._policy.timeout,
            result_ttl=self._policy.result_ttl,
            failure_ttl=self._policy.failure_ttl,
            retry=self._retry,
            status=JobStatus.QUEUED,
        )
        job.enqueued_at = now()  # as rq's Queue.enqueue_job stamps it
        head_key, head_sha, head_updated_at = None, "", ""
        if isinstance(request, ReviewJob) and request.head_updated_at is not None:
            head_key = latest_head_key(request.repository, request.number)
            head_sha, head_updated_at = request.head_sha, request.head_updated_at
        return _PreparedJob(
            job_id=job_id,
            fields=_hash_fields(job),
            head_key=head_key,
            head_sha=head_sha,
            head_updated_at=head_updated_at,
            repository=request.repository,
            number=0 if isinstance(request, ExplainJob | RerunJob) else request.number,
        )

    async def _cancel_superseded(self, job_ids: list[str]) -> tuple[str, ...]:
        canceled: list[str] = []
        for job_id in job_ids:
            try:
                if await asyncio.to_thread(cancel_if_queued, self._connection, job_id):
                    canceled.append(job_id)
            except RedisError as exc:
                # The new job is queued and the latest head recorded: the older review will
                # stop itself at its first step, so the delivery still succeeded.
                log.warning("could not cancel superseded job %s: %s", job_id, exc)
        return tuple(canceled)


_Call: TypeAlias = tuple[list[str], list[bytes | str | int], "asyncio.Future[Any]"]


class _ScriptBatcher:
    """Runs a Lua script for concurrent callers in one pipeline of EVALSHAs.

    The calls made while the event loop is busy with other requests go out in one write
    and come back in one read: at a few thousand deliveries a second, the system calls and
    the client's per-command work cost more than the scripts. Each script stays atomic;
    each caller gets its own reply or error.
    """

    def __init__(self, redis: AsyncRedis, script: str) -> None:
        self._redis = redis
        self._script = script
        self._sha = hashlib.sha1(script.encode(), usedforsecurity=False).hexdigest()
        self._pending: list[_Call] = []
        self._sending: set[asyncio.Task[None]] = set()

    async def run(self, keys: list[str], args: list[bytes | str | int]) -> Any:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Any] = loop.create_future()
        self._pending.append((keys, args, waiter))
        if len(self._pending) == 1:
            # After the requests already running in this turn of the loop have queued theirs.
            loop.call_soon(self._send_pending)
        return await waiter

    def _send_pending(self) -> None:
        batch, self._pending = self._pending, []
        task = asyncio.create_task(self._send(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[_Call]) -> None:
        try:
            replies = await self._evalsha(batch)
            for (_, _, waiter), reply in zip(batch, replies, strict=True):
                if not waiter.done():
                    if isinstance(reply, Exception):
                        waiter.set_exception(reply)
                    else:
                        waiter.set_result(reply)
        except Exception as exc:  # not swallowed: every caller of the batch raises it
            for _, _, waiter in batch:
                if not waiter.done():
                    waiter.set_exception(exc)
        finally:
            for _, _, waiter in batch:
                if not waiter.done():
                    waiter.cancel()

    async def _evalsha(self, batch: list[_Call]) -> list[Any]:
        replies = await self._pipeline(batch)
        unknown = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        if unknown:  # a Redis that restarted, or was flushed of its scripts
            await self._redis.script_load(self._script)
            again = await self._pipeline([batch[i] for i in unknown])
            for i, reply in zip(unknown, again, strict=True):
                replies[i] = reply
        return replies

    async def _pipeline(self, calls: list[_Call]) -> list[Any]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for keys, args, _ in calls:
                pipe.evalsha(self._sha, len(keys), *keys, *args)
            return await pipe.execute(raise_on_error=False)


def cancel_if_queued(connection: Redis, job_id: str) -> bool:
    """Cancel the job with rq's own `Job.cancel` if it is still queued; False otherwise
    (already started, finished or gone: a started review stops itself when superseded)."""
    key = Job.key_for(job_id)
    with connection.pipeline() as pipe:
        try:
            pipe.watch(key)  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
            if pipe.hget(key, "status") != JobStatus.QUEUED.value.encode():
                return False
            job = Job.fetch(job_id, connection=connection)
            pipe.multi()
            job.cancel(pipeline=pipe)
            pipe.execute()
        except WatchError:
            return False  # a worker took it meanwhile
    return True


def _job_call(
    request: JobRequest, delivery: str, functions: JobFunctions
) -> tuple[str, str, dict[str, Any], str]:
    """(function path, job id, keyword arguments, description) of a job request."""
    if isinstance(request, ReviewJob):
        return (
            functions.review,
            review_job_id(request.repository, request.number, request.head_sha),
            {
                "installation_id": request.installation_id,
                "repository": request.repository,
                "number": request.number,
                "head_sha": request.head_sha,
                "trigger": request.trigger,
                "delivery": delivery,
            },
            f"review {request.repository}#{request.number} at {request.head_sha[:12]}"
            f" ({request.trigger})",
        )
    if isinstance(request, CommandJob):
        return (
            functions.command,
            command_job_id(request.comment_id),
            {
                "installation_id": request.installation_id,
                "repository": request.repository,
                "number": request.number,
                "comment_id": request.comment_id,
                "author": request.author,
                "command": request.command,
                "delivery": delivery,
            },
            f"{request.command[:60]} on {request.repository}#{request.number} by {request.author}",
        )
    if isinstance(request, RerunJob):
        return (
            functions.rerun,
            rerun_job_id(request.rerun_of),
            {
                "installation_id": request.installation_id,
                "repository": request.repository,
                "head_sha": request.head_sha,
                "rerun_of": request.rerun_of,
                "trigger": request.trigger,
                "delivery": delivery,
            },
            f"re-run of {request.rerun_of} of {request.repository} at {request.head_sha[:12]}",
        )
    return (
        functions.explain,
        explain_job_id(request.check_run_id),
        {
            "installation_id": request.installation_id,
            "repository": request.repository,
            "check_run_id": request.check_run_id,
            "head_sha": request.head_sha,
            "delivery": delivery,
        },
        f"explain check run {request.check_run_id} of {request.repository}",
    )


def _hash_fields(job: Job) -> bytes:
    """The job's hash as rq saves it (`Job.to_dict`, None values left out as rq's own
    unique-enqueue script leaves them), each field and value as a netstring."""
    parts: list[bytes] = []
    for name, value in job.to_dict().items():
        if value is None:
            continue
        data = (
            value
            if isinstance(value, bytes)
            else (value.value if isinstance(value, Enum) else str(value)).encode("utf-8")
        )
        parts += (_netstring_of_name(name), b"%d:%s" % (len(data), data))
    return b"".join(parts)


@functools.cache
def _netstring_of_name(name: str) -> bytes:
    data = name.encode("utf-8")
    return b"%d:%s" % (len(data), data)
