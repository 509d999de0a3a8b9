"""The whole app for end-to-end tests: the emulated GitHub holding the example repository,
Redis, the web process and workers; deliveries, and waiting for the queue to settle.

Waiting reads rq's keys directly (queue length, registry sizes), never through rq's
registry API: its `count()` cleans the started registry as a side effect, which would make
the test process, not a worker, handle an abandoned job.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import httpx
import redis
from rq import Queue

from github_app.checkrun import CHECK_NAME
from github_app.comments import fingerprint_of
from github_app.queue import QUEUE_NAME
from tests.github_app.servers import ROOT, WEBHOOK_SECRET, WebServer, http_client
from tests.github_emulator import CheckRun, GitHubEmulator, WebhookPayload, files_of

T = TypeVar("T")
EXAMPLE = ROOT / "examples" / "marketplace"
SETTLE_TIMEOUT = 150.0


@dataclass(frozen=True)
class ExamplePullRequest:
    repo: str
    number: int
    installation_id: int
    head_sha: str
    branch: str


def example_repository(
    gh: GitHubEmulator,
    owner: str,
    name: str = "marketplace",
    *,
    permissions: Mapping[str, str] | None = None,
) -> tuple[str, int]:
    """The example's base tree on `main` of `owner/name`, the app installed on it (with
    `permissions` when given); returns the repository and the installation id."""
    repo = gh.create_repo(owner, name, files_of(EXAMPLE / "base"))
    return repo, gh.install(owner, [repo], permissions=permissions)


def open_example_pull_request(
    gh: GitHubEmulator,
    repo: str,
    installation_id: int,
    *,
    branch: str = "matching-v2",
    from_fork: bool = False,
    author: str = "alice",
    extra: dict[str, bytes | str | None] | None = None,
) -> ExamplePullRequest:
    """The example's head tree (plus `extra` files) on `branch`, and a pull request of it."""
    files: dict[str, bytes | str | None] = {**files_of(EXAMPLE / "head"), **(extra or {})}
    gh.push(repo, branch, files, exact=True, author=author, message="Matching v2")
    number = gh.open_pull_request(
        repo, head=branch, title="Matching v2", author=author, from_fork=from_fork
    )
    return ExamplePullRequest(repo, number, installation_id, gh.head_sha(repo, number), branch)


@dataclass
class Stack:
    gh: GitHubEmulator
    redis_url: str
    web: WebServer
    redis: redis.Redis = field(init=False)

    def __post_init__(self) -> None:
        self.redis = redis.Redis.from_url(self.redis_url)

    def deliver(self, payload: WebhookPayload, *, delivery: str | None = None) -> httpx.Response:
        body, headers = self.gh.signed(payload, WEBHOOK_SECRET)
        headers["X-GitHub-Delivery"] = delivery or str(uuid.uuid4())
        response = http_client().post(f"{self.web.url}/webhooks", content=body, headers=headers)
        assert response.status_code in (200, 202), response.text
        return response

    def settle(self, timeout: float = SETTLE_TIMEOUT) -> None:
        """Wait until no job is queued, running, scheduled for a retry or deferred."""
        queue = Queue(QUEUE_NAME, connection=self.redis)
        keys = [
            queue.started_job_registry.key,
            queue.scheduled_job_registry.key,
            queue.deferred_job_registry.key,
        ]

        def idle() -> bool:
            lists = (queue.key, queue.intermediate_queue_key)  # queued, being taken
            return all(self.redis.llen(key) == 0 for key in lists) and all(
                self.redis.zcard(key) == 0 for key in keys
            )

        def idle_twice() -> bool:
            # Twice in a row: a job may enqueue another one just as it finishes.
            if not idle():
                return False
            time.sleep(0.2)
            return idle()

        wait_for(idle_twice, "the queue to settle", timeout)

    def runs(self, repo: str, head_sha: str) -> list[CheckRun]:
        return self.gh.check_runs(repo, head_sha, CHECK_NAME)

    def fingerprints(self, repo: str, number: int) -> list[str]:
        """The finding fingerprints of the app's review comments, one per comment."""
        return [
            fingerprint
            for comment in self.gh.review_comments(repo, number)
            if comment.user == self.gh.bot_login
            and (fingerprint := fingerprint_of(comment.body)) is not None
        ]


def wait_for(condition: Callable[[], T | bool | None], what: str, timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        result = condition()
        if result:
            return result  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)
