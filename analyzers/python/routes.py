"""Endpoints of FastAPI, Starlette, Flask (with Flask-RESTX and Flask-RESTful) and Django.

A route is recorded on the object it is declared on, with its own path only.
Prefixes live on other facts: `RouterDecl` for an object's own prefix
(`APIRouter(prefix=)`, `Blueprint(url_prefix=)`, `Namespace(path=)`) and
`RouterMount` for `include_router`, `register_blueprint`, `add_namespace`,
`mount` and Django's `include`. The mounting usually happens in another
module than the routes, so `analyzers.compose` joins them once every
file of the tree is known.

Objects are named `"<module>:<variable>"` (`"<module>:<function>.<variable>"`
inside an app factory); an object imported from elsewhere keeps its dotted
import path, which compose resolves against the modules of the tree.

Precision comes first: a decorator or call counts when its object was built by
a framework constructor, or when the shape is unambiguous (a literal path
starting with "/" on a decorated function) and the object is named like a
router or the file imports a web framework. `requests.get("/x")` or
`cache.get("/x")` calls are never routes: only decorators, and a few method
names no other library uses with these arguments, are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from http import HTTPStatus

import libcst as cst

from analyzers.facts import Endpoint, EndpointParam, Fact, Location, RouterDecl, RouterMount
from analyzers.python.context import PyContext
from analyzers.python.module import ClassInfo, FunctionInfo
from analyzers.python.syntax import UNKNOWN, dotted, kwarg, literal, positional

FASTAPI = "fastapi"
STARLETTE = "starlette"
FLASK = "flask"
RESTX = "flask-restx"
RESTFUL = "flask-restful"
DJANGO = "django"
_FLASKS = frozenset({FLASK, RESTX, RESTFUL})

# Words one of which every file with a route, router or mount contains.
_HINTS = (
    "route",
    "get(",
    "post(",
    "put(",
    "patch(",
    "delete(",
    "head(",
    "options(",
    "trace(",
    "websocket",
    "urlpatterns",
    "add_url_rule",
    "add_resource",
    "add_namespace",
    "include_router",
    "register_blueprint",
    "mount(",
    "init_app",
    "FastAPI",
    "APIRouter",
    "Flask",
    "Blueprint",
    "Namespace",
    "Api(",
    "Starlette",
    "Router(",
)
_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")


@dataclass(frozen=True, slots=True)
class _Kind:
    framework: str
    role: str  # app, router, namespace, api


_CONSTRUCTORS: dict[str, _Kind] = {
    "fastapi.FastAPI": _Kind(FASTAPI, "app"),
    "fastapi.applications.FastAPI": _Kind(FASTAPI, "app"),
    "fastapi.APIRouter": _Kind(FASTAPI, "router"),
    "fastapi.routing.APIRouter": _Kind(FASTAPI, "router"),
    "starlette.applications.Starlette": _Kind(STARLETTE, "app"),
    "starlette.routing.Router": _Kind(STARLETTE, "router"),
    "flask.Flask": _Kind(FLASK, "app"),
    "flask.app.Flask": _Kind(FLASK, "app"),
    "flask.Blueprint": _Kind(FLASK, "router"),
    "flask.blueprints.Blueprint": _Kind(FLASK, "router"),
    "flask_smorest.Blueprint": _Kind(FLASK, "router"),
    "flask_restx.Api": _Kind(RESTX, "api"),
    "flask_restx.api.Api": _Kind(RESTX, "api"),
    "flask_restx.Namespace": _Kind(RESTX, "namespace"),
    "flask_restx.namespace.Namespace": _Kind(RESTX, "namespace"),
    "flask_restplus.Api": _Kind(RESTX, "api"),
    "flask_restplus.Namespace": _Kind(RESTX, "namespace"),
    "flask_restful.Api": _Kind(RESTFUL, "api"),
}
# Top-level packages whose import makes an unknown object's route decorator believable.
_IMPORTED_FRAMEWORKS = {
    "fastapi": FASTAPI,
    "starlette": STARLETTE,
    "flask": FLASK,
    "flask_smorest": FLASK,
    "flask_restx": RESTX,
    "flask_restplus": RESTX,
    "flask_restful": RESTFUL,
    "django": DJANGO,
}
# Route decorators each framework offers on functions.
_DECORATORS: dict[str, frozenset[str]] = {
    FASTAPI: frozenset({*_VERBS, "api_route", "websocket", "route"}),
    STARLETTE: frozenset({"route", "websocket_route"}),
    FLASK: frozenset({"route", "get", "post", "put", "patch", "delete"}),
    RESTX: frozenset(),  # Resource classes only
    RESTFUL: frozenset(),
}
_DECORATOR_ATTRS = frozenset().union(*_DECORATORS.values())
# An object we cannot trace to a constructor is believed to be a router by its name.
_ROUTER_NAMES = ("router", "app", "application", "bp", "blueprint", "api")
# ...unless another web framework built it: its routes are not ours to label.
_OTHER_FRAMEWORKS = frozenset(
    {"sanic", "quart", "aiohttp", "tornado", "falcon", "bottle", "litestar", "ninja", "robyn"}
)

_LIST_ENTRIES = {
    "django.urls.path": "path",
    "django.urls.conf.path": "path",
    "django.urls.re_path": "regex",
    "django.urls.conf.re_path": "regex",
    "django.conf.urls.url": "regex",
    "django.conf.urls.re_path": "regex",
    "starlette.routing.Route": "route",
    "starlette.routing.WebSocketRoute": "websocket",
    "starlette.routing.Mount": "mount",
}
_INCLUDES = frozenset(
    {"django.urls.include", "django.urls.conf.include", "django.conf.urls.include"}
)
_DJANGO_METHOD_DECORATORS = {
    "django.views.decorators.http.require_GET": ("GET",),
    "django.views.decorators.http.require_POST": ("POST",),
    "django.views.decorators.http.require_safe": ("GET", "HEAD"),
}
_REQUIRE_METHODS = "django.views.decorators.http.require_http_methods"

# --- FastAPI parameter and model typing -------------------------------------------------------

_MARKERS = {
    "Body": "body",
    "Query": "query",
    "Path": "path",
    "Header": "header",
    "Cookie": "cookie",
    "Form": "form",
    "File": "form",
    "Depends": "",
    "Security": "",
}
_SCALARS = frozenset(
    [
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "complex",
        "Any",
        "object",
        "LiteralString",
        "datetime.datetime",
        "datetime.date",
        "datetime.time",
        "datetime.timedelta",
        "uuid.UUID",
        "decimal.Decimal",
        "pathlib.Path",
        "ipaddress.IPv4Address",
        "ipaddress.IPv6Address",
        "pydantic.EmailStr",
        "pydantic.HttpUrl",
        "pydantic.AnyUrl",
        "pydantic.AnyHttpUrl",
        "pydantic.SecretStr",
        "pydantic.StrictStr",
        "pydantic.StrictInt",
        "pydantic.StrictFloat",
        "pydantic.StrictBool",
        "pydantic.PositiveInt",
        "pydantic.NonNegativeInt",
        "pydantic.PositiveFloat",
        "pydantic.UUID4",
        "pydantic.Json",
    ]
)
_CONTAINERS = frozenset(
    [
        "list",
        "dict",
        "set",
        "frozenset",
        "tuple",
        "Sequence",
        "MutableSequence",
        "Mapping",
        "MutableMapping",
        "Iterable",
        "Collection",
        "AbstractSet",
        "MutableSet",
        "DefaultDict",
        "OrderedDict",
    ]
)
_CAPITALISED = {"List": "list", "Dict": "dict", "Set": "set", "FrozenSet": "frozenset"}
_CAPITALISED |= {"Tuple": "tuple", "Type": "type"}
_NOT_PARAMS = frozenset(
    {"Request", "WebSocket", "HTTPConnection", "BackgroundTasks", "SecurityScopes"}
)
_ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})
_HTTP_CODE = re.compile(r"HTTP_(\d{3})(?:_|$)")

# --- paths ------------------------------------------------------------------------------------

_BRACE = re.compile(r"\{([A-Za-z_]\w*)(?::([^{}]*))?\}")
_BRACE_CONVERTER = re.compile(r"\{([A-Za-z_]\w*):(\w+)\}")
_ANGLE = re.compile(r"<(?:([^<>:]+):)?([A-Za-z_]\w*)>")
_PARAM = re.compile(r"\{([A-Za-z_]\w*)(?::path)?\}")  # as `normalise_path` writes them
_ONLY_PLACEHOLDERS = re.compile(r"/?(?:\{[^{}]*\}/?)+")
_CONVERTER_TYPES = {"int": "int", "float": "float", "uuid": "UUID"}


def normalise_path(raw: str, *, regex: bool = False) -> str:
    """`{id:int}`, `<int:id>` and `(?P<id>...)` all become `{id}`; `^` and `$` go. A path
    converter (`{p:path}`, `<path:p>`) stays `{p:path}`: it matches the rest of the path."""
    if regex:
        raw = _from_regex(raw)
    raw = _ANGLE.sub(lambda m: _param(m.group(2), m.group(1)), raw)
    return _BRACE.sub(lambda m: _param(m.group(1), m.group(2)), raw)


def _param(name: str, converter: str | None) -> str:
    return "{" + name + (":path" if converter == "path" else "") + "}"


def _from_regex(pattern: str) -> str:
    pattern = pattern.removeprefix("^")
    for end in ("$", r"\Z"):
        pattern = pattern.removesuffix(end)
    out: list[str] = []
    i, unnamed = 0, 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("(?P<", i):
            close = pattern.find(">", i)
            out.append("{" + pattern[i + 4 : close] + "}")
            i = _group_end(pattern, i)
        elif char == "(" and not pattern.startswith("(?", i):
            unnamed += 1  # Django passes unnamed groups positionally
            out.append("{arg" + str(unnamed) + "}")
            i = _group_end(pattern, i)
        elif char == "\\" and i + 1 < len(pattern):
            out.append(pattern[i + 1])
            i += 2
        elif char == "?" and out and out[-1] == "/":
            i += 1  # an optional trailing slash
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _group_end(pattern: str, start: int) -> int:
    """The index after the `)` that closes the group opening at `start`."""
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(pattern)


def _angle_types(raw: str) -> dict[str, str]:
    """Parameter types of `<int:id>` (Flask, Django) and `{id:int}` (Starlette) converters."""
    types = {
        m.group(2): _CONVERTER_TYPES.get(m.group(1) or "", "str") for m in _ANGLE.finditer(raw)
    }
    for m in _BRACE_CONVERTER.finditer(raw):
        types[m.group(1)] = _CONVERTER_TYPES.get(m.group(2), "str")
    return types


def _template_params(path: str) -> list[str]:
    return list(dict.fromkeys(_PARAM.findall(path)))


def _literal_methods(expr: cst.BaseExpression | None) -> tuple[str, ...] | None:
    value = literal(expr)
    if isinstance(value, str):
        return (value.upper(),)
    if isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
        return tuple(dict.fromkeys(v.upper() for v in value))
    return None


@dataclass(frozen=True, slots=True)
class _FastApiDetails:
    params: tuple[EndpointParam, ...]
    request_model: str | None
    response_model: str | None
    status_code: int | None


@dataclass(frozen=True, slots=True)
class _Type:
    text: str
    kinds: frozenset[str]  # scalar, container, model, none, skip, upload, response


def extract(ctx: PyContext) -> Iterator[Fact]:
    if not ctx.mentions(*_HINTS):
        return iter(())
    return _Routes(ctx).run()


class _Routes:
    def __init__(self, ctx: PyContext) -> None:
        self.ctx = ctx
        self.m = ctx.module
        self.mod = ctx.module.name
        self.frameworks = self._imported_frameworks()
        self._functions: dict[str, FunctionInfo] | None = None
        self._classes: dict[str, ClassInfo] | None = None
        self._enums: set[str] | None = None
        self.prefixes: dict[str, str] = {}  # own prefix of objects declared here
        self.list_names: set[str] = set()  # module-level lists of url patterns or routes

    def run(self) -> Iterator[Fact]:
        # Lists first: `include(extra_patterns)` needs to know the local lists.
        lists = list(self.route_lists())
        yield from self.declarations()
        yield from lists
        yield from self.decorated_functions()
        yield from self.decorated_classes()
        yield from self.calls()

    # --- what the file is ---------------------------------------------------------------------

    def _imported_frameworks(self) -> set[str]:
        # The framework's own modules import themselves: that proves nothing about `state`.
        own = self.mod.partition(".")[0]
        found: set[str] = set()
        scopes = [self.m.scope, *(f.scope for f in self.m.functions if f.scope.imports)]
        for scope in scopes:
            for name in scope.imports.values():
                top = name.partition(".")[0]
                framework = _IMPORTED_FRAMEWORKS.get(top)
                if framework and top != own:
                    found.add(framework)
        return found

    def functions(self) -> dict[str, FunctionInfo]:
        if self._functions is None:
            self._functions = {f"{self.mod}.{f.qualname}": f for f in self.m.functions}
        return self._functions

    def classes(self) -> dict[str, ClassInfo]:
        if self._classes is None:
            self._classes = {f"{self.mod}.{c.qualname}": c for c in self.m.classes}
        return self._classes

    def is_enum(self, name: str) -> bool:
        if self._enums is None:
            self._enums = {
                qualified
                for qualified, cls in self.classes().items()
                if any(self.m.qualified(base, None) in _ENUM_BASES for base in cls.bases)
            }
        return name in self._enums

    # --- objects ------------------------------------------------------------------------------

    def bound_ref(self, name: str, function: FunctionInfo | None) -> str:
        return f"{self.mod}:{function.qualname}.{name}" if function else f"{self.mod}:{name}"

    def object_ref(
        self, expr: cst.BaseExpression | None, function: FunctionInfo | None, depth: int = 0
    ) -> str | None:
        """The name of the object `expr` denotes: where it is bound, or its import path."""
        name = dotted(expr)
        if name is None or depth > 4:
            return None
        head, _, rest = name.partition(".")
        current = function
        while current is not None:
            if head in current.scope.imports:
                return current.scope.imports[head] + ("." + rest if rest else "")
            if head in current.scope.values or any(p.name.value == head for p in current.params()):
                alias = self.alias(current.scope.values.get(head), rest, current, depth)
                return alias or f"{self.mod}:{current.qualname}.{name}"
            current = current.parent
        if head in self.m.scope.imports:
            return self.m.scope.imports[head] + ("." + rest if rest else "")
        alias = self.alias(self.m.scope.values.get(head), rest, None, depth)
        return alias or f"{self.mod}:{name}"

    def mounted_ref(
        self, expr: cst.BaseExpression | None, function: FunctionInfo | None
    ) -> str | None:
        """The object a mount names; none for a parameter, which no other fact can name."""
        if isinstance(expr, cst.Name):
            current = function
            while current is not None:
                if expr.value in current.scope.values or expr.value in current.scope.imports:
                    break
                if any(p.name.value == expr.value for p in current.params()):
                    return None
                current = current.parent
        return self.object_ref(expr, function)

    def alias(
        self,
        value: cst.BaseExpression | None,
        rest: str,
        function: FunctionInfo | None,
        depth: int,
    ) -> str | None:
        """`r = router` names the same object as `router`."""
        if rest or not isinstance(value, cst.Name | cst.Attribute):
            return None
        if isinstance(value, cst.Name) and self.m.lookup(value.value, function) is value:
            return None  # a def binds its own name
        return self.object_ref(value, function, depth + 1)

    def target(
        self, expr: cst.BaseExpression, function: FunctionInfo | None
    ) -> tuple[str, _Kind | None] | None:
        if isinstance(expr, cst.Name) and expr.value in ("self", "cls"):
            return None  # an instance of the class at hand: no object anyone can mount
        ref = self.object_ref(expr, function)
        if ref is None:
            return None
        resolved = self.m.resolve(expr, function)
        kind = None
        if resolved is not None and resolved.name.endswith("()"):
            kind = _CONSTRUCTORS.get(resolved.name[:-2])
        return ref, kind

    def named_like_router(self, expr: cst.BaseExpression, function: FunctionInfo | None) -> bool:
        resolved = self.m.qualified(expr, function) or dotted(expr) or ""
        if resolved.endswith("()") and resolved.partition(".")[0] in _OTHER_FRAMEWORKS:
            return False
        last = resolved.removesuffix("()").rpartition(".")[2].lower()
        return last.endswith(_ROUTER_NAMES)

    def believable(
        self,
        kind: _Kind | None,
        expr: cst.BaseExpression,
        function: FunctionInfo | None,
        frameworks: Iterable[str],
        by_name: bool = True,
    ) -> bool:
        """A call on `expr` is a framework call: it was built by one, or looks and imports it."""
        wanted = set(frameworks)
        if kind is not None:
            return kind.framework in wanted
        if self.frameworks & wanted:
            return True
        return by_name and self.named_like_router(expr, function)

    def text(self, expr: cst.BaseExpression | None, function: FunctionInfo | None) -> str | None:
        """A string the code fixes, defaults of settings and env vars filled in."""
        if expr is None:
            return None
        value = literal(expr)
        if isinstance(value, str):
            return value
        if value is not UNKNOWN:
            return None
        template = self.ctx.values.template(expr, function)
        if template is None:
            return None
        out = template.text
        for key, default in template.defaults:
            out = out.replace("{" + key + "}", default)
        return out

    def path(self, expr: cst.BaseExpression | None, function: FunctionInfo | None) -> str | None:
        """A route's path; one the code does not fix at all (`add_url_rule(rule)`) is none."""
        found = self.text(expr, function)
        if found is None or isinstance(literal(expr), str):
            return found
        return None if _ONLY_PLACEHOLDERS.fullmatch(found) else found

    def loc(self, node: cst.CSTNode) -> Location:
        return self.ctx.loc(node)

    def span(self, first: cst.CSTNode, last: cst.CSTNode) -> Location:
        return Location(self.m.path, self.loc(first).line, self.loc(last).end_line)

    # --- router and app objects ---------------------------------------------------------------

    def declarations(self) -> Iterator[Fact]:
        scopes: list[tuple[FunctionInfo | None, dict[str, cst.BaseExpression]]] = [
            (None, self.m.scope.values)
        ]
        scopes += [(f, f.scope.values) for f in self.m.functions if f.scope.values]
        for function, values in scopes:
            for name, value in values.items():
                if not isinstance(value, cst.Call):
                    continue
                kind = _CONSTRUCTORS.get(self.m.qualified(value.func, function))
                if kind is not None:
                    yield from self.declaration(name, value, kind, function)
                elif isinstance(value.func, cst.Attribute) and value.func.attr.value == "namespace":
                    yield from self.api_namespace(name, value, value.func.value, function)

    def api_namespace(
        self,
        name: str,
        call: cst.Call,
        api: cst.BaseExpression,
        function: FunctionInfo | None,
    ) -> Iterator[Fact]:
        """`ns = api.namespace("todos")`: a RESTX namespace, already added to `api`."""
        found = self.target(api, function)
        if found is None or found[1] is None or found[1].role != "api":
            return
        namespace = _Kind(found[1].framework, "namespace")
        decls = list(self.declaration(name, call, namespace, function))
        yield from decls
        for decl in decls:
            if isinstance(decl, RouterDecl):
                yield RouterMount(self.ctx.service, decl.location, found[0], decl.ref, "")

    def declaration(
        self, name: str, call: cst.Call, kind: _Kind, function: FunctionInfo | None
    ) -> Iterator[Fact]:
        ref = self.bound_ref(name, function)
        prefix = ""
        if kind.role == "router" and kind.framework == FASTAPI:
            prefix = self.text(kwarg(call, "prefix"), function) or ""
        elif kind.role == "router":
            prefix = self.text(kwarg(call, "url_prefix"), function) or ""
        elif kind.role == "namespace":
            path = self.text(kwarg(call, "path") or positional(call, 2), function)
            ns_name = self.text(positional(call, 0) or kwarg(call, "name"), function)
            # RESTX serves a namespace at /<name> unless told otherwise
            prefix = path if path is not None else "/" + (ns_name or "{namespace}")
        elif kind.role == "api":
            prefix = self.text(kwarg(call, "prefix"), function) or ""
        prefix = normalise_path(prefix)
        self.prefixes[ref] = prefix
        location = self.loc(call)
        yield RouterDecl(
            self.ctx.service,
            location,
            ref,
            prefix,
            kind.framework,
            is_app=kind.role in ("app", "api"),
        )
        if kind.role == "api":
            # Api(app) / Api(blueprint): the api serves its namespaces under that object.
            app = positional(call, 0) or kwarg(call, "app")
            parent = self.mounted_ref(app, function) if literal(app) is not None else None
            if parent is not None:
                yield RouterMount(self.ctx.service, location, parent, ref, "")
        routes = kwarg(call, "routes")
        if routes is not None and kind.framework in (FASTAPI, STARLETTE):
            yield from self.routes_argument(routes, ref, "", function, location)

    def routes_argument(
        self,
        routes: cst.BaseExpression,
        container: str,
        prefix: str,
        function: FunctionInfo | None,
        location: Location,
    ) -> Iterator[Fact]:
        if isinstance(routes, cst.List | cst.Tuple | cst.BinaryOperation):
            yield from self.route_entries(_elements(routes), container, prefix, function)
            return
        child = self.mounted_ref(routes, function)
        if child is not None:
            yield RouterMount(self.ctx.service, location, container, child, prefix)

    # --- decorated functions and classes ------------------------------------------------------

    def decorated_functions(self) -> Iterator[Fact]:
        for function in self.m.functions:
            for decorator in function.node.decorators:
                call = decorator.decorator
                if (
                    isinstance(call, cst.Call)
                    and isinstance(call.func, cst.Attribute)
                    and call.func.attr.value in _DECORATOR_ATTRS
                ):
                    yield from self.decorated_function(function, call, call.func)

    def decorated_function(
        self, function: FunctionInfo, call: cst.Call, func: cst.Attribute
    ) -> Iterator[Fact]:
        attr = func.attr.value
        scope = function.parent  # decorators run in the scope around the def
        found = self.target(func.value, scope)
        if found is None:
            return
        ref, kind = found
        path_expr = positional(call, 0) or kwarg(call, "path") or kwarg(call, "rule")
        if kind is not None:
            framework = kind.framework
            path = self.path(path_expr, scope)
        else:
            value = literal(path_expr)
            if not isinstance(value, str) or not (value.startswith("/") or value == ""):
                return
            if not (self.frameworks - {DJANGO}) and not self.named_like_router(func.value, scope):
                return
            framework, path = self.guess_framework(attr, value), value
        if path is None or attr not in _DECORATORS.get(framework, ()):
            return
        methods: Sequence[str]
        if attr in ("websocket", "websocket_route"):
            methods = ("WEBSOCKET",)
        elif attr in ("route", "api_route"):
            methods_expr = kwarg(call, "methods")
            found_methods = _literal_methods(methods_expr)
            methods = found_methods or (("GET",) if methods_expr is None else ("*",))
        else:
            methods = (attr.upper(),)
        own = normalise_path(path)
        location = self.span(call, function.node)
        handler = f"{self.mod}.{function.qualname}"
        if framework == FASTAPI:
            details = self.fastapi_details(function, call, own, ref)
        else:
            details = _FastApiDetails(_path_params(path, own), None, None, None)
        for method in methods:
            yield self.endpoint(location, method, own, handler, framework, ref, details)

    def guess_framework(self, attr: str, path: str) -> str:
        for framework in (FASTAPI, FLASK, STARLETTE):
            if framework in self.frameworks:
                return framework
        if self.frameworks & _FLASKS:
            return FLASK
        if attr == "route" or "<" in path:
            return FLASK
        return FASTAPI

    def endpoint(
        self,
        location: Location,
        method: str,
        path: str,
        handler: str,
        framework: str,
        router: str,
        details: _FastApiDetails | None = None,
    ) -> Endpoint:
        details = details or _FastApiDetails(_path_params(path, path), None, None, None)
        self.ctx.handlers[handler] = None  # for the handler calls family
        return Endpoint(
            self.ctx.service,
            location,
            method,
            path,
            handler,
            framework,
            request_model=details.request_model,
            response_model=details.response_model,
            params=details.params,
            status_code=details.status_code,
            router=router,
        )

    def decorated_classes(self) -> Iterator[Fact]:
        """Flask-RESTX `@ns.route` and flask-smorest `@blp.route` on view classes."""
        for cls in self.m.classes:
            for decorator in cls.node.decorators:
                call = decorator.decorator
                if (
                    isinstance(call, cst.Call)
                    and isinstance(call.func, cst.Attribute)
                    and call.func.attr.value == "route"
                ):
                    yield from self.decorated_class(cls, call, call.func.value)

    def decorated_class(
        self, cls: ClassInfo, call: cst.Call, obj: cst.BaseExpression
    ) -> Iterator[Fact]:
        found = self.target(obj, None)
        if found is None:
            return
        ref, kind = found
        if kind is not None:
            framework = kind.framework
            if framework not in _FLASKS:
                return
        elif RESTX in self.frameworks:
            framework = RESTX
        elif RESTFUL in self.frameworks:
            framework = RESTFUL
        elif self.frameworks & _FLASKS and self.class_methods(cls):
            framework = FLASK
        else:
            return
        paths = [self.path(a.value, None) for a in call.args if a.keyword is None and not a.star]
        for path in paths:
            if path is not None:
                yield from self.class_endpoints(cls, call, path, framework, ref)

    def class_methods(self, cls: ClassInfo) -> list[FunctionInfo]:
        return [f for name, f in cls.methods.items() if name in _VERBS]

    def class_endpoints(
        self,
        cls: ClassInfo,
        at: cst.CSTNode,
        path: str,
        framework: str,
        router: str,
        fallback: Sequence[str] = ("*",),
    ) -> Iterator[Endpoint]:
        """One endpoint per verb method of a view class (`methods = [...]` when it sets them)."""
        own = normalise_path(path)
        handler = f"{self.mod}.{cls.qualname}"
        methods = self.class_methods(cls)
        if methods:
            for method in methods:
                location = self.loc(method.node)
                yield self.endpoint(
                    location,
                    method.node.name.value.upper(),
                    own,
                    f"{handler}.{method.node.name.value}",
                    framework,
                    router,
                    _FastApiDetails(_path_params(path, own), None, None, None),
                )
            return
        declared = _literal_methods(cls.scope.values.get("methods"))
        for verb in declared or fallback:
            yield self.endpoint(self.loc(at), verb, own, handler, framework, router)

    # --- calls: mounts and imperative routes --------------------------------------------------

    def calls(self) -> Iterator[Fact]:
        for site in self.m.calls:
            func = site.node.func
            if isinstance(func, cst.Attribute):
                handle = _CALLS.get(func.attr.value)
                if handle is not None:
                    yield from handle(self, site.node, func.value, site.function)

    def include_router(
        self, call: cst.Call, obj: cst.BaseExpression, function: FunctionInfo | None
    ) -> Iterator[Fact]:
        found = self.target(obj, function)
        if found is None or not self.believable(found[1], obj, function, (FASTAPI,)):
            return
        child = self.mounted_ref(positional(call, 0) or kwarg(call, "router"), function)
        if child is None:
            return
        prefix = self.text(kwarg(call, "prefix"), function) or ""
        yield RouterMount(self.ctx.service, self.loc(call), found[0], child, normalise_path(prefix))

    def mount(
        self, call: cst.Call, obj: cst.BaseExpression, function: FunctionInfo | None
    ) -> Iterator[Fact]:
        # requests.Session().mount("https://", adapter) has the same shape: only an
        # ASGI app's mount, at a path, counts.
        found = self.target(obj, function)
        frameworks = (FASTAPI, STARLETTE)
        if found is None or not self.believable(found[1], obj, function, frameworks, False):
            return
        path = self.text(positional(call, 0) or kwarg(call, "path"), function)
        child_expr = positional(call, 1) or kwarg(call, "app")
        if path is None or not path.startswith("/") or isinstance(child_expr, cst.Call):
            return
        child = self.mounted_ref(child_expr, function)
        if child is not None:
            yield RouterMount(
                self.ctx.service, self.loc(call), found[0], child, normalise_path(path)
            )

    def register_blueprint(
        self, call: cst.Call, obj: cst.BaseExpression, function: FunctionInfo | None
    ) -> Iterator[Fact]:
        found = self.target(obj, function)
        if found is None or not self.believable(found[1], obj, function, _FLASKS):
            return
        child = self.mounted_ref(positional(call, 0) or kwarg(call, "blueprint"), function)
        if child is None:
            return
        prefix_expr = kwarg(call, "url_prefix")
        # Flask: an explicit url_prefix overrides the blueprint's own; None keeps it.
        replaces = prefix_expr is not None and literal(prefix_expr) is not None
        prefix = (self.text(prefix_expr, function) or "") if replaces else ""
        yield RouterMount(
            self.ctx.service,
            self.loc(call),
            found[0],
            child,
            normalise_path(prefix),
            replaces_prefix=replaces,
        )

    def add_namespace(
        self, call: cst.Call, obj: cst.BaseExpression, function: FunctionInfo | None
    ) -> Iterator[Fact]:
        found = self.target(obj, function)
        if found is None or not self.believable(found[1], obj, function, (RESTX,), False):
            return
        child = self.mounted_ref(positional(call, 0) or kwarg(call, "ns"), function)
        if child is None:
            return
        path_expr = kwarg(call, "path") or positional(call, 1)
        replaces = path_expr is not None and literal(path_expr) is not None
        path = (self.text(path_expr, function) or "") if replaces else ""
        yield RouterMount(
            self.ctx.service,
            self.loc(call),
            found[0],
            child,
            normalise_path(path),
            replaces_prefix=replaces,
        )

    def init_app(
        self, call: cst.Call, obj: cst.BaseExpression, function: FunctionInfo | None
    ) -> Iterator[Fact]:
        # Every Flask extension has init_app: only a RESTX/RESTful Api counts, one built
        # here or one imported under a name that says so (`from zoo import api`).
        found = self.target(obj, function)
        if found is None:
            return
        ref, kind = found
        imported_api = ":" not in ref and ref.rpartition(".")[2].lower().endswith("api")
        if not (kind is not None and kind.role == "api") and not (kind is None and imported_api):
            return
        parent = self.mounted_ref(positional(call, 0) or kwarg(call, "app"), function)
        if parent is not None:
            yield RouterMount(self.ctx.service, self.loc(call), parent, ref, "")

    def add_url_rule(
        self, call: cst.Call, obj: cst.BaseExpression, function: FunctionInfo | None
    ) -> Iterator[Fact]:
        found = self.target(obj, function)
        if found is None or not self.believable(found[1], obj, function, _FLASKS):
            return
        ref = found[0]
        rule = self.path(positional(call, 0) or kwarg(call, "rule"), function)
        view = kwarg(call, "view_func") or positional(call, 2)
        if rule is None or view is None:
            return
        declared = _literal_methods(kwarg(call, "methods"))
        if (
            isinstance(view, cst.Call)
            and isinstance(view.func, cst.Attribute)
            and view.func.attr.value == "as_view"
        ):
            yield from self.view_class(
                call, view.func.value, rule, FLASK, ref, function, declared or ("*",)
            )
            return
        handler = self.m.qualified(view, function) or (dotted(view) or "")
        own = normalise_path(rule)
        for method in declared or ("GET",):
            yield self.endpoint(
                self.loc(call),
                method,
                own,
                handler,
                FLASK,
                ref,
                _FastApiDetails(_path_params(rule, own), None, None, None),
            )

    def view_class(
        self,
        call: cst.Call,
        cls_expr: cst.BaseExpression,
        path: str,
        framework: str,
        ref: str,
        function: FunctionInfo | None,
        fallback: Sequence[str],
    ) -> Iterator[Endpoint]:
        name = self.m.qualified(cls_expr, function)
        cls = self.classes().get(name)
        if cls is not None:
            yield from self.class_endpoints(cls, call, path, framework, ref, fallback)
            return
        own = normalise_path(path)
        for method in fallback:
            yield self.endpoint(self.loc(call), method, own, name, framework, ref)

    def add_resource(
        self, call: cst.Call, obj: cst.BaseExpression, function: FunctionInfo | None
    ) -> Iterator[Fact]:
        found = self.target(obj, function)
        restful = (RESTX, RESTFUL)
        if found is None or not self.believable(found[1], obj, function, restful, False):
            return
        ref, kind = found
        framework = kind.framework if kind else (RESTX if RESTX in self.frameworks else RESTFUL)
        args = [a.value for a in call.args if a.keyword is None and not a.star]
        if not args:
            return
        for url in args[1:]:
            path = self.path(url, function)
            if path is not None:
                yield from self.view_class(call, args[0], path, framework, ref, function, ("*",))

    def add_api_route(
        self, call: cst.Call, obj: cst.BaseExpression, function: FunctionInfo | None
    ) -> Iterator[Fact]:
        found = self.target(obj, function)
        if found is None or not self.believable(found[1], obj, function, (FASTAPI,), False):
            return
        yield from self.imperative_route(call, found[0], function, FASTAPI, "endpoint")

    def add_route(
        self, call: cst.Call, obj: cst.BaseExpression, function: FunctionInfo | None
    ) -> Iterator[Fact]:
        # aiohttp's router.add_route("GET", "/x", h) shares the name: built objects only.
        found = self.target(obj, function)
        if found is None or found[1] is None or found[1].framework not in (FASTAPI, STARLETTE):
            return
        yield from self.imperative_route(call, found[0], function, STARLETTE, "route")

    def add_websocket_route(
        self, call: cst.Call, obj: cst.BaseExpression, function: FunctionInfo | None
    ) -> Iterator[Fact]:
        found = self.target(obj, function)
        frameworks = (FASTAPI, STARLETTE)
        if found is None or not self.believable(found[1], obj, function, frameworks, False):
            return
        framework = found[1].framework if found[1] else FASTAPI
        yield from self.imperative_route(
            call, found[0], function, framework, "endpoint", websocket=True
        )

    def imperative_route(
        self,
        call: cst.Call,
        ref: str,
        function: FunctionInfo | None,
        framework: str,
        endpoint_kw: str,
        websocket: bool = False,
    ) -> Iterator[Endpoint]:
        path = self.path(positional(call, 0) or kwarg(call, "path"), function)
        view = positional(call, 1) or kwarg(call, endpoint_kw)
        if path is None or view is None:
            return
        handler = self.m.qualified(view, function) or (dotted(view) or "")
        own = normalise_path(path)
        methods_expr = kwarg(call, "methods")
        methods = ("WEBSOCKET",) if websocket else _literal_methods(methods_expr)
        methods = methods or (("GET",) if methods_expr is None else ("*",))
        local = self.functions().get(handler)
        if framework == FASTAPI:
            details = self.fastapi_details(local, call, own, ref)
        else:
            details = _FastApiDetails(_path_params(path, own), None, None, None)
        for method in methods:
            yield self.endpoint(self.loc(call), method, own, handler, framework, ref, details)

    # --- lists of routes: Django urlpatterns, Starlette routes --------------------------------

    def route_lists(self) -> Iterator[Fact]:
        if not self.ctx.mentions("django", "starlette", "fastapi"):
            return
        if not self.ctx.mentions("path(", "url(", "Route(", "Mount("):
            return
        found: list[tuple[str, cst.BaseExpression]] = []
        for name, value in _module_lists(self.m.module.body):
            elements = _elements(value)
            if any(self.entry_kind(e, None) is not None for e in elements):
                found.append((name, value))
                self.list_names.add(name)
        declared: set[str] = set()
        for name, value in found:
            ref = self.bound_ref(name, None)
            if name not in declared:
                declared.add(name)
                elements = _elements(value)
                kinds = {self.entry_kind(e, None) for e in elements}
                framework = DJANGO if kinds & {"path", "regex"} else STARLETTE
                yield RouterDecl(self.ctx.service, self.loc(value), ref, "", framework)
            yield from self.route_entries(_elements(value), ref, "", None)

    def entry_kind(self, expr: cst.BaseExpression, function: FunctionInfo | None) -> str | None:
        if not isinstance(expr, cst.Call):
            return None
        return _LIST_ENTRIES.get(self.m.qualified(expr.func, function))

    def route_entries(
        self,
        elements: Iterable[cst.BaseExpression],
        container: str,
        prefix: str,
        function: FunctionInfo | None,
    ) -> Iterator[Fact]:
        for element in elements:
            kind = self.entry_kind(element, function)
            if kind is None or not isinstance(element, cst.Call):
                continue
            if kind in ("path", "regex"):
                yield from self.django_entry(element, kind, container, prefix, function)
            else:
                yield from self.starlette_entry(element, kind, container, prefix, function)

    def django_entry(
        self,
        call: cst.Call,
        kind: str,
        container: str,
        prefix: str,
        function: FunctionInfo | None,
    ) -> Iterator[Fact]:
        raw = self.text(positional(call, 0) or kwarg(call, "route"), function)
        view = positional(call, 1) or kwarg(call, "view")
        if raw is None or view is None:
            return
        # Django concatenates nested patterns as they are written.
        own = prefix + normalise_path(raw, regex=kind == "regex")
        types = _angle_types(raw) if kind == "path" else {}
        if isinstance(view, cst.Call) and self.m.qualified(view.func, function) in _INCLUDES:
            yield from self.django_include(view, call, container, own, function)
            return
        if isinstance(view, cst.Attribute) and view.attr.value == "urls":
            return  # admin.site.urls, a DRF router's urls: patterns we cannot list
        handler, methods = self.django_view(view, function)
        params = tuple(EndpointParam(p, "path", types.get(p, "str")) for p in _template_params(own))
        details = _FastApiDetails(params, None, None, None)
        for method in methods:
            yield self.endpoint(self.loc(call), method, own, handler, DJANGO, container, details)

    def django_include(
        self,
        include: cst.Call,
        entry: cst.Call,
        container: str,
        prefix: str,
        function: FunctionInfo | None,
    ) -> Iterator[Fact]:
        arg = positional(include, 0) or kwarg(include, "arg")
        if isinstance(arg, cst.Tuple) and arg.elements:
            arg = arg.elements[0].value  # include((patterns, app_name))
        value = literal(arg)
        child: str | None = None
        if isinstance(value, str):
            child = value + ".urlpatterns"
        elif isinstance(arg, cst.List | cst.Tuple | cst.BinaryOperation):
            yield from self.route_entries(_elements(arg), container, prefix, function)
            return
        elif isinstance(arg, cst.Name) and arg.value in self.list_names:
            child = self.bound_ref(arg.value, None)
        elif arg is not None:
            name = dotted(arg)
            head = (name or "").partition(".")[0]
            qualified = self.m.qualified(arg, function)
            # an imported urls module; router.urls of DRF and the like are not followed
            if name and head in self.m.scope.imports and "()" not in qualified:
                child = qualified + ".urlpatterns"
        if child is not None:
            yield RouterMount(self.ctx.service, self.loc(entry), container, child, prefix)

    def django_view(
        self, view: cst.BaseExpression, function: FunctionInfo | None
    ) -> tuple[str, Sequence[str]]:
        for _ in range(4):  # login_required(csrf_exempt(view))
            if not isinstance(view, cst.Call):
                break
            if isinstance(view.func, cst.Attribute) and view.func.attr.value == "as_view":
                return self.m.qualified(view.func.value, function), ("*",)
            inner = positional(view, 0)
            if inner is None:
                break
            view = inner
        handler = self.m.qualified(view, function) or (dotted(view) or "")
        local = self.functions().get(handler)
        if local is not None:
            for decorator in local.decorators:
                target = decorator.func if isinstance(decorator, cst.Call) else decorator
                name = self.m.qualified(target, None)
                if name in _DJANGO_METHOD_DECORATORS:
                    return handler, _DJANGO_METHOD_DECORATORS[name]
                if name == _REQUIRE_METHODS and isinstance(decorator, cst.Call):
                    methods = _literal_methods(positional(decorator, 0))
                    if methods:
                        return handler, methods
        return handler, ("*",)

    def starlette_entry(
        self,
        call: cst.Call,
        kind: str,
        container: str,
        prefix: str,
        function: FunctionInfo | None,
    ) -> Iterator[Fact]:
        raw = self.text(positional(call, 0) or kwarg(call, "path"), function)
        if raw is None:
            return
        own = prefix + normalise_path(raw)
        if kind == "mount":
            routes = kwarg(call, "routes")
            app = positional(call, 1) or kwarg(call, "app")
            if routes is not None:
                yield from self.routes_argument(routes, container, own, function, self.loc(call))
            elif app is not None and not isinstance(app, cst.Call):
                child = self.mounted_ref(app, function)
                if child is not None:
                    yield RouterMount(self.ctx.service, self.loc(call), container, child, own)
            return
        view = positional(call, 1) or kwarg(call, "endpoint")
        if view is None:
            return
        handler = self.m.qualified(view, function) or (dotted(view) or "")
        cls = self.classes().get(handler)
        if kind == "route" and cls is not None and self.class_methods(cls):
            yield from self.class_endpoints(cls, call, prefix + raw, STARLETTE, container)
            return
        methods_expr = kwarg(call, "methods")
        methods = ("WEBSOCKET",) if kind == "websocket" else _literal_methods(methods_expr)
        methods = methods or (("GET",) if methods_expr is None else ("*",))
        details = _FastApiDetails(_path_params(raw, own), None, None, None)
        for method in methods:
            yield self.endpoint(self.loc(call), method, own, handler, STARLETTE, container, details)

    # --- FastAPI signatures -------------------------------------------------------------------

    def fastapi_details(
        self, function: FunctionInfo | None, route: cst.Call, own: str, router: str
    ) -> _FastApiDetails:
        scope = function.parent if function else None
        path_names = set(_template_params(own))
        path_names |= set(_template_params(self.prefixes.get(router, "")))
        params: list[EndpointParam] = []
        body: list[tuple[EndpointParam, str | None, bool]] = []  # param, model, embedded
        seen: set[str] = set()
        for param in function.params() if function else ():
            found = self.fastapi_param(param, scope, path_names)
            if found is None:
                continue
            entry, model, embed = found
            seen.add(param.name.value)
            params.append(entry)
            if entry.source == "body":
                body.append((entry, model, embed))
        for name in _template_params(own):
            if name not in seen:
                params.append(EndpointParam(name, "path", None, True))
        request_model = None
        if len(body) == 1 and not body[0][2]:
            request_model = body[0][1]  # a lone body parameter is the whole body
        return _FastApiDetails(
            tuple(params),
            request_model,
            self.response_model(function, route, scope),
            _status_code(kwarg(route, "status_code")),
        )

    def fastapi_param(
        self, param: cst.Param, scope: FunctionInfo | None, path_names: set[str]
    ) -> tuple[EndpointParam, str | None, bool] | None:
        """Where FastAPI reads one parameter from; `scope` is where the def stands."""
        name = param.name.value
        if name in ("self", "cls"):
            return None
        annotation = param.annotation.annotation if param.annotation else None
        if isinstance(annotation, cst.Name):
            # `SessionDep = Annotated[Session, Depends(get_db)]` in this module
            alias = self.m.lookup(annotation.value, scope)
            annotation = alias if isinstance(alias, cst.Subscript) else annotation
        if isinstance(annotation, cst.Name | cst.Attribute) and _dependency_alias(
            self.m.qualified(annotation, scope)
        ):
            return None
        markers: list[cst.Call] = []
        if isinstance(param.default, cst.Call):
            markers.append(param.default)
        if isinstance(annotation, cst.Subscript) and self.m.qualified(
            annotation.value, scope
        ).endswith("Annotated"):
            parts = _subscript_args(annotation)
            annotation = parts[0] if parts else None
            markers += [p for p in parts[1:] if isinstance(p, cst.Call)]
        marker, source = None, None
        for call in markers:
            qualified = self.m.qualified(call.func, scope)
            last = qualified.rpartition(".")[2]
            if qualified.startswith("fastapi.") and last in _MARKERS:
                marker, source = call, _MARKERS[last]
                break
        if source == "":
            return None  # Depends()/Security(): resolved by the framework, not sent
        kind = self.type_of(annotation, scope) if annotation is not None else None
        kinds = kind.kinds if kind else frozenset()
        if marker is None and "skip" in kinds:
            return None
        if name in path_names:
            source = "path"
        elif source is None:
            if "upload" in kinds:
                source = "form"
            elif "model" in kinds or "container" in kinds:
                source = "body"  # FastAPI reads models, lists and dicts from the body
            else:
                source = "query"
        default = param.default if marker is None or marker is not param.default else None
        required = _required(default, marker if marker is param.default else None)
        if source == "path":
            required = True
        wire = name
        if marker is not None:
            alias = literal(kwarg(marker, "alias"))
            if isinstance(alias, str):
                wire = alias
            elif source == "header" and literal(kwarg(marker, "convert_underscores")) is not False:
                wire = name.replace("_", "-")
        type_text = kind.text if kind else None
        model_text = None
        if source == "body" and kind is not None and "model" in kind.kinds and annotation:
            bare = _without_none(annotation, self, scope)
            model_text = self.type_of(bare, scope).text
        embed = marker is not None and literal(kwarg(marker, "embed")) is True
        return EndpointParam(wire, source, type_text, required), model_text, embed

    def response_model(
        self, function: FunctionInfo | None, route: cst.Call, scope: FunctionInfo | None
    ) -> str | None:
        if any(a.keyword is not None and a.keyword.value == "response_model" for a in route.args):
            expr = kwarg(route, "response_model")
            if expr is None or literal(expr) is None:
                return None
            found = self.type_of(expr, scope)
            return found.text if "model" in found.kinds else None
        if function is None or function.node.returns is None:
            return None
        found = self.type_of(function.node.returns.annotation, scope)
        if "model" in found.kinds and not found.kinds & {"response", "skip"}:
            return found.text
        return None

    def type_of(
        self, expr: cst.BaseExpression, function: FunctionInfo | None, depth: int = 0
    ) -> _Type:
        """The annotation as text with qualified names, and what kinds of types it holds."""
        if depth > 8:
            return _Type("...", frozenset())
        if isinstance(expr, cst.SimpleString | cst.ConcatenatedString):
            value = literal(expr)
            try:
                parsed = cst.parse_expression(value) if isinstance(value, str) else None
            except cst.ParserSyntaxError:
                parsed = None
            if parsed is None:
                return _Type(str(value), frozenset())  # not a type we can read
            return self.type_of(parsed, function, depth + 1)
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
            sides = (expr.left, expr.right)
            return _union([self.type_of(side, function, depth + 1) for side in sides])
        if isinstance(expr, cst.Subscript):
            return self.subscript_type(expr, function, depth)
        if isinstance(expr, cst.Name | cst.Attribute):
            return self.name_type(expr, function)
        # constr(max_length=3) and the like
        return _Type(self.m.module.code_for_node(expr), frozenset({"scalar"}))

    def subscript_type(
        self, expr: cst.Subscript, function: FunctionInfo | None, depth: int
    ) -> _Type:
        base = _plain(self.m.qualified(expr.value, function))
        args = _subscript_args(expr)
        if base == "Annotated":
            return self.type_of(args[0], function, depth + 1) if args else _Type("", frozenset())
        if base == "Literal":
            return _Type(self.m.module.code_for_node(expr), frozenset({"scalar"}))
        inner = [self.type_of(a, function, depth + 1) for a in args]
        if base == "Optional" and inner:
            return _union([inner[0], _Type("None", frozenset({"none"}))])
        if base == "Union":
            return _union(inner)
        kinds: set[str] = set().union(*(t.kinds for t in inner)) if inner else set()
        kinds.discard("none")
        head = self.name_type(expr.value, function)
        kinds |= head.kinds - {"model"} if base in _CONTAINERS else head.kinds
        if base in _CONTAINERS:
            kinds.add("container")
        return _Type(f"{base}[{', '.join(t.text for t in inner)}]", frozenset(kinds))

    def name_type(self, expr: cst.BaseExpression, function: FunctionInfo | None) -> _Type:
        qualified = self.m.qualified(expr, function) or (dotted(expr) or "")
        name = _plain(qualified)
        last = name.rpartition(".")[2]
        framework = qualified.startswith(("fastapi.", "starlette.")) or "." not in qualified
        if name == "None":
            return _Type(name, frozenset({"none"}))
        if name in _SCALARS or self.is_enum(qualified):
            return _Type(name, frozenset({"scalar"}))
        if name in _CONTAINERS:
            return _Type(name, frozenset({"container"}))
        if framework and last == "UploadFile":
            return _Type(name, frozenset({"upload"}))
        if framework and last in _NOT_PARAMS:
            return _Type(name, frozenset({"skip"}))
        if framework and last.endswith("Response"):
            return _Type(name, frozenset({"skip", "response"}))
        return _Type(name, frozenset({"model"}))


_CallHandler = Callable[
    [_Routes, cst.Call, cst.BaseExpression, FunctionInfo | None], Iterator[Fact]
]
_CALLS: dict[str, _CallHandler] = {
    "include_router": _Routes.include_router,
    "mount": _Routes.mount,
    "register_blueprint": _Routes.register_blueprint,
    "add_namespace": _Routes.add_namespace,
    "init_app": _Routes.init_app,
    "add_url_rule": _Routes.add_url_rule,
    "add_resource": _Routes.add_resource,
    "add_api_route": _Routes.add_api_route,
    "add_route": _Routes.add_route,
    "add_api_websocket_route": _Routes.add_websocket_route,
    "add_websocket_route": _Routes.add_websocket_route,
}


def _dependency_alias(name: str) -> bool:
    """`app.api.deps.CurrentUser`, `SessionDep`: an `Annotated[..., Depends()]` kept elsewhere.

    FastAPI code names them so by convention; reading them as request bodies would
    invent bodies that no client sends.
    """
    module, _, last = name.rpartition(".")
    if last.endswith(("Dep", "Deps", "Dependency")):
        return True
    return any(part in ("deps", "dependencies", "dependency") for part in module.split("."))


def _plain(name: str) -> str:
    """`typing.List` -> `list`, `typing.Optional` -> `Optional`."""
    for prefix in ("typing.", "typing_extensions.", "collections.abc.", "builtins."):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            return _CAPITALISED.get(name, name)
    return name


def _union(members: Sequence[_Type]) -> _Type:
    texts = list(dict.fromkeys(m.text for m in members))
    kinds: set[str] = set().union(*(m.kinds for m in members)) if members else set()
    if kinds - {"none"}:
        kinds.discard("none")
    return _Type(" | ".join(texts), frozenset(kinds))


def _subscript_args(expr: cst.Subscript) -> list[cst.BaseExpression]:
    return [e.slice.value for e in expr.slice if isinstance(e.slice, cst.Index)]


def _without_none(
    expr: cst.BaseExpression, routes: _Routes, function: FunctionInfo | None
) -> cst.BaseExpression:
    """`Optional[X]`, `X | None` and `Union[X, None]` -> `X`; anything else unchanged."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        sides = [s for s in (expr.left, expr.right) if not _is_none(s)]
        return sides[0] if len(sides) == 1 else expr
    if isinstance(expr, cst.Subscript):
        base = _plain(routes.m.qualified(expr.value, function))
        args = [a for a in _subscript_args(expr) if not _is_none(a)]
        if base in ("Optional", "Union") and len(args) == 1:
            return args[0]
    return expr


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def _required(default: cst.BaseExpression | None, marker: cst.Call | None) -> bool:
    """No default, `...`, or a marker whose own default is missing or `...`."""
    if marker is not None:
        if kwarg(marker, "default_factory") is not None:
            return False
        default = positional(marker, 0) or kwarg(marker, "default")
        return default is None or isinstance(default, cst.Ellipsis)
    return default is None or isinstance(default, cst.Ellipsis)


def _status_code(expr: cst.BaseExpression | None) -> int | None:
    value = literal(expr)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    name = dotted(expr) or ""
    match = _HTTP_CODE.search(name.rpartition(".")[2])
    if match:
        return int(match.group(1))
    head, _, member = name.rpartition(".")
    if head.endswith("HTTPStatus") and member in HTTPStatus.__members__:
        return HTTPStatus[member].value
    return None


def _path_params(raw: str, own: str) -> tuple[EndpointParam, ...]:
    types = _angle_types(raw)
    return tuple(EndpointParam(p, "path", types.get(p), True) for p in _template_params(own))


def _elements(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The items of `[...]`, `(...)` and `[...] + [...]`; other parts are not followed."""
    if isinstance(expr, cst.List | cst.Tuple):
        return [e.value for e in expr.elements if isinstance(e, cst.Element)]
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return _elements(expr.left) + _elements(expr.right)
    return []


def _module_lists(body: Sequence[cst.CSTNode]) -> Iterator[tuple[str, cst.BaseExpression]]:
    """`name = [...]`, `name += [...]` at module level, also under `if settings.DEBUG:`."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                value: cst.BaseExpression | None = None
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target, value = small.targets[0].target, small.value
                elif _extends(small) and isinstance(small, cst.AugAssign | cst.AnnAssign):
                    target, value = small.target, small.value
                else:
                    continue
                if isinstance(target, cst.Name) and isinstance(
                    value, cst.List | cst.Tuple | cst.BinaryOperation
                ):
                    yield target.value, value
        elif isinstance(statement, cst.If):
            yield from _module_lists(_statements(statement.body))
            orelse = statement.orelse
            while isinstance(orelse, cst.If):
                yield from _module_lists(_statements(orelse.body))
                orelse = orelse.orelse
            if orelse is not None:
                yield from _module_lists(_statements(orelse.body))
        elif isinstance(statement, cst.Try):
            yield from _module_lists(_statements(statement.body))


def _extends(small: cst.BaseSmallStatement) -> bool:
    """`x += [...]` or `x: list[URLPattern] = [...]`."""
    if isinstance(small, cst.AugAssign):
        return isinstance(small.operator, cst.AddAssign)
    return isinstance(small, cst.AnnAssign) and small.value is not None


def _statements(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    if isinstance(suite, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=suite.body)]
    return suite.body if isinstance(suite, cst.IndentedBlock) else ()
