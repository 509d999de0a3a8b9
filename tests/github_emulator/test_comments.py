"""Review comments (only on lines of the diff), reviews, issue comments and reactions.

The pull request of `world` changes src/app.py on lines 3 and 35: two hunks,
new lines 1-6 and 32-38 (each with three lines of context). Line 20 is in
neither hunk; line 3 of the old file is a deleted line (LEFT side).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from githubkit import AppInstallationAuthStrategy, GitHub
from githubkit_schemas.latest.models import IssueComment

from tests.github_emulator.conftest import World


def head(world: World) -> str:
    return world.gh.head_sha(world.repo, world.number)


def comment(world: World, **fields: Any) -> dict[str, Any]:
    return {"body": "Add a timeout", "commit_id": head(world), "path": "src/app.py", **fields}


def test_comments_on_lines_of_the_diff(
    world: World, client: GitHub[AppInstallationAuthStrategy]
) -> None:
    added = client.rest.pulls.create_review_comment(
        world.owner,
        world.name,
        world.number,
        body="```suggestion\nline 3 fixed\n```",
        commit_id=head(world),
        path="src/app.py",
        line=3,
        side="RIGHT",
    )
    assert added.status_code == 201
    made = added.parsed_data
    assert (made.line, made.side, made.path) == (3, "RIGHT", "src/app.py")
    assert made.diff_hunk == "@@ -1,6 +1,6 @@\n line 1\n line 2\n-line 3\n+line 3 changed"
    assert made.position == 4
    assert made.user is not None
    assert made.user.login == world.gh.bot_login
    context = client.rest.pulls.create_review_comment(
        world.owner, world.name, world.number, **comment(world, line=36)
    ).parsed_data
    assert context.line == 36
    deleted = client.rest.pulls.create_review_comment(
        world.owner, world.name, world.number, **comment(world, line=3, side="LEFT")
    ).parsed_data
    assert deleted.side == "LEFT"
    multi = client.rest.pulls.create_review_comment(
        world.owner, world.name, world.number, **comment(world, start_line=33, line=36)
    ).parsed_data
    assert (multi.start_line, multi.line) == (33, 36)
    assert [c.id for c in world.gh.review_comments(world.repo, world.number)] == [
        made.id,
        context.id,
        deleted.id,
        multi.id,
    ]


OUTSIDE = {
    "resource": "PullRequestReviewComment",
    "code": "custom",
    "field": "pull_request_review_thread.line",
    "message": "pull_request_review_thread.line must be part of the diff",
}
NOT_SAME_HUNK = {
    "resource": "PullRequestReviewComment",
    "code": "custom",
    "field": "pull_request_review_thread.start_line",
    "message": "pull_request_review_thread.start_line must be part of the same hunk as the line.",
}
HUNK_BLANK = {
    "resource": "PullRequestReviewComment",
    "code": "missing_field",
    "field": "pull_request_review_thread.diff_hunk",
}


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"line": 20}, [OUTSIDE, HUNK_BLANK]),
        ({"line": 41}, [OUTSIDE, HUNK_BLANK]),
        ({"line": 20, "side": "LEFT"}, [OUTSIDE, HUNK_BLANK]),
        ({"line": 35, "side": "LEFT", "start_line": 2, "start_side": "LEFT"}, [NOT_SAME_HUNK]),
        ({"line": 20, "start_line": 3}, [OUTSIDE, NOT_SAME_HUNK, HUNK_BLANK]),
    ],
)
def test_a_comment_outside_the_diff_is_422(
    world: World, http: httpx.Client, fields: dict[str, Any], errors: list[dict[str, str]]
) -> None:
    response = http.post("/repos/acme/shop/pulls/1/comments", json=comment(world, **fields))
    assert response.status_code == 422
    assert response.json() == {
        "message": "Validation Failed",
        "errors": errors,
        "documentation_url": (
            "https://docs.github.com/rest/pulls/comments#create-a-review-comment-for-a-pull-request"
        ),
        "status": "422",
    }
    assert world.gh.review_comments(world.repo, world.number) == []


def test_a_file_outside_the_diff_and_a_start_after_the_end(
    world: World, http: httpx.Client
) -> None:
    outside = http.post(
        "/repos/acme/shop/pulls/1/comments", json=comment(world, path="README.md", line=1)
    )
    assert outside.status_code == 422
    backwards = http.post(
        "/repos/acme/shop/pulls/1/comments", json=comment(world, start_line=5, line=3)
    )
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["message"] == (
        "pull_request_review_thread.start_line must precede the end line."
    )


def test_a_comment_on_an_older_commit_uses_that_commits_diff(
    world: World, http: httpx.Client
) -> None:
    old_head = head(world)
    world.gh.push(world.repo, "feature", {"src/app.py": "rewritten\n"})
    on_old = http.post(
        "/repos/acme/shop/pulls/1/comments", json=comment(world, commit_id=old_head, line=35)
    )
    assert on_old.status_code == 201
    assert on_old.json()["original_commit_id"] == old_head
    foreign = http.post(
        "/repos/acme/shop/pulls/1/comments", json=comment(world, commit_id="0" * 40, line=1)
    )
    assert foreign.status_code == 422


def test_a_review_with_comments(world: World, client: GitHub[AppInstallationAuthStrategy]) -> None:
    review = client.rest.pulls.create_review(
        world.owner,
        world.name,
        world.number,
        commit_id=head(world),
        body="Flow Review found 2 things",
        event="COMMENT",
        comments=[
            {"path": "src/app.py", "line": 3, "side": "RIGHT", "body": "one"},
            {"path": "src/new_module.py", "line": 2, "body": "two"},
        ],
    ).parsed_data
    assert review.state == "COMMENTED"
    comments = world.gh.review_comments(world.repo, world.number)
    assert [(c.path, c.line, c.review_id) for c in comments] == [
        ("src/app.py", 3, review.id),
        ("src/new_module.py", 2, review.id),
    ]


def test_a_review_with_one_comment_outside_the_diff_is_refused_whole(
    world: World, http: httpx.Client
) -> None:
    response = http.post(
        "/repos/acme/shop/pulls/1/reviews",
        json={
            "event": "COMMENT",
            "body": "b",
            "comments": [
                {"path": "src/app.py", "line": 3, "body": "fine"},
                {"path": "src/app.py", "line": 20, "body": "outside"},
            ],
        },
    )
    assert response.status_code == 422
    assert response.json()["message"] == "Unprocessable Entity"
    assert response.json()["errors"] == [
        "Pull request review thread line must be part of the diff and "
        "Pull request review thread diff hunk can't be blank"
    ]
    assert world.gh.review_comments(world.repo, world.number) == []
    assert world.gh.reviews(world.repo, world.number) == []


def test_updating_and_paginating_review_comments(world: World, http: httpx.Client) -> None:
    ids = [
        http.post(
            "/repos/acme/shop/pulls/1/comments", json=comment(world, line=3, body=f"c{n}")
        ).json()["id"]
        for n in range(3)
    ]
    patched = http.patch(f"/repos/acme/shop/pulls/comments/{ids[1]}", json={"body": "changed"})
    assert patched.status_code == 200
    assert world.gh.review_comments(world.repo, world.number)[1].body == "changed"
    first = http.get("/repos/acme/shop/pulls/1/comments", params={"per_page": 2})
    assert [c["id"] for c in first.json()] == ids[:2]
    assert 'rel="next"' in first.headers["link"]
    reply = http.post(
        "/repos/acme/shop/pulls/1/comments", json={"body": "reply", "in_reply_to": ids[0]}
    )
    assert reply.status_code == 201
    assert reply.json()["in_reply_to_id"] == ids[0]


def test_issue_comments_and_reactions(
    world: World, client: GitHub[AppInstallationAuthStrategy]
) -> None:
    human = world.gh.add_issue_comment(world.repo, world.number, "/flow-review", "bob")
    eyes = client.rest.reactions.create_for_issue_comment(
        world.owner, world.name, human.id, content="eyes"
    )
    assert eyes.status_code == 201
    again = client.rest.reactions.create_for_issue_comment(
        world.owner, world.name, human.id, content="eyes"
    )
    assert again.status_code == 200
    assert again.parsed_data.id == eyes.parsed_data.id
    assert [r.content for r in world.gh.reactions(human.id)] == ["eyes"]

    posted = client.rest.issues.create_comment(
        world.owner, world.name, world.number, body="checklist v1"
    )
    assert posted.status_code == 201
    assert posted.parsed_data.performed_via_github_app is not None
    edited = client.rest.issues.update_comment(
        world.owner, world.name, posted.parsed_data.id, body="checklist v2"
    ).parsed_data
    assert edited.body == "checklist v2"
    listed: list[IssueComment] = client.rest.issues.list_comments(
        world.owner, world.name, world.number
    ).parsed_data
    assert [(c.user.login if c.user else None, c.body) for c in listed] == [
        ("bob", "/flow-review"),
        (world.gh.bot_login, "checklist v2"),
    ]
    stored = world.gh.issue_comments(world.repo, world.number)
    assert [c.body for c in stored] == ["/flow-review", "checklist v2"]


def test_bad_reactions_and_bodies(world: World, http: httpx.Client) -> None:
    human = world.gh.add_issue_comment(world.repo, world.number, "hi", "bob")
    bad = http.post(
        f"/repos/acme/shop/issues/comments/{human.id}/reactions", json={"content": "wow"}
    )
    assert bad.status_code == 422
    too_long = http.post("/repos/acme/shop/issues/1/comments", json={"body": "x" * 65537})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["message"] == (
        "Body is too long (maximum is 65536 characters)"
    )
    assert http.post("/repos/acme/shop/issues/1/comments", json={}).status_code == 422
    assert http.post("/repos/acme/shop/issues/7/comments", json={"body": "x"}).status_code == 404
    unparsable = http.post(
        "/repos/acme/shop/issues/1/comments",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert unparsable.status_code == 400
    assert unparsable.json()["message"] == "Problems parsing JSON"
