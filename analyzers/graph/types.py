"""Type texts of either language read as JSON shapes: a model, an array of it, null or not.

`list[app.models.MatchResult]`, `MatchResult[]`, `Array<MatchResult>`,
`Optional[Quote]` and `Quote | null` are all a core name wrapped in arrays and
nullability; the JSON kind of a scalar (`str` and `string` are both strings)
is what a contract compares across languages. Anything this cannot read is
"unknown", and unknown is never a mismatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNKNOWN = "unknown"
_NULLS = frozenset({"None", "null", "undefined", "NoneType", "void"})
_ARRAYS = frozenset(
    {
        "list",
        "List",
        "Sequence",
        "MutableSequence",
        "Iterable",
        "Collection",
        "tuple",
        "Tuple",
        "set",
        "Set",
        "frozenset",
        "FrozenSet",
        "Array",
        "ReadonlyArray",
        "conlist",
        "array",
    }
)
_OPTIONAL = frozenset({"Optional"})
_TRANSPARENT = frozenset({"Promise", "Awaitable", "Annotated", "Required", "NotRequired", "Final"})
_KINDS = {
    "string": {
        "str",
        "string",
        "String",
        "EmailStr",
        "HttpUrl",
        "AnyUrl",
        "AnyHttpUrl",
        "UUID",
        "uuid.UUID",
        "UUID4",
        "datetime",
        "datetime.datetime",
        "date",
        "datetime.date",
        "time",
        "constr",
        "SecretStr",
    },
    "number": {
        "int",
        "float",
        "number",
        "Number",
        "integer",
        "conint",
        "confloat",
        "PositiveInt",
        "NonNegativeInt",
        "PositiveFloat",
        "NonNegativeFloat",
        "StrictInt",
        "StrictFloat",
    },
    "boolean": {"bool", "boolean", "Boolean", "StrictBool"},
    "object": {"dict", "Dict", "Mapping", "MutableMapping", "Record", "object", "Object"},
}
_KIND_OF = {name: kind for kind, names in _KINDS.items() for name in names}
_STRING_LITERAL = re.compile(r"""^(['"`]).*\1$""")
_NUMBER_LITERAL = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True, slots=True)
class Shape:
    """A type as JSON sees it: a core type text inside `arrays` arrays, maybe null."""

    core: str
    arrays: int = 0
    nullable: bool = False

    @property
    def kind(self) -> str:
        if self.arrays:
            return "array"
        return scalar_kind(self.core)


def split_top(text: str, separator: str) -> list[str]:
    """`text` split on `separator` outside brackets, braces and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"`":
            quote = char
        elif char in "([{<":
            depth += 1
        elif char in ")]}>":
            depth = max(0, depth - 1)
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def shape_of(text: str | None) -> Shape | None:
    if not text:
        return None
    text = text.strip()
    for _ in range(8):  # generics nest; a handful of layers is every real case
        alternatives = split_top(text, "|")
        nullable = any(a in _NULLS for a in alternatives)
        rest = [a for a in alternatives if a not in _NULLS]
        if len(rest) != 1:
            if rest and all(_literal_kind(a) for a in rest):
                return Shape(" | ".join(rest), 0, nullable)
            return Shape(" | ".join(rest) if rest else "null", 0, nullable) if rest else None
        text = rest[0]
        if text.startswith("readonly "):
            text = text[len("readonly ") :].strip()
        if text.endswith("[]"):
            inner = shape_of(text[:-2].strip("() "))
            if inner is None:
                return None
            return Shape(inner.core, inner.arrays + 1, nullable)
        generic = re.fullmatch(r"([\w.$]+)\s*[\[<(](.*)[\]>)]", text, re.DOTALL)
        if generic is None:
            return Shape(text, 0, nullable)
        name, args = generic.group(1), split_top(generic.group(2), ",")
        last = name.rsplit(".", 1)[-1]
        if last == "Literal" and any(a in _NULLS for a in args):
            kept = [a for a in args if a not in _NULLS]
            return Shape(f"{name}[{', '.join(kept)}]", 0, True) if kept else None
        if last in _ARRAYS and args:
            inner = shape_of(args[0])
            if inner is None:
                return None
            return Shape(inner.core, inner.arrays + 1, nullable)
        if last in _OPTIONAL and args:
            inner = shape_of(args[0])
            return Shape(inner.core, inner.arrays, True) if inner else None
        if last in _TRANSPARENT and args:
            text = args[0] if not nullable else f"{args[0]} | None"
            continue
        return Shape(text, 0, nullable)
    return None


def _literal_kind(text: str) -> str | None:
    if _STRING_LITERAL.match(text):
        return "string"
    if _NUMBER_LITERAL.match(text):
        return "number"
    if text in ("true", "false", "True", "False"):
        return "boolean"
    return None


def _one_kind(literals: list[str]) -> str:
    kinds = {_literal_kind(literal) for literal in literals}
    kind = kinds.pop() if len(kinds) == 1 else None
    return kind or UNKNOWN


def scalar_kind(core: str) -> str:
    """The JSON kind of a core type: string, number, boolean, object, or unknown."""
    if core.startswith("{"):
        return "object"
    literal = re.fullmatch(r"(?:[\w$]+\.)*Literal\[(.*)\]", core, re.DOTALL)
    if literal is not None:
        return _one_kind(split_top(literal.group(1), ","))
    alternatives = split_top(core, "|")
    if len(alternatives) > 1:
        # `int | float` is a number; `"a" | "b"` a string; `str | int` unknown
        kinds = {_literal_kind(a) or _named_kind(a) for a in alternatives}
        return kinds.pop() if len(kinds) == 1 else UNKNOWN
    if _literal_kind(core):
        return _one_kind(alternatives)
    return _named_kind(core)


def _named_kind(core: str) -> str:
    if core.startswith("{"):
        return "object"
    generic = re.fullmatch(r"([\w.$]+)\s*[\[<(].*[\]>)]", core, re.DOTALL)
    name = generic.group(1) if generic else core
    return _KIND_OF.get(name, _KIND_OF.get(name.rsplit(".", 1)[-1], UNKNOWN))
