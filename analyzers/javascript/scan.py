"""Finding the few nodes a family cares about without reading every node in Python.

The webhook, job and SDK families each look for a handful of names
(`constructEvent(`, `cron.schedule(`, `.from('job_queue').insert(`). Reading
every call of a module through the tree-sitter bindings costs microseconds a
call; a regular expression over the source bytes runs in C, and from each
match `descendant_for_byte_range` climbs to the call around it. Byte offsets,
not character offsets: the tree counts UTF-8 bytes.

Also here: the functions a module declares by name, and the text of a function
together with the local helpers it calls, which is what a reviewer reads when
asking "does this job take a lock?".
"""

from __future__ import annotations

import re
from bisect import bisect_left
from weakref import WeakKeyDictionary

import tree_sitter as ts

from analyzers.javascript.module import FUNCTION_TYPES, JsModule, text, unwrap

_CALLS = ("call_expression", "new_expression")
# A request handler's first parameter: Express/Next (req, request), Koa (ctx), Hono (c),
# Lambda/Netlify (event).
REQUEST_PARAMS = frozenset({"req", "request", "_req", "ctx", "c", "event"})
RESPONSE_PARAMS = frozenset({"res", "response", "reply", "_res", "h"})


def node_at(m: JsModule, start: int, end: int) -> ts.Node | None:
    return m.root.descendant_for_byte_range(start, end)


def call_around(node: ts.Node | None, start: int) -> ts.Node | None:
    """The call (or `new`) whose callee holds byte `start`; None when the name is not called.

    `foo(cron.schedule)` passes `cron.schedule` on: the call around it is `foo`, whose
    callee does not hold the match, so nothing is returned.
    """
    while node is not None:
        if node.type in _CALLS:
            callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
            if callee is not None and callee.start_byte <= start < callee.end_byte:
                return node
            return None
        if node.type in ("arguments", "statement_block", "program") or node.type in FUNCTION_TYPES:
            return None
        node = node.parent
    return None


def calls_matching(m: JsModule, pattern: re.Pattern[bytes], group: int = 0) -> list[ts.Node]:
    """Calls whose callee holds a match of `pattern` (the span of `group`), in source order."""
    found: dict[int, ts.Node] = {}
    for match in pattern.finditer(m.source):
        start, end = match.span(group)
        call = call_around(node_at(m, start, end), start)
        if call is not None:
            found.setdefault(call.start_byte * 1_000_003 + call.end_byte, call)
    return sorted(found.values(), key=lambda n: n.start_byte)


# --- functions ---------------------------------------------------------------------------------


class _Index:
    def __init__(self, m: JsModule) -> None:
        self.calls = sorted(m.calls, key=lambda n: n.start_byte)
        self.starts = [c.start_byte for c in self.calls]
        self.functions: dict[str, ts.Node] = {}
        for name, bound in m.bindings.items():
            for _, value in bound:
                inner = unwrap(value)
                if inner is not None and inner.type in FUNCTION_TYPES:
                    self.functions.setdefault(name, inner)
        for node in m.root.named_children:
            inner = (
                node.child_by_field_name("declaration") if node.type == "export_statement" else node
            )
            if inner is not None and inner.type in (
                "function_declaration",
                "generator_function_declaration",
            ):
                name = text(inner.child_by_field_name("name"))
                if name:
                    self.functions[name] = inner


_INDEXES: WeakKeyDictionary[JsModule, _Index] = WeakKeyDictionary()


def _index(m: JsModule) -> _Index:
    found = _INDEXES.get(m)
    if found is None:
        found = _INDEXES[m] = _Index(m)
    return found


def local_function(m: JsModule, name: str) -> ts.Node | None:
    """A function this module declares under `name` (a declaration or a const arrow)."""
    return _index(m).functions.get(name)


def calls_within(m: JsModule, node: ts.Node) -> list[ts.Node]:
    index = _index(m)
    first = bisect_left(index.starts, node.start_byte)
    last = bisect_left(index.starts, node.end_byte)
    return [c for c in index.calls[first:last] if c.end_byte <= node.end_byte]


def function_of(value: ts.Node | None, m: JsModule) -> ts.Node | None:
    """A function given inline, or named: a local function or a const bound to one."""
    inner = unwrap(value)
    if inner is None:
        return None
    if inner.type in FUNCTION_TYPES:
        return inner
    if inner.type == "identifier":
        return local_function(m, text(inner))
    return None


def helpers_called(m: JsModule, function: ts.Node) -> list[ts.Node]:
    """Local functions `function` calls by name (one level), in call order, without repeats."""
    found: dict[int, ts.Node] = {}
    for call in calls_within(m, function):
        callee = call.child_by_field_name("function")
        if callee is None or callee.type != "identifier":
            continue
        helper = local_function(m, text(callee))
        if helper is not None and helper.start_byte != function.start_byte:
            found.setdefault(helper.start_byte, helper)
    return list(found.values())


# `// ...` and `/* ... */`, but not the `//` of a URL in a string ("https://...").
_COMMENTS = re.compile(r"/\*.*?\*/|(?<![:'\"`\w\\])//[^\n]*", re.S)


def code(node: ts.Node | None) -> str:
    """The text of a node without its comments: a comment saying "no lock" takes none."""
    written = text(node)
    return _COMMENTS.sub("", written) if "/" in written else written


def with_helpers(m: JsModule, function: ts.Node) -> str:
    """The code of a function and of the local functions it calls, for rules of thumb."""
    return "\n".join([code(function), *(code(h) for h in helpers_called(m, function))])


def parameters(function: ts.Node) -> list[str]:
    """Parameter names as written; "" for a destructured one."""
    single = function.child_by_field_name("parameter")
    if single is not None:
        return [text(single)]
    params = function.child_by_field_name("parameters")
    if params is None:
        return []
    names = []
    for param in params.named_children:
        if param.type == "comment":
            continue
        pattern = param.child_by_field_name("pattern") or param.child_by_field_name("left")
        target = pattern if pattern is not None else param
        names.append(text(target) if target.type == "identifier" else "")
    return names


def is_async(function: ts.Node) -> bool:
    return any(child.type == "async" for child in function.children)
