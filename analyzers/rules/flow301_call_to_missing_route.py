from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, Severity
from analyzers.graph.linking import WRONG_METHOD, Link
from analyzers.rules.base import Example, Rule, Scope
from analyzers.rules.contracts import newly_broken, where

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

ENGINE = {
    "engine/requirements.txt": "fastapi\n",
    "engine/app/main.py": """from fastapi import FastAPI

app = FastAPI()


@app.post("/api/v1/match")
def match(body: dict) -> dict:
    return body
""",
}
API = {"api/package.json": '{"name": "api"}'}
CLIENT = """const BASE = process.env.ENGINE_URL ?? "http://localhost:8000";

export async function {name}(body: unknown) {{
  const res = await fetch(`${{BASE}}{path}`, {{
    method: "{method}",
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  }});
  return res.json();
}}
"""


class CallToMissingRoute(Rule):
    """A call to another service of the repository on a path or method no route of it serves.

    ## What it finds
    Outbound HTTP calls whose target is a service of this repository (found
    from the config, the environment variable's name, a localhost port, a
    proxy rule) where no route serves the path (a 404) or none serves it with
    that method (a 405). In a diff review, only calls the change broke: a route
    removed or renamed on the server, or a call added or changed on the client
    for a route that does not exist (yet).

    ## Why it matters
    The call fails on every request, and the caller usually turns the failure
    into a fallback, an empty list or a retry storm, so nothing crashes where
    a test would notice: the feature just silently stops working after deploy.

    ## Example
    `AiClient.explain()` posts to `/api/v1/match/explain`; the AI engine serves
    only `POST /api/v1/match`.

    ## Fix
    Add the route on the server, or point the client at the route that exists.
    When the change renames a route, keep the old path as an alias until every
    client has moved, and deploy the server first.
    """

    code = "FLOW301"
    name = "call-to-missing-route"
    family = Family.ROUTE_MISSING
    severity = Severity.CRITICAL
    scope = Scope.CHANGE

    VALID = (
        Example(
            head={
                **ENGINE,
                **API,
                "api/src/engine.ts": CLIENT.format(
                    name="match", path="/api/v1/match", method="POST"
                ),
            },
            note="the route exists",
        ),
        Example(
            head={
                **API,
                "api/src/engine.ts": CLIENT.format(
                    name="match", path="/api/v1/match", method="POST"
                ),
                "engine/requirements.txt": "fastapi\n",
                "engine/app/main.py": "print('no routes the analyzers can read')\n",
            },
            note="a target with no readable routes proves nothing",
        ),
        Example(
            head={
                **ENGINE,
                **API,
                "api/src/engine.ts": CLIENT.format(
                    name="explain", path="/api/v1/match/explain", method="POST"
                ),
            },
            base={
                **ENGINE,
                **API,
                "api/src/engine.ts": CLIENT.format(
                    name="explain", path="/api/v1/match/explain", method="POST"
                )
                + "\n// touched\n",
            },
            note="already broken at base: the whole-repo review's to report",
        ),
    )
    INVALID = (
        Example(
            head={
                **ENGINE,
                **API,
                "api/src/engine.ts": CLIENT.format(
                    name="explain", path="/api/v1/match/explain", method="POST"
                ),
            },
            note="a route that was never there (404)",
        ),
        Example(
            head={
                **ENGINE,
                **API,
                "api/src/engine.ts": CLIENT.format(
                    name="match", path="/api/v1/match", method="PUT"
                ),
            },
            note="the path exists, the method does not (405)",
        ),
        Example(
            base={
                **ENGINE,
                **API,
                "api/src/engine.ts": CLIENT.format(
                    name="match", path="/api/v1/match", method="POST"
                ),
            },
            head={
                **API,
                "api/src/engine.ts": CLIENT.format(
                    name="match", path="/api/v1/match", method="POST"
                ),
                "engine/requirements.txt": "fastapi\n",
                "engine/app/main.py": ENGINE["engine/app/main.py"].replace(
                    "/api/v1/match", "/api/v2/match"
                ),
            },
            note="the server renamed the route; the client was not changed",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for link in ctx.graph.head.links:
            if not newly_broken(ctx, link):
                continue
            yield self._finding(ctx, link)

    def _finding(self, ctx: ReviewContext, link: Link) -> Finding:
        call, target = link.call, link.target.name or "?"
        wrong_method = link.status == WRONG_METHOD
        if wrong_method:
            problem = (
                f"{target} serves {link.path} only for {', '.join(link.allowed)}, "
                f"so this {call.method} gets 405 Method Not Allowed"
            )
        else:
            problem = f"no route of {target} serves {link.path}, so this call gets 404 Not Found"
        base = ctx.graph.base_of(link)
        history = ""
        if base is not None and base.endpoint is not None:
            was = base.endpoint
            history = (
                f" At base it reached {was.method} {was.path} ({where(was.location)}), which "
                "this change removed or moved."
            )
        nearby = _nearby_routes(ctx, link)
        return self.finding(
            title=f"{call.method} {link.path} is not served by {target}",
            message=(
                f"{call.service} calls {call.method} {link.path} on {target} at "
                f"{where(call.location)} ({link.target.reason}), but {problem}.{history}"
                + (f" Routes of {target} nearby: {nearby}." if nearby else "")
            ),
            key=f"{call.service}:{call.function or call.location.path}:{call.method}:"
            f"{target}:{link.path}",
            service=call.service,
            location=call.location,
            suggestion=(
                f"add the route to {target}, or call the route it serves"
                if not wrong_method
                else f"call it with {' or '.join(link.allowed)}, or serve {call.method} too"
            ),
        )


def _nearby_routes(ctx: ReviewContext, link: Link) -> str:
    """Up to three routes of the target sharing the longest first segments with the call."""
    wanted = [s for s in link.path.split("/") if s]
    scored = []
    for other in ctx.graph.head.endpoints_of(link.target.name or ""):
        segments = [s for s in other.path.split("/") if s]
        common = 0
        for mine, theirs in zip(wanted, segments, strict=False):
            if mine != theirs:
                break
            common += 1
        if common:
            scored.append((-common, other.path, other.method))
    return ", ".join(f"{method} {path}" for _, path, method in sorted(set(scored))[:3])
