"""Running the worker's jobs in this process, against the emulator and a real Redis: the
context a worker would give them, with retries shortened to milliseconds."""

from __future__ import annotations

import redis

from github_app.context import WorkerContext
from github_app.github import HttpPolicy, RetryPolicy
from github_app.queue import review_job_id
from github_app.review_job import ReviewTarget
from github_app.settings import Settings
from tests.github_app.stack import ExamplePullRequest
from tests.github_emulator import GitHubEmulator

QUICK_RETRIES = RetryPolicy(attempts=3, first_delay=0.01, max_delay=0.02, max_wait=5.0)


def context_for(gh: GitHubEmulator, redis_client: redis.Redis, redis_url: str) -> WorkerContext:
    settings = Settings.for_worker(
        {
            "APP_ID": str(gh.app_id),
            "PRIVATE_KEY": gh.private_key_pem,
            "WEBHOOK_SECRET": "unused here",
            "REDIS_URL": redis_url,
            "GITHUB_API_URL": gh.url,
        }
    )
    return WorkerContext(
        settings=settings,
        redis=redis_client,
        http=HttpPolicy(retry=QUICK_RETRIES),
        extraction_workers=1,
    )


def target(pull: ExamplePullRequest, head_sha: str | None = None) -> ReviewTarget:
    head = head_sha or pull.head_sha
    return ReviewTarget(
        installation_id=pull.installation_id,
        repository=pull.repo,
        number=pull.number,
        head_sha=head,
        trigger="test",
        delivery="delivery-1",
        job_id=review_job_id(pull.repo, pull.number, head),
    )
