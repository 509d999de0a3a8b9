"""Fixtures for the emulator's own tests: a running emulator with one pull request, and clients.

`world` is a repository `acme/shop` with a pull request #1 from branch `feature`
that modifies, adds, deletes and renames files, and the app installed on it.
Clients are githubkit (the real client the app uses) and plain httpx with an
installation token, for answers githubkit would refuse to send or to parse.
"""

from __future__ import annotations

import functools
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt
import pytest
from githubkit import AppInstallationAuthStrategy, GitHub

from tests.github_emulator import GitHubEmulator

BASE_FILES = {
    "README.md": "# Shop\n",
    "src/app.py": "".join(f"line {n}\n" for n in range(1, 41)),
    "src/old_name.py": "".join(f"value_{n} = {n}\n" for n in range(1, 21)),
    "docs/remove_me.md": "obsolete\n",
}
# Changes line 3 and line 35 of src/app.py: two hunks, far apart.
HEAD_APP = "".join(f"line {n} changed\n" if n in (3, 35) else f"line {n}\n" for n in range(1, 41))
HEAD_FILES: dict[str, str | None] = {
    "src/app.py": HEAD_APP,
    "src/new_module.py": "def hello():\n    return 'hi'\n",
    "docs/remove_me.md": None,
    "src/old_name.py": None,
    "src/new_name.py": "".join(f"value_{n} = {n}\n" for n in range(1, 21)) + "extra = 1\n",
}


@dataclass(frozen=True)
class World:
    gh: GitHubEmulator
    repo: str
    owner: str
    name: str
    number: int
    installation_id: int


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[GitHubEmulator]:
    with GitHubEmulator(tmp_path) as emulator:
        yield emulator


@pytest.fixture
def world(gh: GitHubEmulator) -> World:
    repo = gh.create_repo("acme", "shop", BASE_FILES)
    gh.push(repo, "feature", HEAD_FILES, message="Change the shop", author="alice")
    number = gh.open_pull_request(repo, head="feature", title="Change the shop", author="alice")
    installation_id = gh.install("acme", [repo])
    return World(gh, repo, "acme", "shop", number, installation_id)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client: httpx would otherwise load the CA bundle again for
    each client (60 ms), though the emulator speaks plain HTTP."""
    return ssl.create_default_context()


def github_client(
    gh: GitHubEmulator,
    installation_id: int,
    *,
    auto_retry: bool = False,
    timeout: float = 30,
    http_cache: bool = True,
) -> GitHub[AppInstallationAuthStrategy]:
    """githubkit as the app configures it for GitHub Enterprise: base_url is the emulator.

    githubkit's HTTP cache (hishel, on by default) drops httpx's per-request timeout: a client
    that needs its timeout honoured must pass `http_cache=False`.
    """
    return GitHub(
        AppInstallationAuthStrategy(gh.app_id, gh.private_key_pem, installation_id),
        base_url=gh.url,
        auto_retry=auto_retry,
        timeout=timeout,
        http_cache=http_cache,
        ssl_verify=tls_context(),
    )


@pytest.fixture
def client(world: World) -> GitHub[AppInstallationAuthStrategy]:
    return github_client(world.gh, world.installation_id)


def app_jwt(gh: GitHubEmulator, *, lifetime: int = 540, issued_ago: int = 60) -> str:
    now = int(time.time())
    return jwt.encode(
        {"iat": now - issued_ago, "exp": now - issued_ago + lifetime, "iss": str(gh.app_id)},
        gh.private_key_pem,
        algorithm="RS256",
    )


def installation_token(gh: GitHubEmulator, installation_id: int) -> str:
    with plain_client(gh) as raw:
        response = raw.post(
            f"/app/installations/{installation_id}/access_tokens",
            headers={"Authorization": f"Bearer {app_jwt(gh)}"},
        )
    assert response.status_code == 201, response.text
    token = response.json()["token"]
    assert isinstance(token, str)
    return token


def plain_client(gh: GitHubEmulator, token: str | None = None) -> httpx.Client:
    """httpx on the emulator, with an installation token when given one."""
    headers = {"Accept": "application/vnd.github+json"}
    if token is not None:
        headers["Authorization"] = f"token {token}"
    return httpx.Client(base_url=gh.url, headers=headers, timeout=30, verify=tls_context())


@pytest.fixture
def http(world: World) -> Iterator[httpx.Client]:
    """httpx with an installation token, for raw requests to the emulator."""
    with plain_client(world.gh, installation_token(world.gh, world.installation_id)) as raw:
        yield raw


@pytest.fixture
def anonymous(world: World) -> Iterator[httpx.Client]:
    """httpx with no credentials: each request brings its own."""
    with plain_client(world.gh) as raw:
        yield raw
