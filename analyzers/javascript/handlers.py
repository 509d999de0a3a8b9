"""What an Express or Next.js route handler reads from the request and what it answers.

The routes family finds endpoints; this module reads the one function that
handles each (an inline function, or one of the same module that the route
names), for the contract linker:

- `params`: the query, body, header, cookie and form fields the handler reads:
  `req.query.x`, `req.query["x"]`, `const { a, b: renamed = 1 } = req.body`,
  `req.headers["x-foo"]`, `req.get("X-Foo")`, `req.header(...)`; through
  aliases (`const q = req.query`, `const { body } = req`, a destructured request
  parameter) and zod (`Schema.parse(req.body).x`, `safeParse(...).data`). Next.js:
  `request.nextUrl.searchParams.get("x")`, `new URL(req.url).searchParams`,
  `await request.json()`, `request.headers.get("x")`, `(await req.formData())`,
  and `headers()`/`cookies()` from `next/headers`. Header names are lower-cased,
  as Node and the Fetch API hand them over. Path parameters are not read here
  (the path declares them), nor, for the pages router, query names that are path
  segments (Next.js puts those in `req.query`).
- `required`, conservatively: True when the handler would break or reject the
  request without the value: it dereferences it (`x.trim()`, `for (... of x)`,
  destructuring it) or answers 4xx when it is missing (`if (!x) return
  res.status(400)...`); False when any read gives a default or tests it without
  rejecting (`??`, `||`, `= 1` in a pattern, `?.`, `if (x)`), and False when
  the value is only passed on, since what the callee tolerates is unknown.
- `request_model`: the body's type where the code names it: the third type
  argument of `Request<P, ResBody, ReqBody>` or `RequestHandler<...>`, a body
  validation middleware on the route (`validate(Schema)`, `validate({ body:
  Schema })`), `req.body as T`, `const body: T = req.body`, `Schema.parse(req.body)`
  (and `safeParse`, `parseAsync`); for Next.js the same on `await req.json()`.
- `response_model`: `Response<T>`, `NextApiResponse<T>`, the second type argument
  of `Request`/`RequestHandler`, a declared `Promise<NextResponse<T>>`; else the
  one type the success responses name: `res.json(x as T)`, `res.json(value)`
  with `value` declared with a type, `NextResponse.json(x)`. Arrays read `T[]`.
- `status_code`: the first explicit 2xx status (`res.status(201)`,
  `res.sendStatus(204)`, `res.statusCode = 201`, `{ status: 201 }`).

Type names are qualified by `analyzers.javascript.types` so they meet the
`DataModel` of the same name (`<module>.Name`, a zod schema by its variable).
Only named types count as models: an inline `{ a?: string }`, a union or a
primitive is None.

Cost: nothing here runs for a function that is not a route's handler, and for
one that is, the request and response names are found by a regex over the
handler's own bytes; only their occurrences (and the few locals bound from
them) are looked at as nodes.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import tree_sitter as ts

from analyzers.facts import EndpointParam
from analyzers.javascript.context import JsContext
from analyzers.javascript.module import (
    FUNCTION_TYPES,
    TRANSPARENT,
    JsModule,
    call_arguments,
    object_property,
    string_value,
    text,
    unwrap,
)
from analyzers.javascript.types import (
    UNINFORMATIVE,
    Types,
    annotation,
    parameters,
    return_type,
    unpromise,
)


@dataclass(frozen=True)
class Contract:
    """What one handler reads and answers; path parameters are the route's own."""

    params: tuple[EndpointParam, ...] = ()
    request_model: str | None = None
    response_model: str | None = None
    status_code: int | None = None


NO_CONTRACT = Contract()

# What a read tells about whether the value must be sent.
_GUARD = "guard"  # a default or a test that lets the handler go on without it
_REQUIRE = "require"  # dereferenced, or rejected with a 4xx when missing
_OTHER = "other"  # passed on, compared, stored: unknown

# Where a property path from the request leads to a set of fields, and which source.
_CONTAINERS: dict[tuple[str, ...], str] = {
    ("query",): "query",
    ("body",): "body",
    ("headers",): "header",
    ("cookies",): "cookie",
    ("signedCookies",): "cookie",
    ("nextUrl", "searchParams"): "query",
    ("URL", "searchParams"): "query",  # new URL(req.url).searchParams
    ("json()",): "body",  # await request.json()
    ("formData()",): "form",
}
# Paths on the way to a container: any other property of the request is not followed.
_ON_THE_WAY = frozenset({(), ("nextUrl",), ("url",), ("URL",)})
# Fields read with `.get("x")` (URLSearchParams, Headers, FormData, Next's cookies).
_MAP_KINDS = frozenset({"query", "header", "cookie", "form"})
_MAP_READS = frozenset({"get", "getAll", "has"})
_PARSE = frozenset({"parse", "parseAsync"})
_SAFE_PARSE = frozenset({"safeParse", "safeParseAsync"})
# Calls that turn a missing value into some value: dereferencing the result cannot fail.
_CONVERTERS = frozenset({"Number", "String", "Boolean", "BigInt", "parseInt", "parseFloat"})
# Calls that test a value: `!Array.isArray(x)` is a check for absence, like `!x`.
_PREDICATES = frozenset(
    {"Array.isArray", "isNaN", "Number.isNaN", "Number.isFinite", "Number.isInteger"}
)
_EQUALITY = frozenset({"==", "===", "!=", "!=="})
# A branch that answers 4xx (or throws a client error): the request is refused.
_REJECTS = re.compile(
    r"\b(?:status|sendStatus)\s*\(\s*4\d\d\b|\bstatus(?:Code)?\s*[:=]\s*4\d\d\b"
    r"|\b(?:BadRequest|UnprocessableEntity|ValidationError|ZodError)\w*"
    r"|\b(?:createError|createHttpError|HttpError|HttpException)\s*\(\s*4\d\d\b"
    r"|\bnew\s+\w*Error\s*\(\s*4\d\d\b"
)
_VALIDATOR = re.compile(r"valid", re.I)
# A type the linker can match with a DataModel: a (qualified) name, maybe generic.
_NAMED = re.compile(r"[@A-Za-z_$][\w$.\-/@]*(?:<.+>)?")
_NOT_MODELS = frozenset({"Record", "Map", "Set", "Object", "Function", "Iterable"})
_ARRAY = re.compile(r"(?:Readonly)?Array<(.+)>")
# Union members that are a failure's body, not the model a success returns.
_ERROR_BODY = re.compile(r"(?:Error|Problem|Fault|Failure)\w*(?:<.*>)?$")
_NEXT_RESPONSES = re.compile(
    rb"\b(?:(?:NextResponse|Response)\s*\.\s*json|new\s+(?:NextResponse|Response))\s*\("
)
_MAX_DEPTH = 8
# A name a pattern binds: `{ a }` binds `a` as a shorthand pattern.
_NAMES = frozenset({"identifier", "shorthand_property_identifier_pattern"})

_cache: weakref.WeakKeyDictionary[JsModule, dict[tuple[int, ...], Contract]] = (
    weakref.WeakKeyDictionary()
)


def handler_contract(
    ctx: JsContext,
    function: ts.Node | None,
    middleware: Sequence[ts.Node] = (),
    *,
    path_params: frozenset[str] = frozenset(),
    app_router: bool = False,
) -> Contract:
    """The contract of the handler `function`; `middleware` is what the route runs first.

    `path_params`: names the framework puts in the query as well (the pages router);
    `app_router`: a Next.js route handler, which returns its response instead of
    writing it to a `res`.
    """
    if function is None or function.type not in FUNCTION_TYPES:
        return NO_CONTRACT
    key = (function.start_byte, function.end_byte, app_router, *(n.start_byte for n in middleware))
    known = _cache.setdefault(ctx.module, {})
    found = known.get(key)
    if found is None:
        found = _Handler(ctx, function, path_params, app_router).contract(middleware)
        known[key] = found
    return found


@dataclass
class _Handler:
    ctx: JsContext
    function: ts.Node
    path_params: frozenset[str]
    app_router: bool
    m: JsModule = field(init=False)
    types: Types = field(init=False)
    body: ts.Node | None = field(init=False)
    # (source, name) -> the verdicts of its reads, in the order first read
    reads: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    bodies: list[str] = field(default_factory=list)  # body types the code names, in order
    responses: list[str | None] = field(default_factory=list)  # success bodies' types
    status: int | None = None

    def __post_init__(self) -> None:
        self.m = self.ctx.module
        self.types = Types(self.ctx)
        self.body = self.function.child_by_field_name("body")

    def contract(self, middleware: Sequence[ts.Node]) -> Contract:
        params = parameters(self.function)
        request_model, response_model = self.declared(params)
        if request_model is None:
            request_model = self.validated(middleware)
        if self.body is not None:
            if params:
                self.request_parameter(params[0][0], params[0][1])
            self.next_headers()
            if self.app_router:
                self.returned_responses()
            elif len(params) > 1 and params[1][0]:
                self.written_responses(params[1][0])
        if request_model is None:
            request_model = next(iter(self.bodies), None)
        if response_model is None:
            known = {found for found in self.responses if found is not None}
            response_model = known.pop() if len(known) == 1 else None
        out = tuple(
            EndpointParam(name, source, None, _combine(verdicts) == _REQUIRE)
            for (source, name), verdicts in self.reads.items()
        )
        return Contract(out, request_model, response_model, self.status)

    # --- the signature ----------------------------------------------------------------------

    def declared(self, params: list[tuple[str, ts.Node]]) -> tuple[str | None, str | None]:
        """(request, response) models from the handler's types: `Request<P, Res, Req>`..."""
        request: str | None = None
        response: str | None = None
        holder = self.function.parent
        if holder is not None and holder.type == "variable_declarator":
            # const create: RequestHandler<Params, ResBody, ReqBody> = async (req, res) => ...
            args = _type_args(annotation(holder), "RequestHandler")
            request = self.model_at(args, 2, holder)
            response = self.model_at(args, 1, holder)
        if params:
            args = _type_args(annotation(params[0][1]), "Request")
            request = request or self.model_at(args, 2, params[0][1])
            response = response or self.model_at(args, 1, params[0][1])
        if len(params) > 1:
            node = params[1][1]
            found = annotation(node)
            for name in ("Response", "NextApiResponse"):
                response = response or self.model_at(_type_args(found, name), 0, node)
        if self.app_router:
            found = unpromise(return_type(self.function))
            response = response or self.model_at(
                _type_args(found, "NextResponse"), 0, self.function
            )
        return request, response

    def model_at(self, args: list[ts.Node], index: int, at: ts.Node) -> str | None:
        return _model(self.types.qualify(args[index], at)) if len(args) > index else None

    def validated(self, middleware: Sequence[ts.Node]) -> str | None:
        """`validate(Schema)`, `validateBody(Schema)`, `validate({ body: Schema })` on the route."""
        for node in middleware:
            call = unwrap(node)
            if call is None or call.type != "call_expression":
                continue
            callee = call.child_by_field_name("function")
            if not _VALIDATOR.search(text(callee).rpartition(".")[2]):
                continue
            args = call_arguments(call)
            strings = [s for s in map(string_value, args) if s is not None]
            if any(s != "body" for s in strings):
                continue  # validate(Schema, "query"): not the body
            for arg in args:
                schema = unwrap(object_property(arg, "body")) or unwrap(arg)
                found = self.schema_name(schema)
                if found is not None:
                    return found
        return None

    def schema_name(self, node: ts.Node | None) -> str | None:
        """A schema the module imports or binds, by its qualified name; None for the rest."""
        if node is None or node.type != "identifier":
            return None
        name = text(node)
        if name not in self.m.imports and not self.m.bindings.get(name):
            return None  # a parameter or a global: not a model anyone declares
        return self.types.qualified_value(name)

    # --- the request --------------------------------------------------------------------------

    def request_parameter(self, name: str, param: ts.Node) -> None:
        if name:
            for use in self.occurrences(name, self.body_range()):
                if not self.shadowed(name, use):
                    self.request(use, (), 0)
            return
        pattern = param.child_by_field_name("pattern") or param
        if pattern.type == "object_pattern":
            # ({ query, body }, res) => ...: each part is the request's own
            self.bind_request(pattern, (), self.body_range(), 0)

    def request(self, node: ts.Node, path: tuple[str, ...], depth: int) -> None:
        """`node` is the request, or what `path` (property names) leads to from it."""
        kind = _CONTAINERS.get(path)
        if kind is not None:
            self.container(node, kind, depth)
            return
        if depth > _MAX_DEPTH or path not in _ON_THE_WAY:
            return
        outer = self.climb(node, None)
        parent = outer.parent
        if parent is None:
            return
        if parent.type in ("member_expression", "subscript_expression"):
            prop = _property(parent, outer)
            if prop is None:
                return
            call = _called(parent)
            if call is not None:
                if not path and prop in ("get", "header"):  # Express: req.get("X-Foo")
                    self.map_read("header", call)
                    return
                self.request(call, (*path, prop + "()"), depth + 1)
            else:
                self.request(parent, (*path, prop), depth + 1)
        elif parent.type == "arguments" and path == ("url",):
            made = parent.parent
            if (
                made is not None
                and made.type == "new_expression"
                and text(made.child_by_field_name("constructor")) == "URL"
            ):
                self.request(made, ("URL",), depth + 1)
        elif _is_value(parent, outer):
            name = parent.child_by_field_name("name")
            if name is not None:
                self.bind_request(name, path, self.after(parent), depth + 1)

    def bind_request(
        self, target: ts.Node, path: tuple[str, ...], scope: tuple[int, int], depth: int
    ) -> None:
        """A name or pattern bound to the request at `path`."""
        if target.type in _NAMES:
            for use in self.occurrences(text(target), scope):
                self.request(use, path, depth + 1)
        elif target.type == "object_pattern":
            for key, local, _ in _pattern_entries(target):
                step = (*path, key)
                kind = _CONTAINERS.get(step)
                if kind is not None:
                    self.bind_container(local, kind, scope, depth + 1)
                elif step in _ON_THE_WAY:
                    self.bind_request(local, step, scope, depth + 1)

    def container(self, node: ts.Node, kind: str, depth: int) -> None:
        """`node` holds the fields of one source (`req.query`, `await req.json()`)."""
        if depth > _MAX_DEPTH:
            return
        outer = self.climb(node, kind)
        parent = outer.parent
        if parent is None:
            return
        if parent.type in ("member_expression", "subscript_expression"):
            prop = _property(parent, outer)
            if prop is None:
                return
            call = _called(parent)
            if call is None:
                self.read(kind, prop, parent)
            elif kind in _MAP_KINDS and prop in _MAP_READS:
                self.map_read(kind, call)
            return
        if _is_value(parent, outer):
            name = parent.child_by_field_name("name")
            if name is not None and kind == "body":
                self.body_type(annotation(parent), parent)
            if name is not None:
                self.bind_container(name, kind, self.after(parent), depth + 1)
            return
        if parent.type == "arguments":
            call = parent.parent
            callee = call.child_by_field_name("function") if call is not None else None
            if call is None or callee is None or callee.type != "member_expression":
                return
            args = call_arguments(call)
            method = text(callee.child_by_field_name("property"))
            if not args or args[0] != outer or method not in _PARSE | _SAFE_PARSE:
                return
            if kind == "body":
                found = self.schema_name(unwrap(callee.child_by_field_name("object")))
                if found is not None:
                    self.bodies.append(found)
            if method in _PARSE:
                self.container(call, kind, depth + 1)
            else:
                self.parsed(call, kind, depth + 1)

    def parsed(self, node: ts.Node, kind: str, depth: int) -> None:
        """A `safeParse` result: its `data` holds the fields."""
        if depth > _MAX_DEPTH:
            return
        outer = self.climb(node, None)
        parent = outer.parent
        if parent is None:
            return
        if parent.type == "member_expression" and _property(parent, outer) == "data":
            self.container(parent, kind, depth + 1)
        elif _is_value(parent, outer):
            name = parent.child_by_field_name("name")
            scope = self.after(parent)
            if name is not None and name.type == "identifier":
                for use in self.occurrences(text(name), scope):
                    self.parsed(use, kind, depth + 1)
            elif name is not None and name.type == "object_pattern":
                for key, local, _ in _pattern_entries(name):
                    if key == "data":
                        self.bind_container(local, kind, scope, depth + 1)

    def bind_container(
        self, target: ts.Node, kind: str, scope: tuple[int, int], depth: int
    ) -> None:
        if target.type in _NAMES:
            for use in self.occurrences(text(target), scope):
                self.container(use, kind, depth + 1)
        elif target.type == "object_pattern":
            for key, local, default in _pattern_entries(target):
                if default:
                    self.record(kind, key, _GUARD)
                elif local.type in _NAMES:
                    uses = self.occurrences(text(local), scope)
                    self.record(kind, key, _combine(self.verdict(u, 1) for u in uses))
                else:  # a nested pattern: destructuring a missing value throws
                    self.record(kind, key, _REQUIRE)

    def map_read(self, kind: str, call: ts.Node) -> None:
        """`params.get("x")`, `req.get("X-Foo")`: the name is the first argument."""
        args = call_arguments(call)
        name = string_value(args[0]) if args else None
        if not name:
            return
        callee = call.child_by_field_name("function")
        method = text(callee.child_by_field_name("property")) if callee is not None else ""
        self.record(kind, name, _GUARD if method == "has" else self.verdict(call, 0))

    def read(self, kind: str, name: str, node: ts.Node) -> None:
        self.record(kind, name, self.verdict(node, 0))

    def record(self, kind: str, name: str, verdict: str) -> None:
        if kind == "header":
            name = name.lower()
        elif kind == "query" and name in self.path_params:
            return  # the pages router's `req.query.id` for `[id].ts` is the path's
        self.reads.setdefault((kind, name), []).append(verdict)

    def body_type(self, node: ts.Node | None, at: ts.Node) -> None:
        found = _model(self.types.qualify(unpromise(node), at)) if node is not None else None
        if found is not None:
            self.bodies.append(found)

    def next_headers(self) -> None:
        """`headers().get("x")`, `(await cookies()).get("x")` from `next/headers`."""
        for local, qualified in self.m.imports.items():
            kind = {"next/headers.headers": "header", "next/headers.cookies": "cookie"}.get(
                qualified
            )
            if kind is None:
                continue
            for use in self.occurrences(local, self.body_range()):
                call = use.parent
                if call is not None and call.type == "call_expression" and not call_arguments(call):
                    self.container(call, kind, 0)

    # --- whether a value must be sent ---------------------------------------------------------

    def verdict(self, node: ts.Node, depth: int, converted: bool = False) -> str:
        """What the code around one read of a value says about its absence."""
        current = node
        while True:
            parent = current.parent
            if parent is None:
                return _OTHER
            if parent.type in TRANSPARENT:
                current = parent
            elif (
                parent.type == "arguments"
                and parent.parent is not None
                and _callee(parent.parent) in _CONVERTERS
            ):
                current = parent.parent
                converted = True
            else:
                break
        kind = parent.type
        if kind == "binary_expression":
            op = text(parent.child_by_field_name("operator"))
            if op in ("??", "||", "&&"):
                return _GUARD if parent.child_by_field_name("left") == current else _OTHER
            if op in _EQUALITY:
                other = _other_side(parent, current)
                if other is not None and other.type in ("null", "undefined"):
                    return self.test(parent, negated=op in ("==", "==="))
            return _OTHER
        if kind == "unary_expression":
            op = text(parent.child_by_field_name("operator"))
            if op == "!":
                return self.test(parent, negated=True)
            if op == "typeof":
                return self.typeof(parent)
            return _OTHER
        if kind in ("if_statement", "while_statement", "do_statement"):
            return _GUARD
        if kind == "ternary_expression":
            return _GUARD if parent.child_by_field_name("condition") == current else _OTHER
        if kind in ("member_expression", "subscript_expression", "call_expression"):
            field_name = "function" if kind == "call_expression" else "object"
            if parent.child_by_field_name(field_name) != current:
                return _OTHER
            if _optional(parent):
                return _GUARD
            return _OTHER if converted else _REQUIRE
        if kind == "arguments" and parent.parent is not None:
            if _callee(parent.parent) not in _PREDICATES:
                return _OTHER  # passed on: what the callee tolerates is unknown
            above = parent.parent.parent
            if (
                above is not None
                and above.type == "unary_expression"
                and text(above.child_by_field_name("operator")) == "!"
            ):
                return self.test(above, negated=True)
            return _GUARD
        if kind == "for_in_statement":
            of = any(child.type == "of" for child in parent.children)
            if of and parent.child_by_field_name("right") == current and not converted:
                return _REQUIRE
            return _OTHER
        if kind == "spread_element":
            holder = parent.parent
            if holder is not None and holder.type in ("array", "arguments") and not converted:
                return _REQUIRE
            return _OTHER
        if _is_value(parent, current):
            name = parent.child_by_field_name("name")
            if name is None:
                return _OTHER
            if name.type in ("object_pattern", "array_pattern"):
                return _OTHER if converted else _REQUIRE
            if name.type == "identifier" and depth < 2:
                uses = self.occurrences(text(name), self.after(parent))
                return _combine(self.verdict(u, depth + 1, converted) for u in uses)
        return _OTHER

    def typeof(self, node: ts.Node) -> str:
        """`typeof x !== "string"` and `typeof x === "undefined"` test for absence."""
        parent = node.parent
        if parent is None or parent.type != "binary_expression":
            return _GUARD
        op = text(parent.child_by_field_name("operator"))
        other = _other_side(parent, node)
        if op not in _EQUALITY or other is None:
            return _GUARD
        undefined = string_value(other) == "undefined"
        return self.test(parent, negated=(op in ("!=", "!==")) != undefined)

    def test(self, node: ts.Node, negated: bool) -> str:
        """A test that is true when the value is missing, and the branch it guards refuses
        the request: the handler requires the value. Any other test is a guard."""
        if not negated:
            return _GUARD
        current = node
        parent = current.parent
        while parent is not None and (
            parent.type == "parenthesized_expression"
            or (
                parent.type == "binary_expression"
                and text(parent.child_by_field_name("operator")) == "||"
            )
        ):
            current, parent = parent, parent.parent
        if (
            parent is not None
            and parent.type == "if_statement"
            and parent.child_by_field_name("condition") == current
            and _REJECTS.search(text(parent.child_by_field_name("consequence")))
        ):
            return _REQUIRE
        return _GUARD

    # --- the response ----------------------------------------------------------------------

    def written_responses(self, name: str) -> None:
        """`res.status(201).json(x)`, `res.sendStatus(204)`, `res.statusCode = 201`."""
        for use in self.occurrences(name, self.body_range()):
            if self.shadowed(name, use):
                continue
            status: int | None = None
            sent: ts.Node | None = None
            node = use
            while True:
                member = node.parent
                if member is None or member.type != "member_expression":
                    break
                if member.child_by_field_name("object") != node:
                    break
                prop = text(member.child_by_field_name("property"))
                call = _called(member)
                if call is None:
                    if prop == "statusCode":
                        holder = member.parent
                        if holder is not None and holder.type == "assignment_expression":
                            self.status_seen(_int(holder.child_by_field_name("right")))
                    break
                args = call_arguments(call)
                if prop in ("status", "sendStatus") and status is None and args:
                    status = _int(args[0])
                    self.status_seen(status)
                elif prop in ("json", "send", "jsonp") and args:
                    sent = args[0]
                node = call
            if sent is not None and (status is None or 200 <= status < 300):
                self.responses.append(_model(self.types.of(sent)))

    def returned_responses(self) -> None:
        """`NextResponse.json(x, { status: 201 })`, `new Response(JSON.stringify(x))`."""
        start, end = self.body_range()
        for found in _NEXT_RESPONSES.finditer(self.m.source, start, end):
            node = self.m.root.named_descendant_for_byte_range(found.start(), found.end() - 1)
            while node is not None and node.type not in ("call_expression", "new_expression"):
                if node.start_byte < found.start():
                    node = None
                    break
                node = node.parent
            if node is None or node.start_byte != found.start():
                continue
            args = call_arguments(node)
            status = _int(object_property(args[1], "status")) if len(args) > 1 else None
            self.status_seen(status)
            if args and (status is None or 200 <= status < 300):
                self.responses.append(_model(self.types.of(args[0])))

    def status_seen(self, status: int | None) -> None:
        if self.status is None and status is not None and 200 <= status < 300:
            self.status = status

    # --- names ------------------------------------------------------------------------------

    def body_range(self) -> tuple[int, int]:
        body = self.body if self.body is not None else self.function
        return body.start_byte, body.end_byte

    def after(self, declarator: ts.Node) -> tuple[int, int]:
        """Where a name a declarator binds can be read: the rest of its block."""
        scope = self.m.scope_of(declarator)
        return declarator.end_byte, min(scope.end_byte, self.function.end_byte)

    def occurrences(self, name: str, span: tuple[int, int]) -> list[ts.Node]:
        """The identifiers `name` in the byte span, as reads (not property names)."""
        # No lookbehind: a pattern that starts with the literal is searched many times faster,
        # and a longer name around the match is a node that does not start where it does.
        pattern = re.compile(re.escape(name.encode()) + rb"(?![\w$])")
        found: list[ts.Node] = []
        for match in pattern.finditer(self.m.source, span[0], span[1]):
            node = self.m.root.named_descendant_for_byte_range(match.start(), match.end())
            if (
                node is not None
                and node.type in ("identifier", "shorthand_property_identifier")
                and node.start_byte == match.start()
                and node.end_byte == match.end()
            ):
                found.append(node)
        return found

    def shadowed(self, name: str, node: ts.Node) -> bool:
        """A parameter of a function inside the handler, or a local of it, named the same."""
        current = node.parent
        while current is not None and current.id != self.function.id:
            if current.type in FUNCTION_TYPES and any(n == name for n, _ in parameters(current)):
                return True
            current = current.parent
        bound = self.m.lookup(name, node)
        return bound is not None and (
            self.function.start_byte <= bound.start_byte < self.function.end_byte
        )

    def climb(self, node: ts.Node, kind: str | None) -> ts.Node:
        """The outermost expression that is still `node`'s value; a cast on a body names it."""
        while node.parent is not None and node.parent.type in TRANSPARENT:
            parent = node.parent
            if kind == "body" and parent.type in ("as_expression", "satisfies_expression"):
                self.body_type(parent.named_children[-1], parent)
            node = parent
        return node


# --- syntax helpers ---------------------------------------------------------------------------


def _type_args(node: ts.Node | None, name: str) -> list[ts.Node]:
    """The type arguments of `name<...>` (also `express.name<...>`); [] for other types."""
    if node is None or node.type != "generic_type":
        return []
    head = text(node.child_by_field_name("name")).rpartition(".")[2]
    args = node.child_by_field_name("type_arguments")
    if head != name or args is None:
        return []
    return [a for a in args.named_children if a.type != "comment"]


def _model(found: str | None) -> str | None:
    """A qualified type text if it names a model (`T`, `T[]`, `Array<T>` as `T[]`).

    A union of one model with error bodies (`Response<Quote | ErrorBody>`) names the
    model: the error bodies answer the failures, the model the success a client reads.
    """
    if found is None or found in UNINFORMATIVE:
        return None
    members = _union_members(found)
    if len(members) > 1:
        kept = [m for m in members if not _ERROR_BODY.search(m)]
        return _model(kept[0]) if len(kept) == 1 and len(kept) < len(members) else None
    array = _ARRAY.fullmatch(found)
    if array is not None or found.endswith("[]"):
        inner = _model(array.group(1) if array is not None else found[:-2])
        return f"{inner}[]" if inner is not None else None
    if not _NAMED.fullmatch(found) or found.partition("<")[0] in _NOT_MODELS:
        return None
    return found


def _union_members(found: str) -> list[str]:
    """`A | B<C | D>` -> ["A", "B<C | D>"]: the members of a top-level union type."""
    members, depth, start = [], 0, 0
    for index, char in enumerate(found):
        if char in "<({[":
            depth += 1
        elif char in ">)}]":
            depth -= 1
        elif char == "|" and depth == 0:
            members.append(found[start:index].strip())
            start = index + 1
    members.append(found[start:].strip())
    return [m for m in members if m]


def _property(access: ts.Node, obj: ts.Node) -> str | None:
    """`obj.name` or `obj["name"]` -> "name" when `obj` is the object accessed."""
    if access.child_by_field_name("object") != obj:
        return None
    if access.type == "member_expression":
        prop = access.child_by_field_name("property")
        return text(prop) if prop is not None and prop.type == "property_identifier" else None
    return string_value(access.child_by_field_name("index"))


def _called(member: ts.Node) -> ts.Node | None:
    """The call `member(...)` when the member is called."""
    call = member.parent
    if (
        call is not None
        and call.type == "call_expression"
        and call.child_by_field_name("function") == member
    ):
        return call
    return None


def _callee(call: ts.Node | None) -> str:
    if call is None or call.type != "call_expression":
        return ""
    return text(call.child_by_field_name("function"))


def _is_value(parent: ts.Node, node: ts.Node) -> bool:
    return parent.type == "variable_declarator" and parent.child_by_field_name("value") == node


def _optional(node: ts.Node) -> bool:
    """`x?.y`, `x?.[0]`, `x?.()`."""
    return any(child.type in ("optional_chain", "?.") for child in node.children)


def _other_side(binary: ts.Node, side: ts.Node) -> ts.Node | None:
    left = binary.child_by_field_name("left")
    right = binary.child_by_field_name("right")
    return unwrap(right if left == side else left)


def _int(node: ts.Node | None) -> int | None:
    node = unwrap(node)
    if node is None or node.type != "number":
        return None
    try:
        return int(text(node))
    except ValueError:
        return None


def _combine(verdicts: Iterable[str]) -> str:
    """A default anywhere means the handler copes without it; else any hard use requires it."""
    seen = set(verdicts)
    if _GUARD in seen:
        return _GUARD
    return _REQUIRE if _REQUIRE in seen else _OTHER


def _pattern_entries(pattern: ts.Node) -> Iterator[tuple[str, ts.Node, bool]]:
    """(key, target, has default) for `{ a, b: c = 1, d = 2 }`; rest and computed keys skipped."""
    for part in pattern.named_children:
        if part.type == "shorthand_property_identifier_pattern":
            yield text(part), part, False
        elif part.type == "object_assignment_pattern":
            left = part.child_by_field_name("left")
            if left is not None:
                yield text(left), left, True
        elif part.type == "pair_pattern":
            key = part.child_by_field_name("key")
            value = part.child_by_field_name("value")
            if key is None or value is None or key.type == "computed_property_name":
                continue
            label = string_value(key) if key.type == "string" else text(key)
            if not label:
                continue
            if value.type == "assignment_pattern":
                left = value.child_by_field_name("left")
                if left is not None:
                    yield label, left, True
            else:
                yield label, value, False
