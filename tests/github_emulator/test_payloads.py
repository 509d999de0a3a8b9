"""Webhook payloads for the emulator's state, and their signatures, as a receiver sees them.

githubkit's webhook models (generated from GitHub's webhook schemas) parse
every payload: a payload that lacks a field a receiver may rely on fails here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from typing import Any

import githubkit_schemas.latest.models as webhook_models
import pytest
from githubkit.compat import type_validate_json
from githubkit.webhooks import verify

from tests.github_emulator import GitHubEmulator, WebhookPayload, signed
from tests.github_emulator.conftest import World, github_client
from tests.github_emulator.payloads import SUPPORTED, PayloadError

SECRET = "webhook secret"
EVENTS = [(event, action) for event, actions in SUPPORTED.items() for action in actions]


def with_check_run(world: World) -> int:
    client = github_client(world.gh, world.installation_id)
    run = client.rest.checks.create(
        world.owner,
        world.name,
        name="flow-review",
        head_sha=world.gh.head_sha(world.repo, world.number),
        actions=[{"label": "Explain", "description": "Explain it", "identifier": "explain"}],
    )
    return run.parsed_data.id


@pytest.mark.parametrize(("event", "action"), EVENTS, ids=[f"{e}.{a}" for e, a in EVENTS])
def test_every_payload_parses_as_githubs_webhook_schema(
    world: World, event: str, action: str
) -> None:
    if event == "check_run":
        with_check_run(world)
    payload = world.gh.payload(event, action, world.repo, world.number)
    body, headers = signed(payload, SECRET)
    assert headers["X-GitHub-Event"] == event
    # The model of this very (event, action): githubkit's union of all of an event's actions
    # would take seconds to build.
    model_name = "Webhook" + "".join(w.title() for w in f"{event}_{action}".split("_"))
    parsed = type_validate_json(getattr(webhook_models, model_name), body)
    assert parsed.action == action
    assert payload["installation"]["id"] == world.installation_id
    assert payload["repository"]["full_name"] == "acme/shop"
    assert payload["repository"]["id"] == payload["repository"]["id"] > 0
    assert "organization" not in payload  # acme is a user here
    assert "Codertocat" not in json.dumps(payload)  # nothing of the example's repository left


def test_pull_request_payloads_follow_the_state(world: World) -> None:
    gh = world.gh
    opened = gh.payload("pull_request", "opened", world.repo, world.number)
    first_head = gh.head_sha(world.repo, world.number)
    assert opened["number"] == world.number
    assert opened["pull_request"]["head"]["sha"] == first_head
    assert opened["pull_request"]["base"]["sha"] == gh.branch_sha(world.repo, "main")
    assert opened["sender"]["login"] == "alice"
    new_head = gh.push(world.repo, "feature", {"src/app.py": "new\n"})
    synchronize = gh.payload("pull_request", "synchronize", world.repo, world.number)
    assert (synchronize["before"], synchronize["after"]) == (first_head, new_head)
    assert synchronize["pull_request"]["head"]["sha"] == new_head
    edited = gh.payload(
        "pull_request",
        "edited",
        world.repo,
        world.number,
        changes={"base": {"ref": {"from": "develop"}, "sha": {"from": first_head}}},
    )
    assert edited["changes"]["base"]["ref"]["from"] == "develop"


def test_an_issue_comment_payload_creates_the_comment(world: World) -> None:
    gh = world.gh
    payload = gh.payload(
        "issue_comment", "created", world.repo, world.number, body="/flow-review", commenter="bob"
    )
    assert payload["issue"]["number"] == world.number
    assert payload["issue"]["pull_request"]["url"].endswith(
        f"/repos/acme/shop/pulls/{world.number}"
    )
    assert payload["comment"]["body"] == "/flow-review"
    assert payload["sender"]["login"] == payload["comment"]["user"]["login"] == "bob"
    [stored] = gh.issue_comments(world.repo, world.number)
    assert stored.id == payload["comment"]["id"]
    client = github_client(gh, world.installation_id)
    client.rest.reactions.create_for_issue_comment(
        world.owner, world.name, payload["comment"]["id"], content="eyes"
    )
    assert [r.content for r in gh.reactions(stored.id)] == ["eyes"]


def test_check_run_payloads_are_about_the_apps_own_runs(world: World) -> None:
    gh = world.gh
    run_id = with_check_run(world)
    rerun = gh.payload("check_run", "rerequested", world.repo, world.number)
    assert rerun["check_run"]["id"] == run_id
    assert rerun["check_run"]["app"]["id"] == gh.app_id
    assert rerun["check_run"]["head_sha"] == gh.head_sha(world.repo, world.number)
    assert [p["number"] for p in rerun["check_run"]["pull_requests"]] == [world.number]
    explain = gh.payload("check_run", "requested_action", world.repo, check_run_id=run_id)
    assert explain["requested_action"] == {"identifier": "explain"}
    suite = gh.payload("check_suite", "requested", world.repo, world.number)
    assert suite["check_suite"]["id"] == rerun["check_run"]["check_suite"]["id"]
    assert suite["check_suite"]["head_branch"] == "feature"


def test_signatures_are_githubs(world: World) -> None:
    payload = world.gh.payload("pull_request", "opened", world.repo, world.number)
    body, headers = signed(payload, SECRET)
    assert verify(SECRET, body, headers["X-Hub-Signature-256"])
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Hub-Signature-256"] == f"sha256={expected}"
    assert not verify("another secret", body, headers["X-Hub-Signature-256"])
    assert headers["X-GitHub-Event"] == "pull_request"
    assert uuid.UUID(headers["X-GitHub-Delivery"])
    assert headers["Content-Type"] == "application/json"
    assert re.fullmatch(r"GitHub-Hookshot/[0-9a-f]{7}", headers["User-Agent"])
    assert headers["X-GitHub-Hook-Installation-Target-ID"] == str(world.gh.app_id)
    assert json.loads(body) == payload
    _, again = signed(payload, SECRET)
    assert again["X-GitHub-Delivery"] != headers["X-GitHub-Delivery"]


def test_organizations_and_missing_installations(gh: GitHubEmulator) -> None:
    repo = gh.create_repo("bigco", "api", {"a": "a\n"}, owner_type="Organization")
    gh.push(repo, "change", {"a": "b\n"})
    number = gh.open_pull_request(repo, head="change")
    payload = gh.payload("pull_request", "opened", repo, number)
    assert "installation" not in payload  # the app is not installed there
    assert payload["organization"]["login"] == "bigco"
    gh.install("bigco")
    assert "installation" in gh.payload("pull_request", "opened", repo, number)


def test_emitted_events_become_payloads(world: World) -> None:
    gh = world.gh
    gh.push(world.repo, "feature", {"x.txt": "x\n"})
    events = gh.emitted("pull_request")
    assert [(e.action, e.number) for e in events] == [("opened", 1), ("synchronize", 1)]
    payload: WebhookPayload = gh.payload_for(events[-1])
    assert payload.event == "pull_request"
    assert payload["after"] == gh.head_sha(world.repo, world.number)


@pytest.mark.parametrize(
    ("event", "action", "extra"),
    [
        ("pull_request", "labeled", {}),
        ("push", "created", {}),
        ("check_run", "rerequested", {"check_run_id": 12345}),
    ],
)
def test_payloads_that_cannot_be_built_say_why(
    world: World, event: str, action: str, extra: dict[str, Any]
) -> None:
    with pytest.raises(PayloadError):
        world.gh.payload(event, action, world.repo, world.number, **extra)
