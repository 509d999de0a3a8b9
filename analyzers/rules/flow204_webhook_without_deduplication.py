from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, Location, Severity, WebhookHandler
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "fastapi\nstripe\nredis\n"}
HANDLER = """import stripe
from fastapi import APIRouter, Request

router = APIRouter()

@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request):
    event = stripe.Webhook.construct_event(await request.body(), request.headers["stripe-signature"], SECRET){dedup}
    await credit_account(event["data"]["object"])
"""
DEDUP = """
    if not await redis.set(f"stripe:{event['id']}", 1, nx=True, ex=86400):
        return {"duplicate": True}"""

TS_SVC = {
    "svc/package.json": '{"name": "billing", "dependencies": {"express": "^4", "stripe": "^16"}}'
}
TS_HANDLER = """import express from 'express';
import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');
const app = express();

app.post('/webhooks/stripe', express.raw({ type: 'application/json' }), async (req, res) => {
  const event = stripe.webhooks.constructEvent(req.body, req.get('stripe-signature') ?? '', SECRET);
$DEDUP
  await creditAccount(event.data.object);
  res.json({ received: true });
});
"""
TS_REDIS = """  if ((await redis.set(`stripe:${event.id}`, '1', 'EX', 86400, 'NX')) === null) {
    res.json({ duplicate: true });
    return;
  }"""
TS_UNIQUE = """  try {
    await db.insert(deliveries).values({ id: event.id });
  } catch (err) {
    if (isUniqueViolation(err)) { res.json({ duplicate: true }); return; }
    throw err;
  }"""
TS_UNRELATED_UPSERT = """  await supabase.from('subscriptions').upsert({ id: subscriptionId }, { onConflict: 'id' });"""


class WebhookWithoutDeduplication(Rule):
    """A webhook handler that processes a redelivered event a second time.

    ## What it finds
    Webhook handlers with no sign of deduplication by event id: no lookup of
    the id before processing, no unique insert, no Redis `SET NX`, no
    idempotency table.

    ## Why it matters
    Providers deliver at least once: Stripe and GitHub retry on timeouts and
    5xx answers, and a delivery can arrive twice even after a 200. A handler
    that is not idempotent credits an account twice, sends two emails, ships
    two orders.

    ## Example
    `event = stripe.Webhook.construct_event(...)` followed directly by
    `await credit_account(event["data"]["object"])`.

    ## Fix
    Record the event id with a unique constraint (or `SET key NX`) before the
    side effects, and acknowledge a duplicate without repeating them.
    """

    code = "FLOW204"
    name = "webhook-without-deduplication"
    family = Family.IDEMPOTENCY
    severity = Severity.HIGH

    VALID = (
        Example(head={**SVC, "svc/hooks.py": HANDLER.format(dedup=DEDUP)}),
        Example(
            head={**TS_SVC, "svc/src/app.ts": TS_HANDLER.replace("$DEDUP", TS_REDIS)},
            note="Express: Redis SET NX on the event id",
        ),
        Example(
            head={**TS_SVC, "svc/src/app.ts": TS_HANDLER.replace("$DEDUP", TS_UNIQUE)},
            note="Express: unique insert keyed on event.id",
        ),
    )
    INVALID = (
        Example(head={**SVC, "svc/hooks.py": HANDLER.format(dedup="")}),
        Example(
            head={**TS_SVC, "svc/src/app.ts": TS_HANDLER.replace("$DEDUP", TS_UNRELATED_UPSERT)},
            note="an upsert keyed on something else than the event does not deduplicate it",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for hook in ctx.facts(WebhookHandler):
            if hook.deduplicates is not False:
                continue
            yield self.finding(
                title=f"{hook.provider} webhook not deduplicated by event id",
                message=(
                    f"{hook.handler or 'The handler'} shows no deduplication by event id: a "
                    "redelivered event (providers deliver at least once) is processed twice."
                ),
                key=f"{hook.handler or hook.location.path}:{hook.provider}",
                service=hook.service,
                # From where the event is first acted on to the end of the handler: the line
                # the check belongs before, and the handler's changes after it.
                location=(
                    Location(hook.location.path, hook.effect.line, hook.location.end_line)
                    if hook.effect is not None and hook.effect.path == hook.location.path
                    else hook.location
                ),
                suggestion=(
                    "record the event id with a unique constraint or SET NX before acting, and "
                    "acknowledge duplicates without side effects"
                ),
            )
