from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, Severity
from analyzers.rules.base import Example, Rule, Scope

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

_BASE = {
    "web/package.json": "{}",
    "web/src/api.ts": "export const base = '/api';\n",
    "worker/pyproject.toml": "[project]\nname = 'worker'\n",
    "worker/jobs.py": "def run():\n    pass\n",
}
_CODE_CHANGE = {
    "web/src/api.ts": "export const base = '/api/v2';\n",
    "worker/jobs.py": "def run():\n    return 1\n",
}


class CrossServiceChangeWithoutWorkflowDocs(Rule):
    """A change to two or more services that updates no workflow documentation and no task.

    ## What it finds
    A pull request whose code changes span two or more services while it
    touches no workflow documentation (a `docs/` page, a README, an API
    description such as `openapi.yaml`) and no `.tasks/` entry.

    ## Why it matters
    The workflow between services lives in nobody's code alone; the
    documentation and the task file are where the team finds the data flow,
    its integration points and its failure handling. A cross-service change
    that leaves them behind makes the next change start from a wrong map.

    ## Example
    A pull request changes how the frontend calls the API and what the worker
    does with the result, and no page under `docs/` nor `.tasks/` changes.

    ## Fix
    Update the workflow's page (trigger, services, data flow, failure modes)
    or the `.tasks/` entry of the work, listing the services it touches and
    their integration points.
    """

    code = "FLOW002"
    name = "cross-service-change-without-workflow-docs"
    family = Family.GOVERNANCE
    severity = Severity.LOW
    scope = Scope.CHANGE

    VALID = (
        Example(
            base=_BASE,
            head={**_BASE, **_CODE_CHANGE, ".tasks/TASK-7-api-v2.md": "# API v2\n"},
            note="a task entry describes the work",
        ),
        Example(
            base=_BASE,
            head={**_BASE, **_CODE_CHANGE, "docs/workflows/sync.md": "# Sync\n"},
            note="the workflow page changes with the code",
        ),
        Example(
            base=_BASE,
            head={**_BASE, "web/src/api.ts": "export const base = '/api/v2';\n"},
            note="a single service",
        ),
        Example(
            base=_BASE,
            head={**_BASE, **_CODE_CHANGE, "notes/sync.txt": "how the sync works\n"},
            config="docs: ['notes/**']\n",
            note="the repository says where its workflow documentation lives",
        ),
    )
    INVALID = (Example(base=_BASE, head={**_BASE, **_CODE_CHANGE}),)

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        services = ctx.cross_service_change()
        if not services:
            return
        if any(ctx.is_doc(path) for c in ctx.changes for path in ctx.changed_paths(c)):
            return
        names = ", ".join(services)
        yield self.finding(
            title=f"Cross-service change with no workflow documentation ({names})",
            message=(
                f"The change alters {len(services)} services ({names}) but updates no workflow "
                "documentation and no .tasks/ entry."
            ),
            key="services:" + ",".join(services),
            suggestion=(
                "Update the workflow's documentation or its .tasks/ entry with the services, "
                "data flow and failure handling this change affects."
            ),
        )
