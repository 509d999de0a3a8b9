"""Ports a JavaScript/TypeScript server listens on, as its own code says.

- `app.listen(4000)`, `server.listen(PORT, cb)` where `const PORT = process.env.PORT ??
  4000` (also `||`, `Number(process.env.PORT) || 4000`, `parseInt(process.env.PORT ||
  "4000", 10)`, a `config.port` of an object literal in the file);
- `server.listen({ port: 4000 })`, Fastify `app.listen({ port: 3000, host: "0.0.0.0" })`,
  `http.createServer(handler).listen(4000)`;
- `Bun.serve({ port })`, `Deno.serve({ port }, handler)`, `@hono/node-server`'s
  `serve({ fetch, port })`.

Each is a `Listener` with source "code" and context "": the unit is the file's own
service (`Listener.service`), which the linker uses for this source. The port when
the environment sets none is the default the code gives; a port the code leaves to
the environment alone says nothing. `.listen(0)` (any free port) and servers in tests,
mocks and fixtures (test doubles, which would claim another service's port) are not
reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from analyzers.facts import Fact, Listener
from analyzers.javascript.context import JsContext
from analyzers.javascript.module import (
    JsModule,
    call_arguments,
    object_property,
    string_value,
    text,
    unwrap,
)
from analyzers.javascript.scan import calls_matching
from analyzers.paths import is_mock_path, is_test_path

_LISTEN = re.compile(rb"\.(listen)\s*\(")
_SERVE = re.compile(rb"(?<![\w$])(?:(?:Bun|Deno)\.)?(serve)\s*\(")
_NUMBER_CALLS = frozenset(
    {"Number", "parseInt", "parseFloat", "Number.parseInt", "Number.parseFloat", "String"}
)
_ENV_OBJECTS = frozenset({"process.env", "import.meta.env", "Deno.env"})
_MAX_DEPTH = 6


def extract(ctx: JsContext) -> Iterator[Fact]:
    source = ctx.module.source
    # Most files call neither: two substring checks, in C, before any regular expression.
    if b"listen" not in source and b"serve" not in source:
        return
    if is_test_path(ctx.module.path) or is_mock_path(ctx.module.path):
        return
    m = ctx.module
    calls = [(call, False) for call in calls_matching(m, _LISTEN, 1)]
    calls += [(call, True) for call in calls_matching(m, _SERVE, 1)]
    for call, options_only in sorted(calls, key=lambda item: item[0].start_byte):
        args = call_arguments(call)
        first = unwrap(args[0]) if args else None
        if first is None:
            continue
        if first.type == "object":
            port = port_value(m, object_property(first, "port"))
        elif options_only:
            continue  # `serve(handler)`: a port only comes in an options object
        else:
            port = port_value(m, first)
        if port is not None:
            yield Listener(ctx.service, ctx.loc(call), port, "code", "")


def port_value(m: JsModule, node: ts.Node | None, depth: int = 0) -> int | None:
    """The port an expression comes to when the environment sets none; None when unknown."""
    node = unwrap(node)
    if node is None or depth > _MAX_DEPTH:
        return None
    kind = node.type
    if kind == "number":
        return _port(text(node))
    if kind in ("string", "template_string"):
        return _port(string_value(node))
    if kind in ("identifier", "shorthand_property_identifier"):
        bound = m.lookup(text(node), node)
        return port_value(m, bound, depth + 1) if bound is not None else None
    if kind == "binary_expression" and text(node.child_by_field_name("operator")) in ("||", "??"):
        left = port_value(m, node.child_by_field_name("left"), depth + 1)
        return left if left is not None else port_value(m, node.child_by_field_name("right"))
    if kind == "unary_expression" and text(node.child_by_field_name("operator")) == "+":
        return port_value(m, node.child_by_field_name("argument"), depth + 1)
    if kind == "call_expression":
        args = call_arguments(node)
        callee = text(node.child_by_field_name("function"))
        if callee in _NUMBER_CALLS and args:
            return port_value(m, args[0], depth + 1)
        return None
    if kind == "member_expression":
        owner = node.child_by_field_name("object")
        if text(owner) in _ENV_OBJECTS:
            return None
        obj = _object_literal(m, owner, depth + 1)
        prop = text(node.child_by_field_name("property"))
        return port_value(m, object_property(obj, prop), depth + 1) if obj is not None else None
    return None


def _object_literal(m: JsModule, node: ts.Node | None, depth: int) -> ts.Node | None:
    """The object literal a name or a property chain of the file refers to (`config.server`)."""
    node = unwrap(node)
    if node is None or depth > _MAX_DEPTH:
        return None
    if node.type == "object":
        return node
    if node.type == "identifier":
        return _object_literal(m, m.lookup(text(node), node), depth + 1)
    if node.type == "member_expression":
        obj = _object_literal(m, node.child_by_field_name("object"), depth + 1)
        prop = text(node.child_by_field_name("property"))
        return _object_literal(m, object_property(obj, prop), depth + 1) if obj else None
    return None


def _port(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    port = int(value.strip())
    return port if 0 < port < 65536 else None
