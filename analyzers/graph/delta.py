"""The graph at base against the graph at head: which links were added, removed or modified.

A call is the same call at both sides when it sits in the same function of
the same file and sends the same method to the same target path. One that
kept its function and target but changed its path or method is the same call
modified, as is one whose route or data contract changed on either side.
Everything else is added or removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analyzers.facts import Edge, UnresolvedCall
from analyzers.graph.contracts import ContractIssue, problem_of
from analyzers.graph.linking import BROKEN, OUTSIDE, UNRESOLVED, Graph, Link
from analyzers.graph.paths import normalize_path
from analyzers.graph.targets import SERVICE

ADDED = "added"
REMOVED = "removed"
MODIFIED = "modified"
UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class LinkChange:
    change: str
    head: Link | None
    base: Link | None
    what: tuple[str, ...] = ()  # for a modified link: path, method, route, request, response

    @property
    def new_issues(self) -> tuple[ContractIssue, ...]:
        """The head link's contract issues its base counterpart did not have."""
        if self.head is None:
            return ()
        if self.base is None:
            return self.head.issues
        before = {(problem_of(i.kind), i.field) for i in self.base.issues}
        return tuple(i for i in self.head.issues if (problem_of(i.kind), i.field) not in before)

    @property
    def newly_broken(self) -> bool:
        """The head link misses its route, and its base counterpart (if any) did not."""
        if self.head is None or self.head.status not in BROKEN:
            return False
        return self.base is None or self.base.status not in BROKEN

    @property
    def link(self) -> Link:
        found = self.head or self.base
        assert found is not None  # a change has at least one side
        return found


class GraphDelta:
    """Both graphs and the change of every link, with each head link's base counterpart."""

    def __init__(self, head: Graph, base: Graph | None, changes: tuple[LinkChange, ...]) -> None:
        self.head = head
        self.base = base
        self.changes = changes
        self._by_head = {id(c.head): c for c in changes if c.head is not None}

    def change_of(self, link: Link) -> LinkChange | None:
        return self._by_head.get(id(link))

    def base_of(self, link: Link) -> Link | None:
        change = self.change_of(link)
        return change.base if change is not None else None


def diff_graphs(base: Graph | None, head: Graph) -> GraphDelta:
    if base is None:
        return GraphDelta(
            head, None, tuple(LinkChange(UNCHANGED, link, None) for link in head.links)
        )
    changes: list[LinkChange] = []
    unpaired_base: dict[tuple[str, ...], list[Link]] = {}
    for link in base.links:
        unpaired_base.setdefault(link.key, []).append(link)
    unpaired_head: list[Link] = []
    for link in head.links:
        same = unpaired_base.get(link.key)
        if same:
            before = same.pop(0)
            what = _what_changed(before, link)
            changes.append(LinkChange(MODIFIED if what else UNCHANGED, link, before, what))
        else:
            unpaired_head.append(link)
    # A call that kept its function and target but changed its path or method.
    by_function: dict[tuple[str, str, str, str], list[Link]] = {}
    for links in unpaired_base.values():
        for link in links:
            by_function.setdefault(_function_key(link), []).append(link)
    for link in unpaired_head:
        candidates = by_function.get(_function_key(link))
        if candidates:
            before = candidates.pop(0)
            what = _what_changed(before, link)
            changes.append(LinkChange(MODIFIED, link, before, what or ("path",)))
        else:
            changes.append(LinkChange(ADDED, link, None))
    for links in by_function.values():
        changes.extend(LinkChange(REMOVED, None, link) for link in links)
    return GraphDelta(head, base, tuple(changes))


def _function_key(link: Link) -> tuple[str, str, str, str]:
    call = link.call
    return (call.service, call.location.path, call.function or "", link.target.name or "")


def _what_changed(before: Link, after: Link) -> tuple[str, ...]:
    what = []
    if normalize_path(before.target.path) != normalize_path(after.target.path):
        what.append("path")
    if before.call.method != after.call.method:
        what.append("method")
    if before.status != after.status or _route(before) != _route(after):
        what.append("route")
    if before.contract and after.contract:  # contracts exist where both calls found a route
        if before.contract[:2] != after.contract[:2] or before.contract[4:] != after.contract[4:]:
            what.append("request")
        if before.contract[2:4] != after.contract[2:4]:
            what.append("response")
    return tuple(what)


def _route(link: Link) -> tuple[str, str] | None:
    endpoint = link.endpoint
    return (endpoint.method, endpoint.path) if endpoint is not None else None


def edges(delta: GraphDelta, keep: Iterable[LinkChange] | None = None) -> tuple[Edge, ...]:
    """The review's edges: links to a service or an external system, with their change."""
    found = []
    for change in delta.changes if keep is None else keep:
        link = change.link
        if link.status == UNRESOLVED or link.target.name is None:
            continue
        endpoint = link.endpoint if change.head is not None else None
        if change.head is None and change.base is not None:
            endpoint = change.base.endpoint
        found.append(
            Edge(
                source=link.call.service,
                target=link.target.name,
                kind="http",
                method=link.call.method,
                path=link.path,
                change=change.change,
                call=link.call.location,
                endpoint=endpoint.location if endpoint is not None else None,
                target_kind=SERVICE if link.status != OUTSIDE else "external",
                status=link.status,
                detail=", ".join(change.what),
                issues=tuple(f"{i.kind}:{i.field}" for i in change.new_issues),
            )
        )
    return tuple(found)


def unresolved(links: Iterable[Link]) -> tuple[UnresolvedCall, ...]:
    return tuple(
        UnresolvedCall(
            service=link.call.service,
            location=link.call.location,
            method=link.call.method,
            url=link.call.url,
            reason=link.target.reason,
        )
        for link in links
        if link.status == UNRESOLVED
    )
