"""OpenAPI 3.x and Swagger 2.0 documents as endpoints and data models (`analyzers.openapi`)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from analyzers.engine import ReviewRequest, review
from analyzers.extract import SourceFile, UnparsableSource
from analyzers.facts import (
    DataModel,
    Endpoint,
    EndpointParam,
    Fact,
    Family,
    Finding,
    Location,
    ModelField,
    Severity,
    SkippedFile,
)
from analyzers.modules import module_name
from analyzers.openapi import METHODS, OpenApiExtractor
from analyzers.openapi.parse import parse
from analyzers.paths import CONFIG_LANGUAGES, OPENAPI, language_of
from analyzers.registry import default_extractors
from analyzers.rules.base import Rule, Scope
from analyzers.snapshot import MemorySnapshot
from tests.analyzers.openapi_corpus import github_description

DATA = Path(__file__).resolve().parents[1] / "data" / "openapi"


def extract(path: str, text: str, service: str = "api") -> list[Fact]:
    return list(OpenApiExtractor().extract(SourceFile(path, service, OPENAPI, text)))


def endpoints(facts: Sequence[Fact]) -> list[Endpoint]:
    return [f for f in facts if isinstance(f, Endpoint)]


def models(facts: Sequence[Fact]) -> dict[str, DataModel]:
    return {f.name: f for f in facts if isinstance(f, DataModel)}


def field(
    name: str,
    type_: str,
    lines: tuple[str, int, int],
    *,
    required: bool = False,
    nullable: bool = False,
    enum: tuple[str, ...] = (),
) -> ModelField:
    return ModelField(name, name, type_, required, nullable, enum, location=Location(*lines))


# --- OpenAPI 3.0, YAML ------------------------------------------------------------------------

OPENAPI_3 = """\
openapi: 3.0.3
info: {title: Matches, version: "1"}
servers:
  - url: https://api.example.com/api/v1/
paths:
  /matches/{match_id}:
    parameters:
      - $ref: '#/components/parameters/MatchId'
      - name: X-Trace
        in: header
        schema: {type: string}
    get:
      operationId: getMatch
      parameters:
        - name: X-Trace
          in: header
          required: true
          schema: {type: string}
        - name: expand
          in: query
          schema:
            type: array
            items: {type: string, enum: [players, score]}
      responses:
        '404':
          description: missing
        '200':
          description: the match
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Match'

    delete:
      responses:
        '204': {description: gone}
  /matches:
    post:
      operationId: createMatch
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [home]
              properties:
                home: {type: string}
                away: {type: string, nullable: true}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Match'}
    get:
      operationId: listMatches
      parameters:
        - {name: session, in: cookie, schema: {type: string}}
      responses:
        '200':
          description: all
          content:
            application/json:
              schema:
                type: array
                items: {$ref: '#/components/schemas/Match'}
  /uploads:
    put:
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file: {type: string, format: binary}
                note: {type: string}
      responses:
        default: {description: whatever}
components:
  parameters:
    MatchId:
      name: match_id
      in: path
      required: true
      schema: {type: integer}
  schemas:
    Base:
      type: object
      required: [id]
      properties:
        id: {type: integer}
    Match:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          properties:
            status:
              $ref: '#/components/schemas/Status'
            winner:
              allOf: [{$ref: '#/components/schemas/Player'}]
              nullable: true
      required: [status]
    Status:
      type: string
      enum: [scheduled, live, done]
    Player:
      oneOf:
        - {$ref: '#/components/schemas/Human'}
        - {$ref: '#/components/schemas/Bot'}
    Human:
      type: object
      required: [name, email]
      properties:
        name: {type: string}
        email: {type: string}
    Bot:
      type: object
      required: [name]
      properties:
        name: {type: string}
        model: {type: string}
"""
SPEC = "services/api/openapi.yaml"
MOD = "services.api.openapi.yaml"


def test_openapi_3_operations_are_endpoints() -> None:
    found = endpoints(extract(SPEC, OPENAPI_3))
    match_id = EndpointParam("match_id", "path", "integer", True)
    assert found == [
        Endpoint(
            "api",
            Location(SPEC, 12, 32),  # `get:` to the last line of its responses, not the blank
            "GET",
            "/api/v1/matches/{match_id}",  # the server URL's path is the base path
            "getMatch",
            "openapi",
            response_model=f"{MOD}#Match",  # the 200 response, not the 404 listed first
            # the path item's parameters first; the operation's X-Trace replaces the path's
            params=(
                match_id,
                EndpointParam("X-Trace", "header", "string", True),
                EndpointParam("expand", "query", "array[string]", False),
            ),
            status_code=200,
        ),
        Endpoint(
            "api",
            Location(SPEC, 34, 36),
            "DELETE",
            "/api/v1/matches/{match_id}",
            "DELETE /api/v1/matches/{match_id}",  # no operationId
            "openapi",
            params=(match_id, EndpointParam("X-Trace", "header", "string", False)),
            status_code=204,
        ),
        Endpoint(
            "api",
            Location(SPEC, 38, 54),
            "POST",
            "/api/v1/matches",
            "createMatch",
            "openapi",
            request_model=f"{MOD}#createMatch.request",  # an inline body: a model of its own
            response_model=f"{MOD}#Match",
            status_code=201,
        ),
        Endpoint(
            "api",
            Location(SPEC, 55, 66),
            "GET",
            "/api/v1/matches",
            "listMatches",
            "openapi",
            response_model=f"list[{MOD}#Match]",
            params=(EndpointParam("session", "cookie", "string", False),),
            status_code=200,
        ),
        Endpoint(
            "api",
            Location(SPEC, 68, 79),
            "PUT",
            "/api/v1/uploads",
            "PUT /api/v1/uploads",
            "openapi",
            # a form body's fields are form parameters, not a JSON model
            params=(
                EndpointParam("file", "form", "string", True),
                EndpointParam("note", "form", "string", False),
            ),
        ),
    ]


def test_openapi_3_schemas_are_models() -> None:
    found = models(extract(SPEC, OPENAPI_3))
    # Status is a string enum, no object: no model; its values go to the fields using it.
    assert list(found) == [
        f"{MOD}#Base",
        f"{MOD}#Match",
        f"{MOD}#Player",
        f"{MOD}#Human",
        f"{MOD}#Bot",
        f"{MOD}#createMatch.request",
    ]
    base_id = field("id", "integer", (SPEC, 92, 92), required=True)
    assert found[f"{MOD}#Base"] == DataModel(
        "api", Location(SPEC, 88, 92), f"{MOD}#Base", "openapi", (base_id,)
    )
    # allOf: the members' fields in order, the own `required` applies to inherited ones.
    assert found[f"{MOD}#Match"] == DataModel(
        "api",
        Location(SPEC, 93, 103),
        f"{MOD}#Match",
        "openapi",
        (
            base_id,
            field(
                "status",
                "string",
                (SPEC, 98, 99),
                required=True,
                enum=("scheduled", "live", "done"),
            ),
            field("winner", f"{MOD}#Player", (SPEC, 100, 102), nullable=True),
        ),
    )
    # oneOf of two objects: only the fields both have, required where both require them.
    assert found[f"{MOD}#Player"].fields == (
        field("name", "string", (SPEC, 115, 115), required=True),
    )
    assert found[f"{MOD}#Player"].location == Location(SPEC, 107, 110)
    assert found[f"{MOD}#createMatch.request"] == DataModel(
        "api",
        Location(SPEC, 43, 48),
        f"{MOD}#createMatch.request",
        "openapi",
        (
            field("home", "string", (SPEC, 47, 47), required=True),
            field("away", "string", (SPEC, 48, 48), nullable=True),
        ),
    )


# --- Swagger 2.0, JSON ------------------------------------------------------------------------

SWAGGER_2 = """\
{
  "swagger": "2.0",
  "info": {"title": "Legacy", "version": "1"},
  "basePath": "/v2/",
  "paths": {
    "/pets": {
      "post": {
        "operationId": "addPet",
        "parameters": [
          {"in": "body", "name": "body", "required": true, "schema": {"$ref": "#/definitions/Pet"}}
        ],
        "responses": {
          "200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}
        }
      }
    },
    "/pets/{petId}": {
      "parameters": [{"in": "path", "name": "petId", "required": true, "type": "integer"}],
      "post": {
        "consumes": ["application/x-www-form-urlencoded"],
        "parameters": [
          {"in": "formData", "name": "status", "type": "string", "enum": ["available", "sold"]},
          {"in": "query", "name": "tags", "type": "array", "items": {"type": "string"}}
        ],
        "responses": {
          "201": {
            "description": "ok",
            "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}
          }
        }
      },
      "x-internal": true
    }
  },
  "definitions": {
    "Pet": {
      "type": "object",
      "required": ["name"],
      "properties": {
        "name": {"type": "string"},
        "status": {"type": "string", "enum": ["available", "sold"], "x-nullable": true},
        "owner": {"$ref": "#/definitions/Owner"},
        "photos": {"$ref": "photos.json#/definitions/Photos"}
      }
    },
    "Owner": {
      "properties": {
        "id": {"type": "integer"},
        "pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}
      }
    },
    "Name": {"type": "string"}
  }
}
"""
LEGACY = "legacy/swagger.json"


def test_swagger_2_document() -> None:
    facts = extract(LEGACY, SWAGGER_2, service="legacy")
    pet, owner = "legacy.swagger.json#Pet", "legacy.swagger.json#Owner"
    assert endpoints(facts) == [
        Endpoint(
            "legacy",
            Location(LEGACY, 7, 15),
            "POST",
            "/v2/pets",  # basePath
            "addPet",
            "openapi",
            request_model=pet,  # the `in: body` parameter
            response_model=pet,
            status_code=200,
        ),
        Endpoint(
            "legacy",
            Location(LEGACY, 19, 31),
            "POST",
            "/v2/pets/{petId}",
            "POST /v2/pets/{petId}",
            "openapi",
            response_model=f"list[{pet}]",
            params=(
                EndpointParam("petId", "path", "integer", True),
                EndpointParam("status", "form", "string", False),  # formData
                EndpointParam("tags", "query", "array[string]", False),
            ),
            status_code=201,
        ),
    ]
    assert models(facts) == {
        pet: DataModel(
            "legacy",
            Location(LEGACY, 36, 45),
            pet,
            "openapi",
            (
                field("name", "string", (LEGACY, 40, 40), required=True),
                field(
                    "status",
                    "string",
                    (LEGACY, 41, 41),
                    nullable=True,  # x-nullable
                    enum=("available", "sold"),
                ),
                field("owner", owner, (LEGACY, 42, 42)),
                # another file: not followed, the type is the reference as written
                field("photos", "photos.json#/definitions/Photos", (LEGACY, 43, 43)),
            ),
        ),
        owner: DataModel(
            "legacy",
            Location(LEGACY, 46, 51),
            owner,
            "openapi",
            (
                field("id", "integer", (LEGACY, 48, 48)),
                field("pets", f"array[{pet}]", (LEGACY, 49, 49)),
            ),
        ),
    }


def test_json_positions_match_yaml_nodes() -> None:
    """The JSON scan and the YAML composer agree on every object of a real document."""
    text = (DATA / "petstore.json").read_text("utf-8")
    as_json, json_spans = parse("petstore.json", text)
    as_yaml, yaml_spans = parse("petstore.yaml", text)  # JSON is YAML
    assert as_json == as_yaml
    assert len(json_spans.found) > 100
    assert {p: json_spans.lines(p) for p in json_spans.found} == yaml_spans.found


# --- OpenAPI 3.1 and other shapes -------------------------------------------------------------

OPENAPI_31 = """\
openapi: 3.1.0
servers:
  - url: /{version}/
    variables:
      version: {default: v3}
paths:
  /items/{id}:
    servers: [{url: 'https://items.example.com/inventory'}]
    get:
      responses:
        2XX:
          description: ok
          content:
            application/vnd.api+json:
              schema: {$ref: '#/components/schemas/Item'}
  /health:
    get:
      responses:
        '200':
          description: ok
          content:
            text/plain:
              schema: {type: string}
  /batch:
    post:
      operationId: batch
      requestBody:
        $ref: '#/components/requestBodies/Batch'
      responses:
        '202':
          description: accepted
          content:
            application/json:
              schema:
                type: array
                items:
                  type: object
                  properties:
                    id: {type: string}
components:
  requestBodies:
    Batch:
      content:
        application/json:
          schema:
            type: object
            properties:
              items: {type: array, items: {$ref: '#/components/schemas/Item'}}
  schemas:
    Item:
      type: object
      properties:
        id: {type: [integer, 'null']}
        label: {anyOf: [{type: string}, {type: 'null'}]}
        kind: {const: item}
        flags: {type: array, items: {enum: [a, b, null]}}
        on: {type: string, enum: [yes, no]}
        parent: {$ref: '#/components/schemas/Item'}
        tags: {$ref: '#/components/schemas/Tags'}
        color: {$ref: '#/components/schemas/Color'}
    Tags:
      type: array
      items: {type: string}
    Color:
      type: [string, 'null']
      enum: [red, green, null]
"""


def test_openapi_31_types_servers_and_shared_bodies() -> None:
    path = "svc/api.openapi.yml"
    facts = extract(path, OPENAPI_31, service="svc")
    item = "svc.api.openapi.yml#Item"
    found = {(e.method, e.path): e for e in endpoints(facts)}
    assert list(found) == [
        ("GET", "/inventory/items/{id}"),
        ("GET", "/v3/health"),
        ("POST", "/v3/batch"),
    ]
    # The path item's own server wins; "2XX" is a 2xx without a single code.
    get_item = found[("GET", "/inventory/items/{id}")]
    assert (get_item.response_model, get_item.status_code) == (item, None)
    assert get_item.params == (EndpointParam("id", "path", None, True),)  # undeclared
    # A text body is no model; the server URL's variable takes its default.
    health = found[("GET", "/v3/health")]
    assert (health.response_model, health.status_code) == (None, 200)
    # A shared request body is named after its component, an inline array item after its
    # operation.
    batch = found[("POST", "/v3/batch")]
    assert batch.request_model == "svc.api.openapi.yml#Batch.request"
    assert batch.response_model == "list[svc.api.openapi.yml#batch.response]"
    assert batch.status_code == 202
    by_name = models(facts)
    assert list(by_name) == [
        item,
        "svc.api.openapi.yml#Batch.request",
        "svc.api.openapi.yml#batch.response",
    ]
    fields = {f.name: (f.type, f.required, f.nullable, f.enum_values) for f in by_name[item].fields}
    assert fields == {
        "id": ("integer", False, True, ()),
        "label": ("string", False, True, ()),
        "kind": ("string", False, False, ("item",)),
        "flags": ("array[string]", False, False, ("a", "b")),
        "on": ("string", False, False, ("yes", "no")),  # YAML 1.2: `on`, `yes` are strings
        "parent": (item, False, False, ()),
        "tags": ("array[string]", False, False, ()),
        "color": ("string", False, True, ("red", "green")),
    }
    assert by_name["svc.api.openapi.yml#Batch.request"].fields[0].type == f"array[{item}]"
    assert by_name["svc.api.openapi.yml#Batch.request"].location == Location(path, 45, 48)


def test_composition_cycles_and_alternatives() -> None:
    text = """\
openapi: 3.0.0
paths: {}
components:
  schemas:
    A:
      allOf: [{$ref: '#/components/schemas/B'}, {properties: {a: {type: string}}}]
    B:
      allOf: [{$ref: '#/components/schemas/A'}, {properties: {b: {type: string}}}]
      required: [a]
    Loop:
      $ref: '#/components/schemas/Loop'
    Alias:
      $ref: '#/components/schemas/B'
    Shape:
      anyOf:
        - {type: object, required: [x, y], properties: {x: {type: number}, y: {type: number}}}
        - {type: object, required: [x], properties: {x: {type: integer}, r: {type: number}}}
        - {type: 'null'}
    Anything:
      type: object
      additionalProperties: true
"""
    found = models(extract("openapi.yaml", text))
    assert list(found) == [
        "openapi.yaml#A",
        "openapi.yaml#B",
        "openapi.yaml#Alias",
        "openapi.yaml#Shape",
    ]
    names = {n: [(f.name, f.required) for f in m.fields] for n, m in found.items()}
    # A cycle through allOf is cut where it closes; B's `required` holds within A too.
    assert names["openapi.yaml#A"] == [("b", False), ("a", True)]
    assert names["openapi.yaml#B"] == [("a", True), ("b", False)]
    assert names["openapi.yaml#Alias"] == names["openapi.yaml#B"]
    # Common fields of the alternatives; the null alternative does not count.
    assert [(f.name, f.type, f.required) for f in found["openapi.yaml#Shape"].fields] == [
        ("x", "number", True)
    ]


def test_yaml_aliases_and_merge_keys() -> None:
    text = """\
openapi: 3.0.0
paths:
  /a:
    get: &op
      operationId: first
      responses: {'204': {description: none}}
  /b:
    get: *op
    post:
      <<: *op
      operationId: second
"""
    found = endpoints(extract("openapi.yaml", text))
    assert [(e.method, e.path, e.handler, e.location.line, e.location.end_line) for e in found] == [
        ("GET", "/a", "first", 4, 6),
        ("GET", "/b", "first", 8, 8),  # an alias is the one line that names it
        ("POST", "/b", "second", 9, 11),
    ]


# --- what is not a document, or not a readable one --------------------------------------------


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("openapi.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: {openapi: enabled}\n"),
        ("swagger.json", '{"name": "swagger", "openapi_url": "/docs"}'),
        ("openapi.json", '["openapi", 3]'),
        ("openapi.yaml", "swagger: '1.2'\npaths: {/a: {get: {}}}\n"),
        ("openapi.yaml", ""),
        ("openapi.yaml", "# openapi: 3.0.0\n"),
    ],
)
def test_files_with_a_spec_name_that_are_no_openapi_yield_nothing(path: str, text: str) -> None:
    assert extract(path, text) == []


@pytest.mark.parametrize(
    ("path", "text", "reason"),
    [
        (
            "openapi.yaml",
            "openapi: 3.0.0\npaths:\n  /a: [\n",
            "invalid YAML: while parsing a flow node, did not find expected node content at line 4",
        ),
        ("openapi.yaml", "openapi: 3.0.0\n---\nb: 1\n", "expected a single document"),
        ("openapi.json", '{"openapi": "3.0.0",}', "invalid JSON: Expecting property name"),
        (
            "openapi.yaml",
            "openapi: 3.0.0\nx: !!python/object/apply:os.system [ls]\n",
            "could not determine a constructor",
        ),
        ("openapi.yaml", "openapi: 3.0.0\nloop: &a [*a]\n", "an alias refers to a node"),
    ],
)
def test_broken_documents_are_unparsable(path: str, text: str, reason: str) -> None:
    with pytest.raises(UnparsableSource) as raised:
        extract(path, text)
    assert reason in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_yaml_bomb_is_refused_quickly() -> None:
    lines = ["openapi: 3.0.0", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    with pytest.raises(UnparsableSource, match="aliases expand"):
        extract("openapi.yaml", "\n".join(lines) + "\n")


# --- routing: which files are OpenAPI ---------------------------------------------------------


def test_spec_file_names_get_the_openapi_config_language() -> None:
    for path in (
        "openapi.yaml",
        "openapi.yml",
        "services/api/openapi.json",
        "swagger.json",
        "docs/api.openapi.yml",
        "api/v1-swagger.yaml",
        "OpenAPI.YAML",
    ):
        assert language_of(path) == OPENAPI, path
    for path in ("asyncapi.yaml", "events.asyncapi.json", "openapi.yaml.bak", "openapi.txt"):
        assert language_of(path) is None, path
    # Nothing else about JSON and YAML changes.
    assert language_of("vercel.json") == "json"
    assert language_of("package.json") != OPENAPI
    assert language_of("config.yaml") is None
    assert language_of("data/openapi-notes.md") is None
    assert language_of("openapi.py") == "python"
    assert OPENAPI in CONFIG_LANGUAGES
    assert default_extractors()[OPENAPI][0].__class__ is OpenApiExtractor


# --- the engine -------------------------------------------------------------------------------


class _Capture(Rule):
    """Keeps the head facts of the review it runs in."""

    code = "FLOW990"
    name = "capture-facts"
    family = Family.CONTRACT
    severity = Severity.INFO
    scope = Scope.CHANGE
    seen: ClassVar[list[Fact]] = []

    def check(self, ctx: object) -> Iterator[Finding]:
        from analyzers.context import ReviewContext

        assert isinstance(ctx, ReviewContext)
        _Capture.seen[:] = list(ctx.head.all())
        return iter(())


FASTAPI_OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "FastAPI", "version": "0.1.0"},
    "paths": {
        "/items/{item_id}": {
            "get": {
                "summary": "Read Item",
                "operationId": "read_item_items__item_id__get",
                "parameters": [
                    {
                        "name": "item_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "title": "Item Id"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "Successful Response",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    },
                    "422": {
                        "description": "Validation Error",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/HTTPValidationError"}
                            }
                        },
                    },
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Item": {
                "properties": {
                    "name": {"type": "string", "title": "Name"},
                    "price": {"anyOf": [{"type": "number"}, {"type": "null"}], "title": "Price"},
                },
                "type": "object",
                "required": ["name"],
                "title": "Item",
            },
            "HTTPValidationError": {
                "properties": {"detail": {"items": {"type": "object"}, "type": "array"}},
                "type": "object",
            },
        }
    },
}
MAIN_PY = """\
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float | None = None


@app.get("/items/{item_id}")
def read_item(item_id: int) -> Item:
    return Item(name="x")
"""


def test_an_openapi_json_beside_fastapi_code_goes_through_the_engine() -> None:
    tree = {
        "services/api/requirements.txt": "fastapi\n",
        "services/api/app/main.py": MAIN_PY,
        "services/api/openapi.json": json.dumps(FASTAPI_OPENAPI, indent=2),
    }
    result = review(ReviewRequest(head=MemorySnapshot(tree, rev="h" * 40)), rules=[_Capture])
    assert result.stats.files_skipped == ()
    spec = [
        f
        for f in _Capture.seen
        if isinstance(f, Endpoint | DataModel) and f.location.path.endswith("openapi.json")
    ]
    (endpoint,) = endpoints(spec)
    assert (endpoint.method, endpoint.path, endpoint.framework) == (
        "GET",
        "/items/{item_id}",
        "openapi",
    )
    assert endpoint.response_model == "services.api.openapi.json#Item"
    assert endpoint.service == "api"
    lines = tree["services/api/openapi.json"].split("\n")
    assert lines[endpoint.location.line - 1] == '      "get": {'
    assert lines[endpoint.location.end_line - 1] == "      }"
    item = models(spec)["services.api.openapi.json#Item"]
    assert [(f.name, f.type, f.required, f.nullable) for f in item.fields] == [
        ("name", "string", True, False),
        ("price", "number", False, True),
    ]
    # The code's own route is there as well, and the document is no code language.
    code = [e for e in endpoints(_Capture.seen) if e.framework != "openapi"]
    assert [(e.method, e.path) for e in code] == [("GET", "/items/{item_id}")]
    (service,) = result.services
    assert service.languages == ("python",)


# --- real documents ---------------------------------------------------------------------------


def check_invariants(path: str, text: str, facts: Sequence[Fact]) -> None:
    """What must hold of any document: lines inside the file, each endpoint starting at its
    method's key, and every model a body or field names is one of the file's models."""
    lines = text.split("\n")
    names = set(models(facts))
    named = re.compile(rf"{re.escape(module_name(path))}#[^\]| ]+")
    for fact in facts:
        assert isinstance(fact, Endpoint | DataModel)
        spans = [fact.location]
        if isinstance(fact, DataModel):
            spans += [f.location for f in fact.fields if f.location is not None]
        for span in spans:
            assert span.path == path
            assert 1 <= span.line <= span.end_line <= len(lines), (fact, span)
        if isinstance(fact, Endpoint):
            first = lines[fact.location.line - 1].strip().lower()
            assert first.startswith((f'"{fact.method.lower()}"', f"{fact.method.lower()}:"))
            for text_ in (fact.request_model, fact.response_model):
                assert text_ is None or set(named.findall(text_)) <= names, text_
        else:
            for f in fact.fields:
                assert set(named.findall(f.type)) <= names, f.type


def count_operations(document: dict[str, object]) -> int:
    """Operations counted straight from the data, without the extractor."""
    paths = document["paths"]
    assert isinstance(paths, dict)
    return sum(1 for item in paths.values() for key in item if key in METHODS)


def test_petstore_expanded_yaml() -> None:
    """The Swagger team's petstore-expanded (OpenAPI 3.0), as @readme/oas-examples ships it."""
    path = "examples/petstore/openapi.yaml"
    text = (DATA / "petstore-expanded.yaml").read_text("utf-8")
    facts = extract(path, text, service="petstore")
    check_invariants(path, text, facts)
    pet = "examples.petstore.openapi.yaml#Pet"
    assert [(e.method, e.path, e.handler, e.location.line) for e in endpoints(facts)] == [
        ("GET", "/api/pets", "findPets", 18),
        ("POST", "/api/pets", "addPet", 57),
        ("GET", "/api/pets/{id}", "find pet by id", 81),
        ("DELETE", "/api/pets/{id}", "deletePet", 105),
    ]
    first = endpoints(facts)[0]
    assert (first.response_model, first.location.end_line) == (f"list[{pet}]", 56)
    assert endpoints(facts)[1].request_model == "examples.petstore.openapi.yaml#NewPet"
    # Pet is allOf NewPet plus an id.
    assert [(f.name, f.required) for f in models(facts)[pet].fields] == [
        ("name", True),
        ("tag", False),
        ("id", True),
    ]


def test_petstore_swagger_json() -> None:
    """The classic Swagger 2.0 petstore, as @readme/oas-examples ships it."""
    path = "legacy/swagger.json"
    text = (DATA / "petstore.json").read_text("utf-8")
    facts = extract(path, text, service="legacy")
    check_invariants(path, text, facts)
    assert len(endpoints(facts)) == count_operations(json.loads(text)) == 20
    assert set(models(facts)) == {
        f"legacy.swagger.json#{n}"
        for n in ("Order", "Category", "User", "Tag", "Pet", "ApiResponse")
    }
    upload = next(e for e in endpoints(facts) if e.handler == "uploadFile")
    assert upload.path == "/v2/pet/{petId}/uploadImage"
    assert upload.params == (
        EndpointParam("petId", "path", "integer", True),
        EndpointParam("additionalMetadata", "form", "string", False),
        EndpointParam("file", "form", "file", False),
    )
    assert upload.response_model == "legacy.swagger.json#ApiResponse"
    status = next(f for f in models(facts)["legacy.swagger.json#Pet"].fields if f.name == "status")
    assert status.enum_values == ("available", "pending", "sold")


@functools.cache
def _github() -> tuple[str, tuple[Fact, ...]]:
    text = github_description().read_text("utf-8")
    return text, tuple(extract("services/github/openapi.json", text, service="github"))


def test_githubs_description_is_skipped_by_size_in_the_engine() -> None:
    """13 MB is past the default 1 MB cap: the engine skips it before reading it as a spec."""
    text, _ = _github()
    tree = {"services/github/package.json": "{}", "services/github/openapi.json": text}
    result = review(ReviewRequest(head=MemorySnapshot(tree, rev="h" * 40)), rules=[_Capture])
    size = len(text.encode())
    assert result.stats.files_skipped == (
        SkippedFile("services/github/openapi.json", f"larger than 1048576 bytes ({size} bytes)"),
    )
    assert not any(isinstance(f, Endpoint) for f in _Capture.seen)


def test_githubs_description_extracted_without_the_cap() -> None:
    """GitHub's REST API description (OpenAPI 3.0, @octokit/openapi), read directly."""
    text, facts = _github()
    document = json.loads(text)
    found = endpoints(facts)
    assert len(found) == count_operations(document) > 1000
    check_invariants("services/github/openapi.json", text, facts)
    # operationIds are unique, and every one is a handler.
    assert len({e.handler for e in found}) == len(found)
    assert all("/" in e.handler for e in found)  # GitHub's ids: "repos/get", ...
    by_id = {e.handler: e for e in found}
    get_repo = by_id["repos/get"]
    assert (get_repo.method, get_repo.path, get_repo.status_code) == (
        "GET",
        "/repos/{owner}/{repo}",
        200,
    )
    assert get_repo.response_model == "services.github.openapi.json#full-repository"
    assert [p.name for p in get_repo.params] == ["owner", "repo"]
    # Every named schema with properties is a model, and so is one composed of such (allOf,
    # oneOf, anyOf); enums, arrays and free-form maps are not.
    schemas = document["components"]["schemas"]
    module = "services.github.openapi.json"
    with_properties = {f"{module}#{n}" for n, s in schemas.items() if "properties" in s}
    named = {n for n in models(facts) if not n.endswith((".request", ".response"))}
    assert with_properties <= named
    assert len(with_properties) > 800
    composed = named - with_properties
    assert all({"allOf", "oneOf", "anyOf"} & schemas[n.partition("#")[2]].keys() for n in composed)
    assert sum(e.request_model is not None for e in found) > 300
    assert sum(e.response_model is not None for e in found) > 800


def test_a_byte_order_mark_does_not_hide_a_json_document() -> None:
    body = '{\n  "openapi": "3.0.0",\n  "paths": {\n    "/a": {"get": {"responses": {}}}\n  }\n}\n'
    text = "\ufeff" + body
    (found,) = endpoints(extract("openapi.json", text))
    assert (found.path, found.location.line, found.location.end_line) == ("/a", 4, 4)
