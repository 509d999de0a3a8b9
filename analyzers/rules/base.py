"""What every rule is: a permanent code, a family, a severity, docs and its own examples.

A rule reads facts from a `ReviewContext`, never syntax trees, so one rule
covers every language an extractor feeds. Its docstring is its reference
documentation (headings fixed by `DOC_HEADINGS`) and its `VALID`/`INVALID`
examples are its tests: `tests/analyzers/test_rules.py` runs them for every
rule, Fixit-style.
"""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from analyzers.facts import ChangeStatus, Family, Finding, Fix, Location, Severity

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

DOC_HEADINGS = ("What it finds", "Why it matters", "Example", "Fix")
CODE_PATTERN = re.compile(r"^FLOW\d{3}$")


class Scope(enum.StrEnum):
    """Which findings of a rule a diff review keeps (a whole-repo review keeps all)."""

    CHANGED_LINES = "changed-lines"  # the finding's lines overlap lines the change added
    CHANGED_FILES = "changed-files"  # the finding is in a file the change touched
    CHANGE = "change"  # the rule judges the change itself; keep everything it says


@dataclass(frozen=True, slots=True)
class Example:
    """A change for a rule to judge: file texts at base and at head.

    With `base` None the head tree is reviewed whole (`--whole-repo`).
    `config` is the text of `.github/flow-review.yml`, if any. `fixed` is, for an
    INVALID example whose findings carry mechanical fixes, the files the fixes
    change as they read once every fix is applied (and the fixed tree gives no
    finding of the rule); None says no finding of the example has a fix. Fixes are
    suggestions on a diff: a whole-tree example is checked for them as a change that
    adds its files with findings.
    """

    head: Mapping[str, str]
    base: Mapping[str, str] | None = None
    config: str | None = None
    expected: int = 1  # how many findings an INVALID example gives
    note: str = ""
    fixed: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class RuleDocs:
    summary: str
    sections: Mapping[str, str] = field(default_factory=dict)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]  # kebab-case, says what is wrong: "cross-service-change-without-tests"
    family: ClassVar[Family]
    severity: ClassVar[Severity]
    scope: ClassVar[Scope] = Scope.CHANGED_LINES
    VALID: ClassVar[Sequence[Example]] = ()
    INVALID: ClassVar[Sequence[Example]] = ()
    _kept_paths: tuple[ReviewContext, frozenset[str]] | None = None  # for `may_keep`

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        raise NotImplementedError

    def may_keep(self, ctx: ReviewContext, location: Location | None) -> bool:
        """False when a diff review would drop this rule's finding at `location` whatever its
        lines: it is in no file the change touches (see `Scope`).

        A rule with a finding per call asks this first: a diff review of a large repository
        would otherwise build a finding for every call of the tree, for the engine to drop all
        but the few in changed files. Only a necessary condition; the engine still decides.
        """
        if ctx.whole_repo or location is None or self.scope is Scope.CHANGE:
            return True
        if self._kept_paths is None or self._kept_paths[0] is not ctx:
            if self.scope is Scope.CHANGED_FILES:
                paths = frozenset(change.path for change in ctx.changes)
            else:  # changed lines: only a file the change adds or modifies has any
                paths = frozenset(
                    change.path
                    for change in ctx.changes
                    if change.status is not ChangeStatus.DELETED
                )
            self._kept_paths = (ctx, paths)
        return location.path in self._kept_paths[1]

    def finding(
        self,
        *,
        title: str,
        message: str,
        key: str,
        service: str | None = None,
        location: Location | None = None,
        suggestion: str | None = None,
        severity: Severity | None = None,
        fix: Fix | None = None,
    ) -> Finding:
        """A finding of this rule; `key` identifies it apart from line numbers."""
        chosen = severity or self.severity
        return Finding(
            rule=self.code,
            family=self.family,
            severity=chosen,
            title=title,
            message=message,
            service=service,
            location=location,
            key=key,
            suggestion=suggestion,
            blocking=chosen is Severity.CRITICAL,
            fix=fix,
        )

    @classmethod
    def docs(cls) -> RuleDocs:
        """The docstring split into its summary line and its `## Heading` sections."""
        text = inspect.cleandoc(cls.__doc__ or "")
        summary, _, rest = text.partition("\n")
        sections: dict[str, str] = {}
        current: str | None = None
        lines: list[str] = []
        for line in rest.splitlines():
            heading = re.match(r"^## (.+)$", line)
            if heading:
                if current is not None:
                    sections[current] = "\n".join(lines).strip()
                current, lines = heading.group(1).strip(), []
            elif current is not None:
                lines.append(line)
        if current is not None:
            sections[current] = "\n".join(lines).strip()
        return RuleDocs(summary=summary.strip(), sections=sections)
