from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, Severity, WebhookHandler
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "fastapi\nstripe\n"}
VERIFIED = """import stripe
from fastapi import APIRouter, Request

router = APIRouter()

@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request):
    payload = await request.body()
    event = stripe.Webhook.construct_event(payload, request.headers["stripe-signature"], SECRET)
    if await seen(event["id"]):
        return {"ok": True}
    return await handle(event)
"""
UNVERIFIED = """from fastapi import APIRouter, Request

router = APIRouter()

@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request):
    event = await request.json()
    return await handle(event)
"""

TS_SVC = {"web/package.json": '{"name": "web", "dependencies": {"next": "14.2.0", "svix": "^1"}}'}
TS_UNVERIFIED = """import { NextResponse } from 'next/server';

export async function POST(req: Request) {
  const event = await req.json();
  await upsertUser(event.data);
  return NextResponse.json({ ok: true });
}
"""
TS_VERIFIED = """import { NextResponse } from 'next/server';
import { Webhook } from 'svix';

export async function POST(req: Request) {
  const payload = await req.text();
  const event = new Webhook(process.env.CLERK_WEBHOOK_SECRET!).verify(payload, {
    'svix-id': req.headers.get('svix-id')!,
    'svix-timestamp': req.headers.get('svix-timestamp')!,
    'svix-signature': req.headers.get('svix-signature')!,
  });
  await upsertUser(event);
  return NextResponse.json({ ok: true });
}
"""


class UnverifiedWebhook(Rule):
    """A webhook handler that acts on the request without verifying its signature.

    ## What it finds
    Route handlers that receive webhooks (their path or name says so) and
    never check the sender's signature: no Stripe `construct_event` /
    `webhooks.constructEvent`, no HMAC `compare_digest` / `crypto.timingSafeEqual`, no
    webhook library's `verify` (svix, @octokit/webhooks), no call to a verification
    function. In Next.js, a handler under `pages/api/webhooks/` or
    `app/api/webhooks/*/route.ts` is a webhook by its path.

    ## Why it matters
    The webhook URL is public. Anyone who finds it can forge a "payment
    succeeded" or "subscription renewed" event, and the handler will grant
    what was never paid for.

    ## Example
    `event = await request.json()` as the first line of a Stripe webhook.

    ## Fix
    Verify before anything else, over the raw body:
    `stripe.Webhook.construct_event(await request.body(), signature, secret)`,
    or `hmac.compare_digest(expected, received)` for HMAC-signed webhooks.
    """

    code = "FLOW201"
    name = "unverified-webhook"
    family = Family.WEBHOOK_SIGNATURE
    severity = Severity.CRITICAL

    VALID = (
        Example(head={**SVC, "svc/hooks.py": VERIFIED}),
        Example(
            head={**TS_SVC, "web/app/api/webhooks/clerk/route.ts": TS_VERIFIED},
            note="Next.js route handler verifying with svix",
        ),
    )
    INVALID = (
        Example(head={**SVC, "svc/hooks.py": UNVERIFIED}),
        Example(
            head={**TS_SVC, "web/app/api/webhooks/clerk/route.ts": TS_UNVERIFIED},
            note="Next.js route handler in a webhooks folder that trusts the body",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for hook in ctx.facts(WebhookHandler):
            if hook.verifies_signature:
                continue
            yield self.finding(
                title=f"{hook.provider} webhook handled without signature verification",
                message=(
                    f"{hook.handler or 'The handler'} acts on the request without checking the "
                    "sender's signature: anyone who knows the URL can forge events."
                ),
                key=f"{hook.handler or hook.location.path}:{hook.provider}",
                service=hook.service,
                location=hook.location,
                suggestion="verify the signature over the raw body before reading the event",
            )
