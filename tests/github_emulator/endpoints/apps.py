"""The app's own endpoints (app JWT): the app, its installations, installation access tokens."""

from __future__ import annotations

from typing import Any

from tests.github_emulator.auth import InstallationToken, new_installation_token
from tests.github_emulator.calls import Answer, Call, json_answer
from tests.github_emulator.errors import ApiError, invalid_request, not_found
from tests.github_emulator.representations import (
    app_json,
    installation_json,
    token_json,
)
from tests.github_emulator.state import Installation

LEVELS = {"read": 1, "write": 2, "admin": 3}


def get_app(call: Call) -> Answer:
    return json_answer(app_json(call.state, call.urls, len(call.state.installations)))


def list_installations(call: Call) -> Answer:
    installations = sorted(call.state.installations.values(), key=lambda i: i.id)
    page, headers = call.page(installations)
    return json_answer([installation_json(call.state, call.urls, i) for i in page], headers=headers)


def _installation(call: Call) -> Installation:
    installation = call.state.installations.get(call.int_param("installation_id"))
    if installation is None:
        raise not_found()
    return installation


def get_installation(call: Call) -> Answer:
    return json_answer(installation_json(call.state, call.urls, _installation(call)))


def get_repo_installation(call: Call) -> Answer:
    installation = call.state.installation_for(call.repo)
    if installation is None:
        raise not_found()
    return json_answer(installation_json(call.state, call.urls, installation))


def _requested_repository_ids(
    call: Call, installation: Installation, body: dict[str, Any]
) -> frozenset[int] | None:
    names = body.get("repositories")
    ids = body.get("repository_ids")
    if names is None and ids is None:
        return None
    if names is not None and (
        not isinstance(names, list) or not all(isinstance(n, str) for n in names)
    ):
        raise invalid_request(
            "For 'properties/repositories', the value is not an array of strings."
        )
    if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, int) for i in ids)):
        raise invalid_request(
            "For 'properties/repository_ids', the value is not an array of integers."
        )
    visible = call.state.installation_repositories(installation)
    by_name = {r.name.lower(): r.id for r in visible}
    by_id = {r.id for r in visible}
    wanted: set[int] = set()
    for name in names or []:
        short = name.rsplit("/", 1)[-1].lower()
        if short not in by_name:
            raise ApiError(
                422,
                "There is at least one repository that does not exist or is not accessible "
                "to the parent installation.",
            )
        wanted.add(by_name[short])
    for repo_id in ids or []:
        if repo_id not in by_id:
            raise ApiError(
                422,
                "There is at least one repository that does not exist or is not accessible "
                "to the parent installation.",
            )
        wanted.add(repo_id)
    return frozenset(wanted)


def _requested_permissions(installation: Installation, body: dict[str, Any]) -> dict[str, str]:
    requested = body.get("permissions")
    if requested is None:
        return dict(installation.permissions)
    if not isinstance(requested, dict):
        raise invalid_request("For 'properties/permissions', the value is not an object.")
    granted: dict[str, str] = {}
    for name, level in requested.items():
        have = installation.permissions.get(name)
        if (
            not isinstance(level, str)
            or have is None
            or LEVELS.get(level, 99) > LEVELS.get(have, 0)
        ):
            raise ApiError(422, "The permissions requested are not granted to this installation.")
        granted[name] = level
    return granted


def create_access_token(call: Call) -> Answer:
    installation = _installation(call)
    body = call.json_object()
    repository_ids = _requested_repository_ids(call, installation, body)
    permissions = _requested_permissions(installation, body)
    token = InstallationToken(
        token=new_installation_token(),
        installation_id=installation.id,
        expires_at=call.now.replace(microsecond=0) + call.limits.token_lifetime,
        repository_ids=repository_ids,
        permissions=permissions,
    )
    call.state.tokens[token.token] = token
    return json_answer(token_json(call.state, call.urls, token, installation), status=201)
