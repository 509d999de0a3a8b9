"""`JsModule.lookup` against the plain rule it implements, on every name of a few modules.

The rule: of the declarations of a name whose scope encloses the reading, the one in the
smallest scope, the last of them in document order on a tie; none when a parameter of a
function around the reading has that name. `lookup` skips most scopes of a name declared
in many places; these modules have names declared in every handler, in nested blocks, twice
in one scope and as parameters, read from everywhere.
"""

from __future__ import annotations

import pytest
import tree_sitter as ts

from analyzers.extract import SourceFile, extract_file
from analyzers.facts import OutboundCall
from analyzers.javascript.module import JsModule
from analyzers.registry import default_extractors


def _reference(m: JsModule, name: str, at: ts.Node) -> ts.Node | None:
    best: tuple[int, ts.Node, ts.Node] | None = None
    for declarator, value in m.bindings.get(name, ()):
        scope = m.scope_of(declarator)
        if scope.start_byte <= at.start_byte and at.end_byte <= scope.end_byte:
            size = scope.end_byte - scope.start_byte
            if best is None or size <= best[0]:
                best = (size, value, scope)
    if best is None:
        return None
    return None if m.is_parameter(name, at, best[2]) else best[1]


def _handlers(count: int) -> str:
    parts = ["const r = 'top';", "var x = 1;", "var x = 2;", "const url = '/top';"]
    for i in range(count):
        parts.append(
            f"router.get('/items/{i}', async (req, res) => {{\n"
            f"  const r = await fetch(url + '/{i}');\n"
            f"  if (r.ok) {{ const r = {i}; let x = r + x; res.json(r); }}\n"
            f"  for (const x of [r]) {{ var url = x; use(url, r); }}\n"
            f"  const inner = (x, r) => r + x + url;\n"
            f"  function named(url) {{ const r = url; return r + x; }}\n"
            f"  res.json(await r.json(), inner(r), named(url));\n"
            f"}});"
        )
    parts.append("export default function last(r) { return r + x + url; }")
    return "\n".join(parts) + "\n"


SOURCES = {
    "many handlers": _handlers(40),
    "one handler": _handlers(1),
    "class": (
        "const client = make();\n"
        "class A { run(client) { const c = client; { const client = 2; c(client); } } }\n"
        "function f() { const client = 1; return () => client; }\n"
        "client.get(client);\n"
    ),
}


@pytest.mark.parametrize("source", SOURCES.values(), ids=SOURCES.keys())
def test_lookup_is_the_innermost_last_declaration(source: str) -> None:
    m = JsModule("src/a.ts", source.encode(), "typescript")
    names = 0
    stack = [m.root]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type in ("identifier", "shorthand_property_identifier"):
            name = node.text.decode() if node.text is not None else ""
            assert m.lookup(name, node) == _reference(m, name, node), (name, node.start_point)
            names += 1
    assert names > 10


def test_a_parameter_of_a_function_around_the_scope_does_not_shadow_the_binding() -> None:
    # `client` is a parameter of `outer`, but the handler declares its own: the call is on
    # the axios instance made in the handler, not on whatever `outer` was given.
    source = (
        "import axios from 'axios';\n"
        "export function outer(client) {\n"
        "  function handler() {\n"
        "    const client = axios.create({ baseURL: process.env.PAYMENTS_URL });\n"
        "    return client.get('/charges');\n"
        "  }\n"
        "  return handler;\n"
        "}\n"
    )
    facts = extract_file(default_extractors(), SourceFile("svc/a.js", "svc", "javascript", source))
    calls = [f for f in facts.facts if isinstance(f, OutboundCall)]
    assert [(c.library, c.method, c.url) for c in calls] == [
        ("axios", "GET", "{PAYMENTS_URL}/charges")
    ]


def test_a_parameter_of_a_function_inside_the_scope_still_shadows_the_binding() -> None:
    source = (
        "import axios from 'axios';\n"
        "const client = axios.create({ baseURL: process.env.PAYMENTS_URL });\n"
        "export function handler(client) {\n"
        "  return client.get('/charges');\n"
        "}\n"
    )
    facts = extract_file(default_extractors(), SourceFile("svc/a.js", "svc", "javascript", source))
    assert [f for f in facts.facts if isinstance(f, OutboundCall)] == []
