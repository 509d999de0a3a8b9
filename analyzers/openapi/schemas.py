"""JSON Schemas of an API description as data models and field types.

- A model is a schema that has `properties`, an `allOf` with a member that is
  one, or a `oneOf`/`anyOf` whose members (other than `{type: null}`) all are;
  followed through `$ref`s. Free-form objects (`type: object` alone,
  `additionalProperties` only) name no fields and are no model: a contract
  has nothing to compare in them.
- Names are `<module of the file>#<schema name>` (`services.api.openapi.yaml#Pet`),
  unique in the repository; a model for an inline body is named after its
  operation, `services.api.openapi.yaml#createPet.request` (`.response`).
- Fields: `allOf` members' fields in order, then the schema's own `properties`,
  a later one replacing an earlier one of the same name in place; the
  `required` of the schema and of every allOf member applies to all of them
  (`allOf: [{$ref: Base}, {required: [id]}]` requires Base's id). `oneOf`/`anyOf`
  of several objects: only the fields every alternative has (with the first
  alternative's type), required only where every alternative requires it.
  What a client can always send or rely on is what all alternatives share;
  a field of one alternative alone is not part of the contract of all.
- Types as text: string, integer, number, boolean, object, `array[<item>]`,
  the qualified name of a referenced model, alternatives joined by ` | `;
  the type of its `enum`/`const` values where it names none, "any" where the
  schema says nothing; an external `$ref` as written.
- nullable: `nullable: true` (3.0), `x-nullable: true` (Swagger), "null" in a
  `type` list (3.1), a `{type: null}` alternative of `oneOf`/`anyOf`, null in
  `enum`, or a referenced schema that is nullable.
- enum_values: `enum` (or `const`) as strings, through `$ref`s, array items
  and alternatives; strings as they are, other values as JSON (`true`, `1`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from analyzers.facts import DataModel, Location, ModelField
from analyzers.openapi.parse import DocPath, Spans

KIND = "openapi"
_MAX_DEPTH = 24  # nested schemas followed for one type text or field list
_MISSING = object()
_UNSAFE = re.compile(r"[^\w.-]+")


def pointer(ref: str) -> DocPath | None:
    """The document path of a local JSON pointer (`#/components/schemas/Pet`), else None."""
    if not ref.startswith("#"):
        return None
    fragment = ref[1:]
    if not fragment:
        return ()
    if not fragment.startswith("/"):
        return None  # a 3.1 `$anchor` name: not followed
    parts = (unquote(p) for p in fragment[1:].split("/"))
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in parts)


def safe_name(text: str) -> str:
    """A name part built from an operation id or a path, usable inside `list[...]`."""
    return _UNSAFE.sub("_", text).strip("_") or "_"


@dataclass
class Schemas:
    document: dict[str, Any]
    spans: Spans
    path: str  # the file
    module: str
    service: str
    swagger: bool
    anonymous: dict[str, DataModel] = field(default_factory=dict)  # by name
    anonymous_at: dict[DocPath, str] = field(default_factory=dict)  # schema path -> name
    named: dict[DocPath, str | None] = field(default_factory=dict)  # named_model's answers

    # --- the document ---------------------------------------------------------------------------

    def at(self, path: DocPath) -> tuple[object, DocPath]:
        """The value at a document path (`_MISSING` when there is none), list indexes as ints."""
        node: object = self.document
        real: list[str | int] = []
        for part in path:
            if isinstance(node, dict):
                if part not in node:
                    return _MISSING, path
                node = node[part]
                real.append(part)
            elif isinstance(node, list) and str(part).isdigit() and int(part) < len(node):
                node = node[int(part)]
                real.append(int(part))
            else:
                return _MISSING, path
        return node, tuple(real)

    def resolve(self, value: object, path: DocPath) -> tuple[object, DocPath]:
        """Follow local `$ref`s; an external or dangling one stays as it is."""
        for _ in range(_MAX_DEPTH):
            ref = value.get("$ref") if isinstance(value, dict) else None
            target = pointer(ref) if isinstance(ref, str) else None
            if target is None:
                return value, path
            found, real = self.at(target)
            if found is _MISSING or found is value:
                return value, path
            value, path = found, real
        return value, path

    def location(self, path: DocPath, fallback: Location | None = None) -> Location:
        return self.span(path) or fallback or Location(self.path, 1, 1)

    def span(self, path: DocPath) -> Location | None:
        lines = self.spans.lines(path)
        return None if lines is None else Location(self.path, *lines)

    def schema_paths(self) -> list[DocPath]:
        """Where the named schemas are: components/schemas (3.x) or definitions (2.0)."""
        base: DocPath = ("definitions",) if self.swagger else ("components", "schemas")
        found, real = self.at(base)
        if not isinstance(found, dict):
            return []
        return [(*real, name) for name in found if isinstance(name, str)]

    # --- models -----------------------------------------------------------------------------------

    def named_model(self, path: DocPath) -> str | None:
        """The model name of a named schema that is a model, by its document path."""
        if path in self.named:
            return self.named[path]
        name = None
        prefix = ("definitions",) if self.swagger else ("components", "schemas")
        if len(path) == len(prefix) + 1 and path[:-1] == prefix:
            value, _ = self.at(path)
            if self.is_model(value, path):
                name = f"{self.module}#{path[-1]}"
        self.named[path] = name
        return name

    def models(self) -> list[DataModel]:
        found: list[DataModel] = []
        for path in self.schema_paths():
            name = self.named_model(path)
            if name is not None:
                value, _ = self.at(path)
                found.append(self.model(name, value, path))
        return found

    def model(self, name: str, value: object, path: DocPath) -> DataModel:
        location = self.location(path)
        fields = self.fields(value, path, frozenset())
        return DataModel(self.service, location, name, KIND, tuple(fields.values()))

    def is_model(
        self, value: object, path: DocPath, seen: frozenset[DocPath] = frozenset()
    ) -> bool:
        value, path = self.resolve(value, path)
        if not isinstance(value, dict) or path in seen or len(seen) > _MAX_DEPTH:
            return False
        seen = seen | {path}
        if isinstance(value.get("properties"), dict):
            return True
        members = value.get("allOf")
        if isinstance(members, list) and any(
            self.is_model(m, (*path, "allOf", i), seen) for i, m in enumerate(members)
        ):
            return True
        for keyword in ("oneOf", "anyOf"):
            alternatives = self.alternatives(value, path, keyword)
            if alternatives and all(self.is_model(m, p, seen) for m, p in alternatives):
                return True
        return False

    def alternatives(
        self, value: dict[str, Any], path: DocPath, keyword: str
    ) -> list[tuple[object, DocPath]]:
        """The members of `oneOf`/`anyOf` other than `{type: null}`."""
        members = value.get(keyword)
        if not isinstance(members, list):
            return []
        found = [(m, (*path, keyword, i)) for i, m in enumerate(members)]
        return [(m, p) for m, p in found if not _is_null(self.resolve(m, p)[0])]

    def fields(
        self, value: object, path: DocPath, seen: frozenset[DocPath]
    ) -> dict[str, ModelField]:
        value, path = self.resolve(value, path)
        if not isinstance(value, dict) or path in seen or len(seen) > _MAX_DEPTH:
            return {}
        seen = seen | {path}
        merged: dict[str, ModelField] = {}
        members = value.get("allOf")
        for i, member in enumerate(members if isinstance(members, list) else ()):
            merged.update(self.fields(member, (*path, "allOf", i), seen))
        for keyword in ("oneOf", "anyOf"):
            alternatives = self.alternatives(value, path, keyword)
            if alternatives:
                merged.update(self.common_fields(alternatives, seen))
        properties = value.get("properties")
        own = _names(value.get("required"))
        if isinstance(properties, dict):
            for name, schema in properties.items():
                if isinstance(name, str):
                    merged[name] = self.field(
                        name, schema, (*path, "properties", name), name in own
                    )
        # `required` of the schema and of its allOf members holds for all their properties.
        for name in self.required(value, path, seen - {path}) & merged.keys():
            if not merged[name].required:
                merged[name] = _with_required(merged[name], True)
        return merged

    def required(self, value: object, path: DocPath, seen: frozenset[DocPath]) -> set[str]:
        """The names a schema requires, its allOf members' included."""
        value, path = self.resolve(value, path)
        if not isinstance(value, dict) or path in seen or len(seen) > _MAX_DEPTH:
            return set()
        found = _names(value.get("required"))
        members = value.get("allOf")
        for i, member in enumerate(members if isinstance(members, list) else ()):
            found |= self.required(member, (*path, "allOf", i), seen | {path})
        return found

    def common_fields(
        self, alternatives: list[tuple[object, DocPath]], seen: frozenset[DocPath]
    ) -> dict[str, ModelField]:
        # Several alternatives: keep what they all share (see the module docstring).
        each = [self.fields(m, p, seen) for m, p in alternatives]
        first, rest = each[0], each[1:]
        common: dict[str, ModelField] = {}
        for name, found in first.items():
            if all(name in other for other in rest):
                required = found.required and all(other[name].required for other in rest)
                common[name] = _with_required(found, required)
        return common

    def field(self, name: str, schema: object, path: DocPath, required: bool) -> ModelField:
        return ModelField(
            name=name,
            wire_name=name,
            type=self.type_text(schema, path),
            required=required,
            nullable=self.nullable(schema, path),
            enum_values=self.enum_values(schema, path),
            location=self.span(path),
        )

    def body_model(self, schema: object, path: DocPath, hint: str, depth: int = 0) -> str | None:
        """What a request or response body is, as a model name (`list[...]` for an array)."""
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        target = pointer(ref) if isinstance(ref, str) else None
        named = self.named_model(target) if target is not None else None
        if named is not None:
            return named
        schema, path = self.resolve(schema, path)
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return None
        if self.is_model(schema, path):
            return self.anonymous_model(schema, path, hint)
        items = schema.get("items")
        if "array" not in _types(schema) or not isinstance(items, dict):
            return None
        inner = self.body_model(items, (*path, "items"), hint, depth + 1)
        return f"list[{inner}]" if inner else None

    def anonymous_model(self, schema: dict[str, Any], path: DocPath, hint: str) -> str:
        """The model of an inline schema, named by `hint` (made unique), made once per schema."""
        known = self.anonymous_at.get(path)
        if known is not None:
            return known
        name, n = f"{self.module}#{hint}", 1
        while name in self.anonymous:
            n += 1
            name = f"{self.module}#{hint}{n}"
        self.anonymous_at[path] = name
        self.anonymous[name] = self.model(name, schema, path)
        return name

    # --- types ------------------------------------------------------------------------------------

    def type_text(self, schema: object, path: DocPath, depth: int = 0) -> str:
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return "any"
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target = pointer(ref)
            if target is None:
                return ref  # another file: left as written
            named = self.named_model(target)
            if named is not None:
                return named
            found, real = self.at(target)
            return "any" if found is _MISSING else self.type_text(found, real, depth + 1)
        types = [t for t in _types(schema) if t != "null"]
        if types:
            return " | ".join(dict.fromkeys(self.one_type(t, schema, path, depth) for t in types))
        members = schema.get("allOf")
        if isinstance(members, list) and members:
            shared = {
                self.type_text(m, (*path, "allOf", i), depth + 1) for i, m in enumerate(members)
            } - {"any"}
            return shared.pop() if len(shared) == 1 else "object"
        for keyword in ("oneOf", "anyOf"):
            alternatives = self.alternatives(schema, path, keyword)
            if alternatives:
                texts = [self.type_text(m, p, depth + 1) for m, p in alternatives]
                return " | ".join(dict.fromkeys(texts))
        if "properties" in schema or "additionalProperties" in schema:
            return "object"
        if "items" in schema:
            return self.one_type("array", schema, path, depth)
        enum = schema.get("enum")
        values = [*(enum if isinstance(enum, list) else ()), schema.get("const")]
        kinds = {_json_type(v) for v in values if v is not None}
        return kinds.pop() if len(kinds) == 1 else "any"

    def one_type(self, name: str, schema: dict[str, Any], path: DocPath, depth: int) -> str:
        if name != "array":
            return name
        items = schema.get("items")
        if not isinstance(items, dict):
            return "array"
        return f"array[{self.type_text(items, (*path, 'items'), depth + 1)}]"

    def nullable(self, schema: object, path: DocPath, depth: int = 0) -> bool:
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return False
        if schema.get("nullable") is True or schema.get("x-nullable") is True:
            return True
        if "null" in _types(schema):
            return True
        enum = schema.get("enum")
        if isinstance(enum, list) and None in enum:
            return True
        for keyword in ("oneOf", "anyOf"):
            members = schema.get(keyword)
            for i, member in enumerate(members if isinstance(members, list) else ()):
                resolved, real = self.resolve(member, (*path, keyword, i))
                if _is_null(resolved) or self.nullable(resolved, real, depth + 1):
                    return True
        members = schema.get("allOf")
        if isinstance(members, list) and len(members) == 1:
            return self.nullable(members[0], (*path, "allOf", 0), depth + 1)
        if isinstance(schema.get("$ref"), str):
            resolved, real = self.resolve(schema, path)
            if resolved is not schema:
                return self.nullable(resolved, real, depth + 1)
        return False

    def enum_values(self, schema: object, path: DocPath, depth: int = 0) -> tuple[str, ...]:
        schema, path = self.resolve(schema, path)
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return ()
        if isinstance(schema.get("enum"), list):
            return tuple(dict.fromkeys(_text(v) for v in schema["enum"] if v is not None))
        if "const" in schema and schema["const"] is not None:
            return (_text(schema["const"]),)
        if "array" in _types(schema) and isinstance(schema.get("items"), dict):
            return self.enum_values(schema["items"], (*path, "items"), depth + 1)
        for keyword in ("oneOf", "anyOf", "allOf"):
            members = (
                self.alternatives(schema, path, keyword)
                if keyword != "allOf"
                else [(m, (*path, keyword, i)) for i, m in enumerate(schema.get(keyword) or ())]
            )
            if members:
                each = [self.enum_values(m, p, depth + 1) for m, p in members]
                if keyword == "allOf":
                    each = [values for values in each if values]
                if each and all(each):
                    return tuple(dict.fromkeys(v for values in each for v in values))
        return ()


def _types(schema: dict[str, Any]) -> list[str]:
    found = schema.get("type")
    if isinstance(found, str):
        return [found]
    if isinstance(found, list):
        return [t for t in found if isinstance(t, str)]
    return []


def _names(value: object) -> set[str]:
    return {n for n in value if isinstance(n, str)} if isinstance(value, list) else set()


def _is_null(schema: object) -> bool:
    return isinstance(schema, dict) and _types(schema) == ["null"]


def _json_type(value: object) -> str:
    """The JSON type of an `enum` or `const` value, for a schema that gives no `type`."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _with_required(found: ModelField, required: bool) -> ModelField:
    return found if found.required == required else replace(found, required=required)
