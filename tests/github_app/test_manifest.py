"""`app.yml` (the GitHub App manifest) and `Procfile` agree with what the app does."""

from __future__ import annotations

import yaml

from github_app.events import ROUTES
from tests.github_app.servers import ROOT

# Sent to every app without subscribing (and not accepted in a manifest's default_events).
ALWAYS_SENT = {"ping", "installation", "installation_repositories"}


def test_manifest_subscribes_to_every_routed_event_with_least_permissions() -> None:
    manifest = yaml.safe_load((ROOT / "app.yml").read_text(encoding="utf-8"))
    assert set(manifest["default_events"]) == {event for event, _ in ROUTES} - ALWAYS_SENT
    assert manifest["default_permissions"] == {
        "checks": "write",
        "pull_requests": "write",
        "contents": "write",
        "issues": "write",
        "metadata": "read",
    }
    assert manifest["public"] is False
    assert manifest["hook_attributes"]["url"].endswith("/webhooks")
    assert manifest["name"] and manifest["description"] and manifest["url"]


def test_procfile_runs_the_two_processes() -> None:
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    assert lines == [
        "web: flow-review serve --host 0.0.0.0 --port $PORT",
        "worker: flow-review worker",
    ]
