from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import ErrorHandler, Family, Finding, Severity
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "httpx\n"}
CALL = """import logging
import httpx

logger = logging.getLogger(__name__)

async def recommendations(user_id):
    try:
        response = await httpx.AsyncClient().get(f"http://recs/users/{{user_id}}")
        return response.json()
    except httpx.HTTPError{handler}
"""


class SwallowedError(Rule):
    """An `except` around a call to another service that neither logs nor re-raises.

    ## What it finds
    Exception handlers guarding an outbound call (HTTP, or an external SDK
    such as Stripe or OpenAI) whose body neither logs, records a metric or
    span, raises again, nor hands the exception on: `pass`, `continue`,
    `return None`, a default value.

    ## Why it matters
    The failure of the other service vanishes. Callers get an empty result
    that looks like a real one, dashboards stay green, and the first sign of
    the outage is a user's complaint days later.

    ## Example
    `except httpx.HTTPError: return []`

    ## Fix
    Log the failure with its context (`logger.warning("recs unavailable",
    exc_info=True)`), count it, and degrade explicitly; or let it propagate.
    """

    code = "FLOW401"
    name = "swallowed-error"
    family = Family.SWALLOWED_ERROR
    severity = Severity.HIGH

    VALID = (
        Example(
            head={
                **SVC,
                "svc/recs.py": CALL.format(handler=" as exc:\n        return {'error': str(exc)}"),
            },
            note="the failure is handed to the caller",
        ),
        Example(
            head={
                **SVC,
                "svc/recs.py": CALL.format(
                    handler=":\n        logger.warning('recs down', exc_info=True)\n        return []"
                ),
            }
        ),
        Example(
            head={
                **SVC,
                "svc/recs.py": CALL.format(
                    handler=" as exc:\n        raise RecsUnavailable() from exc"
                ),
            },
            note="re-raised as the caller's own error",
        ),
    )
    INVALID = (
        Example(
            head={
                "api/package.json": "{}",
                "api/src/recs.ts": "export async function recs(id: string) {\n  try {\n"
                "    const res = await fetch(`http://recs/users/${id}`, { signal: AbortSignal.timeout(2000) });\n"
                "    return await res.json();\n  } catch {\n    return [];\n  }\n}\n",
            },
            note="TypeScript",
        ),
        Example(head={**SVC, "svc/recs.py": CALL.format(handler=":\n        return []")}),
        Example(head={**SVC, "svc/recs.py": CALL.format(handler=":\n        pass")}),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for handler in ctx.facts(ErrorHandler):
            if not handler.boundary or handler.logs or handler.reraises or handler.observes:
                continue
            if handler.uses_exception:
                continue  # the failure is handed on (returned, stored, shown), not lost
            caught = ", ".join(handler.catches) or "every exception"
            yield self.finding(
                title="Failure of a cross-service call swallowed",
                message=(
                    f"The except clause catching {caught} around {handler.guarded_call} neither "
                    "logs, measures nor re-raises: when the other side fails, nobody will know."
                ),
                key=f"{handler.function or handler.location.path}:{handler.guarded_call}:{caught}",
                service=handler.service,
                location=handler.location,
                suggestion="log the failure with context and count it, or let it propagate",
            )
