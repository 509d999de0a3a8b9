from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, Severity
from analyzers.graph.delta import MODIFIED, LinkChange
from analyzers.graph.linking import MATCHED
from analyzers.rules.base import Example, Rule, Scope
from analyzers.rules.contract_examples import REQUEST_FIELDS, RESULT_FIELDS, pair
from analyzers.rules.contracts import where

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

# What of a link each side owns: contract indexes (see `Link.contract`) and change kinds.
_CLIENT_CONTRACT = (0, 2)
_SERVER_CONTRACT = (1, 3, 4)


class ContractMovedOnBothSides(Rule):
    """A cross-service contract that the change moves on both sides, consistently.

    ## What it finds
    A call and the route it hits whose path, method, request or response
    contract this change alters on the client and on the server, with the two
    sides still agreeing afterwards. It is information, not a defect.

    ## Why it matters
    The pull request is safe only if both services are deployed together or
    in the right order: the new client against the old server (or the
    reverse) is the broken pair for as long as the rollout lasts.

    ## Example
    `MatchRequest.job_ids` becomes `job_id_list` in the engine's model and in
    the core API's client type in the same pull request.

    ## Fix
    Nothing to fix in the code. Plan the rollout: deploy the side that accepts
    both shapes first, or make the server accept the old shape for a while.
    """

    code = "FLOW305"
    name = "contract-moved-on-both-sides"
    family = Family.CONTRACT
    severity = Severity.INFO
    scope = Scope.CHANGE

    VALID = (
        Example(head=pair(), base=pair(), note="nothing changed"),
        Example(
            base=pair(),
            head=pair(engine_result=RESULT_FIELDS + "    reasons: list[str] = []\n"),
            note="only the server changed, compatibly",
        ),
    )
    INVALID = (
        Example(
            base=pair(),
            head=pair(
                engine_request=REQUEST_FIELDS.replace("job_ids", "job_id_list"),
                client_request="  candidate_id: string;\n  job_id_list: string[];\n  limit?: number;\n",
            ),
            note="a field renamed on both sides",
        ),
        Example(
            base=pair(),
            head=pair(
                engine_route='@app.post("/api/v2/match", response_model=list[MatchResult])',
                client_path="/api/v2/match",
            ),
            note="a route renamed on both sides",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        if ctx.whole_repo:
            return
        for change in ctx.graph.changes:
            if change.change != MODIFIED or change.head is None or change.base is None:
                continue
            head, base = change.head, change.base
            if head.status != MATCHED or base.status != MATCHED or head.issues:
                continue
            client, server = _sides(change)
            if not (client and server):
                continue
            endpoint = head.endpoint
            assert endpoint is not None  # matched
            call = head.call
            moved = ", ".join(dict.fromkeys(client + server))
            yield self.finding(
                title=f"{call.service} → {head.target.name} contract changed on both sides",
                message=(
                    f"This change moves the {moved} of {call.method} {head.path} on both sides, "
                    f"and they still agree: the client at {where(call.location)}, the route at "
                    f"{where(endpoint.location)}. Until both are deployed, the old {call.service} "
                    f"and the new {head.target.name} (or the reverse) do not."
                ),
                key=f"{call.service}:{call.function or call.location.path}:{head.target.name}:"
                f"{head.path}",
                service=call.service,
                location=call.location,
                suggestion="deploy the server first with the old contract still accepted, "
                "or deploy both services together",
            )


def _sides(change: LinkChange) -> tuple[list[str], list[str]]:
    """What the change moved on the client's side and on the server's side."""
    head, base = change.head, change.base
    assert head is not None and base is not None
    client, server = [], []
    if head.call.method != base.call.method or head.target.path != base.target.path:
        client.append("path" if head.target.path != base.target.path else "method")
    for index in _CLIENT_CONTRACT:
        if head.contract[index] != base.contract[index]:
            client.append("request" if index == 0 else "response")
    head_route = (head.endpoint.method, head.endpoint.path) if head.endpoint else None
    base_route = (base.endpoint.method, base.endpoint.path) if base.endpoint else None
    if head_route != base_route:
        server.append("path")
    for index in _SERVER_CONTRACT:
        if head.contract[index] != base.contract[index]:
            server.append("response" if index == 3 else "request")
    return client, server
