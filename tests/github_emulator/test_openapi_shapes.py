"""The emulator's JSON answers against GitHub's own OpenAPI description of them.

`generated/api.github.com.json` of the npm package @octokit/openapi (installed by
`tests/analyzers/openapi_corpus.py`) describes each endpoint's responses. Its
schemas are OpenAPI 3.0: `nullable: true` is turned into a JSON Schema `null`
type, and `$ref`s resolve within the document. Every answer the app relies on,
successes and errors, is validated in full (required properties, types, enums).
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from tests.analyzers.openapi_corpus import github_description
from tests.github_emulator import DiffTooLarge, GitHubEmulator
from tests.github_emulator.conftest import (
    BASE_FILES,
    HEAD_FILES,
    app_jwt,
    installation_token,
    plain_client,
)

SCHEMA_KEYWORDS_WITH_SCHEMA_VALUES = ("items", "additionalProperties", "not")
SCHEMA_KEYWORDS_WITH_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
IGNORED_KEYWORDS = ("example", "examples", "x-github", "discriminator", "externalDocs", "xml")


def json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: `nullable` becomes a `null` alternative."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in IGNORED_KEYWORDS or key == "nullable":
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {name: json_schema(sub) for name, sub in value.items()}
        elif key in SCHEMA_KEYWORDS_WITH_SCHEMA_VALUES:
            out[key] = json_schema(value)
        elif key == "oneOf":
            # GitHub's descriptions use oneOf for alternatives that overlap (two error shapes
            # with no required field, say): "exactly one" would refuse valid answers.
            out["anyOf"] = [json_schema(sub) for sub in value]
        elif key in SCHEMA_KEYWORDS_WITH_SCHEMA_LISTS:
            out[key] = [json_schema(sub) for sub in value]
        else:
            out[key] = value
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str) and not any(
            k in out for k in ("$ref", *SCHEMA_KEYWORDS_WITH_SCHEMA_LISTS)
        ):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            return {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def description() -> dict[str, Any]:
    document = json.loads(github_description().read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@functools.cache
def converted_components() -> dict[str, Any]:
    components = description()["components"]
    return {"schemas": {name: json_schema(s) for name, s in components["schemas"].items()}}


def response_schema(method: str, template: str, status: int) -> dict[str, Any]:
    document = description()
    response = document["paths"][template][method.lower()]["responses"][str(status)]
    while "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    schema = response["content"]["application/json"]["schema"]
    assert isinstance(schema, dict)
    return schema


def schema_errors(method: str, template: str, status: int, body: Any) -> list[str]:
    """Where `body` departs from the schema of that answer, one line each."""
    schema = {**json_schema(response_schema(method, template, status))}
    schema["components"] = converted_components()
    errors = jsonschema.Draft7Validator(schema).iter_errors(body)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(body)'}: {error.message[:300]}"
        for error in errors
    ]


@dataclass(frozen=True)
class Answer:
    method: str
    template: str
    status: int
    body: Any


R = "/repos/{owner}/{repo}"


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Answer]]:
    """One emulator, every endpoint called once or twice; the answers by case name."""
    root: Path = tmp_path_factory.mktemp("openapi")
    with GitHubEmulator(root) as gh:
        repo = gh.create_repo("acme", "shop", BASE_FILES, owner_type="Organization")
        gh.push(repo, "feature", HEAD_FILES, author="alice")
        number = gh.open_pull_request(repo, head="feature", author="alice")
        installation = gh.install("acme", [repo])
        gh.set_permission(repo, "bob", "maintain")
        human = gh.add_issue_comment(repo, number, "/flow-review", "bob")
        head = gh.head_sha(repo, number)
        collected: dict[str, Answer] = {}
        with plain_client(gh, installation_token(gh, installation)) as http:

            def call(
                name: str, method: str, template: str, url: str, **options: Any
            ) -> httpx.Response:
                response = http.request(method, url, **options)
                collected[name] = Answer(method, template, response.status_code, response.json())
                return response

            call("repo", "GET", R, "/repos/acme/shop")
            call("pull", "GET", f"{R}/pulls/{{pull_number}}", "/repos/acme/shop/pulls/1")
            call("pulls", "GET", f"{R}/pulls", "/repos/acme/shop/pulls")
            call(
                "files", "GET", f"{R}/pulls/{{pull_number}}/files", "/repos/acme/shop/pulls/1/files"
            )
            tree = call(
                "tree",
                "GET",
                f"{R}/git/trees/{{tree_sha}}",
                "/repos/acme/shop/git/trees/feature?recursive=1",
            ).json()
            blob = next(e["sha"] for e in tree["tree"] if e["type"] == "blob")
            call("blob", "GET", f"{R}/git/blobs/{{file_sha}}", f"/repos/acme/shop/git/blobs/{blob}")
            call("commit", "GET", f"{R}/commits/{{ref}}", "/repos/acme/shop/commits/feature")
            gh.push(repo, "main", {"CHANGELOG.md": "moved on\n"})  # diverged from feature
            compare = f"{R}/compare/{{basehead}}"
            call("compare", "GET", compare, "/repos/acme/shop/compare/main...feature")
            call(
                "compare page",
                "GET",
                compare,
                "/repos/acme/shop/compare/main...feature?per_page=1&page=2",
            )
            call("compare unknown", "GET", compare, "/repos/acme/shop/compare/main...nope")
            contents = f"{R}/contents/{{path}}"
            call("file", "GET", contents, "/repos/acme/shop/contents/src/app.py?ref=feature")
            call("directory", "GET", contents, "/repos/acme/shop/contents/src")
            created = call(
                "put created",
                "PUT",
                contents,
                "/repos/acme/shop/contents/.tasks/list.md",
                json={
                    "message": "m",
                    "content": base64.b64encode(b"- [ ] a\n").decode(),
                    "branch": "feature",
                },
            ).json()
            call(
                "put updated",
                "PUT",
                contents,
                "/repos/acme/shop/contents/.tasks/list.md",
                json={
                    "message": "m",
                    "content": base64.b64encode(b"- [x] a\n").decode(),
                    "branch": "feature",
                    "sha": created["content"]["sha"],
                },
            )
            call(
                "put stale",
                "PUT",
                contents,
                "/repos/acme/shop/contents/README.md",
                json={"message": "m", "content": "eA==", "sha": "0" * 40},
            )
            head = gh.head_sha(repo, number)
            run = call(
                "check create",
                "POST",
                f"{R}/check-runs",
                "/repos/acme/shop/check-runs",
                json={
                    "name": "flow-review",
                    "head_sha": head,
                    "status": "in_progress",
                    "output": {"title": "t", "summary": "s"},
                },
            ).json()
            call(
                "check update",
                "PATCH",
                f"{R}/check-runs/{{check_run_id}}",
                f"/repos/acme/shop/check-runs/{run['id']}",
                json={
                    "conclusion": "success",
                    "output": {
                        "summary": "s",
                        "annotations": [
                            {
                                "path": "src/app.py",
                                "start_line": 3,
                                "end_line": 3,
                                "annotation_level": "notice",
                                "message": "m",
                            }
                        ],
                    },
                    "actions": [{"label": "Re-run", "description": "d", "identifier": "rerun"}],
                },
            )
            call(
                "check get",
                "GET",
                f"{R}/check-runs/{{check_run_id}}",
                f"/repos/acme/shop/check-runs/{run['id']}",
            )
            call(
                "check list",
                "GET",
                f"{R}/commits/{{ref}}/check-runs",
                f"/repos/acme/shop/commits/{head}/check-runs?check_name=flow-review",
            )
            call(
                "annotations",
                "GET",
                f"{R}/check-runs/{{check_run_id}}/annotations",
                f"/repos/acme/shop/check-runs/{run['id']}/annotations",
            )
            review_comments = f"{R}/pulls/{{pull_number}}/comments"
            comment = call(
                "review comment create",
                "POST",
                review_comments,
                "/repos/acme/shop/pulls/1/comments",
                json={
                    "body": "b",
                    "commit_id": head,
                    "path": "src/app.py",
                    "start_line": 2,
                    "line": 3,
                },
            ).json()
            call(
                "review comment outside",
                "POST",
                review_comments,
                "/repos/acme/shop/pulls/1/comments",
                json={"body": "b", "commit_id": head, "path": "src/app.py", "line": 20},
            )
            call("review comments", "GET", review_comments, "/repos/acme/shop/pulls/1/comments")
            one_comment = f"{R}/pulls/comments/{{comment_id}}"
            call(
                "review comment update",
                "PATCH",
                one_comment,
                f"/repos/acme/shop/pulls/comments/{comment['id']}",
                json={"body": "c"},
            )
            call(
                "review comment get",
                "GET",
                one_comment,
                f"/repos/acme/shop/pulls/comments/{comment['id']}",
            )
            reviews = f"{R}/pulls/{{pull_number}}/reviews"
            call(
                "review create",
                "POST",
                reviews,
                "/repos/acme/shop/pulls/1/reviews",
                json={
                    "event": "COMMENT",
                    "body": "b",
                    "comments": [{"path": "src/app.py", "line": 35, "body": "x"}],
                },
            )
            call(
                "review outside",
                "POST",
                reviews,
                "/repos/acme/shop/pulls/1/reviews",
                json={
                    "event": "COMMENT",
                    "comments": [{"path": "README.md", "line": 1, "body": "x"}],
                },
            )
            call("reviews", "GET", reviews, "/repos/acme/shop/pulls/1/reviews")
            issue_comments = f"{R}/issues/{{issue_number}}/comments"
            posted = call(
                "issue comment create",
                "POST",
                issue_comments,
                "/repos/acme/shop/issues/1/comments",
                json={"body": "checklist"},
            ).json()
            call("issue comments", "GET", issue_comments, "/repos/acme/shop/issues/1/comments")
            one_issue_comment = f"{R}/issues/comments/{{comment_id}}"
            call(
                "issue comment update",
                "PATCH",
                one_issue_comment,
                f"/repos/acme/shop/issues/comments/{posted['id']}",
                json={"body": "checklist 2"},
            )
            call(
                "issue comment get",
                "GET",
                one_issue_comment,
                f"/repos/acme/shop/issues/comments/{posted['id']}",
            )
            reactions = f"{R}/issues/comments/{{comment_id}}/reactions"
            for name in ("reaction created", "reaction again"):
                call(
                    name,
                    "POST",
                    reactions,
                    f"/repos/acme/shop/issues/comments/{human.id}/reactions",
                    json={"content": "eyes"},
                )
            call(
                "reactions",
                "GET",
                reactions,
                f"/repos/acme/shop/issues/comments/{human.id}/reactions",
            )
            call(
                "permission",
                "GET",
                f"{R}/collaborators/{{username}}/permission",
                "/repos/acme/shop/collaborators/bob/permission",
            )
            call("missing pull", "GET", f"{R}/pulls/{{pull_number}}", "/repos/acme/shop/pulls/9")
            gh.inject(DiffTooLarge(), times=1)
            call(
                "too large",
                "GET",
                f"{R}/pulls/{{pull_number}}",
                "/repos/acme/shop/pulls/1",
                headers={"Accept": "application/vnd.github.diff"},
            )
            jwt_headers = {"Authorization": f"Bearer {app_jwt(gh)}"}
            call(
                "token",
                "POST",
                "/app/installations/{installation_id}/access_tokens",
                f"/app/installations/{installation}/access_tokens",
                headers=jwt_headers,
            )
            call("app", "GET", "/app", "/app", headers=jwt_headers)
            call(
                "installation",
                "GET",
                "/app/installations/{installation_id}",
                f"/app/installations/{installation}",
                headers=jwt_headers,
            )
            # Not `GET /app/installations`: its description says `account` is a user *and* an
            # enterprise (allOf), which no answer of GitHub's is either.
            call(
                "repo installation",
                "GET",
                f"{R}/installation",
                "/repos/acme/shop/installation",
                headers=jwt_headers,
            )
        yield collected


CASES = [
    ("repo", 200),
    ("pull", 200),
    ("pulls", 200),
    ("files", 200),
    ("tree", 200),
    ("blob", 200),
    ("commit", 200),
    ("compare", 200),
    ("compare page", 200),
    ("compare unknown", 404),
    ("file", 200),
    ("directory", 200),
    ("put created", 201),
    ("put updated", 200),
    ("put stale", 409),
    ("check create", 201),
    ("check update", 200),
    ("check get", 200),
    ("check list", 200),
    ("annotations", 200),
    ("review comment create", 201),
    ("review comment outside", 422),
    ("review comments", 200),
    ("review comment update", 200),
    ("review comment get", 200),
    ("review create", 200),
    ("review outside", 422),
    ("reviews", 200),
    ("issue comment create", 201),
    ("issue comments", 200),
    ("issue comment update", 200),
    ("issue comment get", 200),
    ("reaction created", 201),
    ("reaction again", 200),
    ("reactions", 200),
    ("permission", 200),
    ("missing pull", 404),
    ("too large", 406),
    ("token", 201),
    ("app", 200),
    ("installation", 200),
    ("repo installation", 200),
]


@pytest.mark.parametrize(("case", "status"), CASES, ids=[c for c, _ in CASES])
def test_answer_matches_githubs_openapi_schema(
    answers: dict[str, Answer], case: str, status: int
) -> None:
    answer = answers[case]
    assert answer.status == status, answer.body
    errors = schema_errors(answer.method, answer.template, answer.status, answer.body)
    assert errors == []


def test_the_validation_can_fail() -> None:
    """A check of the check: a pull request without its head is refused."""
    assert "(body): 'head' is a required property" in schema_errors(
        "GET", f"{R}/pulls/{{pull_number}}", 200, {"number": 1}
    )
    assert schema_errors(
        "GET", f"{R}/git/trees/{{tree_sha}}", 200, {"sha": "x", "tree": [], "truncated": None}
    ) == ["truncated: None is not of type 'boolean'"]
