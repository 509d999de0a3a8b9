"""HTTP path templates in one spelling, and whether a call's path is one a route serves.

Every framework spells a parameter its own way: FastAPI `{id}`, Express `:id`,
Next.js `[id]`, Flask `<int:id>`, a JavaScript template `${id}`. Here each is
one parameter, a catch-all (`{path:path}`, `[...slug]`, `*`, `:path*`) is one
rest-of-path, and the query string and fragment are not part of the path.
A call's placeholder matches one segment of the route, whatever it holds; a
route's parameter matches any one segment of the call.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

PARAM = "{}"
OPTIONAL_PARAM = "{?}"  # a last segment that may be left out (Express `:id?`)
REST = "{*}"  # one or more remaining segments
OPTIONAL_REST = "{*?}"  # zero or more remaining segments
_VARIABLE = frozenset({PARAM, OPTIONAL_PARAM, REST, OPTIONAL_REST})

_PLACEHOLDER = re.compile(r"\$?\{[^{}]*\}|\[\[?\.{0,3}[^\[\]/]+\]\]?|<(?:[^<>:]+:)?[^<>]+>")
_REST_SEGMENT = re.compile(
    r"^(?:\{[^{}:]+:path\}|\{\*[^{}]*\}|\[\.\.\.[^\]]+\]|\*|\*\*|:[A-Za-z_]\w*[*+]|<path:[^>]+>)$"
)
_OPTIONAL_REST_SEGMENT = re.compile(r"^(?:\[\[\.\.\.[^\]]+\]\]|:[A-Za-z_]\w*\*|\{\*[^{}]*\})$")
_EXPRESS_PARAM = re.compile(r"^:[A-Za-z_]\w*$")
_EXPRESS_OPTIONAL = re.compile(r"^(?::[A-Za-z_]\w*\?|\{[A-Za-z_$][\w$]*\?\})$")
_EXPRESS_OPTIONAL_END = re.compile(r"/:[A-Za-z_]\w*\?$")
_REGEX_META = re.compile(r"[(){}*+?]")
_NAMED = (
    re.compile(r"^:([A-Za-z_]\w*)[?*+]?$"),  # Express
    re.compile(r"^\[{1,2}(?:\.\.\.)?([^\[\]/]+)\]{1,2}$"),  # Next.js
    re.compile(r"^<(?:[^<>:]+:)?([^<>]+)>$"),  # Flask, Django
    re.compile(r"^\$?\{\*?([^{}:?]+)\??(?::[^{}]*)?\}$"),  # FastAPI, JS templates
)


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """A path as a tuple of segments: literals as written, parameters as `PARAM`."""

    segments: tuple[str, ...]

    @property
    def text(self) -> str:
        return "/" + "/".join(self.segments)

    @property
    def literal_count(self) -> int:
        return sum(1 for s in self.segments if s not in _VARIABLE)

    @property
    def has_rest(self) -> bool:
        """Whether the template matches paths of more than one length."""
        return bool(self.segments) and self.segments[-1] in (REST, OPTIONAL_REST, OPTIONAL_PARAM)


def strip_query(path: str) -> str:
    """The path without its query string or fragment (`/a?b={c}` is `/a`)."""
    if "?" not in path and "#" not in path:
        return path  # most paths: nothing to cut, no need to walk them character by character
    depth = 0
    for index, char in enumerate(path):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif char in "?#" and depth == 0:
            optional = char == "?" and _EXPRESS_OPTIONAL_END.search(path, 0, index + 1)
            if optional and (index + 1 == len(path) or path[index + 1] == "/"):
                continue  # Express `/users/:id?`: an optional parameter, not a query
            return path[:index]
    return path


def query_names(path: str) -> tuple[str, ...]:
    """The parameter names of a URL's literal query string: `?limit={n}&sort=asc` gives both."""
    stripped = strip_query(path)
    if len(stripped) == len(path) or path[len(stripped)] != "?":
        return ()
    names = []
    for pair in path[len(stripped) + 1 :].split("#", 1)[0].split("&"):
        name = pair.split("=", 1)[0].strip()
        if name and not name.startswith("{") and not name.startswith("$"):
            names.append(name)
    return tuple(dict.fromkeys(names))


def parse_path(path: str) -> PathTemplate:
    segments = []
    for raw in strip_query(path).split("/"):
        if not raw:
            continue
        segments.append(_segment(raw))
    return PathTemplate(tuple(segments))


@functools.lru_cache(maxsize=8192)
def _segment(raw: str) -> str:
    # Kept: every route and call of a tree is parsed, and their segments repeat (`api`, `v1`,
    # `users`); each new one costs half a dozen regular expressions.
    if _OPTIONAL_REST_SEGMENT.match(raw):
        return OPTIONAL_REST
    if _REST_SEGMENT.match(raw):
        return REST
    if _EXPRESS_OPTIONAL.match(raw):
        return OPTIONAL_PARAM
    if _EXPRESS_PARAM.match(raw):
        return PARAM
    if _PLACEHOLDER.fullmatch(raw):
        return PARAM
    if _PLACEHOLDER.search(raw):
        # a parameter inside a segment (`v{version}`, `{id}.json`): a pattern of its own
        return _PLACEHOLDER.sub(PARAM, raw)
    return raw


def display_path(path: str) -> str:
    """A path for people: no query string, one slash between segments, `{name}` parameters."""
    return "/" + "/".join(_display(raw) for raw in strip_query(path).split("/") if raw)


def _display(raw: str) -> str:
    for pattern in _NAMED:
        named = pattern.match(raw)
        if named is not None:
            return "{" + named.group(1) + "}"
    return raw.replace("${", "{")


def normalize_path(path: str) -> str:
    """One spelling of a path template, for display and for comparing two of them."""
    return parse_path(path).text


def _segment_matches(call: str, route: str) -> bool:
    if PARAM in (call, route) or call == route:
        return True
    if PARAM in route:
        pattern = ".+".join(re.escape(part) for part in route.split(PARAM))
        return re.fullmatch(pattern, call.replace(PARAM, "x")) is not None
    if PARAM in call:
        pattern = ".+".join(re.escape(part) for part in call.split(PARAM))
        return re.fullmatch(pattern, route) is not None and not _REGEX_META.search(route)
    return False


def path_matches(call: PathTemplate, route: PathTemplate) -> bool:
    """Whether a request to `call` is one `route` serves."""
    calls, routes = call.segments, route.segments
    for index, segment in enumerate(routes):
        remaining = len(calls) - index
        if segment in (REST, OPTIONAL_REST):
            return remaining >= (1 if segment == REST else 0)
        if segment == OPTIONAL_PARAM:
            return remaining <= 1
        if index >= len(calls):
            return False
        if calls[index] in (REST, OPTIONAL_REST):
            return True  # the call's own rest (a proxied path) may be anything
        if not _segment_matches(calls[index], segment):
            return False
    return len(calls) == len(routes)


def match_score(call: PathTemplate, route: PathTemplate) -> tuple[int, int]:
    """How closely a matching route fits the call, for choosing among several.

    A literal matched by the same literal beats a parameter, a parameter matched by a
    parameter beats a literal (the call's `${id}` is more likely `{quote_id}` than `search`),
    and any single segment beats a catch-all.
    """
    score = 0
    for mine, theirs in zip(call.segments, route.segments, strict=False):
        if theirs in (REST, OPTIONAL_REST):
            break
        if mine == PARAM:
            score += 2 if theirs in (PARAM, OPTIONAL_PARAM) else 0
        else:
            score += 3 if theirs == mine else 1
    return score, -sum(1 for s in route.segments if s in (REST, OPTIONAL_REST))


def bind(source: PathTemplate, call: PathTemplate) -> dict[int, tuple[str, ...]] | None:
    """The call's segments each parameter of a matching `source` captures, by position.

    For a proxy rule (`/api/:path*` to `{CORE_API_URL}/api/:path*`): what the rest
    parameter holds is carried over to the destination.
    """
    if not path_matches(call, source):
        return None
    captured: dict[int, tuple[str, ...]] = {}
    for index, segment in enumerate(source.segments):
        if segment in (REST, OPTIONAL_REST):
            captured[index] = call.segments[index:]
            break
        if segment == PARAM:
            captured[index] = (call.segments[index],)
    return captured
