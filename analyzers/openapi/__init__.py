"""OpenAPI 3.x and Swagger 2.0 documents: their operations as endpoints, their schemas as models.

A service that ships its API description (`openapi.yaml`, `swagger.json`,
`api.openapi.yml`: `analyzers.paths.SPEC_FILE`, AsyncAPI aside) declares its
endpoints and data models there as much as in code, so a change to the
document is compared like a change to code. `analyzers.paths.language_of`
gives such files the config language "openapi"; a file of that name that is
not OpenAPI 3.x (`openapi: 3...`) or Swagger 2.0 (`swagger: "2.0"`) yields
nothing, one that does not parse is `UnparsableSource`.

- One `Endpoint` per operation (`framework="openapi"`): the method upper
  case; the path is the server's base path (3.x: the path of the operation's,
  path item's or document's first `servers` URL, its variables at their
  defaults; 2.0: `basePath`) joined to the path key, `{name}` parameters as
  they are; `handler` the operationId, else "METHOD path"; the location is the
  operation's lines, from its method key to its last line.
- params: path-item then operation `parameters` (an operation's replaces the
  path item's of the same name and place), `$ref`s followed; in path, query,
  header, cookie, and 2.0 `formData` (source "form"); type as
  `analyzers.openapi.schemas` writes it; path parameters always required.
  The fields of a form body (urlencoded, multipart) are "form" params too. A
  JSON body is not a param: it is `request_model` (2.0: the `in: body` one).
- request_model / response_model: the body's model name (see the schemas
  module), `list[<name>]` for an array of models; the response is the first
  2xx, 200 and 201 first, whose JSON content has a schema, and
  `status_code` is its code (else the first 2xx's code, no model). Media
  types: application/json, then any other JSON type, then `*/*`.
- Not followed: `$ref`s to other files (the type stays the `$ref` as
  written, a body gives no model), 3.1 `webhooks` and `callbacks` (requests
  this service sends or receives from elsewhere, not endpoints it serves).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from analyzers.compose import join_path
from analyzers.extract import SourceFile
from analyzers.facts import Endpoint, EndpointParam, Fact
from analyzers.modules import module_name
from analyzers.openapi.parse import DocPath, parse
from analyzers.openapi.schemas import Schemas, safe_name

FRAMEWORK = "openapi"
METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace", "query"})
_MARKER = re.compile(r"""(?:^|[{,\s])["']?(?:openapi|swagger)["']?\s*:""")
_SOURCES = {"path": "path", "query": "query", "header": "header", "cookie": "cookie"}
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_TEMPLATE = re.compile(r"\{([^{}/]+)\}")
_ORIGIN = re.compile(r"^(?:[^/?#]*:)?//[^/?#]*")
_VARIABLE = re.compile(r"\{([^{}]+)\}")


class OpenApiExtractor:
    def extract(self, source: SourceFile) -> Sequence[Fact]:
        if not _MARKER.search(source.text):
            return ()
        document, spans = parse(source.path, source.text)
        if not isinstance(document, dict):
            return ()
        swagger = _version(document.get("swagger"), "2")
        if not swagger and not _version(document.get("openapi"), "3"):
            return ()
        schemas = Schemas(
            document, spans, source.path, module_name(source.path), source.service or "", swagger
        )
        endpoints = list(_Operations(schemas).endpoints())
        return [*schemas.models(), *schemas.anonymous.values(), *endpoints]


def _version(value: object, major: str) -> bool:
    return isinstance(value, str | int | float) and str(value).startswith(major)


class _Operations:
    def __init__(self, schemas: Schemas) -> None:
        self.s = schemas
        self.document = schemas.document

    def endpoints(self) -> Iterator[Endpoint]:
        paths = self.document.get("paths")
        if not isinstance(paths, dict):
            return
        for raw, value in paths.items():
            if not isinstance(raw, str) or not raw.startswith("/"):
                continue  # `x-` extensions
            item, item_path = self.s.resolve(value, ("paths", raw))
            if not isinstance(item, dict):
                continue
            for key, operation in item.items():
                if isinstance(key, str) and key.lower() in METHODS and isinstance(operation, dict):
                    yield self.endpoint(raw, item, item_path, key, operation)

    def endpoint(
        self, raw: str, item: dict[str, Any], item_path: DocPath, key: str, op: dict[str, Any]
    ) -> Endpoint:
        method = key.upper()
        op_path = (*item_path, key)
        full = join_path(self.base_path(op, item), raw)
        operation_id = op.get("operationId")
        named = isinstance(operation_id, str) and operation_id.strip() != ""
        handler = str(operation_id) if named else f"{method} {full}"
        owner = safe_name(str(operation_id) if named else f"{key.lower()} {full}")
        params, body = self.params(raw, item, item_path, op, op_path)
        if body is not None:
            request_model = self.s.body_model(*body, self.hint(body[1], op_path, owner, "request"))
        else:
            request_model = self.request_body(op, op_path, owner, params)
        status_code, response_model = self.response(op, op_path, owner)
        return Endpoint(
            self.s.service,
            self.s.location(op_path, self.s.location(("paths", raw))),
            method,
            full,
            handler,
            FRAMEWORK,
            request_model=request_model,
            response_model=response_model,
            params=tuple(params.values()),
            status_code=status_code,
        )

    def hint(self, path: DocPath, op_path: DocPath, owner: str, role: str) -> str:
        """An inline body's model name: its operation's, or its shared component's."""
        if path[: len(op_path)] != op_path and path[:1] != ("paths",):
            index = 2 if path[0] == "components" else 1
            if len(path) > index:
                owner = safe_name(str(path[index]))
        return f"{owner}.{role}"

    # --- where -----------------------------------------------------------------------------------

    def base_path(self, op: dict[str, Any], item: dict[str, Any]) -> str:
        if self.s.swagger:
            base = self.document.get("basePath")
            return base if isinstance(base, str) else ""
        for holder in (op, item, self.document):
            servers = holder.get("servers")
            if isinstance(servers, list) and servers:
                return _server_path(servers[0])
        return ""

    # --- what is sent ----------------------------------------------------------------------------

    def params(
        self,
        raw: str,
        item: dict[str, Any],
        item_path: DocPath,
        op: dict[str, Any],
        op_path: DocPath,
    ) -> tuple[dict[tuple[str, str], EndpointParam], tuple[object, DocPath] | None]:
        declared: dict[tuple[str, str], EndpointParam] = {}
        body: tuple[object, DocPath] | None = None
        for holder, holder_path in ((item, item_path), (op, op_path)):
            listed = holder.get("parameters")
            for i, value in enumerate(listed if isinstance(listed, list) else ()):
                param, path = self.s.resolve(value, (*holder_path, "parameters", i))
                if not isinstance(param, dict):
                    continue
                name, where = param.get("name"), param.get("in")
                if where == "body" and self.s.swagger:
                    body = (param.get("schema"), (*path, "schema"))
                    continue
                source = (
                    "form" if where == "formData" and self.s.swagger else _SOURCES.get(str(where))
                )
                if not isinstance(name, str) or source is None:
                    continue
                required = source == "path" or param.get("required") is True
                declared[(name, source)] = EndpointParam(
                    name, source, self.param_type(param, path), required
                )
        for name in _TEMPLATE.findall(raw):
            declared.setdefault((name, "path"), EndpointParam(name, "path", None, True))
        return declared, body

    def param_type(self, param: dict[str, Any], path: DocPath) -> str | None:
        if self.s.swagger:
            return self.s.type_text(param, path) if "type" in param else None
        if "schema" in param:
            return self.s.type_text(param["schema"], (*path, "schema"))
        content = param.get("content")
        if isinstance(content, dict):
            for media, value in content.items():
                if isinstance(value, dict) and "schema" in value:
                    return self.s.type_text(value["schema"], (*path, "content", media, "schema"))
        return None

    def request_body(
        self,
        op: dict[str, Any],
        op_path: DocPath,
        owner: str,
        params: dict[tuple[str, str], EndpointParam],
    ) -> str | None:
        body, path = self.s.resolve(op.get("requestBody"), (*op_path, "requestBody"))
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, dict):
            return None
        media = _json_media(content)
        if media is not None:
            schema = content[media].get("schema")
            schema_path = (*path, "content", media, "schema")
            return self.s.body_model(
                schema, schema_path, self.hint(path, op_path, owner, "request")
            )
        for form in _FORMS:
            value = content.get(form)
            if isinstance(value, dict):
                schema_path = (*path, "content", form, "schema")
                fields = self.s.fields(value.get("schema"), schema_path, frozenset())
                for field in fields.values():
                    params.setdefault(
                        (field.name, "form"),
                        EndpointParam(field.name, "form", field.type, field.required),
                    )
                break
        return None

    # --- what comes back -------------------------------------------------------------------------

    def response(
        self, op: dict[str, Any], op_path: DocPath, owner: str
    ) -> tuple[int | None, str | None]:
        responses, path = self.s.resolve(op.get("responses"), (*op_path, "responses"))
        if not isinstance(responses, dict):
            return None, None
        codes = [code for code in responses if str(code).startswith("2")]
        codes.sort(key=lambda code: {"200": 0, "201": 1}.get(str(code), 2))  # stable: doc order
        for code in codes:
            response, response_path = self.s.resolve(responses[code], (*path, code))
            schema = self.response_schema(response, response_path)
            if schema is not None:
                hint = self.hint(response_path, op_path, owner, "response")
                return _status(code), self.s.body_model(*schema, hint)
        return (_status(codes[0]) if codes else None), None

    def response_schema(self, response: object, path: DocPath) -> tuple[object, DocPath] | None:
        if not isinstance(response, dict):
            return None
        if self.s.swagger:
            return (response["schema"], (*path, "schema")) if "schema" in response else None
        content = response.get("content")
        media = _json_media(content) if isinstance(content, dict) else None
        if media is None or not isinstance(content, dict) or "schema" not in content[media]:
            return None
        return content[media]["schema"], (*path, "content", media, "schema")


def _json_media(content: dict[str, Any]) -> str | None:
    """The JSON media type of a content map: application/json, another JSON type, `*/*`."""
    usable = [m for m, value in content.items() if isinstance(m, str) and isinstance(value, dict)]
    for wanted in (
        lambda m: m.split(";")[0].strip().lower() == "application/json",
        lambda m: "json" in m.lower(),
        lambda m: m.strip() == "*/*",
    ):
        for media in usable:
            if wanted(media):
                return media
    return None


def _status(code: object) -> int | None:
    text = str(code)
    return int(text) if text.isdigit() else None


def _server_path(server: object) -> str:
    """The path part of a server URL, its variables at their defaults: "/api/v1" or ""."""
    if not isinstance(server, dict) or not isinstance(server.get("url"), str):
        return ""
    variables = server.get("variables")
    defaults = variables if isinstance(variables, dict) else {}

    def default(match: re.Match[str]) -> str:
        found = defaults.get(match.group(1))
        value = found.get("default") if isinstance(found, dict) else None
        return str(value) if isinstance(value, str | int | float) else match.group(0)

    url = _VARIABLE.sub(default, server["url"].strip())
    url = _ORIGIN.sub("", url).split("?")[0].split("#")[0]
    segments = [s for s in url.split("/") if s not in ("", ".", "..")]
    return "/" + "/".join(segments) if segments else ""
