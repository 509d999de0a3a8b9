"""Hand-built reviews for the report tests: no engine, so a report bug cannot hide behind one."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from analyzers.facts import (
    ChecklistItem,
    Edge,
    ExternalSystemUse,
    Family,
    Finding,
    Location,
    Review,
    Scenario,
    Service,
    SkippedFile,
    Stats,
    Workflow,
)
from analyzers.facts import Severity as Sev
from analyzers.rules.base import Rule

HEAD = "0123456789abcdef0123456789abcdef01234567"
BASE = "fedcba9876543210fedcba9876543210fedcba98"


def finding(
    rule: str = "FLOW101",
    family: Family = Family.TIMEOUT,
    severity: Sev = Sev.HIGH,
    *,
    path: str | None = "services/core-api/src/lib/ai-client.ts",
    line: int = 10,
    end_line: int | None = None,
    key: str = "call:POST /api/v1/match",
    title: str = "HTTP call without a timeout",
    message: str = "fetch() to ai-engine waits forever.",
    suggestion: str | None = "Pass an AbortSignal.timeout(5000).",
    service: str | None = "core-api",
) -> Finding:
    location = None if path is None else Location(path, line, end_line or line)
    return Finding(
        rule=rule,
        family=family,
        severity=severity,
        title=title,
        message=message,
        service=service,
        location=location,
        key=key,
        suggestion=suggestion,
        blocking=severity is Sev.CRITICAL,
    )


def empty_review(**changes: Any) -> Review:
    review = Review(
        base=BASE,
        head=HEAD,
        whole_repo=False,
        services=(),
        changed_services=(),
        changes=(),
        findings=(),
        workflows=(),
        scenarios=(),
        checklist=(),
        stats=Stats(files_analyzed=0, files_skipped=(), seconds=0.0),
    )
    return replace(review, **changes)


CORE_API = Service("core-api", "services/core-api", ("typescript",))
AI_ENGINE = Service("ai-engine", "services/ai-engine", ("python",))

TIMEOUT = finding()
SIGNATURE = finding(
    "FLOW201",
    Family.WEBHOOK_SIGNATURE,
    Sev.CRITICAL,
    path="services/core-api/src/routes/stripe.ts",
    line=4,
    key="webhook:stripe",
    title="Stripe webhook without signature check",
    message="Anyone can post events to /webhooks/stripe.",
    suggestion="Verify with stripe.webhooks.constructEvent().",
)
CONTRACT = finding(
    "FLOW301",
    Family.CONTRACT,
    Sev.MEDIUM,
    path="services/ai-engine/main.py",
    line=40,
    end_line=44,
    key="field:MatchRequest.profile_id",
    title="Field removed that a caller still sends",
    message="MatchRequest no longer has profile_id.",
    suggestion="Keep the field optional for one release.",
    service="ai-engine",
)
LOGGING = finding(
    "FLOW401",
    Family.OBSERVABILITY,
    Sev.LOW,
    line=12,
    key="log:POST /api/v1/match",
    title="Cross-service call without a log",
    message="No log line around the call.",
    suggestion="Log request id and latency.",
)
GOVERNANCE = finding(
    "FLOW001",
    Family.GOVERNANCE,
    Sev.MEDIUM,
    path=None,
    key="change",
    title="Cross-service change without tests",
    message="Two services changed and no test did.",
    suggestion="Add a contract test.",
    service=None,
)
IDEMPOTENCY = finding(
    "FLOW202",
    Family.IDEMPOTENCY,
    Sev.HIGH,
    path="services/core-api/src/routes/stripe.ts",
    line=9,
    key="webhook-dedupe:stripe",
    title="Webhook handler does not deduplicate events",
    message="A redelivered event is processed twice.",
    suggestion="Store event.id and skip repeats.",
)

WORKFLOW = Workflow(
    name="Matching",
    trigger="POST /api/match from the frontend",
    services=("core-api", "ai-engine"),
    data_flow=("core-api → (HTTP POST /api/v1/match) → ai-engine",),
    findings=(TIMEOUT, IDEMPOTENCY, LOGGING),
    files=("services/core-api/src/lib/ai-client.ts",),
)

RULES_RUN = ("FLOW001", "FLOW101", "FLOW201", "FLOW202", "FLOW301", "FLOW401")


def full_review(**changes: object) -> Review:
    """One of everything, so that every part of every report has something to show."""
    return empty_review(
        services=(CORE_API, AI_ENGINE),
        changed_services=("core-api",),
        findings=(TIMEOUT, SIGNATURE, CONTRACT, LOGGING, GOVERNANCE, IDEMPOTENCY),
        workflows=(WORKFLOW,),
        scenarios=(
            Scenario("happy", "Matching", ("Start both services", "POST /api/match"), "200"),
            Scenario("failure", "Matching", ("Stop ai-engine", "POST /api/match"), "503 fast"),
            Scenario("stress", "Billing", ("Send 1000 events",), "No event lost"),
        ),
        checklist=(
            ChecklistItem("flow101-ai-client", "Add a timeout to the ai-engine call", "FLOW101"),
            ChecklistItem("flow001-change", "Add a contract test", "FLOW001", done=True),
        ),
        stats=Stats(
            files_analyzed=12,
            files_skipped=(SkippedFile("services/ai-engine/model.bin", "binary"),),
            seconds=1.25,
            cache_hits=3,
        ),
        edges=(
            Edge(
                "core-api",
                "ai-engine",
                "http",
                "POST",
                "/api/v1/match",
                "added",
                Location("services/core-api/src/lib/ai-client.ts", 10, 14),
                Location("services/ai-engine/main.py", 40, 60),
                issues=("renamed:job_ids",),
            ),
            Edge(
                "core-api",
                "ai-engine",
                "http",
                "GET",
                "/health",
                "unchanged",
                Location("services/core-api/src/lib/ai-client.ts", 30, 30),
                None,
                status="no-route",
            ),
        ),
        external=(
            ExternalSystemUse(
                "core-api", Location("services/core-api/src/routes/stripe.ts", 1, 1), "stripe"
            ),
        ),
        rules_run=RULES_RUN,
    )


# --- small rules, so the reports are tested apart from whatever the registry holds -------------


class MissingTimeout(Rule):
    """An outbound HTTP call that can wait forever.

    ## What it finds
    A call with no timeout.

    ## Why it matters
    One slow dependency holds every worker.

    ## Example
    `await fetch(url)`

    ## Fix
    `await fetch(url, {signal: AbortSignal.timeout(5000)})`
    """

    code: ClassVar[str] = "FLOW101"
    name: ClassVar[str] = "http-call-without-timeout"
    family: ClassVar[Family] = Family.TIMEOUT
    severity: ClassVar[Sev] = Sev.HIGH


class UnsignedWebhook(Rule):
    """A webhook handler that trusts its payload without checking the signature.

    ## What it finds
    A provider webhook route with no signature verification.

    ## Why it matters
    Anyone can forge events.

    ## Example
    `app.post("/webhooks/stripe", handler)`

    ## Fix
    Verify the signature over the raw body.
    """

    code: ClassVar[str] = "FLOW201"
    name: ClassVar[str] = "webhook-without-signature-check"
    family: ClassVar[Family] = Family.WEBHOOK_SIGNATURE
    severity: ClassVar[Sev] = Sev.CRITICAL


class RemovedField(Rule):
    """A field a caller still sends was removed from the server's model.

    ## What it finds
    Fields removed from a request model that callers still send.

    ## Why it matters
    Strict servers reject the request.

    ## Example
    `profile_id` removed from `MatchRequest`.

    ## Fix
    Deprecate first, remove later.
    """

    code: ClassVar[str] = "FLOW301"
    name: ClassVar[str] = "removed-request-field"
    family: ClassVar[Family] = Family.CONTRACT
    severity: ClassVar[Sev] = Sev.MEDIUM


class MissingLog(Rule):
    """A cross-service call with no log line around it."""

    code: ClassVar[str] = "FLOW401"
    name: ClassVar[str] = "cross-service-call-without-log"
    family: ClassVar[Family] = Family.OBSERVABILITY
    severity: ClassVar[Sev] = Sev.LOW


class NoTests(Rule):
    """A cross-service change without tests.

    ## What it finds
    Two services changed, no test did.
    """

    code: ClassVar[str] = "FLOW001"
    name: ClassVar[str] = "cross-service-change-without-tests"
    family: ClassVar[Family] = Family.GOVERNANCE
    severity: ClassVar[Sev] = Sev.INFO


class NoDedupe(Rule):
    """A webhook handler that processes a redelivered event twice."""

    code: ClassVar[str] = "FLOW202"
    name: ClassVar[str] = "webhook-without-dedupe"
    family: ClassVar[Family] = Family.IDEMPOTENCY
    severity: ClassVar[Sev] = Sev.HIGH


TEST_RULES: tuple[type[Rule], ...] = (
    NoTests,
    MissingTimeout,
    UnsignedWebhook,
    NoDedupe,
    RemovedField,
    MissingLog,
)
