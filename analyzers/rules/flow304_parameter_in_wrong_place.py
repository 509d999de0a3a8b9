from __future__ import annotations

from analyzers.facts import Family, Severity
from analyzers.rules.base import Example
from analyzers.rules.contract_examples import REQUEST_FIELDS, pair
from analyzers.rules.contracts import ContractRule


class ParameterInWrongPlace(ContractRule):
    """A value the client sends in the body that the server reads from the query string, or the reverse.

    ## What it finds
    For a call linked to the route it hits: a field of the client's JSON body
    that the server's route reads as a query parameter, and a query parameter
    of the client's URL that the server reads from the body. In a diff review,
    only what the change broke.

    ## Why it matters
    The server never sees the value: a required parameter fails the request
    with 422, an optional one silently falls back to its default, so a `limit`
    or a `currency` the client chose is ignored.

    ## Example
    The engine moves `limit` out of `MatchRequest` into a query parameter
    (`def match(body: MatchRequest, limit: int = 10)`); the client still sends
    `{"limit": 5}` in the body and gets ten results.

    ## Fix
    Send the value where the server reads it, or read it where clients send it.
    """

    code = "FLOW304"
    name = "parameter-in-wrong-place"
    family = Family.CONTRACT
    severity = Severity.HIGH
    KINDS = {
        "body-vs-query": (
            "`{field}` is sent in the body; {target} reads it from the query string",
            Severity.HIGH,
            "send the value as a query parameter, or read it from the body on the server",
        ),
        "query-vs-body": (
            "`{field}` is sent in the query string; {target} reads it from the body",
            Severity.HIGH,
            "send the value in the JSON body, or read it from the query on the server",
        ),
    }

    VALID = (
        Example(head=pair(), note="both sides agree"),
        Example(
            base=pair(),
            head=pair(
                engine_request=REQUEST_FIELDS.replace("    limit: int = 10\n", ""),
                engine_params="body: MatchRequest, limit: int = 10",
                client_request="  candidate_id: string;\n  job_ids: string[];\n",
                client_path="/api/v1/match?limit=5",
            ),
            note="both sides moved the value to the query string",
        ),
    )
    INVALID = (
        Example(
            base=pair(),
            head=pair(
                engine_request=REQUEST_FIELDS.replace("    limit: int = 10\n", ""),
                engine_params="body: MatchRequest, limit: int = 10",
            ),
            note="the server reads limit from the query; the client sends it in the body",
        ),
    )
