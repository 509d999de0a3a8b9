"""Repository contents, all read from (or written to) the real git repository.

`GET /repos/{o}/{r}`, commits, the comparison of two commits, git trees and blobs,
and the contents API, whose `PUT` makes a real commit on the branch (moving the
head of any pull request from that branch) after checking the file's blob sha the
way GitHub does: missing for an existing file 422, stale 409.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from tests.github_emulator.calls import Answer, Call, json_answer, text_answer
from tests.github_emulator.errors import ApiError, invalid_request, not_found, not_supplied
from tests.github_emulator.faults import wants_diff
from tests.github_emulator.git import GitRepository, Signature, TreeEntry, parents_or_empty
from tests.github_emulator.representations import (
    base64_lines,
    commit_json,
    content_entry_json,
    content_links,
    diff_entry_json,
    git_person,
    repository_json,
    verification_json,
)

SHA_PATTERN = re.compile(r"^[0-9a-fA-F]{40}$")
MAX_CONTENT_BYTES = 1024 * 1024  # over 1 MB the contents API gives no content
COMMIT_FILES_MAX = 300
COMPARE_COMMITS_UNPAGED = 250  # without `per_page` or `page`: the newest 250, oldest first


def get_repository(call: Call) -> Answer:
    return json_answer(repository_json(call.state, call.urls, call.repo, full=True))


def _commit_or_422(call: Call, ref: str) -> str:
    sha = call.state.git(call.repo).resolve_commit(ref)
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {ref}")
    return sha


def get_commit(call: Call) -> Answer:
    git = call.state.git(call.repo)
    sha = _commit_or_422(call, call.params["ref"])
    info = git.commit_info(sha)
    base = parents_or_empty(info)
    accept = call.accept.lower()
    if "vnd.github.sha" in accept:
        return text_answer(sha, "text/plain; charset=utf-8", "github.v3; param=sha; format=sha")
    if wants_diff(accept):
        return text_answer(
            git.diff_text(base, sha),
            "text/plain; charset=utf-8",
            "github.v3; param=diff; format=diff",
        )
    diff = git.diff(base, sha)
    files = [diff_entry_json(call.urls, call.repo, sha, entry) for entry in diff.files]
    stats = (
        sum(entry.additions for entry in diff.files),
        sum(entry.deletions for entry in diff.files),
    )
    return json_answer(
        commit_json(call.state, call.urls, call.repo, info, files[:COMMIT_FILES_MAX], stats)
    )


def _compare_side(call: Call, side: str) -> tuple[GitRepository, str]:
    """One side of `BASE...HEAD`: a ref or sha of this repository, or `owner:ref` of a
    repository of its fork network; 404 when it names nothing."""
    repository = call.repo
    if ":" in side:
        owner, _, side = side.partition(":")
        network = [
            r
            for r in call.state.repositories.values()
            if r.store == repository.store and r.owner.lower() == owner.lower()
        ]
        if not network:
            raise not_found()
        repository = network[0]
    git = call.state.git(repository)
    sha = git.resolve_commit(side)
    if sha is None:
        raise not_found()
    return git, sha


def _compare_status(ahead_by: int, behind_by: int) -> str:
    if ahead_by and behind_by:
        return "diverged"
    if ahead_by:
        return "ahead"
    return "behind" if behind_by else "identical"


def compare_commits(call: Call) -> Answer:
    """`GET compare/BASE...HEAD`: what HEAD has that BASE lacks, from their merge base, as
    `git log BASE..HEAD` (oldest first) and `git diff BASE...HEAD`."""
    basehead = call.params["basehead"]
    base_text, dots, head_text = basehead.partition("...")
    if not dots or not base_text or not head_text:
        raise not_found()
    git, base = _compare_side(call, base_text)
    _, head = _compare_side(call, head_text)
    merge_base = git.merge_base(base, head)
    if merge_base is None:
        raise ApiError(404, f"No common ancestor between {base_text} and {head_text}.")
    accept = call.accept.lower()
    if wants_diff(accept):
        kind = "patch" if ".patch" in accept else "diff"
        return text_answer(
            git.diff_text(merge_base, head),
            "text/plain; charset=utf-8",
            f"github.v3; param={kind}; format={kind}",
        )
    ahead = git.commits_between(base, head)
    behind_by = git.count_commits(head, base)
    paged = call.arg("per_page") is not None or call.arg("page") is not None
    headers: dict[str, str] = {}
    if paged:
        listed, headers = call.page(ahead)
    else:
        listed = list(ahead[-COMPARE_COMMITS_UNPAGED:])
    api = f"{call.urls.api}/repos/{call.repo.full_name}"
    html = f"{call.urls.web}/{call.repo.full_name}"
    owner = call.repo.owner

    def commit(sha: str) -> dict[str, Any]:
        return commit_json(call.state, call.urls, call.repo, git.commit_info(sha), None, None)

    body: dict[str, Any] = {
        "url": f"{api}/compare/{basehead}",
        "html_url": f"{html}/compare/{basehead}",
        "permalink_url": f"{html}/compare/{owner}:{base}...{owner}:{head}",
        "diff_url": f"{html}/compare/{basehead}.diff",
        "patch_url": f"{html}/compare/{basehead}.patch",
        "base_commit": commit(base),
        "merge_base_commit": commit(merge_base),
        "status": _compare_status(len(ahead), behind_by),
        "ahead_by": len(ahead),
        "behind_by": behind_by,
        "total_commits": len(ahead),
        "commits": [commit(sha) for sha in listed],
    }
    page = call.arg("page")
    if page is None or not page.isdigit() or int(page) <= 1:  # files: on the first page only
        diff = git.diff(merge_base, head)
        body["files"] = [
            diff_entry_json(call.urls, call.repo, head, entry)
            for entry in diff.files[:COMMIT_FILES_MAX]
        ]
    return json_answer(body, headers=headers)


def _tree_entry_json(call: Call, entry: TreeEntry) -> dict[str, Any]:
    api = f"{call.urls.api}/repos/{call.repo.full_name}"
    item: dict[str, Any] = {
        "path": entry.path,
        "mode": entry.mode,
        "type": entry.type,
        "sha": entry.sha,
    }
    if entry.type == "blob":
        item["size"] = entry.size
        item["url"] = f"{api}/git/blobs/{entry.sha}"
    elif entry.type == "tree":
        item["url"] = f"{api}/git/trees/{entry.sha}"
    return item


def get_tree(call: Call) -> Answer:
    git = call.state.git(call.repo)
    tree = git.resolve_tree(call.params["tree_sha"])
    if tree is None:
        raise not_found()
    recursive = call.arg("recursive") is not None
    entries = git.tree_entries(tree, recursive=recursive)
    limit = call.limits.tree_entries_max
    truncated = len(entries) > limit
    return json_answer(
        {
            "sha": tree,
            "url": f"{call.urls.api}/repos/{call.repo.full_name}/git/trees/{tree}",
            "tree": [_tree_entry_json(call, e) for e in entries[:limit]],
            "truncated": truncated,
        }
    )


def get_blob(call: Call) -> Answer:
    sha = call.params["file_sha"]
    if not SHA_PATTERN.match(sha):
        raise ApiError(
            422, "The sha parameter must be exactly 40 characters and contain only [0-9a-f]."
        )
    data = call.state.git(call.repo).read_blob(sha.lower())
    if data is None:
        raise not_found()
    if "vnd.github.raw" in call.accept.lower():
        return text_answer(data, "application/octet-stream", "github.v3; param=raw")
    return json_answer(
        {
            "sha": sha.lower(),
            "node_id": f"B_{sha[:20]}",
            "size": len(data),
            "url": f"{call.urls.api}/repos/{call.repo.full_name}/git/blobs/{sha.lower()}",
            "content": base64_lines(data),
            "encoding": "base64",
        }
    )


def _ref_for_read(call: Call) -> tuple[str, str]:
    """(the ref as given or the default branch, its commit sha); 404 when it names nothing."""
    ref = call.arg("ref") or call.repo.default_branch
    sha = call.state.git(call.repo).resolve_commit(ref)
    if sha is None:
        raise ApiError(404, f"No commit found for the ref {ref}")
    return ref, sha


def _kind(entry: TreeEntry) -> str:
    if entry.type == "tree":
        return "dir"
    if entry.type == "commit":
        return "submodule"
    return "symlink" if entry.mode == "120000" else "file"


def get_contents(call: Call) -> Answer:
    git = call.state.git(call.repo)
    path = call.params.get("path", "").strip("/")
    ref, sha = _ref_for_read(call)
    entry = git.entry_at(sha, path)
    if entry is None:
        raise not_found()
    accept = call.accept.lower()
    if entry.type == "tree":
        children = [
            content_entry_json(
                call.urls, call.repo, child.path, ref, child.sha, _kind(child), child.size or 0
            )
            for child in sorted(git.tree_entries(entry.sha, recursive=False), key=lambda c: c.path)
        ]
        for child in children:
            child["path"] = f"{path}/{child['path']}" if path else child["path"]
        if "vnd.github.object" in accept:
            body = content_entry_json(call.urls, call.repo, path, ref, entry.sha, "dir", 0)
            body["entries"] = children
            return json_answer(body)
        return json_answer(children)
    data = git.read_blob(entry.sha) if entry.type == "blob" else b""
    data = data or b""
    if "vnd.github.raw" in accept and entry.type == "blob":
        return text_answer(data, "text/plain; charset=utf-8", "github.v3; param=raw")
    kind = _kind(entry)
    body = content_entry_json(call.urls, call.repo, path, ref, entry.sha, kind, len(data))
    if kind == "symlink":
        body["target"] = data.decode("utf-8", "replace")
    elif kind == "submodule":
        body["submodule_git_url"] = f"https://github.com/{call.repo.full_name}-submodule.git"
    else:
        too_big = len(data) > MAX_CONTENT_BYTES
        body["content"] = "" if too_big else base64_lines(data)
        body["encoding"] = "none" if too_big else "base64"
    return json_answer(body)


def _person(value: Any, field: str) -> tuple[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid_request(f"For 'properties/{field}', {value!r} is not an object.")
    name, email = value.get("name"), value.get("email")
    if not isinstance(name, str) or not isinstance(email, str):
        missing = [f for f in ("name", "email") if not isinstance(value.get(f), str)]
        raise not_supplied(*missing)
    return name, email


def put_contents(call: Call) -> Answer:
    state = call.state
    git = state.git(call.repo)
    path = call.params.get("path", "").strip("/")
    body = call.json_object()
    missing = [f for f in ("message", "content") if not isinstance(body.get(f), str)]
    if missing:
        raise not_supplied(*missing)
    message: str = body["message"]
    if any(part in ("", ".", "..", ".git") for part in path.split("/")) or path.startswith('"'):
        raise ApiError(422, "path contains a malformed path component")
    try:
        data = base64.b64decode(body["content"], validate=True)
    except (binascii.Error, ValueError) as error:
        raise ApiError(422, "content is not valid Base64") from error
    branch = body.get("branch") or call.repo.default_branch
    if not isinstance(branch, str):
        raise invalid_request("For 'properties/branch', the value is not a string.")
    tip = git.branch_sha(branch)
    if tip is None:
        raise ApiError(404, f"Branch {branch} not found")
    existing = git.entry_at(tip, path)
    if existing is not None and existing.type != "blob":
        raise ApiError(422, f'Invalid request.\n\n"{path}" is a directory.')
    if existing is not None:
        given = body.get("sha")
        if not isinstance(given, str) or not given:
            raise not_supplied("sha")
        if given != existing.sha:
            raise ApiError(409, f"{path} does not match {given}")
    bot = state.user(state.app.bot_login)
    bot_person = (bot.login, f"{bot.id}+{bot.login}@users.noreply.github.com")
    committer = _person(body.get("committer"), "committer") or bot_person
    author = _person(body.get("author"), "author") or committer
    new_sha = state.commit(
        call.repo.full_name,
        branch,
        {path: data},
        message=message,
        author=Signature(author[0], author[1], call.now),
        committer=Signature(committer[0], committer[1], call.now),
        parent=tip,
    )
    info = git.commit_info(new_sha)
    blob = git.entry_at(new_sha, path)
    assert blob is not None  # just committed
    api = f"{call.urls.api}/repos/{call.repo.full_name}"
    html = f"{call.urls.web}/{call.repo.full_name}"
    content = {
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": blob.sha,
        "size": len(data),
        "type": "file",
        **content_links(call.urls, call.repo, path, branch, blob.sha, "file"),
    }
    commit = {
        "sha": new_sha,
        "node_id": f"C_{new_sha[:20]}",
        "url": f"{api}/git/commits/{new_sha}",
        "html_url": f"{html}/commit/{new_sha}",
        "author": git_person(info.author.name, info.author.email, info.author.when),
        "committer": git_person(info.committer.name, info.committer.email, info.committer.when),
        "tree": {"sha": info.tree, "url": f"{api}/git/trees/{info.tree}"},
        "message": message,
        "parents": [
            {"url": f"{api}/git/commits/{p}", "html_url": f"{html}/commit/{p}", "sha": p}
            for p in info.parents
        ],
        "verification": verification_json(),
    }
    return json_answer({"content": content, "commit": commit}, 201 if existing is None else 200)
