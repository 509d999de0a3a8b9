"""The data contract of one call and the route it hits: what the client sends and reads,
what the server accepts and returns, and where they disagree.

Only what both sides declare is compared: a client whose body type is not
known, or a server whose model is not, says nothing. Disagreements follow the
direction rule oasdiff uses: a server that accepts less than the client sends
or returns less than the client reads breaks the client; a server that
accepts more or returns more does not, so those are never issues.

A model's optional field behaves differently by kind: Pydantic, dataclasses
and attrs still serialise a field that has a default, so only `None` can
surprise a reader; a TypeScript, zod or OpenAPI optional field may be absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from analyzers.facts import DataModel, Endpoint, Location, ModelField, OutboundCall, Service
from analyzers.graph.paths import query_names
from analyzers.graph.types import UNKNOWN, Shape, shape_of
from analyzers.modules import module_name

_MAX_DEPTH = 3  # nested models compared below a response body
# Kinds of model whose fields are always serialised, defaults included.
_ALWAYS_SERIALISED = frozenset({"pydantic", "dataclass", "attrs", "namedtuple"})

# Issue kinds, by the side of the contract they break.
REQUEST = frozenset(
    {"required-missing", "not-accepted", "renamed", "renamed-optional", "enum-rejected", "type"}
)
RESPONSE = frozenset({"not-returned", "may-be-null", "may-be-absent", "response-type", "shape"})
LOCATION = frozenset({"body-vs-query", "query-vs-body"})


# Issue kinds that are one problem seen more or less clearly: a field the server does not
# accept may look like a rename once the server gains a similar field.
_SAME_PROBLEM = {"renamed": "not-accepted", "renamed-optional": "not-accepted"}


def problem_of(kind: str) -> str:
    return _SAME_PROBLEM.get(kind, kind)


@dataclass(frozen=True, slots=True)
class ContractIssue:
    kind: str
    field: str  # the wire name the issue is about ("" for the body as a whole)
    detail: str  # one sentence, naming both sides
    client: Location  # where the client sends or reads it
    server: Location  # where the server declares it (the field, else the model or route)
    other_field: str = ""  # for a rename: the name the server expects now


class ModelIndex:
    """Data models of one tree by qualified name, resolvable from a service's own references."""

    def __init__(self, models: Iterable[DataModel], services: Sequence[Service]) -> None:
        self.by_name: dict[str, DataModel] = {}
        self.by_last: dict[tuple[str, str], list[DataModel]] = {}
        for model in models:
            self.by_name.setdefault(model.name, model)
            last = model.name.rsplit(".", 1)[-1].rsplit("#", 1)[-1]
            self.by_last.setdefault((model.service, last), []).append(model)
        self.prefix = {s.name: module_name(s.root + "/x.py").rsplit(".", 1)[0] for s in services}

    def resolve(self, ref: str, service: str) -> DataModel | None:
        found = self.by_name.get(ref)
        if found is not None:
            return found
        prefix = self.prefix.get(service, "")
        if prefix:
            found = self.by_name.get(f"{prefix}.{ref}")
            if found is not None:
                return found
        last = ref.rsplit(".", 1)[-1]
        candidates = [
            m
            for m in self.by_last.get((service, last), ())
            if m.name.endswith("." + ref) or m.name == ref or "." not in ref
        ]
        return candidates[0] if len(candidates) == 1 else None


@dataclass(frozen=True, slots=True)
class Body:
    """One side's view of a JSON body: its shape and, when it is a model, the model."""

    shape: Shape
    model: DataModel | None


def body_of(ref: str | None, service: str, models: ModelIndex) -> Body | None:
    shape = shape_of(ref)
    if shape is None:
        return None
    return Body(shape, models.resolve(shape.core, service))


def signature(body: Body | None) -> tuple[object, ...]:
    """What of a body a contract depends on, for telling a changed contract from a moved one."""
    if body is None:
        return ()
    fields = body.model.fields if body.model is not None else ()
    return (body.shape.arrays, body.shape.nullable, fields)


def compare(
    call: OutboundCall,
    endpoint: Endpoint,
    client_models: ModelIndex,
    server_models: ModelIndex,
) -> tuple[ContractIssue, ...]:
    issues: list[ContractIssue] = []
    client_body = body_of(call.request_type, call.service, client_models)
    server_body = body_of(endpoint.request_model, endpoint.service, server_models)
    issues += _request(call, endpoint, client_body, server_body)
    client_reply = body_of(call.response_type, call.service, client_models)
    server_reply = body_of(endpoint.response_model, endpoint.service, server_models)
    issues += _response(call, endpoint, client_reply, server_reply, client_models, server_models)
    return tuple(issues)


# --- the request ------------------------------------------------------------------------------


def _request(
    call: OutboundCall, endpoint: Endpoint, client: Body | None, server: Body | None
) -> list[ContractIssue]:
    sent_in_query = set(query_names(call.url))
    query_params = {p.name: p for p in endpoint.params if p.source == "query"}
    body_params = {p.name: p for p in endpoint.params if p.source == "body"}
    client_fields = _fields(client)
    server_fields = _fields(server)
    issues: list[ContractIssue] = []
    route = endpoint.location
    # a value in the query string that the server reads from the body
    for name in sorted(sent_in_query):
        if name in query_params or (client_fields is not None and name in client_fields):
            continue
        if server_fields is not None and name in server_fields:
            issues.append(
                ContractIssue(
                    "query-vs-body",
                    name,
                    f"sends `{name}` in the query string; {endpoint.service} reads it from "
                    "the JSON body",
                    call.location,
                    _where(server_fields[name], server, route),
                )
            )
    if client is None or client_fields is None:
        return issues
    if server is None or server_fields is None:
        # no body model: fields the handler reads from the body one by one
        if not body_params:
            return issues
        accepted = {name: None for name in body_params}
        for name, field in client_fields.items():
            if name not in accepted and name in query_params:
                issues.append(_body_vs_query(call, endpoint, name, field))
        return issues
    if client.shape.arrays != server.shape.arrays:
        return [
            *issues,
            ContractIssue(
                "type",
                "",
                f"sends {_plural(client.shape)} where {endpoint.service} expects "
                f"{_plural(server.shape)}",
                call.location,
                _model_location(server, route),
            ),
        ]
    accepted_names = {f.name for f in server_fields.values() if f.accepts_name}
    missing = [
        field
        for wire, field in server_fields.items()
        if field.required
        and wire not in client_fields
        and not (field.accepts_name and field.name in client_fields)
        and wire not in sent_in_query
    ]
    extra = []
    for wire, field in client_fields.items():
        if wire in server_fields or wire in accepted_names:
            server_field = server_fields.get(wire) or next(
                f for f in server_fields.values() if f.name == wire
            )
            issues += _value_issues(call, endpoint, field, server_field, server, route)
        elif wire in query_params:
            issues.append(_body_vs_query(call, endpoint, wire, field))
        else:
            extra.append(field)
    # The server's optional fields the client does not send: a rename target too, whose
    # value is then silently dropped instead of rejected.
    unsent = [
        f
        for wire, f in server_fields.items()
        if not f.required
        and wire not in client_fields
        and not (f.accepts_name and f.name in client_fields)
    ]
    renames = _pair_renames(extra, missing) or _pair_renames(extra, unsent)
    for sent, expected in renames:
        required = expected.required
        issues.append(
            ContractIssue(
                "renamed" if required else "renamed-optional",
                sent.wire_name,
                f"sends `{sent.wire_name}`, which {endpoint.service} no longer accepts: it "
                + (
                    f"requires `{expected.wire_name}` instead"
                    if required
                    else f"reads `{expected.wire_name}` instead, so the value is dropped"
                ),
                _field_location(sent, call.location),
                _where(expected, server, route),
                other_field=expected.wire_name,
            )
        )
    paired = {id(a) for pair in renames for a in pair}
    for field in missing:
        if id(field) in paired:
            continue
        issues.append(
            ContractIssue(
                "required-missing",
                field.wire_name,
                f"does not send `{field.wire_name}`, which {endpoint.service} requires",
                call.location,
                _where(field, server, route),
            )
        )
    for field in extra:
        if id(field) in paired:
            continue
        issues.append(
            ContractIssue(
                "not-accepted",
                field.wire_name,
                f"sends `{field.wire_name}`, which {endpoint.service}'s "
                f"{_model_name(server)} does not accept (the value is dropped or rejected)",
                _field_location(field, call.location),
                _model_location(server, route),
            )
        )
    return issues


def _body_vs_query(
    call: OutboundCall, endpoint: Endpoint, name: str, field: ModelField
) -> ContractIssue:
    return ContractIssue(
        "body-vs-query",
        name,
        f"sends `{name}` in the JSON body; {endpoint.service} reads it from the query string",
        _field_location(field, call.location),
        endpoint.location,
    )


def _value_issues(
    call: OutboundCall,
    endpoint: Endpoint,
    client: ModelField,
    server: ModelField,
    server_body: Body,
    route: Location,
) -> list[ContractIssue]:
    issues = []
    if client.enum_values and server.enum_values:
        rejected = [v for v in client.enum_values if v not in server.enum_values]
        if rejected:
            values = ", ".join(f"`{v}`" for v in rejected)
            issues.append(
                ContractIssue(
                    "enum-rejected",
                    client.wire_name,
                    f"may send {values} as `{client.wire_name}`, which {endpoint.service} "
                    f"rejects (it accepts {', '.join(f'`{v}`' for v in server.enum_values)})",
                    _field_location(client, call.location),
                    _where(server, server_body, route),
                )
            )
    sent, accepted = _kind(client), _kind(server)
    if UNKNOWN not in (sent, accepted) and sent != accepted:
        issues.append(
            ContractIssue(
                "type",
                client.wire_name,
                f"sends `{client.wire_name}` as {sent}; {endpoint.service} expects {accepted}",
                _field_location(client, call.location),
                _where(server, server_body, route),
            )
        )
    return issues


def _pair_renames(
    extra: list[ModelField], missing: list[ModelField]
) -> list[tuple[ModelField, ModelField]]:
    """Fields sent but not accepted paired with fields expected but not sent: those that
    share a word, or the only one of each when their JSON kinds agree."""
    if len(extra) == 1 and len(missing) == 1:
        sent, expected = extra[0], missing[0]
        kinds = {_kind(sent), _kind(expected)}
        similar = SequenceMatcher(None, _core(sent.wire_name), _core(expected.wire_name))
        if (len(kinds) == 1 or UNKNOWN in kinds) and similar.ratio() >= _SIMILAR:
            return [(sent, expected)]
    pairs = []
    taken: set[int] = set()
    for sent in extra:
        words = _words(sent.wire_name)
        best = max(
            (m for m in missing if id(m) not in taken),
            key=lambda m: len(words & _words(m.wire_name)),
            default=None,
        )
        if best is not None and words & _words(best.wire_name):
            taken.add(id(best))
            pairs.append((sent, best))
    return pairs


# Words too common to tie two field names together (`userId` and `orderId` share only "id").
_GENERIC_WORDS = frozenset(
    {"id", "key", "name", "type", "value", "data", "url", "at", "by", "is", "list", "count"}
)


_SIMILAR = 0.5  # `practitioner_id` and `provider_id` are; `user_id` and `order_id` are not


def _core(name: str) -> str:
    """A field name without separators and generic words: `practitioner_id` is `practitioner`."""
    return "".join(sorted(_words(name), key=name.lower().find))


def _words(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).lower()
    words = {w.rstrip("s") for w in re.split(r"[^a-z0-9]+", spaced) if len(w) > 1}
    return words - _GENERIC_WORDS


# --- the response -----------------------------------------------------------------------------


def _response(
    call: OutboundCall,
    endpoint: Endpoint,
    client: Body | None,
    server: Body | None,
    client_models: ModelIndex,
    server_models: ModelIndex,
    prefix: str = "",
    depth: int = 0,
) -> list[ContractIssue]:
    """Issues of one response body; nested models (an envelope's `items: Quote[]`) are
    compared too, a few levels deep, their fields named by path (`items[].currency`)."""
    if client is None or server is None:
        return []
    route = endpoint.location
    if client.shape.arrays != server.shape.arrays and UNKNOWN not in (
        _body_kind(client),
        _body_kind(server),
    ):
        what = f"`{prefix.rstrip('.')}`" if prefix else "the response"
        return [
            ContractIssue(
                "shape",
                prefix.rstrip("."),
                f"reads {what} as {_plural(client.shape)}; {endpoint.service} returns "
                f"{_plural(server.shape)}",
                call.location,
                _model_location(server, route),
            )
        ]
    client_fields, server_fields = _fields(client), _fields(server)
    if client_fields is None or server_fields is None or server.model is None:
        return []
    always = server.model.kind in _ALWAYS_SERIALISED
    issues = []
    absent = [f for wire, f in client_fields.items() if wire not in server_fields and f.required]
    unread = [f for wire, f in server_fields.items() if wire not in client_fields]
    # a field the client reads that is gone, beside a new one it does not read: a rename
    renamed = dict((id(a), b) for a, b in _pair_renames(absent, unread))
    for field in absent:
        name = prefix + field.wire_name
        instead = renamed.get(id(field))
        issues.append(
            ContractIssue(
                "not-returned",
                name,
                f"reads `{name}`, which {endpoint.service}'s {_model_name(server)} "
                + (
                    f"no longer returns: it returns `{prefix}{instead.wire_name}` instead"
                    if instead is not None
                    else "does not return"
                ),
                _field_location(field, call.location),
                _where(instead, server, route) if instead else _model_location(server, route),
                other_field=instead.wire_name if instead is not None else "",
            )
        )
    for wire, field in client_fields.items():
        served = server_fields.get(wire)
        name = prefix + wire
        if served is None:
            continue
        where = _where(served, server, route)
        if field.required and not field.nullable and served.nullable:
            issues.append(
                ContractIssue(
                    "may-be-null",
                    name,
                    f"treats `{name}` as always set; {endpoint.service} may return null",
                    _field_location(field, call.location),
                    where,
                )
            )
        elif field.required and not served.required and not always:
            issues.append(
                ContractIssue(
                    "may-be-absent",
                    name,
                    f"treats `{name}` as always present; {endpoint.service} may leave it out",
                    _field_location(field, call.location),
                    where,
                )
            )
        read, returned = _kind(field), _kind(served)
        if UNKNOWN not in (read, returned) and read != returned:
            issues.append(
                ContractIssue(
                    "response-type",
                    name,
                    f"reads `{name}` as {read}; {endpoint.service} returns {returned}",
                    _field_location(field, call.location),
                    where,
                )
            )
        if depth < _MAX_DEPTH:
            inner_client = body_of(field.type, call.service, client_models)
            inner_server = body_of(served.type, endpoint.service, server_models)
            if (
                inner_client is not None
                and inner_server is not None
                and inner_client.model is not None
                and inner_server.model is not None
            ):
                nested = name + "[]" * inner_client.shape.arrays + "."
                issues += _response(
                    call,
                    endpoint,
                    inner_client,
                    inner_server,
                    client_models,
                    server_models,
                    nested,
                    depth + 1,
                )
    return issues


# --- helpers ----------------------------------------------------------------------------------


def _fields(body: Body | None) -> dict[str, ModelField] | None:
    """A model body's fields by wire name; None for a body that is not a known model."""
    if body is None or body.model is None or not body.model.fields:
        return None
    if body.model.kind == "enum":
        return None
    return {f.wire_name: f for f in body.model.fields if f.wire_name}


def _kind(field: ModelField) -> str:
    shape = shape_of(field.type)
    return shape.kind if shape is not None else UNKNOWN


def _body_kind(body: Body) -> str:
    return "object" if body.model is not None else body.shape.kind


def _plural(shape: Shape) -> str:
    return "an array" if shape.arrays else "an object"


def _model_name(body: Body) -> str:
    name = body.model.name if body.model is not None else body.shape.core
    return name.rsplit(".", 1)[-1].rsplit("#", 1)[-1]


def _model_location(body: Body, route: Location) -> Location:
    return body.model.location if body.model is not None else route


def _where(field: ModelField, body: Body | None, route: Location) -> Location:
    if field.location is not None:
        return field.location
    return body.model.location if body is not None and body.model is not None else route


def _field_location(field: ModelField, fallback: Location) -> Location:
    return field.location if field.location is not None else fallback
