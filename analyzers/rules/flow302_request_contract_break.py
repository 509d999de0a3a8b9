from __future__ import annotations

from analyzers.facts import Family, Severity
from analyzers.rules.base import Example
from analyzers.rules.contract_examples import REQUEST_FIELDS, pair
from analyzers.rules.contracts import ContractRule


class RequestContractBreak(ContractRule):
    """A request body the client sends that the server's request model rejects or misreads.

    ## What it finds
    For a call linked to the route it hits, the client's body type against
    the server's request model: a field the server requires that the client
    does not send, a field the client sends under a name the server no longer
    accepts (renamed, removed, alias dropped), a value of an enumeration or
    literal type the server rejects, and a field sent as another JSON type. In
    a diff review, only what the change broke. Making a field optional or
    accepting more on the server cannot break a client and is never reported.

    ## Why it matters
    A validating server (Pydantic, zod) answers 422 to every such request; a
    lenient one silently drops the renamed field. The two services pass their
    own tests, and the feature fails only once both are deployed.

    ## Example
    The AI engine renames `MatchRequest.job_ids` to `job_id_list`; the core API
    still sends `job_ids`, so every match request is rejected.

    ## Fix
    Change both sides in one pull request, or make the server accept both names
    during the rollout (`Field(validation_alias=AliasChoices("job_id_list",
    "job_ids"))`), and deploy the server first.
    """

    code = "FLOW302"
    name = "request-contract-break"
    family = Family.CONTRACT
    severity = Severity.CRITICAL
    KINDS = {
        "renamed": (
            "Request field `{field}` renamed on the server only",
            Severity.CRITICAL,
            "send the new name from every client, or accept both names on the server",
        ),
        "renamed-optional": (
            "Request field `{field}` renamed on the server only",
            Severity.HIGH,
            "send the new name from every client, or accept both names on the server",
        ),
        "required-missing": (
            "{target} requires `{field}`, which the client does not send",
            Severity.CRITICAL,
            "send the field from every client, or give it a default on the server",
        ),
        "not-accepted": (
            "Client sends `{field}`, which {target} does not accept",
            Severity.MEDIUM,
            "stop sending the field, or accept it on the server",
        ),
        "enum-rejected": (
            "Client may send a `{field}` value that {target} rejects",
            Severity.HIGH,
            "accept the value on the server, or stop the client from sending it",
        ),
        "type": (
            "Request field `{field}` has another type on each side",
            Severity.HIGH,
            "make both sides agree on the field's JSON type",
        ),
    }

    VALID = (
        Example(head=pair(), note="both sides agree"),
        Example(
            base=pair(),
            head=pair(
                engine_request=REQUEST_FIELDS.replace(
                    "job_ids: list[str]", "job_ids: list[str] = []"
                )
            ),
            note="the server accepts more: a required field became optional",
        ),
        Example(
            base=pair(),
            head=pair(
                engine_request=REQUEST_FIELDS.replace("job_ids", "job_id_list"),
                client_request="  candidate_id: string;\n  job_id_list: string[];\n  limit?: number;\n",
            ),
            note="both sides renamed the field together (FLOW305 tells)",
        ),
    )
    INVALID = (
        Example(
            base=pair(),
            head=pair(engine_request=REQUEST_FIELDS.replace("job_ids", "job_id_list")),
            note="renamed on the server only",
        ),
        Example(
            base=pair(),
            head=pair(engine_request=REQUEST_FIELDS + "    scoring_profile: str\n"),
            note="a new required field no client sends",
        ),
        Example(
            base=pair(),
            head=pair(
                engine_request=REQUEST_FIELDS + '    tier: Literal["basic", "premium"] = "basic"\n',
                client_request="  candidate_id: string;\n  job_ids: string[];\n"
                '  tier: "basic" | "premium" | "enterprise";\n',
            ),
            note="the client may send a value the server's literal type rejects",
        ),
        Example(
            base=pair(),
            head=pair(
                engine_request=REQUEST_FIELDS.replace(
                    "job_ids: list[str]", 'job_ids: list[str] = Field(alias="jobIds")'
                )
            ),
            note="an alias makes the wire name jobIds: job_ids is no longer accepted",
        ),
    )
