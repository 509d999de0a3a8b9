"""The integration graph of one tree: every outbound call, where it goes, and what it hits.

A call is linked in two steps: its base URL to a target (`targets.Directory`),
then, for a target that is a service of the repository, its method and path
to the routes of that service. The outcome is one of:

- `matched`: a route serves it; the contract of the pair is compared;
- `no-route`: the target serves no route on that path (a 404);
- `wrong-method`: routes serve the path, none with that method (a 405);
- `unverified`: the target is a service whose routes the analyzers cannot
  read at all (no route found in it), so a missing route proves nothing;
- `external` and `unknown`: the call leaves the repository, or its target
  cannot be told (with the reason).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analyzers.facts import (
    DataModel,
    Endpoint,
    EnvSetting,
    Fact,
    FetchWrapper,
    HostName,
    Listener,
    Location,
    OutboundCall,
    Rewrite,
)
from analyzers.graph.contracts import ContractIssue, ModelIndex, body_of, compare, signature
from analyzers.graph.paths import (
    OPTIONAL_PARAM,
    PARAM,
    PathTemplate,
    display_path,
    match_score,
    normalize_path,
    parse_path,
    path_matches,
    strip_query,
)
from analyzers.graph.targets import EXTERNAL, SERVICE, Directory, Target

if TYPE_CHECKING:
    from analyzers.config import Config
    from analyzers.services import ServiceMap

MATCHED = "matched"
NO_ROUTE = "no-route"
WRONG_METHOD = "wrong-method"
UNVERIFIED = "unverified"
OUTSIDE = "external"
UNRESOLVED = "unknown"
BROKEN = frozenset({NO_ROUTE, WRONG_METHOD})
# Methods a route of one method also answers.
_ALSO_SERVES = {"GET": ("HEAD",)}


@dataclass(frozen=True, slots=True)
class Link:
    call: OutboundCall
    target: Target
    status: str
    endpoint: Endpoint | None = None
    allowed: tuple[str, ...] = ()  # methods the path is served with, for a wrong method
    issues: tuple[ContractIssue, ...] = ()
    contract: tuple[object, ...] = ()  # what the pair's contract depends on

    @property
    def path(self) -> str:
        """The path as the target sees it; the route's own spelling when one matched."""
        if self.endpoint is not None:
            return self.endpoint.path
        return display_path(self.target.path) if self.target.path else ""

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """Which call this is, independent of its line: service, file, function, verb, target."""
        call = self.call
        return (
            call.service,
            call.location.path,
            call.function or "",
            call.method,
            f"{self.target.name or ''} {normalize_path(self.target.path)}",
        )


@dataclass(frozen=True, slots=True)
class Graph:
    links: tuple[Link, ...] = ()
    endpoints: Mapping[str, tuple[Endpoint, ...]] = field(default_factory=dict)

    def endpoints_of(self, service: str) -> tuple[Endpoint, ...]:
        return self.endpoints.get(service, ())

    def services_calling(self, service: str) -> set[str]:
        return {
            link.call.service
            for link in self.links
            if link.target.kind == SERVICE and link.target.name == service
        }


class _Routes:
    """One service's endpoints, indexed by segment count so that matching stays cheap."""

    def __init__(self, endpoints: Iterable[Endpoint]) -> None:
        self.by_length: dict[int, list[tuple[PathTemplate, Endpoint]]] = {}
        self.rest: list[tuple[PathTemplate, Endpoint]] = []
        self._firsts: set[str] | None = None  # every route's first segment, for `covers`
        for endpoint in endpoints:
            template = _route_template(endpoint)
            if template.has_rest:
                self.rest.append((template, endpoint))
            else:
                self.by_length.setdefault(len(template.segments), []).append((template, endpoint))

    def covers(self, call: PathTemplate) -> bool:
        """Whether some route shares the call's first segment: the part of the service the
        analyzers read, where a missing route is a real 404."""
        if not call.segments:
            return bool(self.by_length or self.rest)
        if self._firsts is None:
            # Once per service, not once per call that matches no route.
            routes = [t for ts in self.by_length.values() for t, _ in ts] + [
                t for t, _ in self.rest
            ]
            self._firsts = {t.segments[0] for t in routes if t.segments}
        return call.segments[0] in self._firsts or PARAM in self._firsts

    def matching(self, call: PathTemplate) -> list[tuple[PathTemplate, Endpoint]]:
        candidates = self.by_length.get(len(call.segments), [])
        if call.has_rest:
            candidates = [c for length, cs in self.by_length.items() for c in cs]
        found = [(t, e) for t, e in candidates if path_matches(call, t)]
        found += [(t, e) for t, e in self.rest if path_matches(call, t)]
        return found


def _route_template(endpoint: Endpoint) -> PathTemplate:
    """The route's path, with a last path parameter the route marks optional as optional."""
    template = parse_path(endpoint.path)
    segments = template.segments
    if segments and segments[-1] == PARAM:
        last = endpoint.path.rstrip("/").rsplit("/", 1)[-1].strip("{}")
        if any(p.source == "path" and p.name == last and not p.required for p in endpoint.params):
            return PathTemplate((*segments[:-1], OPTIONAL_PARAM))
    return template


def build_graph(
    facts: Iterable[Fact],
    service_map: ServiceMap,
    config: Config,
    *,
    include: Callable[[str], bool] = lambda path: True,
) -> Graph:
    """Link every call of the tree; `include` leaves out calls in some files (tests)."""
    endpoints: list[Endpoint] = []
    calls: list[OutboundCall] = []
    models: list[DataModel] = []
    rewrites: list[Rewrite] = []
    listeners: list[Listener] = []
    hosts: list[HostName] = []
    settings: list[EnvSetting] = []
    wrappers: dict[str, list[Location]] = {}
    for fact in facts:
        if isinstance(fact, OutboundCall):
            if include(fact.location.path):
                calls.append(fact)
        elif isinstance(fact, FetchWrapper):
            wrappers.setdefault(fact.location.path, []).append(fact.location)
        elif isinstance(fact, Endpoint):
            endpoints.append(fact)
        elif isinstance(fact, DataModel):
            models.append(fact)
        elif isinstance(fact, Rewrite):
            rewrites.append(fact)
        elif isinstance(fact, Listener):
            listeners.append(fact)
        elif isinstance(fact, HostName):
            hosts.append(fact)
        elif isinstance(fact, EnvSetting):
            settings.append(fact)
    # A fetch wrapper's own call (`fetch(`${BASE}${path}`)`) has no path of its own: its
    # callers are linked, each with the path it passes.
    calls = [call for call in calls if not _inside_wrapper(call, wrappers)]
    directory = Directory(service_map, config, endpoints, rewrites, listeners, hosts, settings)
    by_service: dict[str, list[Endpoint]] = {}
    for endpoint in endpoints:
        by_service.setdefault(endpoint.service, []).append(endpoint)
    routes = {name: _Routes(eps) for name, eps in by_service.items()}
    index = ModelIndex(models, service_map.services)
    links = tuple(_link(call, directory, routes, index) for call in calls)
    return Graph(links, {name: tuple(eps) for name, eps in by_service.items()})


def _inside_wrapper(call: OutboundCall, wrappers: Mapping[str, list[Location]]) -> bool:
    spans = wrappers.get(call.location.path)
    if not spans or parse_path(strip_query(_path_part(call.url))).literal_count:
        return False
    return any(s.line <= call.location.line <= s.end_line for s in spans)


def _path_part(url: str) -> str:
    """The URL after its origin (scheme and host, or a leading placeholder)."""
    rest = re.sub(r"^(?:[a-z][a-z0-9+.-]*://[^/]*|\{[^{}]+\})", "", url, flags=re.IGNORECASE)
    return rest or "/"


def _link(
    call: OutboundCall, directory: Directory, routes: dict[str, _Routes], models: ModelIndex
) -> Link:
    target = directory.resolve(call.service, call.url, call.defaults)
    if target.kind == EXTERNAL:
        return Link(call, target, OUTSIDE)
    if target.kind != SERVICE or target.name is None:
        return Link(call, target, UNRESOLVED)
    template = parse_path(target.path)
    if template.segments and template.literal_count == 0:
        reason = f"{target.reason}; the path `{target.path}` is not known before run time"
        return Link(call, Target(target.kind, target.name, "", reason), UNRESOLVED)
    service_routes = routes.get(target.name)
    if service_routes is None:
        return Link(call, target, UNVERIFIED)
    matches = service_routes.matching(template)
    if not matches:
        if not service_routes.covers(template):
            # Routes under this first segment may live where the analyzers cannot read them
            # (a mounted sub-application, a proxy, static files): not a proven 404.
            reason = f"{target.reason}; no route of {target.name} is read under this prefix"
            return Link(call, Target(target.kind, target.name, target.path, reason), UNVERIFIED)
        return Link(call, target, NO_ROUTE)
    serving = [(t, e) for t, e in matches if _serves(e.method, call.method)]
    if not serving:
        allowed = tuple(sorted({e.method for _, e in matches}))
        return Link(call, target, WRONG_METHOD, allowed=allowed)
    # the closest route; between equals, the code's own over a document's (OpenAPI)
    _, endpoint = max(
        serving,
        key=lambda pair: (match_score(template, pair[0]), pair[1].framework != "openapi"),
    )
    issues = compare(call, endpoint, models, models)
    contract = (
        signature(body_of(call.request_type, call.service, models)),
        signature(body_of(endpoint.request_model, endpoint.service, models)),
        signature(body_of(call.response_type, call.service, models)),
        signature(body_of(endpoint.response_model, endpoint.service, models)),
        endpoint.params,
    )
    return Link(call, target, MATCHED, endpoint, issues=issues, contract=contract)


def _serves(route_method: str, call_method: str) -> bool:
    if route_method in ("*", call_method) or call_method == "*":
        return True
    return call_method in _ALSO_SERVES.get(route_method, ())


def linked_services(links: Sequence[Link]) -> set[str]:
    return {link.target.name for link in links if link.target.kind == SERVICE and link.target.name}
