"""`GET /repos/{o}/{r}/compare/BASE...HEAD` on a diverged history, from real git.

`feature` leaves `main` at the branch point and gets two commits; `main` then gets one
of its own. The comparison's numbers, merge base, commits and files are checked against
what the test made, and its diff against `git diff main...feature` run by the test.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.github_emulator import GitHubEmulator
from tests.github_emulator.conftest import github_client, installation_token, plain_client

COMPARE = "/repos/acme/shop/compare"
PEOPLE = ("AUTHOR", "COMMITTER")
FIELDS = ("NAME", "EMAIL")


@dataclass(frozen=True)
class Diverged:
    gh: GitHubEmulator
    repo: str
    installation_id: int
    branch_point: str
    branch_point_tree: str
    feature: tuple[str, str]  # the branch's two commits, oldest first
    main: str  # the commit main got after the branch point


@pytest.fixture
def diverged(gh: GitHubEmulator) -> Diverged:
    repo = gh.create_repo("acme", "shop", {"README.md": "# Shop\n", "app.py": "print(1)\n"})
    [branch_point] = gh.commits(repo)
    first = gh.push(repo, "feature", {"a.py": "a = 1\n"}, author="alice")
    second = gh.push(repo, "feature", {"app.py": "print(2)\n"}, author="alice")
    on_main = gh.push(repo, "main", {"m.py": "m = 1\n"})
    return Diverged(
        gh,
        repo,
        gh.install("acme", [repo]),
        branch_point.sha,
        branch_point.tree,
        (first, second),
        on_main,
    )


@pytest.fixture
def http(diverged: Diverged) -> Iterator[httpx.Client]:
    token = installation_token(diverged.gh, diverged.installation_id)
    with plain_client(diverged.gh, token) as client:
        yield client


def compare(http: httpx.Client, basehead: str, **params: Any) -> dict[str, Any]:
    response = http.get(f"{COMPARE}/{basehead}", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, dict)
    return body


def shas(commits: list[dict[str, Any]]) -> list[str]:
    return [commit["sha"] for commit in commits]


def test_a_diverged_comparison_counts_both_ways_from_the_merge_base(
    diverged: Diverged, http: httpx.Client
) -> None:
    body = compare(http, "main...feature")

    assert (body["status"], body["ahead_by"], body["behind_by"], body["total_commits"]) == (
        "diverged",
        2,
        1,
        2,
    )
    assert body["base_commit"]["sha"] == diverged.main
    assert body["merge_base_commit"]["sha"] == diverged.branch_point
    assert body["merge_base_commit"]["commit"]["tree"]["sha"] == diverged.branch_point_tree
    assert shas(body["commits"]) == list(diverged.feature)
    # the branch's own changes, from the merge base: not main's m.py
    assert [(f["filename"], f["status"]) for f in body["files"]] == [
        ("a.py", "added"),
        ("app.py", "modified"),
    ]

    reverse = compare(http, "feature...main")
    assert (reverse["status"], reverse["ahead_by"], reverse["behind_by"]) == ("diverged", 1, 2)
    assert reverse["merge_base_commit"]["sha"] == diverged.branch_point
    assert shas(reverse["commits"]) == [diverged.main]
    assert [f["filename"] for f in reverse["files"]] == ["m.py"]


def test_ahead_behind_and_identical(diverged: Diverged, http: httpx.Client) -> None:
    ahead = compare(http, f"{diverged.branch_point}...feature")
    behind = compare(http, f"feature...{diverged.branch_point}")
    identical = compare(http, f"main...{diverged.main}")

    assert (ahead["status"], ahead["ahead_by"], ahead["behind_by"]) == ("ahead", 2, 0)
    assert ahead["merge_base_commit"]["sha"] == diverged.branch_point
    assert (behind["status"], behind["ahead_by"], behind["behind_by"]) == ("behind", 0, 2)
    assert (behind["commits"], behind["files"]) == ([], [])
    assert (identical["status"], identical["total_commits"]) == ("identical", 0)
    assert identical["merge_base_commit"]["sha"] == diverged.main


def test_shas_refs_and_the_repository_id_form_give_the_same_comparison(
    diverged: Diverged, http: httpx.Client
) -> None:
    by_refs = compare(http, "main...feature")
    by_shas = compare(http, f"{diverged.main}...{diverged.feature[1]}")
    repo_id = http.get("/repos/acme/shop").json()["id"]
    by_id = http.get(f"/repositories/{repo_id}/compare/main...feature")

    assert by_id.status_code == 200
    for other in (by_shas, by_id.json()):
        assert other["merge_base_commit"]["sha"] == by_refs["merge_base_commit"]["sha"]
        assert (other["ahead_by"], other["behind_by"]) == (2, 1)


def test_the_diff_media_type_is_the_three_dot_diff(diverged: Diverged, http: httpx.Client) -> None:
    response = http.get(
        f"{COMPARE}/main...feature", headers={"Accept": "application/vnd.github.diff"}
    )
    store = next((diverged.gh.root / "git").iterdir())
    expected = subprocess.run(
        ["git", f"--git-dir={store}", "diff", "--no-color", "-M", "main...feature"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert response.status_code == 200
    assert response.headers["x-github-media-type"] == "github.v3; param=diff; format=diff"
    assert response.text == expected
    assert "m.py" not in response.text


def test_commits_are_paginated_and_the_files_come_with_the_first_page(
    diverged: Diverged, http: httpx.Client
) -> None:
    first = http.get(f"{COMPARE}/main...feature", params={"per_page": 1})
    second = http.get(f"{COMPARE}/main...feature", params={"per_page": 1, "page": 2})

    assert shas(first.json()["commits"]) == [diverged.feature[0]]
    assert 'rel="next"' in first.headers["link"]
    assert len(first.json()["files"]) == 2
    assert shas(second.json()["commits"]) == [diverged.feature[1]]
    assert "files" not in second.json()
    assert second.json()["merge_base_commit"]["sha"] == diverged.branch_point


def test_a_forks_branch_is_named_owner_colon_ref(gh: GitHubEmulator) -> None:
    repo = gh.create_repo("acme", "shop", {"README.md": "# Shop\n"})
    [branch_point] = gh.commits(repo)
    gh.push(repo, "feature", {"a.py": "a = 1\n"}, author="alice")
    gh.open_pull_request(repo, head="feature", author="alice", from_fork=True)
    gh.push(repo, "main", {"m.py": "m = 1\n"})
    installation = gh.install("acme", [repo])

    with plain_client(gh, installation_token(gh, installation)) as http:
        body = compare(http, "main...alice:feature")
        unknown = http.get(f"{COMPARE}/main...nobody:feature")

    assert (body["status"], body["ahead_by"], body["behind_by"]) == ("diverged", 1, 1)
    assert body["merge_base_commit"]["sha"] == branch_point.sha
    assert unknown.status_code == 404


def test_what_names_no_commit_or_no_common_history_is_404(
    diverged: Diverged, http: httpx.Client
) -> None:
    store = next((diverged.gh.root / "git").iterdir())
    empty_tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    orphan = subprocess.run(
        ["git", f"--git-dir={store}", "commit-tree", empty_tree, "-m", "unrelated"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **{f"GIT_{who}_{what}": "a" for who in PEOPLE for what in FIELDS}},
    ).stdout.strip()

    unrelated = http.get(f"{COMPARE}/main...{orphan}")
    assert unrelated.status_code == 404
    assert unrelated.json()["message"] == f"No common ancestor between main and {orphan}."
    for basehead in ("main...nope", "main..feature", "main...", "main"):
        response = http.get(f"{COMPARE}/{basehead}")
        assert (response.status_code, response.json()["message"]) == (404, "Not Found")


def test_githubkit_reads_the_merge_base(diverged: Diverged) -> None:
    client = github_client(diverged.gh, diverged.installation_id, http_cache=False)

    comparison = client.rest.repos.compare_commits(
        "acme", "shop", f"{diverged.main}...{diverged.feature[1]}", per_page=1
    ).parsed_data

    assert comparison.status == "diverged"
    assert comparison.merge_base_commit.sha == diverged.branch_point
    assert [c.sha for c in comparison.commits] == [diverged.feature[0]]
