"""The review job fetches the blobs it will read ahead of the engine, several at a time,
against the emulated GitHub and a real Redis: each once, none whose facts are cached, and
a blob that cannot be fetched ahead is left to the engine's own read, which fails as before.
"""

from __future__ import annotations

import logging
from collections import Counter

import pytest

from analyzers.paths import is_vendored, language_of
from analyzers.snapshot import MemorySnapshot
from github_app.context import WorkerContext
from github_app.github import GitHubUnavailable
from github_app.review_job import Attempt, run_review
from github_app.snapshot import PREFETCH_WORKERS
from tests.github_app.direct import QUICK_RETRIES, target
from tests.github_app.stack import (
    EXAMPLE,
    ExamplePullRequest,
    example_repository,
    open_example_pull_request,
)
from tests.github_emulator import GitHubEmulator, RequestRecord, ServerError, Slow, files_of

# Forty analysable files more than the example has, so that there is plenty to fetch at once.
EXTRA = {
    f"services/catalog/handlers/handler_{i:02d}.py": (
        f'"""Handler {i}."""\n\n\ndef handle_{i}(request: dict) -> dict:\n'
        f'    return {{"handler": {i}, "request": request}}\n'
    )
    for i in range(40)
}


@pytest.fixture
def pull(gh: GitHubEmulator) -> ExamplePullRequest:
    repo, installation = example_repository(gh, "acme")
    return open_example_pull_request(gh, repo, installation, extra=dict(EXTRA))


def trees() -> list[MemorySnapshot]:
    """The pull request's head and base trees, as the engine sees them (blob shas)."""
    head: dict[str, str | bytes] = {**files_of(EXAMPLE / "head"), **EXTRA}
    return [MemorySnapshot(head), MemorySnapshot(files_of(EXAMPLE / "base"))]


def analysable_blobs() -> set[str]:
    return {
        entry.sha
        for tree in trees()
        for path, entry in tree.entries().items()
        if language_of(path) is not None and not is_vendored(path)
    }


def blob_of(path: str) -> str:
    return trees()[0].entries()[path].sha


def blob_requests(gh: GitHubEmulator, after: int = 0) -> list[RequestRecord]:
    return [r for r in gh.requests("GET", r"/git/blobs/") if r.seq > after]


def sha_of(record: RequestRecord) -> str:
    return record.path.rsplit("/", 1)[1]


def test_the_blobs_a_review_reads_are_fetched_once_and_several_at_a_time(
    gh: GitHubEmulator, context: WorkerContext, pull: ExamplePullRequest
) -> None:
    # Each blob answer is held back, so that requests sent together are in flight together.
    gh.inject(Slow(0.2), method="GET", path=r"/git/blobs/")

    outcome = run_review(context, target(pull), Attempt())

    fetched = blob_requests(gh)
    requested = Counter(sha_of(r) for r in fetched)
    assert " findings; " in outcome  # reviewed to the end (its gate fails on the example)
    assert [sha for sha, times in requested.items() if times > 1] == []
    assert analysable_blobs() <= set(requested)
    assert {r.status for r in fetched} == {200}
    most_at_once = max(r.in_flight for r in fetched)
    assert 1 < most_at_once <= PREFETCH_WORKERS


def test_a_second_review_fetches_no_blob_whose_facts_are_cached(
    gh: GitHubEmulator,
    context: WorkerContext,
    pull: ExamplePullRequest,
    caplog: pytest.LogCaptureFixture,
) -> None:
    run_review(context, target(pull), Attempt())
    [*_, last] = gh.requests()
    caplog.clear()

    with caplog.at_level(logging.INFO, logger="github_app.review_job"):
        run_review(context, target(pull), Attempt())

    again = {sha_of(r) for r in blob_requests(gh, after=last.seq)}
    assert again & {blob_of(path) for path in EXTRA} == set()
    assert len(again) <= 5  # root manifests, and the few files rules read whole
    assert "(0 ahead of time)" in caplog.text


def test_a_blob_that_cannot_be_fetched_ahead_fails_the_review_as_the_engine_read_does(
    gh: GitHubEmulator, context: WorkerContext, pull: ExamplePullRequest
) -> None:
    broken = blob_of("services/catalog/handlers/handler_07.py")
    rule = gh.inject(ServerError(500), method="GET", path=rf"/git/blobs/{broken}$", times=100)

    with pytest.raises(GitHubUnavailable, match=rf"GET the blob {broken[:12]}.* 500"):
        run_review(context, target(pull), Attempt())

    # Tried ahead (with its retries), then once more by the engine's read (with its own).
    assert rule.fired == 2 * QUICK_RETRIES.attempts
    requested = Counter(sha_of(r) for r in blob_requests(gh))
    assert [sha for sha, times in requested.items() if times > 1 and sha != broken] == []
    [run] = gh.check_runs(pull.repo, pull.head_sha)
    assert (run.status, run.conclusion) == ("completed", "failure")
    assert run.summary is not None and broken[:12] in run.summary
