"""The worker's githubkit client and its retries, against the emulated GitHub's faults.

`call_with_retries` takes the function it sleeps with: the tests record the waits instead of
waiting them, so what is asserted is the delay chosen, not the time it took.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from githubkit import AppInstallationAuthStrategy, GitHub

from github_app.github import (
    GitHubRefused,
    GitHubUnavailable,
    HttpPolicy,
    RetryPolicy,
    call_with_retries,
    installation_client,
)
from github_app.settings import Settings
from tests.github_emulator import (
    DropConnection,
    GitHubEmulator,
    SecondaryRateLimit,
    ServerError,
    Slow,
)

POLICY = RetryPolicy(attempts=4, first_delay=0.2, max_delay=1.0, max_wait=30.0)
REPO = r"^/repos/acme/shop$"


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[GitHubEmulator]:
    with GitHubEmulator(tmp_path) as emulator:
        emulator.create_repo("acme", "shop", {"README.md": "hello\n"})
        yield emulator


def client(
    gh: GitHubEmulator, http: HttpPolicy | None = None
) -> GitHub[AppInstallationAuthStrategy]:
    settings = Settings.for_worker(
        {
            "APP_ID": str(gh.app_id),
            "PRIVATE_KEY": gh.private_key_pem,
            "WEBHOOK_SECRET": "unused",
            "GITHUB_API_URL": gh.url,
        }
    )
    return installation_client(settings, gh.install("acme", ["acme/shop"]), http or HttpPolicy())


def get_repository(github: GitHub[AppInstallationAuthStrategy], waits: list[float]) -> str:
    answer = call_with_retries(
        "GET the repository",
        lambda: github.rest.repos.get("acme", "shop"),
        POLICY,
        sleep=waits.append,
    )
    return answer.parsed_data.full_name


def test_a_secondary_rate_limit_is_waited_out_as_retry_after_says(gh: GitHubEmulator) -> None:
    gh.inject(SecondaryRateLimit(retry_after=2), method="GET", path=REPO, times=1)
    waits: list[float] = []

    assert get_repository(client(gh), waits) == "acme/shop"
    assert waits == [2.0]


def test_a_rate_limit_asking_for_too_long_a_wait_is_left_to_rqs_retry(gh: GitHubEmulator) -> None:
    gh.inject(SecondaryRateLimit(retry_after=3600), method="GET", path=REPO)
    waits: list[float] = []

    with pytest.raises(GitHubUnavailable, match="secondary rate limit, retry after 3600 s"):
        get_repository(client(gh), waits)
    assert waits == []


def test_server_errors_and_dropped_connections_are_retried_with_growing_waits(
    gh: GitHubEmulator,
) -> None:
    gh.inject(ServerError(502), method="GET", path=REPO, times=1)
    gh.inject(DropConnection(), method="GET", path=REPO, times=1)
    gh.inject(ServerError(503), method="GET", path=REPO, times=1)
    waits: list[float] = []

    assert get_repository(client(gh), waits) == "acme/shop"
    assert len(waits) == 3
    for attempt, wait in enumerate(waits, start=1):
        backoff = min(POLICY.max_delay, POLICY.first_delay * 2 ** (attempt - 1))
        assert backoff / 2 <= wait <= backoff


def test_retries_stop_after_the_last_attempt(gh: GitHubEmulator) -> None:
    gh.inject(ServerError(500), method="GET", path=REPO)
    waits: list[float] = []

    with pytest.raises(GitHubUnavailable, match=r"500 .*gave up after 4 attempts"):
        get_repository(client(gh), waits)
    assert len(waits) == POLICY.attempts - 1


def test_a_failing_installation_token_request_is_retried(gh: GitHubEmulator) -> None:
    rule = gh.inject(ServerError(502), method="POST", path=r"/access_tokens$", times=2)
    waits: list[float] = []

    assert get_repository(client(gh), waits) == "acme/shop"
    assert rule.fired == 2
    assert len(waits) == 2


def test_a_refusal_is_raised_at_once_with_githubs_message(gh: GitHubEmulator) -> None:
    github = client(gh)
    waits: list[float] = []

    with pytest.raises(GitHubRefused, match="GET pull request: 404 Not Found") as refused:
        call_with_retries(
            "GET pull request",
            lambda: github.rest.pulls.get("acme", "shop", 99),
            POLICY,
            sleep=waits.append,
        )
    assert refused.value.status == 404
    assert waits == []
    assert len(gh.requests("GET", r"/pulls/99$")) == 1


def test_every_request_has_a_timeout(gh: GitHubEmulator, caplog: pytest.LogCaptureFixture) -> None:
    """githubkit's HTTP cache would drop the timeout: the client is built without it."""
    gh.inject(Slow(5.0), method="GET", path=REPO, times=1)
    quick = HttpPolicy(timeout=httpx.Timeout(0.5))
    waits: list[float] = []

    with caplog.at_level(logging.WARNING, logger="github_app.github"):
        assert get_repository(client(gh, quick), waits) == "acme/shop"

    assert len(waits) == 1
    assert "timed out (ReadTimeout)" in caplog.text
