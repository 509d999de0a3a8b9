"""Injected faults, as the client (githubkit, httpx, a bare socket) sees them."""

from __future__ import annotations

import random
import socket
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from githubkit.exception import (
    PrimaryRateLimitExceeded,
    RequestError,
    RequestFailed,
    RequestTimeout,
    SecondaryRateLimitExceeded,
)

from tests.github_emulator import (
    DiffTooLarge,
    DropConnection,
    GitHubEmulator,
    PrimaryRateLimit,
    SecondaryRateLimit,
    ServerError,
    Slow,
)
from tests.github_emulator.conftest import World, github_client, installation_token, plain_client

REPO_PATH = r"^/repos/acme/shop$"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_then_recovery(world: World, status: int) -> None:
    gh = world.gh
    rule = gh.inject(ServerError(status), method="GET", path=REPO_PATH, times=1)
    client = github_client(gh, world.installation_id)
    with pytest.raises(RequestFailed) as failure:
        client.rest.repos.get(world.owner, world.name)
    response = failure.value.response
    assert response.status_code == status
    assert response.json()["status"] == str(status)
    assert response.headers["x-github-request-id"]
    assert client.rest.repos.get(world.owner, world.name).status_code == 200
    assert rule.fired == 1
    records = gh.requests("GET", REPO_PATH)
    assert [(r.status, r.fault) for r in records] == [(status, "ServerError"), (200, None)]


def test_githubkit_retries_a_server_error_by_itself(world: World) -> None:
    world.gh.inject(ServerError(502), method="GET", path=r"/pulls/1$", times=1)
    client = github_client(world.gh, world.installation_id, auto_retry=True)
    assert client.rest.pulls.get(world.owner, world.name, world.number).status_code == 200
    assert [r.status for r in world.gh.requests("GET", r"/pulls/1$")] == [502, 200]


def test_secondary_rate_limit(world: World) -> None:
    gh = world.gh
    gh.inject(SecondaryRateLimit(retry_after=7), method="POST", path=r"/check-runs$", times=1)
    client = github_client(gh, world.installation_id)
    with pytest.raises(SecondaryRateLimitExceeded) as failure:
        client.rest.checks.create(
            world.owner, world.name, name="flow-review", head_sha=gh.head_sha(world.repo, 1)
        )
    assert failure.value.retry_after == timedelta(seconds=7)
    response = failure.value.response
    assert response.status_code == 403
    assert response.headers["retry-after"] == "7"
    assert response.json()["message"].startswith("You have exceeded a secondary rate limit.")
    assert response.headers["x-github-request-id"] in response.json()["message"]
    assert gh.check_runs(world.repo) == []  # refused, not done


def test_primary_rate_limit(world: World) -> None:
    world.gh.inject(PrimaryRateLimit(reset_in=30), path=REPO_PATH, times=1)
    client = github_client(world.gh, world.installation_id)
    with pytest.raises(PrimaryRateLimitExceeded) as failure:
        client.rest.repos.get(world.owner, world.name)
    response = failure.value.response
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert response.json()["message"] == (
        f"API rate limit exceeded for installation ID {world.installation_id}."
    )


def test_too_large_diff_hits_only_diff_requests(world: World, http: httpx.Client) -> None:
    rule = world.gh.inject(DiffTooLarge(), method="GET", path=r"/pulls/1$", times=1)
    assert http.get("/repos/acme/shop/pulls/1").status_code == 200
    assert rule.fired == 0
    diff = http.get("/repos/acme/shop/pulls/1", headers={"Accept": "application/vnd.github.diff"})
    assert diff.status_code == 406
    assert diff.json()["errors"] == [
        {"resource": "PullRequest", "field": "diff", "code": "too_large"}
    ]
    assert rule.fired == 1


def test_slow_answers_time_out_clients_that_will_not_wait(world: World) -> None:
    gh = world.gh
    gh.inject(Slow(3.0), method="GET", path=REPO_PATH, times=1)
    impatient = github_client(gh, world.installation_id, timeout=0.5, http_cache=False)
    impatient.rest.pulls.get(world.owner, world.name, world.number)  # the token is fetched first
    with pytest.raises(RequestTimeout):
        impatient.rest.repos.get(world.owner, world.name)
    gh.inject(Slow(0.2), method="GET", path=REPO_PATH, times=1)
    assert impatient.rest.repos.get(world.owner, world.name).status_code == 200


@pytest.mark.parametrize("reset", [False, True])
def test_dropped_connections_give_no_answer_at_all(world: World, reset: bool) -> None:
    gh = world.gh
    gh.inject(DropConnection(reset=reset), method="GET", path=REPO_PATH, times=1)
    client = github_client(gh, world.installation_id)
    client.rest.pulls.get(world.owner, world.name, world.number)  # the token is fetched first
    with pytest.raises(RequestError) as failure:
        client.rest.repos.get(world.owner, world.name)
    assert not isinstance(failure.value, RequestFailed)  # no status, no response
    assert isinstance(failure.value.exc, httpx.RemoteProtocolError | httpx.ReadError)
    [dropped] = [r for r in gh.requests("GET", REPO_PATH) if r.fault]
    assert (dropped.status, dropped.fault) == (None, "DropConnection")
    assert client.rest.repos.get(world.owner, world.name).status_code == 200


@pytest.mark.parametrize("reset", [False, True])
def test_a_dropped_connection_seen_from_a_socket(world: World, reset: bool) -> None:
    gh = world.gh
    token = installation_token(gh, world.installation_id)
    gh.inject(DropConnection(reset=reset), method="GET", path=REPO_PATH, times=1)
    address = urlsplit(gh.url)
    request = (
        f"GET /repos/acme/shop HTTP/1.1\r\nHost: {address.netloc}\r\n"
        f"Authorization: token {token}\r\n\r\n"
    ).encode()
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(request)
        if reset:
            with pytest.raises(ConnectionResetError):
                connection.recv(4096)
        else:
            assert connection.recv(4096) == b""  # FIN, not one byte of an answer


def test_a_write_can_happen_and_lose_its_answer(world: World) -> None:
    gh = world.gh
    gh.inject(DropConnection(after_processing=True), method="POST", path=r"/check-runs$", times=1)
    client = github_client(gh, world.installation_id)
    with pytest.raises(RequestError):
        client.rest.checks.create(
            world.owner, world.name, name="flow-review", head_sha=gh.head_sha(world.repo, 1)
        )
    assert len(gh.check_runs(world.repo)) == 1  # it exists, though the client never heard so


def test_faults_hit_the_access_token_endpoint(world: World) -> None:
    gh = world.gh
    gh.inject(ServerError(503), method="POST", path=r"/access_tokens$", times=1)
    client = github_client(gh, world.installation_id)
    with pytest.raises(RequestError) as failure:
        client.rest.repos.get(world.owner, world.name)
    # githubkit fetches the token inside its auth flow and wraps the failure once more
    token_failure = failure.value.exc
    assert isinstance(token_failure, RequestFailed)
    assert token_failure.response.status_code == 503
    assert token_failure.request.url.path.endswith("/access_tokens")
    assert client.rest.repos.get(world.owner, world.name).status_code == 200
    assert [r.status for r in gh.writes("POST", r"/access_tokens$")] == [503, 201]


def test_probability_draws_from_the_seeded_generator(tmp_path: Path) -> None:
    with GitHubEmulator(tmp_path, seed=7) as gh:
        repo = gh.create_repo("acme", "shop", {"a": "a\n"})
        token = installation_token(gh, gh.install("acme", [repo]))
        rule = gh.inject(ServerError(500), method="GET", path=REPO_PATH, probability=0.3)
        with plain_client(gh, token) as raw:
            statuses = [raw.get("/repos/acme/shop").status_code for _ in range(40)]
    draws = random.Random(7)
    expected = [500 if draws.random() < 0.3 else 200 for _ in range(40)]
    assert statuses == expected
    assert rule.fired == expected.count(500) > 0


def test_rules_can_be_removed_and_cleared(world: World, http: httpx.Client) -> None:
    rule = world.gh.inject(ServerError(500), path=REPO_PATH)
    assert http.get("/repos/acme/shop").status_code == 500
    rule.remove()
    assert http.get("/repos/acme/shop").status_code == 200
    world.gh.inject(ServerError(500), path=REPO_PATH)
    world.gh.clear_faults()
    assert http.get("/repos/acme/shop").status_code == 200
