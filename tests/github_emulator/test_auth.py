"""App authentication as GitHub does it: JWTs signed with the app's key, installation tokens."""

from __future__ import annotations

import base64
import json
import re
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from githubkit import AppAuthStrategy, GitHub
from githubkit.exception import RequestFailed

from tests.github_emulator import GitHubEmulator
from tests.github_emulator.conftest import (
    World,
    app_jwt,
    github_client,
    installation_token,
    plain_client,
    tls_context,
)


def _post_token(gh: GitHubEmulator, installation_id: int, token: str) -> httpx.Response:
    with plain_client(gh) as raw:
        return raw.post(
            f"/app/installations/{installation_id}/access_tokens",
            headers={"Authorization": f"Bearer {token}"},
        )


def test_githubkit_gets_an_installation_token_and_uses_it(world: World) -> None:
    client = github_client(world.gh, world.installation_id)
    repository = client.rest.repos.get(world.owner, world.name).parsed_data
    assert repository.full_name == "acme/shop"
    [token_request] = world.gh.writes("POST", r"/access_tokens$")
    assert token_request.status == 201
    assert token_request.path == f"/app/installations/{world.installation_id}/access_tokens"
    later = [r for r in world.gh.requests("GET") if r.path == "/repos/acme/shop"]
    assert later[0].installation_id == world.installation_id


def test_the_token_answer_has_githubs_shape(world: World) -> None:
    response = _post_token(world.gh, world.installation_id, app_jwt(world.gh))
    body = response.json()
    assert response.status_code == 201
    assert re.fullmatch(r"ghs_[A-Za-z0-9]{36}", body["token"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["expires_at"])
    assert body["permissions"]["checks"] == "write"
    assert body["repository_selection"] == "selected"


def test_a_jwt_signed_by_another_key_is_refused(world: World) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    now = int(time.time())
    forged = jwt.encode(
        {"iat": now - 60, "exp": now + 300, "iss": str(world.gh.app_id)}, pem, algorithm="RS256"
    )
    response = _post_token(world.gh, world.installation_id, forged)
    assert response.status_code == 401
    assert response.json() == {
        "message": "A JSON web token could not be decoded",
        "documentation_url": (
            "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"
        ),
        "status": "401",
    }


@pytest.mark.parametrize(
    ("lifetime", "issued_ago", "message"),
    [
        (660, 60, "'Expiration time' claim ('exp') is too far in the future"),
        (300, 900, "'Expiration time' claim ('exp') must be a numeric value"),
        (300, -600, "'Issued at' claim ('iat') must be an Integer"),
    ],
)
def test_jwt_times_are_checked(world: World, lifetime: int, issued_ago: int, message: str) -> None:
    token = app_jwt(world.gh, lifetime=lifetime, issued_ago=issued_ago)
    response = _post_token(world.gh, world.installation_id, token)
    assert response.status_code == 401
    assert response.json()["message"].startswith(message)


def _signed_jwt(claims: dict[str, object], private_key_pem: str) -> str:
    """An RS256 JWT built by hand: PyJWT refuses to encode the integer `iss` Octokit sends."""
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    signing_input = ".".join(
        part(json.dumps(x).encode()) for x in ({"alg": "RS256", "typ": "JWT"}, claims)
    )
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{part(signature)}"


@pytest.mark.parametrize("as_text", [True, False])
def test_the_issuer_may_be_a_string_or_a_number(world: World, as_text: bool) -> None:
    now = int(time.time())
    issuer = str(world.gh.app_id) if as_text else world.gh.app_id
    token = _signed_jwt(
        {"iat": now - 60, "exp": now + 540, "iss": issuer}, world.gh.private_key_pem
    )
    assert _post_token(world.gh, world.installation_id, token).status_code == 201


def test_a_jwt_of_another_app_id_is_refused(world: World) -> None:
    now = int(time.time())
    token = jwt.encode(
        {"iat": now - 60, "exp": now + 540, "iss": "1"}, world.gh.private_key_pem, algorithm="RS256"
    )
    assert _post_token(world.gh, world.installation_id, token).status_code == 401


def test_unknown_installation_is_404(world: World) -> None:
    response = _post_token(world.gh, 999_999, app_jwt(world.gh))
    assert response.status_code == 404
    assert response.json()["message"] == "Not Found"


def test_app_endpoints_with_the_jwt(world: World) -> None:
    app_client = GitHub(
        AppAuthStrategy(world.gh.app_id, world.gh.private_key_pem),
        base_url=world.gh.url,
        auto_retry=False,
        ssl_verify=tls_context(),
    )
    app = app_client.rest.apps.get_authenticated().parsed_data
    assert app is not None
    assert (app.id, app.slug) == (world.gh.app_id, "flow-review")
    installation = app_client.rest.apps.get_repo_installation(world.owner, world.name).parsed_data
    assert installation.id == world.installation_id
    same = app_client.rest.apps.get_installation(world.installation_id).parsed_data
    assert same.account is not None


def test_an_installation_token_cannot_call_app_endpoints(http: httpx.Client) -> None:
    assert http.get("/app").status_code == 401


@pytest.mark.parametrize(
    ("authorization", "message"),
    [(None, "Requires authentication"), ("token ghs_nonsense", "Bad credentials")],
)
def test_installation_endpoints_need_a_valid_token(
    anonymous: httpx.Client, authorization: str | None, message: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = anonymous.get("/repos/acme/shop", headers=headers)
    assert response.status_code == 401
    assert response.json() == {
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }
    assert response.headers["x-ratelimit-limit"] == "60"


def test_bearer_and_token_schemes_both_work(world: World, anonymous: httpx.Client) -> None:
    token = installation_token(world.gh, world.installation_id)
    for scheme in ("token", "Bearer"):
        response = anonymous.get("/repos/acme/shop", headers={"Authorization": f"{scheme} {token}"})
        assert response.status_code == 200


def test_expired_tokens_are_refused_and_githubkit_sees_401(world: World) -> None:
    client = github_client(world.gh, world.installation_id)
    client.rest.repos.get(world.owner, world.name)
    world.gh.expire_tokens()
    with pytest.raises(RequestFailed) as failure:
        client.rest.repos.get(world.owner, world.name)
    assert failure.value.response.status_code == 401


def test_repositories_outside_the_installation(world: World) -> None:
    world.gh.create_repo("acme", "secret", {"x.txt": "x\n"}, private=True)
    world.gh.create_repo("other", "thing", {"x.txt": "x\n"})
    client = github_client(world.gh, world.installation_id)
    for owner, name in (("acme", "secret"), ("acme", "nowhere")):
        with pytest.raises(RequestFailed) as failure:
            client.rest.repos.get(owner, name)
        assert failure.value.response.status_code == 404
        assert failure.value.response.json()["message"] == "Not Found"
    # a public repository can be read by any token, but not written to
    assert client.rest.repos.get("other", "thing").parsed_data.full_name == "other/thing"
    with pytest.raises(RequestFailed) as refused:
        client.rest.issues.create_comment("other", "thing", 1, body="hi")
    assert refused.value.response.status_code == 403
    assert refused.value.response.json()["message"] == "Resource not accessible by integration"


def test_a_token_narrowed_to_some_repositories(world: World, anonymous: httpx.Client) -> None:
    world.gh.create_repo("acme", "one", {"x.txt": "x\n"}, private=True)
    world.gh.create_repo("acme", "two", {"x.txt": "x\n"}, private=True)
    everything = world.gh.install("acme", "all")
    response = anonymous.post(
        f"/app/installations/{everything}/access_tokens",
        headers={"Authorization": f"Bearer {app_jwt(world.gh)}"},
        json={"repositories": ["one"]},
    )
    assert response.status_code == 201
    assert [r["full_name"] for r in response.json()["repositories"]] == ["acme/one"]
    headers = {"Authorization": f"token {response.json()['token']}"}
    assert anonymous.get("/repos/acme/one", headers=headers).status_code == 200
    assert anonymous.get("/repos/acme/two", headers=headers).status_code == 404
    unknown = anonymous.post(
        f"/app/installations/{everything}/access_tokens",
        headers={"Authorization": f"Bearer {app_jwt(world.gh)}"},
        json={"repositories": ["three"]},
    )
    assert unknown.status_code == 422


def test_missing_installation_permission_is_403(gh: GitHubEmulator) -> None:
    repo = gh.create_repo("acme", "readonly", {"a.txt": "a\n"})
    installation = gh.install("acme", [repo], permissions={"contents": "read", "metadata": "read"})
    with plain_client(gh, installation_token(gh, installation)) as raw:
        response = raw.put(
            f"/repos/{repo}/contents/a.txt", json={"message": "m", "content": "Yg=="}
        )
    assert response.status_code == 403
    assert response.json()["message"] == "Resource not accessible by integration"
    assert response.headers["x-accepted-github-permissions"] == "contents=write"


def test_every_answer_carries_githubs_headers(http: httpx.Client) -> None:
    first = http.get("/repos/acme/shop")
    second = http.get("/repos/acme/shop/nothing-here")
    assert second.status_code == 404
    assert second.json()["documentation_url"] == "https://docs.github.com/rest"
    for response in (first, second):
        assert response.headers["content-type"] == "application/json; charset=utf-8"
        assert response.headers["x-github-media-type"] == "github.v3; format=json"
        assert response.headers["x-ratelimit-resource"] == "core"
        assert response.headers["x-ratelimit-limit"] == "5000"
        assert re.fullmatch(r"[0-9A-F:]+", response.headers["x-github-request-id"])
    assert int(second.headers["x-ratelimit-used"]) == int(first.headers["x-ratelimit-used"]) + 1
    assert int(second.headers["x-ratelimit-remaining"]) == 5000 - int(
        second.headers["x-ratelimit-used"]
    )
