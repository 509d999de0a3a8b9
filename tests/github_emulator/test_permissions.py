"""`GET /repos/{o}/{r}/collaborators/{user}/permission`: roles, and the older permission words."""

from __future__ import annotations

import httpx
import pytest
from githubkit import AppInstallationAuthStrategy, GitHub
from githubkit_schemas.latest.models import CollaboratorPropPermissions

from tests.github_emulator.conftest import World, installation_token, plain_client
from tests.github_emulator.state import Role


@pytest.mark.parametrize(
    ("role", "permission", "push", "maintain"),
    [
        ("admin", "admin", True, True),
        ("maintain", "write", True, True),
        ("write", "write", True, False),
        ("triage", "read", False, False),
        ("read", "read", False, False),
    ],
)
def test_roles_and_permissions(
    world: World,
    client: GitHub[AppInstallationAuthStrategy],
    role: Role,
    permission: str,
    push: bool,
    maintain: bool,
) -> None:
    world.gh.set_permission(world.repo, "carol", role)
    answer = client.rest.repos.get_collaborator_permission_level(
        world.owner, world.name, "carol"
    ).parsed_data
    assert (answer.permission, answer.role_name) == (permission, role)
    assert answer.user is not None
    assert answer.user.login == "carol"
    assert isinstance(answer.user.permissions, CollaboratorPropPermissions)
    assert (answer.user.permissions.push, answer.user.permissions.maintain) == (push, maintain)


def test_owner_outsiders_and_unknown_users(world: World, http: httpx.Client) -> None:
    owner = http.get("/repos/acme/shop/collaborators/acme/permission").json()
    assert (owner["permission"], owner["role_name"]) == ("admin", "admin")
    world.gh.add_issue_comment(world.repo, world.number, "/flow-review", "dave")  # dave exists
    outsider = http.get("/repos/acme/shop/collaborators/dave/permission").json()
    assert outsider["permission"] == "read"  # a public repository: everyone reads
    unknown = http.get("/repos/acme/shop/collaborators/nobody-at-all/permission")
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "nobody-at-all is not a user"


def test_outsiders_of_a_private_repository_have_none(world: World) -> None:
    gh = world.gh
    repo = gh.create_repo("acme", "private", {"a": "a\n"}, private=True)
    gh.set_permission(repo, "erin", "write")
    installation = gh.install("acme", [repo])
    with plain_client(gh, installation_token(gh, installation)) as raw:
        gh.add_issue_comment(world.repo, world.number, "hello", "frank")
        frank = raw.get(f"/repos/{repo}/collaborators/frank/permission").json()
        erin = raw.get(f"/repos/{repo}/collaborators/erin/permission").json()
    assert frank["permission"] == "none"
    assert erin["permission"] == "write"


def test_author_association_follows_roles(world: World) -> None:
    gh = world.gh
    gh.set_permission(world.repo, "grace", "maintain")
    member = gh.payload("issue_comment", "created", world.repo, world.number, commenter="grace")
    stranger = gh.payload("issue_comment", "created", world.repo, world.number, commenter="heidi")
    assert member["comment"]["author_association"] == "COLLABORATOR"
    assert stranger["comment"]["author_association"] == "NONE"
