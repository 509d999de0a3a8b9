"""Ports a Python server listens on, as its own code says.

- `uvicorn.run(app, port=8001)`, `uvicorn.run("app.main:app", host=..., port=int(os.getenv(
  "PORT", "8001")))`, `uvicorn.Config(app, port=8001)`;
- Flask (and Quart, Sanic, Flask-SocketIO, Dash) `app.run(port=5000)`, `app.run("0.0.0.0",
  5000)`, `socketio.run(app, port=5000)`, Dash `app.run_server(port=8050)`;
- aiohttp `web.run_app(app, port=8080)` and `web.TCPSite(runner, host, 8080)`; waitress
  `serve(app, port=8080)` / `serve(app, listen="*:8080")`; the standard library's
  `HTTPServer(("", 8000), Handler)`, `socketserver.TCPServer`, `make_server("", 8000, app)`;
  tornado `app.listen(8888)` in a module that imports tornado (a socket's `listen(5)` is
  a backlog); Gradio `demo.launch(server_port=7860)`.

The port is what runs when the environment sets none: a literal, the default of
`os.getenv("PORT", "8001")`, a module constant, or the default of a settings field
of a class in the same file (`settings.port` with `port: int = 8000`). Each is a
`Listener` with source "code" and context "" (the unit is the file's service).
Servers in tests, mocks and fixtures are test doubles and are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from analyzers.facts import Fact, Listener
from analyzers.paths import is_mock_path, is_test_path
from analyzers.python.context import PyContext
from analyzers.python.module import FunctionInfo
from analyzers.python.prefilter import may_listen
from analyzers.python.syntax import kwarg, literal, positional
from analyzers.python.values import ENV_GETTERS

# Callee -> where its port is: a keyword, and the positional index it may also take.
_SERVERS: dict[str, tuple[str, int | None]] = {
    "uvicorn.run": ("port", None),
    "uvicorn.Config": ("port", None),
    "uvicorn.config.Config": ("port", None),
    "aiohttp.web.run_app": ("port", None),
    "aiohttp.web.TCPSite": ("port", 2),
    "waitress.serve": ("port", None),
    "wsgiref.simple_server.make_server": ("port", 1),
}
# Servers given an address tuple: `HTTPServer(("", 8000), Handler)`.
_ADDRESS_SERVERS = frozenset(
    {
        "http.server.HTTPServer",
        "http.server.ThreadingHTTPServer",
        "socketserver.TCPServer",
        "socketserver.ThreadingTCPServer",
    }
)
# Methods of an application object (whatever its class): `app.run(port=5000)`.
_APP_METHODS = {"run": "port", "run_server": "port", "launch": "server_port"}
_NUMBERS = frozenset({"int", "float", "str", "builtins.int", "builtins.str"})
_MAX_DEPTH = 6


def extract(ctx: PyContext) -> Iterator[Fact]:
    path = ctx.module.path
    if not may_listen(ctx.text) or is_test_path(path) or is_mock_path(path):
        return
    tornado = any(q.startswith("tornado") for q in ctx.module.scope.imports.values())
    for site in ctx.module.calls:
        port = _port_of(ctx, site.node, site.function, tornado)
        if port is not None:
            yield Listener(ctx.service, ctx.loc(site.node), port, "code", "")


def _port_of(
    ctx: PyContext, call: cst.Call, function: FunctionInfo | None, tornado: bool
) -> int | None:
    name = ctx.callee(call, function)
    server = _SERVERS.get(name)
    if server is not None:
        keyword, index = server
        found = kwarg(call, keyword)
        if found is None and index is not None:
            found = positional(call, index)
        if found is None and name == "waitress.serve":  # `serve(app, listen="*:8080")`
            listen = literal(kwarg(call, "listen"))
            return _port(listen.rpartition(":")[2]) if isinstance(listen, str) else None
        return port_value(ctx, found, function)
    if name in _ADDRESS_SERVERS:
        address = positional(call, 0) or kwarg(call, "server_address")
        if isinstance(address, cst.Tuple) and len(address.elements) == 2:
            return port_value(ctx, address.elements[1].value, function)
        return None
    if not isinstance(call.func, cst.Attribute):
        return None
    method = call.func.attr.value
    if method in _APP_METHODS:
        found = kwarg(call, _APP_METHODS[method])
        if found is None and method == "run" and isinstance(literal(positional(call, 0)), str):
            found = positional(call, 1)  # Flask's `app.run(host, port)`
        return port_value(ctx, found, function)
    if method == "listen" and tornado:
        return port_value(ctx, positional(call, 0) or kwarg(call, "port"), function)
    return None


def port_value(
    ctx: PyContext, expr: cst.BaseExpression | None, function: FunctionInfo | None, depth: int = 0
) -> int | None:
    """The port an expression comes to when the environment sets none; None when unknown."""
    if expr is None or depth > _MAX_DEPTH:
        return None
    value = literal(expr)
    if isinstance(value, str | int) and not isinstance(value, bool):
        return _port(value)
    if isinstance(expr, cst.Call):
        name = ctx.callee(expr, function)
        if name in _NUMBERS:
            return port_value(ctx, positional(expr, 0), function, depth + 1)
        if name in ENV_GETTERS or name.endswith(("os.getenv", "os.environ.get")):
            default = positional(expr, 1) or kwarg(expr, "default")
            return port_value(ctx, default, function, depth + 1)
        return None
    if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
        left = port_value(ctx, expr.left, function, depth + 1)
        return left if left is not None else port_value(ctx, expr.right, function, depth + 1)
    if isinstance(expr, cst.Name):
        bound = ctx.module.lookup(expr.value, function)
        return port_value(ctx, bound, function, depth + 1) if bound is not expr else None
    if isinstance(expr, cst.Attribute):
        return _settings_default(ctx, expr, function, depth)
    return None


def _settings_default(
    ctx: PyContext, expr: cst.Attribute, function: FunctionInfo | None, depth: int
) -> int | None:
    """`settings.port` with `settings = Settings()` and `port: int = 8000` in this file."""
    owner = ctx.module.resolve(expr.value, function)
    if owner is None:
        return None
    class_name = owner.name.removesuffix("()")
    for cls in ctx.module.classes:
        if f"{ctx.module.name}.{cls.qualname}" == class_name:
            default = cls.scope.values.get(expr.attr.value)
            return port_value(ctx, default, None, depth + 1)
    return None


def _port(value: str | int) -> int | None:
    if isinstance(value, str):
        if not value.strip().isdigit():
            return None
        value = int(value.strip())
    return value if 0 < value < 65536 else None
