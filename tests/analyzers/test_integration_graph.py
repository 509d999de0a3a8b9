"""The integration graph over the clinic fixture: every change variant gives exactly the
contract, route and cascading findings a reviewer should see, and nothing else.

`tests/fixtures/integration/clinic/CHANGES.md` says, variant by variant, what breaks
and where; the table below is that, as (rule, path, line, how many findings there).
Several findings at one place are one per client call the change breaks (the create,
get and list calls of the api's pricing client all read a `Quote`).
"""

from __future__ import annotations

import pytest

from analyzers.diff import diff_snapshots
from analyzers.engine import ReviewRequest, review
from analyzers.facts import Review, Severity
from analyzers.reports import review_to_json
from analyzers.snapshot import MemorySnapshot
from tests.analyzers.integration import load_tree, variants

GRAPH_RULES = ("FLOW301", "FLOW302", "FLOW303", "FLOW304", "FLOW305", "FLOW306")
CLIENT = "services/api/src/clients/pricing-client.ts"

EXPECTED: dict[str, set[tuple[str, str, int, int]]] = {
    "cascading-fanout": {
        ("FLOW306", "services/api/src/routes/bookings.ts", 41, 1),
    },
    "cascading-handler": {
        ("FLOW306", "services/api/src/routes/bookings.ts", 129, 1),
    },
    "contract-change-both": {
        ("FLOW305", "services/api/src/clients/pricing-client.ts", 46, 1),
        ("FLOW305", "services/api/src/clients/pricing-client.ts", 64, 1),
    },
    "contract-change-client-only": {
        ("FLOW302", "services/api/src/clients/pricing-types.ts", 15, 1),
        # three pricing calls, and web's read of `items[].total` through api's GET /api/quotes
        ("FLOW303", "services/api/src/clients/pricing-types.ts", 35, 4),
    },
    "contract-change-server-only": {
        ("FLOW302", "services/pricing/app/models.py", 31, 1),
        ("FLOW303", "services/pricing/app/models.py", 55, 3),
    },
    "field-renamed-both": {
        ("FLOW305", "services/api/src/clients/pricing-client.ts", 46, 1),
    },
    "method-changed-server": {
        ("FLOW301", "services/api/src/clients/pricing-client.ts", 64, 1),
    },
    "new-route-both": set(),
    "new-route-client-only": {
        ("FLOW301", "services/api/src/clients/pricing-client.ts", 93, 1),
    },
    "new-route-server-only": set(),
    "query-to-body-server": {
        ("FLOW304", "services/pricing/app/routers/quotes.py", 22, 1),
    },
    "request-alias-dropped-server": {
        ("FLOW302", "services/pricing/app/models.py", 23, 1),
    },
    "request-enum-narrowed-server": {
        ("FLOW302", "services/pricing/app/models.py", 29, 1),
    },
    "request-field-renamed-server": {
        ("FLOW302", "services/pricing/app/models.py", 28, 1),
    },
    "request-required-added-server": {
        ("FLOW302", "services/pricing/app/models.py", 30, 1),
    },
    "response-field-removed-server": {
        ("FLOW303", "services/pricing/app/models.py", 43, 3),
    },
    "response-nullable-server": {
        ("FLOW303", "services/pricing/app/models.py", 55, 3),
    },
    "response-type-changed-server": {
        ("FLOW303", "services/pricing/app/models.py", 52, 3),
    },
    "route-renamed-both": {
        ("FLOW305", "services/api/src/clients/pricing-client.ts", 46, 1),
        ("FLOW305", "services/api/src/clients/pricing-client.ts", 64, 1),
        ("FLOW305", "services/api/src/clients/pricing-client.ts", 78, 1),
    },
    "route-renamed-server": {
        ("FLOW301", "services/api/src/clients/pricing-client.ts", 46, 1),
        ("FLOW301", "services/api/src/clients/pricing-client.ts", 64, 1),
        ("FLOW301", "services/api/src/clients/pricing-client.ts", 78, 1),
    },
    "safe-widening-server": set(),
    "web-route-removed-api": {
        ("FLOW301", "apps/web/src/hooks/useBookings.ts", 25, 1),
    },
}


def _review(name: str) -> Review:
    base = MemorySnapshot(load_tree(None), rev="b" * 40)
    head = MemorySnapshot(load_tree(name), rev="h" * 40)
    return review(ReviewRequest(head=head, base=base, changes=diff_snapshots(base, head)))


def _graph_findings(result: Review) -> set[tuple[str, str, int, int]]:
    places = [
        (f.rule, f.location.path, f.location.line)
        for f in result.findings
        if f.rule in GRAPH_RULES and f.location is not None
    ]
    return {(*place, places.count(place)) for place in places}


def test_every_variant_has_an_expectation() -> None:
    assert set(EXPECTED) == set(variants())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_variant_gives_exactly_the_expected_findings(name: str) -> None:
    assert _graph_findings(_review(name)) == EXPECTED[name]


@pytest.mark.parametrize(
    "name", ["route-renamed-both", "field-renamed-both", "contract-change-both", "new-route-both"]
)
def test_a_consistent_change_is_information_not_a_defect(name: str) -> None:
    graph = [f for f in _review(name).findings if f.rule in GRAPH_RULES]
    assert all(f.severity is Severity.INFO for f in graph)


def test_whole_repo_review_of_base_finds_no_break() -> None:
    head = MemorySnapshot(load_tree(None), rev="b" * 40)
    result = review(ReviewRequest(head=head))
    assert not [f for f in result.findings if f.rule in GRAPH_RULES]
    assert {(e.source, e.target) for e in result.edges} == {("api", "pricing"), ("web", "api")}
    assert all(e.status == "matched" for e in result.edges)


# --- the half-applied change ------------------------------------------------------------------


def test_server_half_of_a_contract_change_flags_every_client_site() -> None:
    result = _review("contract-change-server-only")
    reads = [f for f in result.findings if f.rule == "FLOW303"]
    # the create, get and list calls all read `total`; each is named in its own finding
    sites = {line for f in reads for line in (46, 64, 78) if f"{CLIENT}:{line}" in f.message}
    assert sites == {46, 64, 78}
    assert all("total_amount` instead" in f.message for f in reads)
    (sent,) = [f for f in result.findings if f.rule == "FLOW302"]
    assert "`insurance_plan`" in sent.message and f"{CLIENT}:46" in sent.message


def test_client_half_of_a_contract_change_is_flagged_too() -> None:
    result = _review("contract-change-client-only")
    rules = {f.rule for f in result.findings if f.rule in GRAPH_RULES}
    assert rules == {"FLOW302", "FLOW303"}


def test_client_half_of_a_new_route_calls_a_route_that_does_not_exist_yet() -> None:
    (missing,) = [f for f in _review("new-route-client-only").findings if f.rule == "FLOW301"]
    assert "/api/v1/quotes/{quoteId}/accept" in missing.message
    assert "404" in missing.message
    assert not [f for f in _review("new-route-server-only").findings if f.rule in GRAPH_RULES]


# --- what the review says about the graph ------------------------------------------------------


def test_an_unchanged_consumer_of_a_changed_model_is_an_affected_workflow() -> None:
    result = _review("response-field-removed-server")
    assert result.changed_services == ("pricing",)
    (consumer,) = [w for w in result.workflows if w.name.startswith("api:")]
    assert consumer.services == ("api", "pricing")
    assert any("/api/v1/quotes" in step for step in consumer.data_flow)
    assert {f.rule for f in consumer.findings} == {"FLOW303"}


def test_json_edges_carry_the_change_and_the_break() -> None:
    data = review_to_json(_review("route-renamed-server"))
    edges = data["edges"]
    assert isinstance(edges, list)
    broken = [
        e
        for e in edges
        if isinstance(e, dict) and e["to"] == "pricing" and e["status"] != "matched"
    ]
    assert len(broken) == 3
    for edge in broken:
        assert edge["status"] == "no-route" and edge["endpoint"] is None
        assert edge["change"] == "modified" and "route" in str(edge["detail"])


def test_a_405_names_the_methods_the_route_serves() -> None:
    (wrong,) = [f for f in _review("method-changed-server").findings if f.rule == "FLOW301"]
    assert "405" in wrong.message and "only for POST" in wrong.message


def test_a_route_removed_behind_a_rewrite_is_found_from_the_frontend() -> None:
    (missing,) = [f for f in _review("web-route-removed-api").findings if f.rule == "FLOW301"]
    assert missing.service == "web"
    assert "rewritten by apps/web/next.config.js" in missing.message
