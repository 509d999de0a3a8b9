"""Webhook payloads for the emulator's state, and GitHub's way of signing them.

Each payload starts from a real example of GitHub's (`tests/data/github-webhook-
examples/<event>.json`, from @octokit/webhooks-examples; an example with an
`installation` is preferred, as GitHub Apps receive those) and gets the
emulator's objects laid over it: repository, pull request, issue and comment,
check run or suite, sender, installation, organization. Keys of the example
that the emulator has no value for keep the example's value, with its
repository name and API host replaced by the emulator's.

`signed` serialises a payload and returns the body with the headers GitHub
sends: `X-Hub-Signature-256: sha256=<HMAC-SHA256 hex of the body>` (and the
legacy SHA-1 `X-Hub-Signature`), `X-GitHub-Event`, a uuid `X-GitHub-Delivery`,
`X-GitHub-Hook-ID`, the hook target headers, JSON content type and a
`GitHub-Hookshot/...` user agent.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.github_emulator.auth import utcnow
from tests.github_emulator.representations import (
    Urls,
    check_run_json,
    check_suite_json,
    issue_comment_json,
    issue_json,
    node_id,
    pull_json,
    repository_json,
    user_json,
)
from tests.github_emulator.state import CheckRun, IssueComment, PullRequest, Repository, State

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "github-webhook-examples"
HOOK_ID = "492745603"
SUPPORTED: Mapping[str, tuple[str, ...]] = {
    "pull_request": ("opened", "synchronize", "reopened", "edited", "ready_for_review"),
    "issue_comment": ("created",),
    "check_run": ("rerequested", "requested_action", "created", "completed"),
    "check_suite": ("requested", "rerequested", "completed"),
}


class PayloadError(ValueError):
    """A payload that cannot be built from the state (unknown event, no check run, ...)."""


class WebhookPayload(dict[str, Any]):
    """A webhook body that remembers its event name and the app it is for."""

    def __init__(self, event: str, data: Mapping[str, Any], app_id: int | None = None) -> None:
        super().__init__(data)
        self.event = event
        self.app_id = app_id


@functools.cache
def examples(event: str) -> tuple[dict[str, Any], ...]:
    """The example payloads of one event, as GitHub documents them."""
    path = EXAMPLES / f"{event}.json"
    if not path.is_file():
        raise PayloadError(f"no examples for the event {event!r} in {EXAMPLES}")
    return tuple(json.loads(path.read_text(encoding="utf-8")))


def template(event: str, action: str) -> dict[str, Any]:
    """A deep copy of the example for (event, action), one sent to an installation if any."""
    # GitHub documents no `pull_request.edited` example: it has the shape of `opened`.
    wanted = "opened" if (event, action) == ("pull_request", "edited") else action
    candidates = [e for e in examples(event) if e.get("action") == wanted]
    if not candidates:
        raise PayloadError(f"no example of {event}.{action}")
    chosen = next((e for e in candidates if "installation" in e), candidates[0])
    return copy.deepcopy(chosen)


def overlay(example: Any, ours: Any) -> Any:
    """`ours` laid over `example`: our values win, the example fills in what we lack."""
    if isinstance(example, dict) and isinstance(ours, dict):
        merged = {
            key: overlay(value, ours[key]) if key in ours else value
            for key, value in example.items()
        }
        for key, value in ours.items():
            merged.setdefault(key, value)
        return merged
    return ours


def _replace_strings(value: Any, replacements: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in replacements:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replace_strings(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: _replace_strings(item, replacements) for key, item in value.items()}
    return value


class PayloadBuilder:
    """Builds webhook payloads from the emulator's state."""

    def __init__(self, state: State, urls: Urls) -> None:
        self.state = state
        self.urls = urls

    def build(
        self, event: str, action: str, repo: str, number: int | None, extra: dict[str, Any]
    ) -> WebhookPayload:
        if action not in SUPPORTED.get(event, ()):
            supported = "; ".join(f"{e}: {', '.join(a)}" for e, a in SUPPORTED.items())
            raise PayloadError(f"cannot build {event}.{action}; supported: {supported}")
        state = self.state
        with state.lock:
            repository = state.repository(repo)
            example = template(event, action)
            ours: dict[str, Any] = {"action": action}
            sender = extra.pop("sender", None)
            if event == "pull_request":
                sender = self._pull_request(ours, repository, action, number, extra, sender)
            elif event == "issue_comment":
                sender = self._issue_comment(ours, repository, number, extra)
            elif event == "check_run":
                self._check_run(ours, repository, action, number, extra)
            else:
                self._check_suite(ours, repository, number, extra)
            sender = sender or repository.owner
            ours["repository"] = repository_json(state, self.urls, repository)
            ours["sender"] = user_json(self.urls, state.user(sender), state.app)
            installation = state.installation_for(repository)
            if installation is not None:
                ours["installation"] = {
                    "id": installation.id,
                    "node_id": node_id("Installation", installation.id),
                }
            else:
                example.pop("installation", None)
            owner = state.user(repository.owner)
            if owner.type == "Organization":
                ours["organization"] = self._organization(owner.login, owner.id)
            else:
                example.pop("organization", None)
            example = _replace_strings(example, self._replacements(example, repository))
            payload = overlay(example, ours)
            payload.update(extra)
            return WebhookPayload(event, payload, state.app.app_id)

    def _replacements(
        self, example: dict[str, Any], repository: Repository
    ) -> list[tuple[str, str]]:
        found = example.get("repository", {})
        pairs = [("https://api.github.com", self.urls.api), ("https://github.com", self.urls.web)]
        if isinstance(found, dict) and isinstance(found.get("full_name"), str):
            pairs.append((found["full_name"], repository.full_name))
        return pairs

    def _organization(self, login: str, org_id: int) -> dict[str, Any]:
        api = f"{self.urls.api}/orgs/{login}"
        return {
            "login": login,
            "id": org_id,
            "node_id": node_id("Organization", org_id),
            "url": api,
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events",
            "hooks_url": f"{api}/hooks",
            "issues_url": f"{api}/issues",
            "members_url": f"{api}/members{{/member}}",
            "public_members_url": f"{api}/public_members{{/member}}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{org_id}?v=4",
            "description": None,
        }

    def _pull(self, repository: Repository, number: int | None) -> PullRequest:
        if number is None:
            raise PayloadError("this event needs a pull request number")
        return self.state.pull(repository.full_name, number)

    def _pull_request(
        self,
        ours: dict[str, Any],
        repository: Repository,
        action: str,
        number: int | None,
        extra: dict[str, Any],
        sender: str | None,
    ) -> str:
        pull = self._pull(repository, number)
        ours["number"] = pull.number
        ours["pull_request"] = pull_json(self.state, self.urls, pull)
        if action == "synchronize":
            previous = pull.head_shas[-2] if len(pull.head_shas) > 1 else pull.head_sha
            ours["before"] = extra.pop("before", previous)
            ours["after"] = extra.pop("after", pull.head_sha)
        if action == "edited":
            ours["changes"] = extra.pop("changes", {"title": {"from": pull.title}})
        return sender or pull.author

    def _issue_comment(
        self,
        ours: dict[str, Any],
        repository: Repository,
        number: int | None,
        extra: dict[str, Any],
    ) -> str:
        state = self.state
        pull = self._pull(repository, number)
        comment_id = extra.pop("comment_id", None)
        if comment_id is not None:
            comment = state.issue_comments.get(comment_id)
            if comment is None:
                raise PayloadError(f"no issue comment {comment_id}")
        else:
            commenter = extra.pop("commenter", pull.author)
            state.user(commenter)
            now = utcnow()
            comment = IssueComment(
                id=state.new_id(),
                repo=pull.repo,
                number=pull.number,
                user=commenter,
                body=extra.pop("body", "/flow-review"),
                created_at=now,
                updated_at=now,
                via_app=False,
            )
            state.issue_comments[comment.id] = comment
        ours["issue"] = issue_json(state, self.urls, pull)
        ours["comment"] = issue_comment_json(state, self.urls, comment)
        return comment.user

    def _check_run_for(
        self, repository: Repository, number: int | None, check_run_id: int | None
    ) -> CheckRun:
        state = self.state
        if check_run_id is not None:
            run = state.check_runs.get(check_run_id)
            if run is None or run.repo.lower() != repository.full_name.lower():
                raise PayloadError(f"no check run {check_run_id} in {repository.full_name}")
            return run
        head = self._pull(repository, number).head_sha if number is not None else None
        runs = [
            r
            for r in state.check_runs.values()
            if r.repo.lower() == repository.full_name.lower() and head in (None, r.head_sha)
        ]
        if not runs:
            raise PayloadError(f"no check run of the app in {repository.full_name} to refer to")
        return max(runs, key=lambda r: r.id)

    def _check_run(
        self,
        ours: dict[str, Any],
        repository: Repository,
        action: str,
        number: int | None,
        extra: dict[str, Any],
    ) -> None:
        state = self.state
        run = self._check_run_for(repository, number, extra.pop("check_run_id", None))
        body = check_run_json(state, self.urls, run)
        body["check_suite"] = check_suite_json(
            state, self.urls, state.check_suites[run.check_suite_id], with_repo=False
        )
        ours["check_run"] = body
        if action == "requested_action":
            default = run.actions[0].identifier if run.actions else "rerun"
            ours["requested_action"] = {"identifier": extra.pop("identifier", default)}

    def _check_suite(
        self,
        ours: dict[str, Any],
        repository: Repository,
        number: int | None,
        extra: dict[str, Any],
    ) -> None:
        state = self.state
        git = state.git(repository)
        if "head_sha" in extra:
            head_sha = str(extra.pop("head_sha"))
        elif number is not None:
            head_sha = self._pull(repository, number).head_sha
        else:
            tip = git.branch_sha(repository.default_branch)
            if tip is None:
                raise PayloadError(f"{repository.full_name} has no default branch")
            head_sha = tip
        branch = extra.pop("head_branch", None) or state.branch_of(repository, head_sha)
        suite = state.check_suite_for(repository.full_name, head_sha, branch)
        ours["check_suite"] = check_suite_json(state, self.urls, suite, with_repo=False)


def signed(
    payload: Mapping[str, Any],
    secret: str | bytes,
    event: str | None = None,
    *,
    delivery: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a delivery of `payload`, signed with `secret` as GitHub signs."""
    name = event or getattr(payload, "event", None)
    if not name:
        raise PayloadError("the event name is needed: pass event= or a WebhookPayload")
    key = secret.encode() if isinstance(secret, str) else secret
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    target = getattr(payload, "app_id", None)
    headers = {
        "Accept": "*/*",
        "Content-Type": "application/json",
        "User-Agent": f"GitHub-Hookshot/{secrets.token_hex(4)[:7]}",
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-GitHub-Event": name,
        "X-GitHub-Hook-ID": HOOK_ID,
        "X-GitHub-Hook-Installation-Target-ID": str(target or "0"),
        "X-GitHub-Hook-Installation-Target-Type": "integration",
        "X-Hub-Signature": "sha1=" + hmac.new(key, body, hashlib.sha1).hexdigest(),
        "X-Hub-Signature-256": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest(),
    }
    return body, headers
