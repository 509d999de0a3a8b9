"""Trees, blobs, commits and contents, read from (and written to) the real git repository."""

from __future__ import annotations

import base64
import hashlib
import json

import httpx
import pytest
from githubkit import AppInstallationAuthStrategy, GitHub
from githubkit.exception import RequestFailed

from tests.github_emulator.conftest import BASE_FILES, HEAD_APP, HEAD_FILES, World, github_client


def blob_sha(text: str) -> str:
    """git's object id of a blob, computed independently of git."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def head_tree_files() -> dict[str, str]:
    files = {**BASE_FILES, **{k: v for k, v in HEAD_FILES.items() if v is not None}}
    return {k: v for k, v in files.items() if HEAD_FILES.get(k, "") is not None}


def test_recursive_tree_of_a_branch_is_the_git_tree(
    world: World, client: GitHub[AppInstallationAuthStrategy]
) -> None:
    tree = client.rest.git.get_tree(world.owner, world.name, "feature", recursive="1").parsed_data
    blobs = {entry.path: entry for entry in tree.tree if entry.type == "blob"}
    expected = head_tree_files()
    assert set(blobs) == set(expected)
    for path, text in expected.items():
        assert blobs[path].sha == blob_sha(text)
        assert blobs[path].size == len(text.encode())
        assert blobs[path].mode == "100644"
    assert [e.path for e in tree.tree if e.type == "tree"] == ["src"]
    assert tree.truncated is False
    commit = client.rest.repos.get_commit(world.owner, world.name, "feature").parsed_data
    assert commit.commit.tree.sha == tree.sha


def test_a_tree_without_recursive_lists_one_level(http: httpx.Client) -> None:
    body = http.get("/repos/acme/shop/git/trees/main").json()
    assert sorted(e["path"] for e in body["tree"]) == ["README.md", "docs", "src"]
    assert http.get("/repos/acme/shop/git/trees/no-such-branch").status_code == 404


def test_blob_is_base64_of_the_file(
    world: World, client: GitHub[AppInstallationAuthStrategy]
) -> None:
    sha = blob_sha(HEAD_APP)
    blob = client.rest.git.get_blob(world.owner, world.name, sha).parsed_data
    assert blob.encoding == "base64"
    assert base64.b64decode(blob.content).decode() == HEAD_APP
    assert all(len(line) <= 60 for line in blob.content.splitlines())
    assert blob.size == len(HEAD_APP)


def test_unknown_and_malformed_blob_shas(http: httpx.Client) -> None:
    assert http.get(f"/repos/acme/shop/git/blobs/{'a' * 40}").status_code == 404
    malformed = http.get("/repos/acme/shop/git/blobs/xyz")
    assert malformed.status_code == 422
    assert "exactly 40 characters" in malformed.json()["message"]


def test_commit_of_a_branch(world: World, client: GitHub[AppInstallationAuthStrategy]) -> None:
    commit = client.rest.repos.get_commit(world.owner, world.name, "feature").parsed_data
    assert commit.sha == world.gh.branch_sha(world.repo, "feature")
    assert commit.parents[0].sha == world.gh.branch_sha(world.repo, "main")
    assert commit.commit.message == "Change the shop"
    assert commit.commit.author is not None
    assert commit.commit.author.name == "alice"
    assert isinstance(commit.files, list)
    statuses = {entry.filename: entry.status for entry in commit.files}
    assert statuses["src/new_module.py"] == "added"
    assert statuses["docs/remove_me.md"] == "removed"


def test_commit_media_types_and_unknown_refs(http: httpx.Client, world: World) -> None:
    sha = http.get(
        "/repos/acme/shop/commits/feature", headers={"Accept": "application/vnd.github.sha"}
    )
    assert sha.text == world.gh.branch_sha(world.repo, "feature")
    diff = http.get(
        "/repos/acme/shop/commits/feature", headers={"Accept": "application/vnd.github.diff"}
    )
    assert diff.text.startswith("diff --git ")
    unknown = http.get("/repos/acme/shop/commits/nope")
    assert unknown.status_code == 422
    assert unknown.json()["message"] == "No commit found for SHA: nope"


def test_contents_of_a_file_at_a_ref(
    world: World, client: GitHub[AppInstallationAuthStrategy]
) -> None:
    at_head = client.rest.repos.get_content(world.owner, world.name, "src/app.py", ref="feature")
    at_base = client.rest.repos.get_content(world.owner, world.name, "src/app.py")
    for response, text in ((at_head, HEAD_APP), (at_base, BASE_FILES["src/app.py"])):
        body = json.loads(response.text)
        assert body["type"] == "file"
        assert body["encoding"] == "base64"
        assert base64.b64decode(body["content"]).decode() == text
        assert body["sha"] == blob_sha(text)


def test_contents_of_a_directory_and_missing_paths(http: httpx.Client) -> None:
    listing = http.get("/repos/acme/shop/contents/src", params={"ref": "feature"}).json()
    assert sorted((e["path"], e["type"]) for e in listing) == [
        ("src/app.py", "file"),
        ("src/new_module.py", "file"),
        ("src/new_name.py", "file"),
    ]
    root = http.get("/repos/acme/shop/contents").json()
    assert {e["name"] for e in root} == {"README.md", "docs", "src"}
    missing = http.get("/repos/acme/shop/contents/src/old_name.py", params={"ref": "feature"})
    assert missing.status_code == 404
    assert missing.json()["message"] == "Not Found"
    bad_ref = http.get("/repos/acme/shop/contents/README.md", params={"ref": "nope"})
    assert bad_ref.status_code == 404
    assert bad_ref.json()["message"] == "No commit found for the ref nope"


def test_raw_contents(http: httpx.Client) -> None:
    raw = http.get(
        "/repos/acme/shop/contents/README.md", headers={"Accept": "application/vnd.github.raw"}
    )
    assert raw.text == BASE_FILES["README.md"]


def test_put_creates_a_real_commit_that_moves_the_pull_request_head(
    world: World, client: GitHub[AppInstallationAuthStrategy]
) -> None:
    gh = world.gh
    before = gh.head_sha(world.repo, world.number)
    created = client.rest.repos.create_or_update_file_contents(
        world.owner,
        world.name,
        ".tasks/in-review/flow-review-pr-1.md",
        message="Flow Review checklist",
        content=base64.b64encode(b"- [ ] check timeouts\n").decode(),
        branch="feature",
    )
    assert created.status_code == 201
    new_sha = created.parsed_data.commit.sha
    assert new_sha == gh.head_sha(world.repo, world.number) != before
    assert gh.commits(world.repo, "feature")[0].parents == (before,)
    assert gh.commits(world.repo, "feature")[0].author.name == gh.bot_login
    assert gh.file(world.repo, ".tasks/in-review/flow-review-pr-1.md", "feature") == (
        "- [ ] check timeouts\n"
    )
    assert gh.file(world.repo, ".tasks/in-review/flow-review-pr-1.md") is None  # main untouched
    [event] = [e for e in gh.emitted("pull_request") if e.action == "synchronize"]
    assert event.extra == {"before": before, "after": new_sha}
    content = created.parsed_data.content
    assert content is not None
    file_sha = content.sha
    updated = client.rest.repos.create_or_update_file_contents(
        world.owner,
        world.name,
        ".tasks/in-review/flow-review-pr-1.md",
        message="Flow Review checklist again",
        content=base64.b64encode(b"- [x] check timeouts\n").decode(),
        branch="feature",
        sha=file_sha,
    )
    assert updated.status_code == 200
    assert gh.head_sha(world.repo, world.number) == updated.parsed_data.commit.sha


def test_put_checks_the_blob_sha_like_github(http: httpx.Client) -> None:
    content = base64.b64encode(b"new\n").decode()
    missing_sha = http.put(
        "/repos/acme/shop/contents/README.md", json={"message": "m", "content": content}
    )
    assert missing_sha.status_code == 422
    assert missing_sha.json()["message"] == 'Invalid request.\n\n"sha" wasn\'t supplied.'
    stale = http.put(
        "/repos/acme/shop/contents/README.md",
        json={"message": "m", "content": content, "sha": "0" * 40},
    )
    assert stale.status_code == 409
    assert stale.json()["message"] == f"README.md does not match {'0' * 40}"
    no_message = http.put("/repos/acme/shop/contents/x.md", json={"content": content})
    assert no_message.status_code == 422
    assert no_message.json()["message"] == 'Invalid request.\n\n"message" wasn\'t supplied.'
    no_branch = http.put(
        "/repos/acme/shop/contents/x.md",
        json={"message": "m", "content": content, "branch": "gone"},
    )
    assert no_branch.status_code == 404
    assert no_branch.json()["message"] == "Branch gone not found"


def test_a_pull_request_from_a_fork_cannot_be_written_to(world: World) -> None:
    gh = world.gh
    gh.push(world.repo, "contribution", {"src/app.py": "forked\n"}, author="mallory")
    number = gh.open_pull_request(world.repo, head="contribution", author="mallory", from_fork=True)
    pull = gh.pull_request(world.repo, number)
    assert pull.head_repo == "mallory/shop"
    assert gh.branch_sha(world.repo, "contribution") is None  # the branch moved to the fork
    client = github_client(gh, world.installation_id)
    payload = client.rest.pulls.get(world.owner, world.name, number).parsed_data
    assert payload.head.repo is not None
    assert payload.head.repo.full_name == "mallory/shop"
    assert payload.head.sha == pull.head_sha
    # the fork is public but not the installation's: 403; the base repository has no such
    # branch: 404
    for owner, branch, status in (("mallory", "contribution", 403), ("acme", "contribution", 404)):
        with pytest.raises(RequestFailed) as failure:
            client.rest.repos.create_or_update_file_contents(
                owner,
                "shop",
                "checklist.md",
                message="m",
                content=base64.b64encode(b"x").decode(),
                branch=branch,
            )
        assert failure.value.response.status_code == status
    # the fork's pushes still move the pull request's head
    new_head = gh.push("mallory/shop", "contribution", {"src/app.py": "forked again\n"})
    assert gh.head_sha(world.repo, number) == new_head
