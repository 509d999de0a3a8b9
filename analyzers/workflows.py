"""The affected workflows of a review and the end-to-end scenarios that test them.

A workflow is what a changed service does for others: what triggers it
(routes, webhooks, schedules, queue consumers in its changed files), where its
data flows (its outbound calls and queue producers) and what was found on the
way. Scenarios follow the brief's five kinds and name the concrete routes,
calls and jobs involved, so that a tester can run them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from analyzers.context import ReviewContext
from analyzers.facts import (
    Endpoint,
    ExternalSystemUse,
    Fact,
    Finding,
    OutboundCall,
    QueueJob,
    Scenario,
    ScheduledJob,
    WebhookHandler,
    Workflow,
)

NO_TRIGGER = "no entry point (route, webhook, schedule, consumer) found in the changed files"


def _facts_in(ctx: ReviewContext, service: str, paths: set[str]) -> list[Fact]:
    return [
        fact
        for file in ctx.head.files
        if file.service == service and (ctx.whole_repo or file.path in paths)
        for fact in file.facts
    ]


def _trigger(facts: Sequence[Fact]) -> list[str]:
    triggers = []
    for fact in facts:
        if isinstance(fact, Endpoint):
            triggers.append(f"HTTP {fact.method} {fact.path}")
        elif isinstance(fact, WebhookHandler):
            triggers.append(f"{fact.provider} webhook")
        elif isinstance(fact, ScheduledJob):
            triggers.append(f"schedule '{fact.schedule}' ({fact.name})")
        elif isinstance(fact, QueueJob) and fact.role == "consumer":
            triggers.append(f"{fact.system} job {fact.name}")
    return list(dict.fromkeys(triggers))


def _data_flow(service: str, facts: Sequence[Fact]) -> list[str]:
    steps = []
    for fact in facts:
        if isinstance(fact, OutboundCall):
            target = fact.target or "unresolved target"
            steps.append(f"{service} → (HTTP {fact.method} {fact.url}) → {target}")
        elif isinstance(fact, QueueJob) and fact.role == "producer":
            steps.append(f"{service} → (queue {fact.system}:{fact.name}) → worker")
        elif isinstance(fact, ExternalSystemUse):
            steps.append(f"{service} → (SDK) → {fact.system}")
    return list(dict.fromkeys(steps))


def affected_workflows(ctx: ReviewContext, findings: Sequence[Finding]) -> tuple[Workflow, ...]:
    """One workflow per changed service (every service in a whole-repo review)."""
    names = [s.name for s in ctx.services] if ctx.whole_repo else list(ctx.changed_services)
    changed_paths = {p for c in ctx.changes for p in ctx.changed_paths(c)}
    workflows = []
    for name in names:
        facts = _facts_in(ctx, name, changed_paths)
        files = sorted(p for p in changed_paths if ctx.service_of(p) == name)
        flow = _data_flow(name, facts)
        triggers = _trigger(facts)
        # Findings about the change as a whole (no service) belong to no single workflow.
        related = tuple(f for f in findings if f.service == name)
        workflows.append(
            Workflow(
                name=f"{name}: {'whole service' if ctx.whole_repo else 'changed behaviour'}",
                trigger=", ".join(triggers) if triggers else NO_TRIGGER,
                services=tuple(dict.fromkeys([name, *_targets(facts)])),
                data_flow=tuple(flow),
                findings=related,
                files=tuple(files),
            )
        )
    return tuple(workflows)


def _targets(facts: Iterable[Fact]) -> list[str]:
    found = []
    for fact in facts:
        if isinstance(fact, OutboundCall) and fact.target:
            found.append(fact.target)
        elif isinstance(fact, ExternalSystemUse):
            found.append(fact.system)
    return list(dict.fromkeys(found))


def scenarios_for(ctx: ReviewContext, workflows: Sequence[Workflow]) -> tuple[Scenario, ...]:
    scenarios: list[Scenario] = []
    for workflow in workflows:
        service = workflow.services[0]
        facts = _facts_in(ctx, service, set(workflow.files))
        entry = (
            f"exercise the changed code of {service} ({', '.join(workflow.files[:3])})"
            if workflow.trigger == NO_TRIGGER
            else workflow.trigger
        )
        scenarios.append(
            Scenario(
                kind="happy",
                workflow=workflow.name,
                steps=(
                    f"Start every service of the workflow: {', '.join(workflow.services)}",
                    f"Trigger it: {entry}",
                    "Follow the request through each step of the data flow",
                ),
                expected="Every step succeeds and the state in each service agrees",
            )
        )
        for call in (f for f in facts if isinstance(f, OutboundCall)):
            target = call.target or call.url
            scenarios.append(
                Scenario(
                    kind="failure",
                    workflow=workflow.name,
                    steps=(
                        f"Make {target} time out, then answer 503, then 429 with Retry-After",
                        f"Trigger the call {call.method} {call.url} "
                        f"({call.location.path}:{call.location.line})",
                    ),
                    expected="The caller gives up within its timeout, retries with backoff, "
                    "and degrades or fails with a clear, logged error",
                )
            )
        for fact in facts:
            if isinstance(fact, WebhookHandler | QueueJob) and (
                not isinstance(fact, QueueJob) or fact.role == "consumer"
            ):
                what = fact.provider + " webhook" if isinstance(fact, WebhookHandler) else fact.name
                scenarios.append(
                    Scenario(
                        kind="idempotency",
                        workflow=workflow.name,
                        steps=(f"Deliver the same {what} event twice, concurrently",),
                        expected="The effect happens exactly once; the duplicate is acknowledged",
                    )
                )
            elif isinstance(fact, ScheduledJob):
                scenarios.append(
                    Scenario(
                        kind="stress",
                        workflow=workflow.name,
                        steps=(
                            f"Make one run of {fact.name} outlast its schedule '{fact.schedule}'",
                        ),
                        expected="Runs do not overlap, or overlapping runs do no double work",
                    )
                )
        if len(workflow.services) > 1:
            scenarios.append(
                Scenario(
                    kind="consistency",
                    workflow=workflow.name,
                    steps=(
                        f"Deploy the changed {service} while "
                        f"{', '.join(workflow.services[1:])} still runs the base version",
                        f"Trigger it: {entry}",
                    ),
                    expected="Both versions interoperate during the rollout; no request fails "
                    "on a field one side does not know yet",
                )
            )
    return tuple(scenarios)
