"""One JavaScript or TypeScript module: its tree, imports, bindings and calls, from one query.

Everything is collected by a single tree-sitter query, run in C, instead of a
walk of every node in Python. Names resolve lazily, as in the Python analyzer:
`api.get` where `const api = axios.create({...})` resolves to
`axios.create().get`, with the `axios.create(...)` call as its origin.
Context (the enclosing function, loops, try blocks) is computed from the
parent chain only for the nodes a family asks about.
"""

from __future__ import annotations

import bisect
import posixpath
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import tree_sitter as ts

from analyzers.facts import Location
from analyzers.javascript.parsing import grammar, parser_for
from analyzers.modules import module_name

FUNCTION_TYPES = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
        "generator_function",
    }
)
LOOP_TYPES = frozenset(
    {"for_statement", "for_in_statement", "while_statement", "do_statement", "for_of_statement"}
)
SCOPE_TYPES = frozenset({"program", "statement_block", "class_body"}) | FUNCTION_TYPES
# Wrappers that do not change what an expression refers to.
TRANSPARENT = frozenset(
    {
        "parenthesized_expression",
        "await_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "type_assertion",
    }
)

_QUERY = """
(import_statement) @import
(variable_declarator) @declarator
(call_expression) @call
(new_expression) @new
(assignment_expression) @assign
(catch_clause) @catch
(class_declaration) @class
(export_statement) @export
(call_expression
  function: (member_expression property: (property_identifier) @observe_name)
  (#any-of? @observe_name
    "log" "info" "warn" "error" "debug" "trace" "fatal" "child" "inc" "dec" "observe"
    "increment" "decrement" "gauge" "timing" "histogram" "add" "record" "distribution"
    "startActiveSpan" "startSpan" "recordException" "setStatus" "addEvent" "startTransaction"
    "captureException" "captureMessage" "notify")
) @observe_call
(call_expression
  function: (member_expression property: (property_identifier) @catch_name)
  (#eq? @catch_name "catch")
) @promise_catch
"""
# The predicates above run in C: families that only care about these calls get them without
# looking at every call of the file in Python.
_JS_QUERY = _QUERY + "(class) @class\n"
# Type declarations exist in the TypeScript grammars only: the data models family reads them.
_TS_QUERY = (
    _QUERY
    + "(interface_declaration) @interface\n(type_alias_declaration) @type_alias\n"
    + "(enum_declaration) @enum\n"
)


@cache
def _query(language: str) -> ts.Query:
    return ts.Query(grammar(language), _JS_QUERY if language == "javascript" else _TS_QUERY)


def _start(node: ts.Node) -> int:
    return node.start_byte


@dataclass(frozen=True)
class Resolved:
    """A qualified name (`axios.create().get`) and the call that made its head instance."""

    name: str
    origin: ts.Node | None = None


@dataclass(frozen=True, slots=True)
class _Scoped:
    """One declaration of a name, with the scope it is visible in (for `lookup`)."""

    start: int
    end: int
    size: int
    order: int  # among the name's declarations, in document order
    value: ts.Node
    scope: ts.Node


def text(node: ts.Node | None) -> str:
    if node is None:
        return ""
    raw = node.text  # read once: each read copies the bytes out of the tree again
    return "" if raw is None else raw.decode("utf-8", "replace")


def unwrap(node: ts.Node | None) -> ts.Node | None:
    while node is not None and node.type in TRANSPARENT:
        node = node.named_children[0] if node.named_children else None
    return node


def _parameter_names(params: ts.Node) -> set[str]:
    if params.type == "identifier":
        return {text(params)}
    names = set()
    for param in params.named_children:
        pattern = param.child_by_field_name("pattern") or param
        if pattern.type == "identifier":
            names.add(text(pattern))
        elif pattern.type == "assignment_pattern":
            names.add(text(pattern.child_by_field_name("left")))
    return names


def kind(node: ts.Node | None) -> str:
    """The type of what an expression is once wrappers are removed; "" for nothing."""
    inner = unwrap(node)
    return inner.type if inner is not None else ""


def string_value(node: ts.Node | None) -> str | None:
    """The value of a plain string literal (not a template with substitutions)."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "string":
        parts = node.named_children
        if len(parts) == 1 and parts[0].type == "string_fragment":
            return text(parts[0])  # the usual string: one fragment, nothing to join
        return "".join(text(c) for c in parts if c.type in ("string_fragment", "escape_sequence"))
    if node.type == "template_string" and not any(
        c.type == "template_substitution" for c in node.named_children
    ):
        return "".join(text(c) for c in node.named_children if c.type == "string_fragment")
    return None


def call_arguments(call: ts.Node) -> list[ts.Node]:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [c for c in args.named_children if c.type != "comment"]


def object_property(obj: ts.Node | None, key: str) -> ts.Node | None:
    """The value of `key` in an object literal (`{ timeout: 5000 }`), or the shorthand itself."""
    obj = unwrap(obj)
    if obj is None or obj.type != "object":
        return None
    for member in obj.named_children:
        if member.type == "pair":
            name = member.child_by_field_name("key")
            label = string_value(name) if name is not None and name.type == "string" else text(name)
            if label == key:
                return member.child_by_field_name("value")
        elif member.type == "shorthand_property_identifier" and text(member) == key:
            return member
    return None


def object_keys(obj: ts.Node | None) -> list[str]:
    obj = unwrap(obj)
    if obj is None or obj.type != "object":
        return []
    keys = []
    for member in obj.named_children:
        if member.type == "pair":
            name = member.child_by_field_name("key")
            keys.append(string_value(name) or text(name))
        elif member.type in ("shorthand_property_identifier", "method_definition"):
            keys.append(text(member.child_by_field_name("name") or member))
    return keys


class JsModule:
    def __init__(self, path: str, source: bytes, language: str) -> None:
        self.path = path
        self.language = language
        self.source = source
        self.tree = parser_for(language).parse(source)
        self.root = self.tree.root_node
        self.partial = self.root.has_error
        self.name = module_name(path)
        # In document order: the cursor's lists are not, and vary from one parse to the next,
        # which made "the first declaration" (and lookup's tie-break) change between runs.
        captures = {
            name: sorted(nodes, key=_start)
            for name, nodes in ts.QueryCursor(_query(language)).captures(self.root).items()
        }
        self.calls: list[ts.Node] = captures.get("call", [])
        self.observe_calls: list[ts.Node] = captures.get("observe_call", [])
        self.promise_catches: list[ts.Node] = captures.get("promise_catch", [])
        self.news: list[ts.Node] = captures.get("new", [])
        self.catches: list[ts.Node] = captures.get("catch", [])
        self.classes: list[ts.Node] = captures.get("class", [])
        self.exports: list[ts.Node] = captures.get("export", [])
        self.assignments: list[ts.Node] = captures.get("assign", [])
        self.interfaces: list[ts.Node] = captures.get("interface", [])
        self.type_aliases: list[ts.Node] = captures.get("type_alias", [])
        self.enums: list[ts.Node] = captures.get("enum", [])
        self.imports: dict[str, str] = {}
        # The specifier each imported name came from as written ("./routes", "express"), and
        # the names bound to a module itself (default, namespace, `require("./x")`): routers
        # are named after how other modules import them.
        self.import_sources: dict[str, str] = {}
        self.whole_imports: set[str] = set()
        self.bindings: dict[str, list[tuple[ts.Node, ts.Node]]] = defaultdict(list)
        for node in captures.get("import", []):
            self._import(node)
        for node in captures.get("declarator", []):
            self._declarator(node)
        self._scopes: dict[int, ts.Node] = {}
        self._call_starts: list[int] | None = None
        self._function_bodies: dict[str, ts.Node] | None = None
        self._resolved: dict[tuple[int, int], Resolved | None] = {}  # (node id, depth)
        self._functions: dict[int, ts.Node | None] = {}  # node id -> its enclosing function
        self._parameters: dict[int, set[str]] = {}  # function id -> its parameters' names
        self._binding_index: dict[str, tuple[list[int], list[_Scoped]]] = {}  # for `lookup`
        self._callback_calls: dict[int, list[ts.Node]] = {}  # node id -> `callback_calls`
        self._loops: dict[int, tuple[ts.Node | None, list[ts.Node]]] = {}  # `loops_around`

    # --- locations -------------------------------------------------------------------------

    def location(self, node: ts.Node) -> Location:
        return Location(self.path, node.start_point[0] + 1, node.end_point[0] + 1)

    # --- bindings --------------------------------------------------------------------------

    def resolve_source(self, spec: str) -> str:
        """A module specifier as a qualified prefix: packages as named, relative paths dotted."""
        if spec.startswith("."):
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(self.path), spec))
            return module_name(joined)
        return spec

    def _import(self, node: ts.Node) -> None:
        source = string_value(node.child_by_field_name("source"))
        if source is None:
            return
        base = self.resolve_source(source)
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    self.imports[text(part)] = base
                    self.import_sources[text(part)] = source
                    self.whole_imports.add(text(part))
                elif part.type == "namespace_import":
                    for ident in part.named_children:
                        self.imports[text(ident)] = base
                        self.import_sources[text(ident)] = source
                        self.whole_imports.add(text(ident))
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        if spec.type != "import_specifier":
                            continue
                        name = text(spec.child_by_field_name("name"))
                        alias = spec.child_by_field_name("alias")
                        local = text(alias) if alias else name
                        self.imports[local] = f"{base}.{name}"
                        self.import_sources[local] = source

    def _declarator(self, node: ts.Node) -> None:
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        if name is None or value is None:
            return
        inner = unwrap(value)
        required = self._required_module(inner)
        if name.type == "identifier":
            if required is not None:
                self.imports[text(name)] = required
                spec = self._required_spec(inner)
                if spec is not None:
                    self.import_sources[text(name)] = spec
                    if required == self.resolve_source(spec):
                        self.whole_imports.add(text(name))
            else:
                self.bindings[text(name)].append((node, value))
        elif name.type == "object_pattern" and required is not None:
            spec = self._required_spec(inner) or ""
            for part in name.named_children:
                if part.type == "shorthand_property_identifier_pattern":
                    self.imports[text(part)] = f"{required}.{text(part)}"
                    self.import_sources[text(part)] = spec
                elif part.type == "pair_pattern":
                    key = text(part.child_by_field_name("key"))
                    local = part.child_by_field_name("value")
                    if local is not None and local.type == "identifier":
                        self.imports[text(local)] = f"{required}.{key}"
                        self.import_sources[text(local)] = spec

    def _required_module(self, node: ts.Node | None) -> str | None:
        """`require("x")` (also `require("x").default`) as the module it loads."""
        if node is None:
            return None
        if node.type == "member_expression":
            inner = self._required_module(node.child_by_field_name("object"))
            prop = text(node.child_by_field_name("property"))
            if inner is None:
                return None
            return inner if prop == "default" else f"{inner}.{prop}"
        if (
            node.type == "call_expression"
            and text(node.child_by_field_name("function")) == "require"
        ):
            args = call_arguments(node)
            spec = string_value(args[0]) if args else None
            return self.resolve_source(spec) if spec is not None else None
        return None

    def _required_spec(self, node: ts.Node | None) -> str | None:
        """The specifier of the `require("x")` inside `require("x").a.b`, as written."""
        while node is not None and node.type == "member_expression":
            node = node.child_by_field_name("object")
        if node is None or node.type != "call_expression":
            return None
        args = call_arguments(node)
        return string_value(args[0]) if args else None

    def function_bodies(self) -> dict[str, ts.Node]:
        """Bodies of the module's top-level function declarations by name, built once."""
        if self._function_bodies is None:
            bodies: dict[str, ts.Node] = {}
            for node in self.root.named_children:
                inner = (
                    node.child_by_field_name("declaration")
                    if node.type == "export_statement"
                    else node
                )
                if inner is not None and inner.type == "function_declaration":
                    body = inner.child_by_field_name("body")
                    if body is not None:
                        bodies[text(inner.child_by_field_name("name"))] = body
            self._function_bodies = bodies
        return self._function_bodies

    def is_parameter(self, name: str, at: ts.Node, within: ts.Node) -> bool:
        """Whether a parameter of a function between `at` and `within` is called `name`."""
        # From function to enclosing function (kept per node), not node by node: only
        # functions have parameters, and a step up a tree-sitter tree is not cheap.
        # Functions inside `within` only (a scope is mostly a block, not a function): the
        # parameters of a function around the scope do not shadow a binding made inside it.
        current = self.enclosing_function(at)
        while (
            current is not None
            and within.start_byte <= current.start_byte
            and current.end_byte <= within.end_byte
            and current.id != within.id
        ):
            if name in self._parameter_names(current):
                return True
            current = self.enclosing_function(current)
        return False

    def _parameter_names(self, function: ts.Node) -> set[str]:
        key = function.id
        found = self._parameters.get(key)
        if found is None:
            params = function.child_by_field_name("parameters") or function.child_by_field_name(
                "parameter"
            )
            found = _parameter_names(params) if params is not None else set()
            self._parameters[key] = found
        return found

    def calls_within(self, node: ts.Node) -> list[ts.Node]:
        """The calls inside a node's span, found by bisection instead of a scan of all calls."""
        return self.calls_between(node.start_byte, node.end_byte)

    def calls_between(self, start: int, end: int) -> list[ts.Node]:
        """The calls that start at or after byte `start` and end by byte `end`, in order."""
        if self._call_starts is None:
            self.calls.sort(key=lambda call: call.start_byte)
            self._call_starts = [call.start_byte for call in self.calls]
        low = bisect.bisect_left(self._call_starts, start)
        high = bisect.bisect_right(self._call_starts, end)
        return [call for call in self.calls[low:high] if call.end_byte <= end]

    def scope_of(self, node: ts.Node) -> ts.Node:
        """The nearest block, function or program enclosing a node.

        Kept per node: `lookup` asks it of every declarator of a name on every read.
        """
        found = self._scopes.get(node.id)
        if found is not None:
            return found
        current = node.parent
        while current is not None and current.type not in SCOPE_TYPES:
            current = current.parent
        found = current if current is not None else self.root
        self._scopes[node.id] = found
        return found

    def lookup(self, name: str, at: ts.Node) -> ts.Node | None:
        """The value last bound to `name` in a scope that encloses `at` (innermost wins).

        Innermost: the smallest enclosing scope; between declarations in scopes of one size,
        the last one. A name declared in every handler of a file (`const res = ...`) has as
        many scopes as handlers, so they are searched from the nearest start backwards, and
        the search ends where no scope further back can be as small as the best one.
        """
        index = self._binding_index.get(name)
        if index is None:
            candidates = self.bindings.get(name)
            if not candidates:
                return None
            index = self._index_bindings(candidates)
            self._binding_index[name] = index
        starts, scopes = index
        at_start, at_end = at.start_byte, at.end_byte
        best: _Scoped | None = None
        for position in range(bisect.bisect_right(starts, at_start) - 1, -1, -1):
            scoped = scopes[position]
            if best is not None and at_end - scoped.start > best.size:
                break  # any scope from here on that encloses `at` is larger than the best
            if at_end <= scoped.end and (
                best is None
                or scoped.size < best.size
                or (scoped.size == best.size and scoped.order > best.order)
            ):
                best = scoped
        if best is None:
            return None
        # A parameter of a function inside that scope shadows the binding: `f(url)` is its own.
        return None if self.is_parameter(name, at, best.scope) else best.value

    def _index_bindings(
        self, candidates: list[tuple[ts.Node, ts.Node]]
    ) -> tuple[list[int], list[_Scoped]]:
        """A name's declarations with their scopes, by where the scope starts."""
        scopes = []
        for order, (declarator, value) in enumerate(candidates):
            scope = self.scope_of(declarator)
            start, end = scope.start_byte, scope.end_byte
            scopes.append(_Scoped(start, end, end - start, order, value, scope))
        scopes.sort(key=lambda scoped: scoped.start)
        return [scoped.start for scoped in scopes], scopes

    def class_of(self, node: ts.Node) -> ts.Node | None:
        current = node.parent
        while current is not None and current.type not in ("class_declaration", "class"):
            current = current.parent
        return current

    def class_field(self, cls: ts.Node, name: str) -> ts.Node | None:
        """`private baseUrl = ...` or `this.baseUrl = ...` in the class's methods."""
        body = cls.child_by_field_name("body")
        if body is not None:
            for member in body.named_children:
                if member.type in ("public_field_definition", "field_definition"):
                    key = member.child_by_field_name("name") or member.child_by_field_name(
                        "property"
                    )
                    if text(key) == name:
                        return member.child_by_field_name("value")
        for assign in self.assignments:
            if cls.start_byte <= assign.start_byte and assign.end_byte <= cls.end_byte:
                left = assign.child_by_field_name("left")
                if text(left) == f"this.{name}":
                    return assign.child_by_field_name("right")
        return None

    # --- resolution ------------------------------------------------------------------------

    def resolve(self, node: ts.Node | None, depth: int = 0) -> Resolved | None:
        if node is None:
            return None
        # Kept per node and depth (the depth limit can make an answer differ): families ask
        # the same names again (a route call as an HTTP client candidate, as a route, as the
        # callback holder of each call inside it), and every read of a name resolves its one
        # bound value again (`router` of `router.get(...)` is `express.Router()`). The bindings
        # are fixed once the module is read, so an answer holds for the module's lifetime.
        key = (node.id, depth)
        if key in self._resolved:
            return self._resolved[key]
        found = self._resolve(node, depth)
        self._resolved[key] = found
        return found

    def _resolve(self, node: ts.Node | None, depth: int) -> Resolved | None:
        node = unwrap(node)
        if node is None or depth > 8:
            return None
        kind = node.type
        if kind == "call_expression" and text(node.child_by_field_name("function")) == "require":
            # `require("express")()`, `require("body-parser").json()`: the module itself.
            required = self._required_module(node)
            if required is not None:
                return Resolved(required)
        if kind in ("call_expression", "new_expression"):
            callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
            inner = self.resolve(callee, depth + 1)
            return Resolved(inner.name + "()", node) if inner else None
        if kind == "identifier":
            name = text(node)
            if name in self.imports:
                return Resolved(self.imports[name])
            bound = self.lookup(name, node)
            if bound is not None:
                inner = self.resolve(bound, depth + 1)
                if inner is not None:
                    return inner
            return Resolved(name)
        if kind == "member_expression":
            obj = node.child_by_field_name("object")
            prop = text(node.child_by_field_name("property"))
            if obj is not None and obj.type == "this":
                cls = self.class_of(node)
                field = self.class_field(cls, prop) if cls is not None else None
                if field is not None:
                    inner = self.resolve(field, depth + 1)
                    if inner is not None:
                        return inner
                return Resolved(f"this.{prop}")
            inner = self.resolve(obj, depth + 1)
            return Resolved(f"{inner.name}.{prop}", inner.origin) if inner else None
        return None

    def callee(self, call: ts.Node) -> Resolved | None:
        return self.resolve(call.child_by_field_name("function"))

    # --- context ---------------------------------------------------------------------------

    def enclosing_function(self, node: ts.Node) -> ts.Node | None:
        """The innermost function around `node`, kept for `node` and every node passed on the
        way up: tree-sitter finds a parent by descending from the root past every earlier
        sibling, so a step up costs as much as the file is long, and each family asks again
        about the same calls (and their siblings share the way up)."""
        known = self._functions
        key = node.id
        if key in known:
            return known[key]
        passed = [key]
        current = node.parent
        while current is not None and current.type not in FUNCTION_TYPES:
            key = current.id
            if key in known:
                current = known[key]
                break
            passed.append(key)
            current = current.parent
        for key in passed:
            known[key] = current
        return current

    def function_name(self, function: ts.Node | None) -> str | None:
        """`<module>.AiClient.match`, `<module>.matchJobs`, `<module>.start.<cron.schedule>`."""
        label = self._function_label(function)
        return f"{self.name}.{label}" if label is not None else None

    def _function_label(self, function: ts.Node | None) -> str | None:
        if function is None:
            return None
        name = function.child_by_field_name("name")
        label = text(name) if name is not None else ""
        if not label and function.parent is not None:
            parent = function.parent
            if parent.type == "variable_declarator":
                label = text(parent.child_by_field_name("name"))
            elif parent.type == "pair":
                label = text(parent.child_by_field_name("key"))
            elif parent.type == "arguments" and parent.parent is not None:
                outer = self.enclosing_function(parent.parent)
                callee = text(parent.parent.child_by_field_name("function"))
                base = self._function_label(outer)
                return f"{base}.<{callee}>" if base else f"<{callee}>"
        cls = self.class_of(function)
        if cls is not None and function.type == "method_definition":
            label = f"{text(cls.child_by_field_name('name'))}.{label}"
        return label or "<anonymous>"

    def callback_calls(self, node: ts.Node) -> Iterator[ts.Node]:
        """Calls that a function around `node` is passed to, innermost first.

        `pRetry(() => fetch(url))` and `items.map((item) => fetch(...))`: the call of
        `pRetry` and of `items.map`, which decide how often `fetch` runs. Kept per node: the
        walk up to the root is asked for twice of every HTTP call.
        """
        key = node.id
        found = self._callback_calls.get(key)
        if found is None:
            found = self._callback_calls[key] = list(self._walk_callback_calls(node))
        return iter(found)

    def _walk_callback_calls(self, node: ts.Node) -> Iterator[ts.Node]:
        current = node.parent
        while current is not None:
            if (
                current.type in FUNCTION_TYPES
                and current.parent is not None
                and current.parent.type == "arguments"
                and current.parent.parent is not None
                and current.parent.parent.type == "call_expression"
            ):
                yield current.parent.parent
            current = current.parent

    def loops_around(self, node: ts.Node, stop: ts.Node | None) -> list[ts.Node]:
        """Loops between `node` and `stop` (its function), innermost first."""
        # Kept for the last `stop` asked with: an HTTP call asks twice (data loops, retry
        # loops) with the same function, and each walk up the tree is dear.
        known = self._loops.get(node.id)
        if known is not None and known[0] is stop:
            return list(known[1])
        found = []
        current = node.parent
        while current is not None and current is not stop:
            if current.type in LOOP_TYPES:
                found.append(current)
            current = current.parent
        self._loops[node.id] = (stop, found)
        return list(found)

    def try_around(self, node: ts.Node, stop: ts.Node | None) -> list[ts.Node]:
        """Try statements whose protected block holds `node`, innermost first."""
        found = []
        child = node
        current = node.parent
        while current is not None and current is not stop:
            if current.type == "try_statement" and current.child_by_field_name("body") == child:
                found.append(current)
            child, current = current, current.parent
        return found
