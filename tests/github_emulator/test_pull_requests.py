"""A pull request, its unified diff (and the 406 for a too-large one), and its paginated files."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from githubkit import AppInstallationAuthStrategy, GitHub
from githubkit.exception import RequestFailed
from githubkit_schemas.latest.models import DiffEntry

from tests.github_emulator import GitHubEmulator, Limits, files_of
from tests.github_emulator.conftest import World, github_client, installation_token, plain_client

TOO_LARGE = (
    "Sorry, the diff exceeded the maximum number of files (300). Consider using "
    "'List pull requests files' API or locally cloning the repository instead."
)


def git_three_dot_diff(world: World) -> str:
    """`git diff main...feature`, from a clone made with the git command line."""
    gh = world.gh
    pull = gh.pull_request(world.repo, world.number)
    store = next((gh.root / "git").iterdir())
    return subprocess.run(
        ["git", f"--git-dir={store}", "diff", "--no-color", "-M", f"main...{pull.head_sha}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_pull_request_json(world: World, client: GitHub[AppInstallationAuthStrategy]) -> None:
    pull = client.rest.pulls.get(world.owner, world.name, world.number).parsed_data
    assert pull.number == world.number
    assert pull.head.ref == "feature"
    assert pull.head.sha == world.gh.head_sha(world.repo, world.number)
    assert pull.base.sha == world.gh.branch_sha(world.repo, "main")
    assert pull.base.repo.full_name == "acme/shop"
    assert pull.user is not None
    assert pull.user.login == "alice"
    # five paths, four files: git (and GitHub) see old_name.py -> new_name.py as a rename
    assert (pull.changed_files, pull.commits, pull.state) == (4, 1, "open")


@pytest.mark.parametrize(
    "accept", ["application/vnd.github.diff", "application/vnd.github.v3.diff"]
)
def test_the_diff_media_type_is_git_diff_base_dot_dot_dot_head(
    world: World, http: httpx.Client, accept: str
) -> None:
    response = http.get("/repos/acme/shop/pulls/1", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-github-media-type"] == "github.v3; param=diff; format=diff"
    assert response.text == git_three_dot_diff(world)


def test_githubkit_gets_the_diff_with_an_accept_header(
    world: World, client: GitHub[AppInstallationAuthStrategy]
) -> None:
    response = client.rest.pulls.get(
        world.owner, world.name, world.number, headers={"Accept": "application/vnd.github.diff"}
    )
    assert response.text == git_three_dot_diff(world)


def test_base_moving_on_does_not_change_the_diff(world: World, http: httpx.Client) -> None:
    before = http.get("/repos/acme/shop/pulls/1", headers={"Accept": "application/vnd.github.diff"})
    world.gh.push(world.repo, "main", {"unrelated.txt": "on main\n"})
    after = http.get("/repos/acme/shop/pulls/1", headers={"Accept": "application/vnd.github.diff"})
    assert after.text == before.text
    assert http.get("/repos/acme/shop/pulls/1").json()["base"]["sha"] == world.gh.branch_sha(
        world.repo, "main"
    )


def test_too_many_files_is_406_and_the_files_api_still_works(tmp_path: Path) -> None:
    with GitHubEmulator(tmp_path, limits=Limits(diff_max_files=3)) as gh:
        repo = gh.create_repo("acme", "big", {"README.md": "x\n"})
        gh.push(repo, "wide", {f"file{n}.txt": f"{n}\n" for n in range(4)})
        number = gh.open_pull_request(repo, head="wide")
        installation = gh.install("acme", [repo])
        client = github_client(gh, installation)
        with pytest.raises(RequestFailed) as failure:
            client.rest.pulls.get(
                "acme", "big", number, headers={"Accept": "application/vnd.github.v3.diff"}
            )
        response = failure.value.response
        assert response.status_code == 406
        body = response.json()
        assert body["message"] == TOO_LARGE.replace("(300)", "(3)")
        assert body["errors"] == [{"resource": "PullRequest", "field": "diff", "code": "too_large"}]
        assert body["status"] == "406"
        # the JSON pull request is unaffected
        assert client.rest.pulls.get("acme", "big", number).parsed_data.changed_files == 4
        files: list[Any] = list(
            client.rest.paginate(
                client.rest.pulls.list_files, owner="acme", repo="big", pull_number=number
            )
        )
        assert len(files) == 4


def test_too_many_lines_is_406(tmp_path: Path) -> None:
    with GitHubEmulator(tmp_path, limits=Limits(diff_max_lines=10)) as gh:
        repo = gh.create_repo("acme", "long", {"README.md": "x\n"})
        gh.push(repo, "long", {"long.txt": "".join(f"{n}\n" for n in range(20))})
        number = gh.open_pull_request(repo, head="long")
        token = installation_token(gh, gh.install("acme", [repo]))
        with plain_client(gh, token) as raw:
            response = raw.get(
                f"/repos/{repo}/pulls/{number}", headers={"Accept": "application/vnd.github.diff"}
            )
        assert response.status_code == 406
        assert response.json()["message"].startswith(
            "Sorry, the diff exceeded the maximum number of lines (10)."
        )


def test_files_have_githubs_statuses_and_patches(
    world: World, client: GitHub[AppInstallationAuthStrategy]
) -> None:
    files: list[DiffEntry] = client.rest.pulls.list_files(
        world.owner, world.name, world.number
    ).parsed_data
    by_name = {f.filename: f for f in files}
    assert {name: f.status for name, f in by_name.items()} == {
        "docs/remove_me.md": "removed",
        "src/app.py": "modified",
        "src/new_module.py": "added",
        "src/new_name.py": "renamed",
    }
    renamed = by_name["src/new_name.py"]
    assert renamed.previous_filename == "src/old_name.py"
    assert (renamed.additions, renamed.deletions, renamed.changes) == (1, 0, 1)
    app = by_name["src/app.py"]
    assert (app.additions, app.deletions, app.changes) == (2, 2, 4)
    assert isinstance(app.patch, str)
    assert app.patch.startswith("@@ -1,6 +1,6 @@")
    assert app.patch.count("@@ -") == 2
    assert app.contents_url.startswith(f"{world.gh.url}/repos/acme/shop/contents/src/app.py?ref=")
    assert (
        app.sha
        == client.rest.repos.get_content(
            world.owner, world.name, "src/app.py", ref="feature"
        ).parsed_data.sha  # type: ignore[union-attr]  # a file, not a directory listing
    )


def test_files_pagination_and_githubs_link_header(tmp_path: Path) -> None:
    with GitHubEmulator(tmp_path) as gh:
        repo = gh.create_repo("acme", "many", {"README.md": "x\n"})
        gh.push(repo, "many", {f"f{n:03}.txt": f"{n}\n" for n in range(65)})
        number = gh.open_pull_request(repo, head="many")
        installation = gh.install("acme", [repo])
        raw = plain_client(gh, installation_token(gh, installation))
        repo_id = raw.get(f"/repos/{repo}").json()["id"]
        files_url = f"/repos/{repo}/pulls/{number}/files"
        base = f"{gh.url}/repositories/{repo_id}/pulls/{number}/files"

        first = raw.get(files_url)
        assert len(first.json()) == 30
        assert first.headers["link"] == (
            f'<{base}?page=2>; rel="next", <{base}?page=3>; rel="last"'
        )
        middle = raw.get(files_url, params={"per_page": 20, "page": 2})
        assert [f["filename"] for f in middle.json()] == [f"f{n:03}.txt" for n in range(20, 40)]
        assert middle.headers["link"] == (
            f'<{base}?per_page=20&page=1>; rel="prev", '
            f'<{base}?per_page=20&page=3>; rel="next", '
            f'<{base}?per_page=20&page=4>; rel="last", '
            f'<{base}?per_page=20&page=1>; rel="first"'
        )
        last_url = re.findall(r'<([^>]+)>; rel="last"', middle.headers["link"])[0]
        last = raw.get(last_url)
        assert [f["filename"] for f in last.json()] == [f"f{n:03}.txt" for n in range(60, 65)]
        assert "next" not in last.headers["link"]
        capped = raw.get(files_url, params={"per_page": 500})
        assert len(capped.json()) == 65
        assert "link" not in capped.headers
        raw.close()

        client = github_client(gh, installation)
        paged: list[Any] = list(
            client.rest.paginate(
                client.rest.pulls.list_files,
                owner="acme",
                repo="many",
                pull_number=number,
                per_page=7,
            )
        )
        assert [f.filename for f in paged] == [f"f{n:03}.txt" for n in range(65)]
        pages = gh.requests("GET", r"/pulls/\d+/files$")
        assert len([p for p in pages if "per_page=7" in p.query]) == 10


def test_unknown_pull_request_is_404(http: httpx.Client) -> None:
    response = http.get("/repos/acme/shop/pulls/99")
    assert response.status_code == 404
    assert response.json()["message"] == "Not Found"


def test_list_pull_requests(http: httpx.Client) -> None:
    pulls = http.get("/repos/acme/shop/pulls").json()
    assert [p["number"] for p in pulls] == [1]
    assert http.get("/repos/acme/shop/pulls", params={"head": "acme:feature"}).json()
    assert http.get("/repos/acme/shop/pulls", params={"head": "acme:other"}).json() == []


def test_the_bundled_example_as_a_pull_request(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "marketplace"
    base, head = files_of(example / "base"), files_of(example / "head")
    with GitHubEmulator(tmp_path) as gh:
        repo = gh.create_repo("acme", "marketplace", base)
        gh.push(repo, "risky", head, exact=True)
        number = gh.open_pull_request(repo, head="risky")
        assert {p: gh.file(repo, p, "risky") for p in head} == {
            p: data.decode() for p, data in head.items()
        }
        client = github_client(gh, gh.install("acme", [repo]))
        files: list[Any] = list(
            client.rest.paginate(
                client.rest.pulls.list_files, owner="acme", repo="marketplace", pull_number=number
            )
        )
    changed = {p for p in base.keys() | head.keys() if base.get(p) != head.get(p)}
    listed = {f.filename for f in files} | {
        f.previous_filename for f in files if f.previous_filename
    }
    assert listed == changed
