"""Linking calls to routes: matched, no-route, wrong-method, unverified, external, unknown."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from analyzers.config import Config, ServiceSpec
from analyzers.facts import (
    DataModel,
    Endpoint,
    Fact,
    Listener,
    Location,
    ModelField,
    OutboundCall,
    Rewrite,
    Service,
)
from analyzers.graph.linking import (
    BROKEN,
    MATCHED,
    NO_ROUTE,
    OUTSIDE,
    UNRESOLVED,
    UNVERIFIED,
    WRONG_METHOD,
    Graph,
    Link,
    build_graph,
    linked_services,
)
from analyzers.graph.targets import EXTERNAL, SERVICE, UNKNOWN
from analyzers.services import ServiceMap

QUOTES = Service("quotes", "services/quotes", ("python",))
WEB = Service("web", "apps/web", ("typescript",))
LEGACY = Service("legacy", "services/legacy", ("go",))
SERVICES = ServiceMap(
    services=(QUOTES, WEB, LEGACY),
    patterns=tuple((s.name, (s.root,)) for s in (QUOTES, WEB, LEGACY)),
)
CALL_FILE = "apps/web/src/api.ts"


def route(
    method: str,
    path: str,
    service: str = "quotes",
    *,
    request: str | None = None,
    response: str | None = None,
) -> Endpoint:
    return Endpoint(
        service,
        Location(f"{service}/routes.py", 10, 10),
        method,
        path,
        f"{method.lower()}_{path}",
        "fastapi",
        request_model=request,
        response_model=response,
    )


def call(
    method: str,
    url: str,
    *,
    service: str = "web",
    path: str = CALL_FILE,
    line: int = 5,
    request: str | None = None,
    response: str | None = None,
    function: str | None = "loadQuotes",
) -> OutboundCall:
    return OutboundCall(
        service,
        Location(path, line, line),
        "fetch",
        method,
        url,
        request_type=request,
        response_type=response,
        function=function,
    )


ROUTES = (
    route("GET", "/quotes/{quote_id}"),
    route("DELETE", "/quotes/{quote_id}"),
    route("GET", "/quotes/search"),
    route("POST", "/quotes"),
    route("GET", "/files/{name}"),
    route("GET", "/files/{path:path}"),
    route("*", "/any"),
    route("GET", "/api/v{version}/rates"),
    route("PUT", "/users/:id"),  # an Express spelling
)


def graph(*facts: Fact, config: Config | None = None) -> Graph:
    return build_graph([*ROUTES, *facts], SERVICES, config or Config())


def link(*facts: Fact, config: Config | None = None) -> Link:
    links = graph(*facts, config=config).links
    assert len(links) == 1
    return links[0]


def to_quotes(method: str, path: str) -> Link:
    return link(call(method, "{QUOTES_URL}" + path))


def served_by(found: Link) -> str | None:
    return found.endpoint.path if found.endpoint is not None else None


# --- matched -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "served"),
    [
        ("GET", "/quotes/42", "/quotes/{quote_id}"),
        ("DELETE", "/quotes/${id}", "/quotes/{quote_id}"),
        ("GET", "/quotes/search", "/quotes/search"),  # the most specific route wins
        ("GET", "/quotes/search?q=${q}&limit=10", "/quotes/search"),
        ("GET", "/quotes/search/", "/quotes/search"),
        ("POST", "/quotes/", "/quotes"),
        ("GET", "/files/report.pdf", "/files/{name}"),  # a parameter beats a catch-all
        ("GET", "/files/2024/report.pdf", "/files/{path:path}"),
        ("GET", "/api/v2/rates", "/api/v{version}/rates"),
        ("PUT", "/users/${userId}", "/users/:id"),
        ("PATCH", "/any", "/any"),  # a route of any method
        ("HEAD", "/quotes/42", "/quotes/{quote_id}"),  # HEAD is served by GET
        ("*", "/quotes", "/quotes"),  # a call of a method not known
    ],
)
def test_matched(method: str, path: str, served: str) -> None:
    found = to_quotes(method, path)
    assert (found.status, served_by(found)) == (MATCHED, served)
    assert found.path == served  # the route's own spelling
    assert found.target.kind == SERVICE


def test_a_placeholder_pairs_with_the_parameter_route() -> None:
    found = to_quotes("GET", "/quotes/${id}")
    assert served_by(found) == "/quotes/{quote_id}"


# --- broken ------------------------------------------------------------------------------------


def test_no_route() -> None:
    found = to_quotes("GET", "/quotes/42/history?full=1")
    assert (found.status, found.endpoint, found.allowed) == (NO_ROUTE, None, ())
    assert found.path == "/quotes/42/history"
    assert found.status in BROKEN


def test_no_route_for_a_path_of_another_shape() -> None:
    assert to_quotes("GET", "/api/2/rates").status == NO_ROUTE
    assert to_quotes("GET", "/files").status == NO_ROUTE


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/quotes/${id}", ("DELETE", "GET")),
        ("POST", "/quotes/search", ("DELETE", "GET")),
        ("GET", "/quotes", ("POST",)),
        ("HEAD", "/quotes", ("POST",)),  # HEAD is served by GET only
        ("DELETE", "/users/1", ("PUT",)),
    ],
)
def test_wrong_method(method: str, path: str, allowed: tuple[str, ...]) -> None:
    found = to_quotes(method, path)
    assert (found.status, found.endpoint, found.allowed) == (WRONG_METHOD, None, allowed)
    assert found.status in BROKEN


def test_between_equal_routes_the_codes_own_beats_a_documents() -> None:
    documented = Endpoint(
        "quotes",
        Location("services/quotes/openapi.yaml", 40, 40),
        "GET",
        "/rates/{day}",
        "",
        "openapi",
    )
    coded = route("GET", "/rates/{day}")
    for order in ((documented, coded), (coded, documented)):
        found = link(*order, call("GET", "{QUOTES_URL}/rates/today"))
        assert found.endpoint is coded


# --- not verified ------------------------------------------------------------------------------


def test_a_prefix_under_which_no_route_is_read_is_unverified() -> None:
    # a mounted sub-application, a proxy or static files may serve it: no proven 404
    found = to_quotes("GET", "/admin/users")
    assert (found.status, found.target.name, found.path) == (UNVERIFIED, "quotes", "/admin/users")
    assert found.target.reason.endswith("no route of quotes is read under this prefix")
    assert found.status not in BROKEN


def test_a_route_with_a_leading_parameter_covers_every_prefix() -> None:
    tenant = route("GET", "/{tenant}/dashboard")
    found = link(tenant, call("GET", "{QUOTES_URL}/admin/users"))
    assert found.status == NO_ROUTE


def test_the_root_path_is_covered_by_any_route() -> None:
    assert to_quotes("GET", "/").status == NO_ROUTE
    assert to_quotes("GET", "").status == NO_ROUTE


def test_a_service_whose_routes_cannot_be_read_is_unverified() -> None:
    found = link(call("GET", "{LEGACY_URL}/anything"))
    assert (found.status, found.target.name, found.path) == (UNVERIFIED, "legacy", "/anything")
    assert found.status not in BROKEN


def test_an_external_system() -> None:
    found = link(call("POST", "https://api.stripe.com/v1/charges"))
    assert (found.status, found.target.kind, found.target.name) == (OUTSIDE, EXTERNAL, "stripe")
    assert found.path == "/v1/charges"


def test_an_unknown_target() -> None:
    found = link(call("GET", "{FOO_URL}/x"))
    assert (found.status, found.target.kind, found.path) == (UNRESOLVED, UNKNOWN, "")


def test_a_path_of_placeholders_only_is_unknown() -> None:
    found = link(call("GET", "{QUOTES_URL}/${resource}/${id}"))
    assert (found.status, found.target.name, found.target.path) == (UNRESOLVED, "quotes", "")
    assert "`QUOTES_URL` is named after the service" in found.target.reason
    assert "not known before run time" in found.target.reason


def test_the_config_names_the_target() -> None:
    config = Config(services=(ServiceSpec("quotes", urls=("PRICING_API",)),))
    found = link(call("GET", "{PRICING_API}/quotes/7"), config=config)
    assert (found.status, served_by(found)) == (MATCHED, "/quotes/{quote_id}")


# --- relative URLs from a frontend -------------------------------------------------------------

REWRITE = Rewrite(
    "web",
    Location("apps/web/next.config.js", 4, 4),
    "/backend/{path}",
    "{QUOTES_URL}/{path}",
    (("QUOTES_URL", "http://localhost:8000"),),
)


def test_a_rewritten_relative_call_is_linked_to_the_route_it_reaches() -> None:
    found = link(REWRITE, call("GET", "/backend/quotes/42"))
    assert (found.status, found.target.name, served_by(found)) == (
        MATCHED,
        "quotes",
        "/quotes/{quote_id}",
    )
    assert found.target.reason.startswith("rewritten by apps/web/next.config.js:4")


def test_a_relative_call_to_the_frontends_own_route() -> None:
    own = route("GET", "/api/session", "web")
    found = link(own, call("GET", "/api/session"))
    assert (found.status, found.target.name, found.endpoint) == (MATCHED, "web", own)
    missing = link(own, call("GET", "/api/profile"))
    assert (missing.status, missing.target.name) == (NO_ROUTE, "web")


def test_an_own_static_route_comes_before_a_rewrite() -> None:
    own = route("GET", "/backend/quotes", "web")
    found = link(own, REWRITE, call("GET", "/backend/quotes"))
    assert (found.status, found.target.name, found.endpoint) == (MATCHED, "web", own)


def test_a_relative_call_from_a_python_service_is_unknown() -> None:
    found = link(call("GET", "/quotes/1", service="quotes", path="services/quotes/app/x.py"))
    assert found.status == UNRESOLVED


def test_a_local_port_reaches_the_listening_service() -> None:
    listener = Listener("quotes", Location("services/quotes/main.py", 9, 9), 8000, "code", "")
    found = link(listener, call("GET", "http://localhost:8000/quotes/search"))
    assert (found.status, served_by(found)) == (MATCHED, "/quotes/search")


# --- contracts ---------------------------------------------------------------------------------


def test_a_matched_link_carries_its_contract_issues() -> None:
    server = DataModel(
        "quotes",
        Location("services/quotes/app/models.py", 3, 9),
        "services.quotes.app.models.QuoteIn",
        "pydantic",
        (ModelField("amount", "amount", "float", True, False),),
    )
    client = DataModel(
        "web",
        Location("apps/web/src/types.ts", 1, 4),
        "apps.web.src.types.QuoteIn",
        "interface",
        (ModelField("amt", "amt", "number", True, False),),
    )
    facts = (
        server,
        client,
        route("POST", "/v2/quotes", request="app.models.QuoteIn"),
        call("POST", "{QUOTES_URL}/v2/quotes", request="apps.web.src.types.QuoteIn"),
    )
    found = link(*facts)
    assert found.status == MATCHED
    # one field sent that the server does not accept, one it requires: a rename
    assert [(i.kind, i.field, i.other_field) for i in found.issues] == [
        ("renamed", "amt", "amount")
    ]
    # what the contract depends on: both bodies of the request and the response, the params
    assert len(found.contract) == 5
    assert found.contract[1] == (0, False, server.fields)
    assert found.contract[2] == found.contract[3] == ()


def test_links_that_are_not_matched_have_no_contract() -> None:
    for found in (to_quotes("GET", "/nope"), to_quotes("PUT", "/quotes")):
        assert (found.issues, found.contract) == ((), ())


# --- the graph ---------------------------------------------------------------------------------


def test_the_key_of_a_link_does_not_depend_on_its_line() -> None:
    first = to_quotes("GET", "/quotes/${id}")
    moved = link(call("GET", "{QUOTES_URL}/quotes/${quoteId}", line=99))
    assert (
        first.key
        == moved.key
        == (
            "web",
            CALL_FILE,
            "loadQuotes",
            "GET",
            "quotes /quotes/{}",
        )
    )


def test_calls_in_left_out_files_are_not_linked() -> None:
    facts: Iterable[Fact] = [
        *ROUTES,
        call("GET", "{QUOTES_URL}/quotes/1"),
        call("GET", "{QUOTES_URL}/quotes/2", path="apps/web/src/api.test.ts"),
    ]
    found = build_graph(facts, SERVICES, Config(), include=lambda path: ".test." not in path)
    assert [c.call.url for c in found.links] == ["{QUOTES_URL}/quotes/1"]


def test_graph_queries() -> None:
    found = graph(
        call("GET", "{QUOTES_URL}/quotes/1"),
        call("GET", "{LEGACY_URL}/x"),
        call("GET", "https://api.stripe.com/v1/x"),
        call("GET", "{QUOTES_URL}/nope", service="legacy", path="services/legacy/main.go"),
    )
    assert found.endpoints_of("quotes") == ROUTES
    assert found.endpoints_of("web") == ()
    assert found.services_calling("quotes") == {"web", "legacy"}
    assert found.services_calling("stripe") == set()
    assert linked_services(found.links) == {"quotes", "legacy"}
