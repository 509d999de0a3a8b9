from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Endpoint, ErrorHandler, Family, Finding, HandlerCall, Severity
from analyzers.graph.linking import UNRESOLVED, Link
from analyzers.graph.targets import SERVICE
from analyzers.rules.base import Example, Rule, Scope
from analyzers.rules.contracts import where

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

ENGINE = {
    "engine/requirements.txt": "fastapi\n",
    "engine/app/main.py": """from fastapi import FastAPI

app = FastAPI()


@app.post("/api/v1/explain")
def explain(body: dict) -> dict:
    return body
""",
}
CLIENT = {
    "api/package.json": '{"name": "api"}',
    "api/src/engine.ts": """const BASE = process.env.ENGINE_URL ?? "http://localhost:8000";

export class EngineClient {
  async explain(id: string): Promise<unknown> {
    const res = await fetch(`${BASE}/api/v1/explain`, {
      method: "POST",
      body: JSON.stringify({ id }),
      signal: AbortSignal.timeout(5000),
    });
    return res.json();
  }
}

export const engine = new EngineClient();
""",
}
ROUTES = """import {{ Router }} from "express";
import {{ engine }} from "./engine";

export const router = Router();

router.get("/explain/:id", async (req, res) => {{
{body}
}});
"""


_ANONYMOUS_TAIL = re.compile(r"(?:\.<[^<>]*>)+$")


def _loose(function: str) -> str:
    """`pricing-client.pricingClient.createQuote` and `pricing-client.PricingClient.createQuote`
    alike: a module's instance named after its class, called through the instance."""
    owner, _, method = function.rpartition(".")
    module, _, name = owner.rpartition(".")
    return f"{module}.{name.lower()}.{method}" if module else function


def _route_of(call: HandlerCall, routes: dict[str, list[Endpoint]]) -> Endpoint | None:
    """The route whose handler holds the call: inline handlers of one router share a name,
    so the innermost route around the call's line decides."""
    around = [
        e
        for e in routes.get(call.location.path, ())
        if e.location.line <= call.location.line <= e.location.end_line
    ]
    if around:
        return min(around, key=lambda e: e.location.end_line - e.location.line)
    named = [e for es in routes.values() for e in es if e.handler == call.handler]
    return named[0] if len(named) == 1 else None


class CascadingFailure(Rule):
    """A request handler that waits on another service with no fallback, or fans out to it.

    ## What it finds
    Route handlers that await a call to another service of the repository
    (directly, or through a client function that makes it) outside any catch
    that answers something else, and handlers that fan out many parallel
    calls to one service (`Promise.all` over items, `asyncio.gather`, a loop).
    A catch that only logs and rethrows, or answers 500, is not a fallback.

    ## Why it matters
    The caller inherits the callee's availability: while the other service is
    down or slow, this route fails or hangs too, holds its workers, and its own
    callers time out in turn. A fan-out multiplies the load on the other
    service exactly when it is struggling.

    ## Example
    `GET /api/matches/:id/explain/:jobId` awaits `aiClient.explain()`; when the
    AI engine is down every request to the route answers 500, while the other
    match routes fall back to a recency ranking.

    ## Fix
    Catch the failure and degrade (a cached or partial answer, a 503 with
    `Retry-After`, an asynchronous job), add a circuit breaker, and bound a
    fan-out's concurrency (p-limit, a semaphore).
    """

    code = "FLOW306"
    name = "cascading-failure"
    family = Family.CASCADING
    severity = Severity.HIGH
    scope = Scope.CHANGE

    VALID = (
        Example(
            head={
                **ENGINE,
                **CLIENT,
                "api/src/routes.ts": ROUTES.format(
                    body="  try {\n    res.json(await engine.explain(req.params.id));\n"
                    "  } catch {\n    res.json({ summary: null });\n  }"
                ),
            },
            note="the route falls back when the engine fails",
        ),
    )
    INVALID = (
        Example(
            head={
                **ENGINE,
                **CLIENT,
                "api/src/routes.ts": ROUTES.format(
                    body="  res.json(await engine.explain(req.params.id));"
                ),
            },
            note="the route fails whenever the engine does",
        ),
        Example(
            head={
                **ENGINE,
                **CLIENT,
                "api/src/routes.ts": ROUTES.format(
                    body="  const ids: string[] = req.query.ids as string[];\n"
                    "  res.json(await Promise.all(ids.map((id) => engine.explain(id))));"
                ),
            },
            note="a fan-out: one engine call per item, all at once",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        links_by_function: dict[str, list[Link]] = {}
        links_by_place: dict[tuple[str, int], list[Link]] = {}
        for link in ctx.graph.head.links:
            if link.target.kind != SERVICE or link.status == UNRESOLVED:
                continue
            if link.call.function:
                # `PricingClient.createQuote.<retry>`: a call inside a callback the method
                # passes on (a retry helper) is still the method's call
                function = _ANONYMOUS_TAIL.sub("", link.call.function)
                links_by_function.setdefault(function, []).append(link)
                links_by_function.setdefault(_loose(function), []).append(link)
            links_by_place.setdefault((link.call.location.path, link.call.location.line), [])
            links_by_place[(link.call.location.path, link.call.location.line)].append(link)
        protected = {
            handler.function
            for handler in ctx.facts(ErrorHandler)
            if handler.function and not handler.reraises and handler.guarded_call
        }
        routes: dict[str, list[Endpoint]] = {}
        for endpoint in ctx.facts(Endpoint):
            routes.setdefault(endpoint.location.path, []).append(endpoint)
        for call in ctx.facts(HandlerCall):
            # A fallback protects the route from a failure, not the other service from the
            # load of a fan-out: one call per item, all at once, whatever happens after.
            if not call.awaited or (call.guarded and not call.fanout):
                continue
            place = (call.location.path, call.location.line)
            reached = links_by_place.get(place) or (
                []
                if call.callee in protected
                else links_by_function.get(call.callee, [])
                or links_by_function.get(_loose(call.callee), [])
            )
            reached = [link for link in reached if link.target.name != call.service]
            if not reached:
                continue
            if not ctx.whole_repo and not (
                ctx.touches_changed_lines(call.location)
                or any(ctx.touches_changed_lines(link.call.location) for link in reached)
            ):
                continue
            yield self._finding(call, reached[0], _route_of(call, routes))

    def _finding(self, call: HandlerCall, link: Link, route: Endpoint | None) -> Finding:
        target = link.target.name or "?"
        served = f"{route.method} {route.path}" if route is not None else call.handler
        callee = call.callee.rsplit(".", 2)
        shown = ".".join(callee[-2:]) if len(callee) > 1 else call.callee
        if call.fanout:
            problem = (
                f"fans out one call per item to {target} ({link.call.method} {link.path}, "
                f"{where(link.call.location)}), all at once: a slow {target} gets more load "
                "exactly when it struggles"
                + ("" if call.guarded else f", and {served} fails with it (no fallback)")
            )
        else:
            problem = (
                f"awaits {target} ({link.call.method} {link.path}, {where(link.call.location)}) "
                f"through {shown}() with no fallback: while {target} is down or slow, {served} "
                "fails or hangs too"
            )
        return self.finding(
            title=f"{served} fails whenever {target} does",
            message=f"{call.service}'s handler of {served} {problem}.",
            key=f"{call.service}:{call.handler}:{call.callee}:{target}:"
            f"{'fanout' if call.fanout else 'await'}",
            service=call.service,
            location=call.location,
            severity=Severity.MEDIUM if call.guarded else None,
            suggestion=(
                "bound the fan-out's concurrency and degrade when some calls fail"
                if call.fanout
                else f"catch the failure of {target} and answer a degraded result "
                "(or 503 with Retry-After); consider a circuit breaker"
            ),
        )
