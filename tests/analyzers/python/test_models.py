"""Data models the Python analyzer reads: which classes, and each field's wire contract.

The fixture service `tests/fixtures/models/matching` is the model layer of a
FastAPI service: v2 models on a shared camel-case base in another module,
enums in a sibling module, a pydantic v1 module, TypedDicts, dataclasses,
attrs and NamedTuples, and classes that must not count as models. The
expected wire names, requiredness and nullability of its pydantic, dataclass,
attrs and TypedDict classes were checked against the libraries at run time
(pydantic 2.14 and its pydantic.v1 layer).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.extract import SourceFile
from analyzers.facts import DataModel, FileFacts, Location, ModelField
from analyzers.python import PythonExtractor
from analyzers.python.models import compose_models, generated_name
from analyzers.python.prefilter import may_hold_facts
from analyzers.registry import DEFAULT_COMPOSERS

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "models" / "matching"
SERVICE = "matching"


def _extract(path: str, text: str) -> dict[str, DataModel]:
    facts = PythonExtractor().extract(SourceFile(path, SERVICE, "python", text))
    return {f.name: f for f in facts if isinstance(f, DataModel)}


def models_of(path: str) -> dict[str, DataModel]:
    return _extract(path, (ROOT / path).read_text(encoding="utf-8"))


def snippet(text: str, path: str = "app/models.py") -> dict[str, DataModel]:
    return _extract(path, text)


def fixture_files() -> list[FileFacts]:
    files = []
    for file in sorted(ROOT.rglob("*.py")):
        path = str(file.relative_to(ROOT))
        facts = PythonExtractor().extract(
            SourceFile(path, SERVICE, "python", file.read_text(encoding="utf-8"))
        )
        files.append(FileFacts(path, SERVICE, "python", tuple(facts)))
    return files


def field(
    name: str,
    type_: str,
    *,
    wire: str | None = None,
    required: bool = True,
    nullable: bool = False,
    enum: tuple[str, ...] = (),
    accepts_name: bool = False,
) -> ModelField:
    return ModelField(
        name, name if wire is None else wire, type_, required, nullable, enum, accepts_name
    )


def member(name: str, value: str) -> ModelField:
    return ModelField(name, value, "enum", True, False, (value,) if value else ())


# --- pydantic v2 -------------------------------------------------------------------------------


def test_v2_model_fields_with_alias_generator_and_field_aliases() -> None:
    candidate = models_of("app/models.py")["app.models.Candidate"]
    assert candidate.kind == "pydantic"
    assert candidate.service == SERVICE
    assert candidate.location == Location("app/models.py", 19, 30)
    assert (candidate.alias_generator, candidate.populate_by_name) == ("camel", True)
    assert candidate.bases == ()
    # model_config, the private `_cache` and the ClassVar are not fields
    assert candidate.fields == (
        field("candidate_id", "str", wire="candidateId", accepts_name=True),
        field("score", "float", required=False),
        field("tags", "list[str]", required=False),
        # v2: Optional without a default is required, and null is accepted
        field("note", "str | None", nullable=True),
        field("sort", "Sort", required=False, enum=("score", "recent")),
        field("kind", 'Literal["person", "team"]', required=False, enum=("person", "team")),
        # an explicit alias beats the generator; `Field(None)` is a default, not nullability
        field("external_ref", "str | None", wire="extRef", required=False, nullable=True,
              accepts_name=True),
    )  # fmt: skip


def test_same_module_subclass_inherits_fields_and_config_and_overrides_in_place() -> None:
    ranked = models_of("app/models.py")["app.models.RankedCandidate"]
    assert ranked.bases == ("app.models.Candidate",)
    assert (ranked.alias_generator, ranked.populate_by_name) == ("camel", True)
    assert [f.name for f in ranked.fields] == [
        "candidate_id",
        "score",
        "tags",
        "note",
        "sort",
        "kind",
        "external_ref",
        "rank",
    ]
    by_name = {f.name: f for f in ranked.fields}
    # overridden: keeps the parent's position, takes the child's type and requiredness
    assert by_name["score"] == field("score", "int")
    # a quoted forward reference is read as the annotation it holds
    assert by_name["rank"] == field("rank", "int | None", required=False, nullable=True)
    assert by_name["candidate_id"].wire_name == "candidateId"


def test_aliases_from_annotated_alias_choices_and_enums_of_this_module() -> None:
    request = models_of("app/models.py")["app.models.MatchRequest"]
    # the base lives in app/base.py: named for the composer, fields merged there
    assert request.kind == "pydantic"
    assert request.bases == ("app.base.ApiModel",)
    assert request.alias_generator is None
    assert request.location.line == 38
    assert request.fields == (
        field("user_id", "str"),
        # an enum from another module: its values are the contract linker's to find
        field("status", "MatchStatus"),
        field("limit", "int", required=False),
        field("filters", "dict[str, str] | None", wire="filterBy", required=False, nullable=True),
        field("sort", "Sort | None", wire="sortBy", required=False, nullable=True,
              enum=("score", "recent")),
        field("scores", "list[float | None]", required=False),
    )  # fmt: skip


def test_response_model_serialization_alias_and_explicit_ellipsis() -> None:
    response = models_of("app/models.py")["app.models.MatchResponse"]
    assert response.alias_generator is None and not response.populate_by_name
    assert response.fields == (
        field("results", "list[Candidate]"),
        field("total", "int"),
        field("next_cursor", "str | None", wire="nextCursor", required=False, nullable=True),
        # a list of this module's enum carries the enum's values
        field("sorts", "list[Sort]", required=False, enum=("score", "recent")),
    )


def test_nested_models_and_root_models() -> None:
    models = models_of("app/models.py")
    meta = models["app.models.Envelope.Meta"]
    assert meta.location.line == 66
    assert meta.fields == (field("request_id", "str"),)
    assert models["app.models.Envelope"].fields == (
        field("meta", "Meta"),
        field("data", "dict[str, str]", required=False),
    )
    ids = models["app.models.CandidateIds"]
    # the body is the bare list: no key on the wire
    assert ids.fields == (field("root", "list[str]", wire=""),)


def test_every_class_of_the_models_module_and_only_those() -> None:
    assert sorted(models_of("app/models.py")) == [
        "app.models.Candidate",
        "app.models.CandidateIds",
        "app.models.Envelope",
        "app.models.Envelope.Meta",
        "app.models.MatchEvent",
        "app.models.MatchRequest",
        "app.models.MatchResponse",
        "app.models.RankedCandidate",
        "app.models.Sort",
    ]


def test_base_module_with_a_hand_written_camel_generator() -> None:
    models = models_of("app/base.py")
    api = models["app.base.ApiModel"]
    assert (api.kind, api.fields, api.location.line) == ("pydantic", (), 11)
    assert (api.alias_generator, api.populate_by_name) == ("camel", True)
    assert models["app.base.Timestamped"].fields == (
        field("created_at", "str", wire="createdAt", accepts_name=True),
        field("updated_at", "str | None", wire="updatedAt", required=False, nullable=True,
              accepts_name=True),
    )  # fmt: skip


# --- across files ------------------------------------------------------------------------------


def test_composer_completes_models_whose_base_lives_in_another_file() -> None:
    before = {f.name: f for file in fixture_files() for f in file.facts if isinstance(f, DataModel)}
    after = {
        f.name: f
        for file in compose_models(fixture_files())
        for f in file.facts
        if isinstance(f, DataModel)
    }
    request = after["app.models.MatchRequest"]
    assert (request.alias_generator, request.populate_by_name) == ("camel", True)
    assert [(f.name, f.wire_name, f.accepts_name) for f in request.fields] == [
        ("user_id", "userId", True),
        ("status", "status", False),
        ("limit", "limit", False),
        ("filters", "filterBy", True),
        ("sort", "sortBy", True),
        ("scores", "scores", False),
    ]
    event = after["app.models.MatchEvent"]
    # the base's own base (same file as the base) comes along, its fields first
    assert event.fields == (
        field("created_at", "str", wire="createdAt", accepts_name=True),
        field("updated_at", "str | None", wire="updatedAt", required=False, nullable=True,
              accepts_name=True),
        field("match_id", "str", wire="matchId", accepts_name=True),
        field("status", "MatchStatus", required=False),
    )  # fmt: skip
    untouched = [n for n in before if n not in ("app.models.MatchRequest", "app.models.MatchEvent")]
    assert all(after[n] == before[n] for n in untouched)


def test_composer_runs_in_the_engine() -> None:
    assert compose_models in DEFAULT_COMPOSERS


def _model(
    name: str,
    *fields: ModelField,
    service: str = SERVICE,
    bases: tuple[str, ...] = (),
    alias_generator: str | None = None,
) -> DataModel:
    location = Location(name.replace(".", "/") + ".py", 1, 2)
    return DataModel(service, location, name, "pydantic", fields, bases, alias_generator)


def _composed(*models: DataModel) -> dict[tuple[str, str], DataModel]:
    files = [FileFacts(m.location.path, m.service, "python", (m,)) for m in models]
    return {
        (f.service, f.name): f
        for file in compose_models(files)
        for f in file.facts
        if isinstance(f, DataModel)
    }


def test_composer_matches_imports_from_the_service_root_within_the_service_only() -> None:
    base = _model(
        "services.matching.app.base.ApiModel",
        field("trace_id", "str"),
        alias_generator="pascal",
    )
    other = _model("services.billing.app.base.ApiModel", service="billing")
    namesake = _model("services.matching.app.legacy.ApiModel", field("v", "int"))
    child = _model("services.matching.app.models.Quote", field("unit_price", "int"),
                   bases=("app.base.ApiModel",))  # fmt: skip
    stranger = _model("services.billing.app.models.Invoice", field("due_at", "str"),
                      service="billing", bases=("shared.Missing",))  # fmt: skip
    composed = _composed(base, other, namesake, child, stranger)
    quote = composed[(SERVICE, "services.matching.app.models.Quote")]
    assert [(f.name, f.wire_name) for f in quote.fields] == [
        ("trace_id", "TraceId"),
        ("unit_price", "UnitPrice"),
    ]
    # a base nowhere in the tree leaves the model as it was
    assert composed[("billing", "services.billing.app.models.Invoice")] == stranger


def test_composer_keeps_the_childs_own_generator_and_survives_cycles() -> None:
    base = _model("app.a.Base", field("first_name", "str"), alias_generator="camel",
                  bases=("app.b.Loop",))  # fmt: skip
    loop = _model("app.b.Loop", field("last_name", "str"), alias_generator="snake",
                  bases=("app.a.Base",))  # fmt: skip
    composed = _composed(base, loop)
    names = {f.name: f.wire_name for f in composed[(SERVICE, "app.b.Loop")].fields}
    assert names == {"first_name": "first_name", "last_name": "last_name"}
    assert composed[(SERVICE, "app.b.Loop")].alias_generator == "snake"


# --- enums -------------------------------------------------------------------------------------


def test_enum_members_values_and_auto() -> None:
    enums = models_of("app/enums.py")
    assert {name: m.kind for name, m in enums.items()} == dict.fromkeys(
        (
            "app.enums.MatchStatus",
            "app.enums.Priority",
            "app.enums.Channel",
            "app.enums.Permission",
            "app.enums.Region",
            "app.enums.Status",
        ),
        "enum",
    )
    assert enums["app.enums.MatchStatus"].location == Location("app/enums.py", 4, 7)
    assert enums["app.enums.MatchStatus"].fields == (
        member("PENDING", "pending"),
        member("MATCHED", "matched"),
        member("REJECTED", "rejected"),
    )
    # IntEnum auto() counts on from the highest value so far
    assert [f.wire_name for f in enums["app.enums.Priority"].fields] == ["1", "2", "10", "11"]
    assert [f.wire_name for f in enums["app.enums.Channel"].fields] == [
        "email",
        "sms",
        "push-notification",
    ]
    assert [f.wire_name for f in enums["app.enums.Permission"].fields] == ["1", "2", "4"]
    # _generate_next_value_ returning the name; DEFAULT is an alias, not a member
    assert enums["app.enums.Region"].fields == (
        member("EU_WEST", "EU_WEST"),
        member("US_EAST", "US_EAST"),
    )
    # (value, phrase) tuples with a custom __new__, as http.HTTPStatus does
    assert enums["app.enums.Status"].fields == (member("OK", "200"), member("NOT_FOUND", "404"))


def test_enum_values_of_literal_members_and_unknown_values() -> None:
    models = snippet(
        """
import enum
from pydantic import BaseModel
from typing import Literal
from .consts import LIMIT

class Color(enum.Enum):
    RED = "r"
    GREEN = "g"
    OTHER = LIMIT
    PAIR = 1, 2
    CALLBACK = lambda: None

class Paint(BaseModel):
    primary: Literal[Color.RED]
    any_color: Color
    code: int | Literal["auto"] = "auto"
"""
    )
    assert [(f.name, f.wire_name) for f in models["app.models.Color"].fields] == [
        ("RED", "r"),
        ("GREEN", "g"),
        ("OTHER", ""),  # not visible here: unknown, never a guess
        ("PAIR", ""),  # a tuple is the value itself without a custom __new__
    ]
    paint = {f.name: f for f in models["app.models.Paint"].fields}
    assert paint["primary"].enum_values == ("r",)
    # one member's value is unknown: the enumeration is incomplete, so none is claimed
    assert paint["any_color"].enum_values == ()
    # an int or "auto": not an enumeration
    assert paint["code"].enum_values == ()


# --- pydantic v1 -------------------------------------------------------------------------------


def test_v1_module_optional_fields_none_defaults_and_config_class() -> None:
    models = models_of("app/legacy.py")
    user = models["app.legacy.LegacyUser"]
    assert user.location == Location("app/legacy.py", 12, 26)
    # the hand-written `to_camel` capitalises every word: PascalCase, as pydantic applies it
    assert (user.alias_generator, user.populate_by_name) == ("pascal", True)
    assert user.fields == (
        field("user_name", "str", wire="UserName", accepts_name=True),
        # v1: Optional without a default is optional
        field("nickname", "str | None", wire="Nickname", required=False, nullable=True,
              accepts_name=True),
        # v1: a None default makes the field accept null
        field("age", "int", wire="Age", required=False, nullable=True, accepts_name=True),
        # ... unless `...` insists on it
        field("email", "str | None", wire="Email", nullable=True, accepts_name=True),
        field("extra", "Any", wire="Extra", required=False, nullable=True, accepts_name=True),
        field("roles", "list[str]", wire="Roles", required=False, accepts_name=True),
    )  # fmt: skip
    assert models["app.legacy.LegacyPage"].fields == (
        field("items", "list[LegacyUser]"),
        field("cursor", "str | None", wire="nextCursor", required=False, nullable=True),
    )


def test_pydantic_version_per_class_and_per_file() -> None:
    models = snippet(
        """
from typing import Optional
from pydantic import BaseModel, ConfigDict
from pydantic.v1 import BaseModel as V1Model

class Old(V1Model):
    note: Optional[str]

class New(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    note: Optional[str]
    count: int = None
"""
    )
    assert models["app.models.Old"].fields == (
        field("note", "str | None", required=False, nullable=True),
    )
    assert models["app.models.New"].fields == (
        field("note", "str | None", nullable=True),
        # v2 does not validate defaults: a None default does not make null valid input
        field("count", "int", required=False),
    )


def test_a_nested_config_class_marks_a_class_v1_in_a_file_without_other_signals() -> None:
    models = snippet(
        """
from typing import Optional
from pydantic import BaseModel

class Old(BaseModel):
    note: Optional[str]

    class Config:
        orm_mode = True

class Plain(BaseModel):
    note: Optional[str]
"""
    )
    # orm_mode is a v1 signal for the file; with no v2 signal, both classes are v1
    assert models["app.models.Old"].fields[0].required is False
    assert models["app.models.Plain"].fields[0].required is False
    assert "app.models.Old.Config" not in models


# --- alias generators --------------------------------------------------------------------------


def test_alias_generators_known_hand_written_and_unknown() -> None:
    models = snippet(
        """
import humps
from pydantic import AliasGenerator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel, to_snake
from app.utils import to_camel as project_camel

def camelize(value):
    return re.sub("_([a-z])", lambda m: m.group(1).upper(), value)

def shout(value):
    return value.upper()

class FromHumps(BaseModel, alias_generator=humps.camelize, populate_by_name=True):
    user_id: int

class FromProject(BaseModel):
    model_config = {"alias_generator": project_camel}
    user_id: int

class FromAliasGenerator(BaseModel):
    model_config = ConfigDict(
        alias_generator=AliasGenerator(validation_alias=to_camel, serialization_alias=to_snake)
    )
    user_id: int

class FromLambda(BaseModel):
    model_config = ConfigDict(alias_generator=lambda s: "".join(w.title() for w in s.split("_")))
    user_id: int

class FromRegex(BaseModel):
    model_config = ConfigDict(alias_generator=camelize, validate_by_name=True)
    user_id: int

class Unreadable(BaseModel):
    model_config = ConfigDict(alias_generator=shout)
    user_id: int
"""
    )

    def summary(name: str) -> tuple[str | None, str, bool]:
        model = models[f"app.models.{name}"]
        return model.alias_generator, model.fields[0].wire_name, model.fields[0].accepts_name

    assert summary("FromHumps") == ("camel", "userId", True)
    # imported from elsewhere in the project: pydantic's docs once showed a PascalCase
    # `to_camel`, so the name alone decides nothing
    assert summary("FromProject") == ("unknown", "user_id", False)
    assert summary("FromAliasGenerator") == ("camel", "userId", False)
    assert summary("FromLambda") == ("pascal", "UserId", False)
    assert summary("FromRegex") == ("camel", "userId", True)
    assert summary("Unreadable") == ("unknown", "user_id", False)


@pytest.mark.parametrize(
    ("style", "name", "expected"),
    [
        # outputs of pydantic.alias_generators 2.14 for the same inputs
        ("camel", "user_id", "userId"),
        ("camel", "userId", "userId"),
        ("camel", "http_response_2xx", "httpResponse2Xx"),
        ("camel", "_private_name", "_privateName"),
        ("camel", "a_b_c", "aBC"),
        ("pascal", "user_id", "UserId"),
        ("pascal", "userId", "Userid"),
        ("snake", "userId", "user_id"),
        ("snake", "v2_api", "v_2_api"),
        ("unknown", "user_id", "user_id"),
        (None, "user_id", "user_id"),
    ],
)
def test_generated_names_match_pydantic(style: str | None, name: str, expected: str) -> None:
    assert generated_name(style, name) == expected


# --- types -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "text", "nullable"),
    [
        ("typing.List[typing.Optional[int]]", "list[int | None]", False),
        ("Optional[Union[int, str]]", "int | str | None", True),
        ("Union[None, int]", "int | None", True),
        ("None | int", "int | None", True),
        ("Optional[Optional[int]]", "int | None", True),
        ("t.Dict[str, 'Pet']", "dict[str, Pet]", False),
        ("Annotated[Optional[int], Field(ge=0)]", "int | None", True),
        ("tuple[int, ...]", "tuple[int, ...]", False),
        ("Literal['a', \"b\", 3, True]", 'Literal["a", "b", 3, True]', False),
        ("models.Pet", "models.Pet", False),
        ("Any", "Any", True),
        ("Callable[[int], str]", "Callable[[int], str]", False),
    ],
)
def test_annotations_are_normalised(annotation: str, text: str, nullable: bool) -> None:
    models = snippet(
        f"""
import typing
import typing as t
from typing import Annotated, Any, Callable, Literal, Optional, Union
from pydantic import BaseModel, Field
from app import models

class Shape(BaseModel):
    value: {annotation}
"""
    )
    value = models["app.models.Shape"].fields[0]
    assert (value.type, value.nullable) == (text, nullable)


# --- TypedDict, dataclasses, attrs, NamedTuple -------------------------------------------------


def test_typeddicts_totality_and_required_markers() -> None:
    models = models_of("app/contracts.py")
    assert models["app.contracts.RelayPayload"].kind == "typeddict"
    assert models["app.contracts.RelayPayload"].location == Location("app/contracts.py", 11, 14)
    assert models["app.contracts.RelayPayload"].fields == (
        field("event", "str"),
        field("delivery_id", "str"),
        field("attempt", "int", required=False),
    )
    # the parent's keys keep the parent's totality; total=False covers only the new ones
    assert models["app.contracts.RelayPatch"].fields == (
        field("event", "str"),
        field("delivery_id", "str"),
        field("attempt", "int", required=False),
        field("reason", "str | None", required=False, nullable=True),
        field("actor", "str"),
    )
    functional = models["app.contracts.RelayResult"]
    assert (functional.kind, functional.location.line) == ("typeddict", 22)
    assert functional.fields == (
        field("job-id", "str", required=False),
        field("ok", "bool", required=False),
        field("error", "str | None", required=False, nullable=True),
    )


def test_functional_typeddict_with_keywords() -> None:
    models = snippet(
        'from typing import TypedDict\n\nPoint = TypedDict("Point", x=int, y="float")\n'
    )
    assert models["app.models.Point"].fields == (field("x", "int"), field("y", "float"))


def test_dataclasses_attrs_and_namedtuples() -> None:
    models = models_of("app/contracts.py")
    score = models["app.contracts.Score"]
    assert (score.kind, score.location.line) == ("dataclass", 26)
    assert score.fields == (
        field("value", "float"),
        field("label", "str", required=False),
        field("reasons", "list[str]", required=False),
        field("weight", "float | None", required=False, nullable=True),
        field("trace", "str", required=False),
        # a dataclass field may be private: it is still a constructor argument
        field("_cached", "int", required=False),
    )
    detailed = models["app.contracts.DetailedScore"]
    assert [f.name for f in detailed.fields][-2:] == ["_cached", "detail"]
    assert len(detailed.fields) == 7
    # attr.s without auto_attribs: only attr.ib() makes a field; no annotation, no type
    assert models["app.contracts.RelayAttempt"].fields == (
        field("key", ""),
        field("count", "int", required=False),
    )
    assert models["app.contracts.Window"].fields == (
        field("start", "int"),
        field("end", "int | None", required=False, nullable=True),
    )
    point = models["app.contracts.Point"]
    assert (point.kind, point.fields) == (
        "namedtuple",
        (field("x", "float"), field("y", "float", required=False)),
    )


def test_dataclass_letter_case_and_pydantic_dataclass_aliases() -> None:
    models = snippet(
        """
from dataclasses import dataclass, field, KW_ONLY, InitVar
from typing import ClassVar
from dataclasses_json import LetterCase, dataclass_json
from pydantic import Field
from pydantic.dataclasses import dataclass as pydantic_dataclass

@dataclass_json(letter_case=LetterCase.CAMEL)
@dataclass
class Card:
    first_name: str
    _: KW_ONLY
    seed: InitVar[int] = 0
    kind: ClassVar[str] = "card"
    last_name: str = field(default="")

@pydantic_dataclass
class Quote:
    unit_price: int = Field(alias="unitPrice")
    currency: str = Field(default="EUR")
"""
    )
    card = models["app.models.Card"]
    assert card.alias_generator == "camel"
    assert card.fields == (
        field("first_name", "str", wire="firstName"),
        field("last_name", "str", wire="lastName", required=False),
    )
    assert models["app.models.Quote"].fields == (
        field("unit_price", "int", wire="unitPrice"),
        field("currency", "str", required=False),
    )


# --- what is not a model -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["app/vendors/models.py", "app/orders/models.py", "app/db/models.py"]
)
def test_trap_files_reach_the_model_family(path: str) -> None:
    # otherwise the trap tests below would pass for the prefilter's sake
    assert may_hold_facts(path, (ROOT / path).read_text(encoding="utf-8"))


def test_a_base_model_of_another_library_without_pydantic_is_no_model() -> None:
    assert models_of("app/vendors/models.py") == {}


def test_django_and_sqlalchemy_models_are_no_models() -> None:
    assert list(models_of("app/orders/models.py")) == ["app.orders.models.OrderOut"]
    # Account (a `__tablename__`) and Session (Mapped[...]) derive from the project's
    # declarative Base in a file that also imports pydantic
    db = models_of("app/db/models.py")
    assert list(db) == ["app.db.models.AccountOut"]
    assert db["app.db.models.AccountOut"].fields == (field("id", "int"), field("email", "str"))


def test_a_project_base_named_like_a_model_is_taken_for_one_without_pydantic() -> None:
    schemas = models_of("app/api/schemas.py")
    # UserPage derives from a project class not named like a model, in a file without pydantic
    assert list(schemas) == ["app.api.schemas.UserOut"]
    out = schemas["app.api.schemas.UserOut"]
    assert (out.kind, out.bases) == ("pydantic", ("app.schemas.base.CamelModel",))
    assert out.fields == (
        field("id", "int"),
        field("display_name", "str | None", required=False, nullable=True),
    )


def test_project_classes_that_only_look_like_models_are_not_taken() -> None:
    models = snippet(
        """
from pydantic import BaseModel
from app.errors import AppError
from app.testing import TestBase
from app.matrix import MatrixBase
from app.settings import BaseConfig

class NotFound(AppError):
    code = 404

class TestCandidate(TestBase):
    def __init__(self) -> None:
        self.ready = True

class Sparse(MatrixBase):
    _rep: dict

class Payload(BaseModel):
    class Config(BaseConfig):
        env_prefix: str = "APP_"
    value: int
""",
        path="app/api/handlers.py",
    )
    assert list(models) == ["app.api.handlers.Payload"]


def test_project_bases_named_like_models_in_a_file_without_pydantic() -> None:
    models = snippet(
        """
from app.testing import TestBase
from .helpers import TooltipBase
from app.shared import ApiSchema

class TestCandidate(TestBase):
    def test_ready(self) -> None:
        assert True

class Tooltip(TooltipBase):
    text: str

    def __init__(self, text: str) -> None:
        self.text = text

class Quote(ApiSchema):
    unit_price: int
""",
        path="app/ui/schemas.py",
    )
    # no fields, or an __init__: not how a pydantic model reads
    assert list(models) == ["app.ui.schemas.Quote"]


def test_classes_that_reach_themselves_and_plain_classes() -> None:
    models = snippet(
        """
from pydantic import BaseModel

class Loop(Knot):
    value: int

class Knot(Loop):
    other: int

class Plain:
    value: int = 0

class Tree(BaseModel):
    children: list["Tree"] = []
"""
    )
    assert list(models) == ["app.models.Tree"]
    assert models["app.models.Tree"].fields == (field("children", "list[Tree]", required=False),)
