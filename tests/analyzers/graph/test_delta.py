"""The graph at base against the graph at head: added, removed, modified and unchanged links."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from analyzers.config import Config
from analyzers.facts import (
    DataModel,
    Endpoint,
    EndpointParam,
    Fact,
    Location,
    ModelField,
    OutboundCall,
    Service,
    UnresolvedCall,
)
from analyzers.graph.delta import (
    ADDED,
    MODIFIED,
    REMOVED,
    UNCHANGED,
    GraphDelta,
    LinkChange,
    diff_graphs,
    edges,
    unresolved,
)
from analyzers.graph.linking import MATCHED, NO_ROUTE, Graph, build_graph
from analyzers.services import ServiceMap

QUOTES = Service("quotes", "services/quotes", ("python",))
WEB = Service("web", "apps/web", ("typescript",))
SERVICES = ServiceMap(
    services=(QUOTES, WEB), patterns=tuple((s.name, (s.root,)) for s in (QUOTES, WEB))
)
CALL_FILE = "apps/web/src/api.ts"
ROUTE_AT = Location("services/quotes/app/main.py", 12, 12)


def field(name: str, type: str = "str", *, required: bool = True) -> ModelField:
    return ModelField(name, name, type, required, False)


def server_model(*fields: ModelField, name: str = "QuoteIn") -> DataModel:
    return DataModel(
        "quotes",
        Location("services/quotes/app/models.py", 1, 9),
        f"services.quotes.app.models.{name}",
        "pydantic",
        fields,
    )


def client_model(*fields: ModelField, name: str = "QuoteIn") -> DataModel:
    return DataModel(
        "web",
        Location("apps/web/src/types.ts", 1, 9),
        f"apps.web.src.types.{name}",
        "interface",
        fields,
    )


def route(
    method: str,
    path: str,
    *,
    request: str | None = None,
    response: str | None = None,
    params: tuple[EndpointParam, ...] = (),
) -> Endpoint:
    return Endpoint(
        "quotes",
        ROUTE_AT,
        method,
        path,
        "handler",
        "fastapi",
        request_model=request,
        response_model=response,
        params=params,
    )


def call(
    method: str,
    url: str,
    *,
    line: int = 5,
    function: str = "saveQuote",
    request: str | None = None,
    response: str | None = None,
) -> OutboundCall:
    return OutboundCall(
        "web",
        Location(CALL_FILE, line, line),
        "fetch",
        method,
        url,
        function=function,
        request_type=request,
        response_type=response,
    )


def graph(*facts: Fact) -> Graph:
    return build_graph(facts, SERVICES, Config())


def diff(base: Sequence[Fact], head: Sequence[Fact]) -> GraphDelta:
    return diff_graphs(graph(*base), graph(*head))


def only(delta: GraphDelta) -> LinkChange:
    assert len(delta.changes) == 1
    return delta.changes[0]


POST = route("POST", "/quotes", request="app.models.QuoteIn", response="app.models.QuoteOut")
SAVE = call(
    "POST",
    "{QUOTES_URL}/quotes",
    request="apps.web.src.types.QuoteIn",
    response="apps.web.src.types.QuoteOut",
)
MODELS: tuple[Fact, ...] = (
    server_model(field("amount", "float")),
    server_model(field("id"), field("total", "float"), name="QuoteOut"),
    client_model(field("amount", "number")),
    client_model(field("id"), field("total", "number"), name="QuoteOut"),
)


# --- unchanged ---------------------------------------------------------------------------------


def test_the_same_call_is_unchanged() -> None:
    change = only(diff([POST, *MODELS, SAVE], [POST, *MODELS, SAVE]))
    assert (change.change, change.what) == (UNCHANGED, ())
    assert change.head is not None and change.base is not None
    assert change.new_issues == ()
    assert not change.newly_broken


def test_a_call_that_moved_lines_is_unchanged() -> None:
    moved = call(
        "POST",
        "{QUOTES_URL}/quotes",
        line=40,
        request="apps.web.src.types.QuoteIn",
        response="apps.web.src.types.QuoteOut",
    )
    change = only(diff([POST, *MODELS, SAVE], [POST, *MODELS, moved]))
    assert change.change == UNCHANGED
    assert change.link.call.location.line == 40  # the head side


def test_a_placeholder_renamed_is_the_same_path() -> None:
    base = call("GET", "{QUOTES_URL}/quotes/${id}", function="load")
    head = call("GET", "{QUOTES_URL}/quotes/${quoteId}", function="load")
    get = route("GET", "/quotes/{quote_id}")
    assert only(diff([get, base], [get, head])).change == UNCHANGED


def test_without_a_base_every_link_is_unchanged() -> None:
    head = graph(POST, *MODELS, SAVE, call("GET", "{QUOTES_URL}/gone", function="x"))
    delta = diff_graphs(None, head)
    assert delta.base is None
    assert [c.change for c in delta.changes] == [UNCHANGED, UNCHANGED]
    assert all(c.base is None for c in delta.changes)


# --- modified ----------------------------------------------------------------------------------


def test_a_request_contract_change_is_modified() -> None:
    head_models = (server_model(field("amount", "float"), field("currency")), *MODELS[1:])
    change = only(diff([POST, *MODELS, SAVE], [POST, *head_models, SAVE]))
    assert (change.change, change.what) == (MODIFIED, ("request",))
    assert [(i.kind, i.field) for i in change.new_issues] == [("required-missing", "currency")]


def test_a_response_contract_change_is_modified() -> None:
    head_models = (
        *MODELS[:3],
        client_model(field("id"), field("total", "string"), name="QuoteOut"),
    )
    change = only(diff([POST, *MODELS, SAVE], [POST, *head_models, SAVE]))
    assert (change.change, change.what) == (MODIFIED, ("response",))
    assert [(i.kind, i.field) for i in change.new_issues] == [("response-type", "total")]


def test_a_safe_contract_change_is_modified_without_new_issues() -> None:
    head_models = (
        *MODELS[:1],
        server_model(field("id"), field("total", "float"), field("tax", "float"), name="QuoteOut"),
        *MODELS[2:],
    )
    change = only(diff([POST, *MODELS, SAVE], [POST, *head_models, SAVE]))
    assert (change.change, change.what) == (MODIFIED, ("response",))
    assert change.new_issues == ()


def test_a_route_parameter_change_is_a_request_change() -> None:
    limit = route(
        "POST",
        "/quotes",
        request="app.models.QuoteIn",
        response="app.models.QuoteOut",
        params=(EndpointParam("limit", "query", "int"),),
    )
    change = only(diff([POST, *MODELS, SAVE], [limit, *MODELS, SAVE]))
    assert (change.change, change.what) == (MODIFIED, ("request",))


def test_a_path_change_in_the_same_function_is_modified() -> None:
    get = route("GET", "/quotes/{quote_id}")
    get_v2 = route("GET", "/v2/quotes/{quote_id}")
    base = call("GET", "{QUOTES_URL}/quotes/${id}", function="load")
    head = call("GET", "{QUOTES_URL}/v2/quotes/${id}", function="load")
    change = only(diff([get, base], [get_v2, head]))
    assert change.change == MODIFIED
    assert change.what == ("path", "route")  # the route it hits changed too
    assert change.base is not None and change.base.call.url == base.url
    # with both routes served, only the path changed: "path" stands alone
    both = only(diff([get, get_v2, base], [get, get_v2, head]))
    assert (both.change, both.what[0]) == (MODIFIED, "path")


def test_a_method_change_in_the_same_function_is_modified() -> None:
    put = route("PUT", "/quotes/{quote_id}")
    patch = route("PATCH", "/quotes/{quote_id}")
    base = call("PUT", "{QUOTES_URL}/quotes/${id}", function="update")
    head = call("PATCH", "{QUOTES_URL}/quotes/${id}", function="update")
    change = only(diff([put, patch, base], [put, patch, head]))
    assert change.change == MODIFIED
    assert change.what[:2] == ("method", "route")


def test_a_route_removed_on_the_server_breaks_the_call() -> None:
    get = route("GET", "/quotes/{quote_id}")
    other = route("POST", "/quotes")  # the service's routes under /quotes are read
    load = call("GET", "{QUOTES_URL}/quotes/${id}", function="load")
    change = only(diff([get, other, load], [other, load]))
    assert change.change == MODIFIED
    assert "route" in change.what
    assert change.head is not None and change.head.status == NO_ROUTE
    assert change.base is not None and change.base.status == MATCHED
    assert change.newly_broken


def test_a_route_removed_changes_only_the_route() -> None:
    get = route("GET", "/quotes/{quote_id}")
    other = route("POST", "/quotes")
    load = call("GET", "{QUOTES_URL}/quotes/${id}", function="load")
    assert only(diff([get, other, load], [other, load])).what == ("route",)


# --- added and removed -------------------------------------------------------------------------


def test_added_and_removed() -> None:
    old = call("GET", "{QUOTES_URL}/legacy", function="old")
    new = call("GET", "{QUOTES_URL}/quotes/1", function="fresh")
    get = route("GET", "/quotes/{quote_id}")
    delta = diff([get, old], [get, new])
    by_change = {c.change: c for c in delta.changes}
    assert set(by_change) == {ADDED, REMOVED}
    added, removed = by_change[ADDED], by_change[REMOVED]
    assert (added.base, added.head is not None) == (None, True)
    assert (removed.head, removed.base is not None) == (None, True)
    assert added.link.call.url == new.url and removed.link.call.url == old.url
    assert removed.new_issues == ()
    assert not removed.newly_broken  # a removed call breaks nothing


def test_a_call_to_another_target_is_added_and_removed() -> None:
    base = call("GET", "{QUOTES_URL}/quotes/1", function="load")
    head = call("GET", "https://api.stripe.com/v1/charges", function="load")
    changes = sorted(c.change for c in diff([base], [head]).changes)
    assert changes == [ADDED, REMOVED]


def test_two_like_calls_in_one_function_pair_in_order() -> None:
    get = route("GET", "/quotes/{quote_id}")
    first = call("GET", "{QUOTES_URL}/quotes/1", function="both", line=3)
    second = call("GET", "{QUOTES_URL}/quotes/2", function="both", line=4)
    delta = diff([get, first, second], [get, first])
    assert sorted(c.change for c in delta.changes) == [REMOVED, UNCHANGED]


# --- new issues and newly broken ---------------------------------------------------------------


def test_new_issues_are_only_the_ones_the_base_did_not_have() -> None:
    base_models = (server_model(field("amount", "float"), field("currency")), *MODELS[1:])
    head_models = (
        server_model(field("amount", "float"), field("currency"), field("region")),
        *MODELS[1:],
    )
    change = only(diff([POST, *base_models, SAVE], [POST, *head_models, SAVE]))
    assert change.head is not None and change.base is not None
    assert {(i.kind, i.field) for i in change.head.issues} == {
        ("required-missing", "currency"),
        ("required-missing", "region"),
    }
    assert [(i.kind, i.field) for i in change.new_issues] == [("required-missing", "region")]


def test_an_added_link_has_every_issue_new() -> None:
    change = only(
        diff([POST, *MODELS[:1]], [POST, *MODELS[:1], client_model(field("amt", "number")), SAVE])
    )
    assert change.change == ADDED
    assert change.head is not None
    assert change.new_issues == change.head.issues != ()


@pytest.mark.parametrize(
    ("base_path", "head_path", "newly"),
    [
        ("/quotes/1", "/quotes/1/nope", True),  # matched at base, broken at head
        ("/quotes/1/nope", "/quotes/2/nope", False),  # broken at both
        ("/quotes/1/nope", "/quotes/1", False),  # fixed
        ("/quotes/1", "/other/1", False),  # not read under /other: unverified, not broken
        ("/quotes/1", "/quotes/2", False),
    ],
)
def test_newly_broken(base_path: str, head_path: str, newly: bool) -> None:
    get = route("GET", "/quotes/{quote_id}")
    base = call("GET", "{QUOTES_URL}" + base_path, function="load")
    head = call("GET", "{QUOTES_URL}" + head_path, function="load")
    assert only(diff([get, base], [get, head])).newly_broken is newly


def test_an_added_broken_call_is_newly_broken() -> None:
    get = route("GET", "/quotes/{quote_id}")
    delta = diff([get], [get, call("DELETE", "{QUOTES_URL}/quotes/1")])
    assert only(delta).newly_broken


# --- the delta and the review's edges ----------------------------------------------------------


def test_change_of_and_base_of_a_head_link() -> None:
    delta = diff([POST, *MODELS, SAVE], [POST, *MODELS, SAVE])
    assert delta.head is not None and delta.base is not None
    head_link = delta.head.links[0]
    assert delta.change_of(head_link) is delta.changes[0]
    assert delta.base_of(head_link) is delta.base.links[0]
    assert delta.base_of(delta.base.links[0]) is None  # a base link is no head link


def test_edges() -> None:
    get = route("GET", "/quotes/{quote_id}")
    base: list[Fact] = [get, call("GET", "{QUOTES_URL}/quotes/1", function="gone")]
    head: list[Fact] = [
        route("POST", "/quotes"),
        call("GET", "{QUOTES_URL}/quotes/${id}", function="load"),
        call("POST", "https://api.stripe.com/v1/charges", function="pay"),
        call("GET", "{SOMEWHERE_URL}/x", function="mystery"),
    ]
    delta = diff(base, head)
    found = {(e.change, e.target, e.path): e for e in edges(delta)}
    assert set(found) == {
        (REMOVED, "quotes", "/quotes/{quote_id}"),
        (ADDED, "quotes", "/quotes/{id}"),
        (ADDED, "stripe", "/v1/charges"),
    }
    removed = found[(REMOVED, "quotes", "/quotes/{quote_id}")]
    assert (removed.endpoint, removed.status, removed.target_kind) == (ROUTE_AT, MATCHED, "service")
    added = found[(ADDED, "quotes", "/quotes/{id}")]
    assert (added.endpoint, added.status, added.method) == (None, NO_ROUTE, "GET")
    assert added.call == Location(CALL_FILE, 5, 5)
    stripe = found[(ADDED, "stripe", "/v1/charges")]
    assert (stripe.target_kind, stripe.status, stripe.source, stripe.kind) == (
        "external",
        "external",
        "web",
        "http",
    )


def test_edges_carry_what_changed_and_the_new_issues() -> None:
    head_models = (server_model(field("amount", "float"), field("currency")), *MODELS[1:])
    delta = diff([POST, *MODELS, SAVE], [POST, *head_models, SAVE])
    (edge,) = edges(delta)
    assert (edge.change, edge.detail, edge.issues) == (
        MODIFIED,
        "request",
        ("required-missing:currency",),
    )
    assert edge.endpoint == ROUTE_AT
    assert edges(delta, keep=()) == ()


def test_unresolved_calls() -> None:
    mystery = call("GET", "{SOMEWHERE_URL}/x", function="mystery")
    links = graph(POST, SAVE, mystery).links
    (found,) = unresolved(links)
    assert found == UnresolvedCall(
        service="web",
        location=mystery.location,
        method="GET",
        url="{SOMEWHERE_URL}/x",
        reason=found.reason,
    )
    assert "SOMEWHERE_URL" in found.reason
