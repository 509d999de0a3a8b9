from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, Severity
from analyzers.rules.base import Example, Rule, Scope

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

_API = {"services/api/package.json": "{}", "services/api/src/index.ts": "export const a = 1;\n"}
_ENGINE = {"services/engine/requirements.txt": "fastapi\n", "services/engine/main.py": "x = 1\n"}
_BASE = {**_API, **_ENGINE, "services/engine/tests/test_main.py": "def test_x():\n    pass\n"}


class CrossServiceChangeWithoutTests(Rule):
    """A change to the code of two or more services that adds or updates no test.

    ## What it finds
    A pull request whose code changes span two or more services while not a
    single test file (in any service) is added or modified.

    ## Why it matters
    A change that crosses a service boundary alters a workflow no unit of
    either service owns alone. Without a test that moves with it, nothing
    shows that the services still agree on the request, the response and the
    failure modes, and the first integration test is production.

    ## Example
    The AI engine renames a request field and the core API's client is
    updated in the same pull request, but no test of either service changes.

    ## Fix
    Add or update a test that exercises the workflow across the boundary: a
    contract test on the server's model, a client test against the new
    shape, or an end-to-end scenario from the review's test section.
    """

    code = "FLOW001"
    name = "cross-service-change-without-tests"
    family = Family.GOVERNANCE
    severity = Severity.MEDIUM
    scope = Scope.CHANGE

    VALID = (
        Example(
            base=_BASE,
            head={
                **_BASE,
                "services/api/src/index.ts": "export const a = 2;\n",
                "services/engine/main.py": "x = 2\n",
                "services/engine/tests/test_main.py": "def test_x():\n    assert True\n",
            },
            note="both services change and a test changes with them",
        ),
        Example(
            base=_BASE,
            head={**_BASE, "services/engine/main.py": "x = 2\n"},
            note="one service only",
        ),
        Example(
            base=_BASE,
            head={
                **_BASE,
                "services/api/README.md": "docs\n",
                "services/engine/main.py": "x = 2\n",
            },
            note="documentation is not code",
        ),
    )
    INVALID = (
        Example(
            base=_BASE,
            head={
                **_BASE,
                "services/api/src/index.ts": "export const a = 2;\n",
                "services/engine/main.py": "x = 2\n",
            },
        ),
        Example(
            base=_BASE,
            head={
                **{k: v for k, v in _BASE.items() if "tests/" not in k},
                "services/api/src/index.ts": "export const a = 2;\n",
                "services/engine/main.py": "x = 2\n",
            },
            note="deleting a test is not testing the change",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        services = ctx.cross_service_change()
        if not services:
            return
        if any(ctx.is_test(c.path) for c in ctx.added_or_modified()):
            return
        names = ", ".join(services)
        yield self.finding(
            title=f"Cross-service change with no test ({names})",
            message=(
                f"The change alters the code of {len(services)} services ({names}) "
                "but adds or updates no test, so nothing checks that they still work together."
            ),
            key="services:" + ",".join(services),
            suggestion=(
                "Add a test that crosses the boundary: a contract test of the changed "
                "request/response, or one of the end-to-end scenarios below."
            ),
        )
