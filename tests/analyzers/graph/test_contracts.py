"""The data contract of a call and the route it hits, compared field by field."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from analyzers.facts import (
    DataModel,
    Endpoint,
    EndpointParam,
    Location,
    ModelField,
    OutboundCall,
    Service,
)
from analyzers.graph.contracts import (
    LOCATION,
    REQUEST,
    RESPONSE,
    Body,
    ContractIssue,
    ModelIndex,
    body_of,
    compare,
    signature,
)
from analyzers.graph.types import Shape

SERVICES = (
    Service("pricing", "services/pricing", ("python",)),
    Service("web", "apps/web", ("typescript",)),
)
CLIENT_MODEL = "apps.web.src.types.Quote"
SERVER_MODEL = "services.pricing.app.models.Quote"
CALL_AT = Location("apps/web/src/api.ts", 20, 24)
ROUTE_AT = Location("services/pricing/app/main.py", 30, 30)
CLIENT_MODEL_AT = Location("apps/web/src/types.ts", 1, 9)
SERVER_MODEL_AT = Location("services/pricing/app/models.py", 5, 15)


def field(
    name: str,
    type: str = "str",
    *,
    required: bool = True,
    nullable: bool = False,
    wire: str | None = None,
    enum: tuple[str, ...] = (),
    accepts_name: bool = False,
    line: int | None = None,
) -> ModelField:
    where = Location("somewhere.py", line, line) if line is not None else None
    return ModelField(name, wire or name, type, required, nullable, enum, accepts_name, where)


def client_model(fields: Sequence[ModelField], kind: str = "interface") -> DataModel:
    return DataModel("web", CLIENT_MODEL_AT, CLIENT_MODEL, kind, tuple(fields))


def server_model(fields: Sequence[ModelField], kind: str = "pydantic") -> DataModel:
    return DataModel("pricing", SERVER_MODEL_AT, SERVER_MODEL, kind, tuple(fields))


def run(
    client: Sequence[ModelField],
    server: Sequence[ModelField],
    *,
    side: str = "request",
    server_kind: str = "pydantic",
    client_type: str = CLIENT_MODEL,
    server_type: str = "app.models.Quote",
    url: str = "{PRICING_URL}/quotes",
    params: tuple[EndpointParam, ...] = (),
) -> tuple[ContractIssue, ...]:
    index = ModelIndex([client_model(client), server_model(server, server_kind)], SERVICES)
    request = side == "request"
    call = OutboundCall(
        "web",
        CALL_AT,
        "fetch",
        "POST",
        url,
        request_type=client_type if request else None,
        response_type=None if request else client_type,
    )
    route = Endpoint(
        "pricing",
        ROUTE_AT,
        "POST",
        "/quotes",
        "create_quote",
        "fastapi",
        request_model=server_type if request else None,
        response_model=None if request else server_type,
        params=params,
    )
    return compare(call, route, index, index)


def kinds(issues: Sequence[ContractIssue]) -> list[tuple[str, str]]:
    return sorted((i.kind, i.field) for i in issues)


# --- resolving models --------------------------------------------------------------------------


def test_model_index_resolves_a_services_own_references() -> None:
    quote = server_model([field("a")])
    other = DataModel("pricing", SERVER_MODEL_AT, "services.pricing.app.schemas.Other", "pydantic")
    index = ModelIndex([quote, other, client_model([field("a")])], SERVICES)
    assert index.resolve(SERVER_MODEL, "web") is quote  # a qualified name from anywhere
    assert index.resolve("app.models.Quote", "pricing") is quote  # relative to the service root
    assert index.resolve("models.Quote", "pricing") is quote  # a shorter dotted tail
    assert index.resolve("Quote", "pricing") is quote  # a bare name unique in the service
    assert index.resolve("Other", "pricing") is other
    assert index.resolve("Missing", "pricing") is None
    assert index.resolve("app.models.Other", "pricing") is None  # not where the reference says


def test_a_bare_name_two_models_share_resolves_to_none() -> None:
    first = server_model([field("a")])
    second = DataModel("pricing", SERVER_MODEL_AT, "services.pricing.app.v2.Quote", "pydantic")
    index = ModelIndex([first, second], SERVICES)
    assert index.resolve("Quote", "pricing") is None
    assert index.resolve("v2.Quote", "pricing") is second


def test_a_bare_name_is_resolved_in_the_callers_service_only() -> None:
    index = ModelIndex([server_model([field("a")])], SERVICES)
    assert index.resolve("Quote", "web") is None


def test_body_of_and_signature() -> None:
    quote = server_model([field("a")])
    index = ModelIndex([quote], SERVICES)
    body = body_of("list[app.models.Quote] | None", "pricing", index)
    assert body == Body(Shape("app.models.Quote", 1, nullable=True), quote)
    assert signature(body) == (1, True, quote.fields)
    assert body_of(None, "pricing", index) is None
    assert signature(None) == ()
    unknown = body_of("dict[str, Any]", "pricing", index)
    assert unknown is not None
    assert unknown.model is None
    assert signature(unknown) == (0, False, ())


def test_issue_kind_families_do_not_overlap() -> None:
    assert not (REQUEST & RESPONSE) and not (REQUEST & LOCATION) and not (RESPONSE & LOCATION)


# --- the request -------------------------------------------------------------------------------


def test_the_same_fields_give_no_issue() -> None:
    fields = [field("amount", "number"), field("currency", "string")]
    server = [field("amount", "float"), field("currency", "str")]
    assert run(fields, server) == ()


def test_a_renamed_field_is_paired_by_a_shared_word() -> None:
    issues = run(
        [field("customerId", line=3), field("amount", "number")],
        [field("customer_id", line=8), field("amount", "int")],
    )
    assert kinds(issues) == [("renamed", "customerId")]
    (issue,) = issues
    assert issue.other_field == "customer_id"
    assert "`customerId`" in issue.detail and "`customer_id`" in issue.detail
    assert issue.client == Location("somewhere.py", 3, 3)  # the client's field
    assert issue.server == Location("somewhere.py", 8, 8)  # the server's field


def test_a_rename_to_a_shorter_name() -> None:
    issues = run([field("currencyCode")], [field("currency")])
    assert [(i.kind, i.field, i.other_field) for i in issues] == [
        ("renamed", "currencyCode", "currency")
    ]


def test_fields_that_share_no_word_are_not_a_rename() -> None:
    issues = run([field("colour")], [field("size")])
    assert kinds(issues) == [("not-accepted", "colour"), ("required-missing", "size")]


def test_a_required_field_not_sent() -> None:
    issues = run([field("amount")], [field("amount"), field("currency")])
    assert kinds(issues) == [("required-missing", "currency")]
    (issue,) = issues
    assert issue.client == CALL_AT
    assert issue.server == SERVER_MODEL_AT  # the field's own location is not known


def test_a_field_the_server_does_not_accept() -> None:
    issues = run([field("amount"), field("coupon", line=4)], [field("amount")])
    assert kinds(issues) == [("not-accepted", "coupon")]
    (issue,) = issues
    assert "Quote does not accept" in issue.detail
    assert issue.client == Location("somewhere.py", 4, 4)
    assert issue.server == SERVER_MODEL_AT


def test_an_alias_accepted_by_its_name_too() -> None:
    # pydantic `populate_by_name`: `customer_id` is accepted besides the alias `customerId`
    aliased = field("customer_id", wire="customerId", accepts_name=True)
    assert run([field("customer_id")], [aliased]) == ()
    assert run([field("customerId")], [aliased]) == ()
    # the value is still checked through its name
    assert kinds(run([field("customer_id", "number")], [aliased])) == [("type", "customer_id")]


def test_an_alias_not_accepted_by_its_name() -> None:
    issues = run([field("customer_id")], [field("customer_id", wire="customerId")])
    assert [(i.kind, i.field, i.other_field) for i in issues] == [
        ("renamed", "customer_id", "customerId")
    ]


def test_an_enum_value_the_server_rejects() -> None:
    client = [field("tier", "'gold' | 'silver' | 'vip'", enum=("gold", "silver", "vip"))]
    server = [field("tier", "Tier", enum=("gold", "silver"))]
    issues = run(client, server)
    assert kinds(issues) == [("enum-rejected", "tier")]
    assert issues[0].detail == (
        "may send `vip` as `tier`, which pricing rejects (it accepts `gold`, `silver`)"
    )


def test_enum_values_of_another_type_than_the_server_expects() -> None:
    client = [field("priority", "'low' | 'high'", enum=("low", "high"))]
    assert kinds(run(client, [field("priority", "int")])) == [("type", "priority")]


def test_an_enum_the_server_accepts_in_full() -> None:
    client = [field("tier", "'gold' | 'silver'", enum=("gold", "silver"))]
    server = [field("tier", "str", enum=("gold", "silver", "vip"))]
    assert run(client, server) == ()


@pytest.mark.parametrize(
    ("sent", "accepted", "issue"),
    [
        ("string", "int", True),
        ("number", "str", True),
        ("boolean", "str", True),
        ("string[]", "str", True),
        ("number", "float", False),
        ("string", "EmailStr", False),
        ("string | null", "Optional[str]", False),
        ("Money", "int", False),  # unknown is never a mismatch
        ("string", "Any", False),
    ],
)
def test_a_field_sent_as_another_type(sent: str, accepted: str, issue: bool) -> None:
    issues = run([field("amount", sent)], [field("amount", accepted)])
    assert kinds(issues) == ([("type", "amount")] if issue else [])


def test_a_body_field_the_server_reads_from_the_query() -> None:
    limit = (EndpointParam("limit", "query", "int"),)
    issues = run([field("amount"), field("limit", "number")], [field("amount")], params=limit)
    assert kinds(issues) == [("body-vs-query", "limit")]
    assert issues[0].server == ROUTE_AT


def test_a_body_field_read_from_the_query_by_a_handler_without_a_model() -> None:
    params = (EndpointParam("amount", "body"), EndpointParam("limit", "query"))
    issues = run([field("amount"), field("limit")], [], server_type="dict", params=params)
    assert kinds(issues) == [("body-vs-query", "limit")]
    # a handler that reads nothing from the body says nothing
    assert run([field("limit")], [], server_type="dict", params=params[1:]) == ()


def test_a_query_value_the_server_reads_from_the_body() -> None:
    url = "{PRICING_URL}/quotes?limit={n}"
    issues = run([field("amount")], [field("amount"), field("limit", "int")], url=url)
    # the required `limit` is sent, in the wrong place: one issue, not two
    assert kinds(issues) == [("query-vs-body", "limit")]
    assert "query string" in issues[0].detail


def test_a_query_value_the_server_reads_from_the_body_without_a_client_model() -> None:
    url = "{PRICING_URL}/quotes?limit=5"
    issues = run([], [field("limit", "int")], url=url, client_type="Record<string, unknown>")
    assert kinds(issues) == [("query-vs-body", "limit")]


def test_a_query_value_the_server_reads_from_the_query() -> None:
    url = "{PRICING_URL}/quotes?limit={n}"
    limit = (EndpointParam("limit", "query", "int"),)
    assert run([field("amount")], [field("amount")], url=url, params=limit) == ()


def test_an_array_where_the_server_expects_an_object() -> None:
    issues = run([field("a")], [field("a")], client_type=CLIENT_MODEL + "[]")
    assert [(i.kind, i.field, i.detail) for i in issues] == [
        ("type", "", "sends an array where pricing expects an object")
    ]


def test_a_body_unknown_on_either_side_says_nothing() -> None:
    assert run([field("a")], [field("b")], client_type="unknown") == ()
    assert run([field("a")], [field("b")], server_type="app.models.Missing") == ()
    assert run([], [field("b")]) == ()  # a model without fields is not known


# --- the safe direction gives no issue ---------------------------------------------------------


def test_the_server_makes_a_request_field_optional() -> None:
    client = [field("amount"), field("currency")]
    assert run(client, [field("amount"), field("currency", required=False)]) == ()
    # and a field the client does not send at all
    assert run([field("amount")], [field("amount"), field("note", required=False)]) == ()


def test_the_server_adds_a_response_field() -> None:
    server = [field("id"), field("total", "float"), field("created_at", "datetime")]
    assert run([field("id"), field("total", "number")], server, side="response") == ()


def test_the_client_reads_an_optional_field() -> None:
    client = [field("id"), field("discount", "number", required=False)]
    for kind in ("pydantic", "interface"):
        # not returned at all
        assert run(client, [field("id")], side="response", server_kind=kind) == ()
        # returned maybe null, or maybe absent
        served = [field("id"), field("discount", "float", required=False, nullable=True)]
        assert run(client, served, side="response", server_kind=kind) == ()


def test_the_client_reads_a_nullable_field() -> None:
    client = [field("discount", "number | null", nullable=True)]
    served = [field("discount", "Optional[float]", nullable=True)]
    assert run(client, served, side="response") == ()


# --- the response ------------------------------------------------------------------------------


def test_a_field_read_that_the_server_does_not_return() -> None:
    issues = run([field("id"), field("total", line=6)], [field("id")], side="response")
    assert kinds(issues) == [("not-returned", "total")]
    assert issues[0].client == Location("somewhere.py", 6, 6)
    assert issues[0].server == SERVER_MODEL_AT


def test_a_field_that_may_be_null() -> None:
    served = [field("total", "Optional[float]", required=False, nullable=True)]
    issues = run([field("total", "number")], served, side="response")
    assert kinds(issues) == [("may-be-null", "total")]


@pytest.mark.parametrize(
    ("server_kind", "absent"),
    [
        ("pydantic", False),  # a field with a default is still serialised
        ("dataclass", False),
        ("attrs", False),
        ("namedtuple", False),
        ("interface", True),  # TypeScript `total?: number`
        ("zod", True),
        ("typeddict", True),  # NotRequired
        ("openapi", True),
    ],
)
def test_a_field_that_may_be_absent(server_kind: str, absent: bool) -> None:
    served = [field("total", "float", required=False)]
    issues = run([field("total", "number")], served, side="response", server_kind=server_kind)
    assert kinds(issues) == ([("may-be-absent", "total")] if absent else [])


def test_a_field_read_as_another_type() -> None:
    issues = run([field("total", "number")], [field("total", "str")], side="response")
    assert kinds(issues) == [("response-type", "total")]
    assert issues[0].detail == "reads `total` as number; pricing returns string"


@pytest.mark.parametrize(
    ("client_type", "server_type", "detail"),
    [
        (CLIENT_MODEL + "[]", "app.models.Quote", "reads the response as an array; pricing "),
        (CLIENT_MODEL, "list[app.models.Quote]", "reads the response as an object; pricing "),
        ("Quote[]", "dict[str, Any]", "reads the response as an array; pricing "),
    ],
)
def test_an_array_read_as_an_object_or_back(
    client_type: str, server_type: str, detail: str
) -> None:
    issues = run(
        [field("a")],
        [field("a")],
        side="response",
        client_type=client_type,
        server_type=server_type,
    )
    assert [(i.kind, i.field) for i in issues] == [("shape", "")]
    assert issues[0].detail.startswith(detail)


def test_an_array_of_models_against_an_array_of_models() -> None:
    issues = run(
        [field("a"), field("b")],
        [field("a")],
        side="response",
        client_type=CLIENT_MODEL + "[]",
        server_type="list[app.models.Quote]",
    )
    assert kinds(issues) == [("not-returned", "b")]


def test_a_shape_neither_side_can_tell_is_no_issue() -> None:
    issues = run(
        [field("a")], [field("a")], side="response", client_type="Foo[]", server_type="Bar"
    )
    assert issues == ()


def test_an_enum_model_is_not_compared_field_by_field() -> None:
    assert (
        run([field("a")], [field("GOLD", wire="gold")], side="response", server_kind="enum") == ()
    )
