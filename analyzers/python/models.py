"""Data models: the shapes services exchange, with their fields as they appear on the wire.

One `DataModel` per class that is a pydantic model (kind "pydantic", or
"settings" for pydantic-settings), a dataclass (stdlib, pydantic or attrs), a
TypedDict (also the functional form), an enum or a NamedTuple. The decisions,
each taken to match what the library does at run time:

- Which classes: a base that resolves to a library root, or to another model
  class of the same module (its fields come first, the child's override them
  in place, as pydantic and dataclasses order them). A base imported from a
  module we cannot see is taken for a pydantic model only when its name ends
  in Model, Schema or Base, the class body shows no ORM (`__tablename__`,
  `Mapped[...]`, `Column(...)`), the base is not from a known non-API library
  (Django, SQLAlchemy, marshmallow, ML frameworks), and either the file imports
  pydantic or the base comes from the project itself (a relative import or a
  package on the file's own path) in a file that imports no ORM. Precision
  over recall: `from mylib import BaseModel` in a file without pydantic is not
  a model, nor is a Django `models.Model`.
- type: the annotation as written, normalised (`Optional[X]` and `Union[X,
  None]` -> `X | None`, `typing.List[X]` -> `list[X]`, `Annotated[X, ...]` ->
  `X`, quoted forward references unquoted, `Literal` strings double-quoted).
  Names of other models stay as written: the contract linker resolves them.
  "" when the code gives no type (an un-annotated `attr.ib()`).
- nullable: JSON null is accepted. From the annotation (`None` among its
  alternatives, or `Any`); under pydantic v1 also from a `= None` default, which
  v1 turns into `allow_none` and v2 does not (v2 does not validate defaults).
- required: no default; `...`, `Field(...)` and a `Field()` without a default
  or factory count as none. Under pydantic v1 a field whose annotation accepts
  None is optional unless given `...`. The version is the class's own (a
  `pydantic.v1` root, `model_config`, a nested `class Config`), else the file's
  (v1: `@validator`, `orm_mode`, `allow_population_by_field_name`, ...; v2:
  `ConfigDict`, `field_validator`, ...; v2 wins a tie), else v2.
- wire_name: `validation_alias`, else `alias`, else `serialization_alias`: one
  name, the one clients send, which is also what they receive except for a
  `serialization_alias`-only field (then the response is what matters). Else
  the alias generator's result, else the name. Known generators: pydantic's
  `to_camel`/`to_pascal`/`to_snake`, humps, stringcase, dataclasses-json
  letter cases, and functions of the same file whose body splits on "_" and
  capitalises. An unknown generator leaves names as they are and marks the
  model `alias_generator="unknown"`. `accepts_name` marks aliased fields that
  `populate_by_name` also accepts under their own name. A root model's value
  is the whole body: its `root`/`__root__` field has wire_name "".
- enum_values: from `Literal[...]` and from enums of the same module, for a
  field whose every alternative (after None, and inside list/set/Sequence) is
  one of them; enums imported from elsewhere are left to the contract linker.
  Enum members' values as strings; `auto()` follows the class (lower-case name
  for StrEnum, 1, 2, 3 for Enum and IntEnum, powers of two for Flag,
  `_generate_next_value_` returning the name); "" where the value is not visible.
- Cross-file inheritance: `DataModel.bases` names the model bases, and
  `compose_models`, run over the whole tree, merges in the fields, alias
  generator and `populate_by_name` of bases defined in other files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import libcst as cst

from analyzers.facts import DataModel, Fact, FileFacts, Location, ModelField
from analyzers.python.context import PyContext
from analyzers.python.module import ClassInfo, FunctionInfo, PyModule
from analyzers.python.syntax import UNKNOWN, descendants, dotted, kwarg, literal, positional

PYDANTIC = "pydantic"
SETTINGS = "settings"
DATACLASS = "dataclass"
TYPEDDICT = "typeddict"
ENUM = "enum"
NAMEDTUPLE = "namedtuple"

_V1_ROOTS = frozenset(
    {
        "pydantic.v1.BaseModel",
        "pydantic.v1.main.BaseModel",
        "pydantic.generics.GenericModel",
        "pydantic.v1.generics.GenericModel",
        "pydantic.BaseSettings",
        "pydantic.env_settings.BaseSettings",
        "pydantic.v1.BaseSettings",
        "pydantic.v1.env_settings.BaseSettings",
    }
)
_ROOT_MODELS = frozenset({"pydantic.RootModel", "pydantic.root_model.RootModel"})
_V2_ROOTS = _ROOT_MODELS | {"pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings"}
_ROOTS: dict[str, str] = {
    **dict.fromkeys(
        (
            "pydantic.BaseModel",
            "pydantic.main.BaseModel",
            "pydantic.v1.BaseModel",
            "pydantic.v1.main.BaseModel",
            "pydantic.generics.GenericModel",
            "pydantic.v1.generics.GenericModel",
            "sqlmodel.SQLModel",
            "sqlmodel.main.SQLModel",
            *_ROOT_MODELS,
        ),
        PYDANTIC,
    ),
    **dict.fromkeys(
        (
            "pydantic.BaseSettings",
            "pydantic.env_settings.BaseSettings",
            "pydantic.v1.BaseSettings",
            "pydantic.v1.env_settings.BaseSettings",
            "pydantic_settings.BaseSettings",
            "pydantic_settings.main.BaseSettings",
        ),
        SETTINGS,
    ),
    **dict.fromkeys(
        (
            "enum.Enum",
            "enum.IntEnum",
            "enum.StrEnum",
            "enum.Flag",
            "enum.IntFlag",
            "enum.ReprEnum",
            "strenum.StrEnum",
            "strenum.LowercaseStrEnum",
            "strenum.UppercaseStrEnum",
        ),
        ENUM,
    ),
    **dict.fromkeys(
        ("typing.TypedDict", "typing_extensions.TypedDict", "mypy_extensions.TypedDict"), TYPEDDICT
    ),
    **dict.fromkeys(("typing.NamedTuple", "typing_extensions.NamedTuple"), NAMEDTUPLE),
}
# What `auto()` makes of a member name, by enum root; the rest count 1, 2, 3.
_AUTO_STYLES = {
    "enum.StrEnum": "lower",
    "strenum.StrEnum": "name",
    "strenum.LowercaseStrEnum": "lower",
    "strenum.UppercaseStrEnum": "upper",
    "enum.Flag": "flag",
    "enum.IntFlag": "flag",
}
# Decorators that make a dataclass, and whose field() they understand.
_DATACLASS_DECORATORS = {
    "dataclasses.dataclass": "dataclass",
    "pydantic.dataclasses.dataclass": "dataclass",
    "pydantic.v1.dataclasses.dataclass": "dataclass",
    "attr.s": "attrs",
    "attr.attrs": "attrs",
    "attr.attributes": "attrs",
    "attr.define": "attrs-auto",
    "attr.mutable": "attrs-auto",
    "attr.frozen": "attrs-auto",
    "attrs.define": "attrs-auto",
    "attrs.mutable": "attrs-auto",
    "attrs.frozen": "attrs-auto",
    "attr.dataclass": "dataclass",
}
# Field specifiers, by how they take a default: pydantic and attrs accept it first.
_FIELD_FUNCTIONS = {
    **dict.fromkeys(
        (
            "pydantic.Field",
            "pydantic.fields.Field",
            "pydantic.v1.Field",
            "pydantic.v1.fields.Field",
            "sqlmodel.Field",
            "sqlmodel.main.Field",
        ),
        "pydantic",
    ),
    "dataclasses.field": "dataclass",
    **dict.fromkeys(("attr.ib", "attr.attrib", "attr.attr", "attr.field", "attrs.field"), "attrs"),
}
_ATTRS_FIELDS = frozenset(k for k, v in _FIELD_FUNCTIONS.items() if v == "attrs")
# Class attributes of a model that are not fields on the wire.
_NOT_FIELDS = frozenset(
    {
        "pydantic.PrivateAttr",
        "pydantic.fields.PrivateAttr",
        "pydantic.v1.PrivateAttr",
        "sqlmodel.Relationship",
        "sqlmodel.main.Relationship",
    }
)
_GENERATORS = {
    "pydantic.alias_generators.to_camel": "camel",
    "pydantic.alias_generators.to_pascal": "pascal",
    "pydantic.alias_generators.to_snake": "snake",
    "humps.camelize": "camel",
    "humps.main.camelize": "camel",
    "humps.pascalize": "pascal",
    "humps.main.pascalize": "pascal",
    "humps.decamelize": "snake",
    "humps.main.decamelize": "snake",
    "stringcase.camelcase": "camel",
    "stringcase.pascalcase": "pascal",
    "stringcase.snakecase": "snake",
}
_LETTER_CASES = {"CAMEL": "camel", "PASCAL": "pascal", "SNAKE": "snake"}
_STYLES = frozenset({"camel", "pascal", "snake"})
_BUILTIN_GENERICS = {
    "List": "list",
    "Dict": "dict",
    "Set": "set",
    "FrozenSet": "frozenset",
    "Tuple": "tuple",
    "Type": "type",
    "DefaultDict": "defaultdict",
    "Deque": "deque",
}
# Forms that wrap a type without changing what is on the wire.
_WRAPPERS = frozenset(
    {"Annotated", "Required", "NotRequired", "ReadOnly", "ClassVar", "Final", "InitVar"}
)
_CONTAINERS = frozenset(
    {"list", "set", "frozenset", "Sequence", "Iterable", "Collection", "AbstractSet", "tuple"}
)
# Libraries whose Model/Schema/Base classes are not API models.
_NOT_API = frozenset(
    {
        "django",
        "rest_framework",
        "sqlalchemy",
        "flask_sqlalchemy",
        "sqlalchemy_utils",
        "peewee",
        "tortoise",
        "mongoengine",
        "pony",
        "marshmallow",
        "graphene",
        "strawberry",
        "wtforms",
        "torch",
        "tensorflow",
        "keras",
        "transformers",
        "sklearn",
        "typing",
        "typing_extensions",
        "abc",
        "enum",
        "collections",
        "unittest",
    }
)
_ORMS = frozenset(
    {"django", "sqlalchemy", "flask_sqlalchemy", "peewee", "tortoise", "mongoengine", "pony"}
)
_ORM_CALLS = frozenset({"Column", "mapped_column", "relationship", "ForeignKey", "backref"})
_ORM_ATTRS = frozenset({"__tablename__", "__table__", "__table_args__", "__mapper_args__"})
_MODEL_SUFFIXES = ("Model", "Schema", "Base")
_WORDS = (
    "BaseModel",
    "SQLModel",
    "Settings",
    "RootModel",
    "GenericModel",
    "TypedDict",
    "NamedTuple",
    "dataclass",
    "Enum",
    "Flag",
    "attr",
    "Model",
    "Schema",
    "Base",
)
_V1_SIGNALS = re.compile(
    r"@(?:\w+\.)?(?:root_)?validator\b|\ballow_population_by_field_name\b|\borm_mode\b|"
    r"\bpydantic\.v1\b|\bGenericModel\b|\b__root__\b|^[ \t]+class Config\b",
    re.MULTILINE,
)
_V2_SIGNALS = re.compile(
    r"\bmodel_config\b|\bConfigDict\b|@(?:\w+\.)?(?:field|model)_(?:validator|serializer)\b|"
    r"\bRootModel\b|\bpydantic_settings\b|\bcomputed_field\b|\b(?:validation|serialization)_alias\b"
)


def extract(ctx: PyContext) -> Iterator[Fact]:
    if not ctx.module.classes and not ctx.mentions("TypedDict"):
        return iter(())
    if not ctx.mentions(*_WORDS):
        return iter(())
    return _Models(ctx).extract()


# --- what a class is ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    kind: str
    flavour: str = ""  # dataclass: dataclass|attrs|attrs-auto; enum: the auto() style
    parents: tuple[ClassInfo, ...] = ()  # model bases in this module, in base order
    foreign: tuple[str, ...] = ()  # model bases from other modules, by qualified name
    version: int | None = None  # pydantic major version its root implies
    root: bool = False  # RootModel: the value is the whole body
    root_type: cst.BaseExpression | None = None  # RootModel[X]'s X


@dataclass(frozen=True)
class _Config:
    generator: str | None = None
    by_name: bool | None = None
    version: int | None = None

    def over(self, parent: _Config) -> _Config:
        return _Config(
            self.generator if self.generator is not None else parent.generator,
            self.by_name if self.by_name is not None else parent.by_name,
            self.version if self.version is not None else parent.version,
        )


@dataclass(frozen=True)
class _Default:
    present: bool = False  # a default value or factory: the field may be left out
    ellipsis: bool = False  # `...` given: required even where the annotation allows None (v1)
    none: bool = False  # the default is None
    alias: str | None = None
    skip: bool = False  # not a field at all (PrivateAttr, Relationship)
    type: cst.BaseExpression | None = None  # attr.ib(type=...)


@dataclass(frozen=True)
class _Spec:
    """A field as declared, before a model's configuration turns it into a `ModelField`."""

    name: str
    type: str
    nullable: bool
    default: _Default
    enum_values: tuple[str, ...]
    required: bool | None = None  # TypedDict Required[...] / NotRequired[...]
    location: Location | None = None


class _Models:
    def __init__(self, ctx: PyContext) -> None:
        self.ctx = ctx
        self.m: PyModule = ctx.module
        self.by_name = {f"{self.m.name}.{c.qualname}": c for c in self.m.classes}
        self.by_qualname = {c.qualname: c for c in self.m.classes}
        self.heads = {c.qualname.partition(".")[0] for c in self.m.classes}
        self.kinds: dict[ClassInfo, _Kind | None] = {}
        self.members: dict[ClassInfo, list[tuple[str, str]]] = {}
        self.specs: dict[ClassInfo, dict[str, _Spec]] = {}
        self.configs: dict[ClassInfo, _Config] = {}
        self.styles: dict[str, str] = {}
        self.types = _Types(self)
        tops = {q.partition(".")[0] for q in self.m.scope.imports.values()}
        self.imports_pydantic = bool(tops & {"pydantic", "pydantic_settings", "sqlmodel"})
        self.imports_orm = bool(tops & _ORMS)
        self.own_packages = set(self.m.name.split("."))
        v1 = bool(_V1_SIGNALS.search(ctx.text))
        self.file_version = 1 if v1 and not _V2_SIGNALS.search(ctx.text) else 2

    # --- names ---------------------------------------------------------------------------------

    def qualify(self, expr: cst.BaseExpression | None) -> tuple[str, bool] | None:
        """The qualified name of a dotted expression, and whether it names an import.

        A fast path over `PyModule.qualified`, which scans every class and function
        for a name it cannot find: class bases and annotations are mostly such names.
        """
        name = dotted(expr)
        if name is None:
            return None
        head = name.partition(".")[0]
        scope = self.m.scope
        if head in scope.imports:
            return scope.imports[head] + name[len(head) :], True
        if head in scope.values:
            qualified = self.m.qualified(expr, None)
            return (qualified, False) if qualified else None
        if head in self.heads:
            return f"{self.m.name}.{name}", False
        return name, False

    def callee(self, expr: cst.BaseExpression | None) -> str:
        if not isinstance(expr, cst.Call):
            return ""
        found = self.qualify(expr.func)
        return found[0] if found else ""

    def local_class(self, name: str, near: ClassInfo | None = None) -> ClassInfo | None:
        found = self.by_name.get(name)
        if found is None and near is not None and "." in near.qualname:
            # A bare name in a class body also sees the classes beside it in the outer class.
            outer = near.qualname.rpartition(".")[0]
            found = self.by_qualname.get(f"{outer}.{name.rpartition('.')[2]}")
        return found

    # --- classification ------------------------------------------------------------------------

    def kind_of(self, cls: ClassInfo) -> _Kind | None:
        if cls in self.kinds:
            return self.kinds[cls]
        self.kinds[cls] = None  # a class that reaches itself through its bases is no model
        found = self.classify(cls)
        self.kinds[cls] = found
        return found

    def classify(self, cls: ClassInfo) -> _Kind | None:
        roots: list[str] = []
        parents: list[tuple[ClassInfo, _Kind]] = []
        foreign: list[str] = []
        root_type: cst.BaseExpression | None = None
        for base in cls.bases:
            head = base.value if isinstance(base, cst.Subscript) else base
            found = self.qualify(head)
            if found is None:
                continue
            name, imported = found
            if name in _ROOTS:
                roots.append(name)
                if name in _ROOT_MODELS and isinstance(base, cst.Subscript):
                    root_type = _first_arg(base)
                continue
            parent = self.local_class(name, cls)
            if parent is not None and parent is not cls:
                parent_kind = self.kind_of(parent)
                if parent_kind is not None:
                    parents.append((parent, parent_kind))
                continue
            if imported and self.looks_like_model(cls, name):
                foreign.append(name)
        decorator = self.dataclass_flavour(cls)
        kinds = [_ROOTS[r] for r in roots] + [k.kind for _, k in parents]
        # The base's metaclass decides what the class is: `@dataclass class C(Enum)` is an
        # enum, a model mixing BaseSettings in reads the environment. Decorators come next,
        # and a guess from the name of a base we cannot see comes last.
        for kind in (ENUM, TYPEDDICT, NAMEDTUPLE, SETTINGS, PYDANTIC):
            if kind in kinds:
                break
        else:
            if decorator is not None:
                kind = DATACLASS
            elif foreign:
                kind = PYDANTIC
            else:
                return None
        if kind == NAMEDTUPLE and NAMEDTUPLE not in (_ROOTS[r] for r in roots):
            return None  # a subclass of a NamedTuple class is a plain tuple subclass
        family = {kind, PYDANTIC, SETTINGS} if kind in (PYDANTIC, SETTINGS) else {kind}
        own_parents = tuple(p for p, k in parents if k.kind in family)
        version = None
        flavour = decorator or ""
        if kind in (PYDANTIC, SETTINGS):
            if any(r in _V1_ROOTS for r in roots):
                version = 1
            elif any(r in _V2_ROOTS for r in roots):
                version = 2
        elif kind == ENUM:
            flavour = next((_AUTO_STYLES[r] for r in roots if r in _AUTO_STYLES), "")
            flavour = flavour or next((k.flavour for _, k in parents if k.kind == ENUM), "int")
        inherited_root = any(k.root for _, k in parents)
        return _Kind(
            kind,
            flavour,
            own_parents,
            tuple(foreign) if kind in (PYDANTIC, SETTINGS) else (),
            version,
            bool(root_type is not None or any(r in _ROOT_MODELS for r in roots) or inherited_root),
            root_type,
        )

    def dataclass_flavour(self, cls: ClassInfo) -> str | None:
        for decorator in cls.node.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            found = self.qualify(call.func if call is not None else expr)
            flavour = _DATACLASS_DECORATORS.get(found[0]) if found else None
            if flavour is None:
                continue
            auto_attribs = literal(kwarg(call, "auto_attribs")) if call is not None else None
            return "dataclass" if flavour == "attrs" and auto_attribs is True else flavour
        return None

    def looks_like_model(self, cls: ClassInfo, base: str) -> bool:
        """A base from a module we cannot see that is most likely a pydantic model.

        The class must read like a model: no `__init__` or `__new__`, and public fields
        if it annotates anything. Then a base named like a model (Model, Schema, Base)
        in a file that uses pydantic is taken; otherwise the base must come from the
        project itself and the class declare fields, in a file that uses pydantic
        whatever the base's name, or in one that uses neither pydantic nor an ORM when
        it is named like a model. Project bases such as `TestBase` or `MatrixBase` are
        common and rarely read like this. A nested `Config` or `Meta` is configuration.
        """
        top = base.partition(".")[0]
        if top in _NOT_API or self.orm_like(cls):
            return False
        if "." in cls.qualname and cls.qualname.rpartition(".")[2] in ("Config", "Meta"):
            return False
        if {"__init__", "__new__"} & cls.methods.keys():
            return False
        public = any(not name.startswith("_") for name in cls.scope.annotations)
        if cls.scope.annotations and not public:
            return False
        model_named = base.rpartition(".")[2].endswith(_MODEL_SUFFIXES)
        if model_named and self.imports_pydantic:
            return True
        if top not in self.own_packages or not public:
            return False
        return self.imports_pydantic or (model_named and not self.imports_orm)

    def orm_like(self, cls: ClassInfo) -> bool:
        if any(name in cls.scope.values for name in _ORM_ATTRS):
            return True
        for annotation in cls.scope.annotations.values():
            head = annotation.value if isinstance(annotation, cst.Subscript) else annotation
            if (dotted(head) or "").endswith("Mapped"):
                return True
        for value in cls.scope.values.values():
            callee = self.callee(value)
            if callee.rpartition(".")[2] in _ORM_CALLS or callee.partition(".")[0] in _ORMS:
                return True
        return False

    # --- emission ------------------------------------------------------------------------------

    def extract(self) -> Iterator[Fact]:
        for cls in self.m.classes:
            kind = self.kind_of(cls)
            if kind is not None:
                yield self.model(cls, kind)
        if self.ctx.mentions("TypedDict"):
            yield from self.functional_typeddicts()

    def model(self, cls: ClassInfo, kind: _Kind) -> DataModel:
        name = f"{self.m.name}.{cls.qualname}"
        location = self.ctx.loc(cls.node)
        if kind.kind == ENUM:
            fields = tuple(
                ModelField(member, value, "enum", True, False, (value,) if value else ())
                for member, value in self.enum_members(cls)
            )
            return DataModel(self.ctx.service, location, name, ENUM, fields)
        if kind.kind in (PYDANTIC, SETTINGS):
            config = self.config(cls)
            version = config.version or self.file_version
            fields = tuple(
                _pydantic_field(spec, config, version, kind.root)
                for spec in self.field_specs(cls).values()
            )
            bases = tuple(f"{self.m.name}.{p.qualname}" for p in kind.parents) + kind.foreign
            return DataModel(
                self.ctx.service,
                location,
                name,
                kind.kind,
                fields,
                bases=bases,
                alias_generator=config.generator,
                populate_by_name=bool(config.by_name),
            )
        generator = self.letter_case(cls) if kind.kind == DATACLASS else None
        fields = tuple(_plain_field(spec, generator) for spec in self.field_specs(cls).values())
        return DataModel(
            self.ctx.service, location, name, kind.kind, fields, alias_generator=generator
        )

    # --- fields --------------------------------------------------------------------------------

    def field_specs(self, cls: ClassInfo) -> dict[str, _Spec]:
        """The class's fields by name, its bases' first, in the order the library keeps."""
        if cls in self.specs:
            return self.specs[cls]
        self.specs[cls] = {}
        kind = self.kind_of(cls)
        if kind is None:
            return {}
        merged: dict[str, _Spec] = {}
        # pydantic and dataclasses walk the MRO from its far end, TypedDict its bases in order.
        parents = kind.parents if kind.kind == TYPEDDICT else tuple(reversed(kind.parents))
        for parent in parents:
            merged.update(self.field_specs(parent))
        for spec in self.own_specs(cls, kind):
            merged[spec.name] = spec
        if kind.root and kind.root_type is not None and "root" not in merged:
            root = self.spec("root", kind.root_type, None, kind)
            if root is not None:
                merged["root"] = root
        self.specs[cls] = merged
        return merged

    def own_specs(self, cls: ClassInfo, kind: _Kind) -> Iterator[_Spec]:
        attrs_ib_only = kind.flavour == "attrs" or (
            kind.flavour == "attrs-auto" and self.unannotated_attribs(cls)
        )
        total = literal(cls.keywords.get("total")) is not False
        for name, annotation, value, target in _assignments(cls.node):
            if attrs_ib_only:
                if self.callee(value) not in _ATTRS_FIELDS:
                    continue  # attrs without auto_attribs: only attr.ib() makes a field
            elif annotation is None:
                continue
            if kind.kind in (PYDANTIC, SETTINGS) and (
                name == "model_config" or (name.startswith("_") and name != "__root__")
            ):
                continue
            spec = self.spec(name, annotation, value, kind, total)
            if spec is not None:
                yield replace(spec, location=self.ctx.loc(target))

    def unannotated_attribs(self, cls: ClassInfo) -> bool:
        return any(
            annotation is None and self.callee(value) in _ATTRS_FIELDS
            for _, annotation, value, _ in _assignments(cls.node)
        )

    def spec(
        self,
        name: str,
        annotation: cst.BaseExpression | None,
        value: cst.BaseExpression | None,
        kind: _Kind,
        total: bool = True,
    ) -> _Spec | None:
        core, wrappers, metadata = self.types.unwrap(annotation)
        skip = {"ClassVar", "InitVar", "KW_ONLY"} & wrappers
        if skip or ("Final" in wrappers and value is not None and kind.kind != DATACLASS):
            return None
        default = self.default(value, metadata)
        if default.skip:
            return None
        if core is None and default.type is not None:
            core = default.type
        required = None
        if kind.kind == TYPEDDICT:
            required = "Required" in wrappers or (total and "NotRequired" not in wrappers)
        return _Spec(
            name,
            self.types.text(core) if core is not None else "",
            core is not None and self.types.nullable(core),
            default,
            self.types.enum_values(core) if core is not None else (),
            required,
        )

    def default(
        self, value: cst.BaseExpression | None, metadata: Sequence[cst.BaseExpression]
    ) -> _Default:
        present = ellipsis = none = False
        alias: str | None = None
        hint: cst.BaseExpression | None = None
        calls = [m for m in metadata if self.callee(m) in _FIELD_FUNCTIONS]
        if value is not None:
            callee = self.callee(value)
            if callee in _NOT_FIELDS:
                return _Default(skip=True)
            if callee in _FIELD_FUNCTIONS:
                calls.append(value)
            elif isinstance(value, cst.Ellipsis):
                ellipsis = True
            else:
                present, none = True, literal(value) is None
        for call in calls:
            if not isinstance(call, cst.Call):
                continue
            style = _FIELD_FUNCTIONS[self.callee(call)]
            given = kwarg(call, "default")
            if given is None and style != "dataclass":
                given = positional(call, 0)
            if isinstance(given, cst.Ellipsis):
                ellipsis = True
            elif given is not None:
                present, none = True, literal(given) is None
            if any(kwarg(call, k) is not None for k in ("default_factory", "factory")):
                present = True
            if style == "dataclass" and literal(kwarg(call, "init")) is False:
                present = True  # not a constructor argument: never required
            alias = alias or _alias(call)
            hint = hint if hint is not None else kwarg(call, "type")
        return _Default(present, ellipsis, none, alias, False, hint)

    # --- configuration -------------------------------------------------------------------------

    def config(self, cls: ClassInfo) -> _Config:
        if cls in self.configs:
            return self.configs[cls]
        self.configs[cls] = _Config()
        kind = self.kind_of(cls)
        inherited = _Config(version=kind.version if kind else None)
        # The first base's settings win, as pydantic merges configs along the MRO.
        for parent in reversed(kind.parents if kind else ()):
            inherited = self.config(parent).over(inherited)
        found = self.own_config(cls).over(inherited)
        self.configs[cls] = found
        return found

    def own_config(self, cls: ClassInfo) -> _Config:
        items: dict[str, cst.BaseExpression] = {}
        version = None
        inner = self.by_qualname.get(f"{cls.qualname}.Config")
        if inner is not None:
            items.update(inner.scope.values)
            version = 1
        model_config = cls.scope.values.get("model_config")
        if model_config is not None:
            items.update(_config_items(model_config))
            version = 2
        items.update({k: v for k, v in cls.keywords.items() if k != "metaclass"})
        generator = None
        if "alias_generator" in items:
            generator = self.generator_style(items["alias_generator"])
        by_name = None
        for key in ("populate_by_name", "validate_by_name", "allow_population_by_field_name"):
            flag = literal(items.get(key))
            if isinstance(flag, bool):
                by_name = flag
        return _Config(generator, by_name, version)

    def generator_style(self, expr: cst.BaseExpression) -> str | None:
        if literal(expr) is None:
            return None
        if isinstance(expr, cst.Lambda):
            return _body_style(expr.body)
        if isinstance(expr, cst.Call):
            if self.callee(expr).endswith("AliasGenerator"):
                for inner in (kwarg(expr, "validation_alias"), kwarg(expr, "alias")):
                    if inner is not None:
                        return self.generator_style(inner)
                first = positional(expr, 0)
                return self.generator_style(first) if first is not None else None
            return "unknown"
        found = self.qualify(expr)
        if found is None:
            return "unknown"
        name = found[0]
        if name in _GENERATORS:
            return _GENERATORS[name]
        if name not in self.styles:
            self.styles[name] = "unknown"
            function = self.local_function(name)
            if function is not None:
                self.styles[name] = _body_style(function.node)
        return self.styles[name]

    def local_function(self, name: str) -> FunctionInfo | None:
        for function in self.m.functions:
            if (
                function.parent is None
                and function.cls is None
                and f"{self.m.name}.{function.qualname}" == name
            ):
                return function
        return None

    def letter_case(self, cls: ClassInfo) -> str | None:
        """dataclasses-json's `@dataclass_json(letter_case=LetterCase.CAMEL)`."""
        for decorator in cls.node.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call) and self.callee(call).endswith("dataclass_json"):
                case = dotted(kwarg(call, "letter_case")) or ""
                return _LETTER_CASES.get(case.rpartition(".")[2], "unknown" if case else None)
        return None

    # --- enums ---------------------------------------------------------------------------------

    def enum_members(self, cls: ClassInfo) -> list[tuple[str, str]]:
        """Each member's name and value as a string ("" where the code does not show it)."""
        if cls in self.members:
            return self.members[cls]
        kind = self.kind_of(cls)
        auto_style = kind.flavour if kind else "int"
        custom_new = "__new__" in cls.methods
        next_value = cls.methods.get("_generate_next_value_")
        if next_value is None and kind is not None:
            for parent in kind.parents:
                next_value = parent.methods.get("_generate_next_value_") or next_value
        if next_value is not None:
            auto_style = _next_value_style(next_value.node)
        found: list[tuple[str, str]] = []
        names: set[str] = set()
        values: list[object] = []
        for name, annotation, assigned, _ in _assignments(cls.node):
            if annotation is not None or assigned is None or name.startswith("_"):
                continue
            if isinstance(assigned, cst.Lambda) or name in names:
                continue
            callee = self.callee(assigned).rpartition(".")[2]
            if callee in ("nonmember", "property", "staticmethod", "classmethod"):
                continue
            value: cst.BaseExpression | None = assigned
            if callee == "member" and isinstance(assigned, cst.Call):
                value = positional(assigned, 0)
            if isinstance(value, cst.Name) and value.value in names:
                continue  # an alias of an earlier member
            if callee == "auto":
                computed = _auto_value(auto_style, name, values)
            else:
                computed = literal(value)
                if computed is UNKNOWN and isinstance(value, cst.Name):
                    computed = literal(self.m.scope.values.get(value.value))
                if isinstance(computed, tuple):
                    # A tuple value with a custom __new__ is (value, extras...), as in HTTPStatus.
                    computed = computed[0] if custom_new and computed else UNKNOWN
            values.append(computed)
            names.add(name)
            found.append((name, _wire(computed) or ""))
        self.members[cls] = found
        return found

    def enum_class(self, expr: cst.BaseExpression) -> ClassInfo | None:
        found = self.qualify(expr)
        cls = self.local_class(found[0]) if found else None
        kind = self.kind_of(cls) if cls is not None else None
        return cls if kind is not None and kind.kind == ENUM else None

    # --- functional TypedDict ------------------------------------------------------------------

    def functional_typeddicts(self) -> Iterator[DataModel]:
        for target, value in self.m.scope.values.items():
            if not isinstance(value, cst.Call) or _ROOTS.get(self.callee(value)) != TYPEDDICT:
                continue
            total = literal(kwarg(value, "total")) is not False
            keys: list[tuple[str, cst.BaseExpression]] = []
            shape = positional(value, 1)
            if isinstance(shape, cst.Dict):
                for element in shape.elements:
                    key = literal(element.key) if isinstance(element, cst.DictElement) else None
                    if isinstance(element, cst.DictElement) and isinstance(key, str):
                        keys.append((key, element.value))
            else:
                keys = [
                    (a.keyword.value, a.value)
                    for a in value.args
                    if a.keyword is not None and a.keyword.value != "total"
                ]
            kind = _Kind(TYPEDDICT)
            specs = (self.spec(key, annotation, None, kind, total) for key, annotation in keys)
            fields = tuple(_plain_field(spec, None) for spec in specs if spec is not None)
            yield DataModel(
                self.ctx.service, self.ctx.loc(value), f"{self.m.name}.{target}", TYPEDDICT, fields
            )


# --- types -------------------------------------------------------------------------------------


class _Types:
    """Annotations as normalised text, and what they say about None and enumerations."""

    def __init__(self, models: _Models) -> None:
        self.models = models
        self.parsed: dict[str, cst.BaseExpression | None] = {}

    def form(self, expr: cst.BaseExpression) -> str | None:
        """The typing name `expr` stands for ("Optional", "List", ...) or a builtin's name."""
        found = self.models.qualify(expr)
        if found is None:
            return None
        name = found[0]
        for prefix in ("typing.", "typing_extensions.", "dataclasses."):
            if name.startswith(prefix):
                return name[len(prefix) :]
        return name if "." not in name else None

    def unquote(self, expr: cst.BaseExpression) -> cst.BaseExpression | None:
        if not isinstance(expr, cst.SimpleString | cst.ConcatenatedString):
            return expr
        text = literal(expr)
        if not isinstance(text, str):
            return None
        if text not in self.parsed:
            try:
                self.parsed[text] = cst.parse_expression(text.strip())
            except cst.ParserSyntaxError:
                self.parsed[text] = None
        return self.parsed[text]

    def unwrap(
        self, annotation: cst.BaseExpression | None
    ) -> tuple[cst.BaseExpression | None, set[str], list[cst.BaseExpression]]:
        """The type inside Annotated/Required/ClassVar/..., those wrappers, and the metadata."""
        wrappers: set[str] = set()
        metadata: list[cst.BaseExpression] = []
        expr = self.unquote(annotation) if annotation is not None else None
        while expr is not None:
            if isinstance(expr, cst.Subscript):
                form = self.form(expr.value)
                if form not in _WRAPPERS:
                    break
                wrappers.add(form or "")
                args = _args(expr)
                metadata.extend(args[1:] if form == "Annotated" else ())
                expr = self.unquote(args[0]) if args else None
            elif isinstance(expr, cst.Name | cst.Attribute):
                form = self.form(expr)
                if form in ("ClassVar", "Final", "KW_ONLY"):
                    wrappers.add(form or "")
                    expr = None
                break
            else:
                break
        return expr, wrappers, metadata

    def alternatives(self, expr: cst.BaseExpression) -> list[cst.BaseExpression]:
        """The members of a union, flattened; Optional adds None."""
        inner = self.unquote(expr)
        if inner is None:
            return [expr]
        if isinstance(inner, cst.BinaryOperation) and isinstance(inner.operator, cst.BitOr):
            return self.alternatives(inner.left) + self.alternatives(inner.right)
        if isinstance(inner, cst.Subscript):
            form = self.form(inner.value)
            args = _args(inner)
            if form == "Optional" and args:
                return [*self.alternatives(args[0]), cst.Name("None")]
            if form == "Union":
                return [alt for arg in args for alt in self.alternatives(arg)]
            if form == "Annotated" and args:
                return self.alternatives(args[0])
        return [inner]

    def text(self, expr: cst.BaseExpression) -> str:
        texts = list(dict.fromkeys(self.single(alt) for alt in self.alternatives(expr)))
        if "None" in texts:
            texts.remove("None")
            texts.append("None")
        return " | ".join(texts)

    def single(self, expr: cst.BaseExpression) -> str:
        inner = self.unquote(expr)
        if inner is None:
            return str(literal(expr))
        if isinstance(inner, cst.Name | cst.Attribute):
            form = self.form(inner)
            if form is not None:
                return _BUILTIN_GENERICS.get(form, form)
            return dotted(inner) or self.code(inner)
        if isinstance(inner, cst.Subscript):
            form = self.form(inner.value)
            args = _args(inner)
            if form in _WRAPPERS and args:
                return self.text(args[0])
            if form == "Literal":
                return "Literal[" + ", ".join(self.literal_text(a) for a in args) + "]"
            elements = [
                self.text(e.slice.value) if isinstance(e.slice, cst.Index) else self.code(e.slice)
                for e in inner.slice
            ]
            return f"{self.single(inner.value)}[{', '.join(elements)}]"
        if isinstance(inner, cst.Ellipsis):
            return "..."
        if isinstance(inner, cst.List):
            return "[" + ", ".join(self.text(e.value) for e in inner.elements) + "]"
        return self.code(inner)

    def literal_text(self, expr: cst.BaseExpression) -> str:
        value = literal(expr)
        if isinstance(value, str):
            return json.dumps(value)
        if value is None or isinstance(value, bool | int | float):
            return repr(value)
        return dotted(expr) or self.code(expr)

    def code(self, node: cst.CSTNode) -> str:
        return " ".join(self.models.m.module.code_for_node(node).split())

    def nullable(self, expr: cst.BaseExpression) -> bool:
        for alt in self.alternatives(expr):
            if isinstance(alt, cst.Name) and alt.value == "None":
                return True
            if isinstance(alt, cst.Name | cst.Attribute) and self.form(alt) in ("Any", "object"):
                return True
        return False

    def enum_values(self, expr: cst.BaseExpression) -> tuple[str, ...]:
        """The values a field can take, when every alternative but None enumerates them."""
        values: list[str] = []
        for alt in self.alternatives(expr):
            if isinstance(alt, cst.Name) and alt.value == "None":
                continue
            found = self.enumerated(alt, in_container=False)
            if found is None:
                return ()
            values.extend(found)
        return tuple(dict.fromkeys(values))

    def enumerated(self, expr: cst.BaseExpression, in_container: bool) -> list[str] | None:
        if isinstance(expr, cst.Subscript):
            form = self.form(expr.value)
            args = _args(expr)
            if form == "Literal":
                wires = [_wire(literal(a)) or self.enum_member_value(a) for a in args]
                return None if any(w is None for w in wires) else [w for w in wires if w]
            name = _BUILTIN_GENERICS.get(form or "", form) or ""
            name = name or (dotted(expr.value) or "").rpartition(".")[2]
            if not in_container and name in _CONTAINERS and args:
                single = args[:1] if len(args) == 1 or isinstance(args[-1], cst.Ellipsis) else []
                if single:
                    inner = self.enum_values(single[0])
                    return list(inner) if inner else None
            return None
        if isinstance(expr, cst.Name | cst.Attribute):
            cls = self.models.enum_class(expr)
            if cls is None:
                return None
            values = [value for _, value in self.models.enum_members(cls)]
            return None if not values or "" in values else values
        return None

    def enum_member_value(self, expr: cst.BaseExpression) -> str | None:
        """`Literal[Color.RED]`: the member's value, for an enum of this module."""
        if not isinstance(expr, cst.Attribute):
            return None
        cls = self.models.enum_class(expr.value)
        if cls is None:
            return None
        return dict(self.models.enum_members(cls)).get(expr.attr.value) or None


# --- small helpers -----------------------------------------------------------------------------


def _args(subscript: cst.Subscript) -> list[cst.BaseExpression]:
    return [e.slice.value for e in subscript.slice if isinstance(e.slice, cst.Index)]


def _first_arg(subscript: cst.Subscript) -> cst.BaseExpression | None:
    args = _args(subscript)
    return args[0] if args else None


def _assignments(
    node: cst.ClassDef,
) -> Iterator[tuple[str, cst.BaseExpression | None, cst.BaseExpression | None, cst.Name]]:
    """Each `name: annotation = value` and `name = value` of a class body, in order."""
    body = node.body
    lines: Iterable[cst.BaseSmallStatement]
    if isinstance(body, cst.SimpleStatementSuite):
        lines = body.body
    else:
        lines = (
            small
            for statement in body.body
            if isinstance(statement, cst.SimpleStatementLine)
            for small in statement.body
        )
    for small in lines:
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            yield small.target.value, small.annotation.annotation, small.value, small.target
        elif (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
        ):
            yield small.targets[0].target.value, None, small.value, small.targets[0].target


def _config_items(expr: cst.BaseExpression) -> dict[str, cst.BaseExpression]:
    """The settings of `ConfigDict(...)`, `SettingsConfigDict(...)` or a dict literal."""
    if isinstance(expr, cst.Call):
        return {a.keyword.value: a.value for a in expr.args if a.keyword is not None}
    items: dict[str, cst.BaseExpression] = {}
    if isinstance(expr, cst.Dict):
        for element in expr.elements:
            if isinstance(element, cst.DictElement):
                key = literal(element.key)
                if isinstance(key, str):
                    items[key] = element.value
    return items


def _alias(call: cst.Call) -> str | None:
    for key in ("validation_alias", "alias", "serialization_alias"):
        value = kwarg(call, key)
        text = literal(value)
        if isinstance(text, str):
            return text
        # AliasChoices("a", "b"): the first is the one documented; AliasPath is nested, no key.
        if isinstance(value, cst.Call) and (dotted(value.func) or "").endswith("AliasChoices"):
            first = literal(positional(value, 0))
            if isinstance(first, str):
                return first
    return None


def _wire(value: object) -> str | None:
    """A literal value as it reads in JSON, for comparing enumerations across languages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return None


def _auto_value(style: str, name: str, previous: list[object]) -> object:
    if style == "lower":
        return name.lower()
    if style == "upper":
        return name.upper()
    if style == "name":
        return name
    ints = [v for v in previous if isinstance(v, int) and not isinstance(v, bool)]
    if len(ints) != len(previous) or style not in ("int", "flag"):
        return UNKNOWN
    if style == "flag":
        return 2 ** max(ints).bit_length() if ints else 1
    return max(ints) + 1 if ints else 1


def _next_value_style(function: cst.FunctionDef) -> str:
    """What a `_generate_next_value_` override returns: the name, lower-cased, upper-cased."""
    returns = [n for n in descendants(function) if isinstance(n, cst.Return)]
    if len(returns) != 1 or returns[0].value is None:
        return "unknown"
    value = returns[0].value
    params = function.params.params
    name = params[0].name.value if params else "name"
    if isinstance(value, cst.Name) and value.value == name:
        return "name"
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and isinstance(value.func.value, cst.Name)
        and value.func.value.value == name
        and value.func.attr.value in ("lower", "upper")
    ):
        return value.func.attr.value
    return "unknown"


def _body_style(node: cst.CSTNode) -> str:
    """The naming style a hand-written alias generator produces, read from its body.

    Recognises the common shapes: `head + "".join(w.capitalize() for w in tail)`
    after `split("_")` (camel), `"".join(w.title() for w in s.split("_"))`
    (pascal), `re.sub("_([a-z])", ...upper())` (camel) and
    `re.sub("([A-Z])", r"_\\1", s).lower()` (snake). The first word kept apart
    (an index 0, a slice from 1, a starred rest, a lower()) makes it camel.
    """
    strings: list[str] = []
    methods: set[str] = set()
    first_apart = False
    for child in descendants(node):
        if isinstance(child, cst.SimpleString):
            text = literal(child)
            if isinstance(text, str):
                strings.append(text)
        elif isinstance(child, cst.Attribute):
            methods.add(child.attr.value)
        elif (
            isinstance(child, cst.StarredElement)
            or (isinstance(child, cst.Index) and literal(child.value) == 0)
            or (isinstance(child, cst.Slice) and literal(child.lower) == 1)
        ):
            first_apart = True
    capitalises = bool(methods & {"capitalize", "title", "upper"})
    if "lower" in methods and any("A-Z" in s for s in strings) and "_" in "".join(strings):
        return "snake"
    if "lower" in methods and "isupper" in methods and "_" in strings:
        return "snake"
    if capitalises and any("_" in s for s in strings):
        if first_apart or "lower" in methods or "sub" in methods:
            return "camel"
        return "pascal"
    return "unknown"


# Pydantic's own alias generators, so generated wire names match what it sends.
def _to_pascal(snake: str) -> str:
    return re.sub("([0-9A-Za-z])_(?=[0-9A-Z])", lambda m: m.group(1), snake.title())


def _to_camel(snake: str) -> str:
    if re.match("^[a-z]+[A-Za-z0-9]*$", snake) and not re.search(r"\d[a-z]", snake):
        return snake
    return re.sub("(^_*[A-Z])", lambda m: m.group(1).lower(), _to_pascal(snake))


def _to_snake(camel: str) -> str:
    snake = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", camel)
    snake = re.sub(r"([a-z])([A-Z])", r"\1_\2", snake)
    snake = re.sub(r"([0-9])([A-Z])", r"\1_\2", snake)
    snake = re.sub(r"([a-z])([0-9])", r"\1_\2", snake)
    return snake.replace("-", "_").lower()


_APPLY = {"camel": _to_camel, "pascal": _to_pascal, "snake": _to_snake}


def generated_name(style: str | None, name: str) -> str:
    """`name` as an alias generator of `style` makes it; unchanged for unknown styles."""
    apply = _APPLY.get(style or "")
    return apply(name) if apply is not None else name


def _pydantic_field(spec: _Spec, config: _Config, version: int, root: bool) -> ModelField:
    default = spec.default
    wire = default.alias or generated_name(config.generator, spec.name)
    if root and spec.name in ("root", "__root__"):
        wire = ""
    if version == 1:
        nullable = spec.nullable or default.none
        required = not default.present and not (spec.nullable and not default.ellipsis)
    else:
        nullable = spec.nullable
        required = not default.present
    accepts_name = bool(config.by_name) and wire not in ("", spec.name)
    return ModelField(
        spec.name,
        wire,
        spec.type,
        required,
        nullable,
        spec.enum_values,
        accepts_name,
        spec.location,
    )


def _plain_field(spec: _Spec, generator: str | None) -> ModelField:
    required = spec.required if spec.required is not None else not spec.default.present
    wire = spec.default.alias or generated_name(generator, spec.name)
    return ModelField(
        spec.name, wire, spec.type, required, spec.nullable, spec.enum_values, False, spec.location
    )


# --- the whole tree ----------------------------------------------------------------------------


def compose_models(files: Sequence[FileFacts]) -> tuple[FileFacts, ...]:
    """Complete pydantic models whose bases live in other files of the same service.

    Per-file extraction cannot see `from .base import ApiModel`; here the base's
    fields come first (the child's override them), and its alias generator and
    `populate_by_name` apply to the child's fields unless the child sets its own.
    """
    models = [
        fact
        for file in files
        for fact in file.facts
        if isinstance(fact, DataModel) and fact.kind in (PYDANTIC, SETTINGS)
    ]
    if not any(m.bases for m in models):
        return tuple(files)
    resolver = _Composer(models)
    out: list[FileFacts] = []
    for file in files:
        if not any(isinstance(f, DataModel) and f.bases for f in file.facts):
            out.append(file)
            continue
        facts = tuple(
            resolver.complete(f) if isinstance(f, DataModel) and f.bases else f for f in file.facts
        )
        out.append(replace(file, facts=facts))
    return tuple(out)


class _Composer:
    def __init__(self, models: Sequence[DataModel]) -> None:
        self.exact: dict[tuple[str, str], DataModel] = {}
        self.by_class: dict[tuple[str, str], list[DataModel]] = {}
        for model in models:
            self.exact[(model.service, model.name)] = model
            key = (model.service, model.name.rpartition(".")[2])
            self.by_class.setdefault(key, []).append(model)
        self.done: dict[tuple[str, str], DataModel] = {}
        self.active: set[tuple[str, str]] = set()

    def find(self, service: str, base: str) -> DataModel | None:
        """The model `base` names: its exact name, a unique one ending in it (an import from
        the service root rather than the repository root), or the only class of that name."""
        found = self.exact.get((service, base))
        if found is not None:
            return found
        same_class = self.by_class.get((service, base.rpartition(".")[2]), [])
        ending = [m for m in same_class if m.name.endswith("." + base)]
        if len(ending) == 1:
            return ending[0]
        return same_class[0] if len(same_class) == 1 else None

    def complete(self, model: DataModel) -> DataModel:
        key = (model.service, model.name)
        if key in self.done:
            return self.done[key]
        if key in self.active or not model.bases:
            return model
        self.active.add(key)
        parents = [
            self.complete(parent)
            for parent in (self.find(model.service, base) for base in model.bases)
            if parent is not None and (parent.service, parent.name) != key
        ]
        self.active.discard(key)
        fields: dict[str, ModelField] = {}
        for parent in reversed(parents):
            fields.update((f.name, f) for f in parent.fields)
        fields.update((f.name, f) for f in model.fields)
        generator = model.alias_generator
        by_name = model.populate_by_name
        for parent in parents:
            generator = generator if generator is not None else parent.alias_generator
            by_name = by_name or parent.populate_by_name
        completed = []
        for f in fields.values():
            wire = f.wire_name
            if wire == f.name and generator in _STYLES:
                wire = generated_name(generator, f.name)
            accepts = by_name and wire not in ("", f.name)
            completed.append(replace(f, wire_name=wire, accepts_name=accepts))
        kind = SETTINGS if any(p.kind == SETTINGS for p in parents) else model.kind
        result = replace(
            model,
            kind=kind,
            fields=tuple(completed),
            alias_generator=generator,
            populate_by_name=by_name,
        )
        self.done[key] = result
        return result
