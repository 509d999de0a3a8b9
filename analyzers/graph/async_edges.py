"""Edges no HTTP call of the repository makes: webhooks into a service, jobs across a queue.

- A webhook edge runs from the provider that sends the events (Stripe, GitHub) to
  the service whose handler verifies them, at the route that serves the handler
  (matched by the handler's name, else by the route's lines holding it). An edge
  from a generic sender is left out: the sender is not known.
- A queue edge runs from a service that enqueues a job to another service whose
  worker consumes that queue, on the same system (BullMQ and Bull share queues).
  A producer with no consumer in the repository makes no edge: the worker may
  live elsewhere, and an edge would be a guess.

Both sides are paired like HTTP links: the same edge at base and head is unchanged,
or modified when its route's middleware, its handler, its producer or its consumer
changed what the rules read of them; the rest is added or removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from analyzers.facts import Edge, Endpoint, Fact, Location, QueueJob, WebhookHandler
from analyzers.graph.delta import ADDED, MODIFIED, REMOVED, UNCHANGED

WEBHOOK = "webhook"
QUEUE = "queue"
_UNKNOWN_SENDERS = frozenset({"", "generic"})
_SHARED_QUEUES = {"bull": "bullmq"}  # Bull and BullMQ read the same Redis queues


@dataclass(frozen=True, slots=True)
class AsyncLink:
    kind: str  # webhook or queue
    source: str  # the provider, or the producing service
    target: str  # the receiving service
    method: str  # the route's method for a webhook; the queue system for a queue
    path: str  # the route's path ("" when no route serves the handler), or the queue
    call: Location | None  # the producer's enqueue; None for a webhook
    endpoint: Location  # the route (else the handler) or the worker
    # What a change of the edge's ends is read from: the route's middleware and parser, the
    # handler's checks; the producer's and the consumer's retry, dead letter and key.
    sides: tuple[tuple[str, object], ...]

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.kind, self.source, self.target, self.method, self.path)


def async_links(facts: Iterable[Fact], include: Callable[[str], bool]) -> list[AsyncLink]:
    """The webhook and queue links among `facts` whose files `include` accepts."""
    handlers: list[WebhookHandler] = []
    endpoints: list[Endpoint] = []
    producers: list[QueueJob] = []
    consumers: list[QueueJob] = []
    for fact in facts:
        if isinstance(fact, WebhookHandler | Endpoint | QueueJob) and not include(
            fact.location.path
        ):
            continue
        if isinstance(fact, WebhookHandler):
            handlers.append(fact)
        elif isinstance(fact, Endpoint):
            endpoints.append(fact)
        elif isinstance(fact, QueueJob):
            (producers if fact.role == "producer" else consumers).append(fact)
    return [*_webhooks(handlers, endpoints), *_queues(producers, consumers)]


def _webhooks(
    handlers: Sequence[WebhookHandler], endpoints: Sequence[Endpoint]
) -> Iterable[AsyncLink]:
    by_handler: dict[tuple[str, str], Endpoint] = {}
    for endpoint in endpoints:
        by_handler.setdefault((endpoint.service, endpoint.handler), endpoint)
    for handler in handlers:
        if handler.provider in _UNKNOWN_SENDERS:
            continue
        route = by_handler.get((handler.service, handler.handler)) if handler.handler else None
        if route is None:
            route = next((e for e in endpoints if _holds(e.location, handler.location)), None)
        checks = (
            ("signature", handler.verifies_signature),
            ("raw body", handler.reads_raw_body),
            ("deduplication", handler.deduplicates),
            ("parsed first", handler.parses_before_verifying),
        )
        middleware = (
            (("middleware", (route.middleware, route.body_parser)),) if route is not None else ()
        )
        yield AsyncLink(
            WEBHOOK,
            handler.provider,
            handler.service,
            route.method if route is not None else "POST",
            route.path if route is not None else "",
            None,
            route.location if route is not None else handler.location,
            (*middleware, ("handler", checks)),
        )


def _holds(outer: Location, inner: Location) -> bool:
    """Whether one span holds the other, in one file (a decorated def and its route)."""
    if outer.path != inner.path:
        return False
    return (outer.line <= inner.line and inner.end_line <= outer.end_line) or (
        inner.line <= outer.line and outer.end_line <= inner.end_line
    )


def _queue_of(job: QueueJob) -> tuple[str, str]:
    """(system, queue): a BullMQ producer is named `queue:job`, its worker by the queue."""
    system = _SHARED_QUEUES.get(job.system, job.system)
    name = job.name.split(":", 1)[0] if system == "bullmq" else job.name
    return system, name


def _queues(producers: Sequence[QueueJob], consumers: Sequence[QueueJob]) -> Iterable[AsyncLink]:
    workers: dict[tuple[str, str], list[QueueJob]] = {}
    for consumer in consumers:
        workers.setdefault(_queue_of(consumer), []).append(consumer)
    for producer in producers:
        system, queue = _queue_of(producer)
        seen: set[str] = set()
        for consumer in workers.get((system, queue), ()):
            if consumer.service == producer.service or consumer.service in seen:
                continue  # a service's own worker is no edge between services
            seen.add(consumer.service)
            yield AsyncLink(
                QUEUE,
                producer.service,
                consumer.service,
                system,
                queue,
                producer.location,
                consumer.location,
                (
                    ("producer", _job_options(producer)),
                    ("consumer", _job_options(consumer)),
                ),
            )


def _job_options(job: QueueJob) -> tuple[object, ...]:
    return (job.retry, job.dead_letter, job.idempotency_key)


def async_edges(
    base: Sequence[AsyncLink] | None,
    head: Sequence[AsyncLink],
    keep: Callable[[AsyncLink, str], bool] = lambda link, change: True,
) -> tuple[Edge, ...]:
    """Each link with its change, base against head (every link unchanged with no base);
    `keep(link, change)` chooses which become edges."""
    found: list[Edge] = []
    unpaired: dict[tuple[str, ...], list[AsyncLink]] = {}
    for link in base or ():
        unpaired.setdefault(link.key, []).append(link)
    for link in head:
        before = unpaired.get(link.key)
        what: tuple[str, ...] = ()
        if base is None:
            change = UNCHANGED
        elif before:
            earlier = before.pop(0)
            now, then = dict(link.sides), dict(earlier.sides)
            what = tuple(
                name for name in dict.fromkeys([*now, *then]) if now.get(name) != then.get(name)
            )
            change = MODIFIED if what else UNCHANGED
        else:
            change = ADDED
        if keep(link, change):
            found.append(_edge(link, change, what))
    for links in unpaired.values():
        found.extend(_edge(link, REMOVED, ()) for link in links if keep(link, REMOVED))
    return tuple(found)


def _edge(link: AsyncLink, change: str, what: tuple[str, ...]) -> Edge:
    return Edge(
        source=link.source,
        target=link.target,
        kind=link.kind,
        method=link.method,
        path=link.path,
        change=change,
        call=link.call,
        endpoint=link.endpoint,
        detail=", ".join(what),
        source_kind="external" if link.kind == WEBHOOK else "service",
    )
