"""Path templates in one spelling, and whether a call's path is one a route serves."""

from __future__ import annotations

import pytest

from analyzers.graph.paths import (
    OPTIONAL_PARAM,
    OPTIONAL_REST,
    PARAM,
    REST,
    PathTemplate,
    bind,
    display_path,
    normalize_path,
    parse_path,
    path_matches,
    query_names,
    strip_query,
)


def matches(call: str, route: str) -> bool:
    return path_matches(parse_path(call), parse_path(route))


# --- one spelling ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ("/items/{item_id}", ("items", PARAM)),  # FastAPI
        ("/users/:id", ("users", PARAM)),  # Express
        ("/users/:id?", ("users", OPTIONAL_PARAM)),  # Express, optional
        ("/posts/[id]", ("posts", PARAM)),  # Next.js
        ("/users/<int:id>", ("users", PARAM)),  # Flask, with a converter
        ("/users/<id>", ("users", PARAM)),  # Flask, without
        ("/users/${id}", ("users", PARAM)),  # a JavaScript template
        ("/users/${user.id}/orders", ("users", PARAM, "orders")),
        ("/files/{path:path}", ("files", REST)),  # Starlette's catch-all
        ("/files/<path:rest>", ("files", REST)),  # Flask's
        ("/static/*", ("static", REST)),  # Express
        ("/static/**", ("static", REST)),
        ("/api/:path+", ("api", REST)),  # path-to-regexp, one or more
        ("/docs/[...slug]", ("docs", REST)),  # Next.js catch-all
        ("/api/:path*", ("api", OPTIONAL_REST)),  # path-to-regexp, zero or more
        ("/docs/[[...slug]]", ("docs", OPTIONAL_REST)),  # Next.js optional catch-all
        ("/api/v{version}/x", ("api", "v{}", "x")),  # a parameter inside a segment
        ("/reports/{id}.json", ("reports", "{}.json")),
        ("/", ()),
        ("", ()),
    ],
)
def test_every_spelling_parses_to_one_template(path: str, segments: tuple[str, ...]) -> None:
    assert parse_path(path).segments == segments


@pytest.mark.parametrize(
    "path",
    ["/items/{item_id}", "/items/:id", "/items/[id]", "/items/<int:id>", "/items/${id}"],
)
def test_every_parameter_spelling_normalises_alike(path: str) -> None:
    assert normalize_path(path) == "/items/{}"


def test_query_string_fragment_and_slashes_are_not_part_of_the_path() -> None:
    assert parse_path("/quotes/search?q={q}&limit=5").segments == ("quotes", "search")
    assert parse_path("/quotes#top").segments == ("quotes",)
    assert parse_path("//quotes//search/").segments == ("quotes", "search")
    assert normalize_path("/quotes/") == normalize_path("/quotes") == "/quotes"


def test_a_question_mark_inside_a_placeholder_does_not_start_the_query() -> None:
    assert strip_query("/a/{b?c}/d?x=1") == "/a/{b?c}/d"
    assert strip_query("/a?b={c}") == "/a"
    assert strip_query("/a#frag") == "/a"
    assert strip_query("/a/b") == "/a/b"


def test_template_properties() -> None:
    template = parse_path("/api/{id}/files/{path:path}")
    assert template.text == "/api/{}/files/{*}"
    assert template.literal_count == 2
    assert template.has_rest
    assert not parse_path("/api/{id}").has_rest
    assert not PathTemplate(()).has_rest
    assert PathTemplate(()).text == "/"


# --- query names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "names"),
    [
        ("/quotes?limit={n}&sort=asc", ("limit", "sort")),
        ("/quotes?limit=${n}&sort=asc#frag", ("limit", "sort")),
        ("/quotes?a=1&a=2", ("a",)),
        ("/quotes?flag", ("flag",)),
        ("/quotes?{query}", ()),  # a whole query string built at run time names nothing
        ("/quotes?${qs}", ()),
        ("/quotes", ()),
        ("/quotes#a=1", ()),  # a fragment is no query
        ("{CORE_API_URL}/quotes?limit=10", ("limit",)),
    ],
)
def test_query_names(url: str, names: tuple[str, ...]) -> None:
    assert query_names(url) == names


# --- display -----------------------------------------------------------------------------------


def test_display_path_for_people() -> None:
    assert display_path("/users/${id}/orders?limit=5") == "/users/{id}/orders"
    assert display_path("/users/:id") == "/users/{id}"
    assert display_path("/users/:id?") == "/users/{id}"
    assert display_path("//a//b/") == "/a/b"
    assert display_path("") == "/"


def test_display_path_spells_every_parameter_with_braces() -> None:
    assert display_path("/posts/[id]") == "/posts/{id}"
    assert display_path("/users/<int:id>") == "/users/{id}"


# --- matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "route"),
    [
        ("/items/42", "/items/{item_id}"),
        ("/items/${id}", "/items/{item_id}"),  # a placeholder matches a parameter
        ("/items/{id}", "/items/:id"),
        ("/items/42", "/items/[id]"),
        ("/users/42", "/users/<int:id>"),
        ("/users/42", "/users/:id?"),
        ("/items/search", "/items/{item_id}"),  # a parameter matches any literal
        ("/items/${id}", "/items/search"),  # a placeholder holds anything, a literal too
        ("/files/a/b/c.txt", "/files/{path:path}"),
        ("/files/a", "/files/{path:path}"),
        ("/f/a/b", "/f/<path:p>"),
        ("/static/js/app.js", "/static/*"),
        ("/docs/a/b", "/docs/[...slug]"),
        ("/docs", "/docs/[[...slug]]"),  # an optional catch-all matches nothing too
        ("/docs/a/b", "/docs/[[...slug]]"),
        ("/api", "/api/:path*"),
        ("/api/v2/x", "/api/v{version}/x"),  # partial segments
        ("/api/v{n}/x", "/api/v{version}/x"),
        ("/api/${v}/x", "/api/v{version}/x"),  # a whole-segment placeholder holds `v2` too
        ("/api/v{n}/x", "/api/v1/x"),
        ("/reports/q3.json", "/reports/{id}.json"),
        ("/reports/{id}.json", "/reports/{name}"),
        ("/quotes/search?q=1", "/quotes/search"),
        ("/quotes/search#results", "/quotes/search"),
        ("/quotes/search/", "/quotes/search"),  # a trailing slash
        ("/quotes/search", "/quotes/search/"),
        ("/proxy/{rest}", "/proxy/a"),
        ("/", "/"),
    ],
)
def test_call_matches_route(call: str, route: str) -> None:
    assert matches(call, route)


@pytest.mark.parametrize(
    ("call", "route"),
    [
        ("/items", "/items/{item_id}"),  # a parameter needs a segment
        ("/items/1/2", "/items/{item_id}"),  # and holds only one
        ("/files", "/files/{path:path}"),  # a catch-all needs one segment or more
        ("/docs", "/docs/[...slug]"),
        ("/api", "/api/:path+"),
        ("/api/2/x", "/api/v{version}/x"),  # the literal part of a partial segment counts
        ("/api/v/x", "/api/v{version}/x"),  # and the parameter holds something
        ("/api/v{n}/x", "/api/w1/x"),
        ("/reports/q3.xml", "/reports/{id}.json"),
        ("/quotes/search", "/quotes/list"),
        ("/quotes", "/quote"),
        ("/a/b", "/a"),
        ("/a", "/a/b"),
    ],
)
def test_call_does_not_match_route(call: str, route: str) -> None:
    assert not matches(call, route)


def test_a_calls_own_rest_may_be_anything() -> None:
    # a proxied call whose rest of path is not known matches whatever is under its prefix
    call = PathTemplate(("api", REST))
    assert path_matches(call, parse_path("/api/users/{id}"))
    assert path_matches(call, parse_path("/api/x"))
    assert not path_matches(call, parse_path("/other/x"))


def test_an_optional_express_parameter_may_be_left_out() -> None:
    assert matches("/users", "/users/:id?")


# --- binding -----------------------------------------------------------------------------------


def test_bind_captures_parameters_and_the_rest_by_position() -> None:
    source = parse_path("/api/{version}/:path*")
    assert bind(source, parse_path("/api/v1/users/42")) == {1: ("v1",), 2: ("users", "42")}
    assert bind(source, parse_path("/api/v1")) == {1: ("v1",), 2: ()}
    assert bind(source, parse_path("/other/v1")) is None
