"""Endpoints of Express and Next.js (pages and app router), and Next.js rewrites.

Express routes are recorded the way the Python analyzer records them: on the
object they are declared on, with their own path; `RouterDecl` names each
`express()` app and `Router()`, `RouterMount` each `use(prefix, router)`, and
`analyzers.compose` joins them across modules. An object is named after how
other modules import it, so that a mount in `index.ts` and the routes in
`routes/matches.ts` meet:

- `export const matchesRouter = Router()`, `export { router as matchesRouter }`,
  `exports.matchesRouter = router`: `"<module>:matchesRouter"`;
- `export default router`, `module.exports = router`: `"<module>:default"`, which
  is also what a default import, `import * as`, or `require("./x")` of it names;
- a router a function builds and returns: `"<module>:<function>()"`, mounted as
  `app.use("/x", createRouter())`;
- a router or app a function receives: `"<module>:<function>($<index>)"`, mounted
  as `registerRoutes(app)`.

Middleware is read in registration order, as Express runs it: `use` calls on
the route's own object before the route (when their path covers the route's),
then the route's own middleware. `use` calls on a parent before a mount travel
with the `RouterMount`, and compose puts them in front. `body_parser` is the
first body parser on the way: once one has read the stream, body-parser's
other parsers skip the request (`req._body`), so a later `express.raw()` never
sees the bytes.

Next.js: every default export under `pages/api/` and every exported verb
function in an app-router `route.ts` is an endpoint, its path taken from the
file path. The pages router parses bodies itself unless a route exports
`config = { api: { bodyParser: false } }`; the app router parses nothing,
the handler reads the body (`await req.json()`, `req.text()`).

Precision comes first: a `get`/`post`/`use` call counts when its object was
built by `express()`/`Router()`, or, for an object made elsewhere (a function
parameter, an import), when it is named like an app or router, is not made by
some package (an axios instance, Next's `useRouter()`), and the call has a
route's shape: a path starting with "/" and a handler after it.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import tree_sitter as ts

from analyzers.compose import covers
from analyzers.facts import (
    Endpoint,
    EndpointParam,
    Fact,
    Location,
    Middleware,
    Rewrite,
    RouterDecl,
    RouterMount,
)
from analyzers.javascript.context import JsContext
from analyzers.javascript.handlers import handler_contract
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

EXPRESS = "express"
NEXTJS = "nextjs"

_APPS = frozenset({"express", "express.default"})
_ROUTERS = frozenset({"express.Router", "express.default.Router", "express-promise-router"})
_VERBS = frozenset({"get", "post", "put", "patch", "delete", "options", "head", "all"})
_METHODS = _VERBS | {"use"}
# `.get(`, `.use (`: where a route or use call may be; the first group is the method's name.
_METHOD_CALL = re.compile(rb"\.\s*(get|post|put|patch|delete|all|options|head|use)\s*\(")
# `require("express")()`: an app made without naming the module; the group is the callee.
_REQUIRED_EXPRESS = re.compile(rb"\b(require)\s*\(\s*['\"]express['\"]\s*\)\s*\(")
_PARSERS = {
    "express.json": "json",
    "express.raw": "raw",
    "express.text": "text",
    "express.urlencoded": "urlencoded",
    "body-parser.json": "json",
    "body-parser.raw": "raw",
    "body-parser.text": "text",
    "body-parser.urlencoded": "urlencoded",
    "body-parser": "json",  # the deprecated bodyParser(): json and urlencoded, json first
}
# Packages whose objects share Express's method names: their routes are not Express routes.
_OTHER_FRAMEWORKS = ("koa", "@koa/", "koa-", "hono", "fastify", "restify", "@hapi/", "polka")
# Type annotations that make a parameter an Express app or router.
_EXPRESS_TYPES = re.compile(r"\b(?:Express|Application|Router|IRouter)\b")
_ROUTER_NAME = re.compile(r"(?:router|routes|app|server)$", re.I)
_NEXT_VERBS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_HTTP_VERBS = frozenset(_NEXT_VERBS)

# --- paths ------------------------------------------------------------------------------------

# path-to-regexp parameters, Express's and Next's: `:id`, `:id?`, `:path*`, `:id(\\d+)`.
_PARAM = re.compile(r":([A-Za-z_$][\w$]*)(?:\((?:[^()]|\([^()]*\))*\))?([?*+]?)")
# A path's parameters as normalised: `{id}`, `{id?}` (optional), `{rest:path}` (one or more
# segments) and `{*rest}` (zero or more), the spellings `analyzers.graph.paths` reads.
_BRACED = re.compile(r"\{\*?([A-Za-z_$][\w$]*)(?::path|\?)?\}")
_ONLY_PLACEHOLDERS = re.compile(r"/?(?:\{[^{}]*\}/?)+")
_SOURCE_SUFFIX = r"\.(?:tsx?|jsx?|mjs|cjs|mts|cts)$"
_NOT_ROUTES = re.compile(r"\.d\.ts$|\.(?:test|spec|stories)\.|(?:^|/)__(?:tests|mocks)__/")
_PAGES_API = [
    re.compile(r"(?:^|/)src/pages/(api(?:/.*)?)" + _SOURCE_SUFFIX),
    re.compile(r"(?:^|/)pages/(api(?:/.*)?)" + _SOURCE_SUFFIX),
]
_APP_ROUTE = [
    re.compile(r"(?:^|/)src/app/((?:.*/)?)route" + _SOURCE_SUFFIX),
    re.compile(r"(?:^|/)app/((?:.*/)?)route" + _SOURCE_SUFFIX),
]
_NEXT_CONFIG = re.compile(r"(?:^|/)next\.config\.(?:js|mjs|cjs|ts|mts)$")


def normalise_path(raw: str) -> str:
    """`/users/:id`, `/users/:id?`, `/api/:path*`, `/api/:path+` and `/x/:id(\\d+)` become
    `/users/{id}`, `/users/{id?}`, `/api/{*path}`, `/api/{path:path}` and `/x/{id}`: what a
    parameter matches (one segment, maybe none, the rest of the path) is kept."""
    return _PARAM.sub(_normal_param, raw)


def _normal_param(param: re.Match[str]) -> str:
    name, modifier = param.group(1), param.group(2)
    if modifier == "*":
        return "{*" + name + "}"
    if modifier == "+":
        return "{" + name + ":path}"
    return "{" + name + modifier + "}"


def _optional_params(raw: str) -> set[str]:
    return {m.group(1) for m in _PARAM.finditer(raw) if m.group(2) in ("?", "*")}


def _path_params(raw: str, path: str) -> tuple[EndpointParam, ...]:
    optional = _optional_params(raw)
    names = dict.fromkeys(_BRACED.findall(path))
    return tuple(EndpointParam(n, "path", None, n not in optional) for n in names)


def _file_segments(route: str, app_router: bool) -> tuple[str, set[str]] | None:
    """A Next.js route folder path as a URL path, with its optional parameters; None if private."""
    out: list[str] = []
    optional: set[str] = set()
    for segment in route.split("/"):
        if not segment or segment.startswith(("(", "@")):
            continue  # route groups and parallel-route slots are not in the URL
        if app_router and segment.startswith("_"):
            return None  # the app router's private folders are not routable
        if segment.startswith("[[...") and segment.endswith("]]"):
            optional.add(segment[5:-2])
            out.append("{*" + segment[5:-2] + "}")  # zero or more segments
        elif segment.startswith("[...") and segment.endswith("]"):
            out.append("{" + segment[4:-1] + ":path}")  # one or more
        elif segment.startswith("[") and segment.endswith("]"):
            out.append("{" + segment[1:-1] + "}")
        else:
            out.append(segment)
    return "/" + "/".join(out), optional


def pages_api_path(path: str) -> tuple[str, set[str]] | None:
    """`pages/api/users/[id].ts` -> `/api/users/{id}`; None for files that are not API routes."""
    if _NOT_ROUTES.search(path):
        return None
    for pattern in _PAGES_API:
        found = pattern.search(path)
        if found:
            route = found.group(1)
            if route == "index" or route.endswith("/index"):
                route = route[: -len("index")]
            return _file_segments(route, app_router=False)
    return None


def app_route_path(path: str) -> tuple[str, set[str]] | None:
    """`app/(shop)/orders/[id]/route.ts` -> `/orders/{id}`; None for other files."""
    if _NOT_ROUTES.search(path):
        return None
    for pattern in _APP_ROUTE:
        found = pattern.search(path)
        if found:
            return _file_segments(found.group(1), app_router=True)
    return None


def is_route_file(path: str) -> bool:
    """Files whose path alone makes them worth reading (they may name no framework at all)."""
    return bool(
        pages_api_path(path) or app_route_path(path) or _NEXT_CONFIG.search(path) is not None
    )


# --- the family -------------------------------------------------------------------------------


def extract(ctx: JsContext) -> Iterator[Fact]:
    path = ctx.module.path
    if _NEXT_CONFIG.search(path):
        yield from _rewrites(ctx)
        return
    page = pages_api_path(path)
    if page is not None:
        yield from _pages_route(ctx, *page)
        return
    route = app_route_path(path)
    if route is not None:
        yield from _app_routes(ctx, *route)
        return
    yield from _Express(ctx).run()


# --- shared helpers ---------------------------------------------------------------------------


def _span(m: JsModule, first: ts.Node, last: ts.Node) -> Location:
    return Location(m.path, first.start_point[0] + 1, last.end_point[0] + 1)


def _is_default_export(node: ts.Node) -> bool:
    return any(child.type == "default" for child in node.children)


def _params(function: ts.Node) -> list[ts.Node]:
    params = function.child_by_field_name("parameters")
    if params is None:
        single = function.child_by_field_name("parameter")  # `req => ...`
        return [single] if single is not None else []
    return [p for p in params.named_children if p.type != "comment"]


def _param_name(param: ts.Node) -> str:
    pattern = param.child_by_field_name("pattern")
    return text(pattern if pattern is not None else param)


def _function_value(m: JsModule, node: ts.Node | None, depth: int = 0) -> ts.Node | None:
    """The function an expression denotes: a literal, a local name bound to one, or wrapped."""
    node = unwrap(node)
    if node is None or depth > 4:
        return None
    if node.type in FUNCTION_TYPES:
        return node
    if node.type == "identifier":
        bound = m.lookup(text(node), node)
        if bound is not None:
            return _function_value(m, bound, depth + 1)
        return _top_functions(m).get(text(node))
    if node.type == "call_expression":
        # withAuth(handler), asyncHandler(async (req, res) => ...): the wrapped function
        for arg in reversed(call_arguments(node)):
            found = _function_value(m, arg, depth + 1)
            if found is not None:
                return found
    return None


_TOP_FUNCTIONS: weakref.WeakKeyDictionary[JsModule, dict[str, ts.Node]] = (
    weakref.WeakKeyDictionary()
)


def _top_functions(m: JsModule) -> dict[str, ts.Node]:
    """Function declarations of the module's top level (the query does not capture them)."""
    found = _TOP_FUNCTIONS.get(m)
    if found is not None:
        return found
    found = {}
    for statement in m.root.named_children:
        node = statement
        if node.type == "export_statement":
            node = node.child_by_field_name("declaration") or node
        if node.type in ("function_declaration", "generator_function_declaration"):
            found[text(node.child_by_field_name("name"))] = node
    _TOP_FUNCTIONS[m] = found
    return found


def _note_handler(ctx: JsContext, name: str, function: ts.Node | None) -> None:
    """Hand a route's handler, when this module defines it, to the handler calls family."""
    if function is not None:
        ctx.handlers.append((name, function))


def _wrappers(node: ts.Node | None) -> tuple[str, ...]:
    """`withAuth(withLogging(handler))` -> ("withAuth", "withLogging"), outermost first."""
    names: list[str] = []
    node = unwrap(node)
    while node is not None and node.type == "call_expression":
        names.append(_callee_text(node))
        args = call_arguments(node)
        node = unwrap(args[0]) if args else None
    return tuple(names)


def _callee_text(call: ts.Node) -> str:
    return re.sub(r"\s+", "", text(call.child_by_field_name("function")))


# --- Express ----------------------------------------------------------------------------------


@dataclass
class _Object:
    """An Express app or router as the module refers to it."""

    ref: str
    is_app: bool
    declared: ts.Node | None = None  # the express()/Router() call when made in this module


@dataclass
class _Use:
    """One `obj.use(...)` call: what runs, and where (relative to the object)."""

    position: int
    scope: str
    middleware: list[Middleware]


@dataclass
class _Route:
    obj: _Object
    call: ts.Node
    first: ts.Node  # where the fact's location starts
    method: str
    raw_path: str
    args: list[ts.Node]  # middleware then the handler


@dataclass
class _Mount:
    parent: _Object
    call: ts.Node
    child: str
    prefix: str
    inline: list[Middleware]  # middleware before the child in the same `use` call


@dataclass
class _State:
    """What the module registers, read first and turned into facts once all is known."""

    uses: dict[str, list[_Use]] = field(default_factory=dict)  # object ref -> its uses
    routes: list[_Route] = field(default_factory=list)
    mounts: list[_Mount] = field(default_factory=list)


class _Express:
    def __init__(self, ctx: JsContext) -> None:
        self.ctx = ctx
        self.m = ctx.module
        self.mod = ctx.module.name
        self.objects: dict[int, _Object] = {}  # start byte of the express()/Router() call
        self._exports: dict[str, str] | None = None
        sources = ctx.module.import_sources.values()
        self.imports_express = any(s == "express" or s.startswith("express/") for s in sources)
        self.other_framework = any(s.startswith(_OTHER_FRAMEWORKS) for s in sources)

    def run(self) -> Iterator[Fact]:
        if self.ctx.mentions("express"):
            yield from self.declarations()
        state = _State()
        for call, callee in self.calls_named(_METHOD_CALL):
            self.read_call(call, callee, text(callee.child_by_field_name("property")), state)
        self.passed_objects(state)
        # Registration order is what counts; `passed_objects` adds its mounts last.
        for uses in state.uses.values():
            uses.sort(key=lambda use: use.position)
        state.routes.sort(key=lambda route: route.first.start_byte)
        state.mounts.sort(key=lambda mount: mount.call.start_byte)
        for route in state.routes:
            yield from self.endpoints(route, state)
        for mount in state.mounts:
            yield self.mount(mount, state)

    # --- objects ------------------------------------------------------------------------------

    def calls_named(
        self, pattern: re.Pattern[bytes], through_require: bool = False
    ) -> Iterator[tuple[ts.Node, ts.Node]]:
        """(call, callee) for the calls whose callee's name `pattern`'s first group matches.

        Going from the text to the few nodes it names is much cheaper than reading the
        callee of every call of the module; matches in comments or strings are no calls.
        """
        for found in pattern.finditer(self.m.source):
            name = self.m.root.named_descendant_for_byte_range(found.start(1), found.end(1))
            if name is None or name.parent is None:
                continue
            callee = name.parent if name.type == "property_identifier" else name
            if through_require and callee.parent is not None:
                callee = callee.parent  # require("express")(): the callee is the require call
            call = callee.parent
            if (
                call is not None
                and call.type == "call_expression"
                and call.child_by_field_name("function") == callee
            ):
                yield call, callee

    def declarations(self) -> Iterator[Fact]:
        names = {n for n, v in self.m.imports.items() if v in _APPS | _ROUTERS}
        names |= {"express", "Router"}  # `express.Router(`: a property named Router
        pattern = re.compile(rb"(" + "|".join(map(re.escape, names)).encode() + rb")\s*\(")
        candidates = list(self.calls_named(pattern))
        if b"require" in self.m.source:
            candidates += self.calls_named(_REQUIRED_EXPRESS, through_require=True)
        for call, _ in candidates:
            resolved = self.m.callee(call)
            if resolved is None or resolved.name not in _APPS | _ROUTERS:
                continue
            ref = self.declared_ref(call)
            if ref is None:
                continue
            obj = _Object(ref, resolved.name in _APPS, call)
            self.objects[call.start_byte] = obj
            yield RouterDecl(self.ctx.service, self.ctx.loc(call), ref, "", EXPRESS, obj.is_app)

    def declared_ref(self, call: ts.Node) -> str | None:
        """The name other modules know the object made by `call` under."""
        parent = call.parent
        while parent is not None and parent.type in TRANSPARENT:
            parent = parent.parent
        if parent is None:
            return None
        if parent.type == "variable_declarator":
            return self.binding_ref(text(parent.child_by_field_name("name")), call)
        if parent.type in ("public_field_definition", "field_definition"):
            cls = self.m.class_of(call)
            key = parent.child_by_field_name("name") or parent.child_by_field_name("property")
            return f"{self.mod}:{text(cls.child_by_field_name('name')) if cls else ''}.{text(key)}"
        if parent.type == "assignment_expression":
            left = text(parent.child_by_field_name("left"))
            if left.startswith("this."):
                cls = self.m.class_of(call)
                name = text(cls.child_by_field_name("name")) if cls else ""
                return f"{self.mod}:{name}.{left[5:]}"
            if left == "module.exports":
                return f"{self.mod}:default"
            if left.startswith(("exports.", "module.exports.")):
                return f"{self.mod}:{left.rpartition('.')[2]}"
            if "." not in left:
                return self.binding_ref(left, call)
        if parent.type == "export_statement":
            return f"{self.mod}:default"
        return None

    def binding_ref(self, name: str, at: ts.Node) -> str:
        """A variable's object: module level by its export, in a function by the function."""
        function = self.m.enclosing_function(at)
        if function is None:
            return f"{self.mod}:{self.exports().get(name, name)}"
        if re.search(rf"\breturn\s+{re.escape(name)}\b", text(function)):
            return f"{self.mod}:{self.function_ref(function)}()"
        label = (self.m.function_name(function) or "").removeprefix(self.mod + ".")
        return f"{self.mod}:{label}.{name}"

    def exports(self) -> dict[str, str]:
        """Local name -> the name other modules import it by; "default" wins over a name."""
        if self._exports is not None:
            return self._exports
        found: dict[str, str] = {}

        def add(local: str, exported: str) -> None:
            if found.get(local) != "default":
                found[local] = exported

        for node in self.m.exports:
            if node.child_by_field_name("source") is not None:
                continue  # re-exported from another module
            declaration = node.child_by_field_name("declaration")
            value = node.child_by_field_name("value")
            if _is_default_export(node):
                if value is not None and value.type == "identifier":
                    add(text(value), "default")
                elif declaration is not None and declaration.child_by_field_name("name"):
                    add(text(declaration.child_by_field_name("name")), "default")
            elif declaration is not None:
                if declaration.type in ("lexical_declaration", "variable_declaration"):
                    for declarator in declaration.named_children:
                        if declarator.type == "variable_declarator":
                            name = text(declarator.child_by_field_name("name"))
                            add(name, name)
                elif declaration.child_by_field_name("name") is not None:
                    name = text(declaration.child_by_field_name("name"))
                    add(name, name)
            else:
                for clause in node.named_children:
                    if clause.type != "export_clause":
                        continue
                    for spec in clause.named_children:
                        local = text(spec.child_by_field_name("name"))
                        alias = spec.child_by_field_name("alias")
                        add(local, text(alias) if alias is not None else local)
        for assign in self.m.assignments:
            left = text(assign.child_by_field_name("left"))
            right = unwrap(assign.child_by_field_name("right"))
            if right is None:
                continue
            if left == "module.exports":
                if right.type == "identifier":
                    add(text(right), "default")
                elif right.type == "object":
                    for member in right.named_children:
                        if member.type == "shorthand_property_identifier":
                            add(text(member), text(member))
                        elif member.type == "pair":
                            value = unwrap(member.child_by_field_name("value"))
                            if value is not None and value.type == "identifier":
                                add(text(value), text(member.child_by_field_name("key")))
            elif left.startswith(("exports.", "module.exports.")) and right.type == "identifier":
                add(text(right), left.rpartition(".")[2])
        self._exports = found
        return found

    def function_ref(self, function: ts.Node) -> str:
        """The name a function is imported by: its export, `default`, or its own name."""
        parent = function.parent
        while parent is not None and parent.type in TRANSPARENT:
            parent = parent.parent
        if parent is not None:
            if parent.type == "export_statement" and _is_default_export(parent):
                return "default"
            if parent.type == "assignment_expression":
                left = text(parent.child_by_field_name("left"))
                if left == "module.exports":
                    return "default"
                if left.startswith(("exports.", "module.exports.")):
                    return left.rpartition(".")[2]
        name = function.child_by_field_name("name")
        local = text(name) if name is not None else ""
        if not local and parent is not None and parent.type == "variable_declarator":
            local = text(parent.child_by_field_name("name"))
        if local:
            return self.exports().get(local, local)
        return (self.m.function_name(function) or "").removeprefix(self.mod + ".")

    def import_ref(self, name: str, member: str | None = None) -> str | None:
        """How an imported name refers to another module's object: `"<module>:<name>"`."""
        value = self.m.imports.get(name)
        if value is None:
            return None
        spec = self.m.import_sources.get(name, "")
        whole = name in self.m.whole_imports
        if whole:
            module, export = value, member or "default"
        elif member is not None:
            return None  # a member of a named import: not an object anyone declares
        else:
            module, _, export = value.rpartition(".")
        if spec.startswith(("@/", "~/")):
            # A path alias: the folder it maps to is unknown, compose matches the suffix.
            return f"{module[2:].replace('/', '.')}.{export}"
        return f"{module}:{export}"

    def is_package(self, name: str) -> bool:
        """`name` is imported from a package, not from this repository."""
        spec = self.m.import_sources.get(name)
        return spec is not None and not spec.startswith((".", "@/", "~/"))

    def target(self, expr: ts.Node | None, strict: bool) -> _Object | None:
        """The Express object a call is made on; `strict`: only one made by express()/Router()."""
        expr = unwrap(expr)
        if expr is None:
            return None
        resolved = self.m.resolve(expr)
        if resolved is not None and resolved.origin is not None:
            known = self.objects.get(resolved.origin.start_byte)
            if known is not None:
                return known
        if strict or self.other_framework:
            return None
        # An object made elsewhere: believable by its name, unless a package made it.
        if expr.type == "identifier":
            name = text(expr)
            if name in self.m.imports:
                if self.is_package(name) or not _ROUTER_NAME.search(name):
                    return None
                ref = self.import_ref(name)
                return _Object(ref, False) if ref else None
            param = self.parameter(name, expr)
            if param is not None:
                return param
            bound = self.m.lookup(name, expr)
            if not _ROUTER_NAME.search(name) or not self.made_here(bound):
                return None
            return _Object(self.binding_ref(name, expr), False)
        return None

    def made_here(self, value: ts.Node | None) -> bool:
        """A name bound to a call of this repository's code (`createApp()`), not a package's."""
        value = unwrap(value)
        if value is None:
            return False
        if value.type not in ("call_expression", "new_expression"):
            return False
        head = value.child_by_field_name("function") or value.child_by_field_name("constructor")
        while head is not None and head.type == "member_expression":
            head = head.child_by_field_name("object")
        return head is not None and head.type == "identifier" and not self.is_package(text(head))

    def parameter(self, name: str, at: ts.Node) -> _Object | None:
        function = self.m.enclosing_function(at)
        while function is not None:
            for index, param in enumerate(_params(function)):
                if _param_name(param) != name:
                    continue
                annotation = text(param.child_by_field_name("type"))
                if annotation and not _EXPRESS_TYPES.search(annotation):
                    return None  # typed as something else
                if not annotation and not (self.imports_express or name in ("app", "router")):
                    return None
                if not annotation and not _ROUTER_NAME.search(name):
                    return None
                ref = f"{self.mod}:{self.function_ref(function)}(${index})"
                return _Object(ref, False)
            function = self.m.enclosing_function(function)
        return None

    # --- calls --------------------------------------------------------------------------------

    def read_call(self, call: ts.Node, callee: ts.Node, method: str, state: _State) -> None:
        obj_expr: ts.Node | None = unwrap(callee.child_by_field_name("object"))
        if obj_expr is None:
            return
        args = call_arguments(call)
        route_path: ts.Node | None = None
        first = call
        if obj_expr.type == "call_expression":
            # router.route("/x").get(h).post(h): walk down the chain to `.route(path)`
            if method == "use":
                return
            inner: ts.Node | None = obj_expr
            while inner is not None and inner.type == "call_expression":
                inner_callee = inner.child_by_field_name("function")
                if inner_callee is None or inner_callee.type != "member_expression":
                    return
                prop = text(inner_callee.child_by_field_name("property"))
                if prop == "route":
                    inner_args = call_arguments(inner)
                    route_path = inner_args[0] if inner_args else None
                    obj_expr = unwrap(inner_callee.child_by_field_name("object"))
                    break
                if prop not in _VERBS:
                    return
                inner = unwrap(inner_callee.child_by_field_name("object"))
            if route_path is None:
                return
            first = callee.child_by_field_name("property") or call
        if method == "use":
            obj = self.target(obj_expr, strict=not self.use_shape(args))
            if obj is not None:
                self.read_use(obj, call, args, state)
            return
        if route_path is None:
            if len(args) < 2:
                return  # app.get("env"): a setting, not a route
            route_path, handlers = args[0], args[1:]
        else:
            handlers = args
        if not handlers:
            return
        flat = _flatten(handlers)
        if not flat or not self.handler_shape(flat[-1]):
            return
        paths = self.paths(route_path)
        if not paths:
            return
        obj = self.target(obj_expr, strict=not self.route_shape(flat[-1]))
        if obj is None:
            return
        verb = "*" if method == "all" else method.upper()
        for raw in paths:
            state.routes.append(_Route(obj, call, first, verb, raw, flat))

    def paths(self, node: ts.Node | None) -> list[str]:
        node = unwrap(node)
        if node is None:
            return []
        if node.type == "array":
            return [p for item in node.named_children for p in self.paths(item)]
        found = self.text(node)
        if found is None or not found.startswith(("/", "*")):
            return []
        return [found]

    def text(self, node: ts.Node | None) -> str | None:
        """A string the code fixes, with env defaults filled in; None when only placeholders."""
        literal = string_value(node)
        if literal is not None:
            return literal
        template = self.ctx.values.template(node)
        if template is None:
            return None
        out = template.text
        for key, default in template.defaults:
            out = out.replace("{" + key + "}", default)
        return None if _ONLY_PLACEHOLDERS.fullmatch(out) else out

    def handler_shape(self, node: ts.Node) -> bool:
        kind = unwrap(node)
        return kind is not None and (
            kind.type in FUNCTION_TYPES
            or kind.type in ("identifier", "member_expression", "call_expression")
        )

    def route_shape(self, handler: ts.Node) -> bool:
        """A handler only an Express router takes: a function of (req, res), for sure.

        Hono's and Koa's handlers take one context argument; an axios instance's second
        argument is data. An imported function cannot be looked at: one from this
        repository is believed.
        """
        node = unwrap(handler)
        if node is None:
            return False
        if node.type == "identifier" and text(node) in self.m.imports:
            return not self.is_package(text(node))
        if node.type == "member_expression":
            return True
        function = _function_value(self.m, node)
        return function is not None and len(_params(function)) >= 2

    def use_shape(self, args: list[ts.Node]) -> bool:
        return bool(args) and all(self.handler_shape(a) for a in _flatten(args[1:] or args))

    def read_use(self, obj: _Object, call: ts.Node, args: list[ts.Node], state: _State) -> None:
        scope = ""
        if args:
            paths = self.paths(args[0])
            if paths or kind_is_path(args[0]):
                scope = normalise_path(paths[0]) if paths else ""
                args = args[1:]
        chain: list[Middleware] = []
        for arg in _flatten(args):
            child = self.mounted(arg)
            if child is not None:
                state.mounts.append(_Mount(obj, call, child, scope, list(chain)))
                if not self.maybe_middleware(arg):
                    continue
            entry = self.middleware(arg, scope)
            if entry is not None:
                chain.append(entry)
        state.uses.setdefault(obj.ref, []).append(_Use(call.start_byte, scope, chain))

    def mounted(self, arg: ts.Node) -> str | None:
        """The router a `use` argument may be: a local one, an import, a factory's result."""
        node = unwrap(arg)
        if node is None:
            return None
        if node.type == "identifier":
            name = text(node)
            if name in self.m.imports:
                return None if self.is_package(name) else self.import_ref(name)
            resolved = self.m.resolve(node)
            if resolved is not None and resolved.origin is not None:
                known = self.objects.get(resolved.origin.start_byte)
                return known.ref if known is not None else None
            return None
        if node.type == "member_expression":
            head = unwrap(node.child_by_field_name("object"))
            prop = text(node.child_by_field_name("property"))
            if head is not None and head.type == "identifier" and text(head) in self.m.imports:
                if self.is_package(text(head)):
                    return None
                return self.import_ref(text(head), prop)
            if head is not None and head.type == "call_expression":
                required = self.required(head)
                return f"{required}:{prop}" if required else None
            if head is not None and head.type == "new_expression":
                # new UserRoutes().router: the class field, as its module names it
                made = unwrap(head.child_by_field_name("constructor"))
                name = text(made) if made is not None and made.type == "identifier" else ""
                if name in self.m.imports and not self.is_package(name):
                    ref = self.import_ref(name)
                    return f"{ref}.{prop}" if ref else None
                if name:
                    return f"{self.mod}:{name}.{prop}"
            return None
        if node.type == "call_expression":
            required = self.required(node)
            if required is not None:
                return f"{required}:default"
            callee = unwrap(node.child_by_field_name("function"))
            if callee is None:
                return None
            if callee.type == "identifier":
                name = text(callee)
                if name in self.m.imports:
                    if self.is_package(name):
                        return None
                    ref = self.import_ref(name)
                    return f"{ref}()" if ref else None
                function = _top_functions(self.m).get(name) or _function_value(self.m, callee)
                if function is not None:
                    # A local factory is seen whole: only one that returns a router mounts.
                    ref = f"{self.mod}:{self.function_ref(function)}()"
                    return ref if any(o.ref == ref for o in self.objects.values()) else None
            if callee.type == "call_expression":  # require("./routes")(deps)
                required = self.required(callee)
                return f"{required}:default()" if required else None
        return None

    def required(self, call: ts.Node) -> str | None:
        """`require("./routes")` as the module it loads, for repository modules only."""
        if text(call.child_by_field_name("function")) != "require":
            return None
        args = call_arguments(call)
        spec = string_value(args[0]) if args else None
        if spec is None or not spec.startswith("."):
            return None
        return self.m.resolve_source(spec)

    def maybe_middleware(self, arg: ts.Node) -> bool:
        """A mounted import may be middleware as well; one named like a router is not."""
        node = unwrap(arg)
        if node is None:
            return False
        if node.type == "identifier":
            local = text(node)
            if local not in self.m.imports:
                return False  # a router made in this module
        elif node.type == "member_expression":
            local = text(node.child_by_field_name("property"))
        else:
            local = _callee_text(node) if node.type == "call_expression" else ""
            if local == "require":
                return False
        return not re.search(r"(?:router|routes|api|app)(?:\(\))?$", local, re.I)

    def middleware(self, node: ts.Node, scope: str) -> Middleware | None:
        """The middleware an argument adds; None for error handlers, which skip requests."""
        inner = unwrap(node)
        if inner is None:
            return None
        function = _function_value(self.m, inner) if inner.type != "call_expression" else None
        if function is not None and len(_params(function)) == 4:
            return None  # (err, req, res, next): runs only once a request failed
        if inner.type in FUNCTION_TYPES:
            return Middleware("<anonymous>", scope)
        if inner.type == "call_expression":
            name = _callee_text(inner)
            if "(" in name:
                resolved = self.m.resolve(inner.child_by_field_name("function"))
                name = resolved.name if resolved else "<anonymous>"
        else:
            name = re.sub(r"\s+", "", text(inner))
        return Middleware(name, scope, self.parser(inner))

    def parser(self, node: ts.Node) -> str | None:
        resolved = self.m.resolve(node)
        if resolved is None or not resolved.name.endswith("()"):
            return None  # `bodyParser.json` without the call adds no parser
        return _PARSERS.get(resolved.name[:-2])

    # --- facts --------------------------------------------------------------------------------

    def endpoints(self, route: _Route, state: _State) -> Iterator[Endpoint]:
        path = normalise_path(route.raw_path)
        chain: list[Middleware] = []
        for use in state.uses.get(route.obj.ref, ()):
            if use.position < route.call.start_byte and covers(use.scope, path):
                chain.extend(use.middleware)
        for arg in route.args[:-1]:
            entry = self.middleware(arg, "")
            if entry is not None:
                chain.append(entry)
        parsers = [mw.body_parser for mw in chain if mw.body_parser]
        # What the handler reads and answers (analyzers.javascript.handlers).
        contract = handler_contract(
            self.ctx, _function_value(self.m, route.args[-1]), route.args[:-1]
        )
        yield Endpoint(
            self.ctx.service,
            _span(self.m, route.first, route.call),
            route.method,
            path,
            self.handler(route.args[-1]),
            EXPRESS,
            request_model=contract.request_model,
            response_model=contract.response_model,
            params=_path_params(route.raw_path, path) + contract.params,
            status_code=contract.status_code,
            router=route.obj.ref,
            body_parser=parsers[0] if parsers else None,
            middleware=tuple(mw.name for mw in chain),
        )

    def mount(self, mount: _Mount, state: _State) -> RouterMount:
        chain: list[Middleware] = []
        for use in state.uses.get(mount.parent.ref, ()):
            # Earlier uses whose path may overlap the mount's (either may be the deeper one).
            if use.position < mount.call.start_byte and (
                covers(use.scope, mount.prefix) or covers(mount.prefix, use.scope)
            ):
                chain.extend(use.middleware)
        chain.extend(Middleware(mw.name, mount.prefix, mw.body_parser) for mw in mount.inline)
        return RouterMount(
            self.ctx.service,
            self.ctx.loc(mount.call),
            mount.parent.ref,
            mount.child,
            mount.prefix,
            middleware=tuple(chain),
        )

    def passed_objects(self, state: _State) -> None:
        """`registerRoutes(app)`: the function's parameter is this app, mounted at its root."""
        if not self.objects:
            return
        names = {
            text(obj.declared.parent.child_by_field_name("name")): obj
            for obj in self.objects.values()
            if obj.declared is not None
            and obj.declared.parent is not None
            and obj.declared.parent.type == "variable_declarator"
        }
        for call in self.m.calls:
            args = call_arguments(call)
            if not args or not any(a.type == "identifier" and text(a) in names for a in args):
                continue
            function = self.called_ref(call)
            if function is None:
                continue
            for index, arg in enumerate(args):
                if arg.type != "identifier" or text(arg) not in names:
                    continue
                resolved = self.m.resolve(arg)
                if resolved is None or resolved.origin is None:
                    continue
                obj = self.objects.get(resolved.origin.start_byte)
                if obj is not None:
                    state.mounts.append(_Mount(obj, call, f"{function}(${index})", "", []))

    def called_ref(self, call: ts.Node) -> str | None:
        callee = unwrap(call.child_by_field_name("function"))
        if callee is None:
            return None
        if callee.type == "identifier":
            name = text(callee)
            if name in self.m.imports:
                return None if self.is_package(name) else self.import_ref(name)
            function = _top_functions(self.m).get(name) or _function_value(self.m, callee)
            return f"{self.mod}:{self.function_ref(function)}" if function is not None else None
        if callee.type == "member_expression":
            head = unwrap(callee.child_by_field_name("object"))
            if head is not None and head.type == "identifier" and text(head) in self.m.imports:
                if self.is_package(text(head)):
                    return None
                return self.import_ref(text(head), text(callee.child_by_field_name("property")))
            return None
        if callee.type == "call_expression":
            required = self.required(callee)
            return f"{required}:default" if required else None
        return None

    def handler(self, node: ts.Node) -> str:
        """The handler's qualified name, as `JsModule.function_name` names its function."""
        name = _qualified(self.m, node) or f"{self.mod}.<anonymous>"
        _note_handler(self.ctx, name, _function_value(self.m, node))
        return name


def kind_is_path(node: ts.Node) -> bool:
    """A `use` argument that is a path (a regex or a path we cannot read is still a path)."""
    inner = unwrap(node)
    return inner is not None and inner.type in ("string", "template_string", "regex", "array")


def _flatten(nodes: Iterable[ts.Node]) -> list[ts.Node]:
    """Express flattens arrays of middleware: `[auth, validate]` counts as two arguments."""
    out: list[ts.Node] = []
    for node in nodes:
        inner = unwrap(node)
        if inner is not None and inner.type == "array":
            out.extend(_flatten(inner.named_children))
        elif inner is not None:
            out.append(inner)
    return out


def _qualified(m: JsModule, node: ts.Node | None, depth: int = 0) -> str | None:
    """A function's name as its declaring module's `function_name` gives it."""
    node = unwrap(node)
    if node is None or depth > 6:
        return None
    if node.type in FUNCTION_TYPES:
        return m.function_name(node)
    if node.type == "identifier":
        name = text(node)
        if name in m.imports:
            value = m.imports[name]
            return f"{value}.default" if name in m.whole_imports else value
        inner = unwrap(m.lookup(name, node))
        if inner is not None and inner.type in FUNCTION_TYPES:
            return m.function_name(inner)
        if inner is not None and inner.type == "call_expression":
            # const handler = asyncHandler(listUsers): named after what it wraps, when it
            # wraps a function; `NextAuth(options)` keeps its own name.
            wrapped = _wrapped(m, inner)
            if wrapped is not None:
                return _qualified(m, wrapped, depth + 1)
        if inner is not None and inner.type == "identifier":
            return _qualified(m, inner, depth + 1)
        return f"{m.name}.{name}"
    if node.type == "member_expression":
        obj = unwrap(node.child_by_field_name("object"))
        prop = text(node.child_by_field_name("property"))
        if obj is not None and obj.type == "this":
            cls = m.class_of(node)
            label = text(cls.child_by_field_name("name")) if cls is not None else "this"
            return f"{m.name}.{label}.{prop}"
        if obj is not None and obj.type == "identifier" and text(obj) in m.imports:
            return f"{m.imports[text(obj)]}.{prop}"
        if obj is not None and obj.type == "identifier":
            bound = unwrap(m.lookup(text(obj), obj))
            if bound is not None and bound.type == "new_expression":
                cls_name = _qualified(m, bound.child_by_field_name("constructor"), depth + 1)
                return f"{cls_name}.{prop}" if cls_name else None
        base = _qualified(m, obj, depth + 1)
        return f"{base}.{prop}" if base else None
    if node.type == "new_expression":
        return _qualified(m, node.child_by_field_name("constructor"), depth + 1)
    if node.type == "call_expression":
        callee = unwrap(node.child_by_field_name("function"))
        if (
            callee is not None
            and callee.type == "member_expression"
            and text(callee.child_by_field_name("property")) == "bind"
        ):
            return _qualified(m, callee.child_by_field_name("object"), depth + 1)
        wrapped = _wrapped(m, node)
        return _qualified(m, wrapped, depth + 1) if wrapped is not None else None
    return None


def _wrapped(m: JsModule, call: ts.Node) -> ts.Node | None:
    """The handler a wrapper call wraps: `asyncHandler(listUsers)`, `withAuth(async () => {})`."""
    for arg in reversed(call_arguments(call)):
        inner = unwrap(arg)
        if inner is None:
            continue
        if inner.type in FUNCTION_TYPES or inner.type == "member_expression":
            return inner
        if inner.type == "identifier" and (
            text(inner) in m.imports or _function_value(m, inner) is not None
        ):
            return inner
        if inner.type == "call_expression":
            found = _wrapped(m, inner)
            if found is not None:
                return found
    return None


# --- Next.js pages router ---------------------------------------------------------------------

# `req.method === "POST"`, `"POST" !== req.method`, `case "GET":` under `switch (req.method)`,
# `["GET", "HEAD"].includes(req.method)`.
_METHOD_CHECK = r"\b{req}\.method\s*(===?|!==?)\s*['\"`]([A-Za-z]+)['\"`]"
_METHOD_CHECK_REVERSED = r"['\"`]([A-Za-z]+)['\"`]\s*(===?|!==?)\s*{req}\.method\b"
_METHOD_SWITCH = r"\bswitch\s*\(\s*{req}\.method\s*\)\s*\{{"
_METHOD_LIST = r"\[([^\[\]]*)\]\s*\.includes\(\s*{req}\.method\b"
_CASE = re.compile(r"\bcase\s*['\"`]([A-Za-z]+)['\"`]")
_QUOTED = re.compile(r"['\"`]([A-Za-z]+)['\"`]")


def _pages_route(ctx: JsContext, path: str, optional: set[str]) -> Iterator[Fact]:
    m = ctx.module
    export = next((n for n in m.exports if _is_default_export(n)), None) or _commonjs_default(m)
    if export is None:
        return  # a helper module: Next.js serves only default exports
    if export.type == "assignment_expression":
        value = export.child_by_field_name("right")
    else:
        value = export.child_by_field_name("declaration") or export.child_by_field_name("value")
    function = _function_value(m, value)
    handler = _qualified(m, value) or f"{m.name}.default"
    _note_handler(ctx, handler, function)
    scope = text(function) if function is not None else ctx.text
    at = function if function is not None else export
    parser = _pages_body_parser(m)
    # Next.js puts the path's segments in `req.query` too: those reads are the path's.
    segments = frozenset(_BRACED.findall(path))
    contract = handler_contract(ctx, function, path_params=segments)
    for method in _methods(scope, _request_name(function)):
        yield Endpoint(
            ctx.service,
            ctx.loc(at),
            method,
            path,
            handler,
            NEXTJS,
            request_model=contract.request_model,
            response_model=contract.response_model,
            params=_file_params(path, optional) + contract.params,
            status_code=contract.status_code,
            body_parser=parser,
            middleware=_wrappers(value),
        )


def _commonjs_default(m: JsModule) -> ts.Node | None:
    for assign in m.assignments:
        if text(assign.child_by_field_name("left")) == "module.exports":
            return assign
    return None


def _request_name(function: ts.Node | None) -> str:
    params = _params(function) if function is not None else []
    if params:
        name = _param_name(params[0])
        if re.fullmatch(r"[A-Za-z_$][\w$]*", name):
            return re.escape(name)
    return r"(?:req|request)"


def _methods(scope: str, request: str) -> tuple[str, ...]:
    """The methods a pages-router handler serves, from how it checks `req.method`; "*" if not."""
    equal: list[str] = []
    unequal: list[str] = []
    for found in re.finditer(_METHOD_CHECK.format(req=request), scope):
        (equal if found.group(1).startswith("=") else unequal).append(found.group(2).upper())
    for found in re.finditer(_METHOD_CHECK_REVERSED.format(req=request), scope):
        (equal if found.group(2).startswith("=") else unequal).append(found.group(1).upper())
    for found in re.finditer(_METHOD_SWITCH.format(req=request), scope):
        body = _braced(scope, found.end() - 1)
        equal.extend(label.upper() for label in _CASE.findall(body))
    for found in re.finditer(_METHOD_LIST.format(req=request), scope):
        equal.extend(label.upper() for label in _QUOTED.findall(found.group(1)))
    # `if (req.method !== "POST") return 405` guards the one method served; `===` checks
    # list the served ones.
    methods = [v for v in dict.fromkeys(equal or unequal) if v in _HTTP_VERBS]
    return tuple(methods) or ("*",)


def _braced(source: str, start: int) -> str:
    """The text of the `{...}` block opening at `start` (strings are not special-cased)."""
    depth = 0
    for index in range(start, len(source)):
        char = source[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return source[start : index + 1]
    return source[start:]


def _pages_body_parser(m: JsModule) -> str | None:
    """Next.js parses JSON (and forms, text) before a pages API handler unless told not to."""
    config = unwrap(_exported_value(m, "config"))
    if config is None:
        return "json"
    if config.type != "object":
        return None  # built elsewhere: unknown
    api = unwrap(object_property(config, "api"))
    if api is None:
        return "json"
    if api.type != "object":
        return None
    setting = unwrap(object_property(api, "bodyParser"))
    if setting is None:
        return "json"
    return "none" if text(setting) == "false" else "json"


def _exported_value(m: JsModule, name: str) -> ts.Node | None:
    for node in m.exports:
        declaration = node.child_by_field_name("declaration")
        if declaration is None or declaration.type not in (
            "lexical_declaration",
            "variable_declaration",
        ):
            continue
        for declarator in declaration.named_children:
            if (
                declarator.type == "variable_declarator"
                and text(declarator.child_by_field_name("name")) == name
            ):
                return declarator.child_by_field_name("value")
    return None


def _file_params(path: str, optional: set[str]) -> tuple[EndpointParam, ...]:
    names = dict.fromkeys(_BRACED.findall(path))
    return tuple(EndpointParam(n, "path", None, n not in optional) for n in names)


# --- Next.js app router -----------------------------------------------------------------------

_BODY_READ = r"\b{req}\.(json|text|arrayBuffer|blob)\s*\(\s*\)"
_APP_PARSERS = {"json": "json", "text": "none", "arrayBuffer": "none", "blob": "none"}


def _app_routes(ctx: JsContext, path: str, optional: set[str]) -> Iterator[Fact]:
    m = ctx.module
    for verb, at, value in _exported_verbs(m):
        function = _function_value(m, value)
        handler = _qualified(m, value) or f"{m.name}.{verb}"
        _note_handler(ctx, handler, function)
        body = None
        if function is not None:
            read = re.search(_BODY_READ.format(req=_request_name(function)), text(function))
            body = _APP_PARSERS[read.group(1)] if read else None
        contract = handler_contract(ctx, function, app_router=True)
        yield Endpoint(
            ctx.service,
            ctx.loc(function if function is not None else at),
            verb,
            path,
            handler,
            NEXTJS,
            request_model=contract.request_model,
            response_model=contract.response_model,
            params=_file_params(path, optional) + contract.params,
            status_code=contract.status_code,
            body_parser=body,
            middleware=_wrappers(value),
        )


def _exported_verbs(m: JsModule) -> Iterator[tuple[str, ts.Node, ts.Node | None]]:
    """(verb, where, value) for `export async function GET`, `export const POST = ...`,
    and `export { handler as GET }`."""
    for node in m.exports:
        if node.child_by_field_name("source") is not None:
            continue
        declaration = node.child_by_field_name("declaration")
        if declaration is not None and declaration.type in (
            "function_declaration",
            "generator_function_declaration",
        ):
            name = text(declaration.child_by_field_name("name"))
            if name in _HTTP_VERBS:
                yield name, declaration, declaration
        elif declaration is not None and declaration.type in (
            "lexical_declaration",
            "variable_declaration",
        ):
            for declarator in declaration.named_children:
                name = text(declarator.child_by_field_name("name"))
                if declarator.type == "variable_declarator" and name in _HTTP_VERBS:
                    yield name, declarator, declarator.child_by_field_name("value")
        elif declaration is None:
            for clause in node.named_children:
                if clause.type != "export_clause":
                    continue
                for spec in clause.named_children:
                    local = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias")
                    name = text(alias if alias is not None else local)
                    if name in _HTTP_VERBS and local is not None:
                        yield name, spec, local


# --- Next.js rewrites -------------------------------------------------------------------------

_REWRITES = re.compile(rb"\brewrites\b")
_PHASES = ("beforeFiles", "afterFiles", "fallback")


def _rewrites(ctx: JsContext) -> Iterator[Fact]:
    m = ctx.module
    for found in _REWRITES.finditer(m.source):
        node = m.root.named_descendant_for_byte_range(found.start(), found.end())
        function = _rewrites_function(node)
        if function is None:
            continue
        for value in _returned(function):
            for entry in _rule_entries(m, value, 0):
                rule = _rule(ctx, entry)
                if rule is not None:
                    yield rule


def _rewrites_function(node: ts.Node | None) -> ts.Node | None:
    """`async rewrites() {...}` or `rewrites: async () => [...]` around the matched name."""
    if node is None or node.parent is None:
        return None
    parent = node.parent
    if parent.type == "method_definition" and parent.child_by_field_name("name") == node:
        return parent
    if parent.type == "pair" and parent.child_by_field_name("key") == node:
        value = unwrap(parent.child_by_field_name("value"))
        return value if value is not None and value.type in FUNCTION_TYPES else None
    return None


def _returned(function: ts.Node) -> Iterator[ts.Node]:
    body = function.child_by_field_name("body")
    if body is None:
        return
    if body.type != "statement_block":
        yield body  # `async () => [...]`
        return
    stack = list(reversed(body.named_children))  # in source order
    while stack:
        node = stack.pop()
        if node.type == "return_statement":
            if node.named_children:
                yield node.named_children[0]
        elif node.type not in FUNCTION_TYPES:
            stack.extend(reversed(node.named_children))


def _rule_entries(m: JsModule, node: ts.Node | None, depth: int) -> Iterator[ts.Node]:
    node = unwrap(node)
    if node is None or depth > 4:
        return
    if node.type == "array":
        for item in node.named_children:
            if item.type == "spread_element":
                yield from _rule_entries(m, item.named_children[0], depth + 1)
            elif item.type == "object":
                yield item
            else:
                yield from _rule_entries(m, item, depth + 1)
    elif node.type == "object":
        for phase in _PHASES:
            yield from _rule_entries(m, object_property(node, phase), depth + 1)
    elif node.type == "identifier":
        yield from _rule_entries(m, m.lookup(text(node), node), depth + 1)
    elif node.type == "ternary_expression":
        # `...(isDev ? [...] : [])`: either may be live, both are rules the code knows
        yield from _rule_entries(m, node.child_by_field_name("consequence"), depth + 1)
        yield from _rule_entries(m, node.child_by_field_name("alternative"), depth + 1)


def _rule(ctx: JsContext, entry: ts.Node) -> Rewrite | None:
    source = ctx.values.template(object_property(entry, "source"))
    destination = ctx.values.template(object_property(entry, "destination"))
    if source is None or destination is None:
        return None
    defaults = dict(source.defaults)
    defaults.update(destination.defaults)
    return Rewrite(
        ctx.service,
        ctx.loc(entry),
        normalise_path(source.text),
        normalise_path(destination.text),
        tuple(defaults.items()),
    )
