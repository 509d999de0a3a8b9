"""The ledger of check runs a job has opened and not concluded yet, in Redis.

A review job records its check run here as soon as it has one, and removes it when the run
is concluded. What is left in the ledger belongs to a job that stopped without concluding:
its process was killed (SIGKILL, out of memory, a lost machine), or GitHub failed while the
job was reporting its own failure. The worker's sweep (`recovery.sweep_open_runs`) reads
the ledger and concludes the runs whose jobs rq will not run again, so no check run stays
`in_progress` forever; a retried job finds its run again by its `external_id`.

Keys: the set `flow-review:open-runs` of job ids, and a hash per job id with what is needed
to reach its check run without the job (installation, repository, pull request, head, id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from redis import Redis

from github_app.queue import KEY_PREFIX

OPEN_RUNS_KEY: Final = f"{KEY_PREFIX}:open-runs"
# Far longer than any job lives with its retries; only a safety net against a lost entry.
OPEN_RUN_TTL_SECONDS: Final = 30 * 24 * 3600


@dataclass(frozen=True)
class OpenRun:
    job_id: str
    installation_id: int
    repository: str
    number: int
    head_sha: str
    check_run_id: int


def open_run_key(job_id: str) -> str:
    return f"{KEY_PREFIX}:open-run:{job_id}"


def record_open_run(redis: Redis, run: OpenRun) -> None:
    with redis.pipeline(transaction=True) as pipe:
        pipe.hset(
            open_run_key(run.job_id),
            mapping={
                "installation_id": run.installation_id,
                "repository": run.repository,
                "number": run.number,
                "head_sha": run.head_sha,
                "check_run_id": run.check_run_id,
            },
        )
        pipe.expire(open_run_key(run.job_id), OPEN_RUN_TTL_SECONDS)
        pipe.sadd(OPEN_RUNS_KEY, run.job_id)
        pipe.execute()


def settle_run(redis: Redis, job_id: str, check_run_id: int | None = None) -> None:
    """Remove the job's entry (only if it is still about `check_run_id`, when given: a later
    attempt may have recorded another run meanwhile)."""
    if check_run_id is not None:
        recorded = read_open_run(redis, job_id)
        if recorded is not None and recorded.check_run_id != check_run_id:
            return
    with redis.pipeline(transaction=True) as pipe:
        pipe.srem(OPEN_RUNS_KEY, job_id)
        pipe.delete(open_run_key(job_id))
        pipe.execute()


def read_open_run(redis: Redis, job_id: str) -> OpenRun | None:
    fields = {_text(k): _text(v) for k, v in redis.hgetall(open_run_key(job_id)).items()}
    try:
        return OpenRun(
            job_id=job_id,
            installation_id=int(fields["installation_id"]),
            repository=fields["repository"],
            number=int(fields["number"]),
            head_sha=fields["head_sha"],
            check_run_id=int(fields["check_run_id"]),
        )
    except (KeyError, ValueError):
        return None


def open_runs(redis: Redis) -> list[OpenRun]:
    """Every recorded open run; ids whose entry expired or is broken are dropped."""
    found: list[OpenRun] = []
    for member in sorted(redis.smembers(OPEN_RUNS_KEY)):
        job_id = _text(member)
        run = read_open_run(redis, job_id)
        if run is None:
            redis.srem(OPEN_RUNS_KEY, job_id)
        else:
            found.append(run)
    return found


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
