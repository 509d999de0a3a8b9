from __future__ import annotations

from analyzers.facts import Family, Severity
from analyzers.rules.base import Example
from analyzers.rules.contract_examples import RESULT_FIELDS, pair
from analyzers.rules.contracts import ContractRule


class ResponseContractBreak(ContractRule):
    """A response field the client reads that the server no longer returns as the client expects.

    ## What it finds
    For a call linked to the route it hits, the client's response type
    against the server's response model: a field the client reads that the
    server does not return, a field the client treats as always present that
    the server may return as null (or, for TypeScript, zod and OpenAPI
    servers, leave out), a field of another JSON type, and an array where the
    client expects an object or the reverse. In a diff review, only what the
    change broke. Returning more, or making a field required, cannot break a
    client and is never reported.

    ## Why it matters
    Nothing fails at the boundary: the client reads `undefined` or `null` and
    carries on, so the break shows up far away, as `NaN%` on a page or a
    sort that no longer sorts.

    ## Example
    `MatchResult.score` becomes `float | None`; the core API types it
    `score: number` and sorts with `b.score - a.score`.

    ## Fix
    Keep the field's type until every client handles the new one, or change
    the client's type and its readers in the same pull request.
    """

    code = "FLOW303"
    name = "response-contract-break"
    family = Family.CONTRACT
    severity = Severity.HIGH
    KINDS = {
        "not-returned": (
            "Client reads `{field}`, which {target} no longer returns",
            Severity.HIGH,
            "return the field again, or stop reading it in every client",
        ),
        "may-be-null": (
            "`{field}` may be null, but the client treats it as always set",
            Severity.HIGH,
            "type the field as nullable in the client and handle null where it is read",
        ),
        "may-be-absent": (
            "`{field}` may be missing, but the client treats it as always present",
            Severity.MEDIUM,
            "type the field as optional in the client and handle its absence",
        ),
        "response-type": (
            "Response field `{field}` has another type on each side",
            Severity.HIGH,
            "make both sides agree on the field's JSON type",
        ),
        "shape": (
            "The client reads the response of {target} as another shape",
            Severity.HIGH,
            "read the response as the server returns it (an array or an object)",
        ),
    }

    VALID = (
        Example(head=pair(), note="both sides agree"),
        Example(
            base=pair(),
            head=pair(engine_result=RESULT_FIELDS + "    reasons: list[str] = []\n"),
            note="the server returns more",
        ),
        Example(
            base=pair(
                engine_result=RESULT_FIELDS.replace("score: float", "score: float | None = None")
            ),
            head=pair(),
            note="the server narrows what it returns: null no longer comes back",
        ),
    )
    INVALID = (
        Example(
            base=pair(),
            head=pair(
                engine_result=RESULT_FIELDS.replace("score: float", "score: float | None = None")
            ),
            note="the field became nullable",
        ),
        Example(
            base=pair(),
            head=pair(engine_result="    job_id: str\n"),
            note="the field was removed",
        ),
        Example(
            base=pair(),
            head=pair(engine_result=RESULT_FIELDS.replace("score: float", "score: str")),
            note="number became string",
        ),
    )
