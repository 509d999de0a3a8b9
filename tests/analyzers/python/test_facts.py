"""Facts the Python analyzer reads from the billing fixture service, asserted value by value."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.extract import SourceFile
from analyzers.facts import (
    ErrorHandler,
    Fact,
    ObservabilitySite,
    OutboundCall,
    QueueJob,
    RetryPolicy,
    ScheduledJob,
    WebhookHandler,
)
from analyzers.python import PythonExtractor

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "python" / "billing"


def facts_of(path: str) -> list[Fact]:
    text = (ROOT / path).read_text(encoding="utf-8")
    return list(PythonExtractor().extract(SourceFile(path, "billing", "python", text)))


def calls_of(path: str) -> dict[int, OutboundCall]:
    return {f.location.line: f for f in facts_of(path) if isinstance(f, OutboundCall)}


def test_ledger_client_calls() -> None:
    calls = calls_of("billing/clients/ledger.py")
    balance = calls[25]
    assert (balance.library, balance.method) == ("httpx", "GET")
    # base_url from an env var with a default, composed with the relative path
    assert balance.url == "{LEDGER_URL}/accounts/{account_id}/balance"
    assert balance.defaults == (("LEDGER_URL", "http://localhost:8001"),)
    assert balance.unbounded and balance.timeout_seconds is None  # the client's timeout=None
    assert balance.retry == RetryPolicy(4, True, False, "tenacity", True)
    assert balance.function == "billing.clients.ledger.LedgerClient.balance"
    assert balance.observed
    entry = calls[31]
    assert (entry.method, entry.location.end_line) == ("POST", 36)
    assert entry.idempotency_key and entry.unbounded and entry.retry is None
    assert not entry.observed
    statement = calls[41]
    assert statement.timeout_seconds == 10.0 and not statement.unbounded
    health = calls[48]
    # a settings object imported from another module stays a named placeholder
    assert health.url == "{settings.ledger_url}/health"
    assert health.timeout_seconds == 2.0


def test_partner_calls_resolve_aliases_sessions_and_loops() -> None:
    calls = calls_of("billing/clients/partner.py")
    aliased = calls[20]
    assert (aliased.library, aliased.method, aliased.url) == (
        "requests",
        "GET",
        "https://api.partner.example.com/v2/payouts/{payout_id}",
    )
    assert aliased.unbounded
    session = calls[24]
    assert session.retry == RetryPolicy(5, True, False, "urllib3", True)
    assert session.unbounded
    looped = calls[30]
    assert looped.library == "httpx" and looped.in_loop and not looped.throttled
    assert looped.url == "{settings.partner_url}/rates/{rate.currency}"
    assert looped.timeout_seconds == 5.0  # httpx's default
    paced = calls[35]
    assert paced.in_loop and paced.throttled
    assert calls[40].library == "urllib" and calls[40].method == "GET" and calls[40].unbounded
    retried = calls[46]
    assert retried.retry == RetryPolicy(5, False, False, "loop", True)
    assert not retried.in_loop  # a retry loop is not a loop over data


def test_error_handlers_at_boundaries() -> None:
    handlers = [f for f in facts_of("billing/clients/ledger.py") if isinstance(f, ErrorHandler)]
    assert [(h.location.line, h.catches, h.logs, h.reraises) for h in handlers] == [
        (43, ("httpx.HTTPError",), False, False)
    ]
    assert handlers[0].guarded_call == "httpx.AsyncClient().get"
    # In a retry loop that raises once attempts run out, the clause swallows nothing.
    partner = [f for f in facts_of("billing/clients/partner.py") if isinstance(f, ErrorHandler)]
    assert partner == []
    metered = [f for f in facts_of("billing/metrics.py") if isinstance(f, ErrorHandler)]
    assert [(h.observes, h.logs) for h in metered] == [(True, False)]


def test_webhook_handlers() -> None:
    hooks = {
        f.handler.rsplit(".", 1)[1]: f
        for f in facts_of("billing/webhooks.py")
        if isinstance(f, WebhookHandler)
    }
    assert set(hooks) == {
        "stripe_webhook",
        "github_webhook",
        "partner_payout_webhook",
        "stripe_legacy_webhook",
    }
    stripe = hooks["stripe_webhook"]
    assert (stripe.provider, stripe.verifies_signature, stripe.reads_raw_body) == (
        "stripe",
        True,
        True,
    )
    assert stripe.deduplicates and not stripe.parses_before_verifying
    assert stripe.location.line == 19  # the def line, not the decorator's
    github = hooks["github_webhook"]
    assert github.provider == "github" and github.verifies_signature
    assert github.parses_before_verifying and github.deduplicates is False
    partner = hooks["partner_payout_webhook"]
    assert not partner.verifies_signature and partner.provider == "generic"
    assert hooks["stripe_legacy_webhook"].reads_raw_body is False


def test_jobs_and_schedules() -> None:
    facts = facts_of("billing/jobs.py")
    jobs = [f for f in facts if isinstance(f, QueueJob)]
    summary = [(j.location.line, j.role, j.system, j.name.rsplit(".", 1)[-1]) for j in jobs]
    assert summary == [
        (20, "producer", "rq", "send_receipt"),
        (21, "producer", "rq", "export_payment"),
        (25, "consumer", "celery", "sync_crm"),
        (30, "consumer", "celery", "reconcile"),
        (35, "consumer", "dramatiq", "monthly_report"),
    ]
    receipt, export, crm, reconcile, report = jobs
    assert receipt.idempotency_key and receipt.retry == RetryPolicy(3, True, False, "rq", True)
    assert not export.idempotency_key and export.retry is None and not export.dead_letter
    assert crm.retry == RetryPolicy(5, True, True, "celery", True)
    assert reconcile.retry is None
    assert report.dead_letter and report.retry is not None and report.retry.attempts == 3
    schedules = [f for f in facts if isinstance(f, ScheduledJob)]
    assert [(s.system, s.overlap_guard, s.in_process) for s in schedules] == [
        ("apscheduler", False, False),
        ("schedule", True, False),
        ("celery-beat", None, False),
    ]
    assert schedules[0].schedule == "interval(minutes=5)"
    assert schedules[2].name == "billing.jobs.reconcile"


def test_observability_sites() -> None:
    kinds = sorted(
        (f.kind, f.library)
        for f in facts_of("billing/metrics.py")
        if isinstance(f, ObservabilitySite)
    )
    assert kinds == [("metric", "prometheus_client"), ("trace", "opentelemetry")]
    logged = [f for f in facts_of("billing/webhooks.py") if isinstance(f, ObservabilitySite)]
    assert {f.library for f in logged} == {"structlog"}


@pytest.mark.parametrize(
    ("code", "url", "defaults"),
    [
        ("import requests\nrequests.get('http://a/b', timeout=1)\n", "http://a/b", ()),
        (
            "import os, requests\nBASE = os.environ.get('AI_URL', 'http://localhost:3002')\n"
            "requests.post(BASE + '/match', timeout=1)\n",
            "{AI_URL}/match",
            (("AI_URL", "http://localhost:3002"),),
        ),
        (
            "import os, requests\nrequests.get(f\"{os.environ['API']}/v1/{'x'}\", timeout=1)\n",
            "{API}/v1/x",
            (),
        ),
        (
            "import requests\nfrom urllib.parse import urljoin\nB = 'http://h/api/'\n"
            "requests.get(urljoin(B, 'items'), timeout=1)\n",
            "http://h/api/items",
            (),
        ),
        ("import requests\ndef f(url):\n    requests.get(url, timeout=1)\n", "{url}", ()),
        ("import requests\nrequests.get(make_url(), timeout=1)\n", "{make_url}", ()),
    ],
)
def test_url_templates(code: str, url: str, defaults: tuple[tuple[str, str], ...]) -> None:
    facts = PythonExtractor().extract(SourceFile("svc/a.py", "svc", "python", code))
    (call,) = [f for f in facts if isinstance(f, OutboundCall)]
    assert (call.url, call.defaults) == (url, defaults)


def test_files_without_integration_words_are_not_parsed() -> None:
    text = "def add(a, b):\n    return a + b\n" + "x = (\n" * 0
    assert PythonExtractor().extract(SourceFile("svc/util.py", "svc", "python", text)) == ()


def test_a_pass_through_makes_no_call_and_spread_options_hide_the_timeout() -> None:
    # A wrapper forwarding `*args` has no URL, method or timeout of its own: its callers do.
    source = (
        "import httpx\nimport requests\n\n\n"
        "def get(*args, **kwargs):\n    return requests.get(*args, **kwargs)\n\n\n"
        "def fetch_user(user_id, **options):\n"
        '    return httpx.get(f"https://api.example.com/users/{user_id}", **options)\n'
    )
    facts = PythonExtractor().extract(SourceFile("billing/wrap.py", "billing", "python", source))
    (call,) = [f for f in facts if isinstance(f, OutboundCall)]
    assert (call.method, call.url) == ("GET", "https://api.example.com/users/{user_id}")
    assert (call.timeout_seconds, call.unbounded) == (None, False)  # unknown, not absent
