"""Data models in TypeScript: interfaces, object type aliases, enums and zod schemas.

One `DataModel` per declaration, exported or not, named `<module>.<Name>` like
the Python models, so that a type at a call (`analyzers.javascript.types`)
names the model it means. Kinds:

- "interface": an `interface`, its `extends` merged in: fields of interfaces
  and aliases of the same module first, the interface's own fields override
  them in place (TypeScript forbids an incompatible override, so the child's
  is the one that holds). Interfaces declared twice under one name merge, as
  TypeScript merges them. A base from another module is named in `bases`,
  qualified like types at calls, and `compose_js_models` merges its fields
  once every file of the tree is known.
- "type": `type X = { ... }`, also intersections (`A & { ... }`) and the
  utility types that keep a shape (`Partial`, `Required`, `Readonly`, `Pick`,
  `Omit`) over types of this module. An alias that is only a reference to
  another module's type, a union of shapes, a function or a primitive is
  not a model.
- "enum": an `enum` (members' values: strings as written, numbers counting up
  from 0 or from the last initialiser, "" where the value is computed) and a
  union of string (or number) literals, `type Status = 'open' | 'closed'`,
  whose members are its values.
- "zod": a zod object schema, `const MatchRequest = z.object({...})` with
  `.extend()`, `.merge()`, `.pick()`, `.omit()`, `.partial()`, `.required()` and
  the refinements that keep the shape; and `type X = z.infer<typeof Schema>`
  (also `z.input`, `z.output`), which has the schema's fields. An alias with
  the schema's own name is the schema's model already and not repeated.

Fields: `type` is the type as written, whitespace normalised, names not
qualified (the contract linker resolves them, as for Python); for zod, the
TypeScript type the schema infers (`string[]`, `'a' | 'b'`, `number | null`).
`required` is false for `name?:`, for a type that admits `undefined`, and for
zod `.optional()`, `.nullish()` and `.default()` (the sender may leave it
out). `nullable` is true when `null` is among the alternatives (also `any`
and `unknown`, which admit it, as `Any` does in Python) and for zod
`.nullable()` and `.nullish()`. `enum_values` come from string (and number)
literal unions, also inside arrays and through a union alias or enum of the
same module. TypeScript has no aliasing, so `wire_name` is the name; method
and index signatures are not fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import tree_sitter as ts

from analyzers.facts import DataModel, Fact, FileFacts, Location, ModelField
from analyzers.javascript.context import JsContext
from analyzers.javascript.module import call_arguments, object_keys, string_value, text, unwrap
from analyzers.javascript.types import Types, annotation, inferred_schema

INTERFACE = "interface"
TYPE = "type"
ENUM = "enum"
ZOD = "zod"
KINDS = frozenset({INTERFACE, TYPE, ENUM, ZOD})

_MAX_DEPTH = 12
_OBJECT_BUILDERS = frozenset({"object", "strictObject", "looseObject"})
# Schema methods that keep an object schema's input shape.
_SAME_SHAPE = frozenset(
    {
        "strict",
        "passthrough",
        "strip",
        "nonstrict",
        "describe",
        "refine",
        "superRefine",
        "catchall",
        "brand",
        "readonly",
        "openapi",
        "meta",
        "transform",
        "pipe",
    }
)
_ZOD_TYPES = {
    "string": "string",
    "email": "string",
    "url": "string",
    "uuid": "string",
    "cuid": "string",
    "number": "number",
    "int": "number",
    "float": "number",
    "bigint": "bigint",
    "boolean": "boolean",
    "date": "Date",
    "any": "any",
    "unknown": "unknown",
    "null": "null",
    "undefined": "undefined",
    "void": "undefined",
    "never": "never",
    "object": "object",
    "strictObject": "object",
    "looseObject": "object",
    "lazy": "unknown",
    "custom": "unknown",
}
_UTILITIES = frozenset({"Partial", "Required", "Readonly", "Pick", "Omit"})


@dataclass
class _Shape:
    """Fields of an object type as far as this module shows them, and bases it does not."""

    fields: dict[str, ModelField] = field(default_factory=dict)
    bases: list[str] = field(default_factory=list)
    known: bool = False  # some part is an object type of this module, not only references

    def add(self, other: _Shape) -> None:
        self.fields.update(other.fields)
        self.bases.extend(b for b in other.bases if b not in self.bases)
        self.known = self.known or other.known


@dataclass(frozen=True)
class _Zod:
    type: str
    required: bool = True
    nullable: bool = False
    enum_values: tuple[str, ...] = ()


def extract(ctx: JsContext) -> Iterator[Fact]:
    m = ctx.module
    if not (m.interfaces or m.type_aliases or m.enums or "zod" in ctx.text):
        return iter(())
    return _Models(ctx).extract()


class _Models:
    def __init__(self, ctx: JsContext) -> None:
        self.ctx = ctx
        self.m = ctx.module
        self.types = Types(ctx)
        self.interfaces: dict[str, list[ts.Node]] = {}
        for node in self.m.interfaces:
            self.interfaces.setdefault(_name(node), []).append(node)
        # The first declaration of a name is the one kept (a redeclared alias is an error).
        self.aliases: dict[str, ts.Node] = {}
        for node in self.m.type_aliases:
            self.aliases.setdefault(_name(node), node)
        self.enums: dict[str, ts.Node] = {}
        for node in self.m.enums:
            self.enums.setdefault(_name(node), node)
        self.uses_zod = "zod" in ctx.text
        self.shapes: dict[tuple[str, str], _Shape | None] = {}
        self.active: set[tuple[str, str]] = set()
        self.enum_cache: dict[str, tuple[str, ...] | None] = {}
        self.schema_declarators: dict[str, ts.Node] = {}

    def extract(self) -> Iterator[Fact]:
        """Every model of the module, in the order they are declared."""
        return iter(sorted(self.models(), key=lambda m: (m.location.line, m.name)))

    def models(self) -> Iterator[DataModel]:
        for name, nodes in self.interfaces.items():
            shape = self.interface_shape(name)
            if shape is not None:
                yield self.model(nodes[0], name, INTERFACE, shape)
        schemas = self.schemas() if self.uses_zod else {}
        for name, node in self.aliases.items():
            value = node.child_by_field_name("value")
            values = self.literal_union(value)
            if values:
                fields = tuple(ModelField(v, v, ENUM, True, False, (v,)) for v in values)
                yield DataModel(
                    self.ctx.service, self.ctx.loc(node), self.qualified(name), ENUM, fields
                )
                continue
            schema = self.inferred_schema(value)
            if schema is not None:
                if schema == name and name in schemas:
                    continue  # `type X = z.infer<typeof X>`: the schema's model is X already
                shape = self.schema_shape_named(schema)
                if shape is not None:
                    yield self.model(node, name, ZOD, shape)
                continue
            shape = self.alias_shape(name)
            if shape is not None and shape.known:
                yield self.model(node, name, TYPE, shape)
        for name, node in self.enums.items():
            fields = tuple(
                ModelField(member, value, ENUM, True, False, (value,) if value else ())
                for member, value in self.enum_members(node)
            )
            yield DataModel(
                self.ctx.service, self.ctx.loc(node), self.qualified(name), ENUM, fields
            )
        for name, node in schemas.items():
            shape = self.schema_shape_named(name)
            if shape is not None:
                yield self.model(node, name, ZOD, shape)

    def qualified(self, name: str) -> str:
        return f"{self.m.name}.{name}"

    def model(self, node: ts.Node, name: str, kind: str, shape: _Shape) -> DataModel:
        return DataModel(
            self.ctx.service,
            self.ctx.loc(node),
            self.qualified(name),
            kind,
            tuple(shape.fields.values()),
            bases=tuple(shape.bases),
        )

    # --- interfaces and type aliases --------------------------------------------------------------

    def memo(self, key: tuple[str, str], make: Callable[[], _Shape | None]) -> _Shape | None:
        if key in self.shapes:
            return self.shapes[key]
        if key in self.active:
            return None  # a cycle: `interface Node { children: Node[] }` is fine, `A extends A` not
        self.active.add(key)
        try:
            found = make()
        finally:
            self.active.discard(key)
        self.shapes[key] = found
        return found

    def interface_shape(self, name: str) -> _Shape | None:
        def make() -> _Shape:
            shape = _Shape(known=True)
            for node in self.interfaces[name]:
                for clause in node.named_children:
                    if clause.type != "extends_type_clause":
                        continue
                    for base in clause.named_children:
                        inherited = self.shape(base, 1)
                        if inherited is not None:
                            shape.add(inherited)
                        else:
                            shape.bases.append(self.types.qualify(base) or text(base))
                body = node.child_by_field_name("body")
                shape.fields.update(self.object_fields(body))
            return shape

        return self.memo(("interface", name), make)

    def alias_shape(self, name: str) -> _Shape | None:
        node = self.aliases[name]
        return self.memo(("alias", name), lambda: self.shape(node.child_by_field_name("value"), 1))

    def shape(self, node: ts.Node | None, depth: int) -> _Shape | None:
        """The fields of an object-like type; None when it is not one (a union, a primitive)."""
        if node is None or depth > _MAX_DEPTH:
            return None
        kind = node.type
        if kind == "parenthesized_type":
            return self.shape(node.named_children[0] if node.named_children else None, depth + 1)
        if kind == "object_type":
            return _Shape(self.object_fields(node), known=True)
        if kind == "intersection_type":
            shape = _Shape()
            for part in node.named_children:
                found = self.shape(part, depth + 1)
                if found is None:
                    return None
                shape.add(found)
            return shape
        if kind == "type_identifier":
            name = text(node)
            if name in self.interfaces:
                return self.interface_shape(name)
            if name in self.aliases:
                return self.alias_shape(name)
            if name in self.enums or name in self.types.declared:
                return None  # an enum or a class: not a shape to merge
            return _Shape(bases=[self.types.qualify(node) or name])
        if kind == "nested_type_identifier":
            return _Shape(bases=[self.types.qualify(node) or text(node)])
        if kind == "generic_type":
            return self.generic_shape(node, depth)
        return None

    def generic_shape(self, node: ts.Node, depth: int) -> _Shape | None:
        name = text(node.child_by_field_name("name"))
        args_node = node.child_by_field_name("type_arguments")
        args = args_node.named_children if args_node is not None else []
        schema = self.inferred_schema(node)
        if schema is not None:
            return self.schema_shape_named(schema)
        if name in self.interfaces:
            return self.interface_shape(name)  # `Page<Match>`: fields as the generic declares
        if name not in _UTILITIES or not args:
            return None
        inner = self.shape(args[0], depth + 1)
        if inner is None:
            return None
        if not inner.known:
            # A utility over another module's type: named as written, qualified.
            return _Shape(bases=[self.types.qualify(node) or text(node)])
        keys = set(self.literal_union(args[1]) or ()) if len(args) > 1 else set()
        fields = dict(inner.fields)
        if name == "Partial":
            fields = {k: replace(f, required=False) for k, f in fields.items()}
        elif name == "Required":
            fields = {k: replace(f, required=True) for k, f in fields.items()}
        elif name == "Pick":
            fields = {k: f for k, f in fields.items() if k in keys}
        elif name == "Omit":
            fields = {k: f for k, f in fields.items() if k not in keys}
        return _Shape(fields, list(inner.bases), known=True)

    def object_fields(self, body: ts.Node | None) -> dict[str, ModelField]:
        fields: dict[str, ModelField] = {}
        if body is None:
            return fields
        for member in body.named_children:
            if member.type != "property_signature":
                continue  # methods, index and call signatures are not data
            found = self.property(member)
            if found is not None:
                fields[found.name] = found
        return fields

    def field_location(self, node: ts.Node) -> Location:
        line = node.start_point[0] + 1
        return Location(self.m.path, line, line)

    def property(self, node: ts.Node) -> ModelField | None:
        key = node.child_by_field_name("name")
        if key is None:
            return None
        if key.type == "string":
            name = string_value(key)
        elif key.type in ("property_identifier", "number", "private_property_identifier"):
            name = text(key)
        else:
            return None  # a computed key: `[Symbol.iterator]`
        if name is None:
            return None
        optional = any(child.type == "?" for child in node.children)
        type_node = annotation(node)
        where = self.field_location(node)
        if type_node is None:
            return ModelField(name, name, "", not optional, False, location=where)
        alternatives = _alternatives(type_node)
        nullable = any(_is_null(a) or _admits_null(a) for a in alternatives)
        undefined = any(_is_undefined(a) for a in alternatives)
        return ModelField(
            name,
            name,
            " ".join(text(type_node).split()),
            not optional and not undefined,
            nullable,
            self.enum_values(type_node, 0),
            location=where,
        )

    # --- enumerations -----------------------------------------------------------------------------

    def literal_union(self, node: ts.Node | None) -> tuple[str, ...] | None:
        """`'open' | 'closed'` as its values; None unless every alternative is a literal."""
        if node is None:
            return None
        values: list[str] = []
        has_string = False
        for alt in _alternatives(node):
            value = _literal(alt)
            if value is None:
                return None
            has_string = has_string or alt.named_children[0].type == "string"
            values.append(value)
        return tuple(dict.fromkeys(values)) if values and has_string else None

    def enum_values(self, node: ts.Node, depth: int) -> tuple[str, ...]:
        """The values a field may take: literals, through arrays, local enums and unions."""
        if depth > _MAX_DEPTH:
            return ()
        alternatives = [a for a in _alternatives(node) if not _is_null(a) and not _is_undefined(a)]
        if len(alternatives) == 1:
            element = _element(alternatives[0])
            if element is not None:
                return self.enum_values(element, depth + 1)
        values: list[str] = []
        for alt in alternatives:
            literal = _literal(alt)
            if literal is not None:
                values.append(literal)
                continue
            if alt.type != "type_identifier":
                return ()
            named = self.named_values(text(alt), depth)
            if not named:
                return ()
            values.extend(named)
        return tuple(dict.fromkeys(values))

    def named_values(self, name: str, depth: int) -> tuple[str, ...] | None:
        if name in self.enum_cache:
            return self.enum_cache[name]
        self.enum_cache[name] = None  # a cycle gives nothing
        found: tuple[str, ...] | None = None
        if name in self.enums:
            found = tuple(v for _, v in self.enum_members(self.enums[name])) or None
            if found is not None and "" in found:
                found = None
        elif name in self.aliases:
            value = self.aliases[name].child_by_field_name("value")
            found = (self.enum_values(value, depth + 1) or None) if value is not None else None
        self.enum_cache[name] = found
        return found

    def enum_members(self, node: ts.Node) -> list[tuple[str, str]]:
        body = node.child_by_field_name("body")
        members: list[tuple[str, str]] = []
        counter: int | None = 0
        for member in body.named_children if body is not None else []:
            if member.type == "enum_assignment":
                key = member.child_by_field_name("name")
                value = member.child_by_field_name("value")
                literal = string_value(value)
                if literal is not None:
                    members.append((_key(key), literal))
                    counter = None  # a member after a string one needs its own initialiser
                elif value is not None and value.type == "number" and _is_int(text(value)):
                    number = int(text(value), 0)
                    members.append((_key(key), str(number)))
                    counter = number + 1
                else:
                    members.append((_key(key), ""))
                    counter = None
            elif member.type in ("property_identifier", "string"):
                members.append((_key(member), str(counter) if counter is not None else ""))
                counter = counter + 1 if counter is not None else None
        return members

    # --- zod --------------------------------------------------------------------------------------

    def schemas(self) -> dict[str, ts.Node]:
        """Declarations whose value is a zod object schema, by name (the first one per name)."""
        found: dict[str, ts.Node] = {}
        for name in self.m.bindings:
            if self.schema_shape_named(name) is not None and name in self.schema_declarators:
                found[name] = self.schema_declarators[name]
        return found

    def schema_shape_named(self, name: str) -> _Shape | None:
        bound = self.m.bindings.get(name)
        if not bound:
            if name in self.m.imports and self.uses_zod:
                return _Shape(bases=[self.types.qualified_value(name)])
            return None

        def make() -> _Shape | None:
            for declarator, value in bound:
                shape = self.schema_shape(value, 1)
                if shape is not None:
                    self.schema_declarators[name] = declarator
                    return shape
            return None

        return self.memo(("schema", name), make)

    def is_zod(self, node: ts.Node | None) -> bool:
        """`z`, `z.coerce`: the zod namespace, however it is imported."""
        if not self.uses_zod or node is None:
            return False
        resolved = self.m.resolve(node)
        if resolved is None:
            return False
        name = resolved.name.removesuffix(".coerce")
        return name == "zod" or (name.startswith("zod") and name.rpartition(".")[2] in ("z", "zod"))

    def schema_shape(self, node: ts.Node | None, depth: int) -> _Shape | None:
        node = unwrap(node)
        if node is None or depth > _MAX_DEPTH:
            return None
        if node.type == "identifier":
            return self.schema_shape_named(text(node))
        if node.type != "call_expression":
            return None
        callee = node.child_by_field_name("function")
        if callee is None or callee.type != "member_expression":
            return None
        method = text(callee.child_by_field_name("property"))
        target = callee.child_by_field_name("object")
        args = call_arguments(node)
        if method in _OBJECT_BUILDERS and self.is_zod(target):
            return self.zod_object(args[0] if args else None, depth)
        if target is None or self.is_zod(target):
            return None
        if method not in _SAME_SHAPE and method not in (
            "extend",
            "merge",
            "partial",
            "required",
            "deepPartial",
            "pick",
            "omit",
            "safeExtend",
        ):
            return None
        inner = self.schema_shape(target, depth + 1)
        if inner is None:
            return None
        shape = _Shape(dict(inner.fields), list(inner.bases), inner.known)
        if method in ("extend", "safeExtend"):
            shape.add(self.zod_object(args[0] if args else None, depth) or _Shape())
        elif method == "merge" and args:
            other = self.schema_shape(args[0], depth + 1)
            if other is not None:
                shape.add(other)
        elif method in ("partial", "deepPartial", "required"):
            keys = set(object_keys(args[0])) if args else None
            for key, spec in shape.fields.items():
                if keys is None or key in keys:
                    shape.fields[key] = replace(spec, required=method == "required")
        elif method in ("pick", "omit"):
            keys = set(object_keys(args[0])) if args else set()
            picking = method == "pick"
            shape.fields = {k: f for k, f in shape.fields.items() if (k in keys) == picking}
        return shape

    def zod_object(self, obj: ts.Node | None, depth: int) -> _Shape | None:
        obj = unwrap(obj)
        if obj is None or obj.type != "object":
            return None
        shape = _Shape(known=True)
        for member in obj.named_children:
            if member.type == "pair":
                key = member.child_by_field_name("key")
                name = string_value(key) if key is not None and key.type == "string" else text(key)
                spec = self.zod_type(member.child_by_field_name("value"), depth + 1)
                if name is None:
                    continue
                spec = spec or _Zod("unknown", nullable=True)
                type_text = spec.type
                if spec.nullable and "null" not in type_text.split(" | "):
                    type_text = f"{type_text} | null"
                shape.fields[name] = ModelField(
                    name,
                    name,
                    type_text,
                    spec.required,
                    spec.nullable,
                    spec.enum_values,
                    location=self.field_location(member),
                )
            elif member.type == "spread_element" and member.named_children:
                spread = unwrap(member.named_children[0])
                # `...Base.shape`: the other schema's fields, in place
                if spread is not None and spread.type == "member_expression":
                    spread = spread.child_by_field_name("object")
                other = self.schema_shape(spread, depth + 1)
                if other is not None:
                    shape.add(other)
        return shape

    def zod_type(self, node: ts.Node | None, depth: int) -> _Zod | None:
        node = unwrap(node)
        if node is None or depth > _MAX_DEPTH:
            return None
        if node.type == "identifier":
            return _Zod(text(node))  # another schema, by its name as written
        if node.type != "call_expression":
            return None
        callee = node.child_by_field_name("function")
        if callee is None or callee.type != "member_expression":
            return None
        method = text(callee.child_by_field_name("property"))
        target = callee.child_by_field_name("object")
        args = call_arguments(node)
        if self.is_zod(target):
            return self.zod_builder(method, args, depth)
        inner = self.zod_type(target, depth + 1)
        if inner is None:
            return None
        if method == "optional":
            return replace(inner, required=False)
        if method == "nullable":
            return replace(inner, nullable=True)
        if method == "nullish":
            return replace(inner, required=False, nullable=True)
        if method in ("default", "catch", "prefault"):
            return replace(inner, required=False)
        if method == "array":
            return _Zod(_array_of(inner.type), enum_values=inner.enum_values)
        if method == "or" and args:
            other = self.zod_type(args[0], depth + 1)
            return _Zod(f"{inner.type} | {other.type if other else 'unknown'}")
        if method == "and" and args:
            other = self.zod_type(args[0], depth + 1)
            return _Zod(f"{inner.type} & {other.type if other else 'unknown'}")
        return inner  # min, max, email, trim, refine, transform, describe, ...

    def zod_builder(self, method: str, args: list[ts.Node], depth: int) -> _Zod | None:
        first = args[0] if args else None
        if method == "enum":
            values = _strings(first)
            if values:
                return _Zod(" | ".join(f"'{v}'" for v in values), enum_values=values)
            if first is not None and first.type == "identifier":  # z.enum(MyEnum) in zod 4
                return self.native_enum(first)
            return _Zod("string")
        if method == "nativeEnum" and first is not None:
            return self.native_enum(first)
        if method == "literal":
            value = string_value(first)
            if value is not None:
                return _Zod(f"'{value}'", enum_values=(value,))
            return _Zod(text(first) or "unknown")
        if method in ("array", "set"):
            inner = self.zod_type(first, depth + 1)
            element = inner.type if inner is not None else "unknown"
            if method == "set":
                return _Zod(f"Set<{element}>")
            return _Zod(_array_of(element), enum_values=inner.enum_values if inner else ())
        if method in ("optional", "nullable", "nullish"):
            inner = self.zod_type(first, depth + 1) or _Zod("unknown")
            return replace(
                inner,
                required=inner.required and method == "nullable",
                nullable=inner.nullable or method != "optional",
            )
        if method in ("union", "discriminatedUnion"):
            options = args[1] if method == "discriminatedUnion" and len(args) > 1 else first
            parts = [
                self.zod_type(o, depth + 1) for o in (options.named_children if options else [])
            ]
            types = [p.type if p else "unknown" for p in parts]
            values = tuple(v for p in parts if p for v in p.enum_values)
            literal_only = all(p is not None and p.enum_values for p in parts)
            return _Zod(" | ".join(types) or "unknown", enum_values=values if literal_only else ())
        if method == "record":
            item = self.zod_type(args[-1] if args else None, depth + 1)
            return _Zod(f"Record<string, {item.type if item else 'unknown'}>")
        if method == "tuple":
            items = [self.zod_type(i, depth + 1) for i in (first.named_children if first else [])]
            return _Zod("[" + ", ".join(i.type if i else "unknown" for i in items) + "]")
        if method == "instanceof" and first is not None:
            return _Zod(text(first))
        known = _ZOD_TYPES.get(method)
        if known is None:
            return None
        return _Zod(
            known,
            required=known != "undefined",
            nullable=known in ("any", "unknown", "null"),
        )

    def native_enum(self, node: ts.Node) -> _Zod:
        name = text(node)
        values = self.named_values(name, 0) if name in self.enums else None
        return _Zod(name, enum_values=values or ())

    def inferred_schema(self, node: ts.Node | None) -> str | None:
        """`z.infer<typeof Schema>` (also `z.input`, `z.output`) -> "Schema"."""
        if node is None or node.type != "generic_type":
            return None
        return inferred_schema(node)


# --- syntax helpers -------------------------------------------------------------------------------


def _name(node: ts.Node) -> str:
    return text(node.child_by_field_name("name"))


def _key(node: ts.Node | None) -> str:
    if node is not None and node.type == "string":
        return string_value(node) or ""
    return text(node)


def _is_int(value: str) -> bool:
    try:
        int(value, 0)
    except ValueError:
        return False
    return True


def _alternatives(node: ts.Node) -> list[ts.Node]:
    """The members of a union, flattened; a loop, as generated unions nest thousands deep."""
    found: list[ts.Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "union_type":
            stack.extend(reversed(current.named_children))
        elif current.type == "parenthesized_type" and current.named_children:
            stack.append(current.named_children[0])
        else:
            found.append(current)
    return found


def _is_null(node: ts.Node) -> bool:
    return node.type == "literal_type" and text(node) == "null"


def _is_undefined(node: ts.Node) -> bool:
    return node.type in ("literal_type", "predefined_type") and text(node) in (
        "undefined",
        "void",
    )


def _admits_null(node: ts.Node) -> bool:
    return node.type == "predefined_type" and text(node) in ("any", "unknown")


def _literal(node: ts.Node) -> str | None:
    """A string or number literal type's value."""
    if node.type != "literal_type" or not node.named_children:
        return None
    inner = node.named_children[0]
    if inner.type == "string":
        return string_value(inner)
    if inner.type == "number" or (inner.type == "unary_expression" and text(inner)[1:].isdigit()):
        return text(inner)
    return None


def _element(node: ts.Node) -> ts.Node | None:
    """The element type of `T[]`, `Array<T>`, `ReadonlyArray<T>`, `readonly T[]`."""
    if node.type == "array_type" and node.named_children:
        return node.named_children[0]
    if node.type == "readonly_type" and node.named_children:
        return _element(node.named_children[0])
    if node.type == "generic_type" and text(node.child_by_field_name("name")) in (
        "Array",
        "ReadonlyArray",
    ):
        args = node.child_by_field_name("type_arguments")
        return args.named_children[0] if args is not None and args.named_children else None
    return None


def _strings(node: ts.Node | None) -> tuple[str, ...]:
    node = unwrap(node)
    if node is None or node.type != "array":
        return ()
    values = [string_value(item) for item in node.named_children]
    return tuple(v for v in values if v is not None) if all(v is not None for v in values) else ()


def _array_of(element: str) -> str:
    return f"({element})[]" if " " in element else f"{element}[]"


# --- the whole tree -------------------------------------------------------------------------------


def compose_js_models(files: Sequence[FileFacts]) -> tuple[FileFacts, ...]:
    """Merge the fields of bases declared in other files into TypeScript models.

    `interface MatchRun extends Base` with `Base` imported from `./base` names it
    as `<module of base>.Base` (or as the package import, `@acme/shared.Base`);
    the base is the model of that exact name, else the only one whose name ends
    with it at a dot, else the only TypeScript model of that last name in the
    tree. Inherited fields come first, the model's own override them.
    """
    models = [
        fact
        for file in files
        for fact in file.facts
        if isinstance(fact, DataModel) and fact.kind in KINDS
    ]
    if not any(m.bases for m in models):
        return tuple(files)
    composer = _Composer(models)
    out: list[FileFacts] = []
    for file in files:
        if not any(isinstance(f, DataModel) and f.kind in KINDS and f.bases for f in file.facts):
            out.append(file)
            continue
        facts = tuple(
            composer.complete(f) if isinstance(f, DataModel) and f.kind in KINDS else f
            for f in file.facts
        )
        out.append(replace(file, facts=facts))
    return tuple(out)


class _Composer:
    def __init__(self, models: Iterable[DataModel]) -> None:
        self.by_name: dict[str, list[DataModel]] = {}
        self.by_last: dict[str, list[DataModel]] = {}
        for model in models:
            self.by_name.setdefault(model.name, []).append(model)
            self.by_last.setdefault(model.name.rpartition(".")[2], []).append(model)
        self.done: dict[int, DataModel] = {}
        self.active: set[int] = set()

    def find(self, base: str, service: str) -> DataModel | None:
        exact = self.by_name.get(base, [])
        if exact:
            return next((m for m in exact if m.service == service), exact[0])
        last = base.rpartition(".")[2]
        same = self.by_last.get(last, [])
        ending = [m for m in same if m.name.endswith("." + base)]
        if len(ending) == 1:
            return ending[0]
        return same[0] if len(same) == 1 else None

    def complete(self, model: DataModel) -> DataModel:
        key = id(model)
        if key in self.done:
            return self.done[key]
        if key in self.active or not model.bases:
            return model
        self.active.add(key)
        fields: dict[str, ModelField] = {}
        for base in model.bases:
            parent = self.find(base, model.service)
            if parent is not None and parent is not model:
                fields.update((f.name, f) for f in self.complete(parent).fields)
        self.active.discard(key)
        fields.update((f.name, f) for f in model.fields)
        result = replace(model, fields=tuple(fields.values()))
        self.done[key] = result
        return result
