"""The clinic integration fixture is what CHANGES.md says it is.

These tests check the fixture, not the contract rules: every variant applies to
the base cleanly and touches the services it is meant to, the engine reviews
every variant without error and infers the three services, and the base is
clean of resilience findings, so that whatever a contract rule reports on a
variant comes from the variant's change.
"""

from __future__ import annotations

from functools import cache

import pytest

from analyzers.cache import MemoryFactCache
from analyzers.diff import diff_snapshots
from analyzers.engine import ReviewRequest, review
from analyzers.facts import Family, Review
from analyzers.snapshot import MemorySnapshot
from tests.analyzers.integration import BASE, CHANGES, deleted, load_tree, overlay, variants

BASE_REV = "b" * 40
HEAD_REV = "h" * 40
SERVICES = {"pricing": "services/pricing", "api": "services/api", "web": "apps/web"}

# Every variant, with the services whose files it changes.
PRICING = ("pricing",)
API = ("api",)
BOTH = ("api", "pricing")
VARIANTS: dict[str, tuple[str, ...]] = {
    "route-renamed-server": PRICING,
    "method-changed-server": PRICING,
    "route-renamed-both": BOTH,
    "request-field-renamed-server": PRICING,
    "request-alias-dropped-server": PRICING,
    "request-required-added-server": PRICING,
    "request-enum-narrowed-server": PRICING,
    "response-field-removed-server": PRICING,
    "response-nullable-server": PRICING,
    "response-type-changed-server": PRICING,
    "query-to-body-server": PRICING,
    "field-renamed-both": BOTH,
    "safe-widening-server": PRICING,
    "new-route-both": BOTH,
    "new-route-server-only": PRICING,
    "new-route-client-only": API,
    "contract-change-both": ("api", "pricing", "web"),  # web reads the renamed field too
    "contract-change-server-only": PRICING,
    "contract-change-client-only": API,
    "cascading-handler": API,
    "cascading-fanout": API,
    "web-route-removed-api": API,
}
# What a base without integration risks must not show: every family but the contract
# ones (no contract rule exists yet, and the base's contracts hold) and governance
# (which judges a change, not a tree).
RESILIENCE = frozenset(Family) - {Family.CONTRACT, Family.ROUTE_MISSING, Family.GOVERNANCE}

_CACHE = MemoryFactCache()  # the base's files are analysed once for all the variants


@cache
def _review(name: str | None) -> Review:
    base = MemorySnapshot(load_tree(None), rev=BASE_REV)
    if name is None:
        return review(ReviewRequest(head=base), cache=_CACHE)
    head = MemorySnapshot(load_tree(name), rev=HEAD_REV)
    request = ReviewRequest(head=head, base=base, changes=diff_snapshots(base, head))
    return review(request, cache=_CACHE)


def test_every_variant_is_listed() -> None:
    assert variants() == sorted(VARIANTS)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_applies_cleanly(name: str) -> None:
    files = overlay(name)
    removed = deleted(name)
    assert files or removed, "a variant that changes nothing"
    for path, data in files.items():
        original = BASE / path
        assert not original.is_file() or original.read_bytes() != data, (
            f"{path} is a copy of the base file: drop it from the overlay"
        )
    for path in removed:
        assert (BASE / path).is_file(), f"{path} in DELETED is not a base file"
        assert path not in files, f"{path} is both deleted and replaced"
    tree = load_tree(name)
    assert not set(removed) & tree.keys()
    assert tree.keys() >= files.keys()
    assert {path: tree[path] for path in files} == files


def test_loader() -> None:
    base = load_tree(None)
    assert "services/pricing/app/routers/quotes.py" in base
    renamed = load_tree("route-renamed-server")
    assert "services/pricing/app/routers/quotes.py" not in renamed
    assert "services/pricing/app/routers/quotations.py" in renamed
    assert renamed["services/api/package.json"] == base["services/api/package.json"]
    with pytest.raises(KeyError):
        load_tree("no-such-variant")
    assert (CHANGES / "route-renamed-server").is_dir()


@pytest.mark.parametrize("name", [None, *sorted(VARIANTS)])
def test_engine_reviews_the_variant(name: str | None) -> None:
    result = _review(name)
    assert {s.name: s.root for s in result.services} == SERVICES
    assert result.stats.files_skipped == ()
    assert result.stats.files_partial == ()
    if name is not None:
        assert result.changed_services == VARIANTS[name]
        assert result.changes


def test_base_has_no_resilience_findings() -> None:
    result = _review(None)
    found = [
        (f.rule, f.location.path if f.location else None, f.location.line if f.location else None)
        for f in result.findings
        if f.family in RESILIENCE
    ]
    assert found == []
