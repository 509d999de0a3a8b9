"""Type texts of Python and TypeScript read as JSON shapes."""

from __future__ import annotations

import pytest

from analyzers.graph.types import UNKNOWN, Shape, scalar_kind, shape_of, split_top


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        # Python
        ("list[app.models.MatchResult]", Shape("app.models.MatchResult", 1)),
        ("List[Quote]", Shape("Quote", 1)),
        ("Sequence[Quote]", Shape("Quote", 1)),
        ("tuple[int, ...]", Shape("int", 1)),
        ("set[str]", Shape("str", 1)),
        ("typing.List[Quote]", Shape("Quote", 1)),
        ("Optional[Quote]", Shape("Quote", 0, nullable=True)),
        ("typing.Optional[Quote]", Shape("Quote", 0, nullable=True)),
        ("Quote | None", Shape("Quote", 0, nullable=True)),
        ("None | Quote", Shape("Quote", 0, nullable=True)),
        ("Optional[list[Quote]]", Shape("Quote", 1, nullable=True)),
        ("list[Quote] | None", Shape("Quote", 1, nullable=True)),
        ("list[list[int]]", Shape("int", 2)),
        ("Annotated[int, Field(gt=0)]", Shape("int")),
        ("Annotated[Optional[str], Field(max_length=3)]", Shape("str", 0, nullable=True)),
        ("Annotated[list[int], x] | None", Shape("int", 1, nullable=True)),
        ("Required[str]", Shape("str")),
        ("NotRequired[int]", Shape("int")),
        ("Awaitable[Quote]", Shape("Quote")),
        ("Literal['a', 'b']", Shape("Literal['a', 'b']")),
        ("dict[str, int]", Shape("dict[str, int]")),
        # TypeScript
        ("Quote[]", Shape("Quote", 1)),
        ("Quote[][]", Shape("Quote", 2)),
        ("Array<Quote>", Shape("Quote", 1)),
        ("ReadonlyArray<Quote>", Shape("Quote", 1)),
        ("readonly Quote[]", Shape("Quote", 1)),
        ("Promise<Quote>", Shape("Quote")),
        ("Promise<Quote[]>", Shape("Quote", 1)),
        ("Promise<Array<Quote>>", Shape("Quote", 1)),
        ("Quote | null", Shape("Quote", 0, nullable=True)),
        ("Quote|null", Shape("Quote", 0, nullable=True)),
        ("string | undefined", Shape("string", 0, nullable=True)),
        ("Quote[] | null", Shape("Quote", 1, nullable=True)),
        ("(Quote | null)[]", Shape("Quote", 1)),
        ("Array<string | null>", Shape("string", 1)),
        ("'gold' | 'silver'", Shape("'gold' | 'silver'")),
        ("'gold' | 'silver' | null", Shape("'gold' | 'silver'", 0, nullable=True)),
        ("{ id: string; name: string }", Shape("{ id: string; name: string }")),
        ("{ id: string } | null", Shape("{ id: string }", 0, nullable=True)),
        ("Record<string, number>", Shape("Record<string, number>")),
        ("  Quote  ", Shape("Quote")),
    ],
)
def test_shape_of(text: str, shape: Shape) -> None:
    assert shape_of(text) == shape


@pytest.mark.parametrize(
    "text", [None, "", "None", "null", "undefined", "void", "Promise<void>", "Optional[None]"]
)
def test_no_body_has_no_shape(text: str | None) -> None:
    assert shape_of(text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("list[Quote]", "array"),
        ("Quote[]", "array"),
        ("Optional[str]", "string"),
        ("string | null", "string"),
        ("Annotated[int, Field(gt=0)]", "number"),
        ("Literal['a', 'b']", "string"),
        ("Literal[1, 2]", "number"),
        ("typing.Literal['a', 'b']", "string"),
        ("Literal['a'] | None", "string"),
        ("Literal['a', 1]", UNKNOWN),  # two kinds are no one kind
        ("'a' | 'b'", "string"),
        ('"a" | "b"', "string"),
        ("`a` | `b`", "string"),
        ("1 | 2", "number"),
        ("-1 | 2.5", "number"),
        ("true | false", "boolean"),
        ("string | number", UNKNOWN),
        ("{ id: string }", "object"),
        ("Record<string, number>", "object"),
        ("dict[str, Any]", "object"),
        ("Quote", UNKNOWN),  # a model's kind is not a scalar's
        ("Any", UNKNOWN),
        ("unknown", UNKNOWN),
    ],
)
def test_kind_of_a_shape(text: str, kind: str) -> None:
    shape = shape_of(text)
    assert shape is not None
    assert shape.kind == kind


@pytest.mark.parametrize(
    ("core", "kind"),
    [
        ("str", "string"),
        ("string", "string"),
        ("String", "string"),
        ("EmailStr", "string"),
        ("HttpUrl", "string"),
        ("UUID", "string"),
        ("uuid.UUID", "string"),
        ("datetime", "string"),
        ("datetime.datetime", "string"),
        ("date", "string"),
        ("int", "number"),
        ("float", "number"),
        ("number", "number"),
        ("PositiveInt", "number"),
        ("bool", "boolean"),
        ("boolean", "boolean"),
        ("dict", "object"),
        ("Dict[str, int]", "object"),
        ("Mapping[str, Any]", "object"),
        ("Record<string, unknown>", "object"),
        ("object", "object"),
        ("{ a: number }", "object"),
        ("Decimal", UNKNOWN),
        ("bytes", UNKNOWN),
        ("Map<string, number>", UNKNOWN),
        ("app.models.Quote", UNKNOWN),
    ],
)
def test_scalar_kind(core: str, kind: str) -> None:
    assert scalar_kind(core) == kind


def test_split_top_ignores_separators_inside_brackets_and_quotes() -> None:
    assert split_top("dict[str, int], 'a,b', Array<x | y>", ",") == [
        "dict[str, int]",
        "'a,b'",
        "Array<x | y>",
    ]
    assert split_top("A | { a: B | C } | 'x|y'", "|") == ["A", "{ a: B | C }", "'x|y'"]
    assert split_top(" , a ,", ",") == ["a"]


def test_constrained_pydantic_types_have_their_kind() -> None:
    assert scalar_kind("constr(max_length=3)") == "string"
    assert scalar_kind("conint(gt=0)") == "number"
    shape = shape_of("conlist(int, min_length=1)")
    assert shape is not None
    assert shape.kind == "array"


def test_a_union_of_one_kind_is_that_kind() -> None:
    assert scalar_kind("int | float") == "number"


def test_a_literal_with_dotted_values_is_a_string() -> None:
    assert scalar_kind('Literal["v1.0", "v2.0"]') == "string"


def test_a_literal_with_none_is_nullable() -> None:
    shape = shape_of('Literal["a", None]')
    assert shape is not None
    assert (shape.nullable, shape.kind) == (True, "string")
