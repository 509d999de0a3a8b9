"""TypeScript types as the contract linker reads them: written text, names qualified.

A type at a call site is only useful if it can be matched with the `DataModel`
that declares it, which is named `<module>.<Name>` after the module that
declares it. So every type name in a type is rewritten to where it is
declared: an imported name to its import path (`./types` -> the dotted
module, `@/lib/types` -> `src.lib.types` when the file lives under a `src/`
folder, the Next.js and Vite default for that alias), a name declared in this
module to `<module>.<Name>`; the rest (`Date`, `Record`, ambient types) stays
as written. `Promise<T>` is unwrapped where a parsed body is meant, and
`z.infer<typeof Schema>` names the schema, which is a model itself.

A type that mentions a type parameter of the function around it (`data as
T` in `apiFetch<T>`) is not known here: the caller decides, so it is None.

Request and response types at HTTP calls (`call_types`) come from what the
code declares, never from a guess:

- request: the body's declared type: `JSON.stringify(request)` where
  `request: MatchRequest` (a parameter, an annotated variable, `satisfies` or
  `as`), axios' data argument or its third type argument (`post<T, R, D>`),
  ky's and got's `json` option.
- response: axios' first type argument, `(await res.json()) as T`, `const data:
  T = await res.json()`, `res.json() as Promise<T>`, `.json<T>()` (ky, got),
  `AxiosResponse<T>`, and the function's declared `Promise<T>` when it
  returns the parsed body (`return res.json()`, `return data`, `return
  res.data`).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator

import tree_sitter as ts

from analyzers.javascript.context import JsContext
from analyzers.javascript.module import (
    FUNCTION_TYPES,
    JsModule,
    call_arguments,
    object_property,
    text,
    unwrap,
)

# Types that say nothing about a JSON body's shape: not worth naming as a contract.
UNINFORMATIVE = frozenset(
    {
        "any",
        "unknown",
        "string",
        "number",
        "boolean",
        "object",
        "void",
        "never",
        "null",
        "undefined",
        "FormData",
        "URLSearchParams",
        "Blob",
        "BodyInit",
        "ReadableStream",
        "Buffer",
        "ArrayBuffer",
        "Response",
        "Record<string, unknown>",
        "Record<string, any>",
    }
)
_ALIASES = ("@/", "~/", "#/")
_ZOD_INFER = frozenset({"infer", "input", "output", "TypeOf", "Infer"})
_CASTS = frozenset({"as_expression", "satisfies_expression"})
_PASSING = frozenset({"await_expression", "parenthesized_expression", "non_null_expression"})

_declared: weakref.WeakKeyDictionary[JsModule, frozenset[str]] = weakref.WeakKeyDictionary()


def declared_types(module: JsModule) -> frozenset[str]:
    """Names of the types (interfaces, aliases, enums, classes) this module declares."""
    found = _declared.get(module)
    if found is None:
        nodes = module.interfaces + module.type_aliases + module.enums + module.classes
        found = frozenset(text(n.child_by_field_name("name")) for n in nodes)
        _declared[module] = found
    return found


def import_path(module: JsModule, qualified: str) -> str:
    """An import's qualified name with a path alias (`@/lib/x.Name`) made a dotted module.

    `@/` is the project's `src/` folder when the file lives under one (the Next.js
    and Vite default); otherwise the project root, which a file alone does not show,
    so the rest is dotted and left for a suffix match.
    """
    if not qualified.startswith(_ALIASES):
        return qualified
    rest = qualified[2:].replace("/", ".")
    parts = module.path.split("/")
    if "src" in parts[:-1]:
        root = ".".join(parts[: parts.index("src") + 1])
        return f"{root}.{rest}"
    return rest


def enclosing_functions(module: JsModule, node: ts.Node) -> Iterator[ts.Node]:
    current = module.enclosing_function(node)
    while current is not None:
        yield current
        current = module.enclosing_function(current)


def type_params(function: ts.Node | None) -> tuple[str, ...]:
    params = function.child_by_field_name("type_parameters") if function is not None else None
    if params is None:
        return ()
    return tuple(
        text(p.child_by_field_name("name"))
        for p in params.named_children
        if p.type == "type_parameter"
    )


def parameters(function: ts.Node) -> list[tuple[str, ts.Node]]:
    """(name, parameter node) by position; "" for a destructured or `this` parameter."""
    single = function.child_by_field_name("parameter")
    if single is not None:  # `path => fetch(path)`
        return [(text(single), single)]
    params = function.child_by_field_name("parameters")
    if params is None:
        return []
    found: list[tuple[str, ts.Node]] = []
    for param in params.named_children:
        if param.type == "comment":
            continue
        pattern = param.child_by_field_name("pattern") or param
        if pattern.type == "assignment_pattern":  # JavaScript `path = "/"`
            pattern = pattern.child_by_field_name("left") or pattern
        if pattern.type == "this":
            continue
        found.append((text(pattern) if pattern.type == "identifier" else "", param))
    return found


def annotation(node: ts.Node | None) -> ts.Node | None:
    """The type inside a node's `: T` annotation."""
    found = node.child_by_field_name("type") if node is not None else None
    if found is not None and found.type == "type_annotation":
        return found.named_children[0] if found.named_children else None
    return found


def return_type(function: ts.Node | None) -> ts.Node | None:
    found = function.child_by_field_name("return_type") if function is not None else None
    if found is not None and found.type == "type_annotation":
        return found.named_children[0] if found.named_children else None
    return found


def unpromise(node: ts.Node | None) -> ts.Node | None:
    """`Promise<T>` -> `T`; anything else as it is."""
    if node is not None and node.type == "generic_type":
        name = text(node.child_by_field_name("name"))
        args = node.child_by_field_name("type_arguments")
        if name in ("Promise", "PromiseLike") and args is not None and args.named_children:
            return args.named_children[0]
    return node


class Types:
    """Qualified type texts for one module."""

    def __init__(self, ctx: JsContext) -> None:
        self.ctx = ctx
        self.m = ctx.module
        self.declared = declared_types(ctx.module)

    # --- type text -----------------------------------------------------------------------------

    def qualify(self, node: ts.Node | None, at: ts.Node | None = None) -> str | None:
        """The type's text with names qualified; None when it depends on a type parameter."""
        if node is None:
            return None
        generic: set[str] = set()
        if at is not None:
            for function in enclosing_functions(self.m, at):
                generic.update(type_params(function))
            cls = self.m.class_of(at)
            if cls is not None:
                generic.update(type_params(cls))
        pieces: list[str] = []
        last = node.start_byte
        source = self.m.source
        for start, end, replacement in self._names(node, generic):
            if replacement is None:
                return None
            pieces.append(source[last:start].decode("utf-8", "replace"))
            pieces.append(replacement)
            last = end
        pieces.append(source[last : node.end_byte].decode("utf-8", "replace"))
        return " ".join("".join(pieces).split()) or None

    def _names(self, node: ts.Node, generic: set[str]) -> Iterator[tuple[int, int, str | None]]:
        """(start, end, qualified text) for every type name in `node`, in order.

        A loop over an explicit stack: generated types nest deeper than Python recurses.
        """
        stack = [node]
        while stack:
            current = stack.pop()
            kind = current.type
            if kind == "type_identifier":
                name = text(current)
                found = None if name in generic else self.qualified_name(name)
                yield current.start_byte, current.end_byte, found
                continue
            if kind == "nested_type_identifier":
                yield current.start_byte, current.end_byte, self.qualified_name(text(current))
                continue
            if kind == "generic_type":
                schema = inferred_schema(current)
                if schema is not None:
                    # `z.infer<typeof MatchRequest>`: the schema is the model.
                    yield current.start_byte, current.end_byte, self.qualified_value(schema)
                    continue
            if kind in ("property_identifier", "literal_type", "predefined_type", "type_query"):
                continue
            stack.extend(reversed(current.named_children))

    def qualified_name(self, dotted: str) -> str:
        head, dot, rest = dotted.partition(".")
        if head in self.m.imports:
            return import_path(self.m, self.m.imports[head]) + dot + rest
        if head in self.declared:
            return f"{self.m.name}.{dotted}"
        return dotted

    def qualified_value(self, name: str) -> str:
        """A value's name (a zod schema) qualified like a type."""
        if name in self.m.imports:
            return import_path(self.m, self.m.imports[name])
        return f"{self.m.name}.{name}" if self.m.bindings.get(name) else name

    # --- types of expressions ------------------------------------------------------------------

    def of(self, node: ts.Node | None, depth: int = 0) -> str | None:
        """The declared type of an expression's value; None when the code declares none."""
        if node is None or depth > 6:
            return None
        if node.type in _CASTS:
            cast = node.named_children[-1] if len(node.named_children) > 1 else None
            if cast is not None and text(cast) != "const":
                return self.qualify(cast, node)
            return self.of(node.named_children[0], depth + 1)
        if node.type in _PASSING or node.type == "type_assertion":
            inner = node.named_children[-1] if node.named_children else None
            if node.type == "type_assertion" and node.named_children:
                cast = node.named_children[0]
                if cast.type == "type_arguments" and cast.named_children:
                    return self.qualify(cast.named_children[0], node)
            return self.of(inner, depth + 1)
        if node.type == "ternary_expression":
            for branch in ("consequence", "alternative"):
                found = self.of(node.child_by_field_name(branch), depth + 1)
                if found is not None:
                    return found
            return None
        if node.type == "call_expression":
            callee = text(node.child_by_field_name("function"))
            args = call_arguments(node)
            if callee == "JSON.stringify" and args:
                return self.of(args[0], depth + 1)
            return None
        if node.type == "new_expression":
            constructor = node.child_by_field_name("constructor")
            if constructor is not None and constructor.type == "identifier":
                name = text(constructor)
                if name in self.m.imports or name in self.declared:
                    return self.qualified_name(name)
            return None
        if node.type in ("identifier", "shorthand_property_identifier"):
            return self.of_name(text(node), node, depth)
        return None

    def of_name(self, name: str, at: ts.Node, depth: int = 0) -> str | None:
        """The type a variable or parameter named `name` is declared with where `at` reads it."""
        param: tuple[ts.Node, ts.Node] | None = None  # (function, parameter)
        for function in enclosing_functions(self.m, at):
            for pname, node in parameters(function):
                if pname == name:
                    param = (function, node)
                    break
            if param is not None:
                break
        value = self.m.lookup(name, at)
        declarator = value.parent if value is not None else None
        if declarator is not None and declarator.type != "variable_declarator":
            declarator = None
        if (
            declarator is not None
            and param is not None
            and self.m.scope_of(declarator).start_byte < param[0].start_byte
        ):
            declarator = None  # the innermost declaration wins: the parameter shadows it
        if declarator is not None:
            found = annotation(declarator)
            if found is not None:
                return self.qualify(found, declarator)
            return self.of(declarator.child_by_field_name("value"), depth + 1)
        if param is not None:
            return self.qualify(annotation(param[1]), param[1])
        return None

    def informative(self, found: str | None) -> str | None:
        return found if found is not None and found not in UNINFORMATIVE else None

    # --- at HTTP calls -------------------------------------------------------------------------

    def call_types(
        self, call: ts.Node, library: str, options: ts.Node | None
    ) -> tuple[str | None, str | None]:
        """(request body type, parsed response body type) of one HTTP client call."""
        args = call_arguments(call)
        type_args = call.child_by_field_name("type_arguments")
        generics = type_args.named_children if type_args is not None else []
        verb = text(call.child_by_field_name("function")).rpartition(".")[2]
        request: str | None = None
        response: str | None = None
        if library == "axios":
            if len(generics) >= 3:
                request = self.qualify(generics[2], call)
            if request is None:
                if verb in ("post", "put", "patch"):
                    data = args[1] if len(args) > 1 else None
                else:
                    data = object_property(options, "data")
                request = self.of(data)
            if generics:
                response = self.qualify(generics[0], call)
        elif library == "fetch":
            request = self.of(object_property(options, "body"))
        else:  # ky, got
            request = self.of(object_property(options, "json"))
        if response is None:
            response = self.response(call, library)
        return self.informative(request), self.informative(response)

    def response(self, call: ts.Node, library: str) -> str | None:
        """The parsed body's type, followed from the response through to where it is typed."""
        holder = _consumer(call)
        parent = holder.parent
        function = self.m.enclosing_function(call)
        if parent is None:
            return None
        if parent.type in _CASTS:
            return self.qualify(unpromise(parent.named_children[-1]), parent)
        # `fetch(url).then((r) => r.json())` and `ky.get(url).json<T>()`: the chain is the body.
        if parent.type == "member_expression":
            prop = text(parent.child_by_field_name("property"))
            outer = parent.parent
            if outer is not None and outer.type == "call_expression":
                if prop == "json":
                    return self.body(outer, function)
                if prop == "then":
                    handler = call_arguments(outer)
                    if handler and handler[0].type in FUNCTION_TYPES:
                        ret = handler[0].child_by_field_name("body")
                        inner = unwrap(ret)
                        if inner is not None and text(inner).endswith((".json()", ".data")):
                            return self.body(outer, function)
            if prop == "data" and library == "axios":
                return self.body(parent, function)
            return None
        if parent.type == "variable_declarator":
            declared = annotation(parent)
            if (
                declared is not None
                and library == "axios"
                and text(declared.child_by_field_name("name")) == "AxiosResponse"
            ):
                # `const res: AxiosResponse<T> = await axios.get(...)`
                args = declared.child_by_field_name("type_arguments")
                if args is not None and args.named_children:
                    return self.qualify(args.named_children[0], parent)
            name = parent.child_by_field_name("name")
            if name is None:
                return None
            if name.type == "object_pattern" and library == "axios":
                for part in name.named_children:
                    if text(part) == "data" or text(part.child_by_field_name("key")) == "data":
                        local = part.child_by_field_name("value") or part
                        return self.returned(text(local), function)
                return None
            if name.type != "identifier":
                return None
            return self.from_response(text(name), call, library, function)
        if parent.type == "return_statement" and library == "axios":
            return None  # the whole AxiosResponse is returned, not the body
        return None

    def from_response(
        self, name: str, call: ts.Node, library: str, function: ts.Node | None
    ) -> str | None:
        """The body parsed from the response variable `name`: `name.json()`, `name.data`."""
        scope = function if function is not None else self.m.root
        if library == "axios":
            for node in _descendants(scope):
                if (
                    node.type == "member_expression"
                    and node.start_byte > call.end_byte
                    and text(node.child_by_field_name("object")) == name
                    and text(node.child_by_field_name("property")) == "data"
                ):
                    found = self.body(node, function)
                    if found is not None:
                        return found
            return None
        # Only the calls after this one in its scope: bisection, not a scan of the module's
        # calls for each of them (quadratic in a file of many handlers).
        for other in self.m.calls_between(call.end_byte, scope.end_byte):
            callee = other.child_by_field_name("function")
            if (
                callee is not None
                and callee.type == "member_expression"
                and text(callee.child_by_field_name("object")) == name
                and text(callee.child_by_field_name("property")) == "json"
            ):
                found = self.body(other, function)
                if found is not None:
                    return found
        return None

    def body(self, parsed: ts.Node, function: ts.Node | None) -> str | None:
        """The type of the parsed body `parsed` (a `.json()` call, a `.data` read)."""
        generics = parsed.child_by_field_name("type_arguments")
        if generics is not None and generics.named_children:
            return self.qualify(generics.named_children[0], parsed)
        holder = _consumer(parsed)
        parent = holder.parent
        if parent is None:
            return None
        if parent.type in _CASTS:
            return self.qualify(unpromise(parent.named_children[-1]), parent)
        if parent.type == "variable_declarator":
            declared = annotation(parent)
            if declared is not None:
                return self.qualify(unpromise(declared), parent)
            name = parent.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                return self.returned(text(name), function)
            return None
        if parent.type == "return_statement" or (
            parent.type in FUNCTION_TYPES and parent.child_by_field_name("body") == holder
        ):
            owner = parent if parent.type in FUNCTION_TYPES else function
            return self.qualify(unpromise(return_type(owner)), holder)
        return None

    def returned(self, name: str, function: ts.Node | None) -> str | None:
        """`return name` (or `return name as T`) in `function`: the declared return type."""
        if function is None:
            return None
        for node in _descendants(function):
            if node.type != "return_statement" or not node.named_children:
                continue
            value = node.named_children[0]
            inner = value
            while inner.type in _PASSING:
                inner = inner.named_children[0] if inner.named_children else inner
                if not inner.named_children:
                    break
            if inner.type in _CASTS and text(inner.named_children[0]) == name:
                return self.qualify(unpromise(inner.named_children[-1]), inner)
            if inner.type == "identifier" and text(inner) == name:
                return self.qualify(unpromise(return_type(function)), node)
        return None


def inferred_schema(node: ts.Node) -> str | None:
    """`z.infer<typeof Schema>` (also `z.input`, `z.output`) -> "Schema"."""
    head = node.child_by_field_name("name")
    args = node.child_by_field_name("type_arguments")
    if (
        head is None
        or head.type != "nested_type_identifier"
        or text(head).rpartition(".")[2] not in _ZOD_INFER
        or args is None
        or len(args.named_children) != 1
        or args.named_children[0].type != "type_query"
    ):
        return None
    query = args.named_children[0].named_children
    return text(query[0]) if query and query[0].type == "identifier" else None


def _consumer(node: ts.Node) -> ts.Node:
    """The outermost expression that is still `node`'s value (through await and parentheses)."""
    while node.parent is not None and node.parent.type in _PASSING:
        node = node.parent
    return node


def _descendants(node: ts.Node) -> Iterator[ts.Node]:
    """Nodes under `node`, not entering nested functions (their returns are their own)."""
    stack = list(reversed(node.named_children))
    while stack:
        current = stack.pop()
        yield current
        if current.type not in FUNCTION_TYPES:
            stack.extend(reversed(current.named_children))
