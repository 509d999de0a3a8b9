from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, Severity, WebhookHandler
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "fastapi\nstripe\n"}
HANDLER = """import json
import stripe
from fastapi import APIRouter, Request

router = APIRouter()

@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request):
    payload = {payload}
    event = stripe.Webhook.construct_event(payload, request.headers["stripe-signature"], SECRET)
    return await handle(event, processed_events)
"""

TS_SVC = {
    "web/package.json": '{"name": "web", "dependencies": {"next": "14.2.0", "stripe": "^16"}}'
}
TS_HANDLER = """import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);

export async function POST(req: Request) {
  const body = $BODY;
  const event = stripe.webhooks.constructEvent($PAYLOAD, req.headers.get('stripe-signature')!, SECRET);
  if (await alreadyProcessed(event.id)) return new Response(null, { status: 200 });
  await fulfil(event);
  return Response.json({ received: true });
}
"""


def _ts(body: str, payload: str) -> str:
    return TS_HANDLER.replace("$BODY", body).replace("$PAYLOAD", payload)


class WebhookSignatureOverParsedBody(Rule):
    """A webhook signature checked over a re-serialised body instead of the raw bytes.

    ## What it finds
    Signature verification (such as Stripe's `construct_event`) given a body
    that was parsed and serialised again (`json.dumps(await request.json())`)
    rather than the bytes as they arrived.

    ## Why it matters
    The signature covers the exact bytes the provider sent. Re-serialising
    changes spacing and key order, so verification fails for every real
    event: the provider retries, then disables the endpoint, and payments or
    subscriptions stop being recorded. In Express the same happens when a
    JSON body parser runs before the webhook route (FLOW207).

    ## Example
    `stripe.Webhook.construct_event(json.dumps(await request.json()), sig, secret)`

    ## Fix
    Pass the raw body: `await request.body()` (Starlette/FastAPI),
    `request.get_data()` (Flask), `request.body` (Django), `await req.text()`
    (Next.js route handlers), `req.body` under `express.raw()` (Express).
    """

    code = "FLOW203"
    name = "webhook-signature-over-parsed-body"
    family = Family.WEBHOOK_RAW_BODY
    severity = Severity.HIGH

    VALID = (
        Example(head={**SVC, "svc/hooks.py": HANDLER.format(payload="await request.body()")}),
        Example(
            head={
                **TS_SVC,
                "web/app/api/webhooks/stripe/route.ts": _ts("await req.text()", "body"),
            },
            note="Next.js route handler verifying the raw text",
        ),
    )
    INVALID = (
        Example(
            head={**SVC, "svc/hooks.py": HANDLER.format(payload="json.dumps(await request.json())")}
        ),
        Example(
            head={
                **TS_SVC,
                "web/app/api/webhooks/stripe/route.ts": _ts(
                    "await req.json()", "JSON.stringify(body)"
                ),
            },
            note="Next.js: parsed, then re-serialised for constructEvent",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for hook in ctx.facts(WebhookHandler):
            if not hook.verifies_signature or hook.reads_raw_body is not False:
                continue
            yield self.finding(
                title="Webhook signature verified over a re-serialised body",
                message=(
                    f"{hook.handler or 'The handler'} checks the {hook.provider} signature over a "
                    "parsed and re-serialised body: the bytes differ from what was signed, so "
                    "genuine events are rejected."
                ),
                key=f"{hook.handler or hook.location.path}:{hook.provider}",
                service=hook.service,
                location=hook.location,
                suggestion="verify over the raw request body, before any JSON parsing",
            )
