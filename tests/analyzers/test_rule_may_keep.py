"""`Rule.may_keep` only skips findings the engine would drop: the same review either way."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from analyzers.context import ReviewContext
from analyzers.facts import Family, Finding, Location, ObservabilitySite, Severity
from analyzers.rules.base import Example, Rule, Scope
from tests.analyzers.examples import review_example
from tests.analyzers.test_engine import PrintExtractor

BASE = {
    "svc/requirements.txt": "",
    "svc/a.py": "print(1)\nx = 1\n",
    "svc/b.py": "print(2)\n",
    "svc/gone.py": "print(5)\n",
    "svc/old_name.py": "print(6)\nz = 1\n",
}
HEAD = {
    "svc/requirements.txt": "",
    "svc/a.py": "print(1)\nx = 2\nprint(4)\n",
    "svc/b.py": "print(2)\n",
    "svc/new.py": "print(7)\n",
    "svc/new_name.py": "print(6)\nz = 1\n",
}


def _rule(scope: Scope, prefilter: bool) -> type[Rule]:
    class LogSites(Rule):
        """Reports every log site, asking `may_keep` first or not."""

        code = "FLOW900"
        name = "log-sites"
        family = Family.OBSERVABILITY
        severity = Severity.LOW

        def check(self, ctx: ReviewContext) -> Iterator[Finding]:
            for site in ctx.facts(ObservabilitySite):
                if prefilter and not self.may_keep(ctx, site.location):
                    continue
                yield self.finding(
                    title="log", message="log", key=site.location.path, location=site.location
                )
            # A finding about the change as a whole is never held back.
            if not prefilter or self.may_keep(ctx, None):
                yield self.finding(title="change", message="change", key="change")

    LogSites.scope = scope
    return LogSites


@pytest.mark.parametrize("scope", list(Scope))
@pytest.mark.parametrize("base", [BASE, None], ids=["diff", "whole-repo"])
def test_may_keep_changes_no_finding(scope: Scope, base: dict[str, str] | None) -> None:
    example = Example(base=base, head=HEAD)
    extractors = {"python": [PrintExtractor()]}
    plain = review_example(example, [_rule(scope, prefilter=False)], extractors)
    skipping = review_example(example, [_rule(scope, prefilter=True)], extractors)
    assert skipping.findings == plain.findings
    assert any(f.location is None for f in plain.findings)


def test_may_keep_in_a_diff_review() -> None:
    example = Example(base=BASE, head=HEAD)
    seen: list[tuple[Scope, str, bool]] = []

    def probe(scope: Scope) -> type[Rule]:
        class Probe(Rule):
            """Records what `may_keep` says of each file."""

            code = "FLOW901"
            name = "probe"
            family = Family.OBSERVABILITY
            severity = Severity.LOW

            def check(self, ctx: ReviewContext) -> Iterator[Finding]:
                for path in ("svc/a.py", "svc/b.py", "svc/gone.py", "svc/new.py"):
                    seen.append((scope, path, self.may_keep(ctx, Location(path, 1, 1))))
                return iter(())

        Probe.scope = scope
        return Probe

    for scope in Scope:
        review_example(example, [probe(scope)], {"python": [PrintExtractor()]})
    kept = {(scope, path) for scope, path, keep in seen if keep}
    assert kept == {
        (Scope.CHANGED_LINES, "svc/a.py"),
        (Scope.CHANGED_LINES, "svc/new.py"),
        (Scope.CHANGED_FILES, "svc/a.py"),
        (Scope.CHANGED_FILES, "svc/gone.py"),  # a deleted file is a touched one
        (Scope.CHANGED_FILES, "svc/new.py"),
        *((Scope.CHANGE, path) for path in ("svc/a.py", "svc/b.py", "svc/gone.py", "svc/new.py")),
    }
