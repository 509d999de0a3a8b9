"""The emulator as a whole: its request log, concurrency, caching headers, its own failures."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import httpx
import pytest

from tests.github_emulator import EmulatorError, GitHubEmulator
from tests.github_emulator.conftest import World, installation_token, plain_client


def test_writes_are_recorded_in_order_with_their_bodies(world: World, http: httpx.Client) -> None:
    head = world.gh.head_sha(world.repo, world.number)
    http.get("/repos/acme/shop")
    first = http.post("/repos/acme/shop/check-runs", json={"name": "a", "head_sha": head})
    http.patch(f"/repos/acme/shop/check-runs/{first.json()['id']}", json={"conclusion": "success"})
    http.post("/repos/acme/shop/check-runs", json={"name": "b"})  # refused: no head_sha
    writes = world.gh.writes(path_regex=r"/check-runs")
    assert [(w.method, w.status) for w in writes] == [("POST", 201), ("PATCH", 200), ("POST", 422)]
    assert writes[0].body == {"name": "a", "head_sha": head}
    assert writes[0].installation_id == world.installation_id
    assert [w.seq for w in writes] == sorted(w.seq for w in writes)
    assert world.gh.writes("PATCH")[0].path == f"/repos/acme/shop/check-runs/{first.json()['id']}"
    assert all(r.method == "GET" for r in world.gh.requests("GET"))
    assert not [w for w in world.gh.writes() if w.method == "GET"]


def test_concurrent_requests_are_all_answered_and_recorded(world: World) -> None:
    gh = world.gh
    head = gh.head_sha(world.repo, world.number)
    token = installation_token(gh, world.installation_id)
    statuses: list[int] = []
    lock = threading.Lock()

    def create(worker: int) -> None:
        with plain_client(gh, token) as raw:
            for n in range(5):
                response = raw.post(
                    "/repos/acme/shop/check-runs", json={"name": f"w{worker}-{n}", "head_sha": head}
                )
                with lock:
                    statuses.append(response.status_code)

    threads = [threading.Thread(target=create, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [201] * 30
    runs = gh.check_runs(world.repo)
    assert len({r.id for r in runs}) == 30
    assert len(gh.writes("POST", r"/check-runs$")) == 30


def test_repositories_by_id_as_in_link_headers(world: World, http: httpx.Client) -> None:
    repo_id = http.get("/repos/acme/shop").json()["id"]
    by_id = http.get(f"/repositories/{repo_id}/pulls/1")
    assert by_id.status_code == 200
    assert by_id.json()["number"] == 1


def test_etags_give_304(http: httpx.Client) -> None:
    first = http.get("/repos/acme/shop/pulls/1")
    etag = first.headers["etag"]
    again = http.get("/repos/acme/shop/pulls/1", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert (
        http.get("/repos/acme/shop/pulls/1", headers={"If-None-Match": 'W/"x"'}).status_code == 200
    )


def test_wait_for_polls_until_true_or_gives_up(world: World) -> None:
    gh = world.gh
    timer = threading.Timer(0.2, gh.add_issue_comment, (world.repo, world.number, "hi", "bob"))
    timer.start()
    comments = gh.wait_for(lambda: gh.issue_comments(world.repo, world.number), timeout=30)
    assert comments[0].body == "hi"
    with pytest.raises(TimeoutError, match="no check run"):
        gh.wait_for(lambda: gh.check_runs(world.repo), timeout=0.2, message="no check run")


def test_a_crash_of_the_emulator_fails_the_test(tmp_path: Path) -> None:
    emulator = GitHubEmulator(tmp_path)
    with pytest.raises(EmulatorError, match="GET /repos/acme/shop/pulls/1"), emulator as gh:
        repo = gh.create_repo("acme", "shop", {"a": "a\n"})
        gh.push(repo, "feature", {"a": "b\n"})
        gh.open_pull_request(repo, head="feature")
        token = installation_token(gh, gh.install("acme", [repo]))
        # The base branch vanishes behind the emulator's back: a state it cannot answer for.
        store = next((gh.root / "git").iterdir())
        subprocess.run(
            ["git", f"--git-dir={store}", "update-ref", "-d", "refs/heads/main"], check=True
        )
        with plain_client(gh, token) as raw:
            response = raw.get("/repos/acme/shop/pulls/1")
        assert response.status_code == 500
        assert response.json()["message"].startswith("GitHub emulator error")
        assert len(gh.internal_errors) == 1


def test_the_url_is_only_there_while_running(tmp_path: Path) -> None:
    emulator = GitHubEmulator(tmp_path)
    with pytest.raises(EmulatorError):
        _ = emulator.url
    with emulator:
        assert emulator.url.startswith("http://127.0.0.1:")
        assert emulator.direct_url != emulator.url
