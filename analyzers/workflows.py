"""The affected workflows of a review and the end-to-end scenarios that test them.

A workflow is what a changed service does for others: what triggers it
(routes, webhooks, schedules, queue consumers in its changed files), where its
data flows (its outbound calls, linked to the service or system they reach,
and queue producers) and what was found on the way. A service the diff did
not touch is affected too when it calls a route or a model the change
altered: its workflow lists those calls.

Scenarios follow the brief's five kinds and name the concrete routes, models,
calls and jobs involved, so that a tester can run them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from analyzers.context import ReviewContext
from analyzers.facts import (
    DataModel,
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
from analyzers.graph.contracts import ModelIndex
from analyzers.graph.delta import MODIFIED, UNCHANGED, LinkChange
from analyzers.graph.linking import BROKEN, Link
from analyzers.graph.targets import SERVICE
from analyzers.graph.types import shape_of

NO_TRIGGER = "no entry point (route, webhook, schedule, consumer) found in the changed files"
_MAX_FIELDS = 6  # fields named in a scenario step before "..."


def _facts_in(ctx: ReviewContext, service: str, paths: set[str]) -> list[Fact]:
    return [
        fact
        for file in ctx.head.files
        if file.service == service and (ctx.whole_repo or file.path in paths)
        for fact in file.facts
    ]


def _links_by_call(ctx: ReviewContext) -> dict[int, Link]:
    return {id(link.call): link for link in ctx.graph.head.links}


def _target_of(call: OutboundCall, links: dict[int, Link]) -> str | None:
    link = links.get(id(call))
    if link is not None and link.target.name is not None:
        return link.target.name
    return call.target


def _call_text(call: OutboundCall, links: dict[int, Link]) -> str:
    link = links.get(id(call))
    path = link.path if link is not None and link.path else call.url
    return f"{call.method} {path}"


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


def _data_flow(service: str, facts: Sequence[Fact], links: dict[int, Link]) -> list[str]:
    steps = []
    for fact in facts:
        if isinstance(fact, OutboundCall):
            target = _target_of(fact, links) or "unresolved target"
            steps.append(f"{service} → (HTTP {_call_text(fact, links)}) → {target}")
        elif isinstance(fact, QueueJob) and fact.role == "producer":
            steps.append(f"{service} → (queue {fact.system}:{fact.name}) → worker")
        elif isinstance(fact, ExternalSystemUse):
            steps.append(f"{service} → (SDK) → {fact.system}")
    return list(dict.fromkeys(steps))


def _consumer_changes(ctx: ReviewContext, changed: set[str]) -> list[LinkChange]:
    """Links into a changed service whose route, contract or reachability the change moved."""
    found = []
    for change in ctx.graph.changes:
        link = change.head
        if link is None or link.target.kind != SERVICE or link.target.name not in changed:
            continue
        endpoint = link.endpoint
        touched = endpoint is not None and ctx.touches_changed_lines(endpoint.location)
        if change.change != UNCHANGED or change.new_issues or change.newly_broken or touched:
            found.append(change)
    return found


def affected_workflows(ctx: ReviewContext, findings: Sequence[Finding]) -> tuple[Workflow, ...]:
    """One workflow per changed service (every service in a whole-repo review), plus one per
    unchanged service that calls what the change altered."""
    names = [s.name for s in ctx.services] if ctx.whole_repo else list(ctx.changed_services)
    changed_paths = {p for c in ctx.changes for p in ctx.changed_paths(c)}
    links = _links_by_call(ctx)
    consumers = [] if ctx.whole_repo else _consumer_changes(ctx, set(names))
    workflows = []
    for name in names:
        facts = _facts_in(ctx, name, changed_paths)
        files = sorted(p for p in changed_paths if ctx.service_of(p) == name)
        flow = _data_flow(name, facts, links)
        flow += [
            f"{c.link.call.service} → (HTTP {c.link.call.method} {c.link.path}) → {name}"
            for c in consumers
            if c.link.target.name == name
        ]
        triggers = _trigger(facts)
        # Findings about the change as a whole (no service) belong to no single workflow.
        related = tuple(f for f in findings if f.service == name)
        workflows.append(
            Workflow(
                name=f"{name}: {'whole service' if ctx.whole_repo else 'changed behaviour'}",
                trigger=", ".join(triggers) if triggers else NO_TRIGGER,
                services=tuple(dict.fromkeys([name, *_targets(facts, links)])),
                data_flow=tuple(dict.fromkeys(flow)),
                findings=related,
                files=tuple(files),
            )
        )
    by_consumer: dict[str, list[LinkChange]] = {}
    for change in consumers:
        if change.link.call.service not in names:
            by_consumer.setdefault(change.link.call.service, []).append(change)
    for consumer, changes in sorted(by_consumer.items()):
        targets = list(dict.fromkeys(c.link.target.name or "" for c in changes))
        calls = [
            f"{c.link.call.method} {c.link.path} "
            f"({c.link.call.location.path}:{c.link.call.location.line})"
            for c in changes
        ]
        workflows.append(
            Workflow(
                name=f"{consumer}: depends on the changed {', '.join(targets)}",
                trigger="its calls to " + "; ".join(dict.fromkeys(calls)),
                services=tuple(dict.fromkeys([consumer, *targets])),
                data_flow=tuple(
                    dict.fromkeys(
                        f"{consumer} → (HTTP {c.link.call.method} {c.link.path}) → "
                        f"{c.link.target.name}"
                        for c in changes
                    )
                ),
                findings=tuple(f for f in findings if f.service == consumer),
                files=tuple(sorted({c.link.call.location.path for c in changes})),
            )
        )
    return tuple(workflows)


def _targets(facts: Iterable[Fact], links: dict[int, Link]) -> list[str]:
    found = []
    for fact in facts:
        if isinstance(fact, OutboundCall):
            target = _target_of(fact, links)
            if target:
                found.append(target)
        elif isinstance(fact, ExternalSystemUse):
            found.append(fact.system)
    return list(dict.fromkeys(found))


# --- scenarios --------------------------------------------------------------------------------


def _model_text(models: ModelIndex, ref: str | None, service: str) -> str:
    """`MatchRequest {candidate_id, job_ids, limit}` for a model the code names."""
    shape = shape_of(ref)
    if shape is None:
        return ""
    model = models.resolve(shape.core, service)
    text = _model_fields(model) if model is not None else shape.core.rsplit(".", 1)[-1]
    return f"a list of {text}" if shape.arrays else text


def _model_fields(model: DataModel) -> str:
    names = [f.wire_name for f in model.fields if f.wire_name]
    shown = ", ".join(names[:_MAX_FIELDS]) + (", ..." if len(names) > _MAX_FIELDS else "")
    return f"{model.name.rsplit('.', 1)[-1].rsplit('#', 1)[-1]} {{{shown}}}"


def _happy_steps(
    call: OutboundCall, links: dict[int, Link], models: ModelIndex
) -> tuple[str, str] | None:
    link = links.get(id(call))
    if link is None or link.target.name is None:
        return None
    sent = _model_text(models, call.request_type, call.service)
    step = f"{call.service} calls {link.target.name}: {call.method} {link.path or call.url}"
    if sent:
        step += f" with {sent}"
    endpoint = link.endpoint
    reply = ""
    if endpoint is not None:
        reply = _model_text(models, endpoint.response_model, endpoint.service)
    status = endpoint.status_code if endpoint is not None and endpoint.status_code else "2xx"
    expected = f"{link.target.name} answers {status}" + (f" with {reply}" if reply else "")
    return step, expected


def scenarios_for(ctx: ReviewContext, workflows: Sequence[Workflow]) -> tuple[Scenario, ...]:
    links = _links_by_call(ctx)
    models = ModelIndex((m for m in ctx.head.of_type(DataModel)), ctx.services)
    scenarios: list[Scenario] = []
    for workflow in workflows:
        service = workflow.services[0]
        facts = _facts_in(ctx, service, set(workflow.files))
        calls = [f for f in facts if isinstance(f, OutboundCall) and id(f) in links]
        entry = (
            f"exercise the changed code of {service} ({', '.join(workflow.files[:3])})"
            if workflow.trigger == NO_TRIGGER
            else workflow.trigger
        )
        steps = [
            f"Start every service of the workflow: {', '.join(workflow.services)}",
            f"Trigger it: {entry}",
        ]
        expectations = []
        for call in calls:
            happy = _happy_steps(call, links, models)
            if happy is not None:
                steps.append(happy[0])
                expectations.append(happy[1])
        if len(steps) == 2:
            steps.append("Follow the request through each step of the data flow")
        scenarios.append(
            Scenario(
                kind="happy",
                workflow=workflow.name,
                steps=tuple(dict.fromkeys(steps)),
                expected="; ".join(dict.fromkeys(expectations))
                + ("; " if expectations else "")
                + "every step succeeds and the state in each service agrees",
            )
        )
        scenarios += _failure_scenarios(workflow, calls, links)
        scenarios += _async_scenarios(workflow, facts)
        scenarios += _rollout_scenarios(ctx, workflow, entry)
    return tuple(scenarios)


def _failure_scenarios(
    workflow: Workflow, calls: Sequence[OutboundCall], links: dict[int, Link]
) -> list[Scenario]:
    scenarios = []
    for call in calls:
        link = links[id(call)]
        target = link.target.name or f"the server behind {call.url}"
        where = f"{call.location.path}:{call.location.line}"
        if link.status in BROKEN:
            scenarios.append(
                Scenario(
                    kind="failure",
                    workflow=workflow.name,
                    steps=(f"Trigger the call {call.method} {link.path} to {target} ({where})",),
                    expected=f"It fails today: {target} serves no such route. Add the route, "
                    "then the call succeeds",
                )
            )
            continue
        scenarios.append(
            Scenario(
                kind="failure",
                workflow=workflow.name,
                steps=(
                    f"Make {target} time out, then answer 503, then 429 with Retry-After",
                    f"Trigger the call {call.method} {link.path or call.url} ({where})",
                ),
                expected="The caller gives up within its timeout, retries with backoff, "
                "and degrades or fails with a clear, logged error",
            )
        )
        if call.in_loop:
            scenarios.append(
                Scenario(
                    kind="stress",
                    workflow=workflow.name,
                    steps=(
                        f"Give the loop around {call.method} {link.path or call.url} ({where}) "
                        "a thousand items while " + target + " answers slowly",
                    ),
                    expected=f"Calls to {target} stay within its rate limit and the run "
                    "finishes or stops cleanly",
                )
            )
    return scenarios


def _async_scenarios(workflow: Workflow, facts: Sequence[Fact]) -> list[Scenario]:
    scenarios = []
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
        elif isinstance(fact, QueueJob) and fact.role == "producer":
            scenarios.append(
                Scenario(
                    kind="consistency",
                    workflow=workflow.name,
                    steps=(
                        f"Enqueue {fact.system} job {fact.name} "
                        f"({fact.location.path}:{fact.location.line}) and make its worker fail "
                        "once, then succeed",
                    ),
                    expected="After the retry the data the job writes matches what the "
                    "request recorded; nothing is written twice or lost",
                )
            )
        elif isinstance(fact, ScheduledJob):
            scenarios.append(
                Scenario(
                    kind="stress",
                    workflow=workflow.name,
                    steps=(f"Make one run of {fact.name} outlast its schedule '{fact.schedule}'",),
                    expected="Runs do not overlap, or overlapping runs do no double work",
                )
            )
    return scenarios


def _rollout_scenarios(ctx: ReviewContext, workflow: Workflow, entry: str) -> list[Scenario]:
    if len(workflow.services) < 2:
        return []
    service = workflow.services[0]
    moved = [
        c
        for c in ctx.graph.changes
        if c.change == MODIFIED
        and c.head is not None
        and service in (c.head.call.service, c.head.target.name)
        and c.head.target.kind == SERVICE
    ]
    steps = [
        f"Deploy the changed {service} while {', '.join(workflow.services[1:])} still runs "
        "the base version",
        f"Trigger it: {entry}",
    ]
    steps += [
        f"Send {c.head.call.method} {c.head.path} from {c.head.call.service} to "
        f"{c.head.target.name} the way the base version does (changed: {', '.join(c.what)})"
        for c in moved
        if c.head is not None
    ]
    return [
        Scenario(
            kind="consistency",
            workflow=workflow.name,
            steps=tuple(dict.fromkeys(steps)),
            expected="Both versions interoperate during the rollout; no request fails "
            "on a field one side does not know yet",
        )
    ]
