"""Vercel Cron Jobs from `vercel.json`: the one JSON file the engine reads."""

from __future__ import annotations

import pytest

from analyzers.config import Config
from analyzers.extract import SourceFile, UnparsableSource
from analyzers.facts import Location, ScheduledJob
from analyzers.javascript.vercel import VercelExtractor
from analyzers.paths import language_of
from analyzers.services import resolve_services

CONFIG = """{
  "rewrites": [{ "source": "/api/:path*", "destination": "https://api.example.com/:path*" }],
  "crons": [
    { "path": "/api/cron/digest", "schedule": "0 6 * * *" },
    { "path": "/api/cron/cleanup", "schedule": "*/30 * * * *" },
    { "path": "/api/cron/digest", "schedule": "0 18 * * *" }
  ]
}
"""


def test_crons_become_schedules_on_their_own_lines() -> None:
    facts = VercelExtractor().extract(SourceFile("web/vercel.json", "web", "json", CONFIG))
    assert facts == [
        ScheduledJob(
            "web", Location("web/vercel.json", 4, 4), "vercel", "0 6 * * *", "/api/cron/digest"
        ),
        ScheduledJob(
            "web", Location("web/vercel.json", 5, 5), "vercel", "*/30 * * * *", "/api/cron/cleanup"
        ),
        ScheduledJob(
            "web", Location("web/vercel.json", 6, 6), "vercel", "0 18 * * *", "/api/cron/digest"
        ),
    ]
    # Vercel calls the route from outside: not in the service's processes, overlap unknown.
    assert all(
        f.overlap_guard is None and not f.in_process for f in facts if isinstance(f, ScheduledJob)
    )


def test_only_vercel_json_is_json_to_the_engine() -> None:
    assert language_of("vercel.json") == language_of("apps/web/vercel.json") == "json"
    assert language_of("tsconfig.json") is None  # package.json is "deploy" (analyzers.deploy)
    assert language_of("not-vercel.json") is None


def test_no_crons_and_broken_json() -> None:
    assert VercelExtractor().extract(SourceFile("vercel.json", None, "json", '{"crons": []}')) == []
    assert VercelExtractor().extract(SourceFile("vercel.json", None, "json", "{}")) == ()
    with pytest.raises(UnparsableSource):
        VercelExtractor().extract(SourceFile("vercel.json", None, "json", '{"crons": [,]}'))


def test_vercel_json_is_not_a_service_language() -> None:
    paths = ["web/package.json", "web/vercel.json", "web/src/app/page.tsx"]
    manifests = {"web/package.json": b'{"name": "web", "dependencies": {"next": "14"}}'}
    services = resolve_services(Config(), paths, manifests.get).services
    assert [(s.name, s.languages) for s in services] == [("web", ("typescript",))]
