from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Endpoint, Family, Finding, Severity, WebhookHandler
from analyzers.rules.base import Example, Rule, Scope

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {
    "svc/package.json": (
        '{"name": "core-api", "dependencies": {"express": "^4.19.2", "stripe": "^16.0.0"}}'
    )
}
HANDLER = """import type { Request, Response } from 'express';
import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');

export async function stripeWebhookHandler(req: Request, res: Response): Promise<void> {
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'] as string, SECRET);
  } catch {
    res.status(400).send('invalid signature');
    return;
  }
  const { error } = await db.from('processed_events').insert({ event_id: event.id });
  if (error) { res.json({ duplicate: true }); return; }
  res.json({ received: true });
}
"""
APP = """import express from 'express';
import { stripeWebhookHandler } from './webhooks/stripe';

export const app = express();
$BEFORE
app.post('/api/webhooks/stripe', express.raw({ type: 'application/json' }), stripeWebhookHandler);
$AFTER
app.listen(4000);
"""
JSON = "app.use(express.json());"
CAPTURED = (
    """app.use(express.json({ verify: (req, _res, buf) => { (req as any).rawBody = buf; } }));"""
)
NEXT_SVC = {
    "web/package.json": '{"name": "web", "dependencies": {"next": "14.2.0", "stripe": "^16"}}'
}
NEXT_PAGE = """import type { NextApiRequest, NextApiResponse } from 'next';
import { buffer } from 'micro';
import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);
$CONFIG
export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const event = stripe.webhooks.constructEvent(await buffer(req), req.headers['stripe-signature']!, SECRET);
  if (await redis.set(`stripe:${event.id}`, '1', 'NX')) {
    await fulfil(event);
  }
  res.json({ received: true });
}
"""
NO_PARSER = "\nexport const config = { api: { bodyParser: false } };\n"


def _app(before: str = "", after: str = "") -> str:
    return APP.replace("$BEFORE", before).replace("$AFTER", after)


def _page(config: str = "") -> str:
    return NEXT_PAGE.replace("$CONFIG", config)


# A raw body a JSON parser's `verify` hook kept aside (`req.rawBody = buf`): still the bytes.
_CAPTURED = re.compile(r"rawBody|raw_body|rawbody", re.I)
# The body a parser produced, as a handler reads it.
_PARSED_BODY = re.compile(r"\b(?:req|request)\.body\b")
_PARSER_NAME = re.compile(r"(?:^|[.-])(json|raw|urlencoded|text)$|^(?:body-?[pP]arser)$")


def _json_parsed(endpoint: Endpoint) -> bool:
    """Whether a JSON body parser reads the stream before the route's handler.

    `urlencoded()` and `text()` only read their own content types (form data, text/plain),
    so a provider's `application/json` delivery passes them untouched; the first parser
    that does read JSON (or keeps it raw) is the one that decides.
    """
    for name in endpoint.middleware:
        found = _PARSER_NAME.search(name)
        if found is None:
            continue
        kind = found.group(1) or "json"  # bodyParser(): json first
        if kind in ("json", "raw"):
            return kind == "json"
    return endpoint.body_parser == "json"


def _same_handler(endpoint: Endpoint, hook: WebhookHandler) -> bool:
    if endpoint.service != hook.service or not hook.handler or not endpoint.handler:
        return False
    if "<" in hook.handler:
        # An inline handler (`<module>.<app.post>`): several share the name; the route's
        # own call holds the function.
        return (
            endpoint.handler == hook.handler
            and endpoint.location.path == hook.location.path
            and endpoint.location.line <= hook.location.line <= endpoint.location.end_line
        )
    if endpoint.handler == hook.handler:
        return True
    shorter, longer = sorted((endpoint.handler, hook.handler), key=len)
    return shorter.count(".") >= 1 and longer.endswith("." + shorter)


class WebhookBodyParsedBeforeRaw(Rule):
    """A signed webhook route whose body a JSON parser reads before the handler gets the bytes.

    ## What it finds
    Routes of webhook handlers that verify a signature over the raw body
    (Stripe's `constructEvent`, an HMAC over `req.body`) where a JSON body
    parser runs first: `app.use(express.json())` registered before
    `app.post('/webhooks/stripe', express.raw(...), handler)`, or a Next.js
    pages API route that keeps the default body parser. Not reported: the raw
    parser first, a Next.js route with `bodyParser: false`, an app-router
    handler reading `req.text()`, or a handler verifying a raw body the JSON
    parser's `verify` hook kept aside (`req.rawBody`).

    ## Why it matters
    The first body parser consumes the stream. `express.raw()` on the route
    then finds nothing to read, `req.body` is a parsed object instead of the
    Buffer the provider signed, and every verification fails: Stripe gets
    400s, retries for three days and disables the endpoint, while payments
    and subscriptions silently stop being recorded. It is a one-line move in
    the app's setup, far from the handler, and tests that mock the handler
    do not see it.

    ## Example
    `app.use(express.json())` moved above
    `app.post('/api/webhooks/stripe', express.raw({ type: 'application/json' }), handler)`.

    ## Fix
    Register the webhook route before `express.json()` (or mount the JSON
    parser on the API routes only), keep `express.raw({ type:
    'application/json' })` on the webhook route; in Next.js export `config =
    { api: { bodyParser: false } }` and read the bytes with `buffer(req)`.
    """

    code = "FLOW207"
    name = "webhook-body-parsed-before-raw"
    family = Family.WEBHOOK_RAW_BODY
    severity = Severity.CRITICAL
    # The parser is usually moved in the app's setup file, not in the handler's: report on
    # the route, for any change to the file that declares it.
    scope = Scope.CHANGED_FILES

    VALID = (
        Example(
            head={
                **SVC,
                "svc/src/webhooks/stripe.ts": HANDLER,
                "svc/src/index.ts": _app(after=JSON),
            },
            note="express.raw() route registered before express.json()",
        ),
        Example(
            head={
                **SVC,
                "svc/src/webhooks/stripe.ts": HANDLER.replace("req.body,", "(req as any).rawBody,"),
                "svc/src/index.ts": _app(before=CAPTURED),
            },
            note="the JSON parser's verify hook keeps the raw bytes, the handler verifies those",
        ),
        Example(
            head={**NEXT_SVC, "web/pages/api/webhooks/stripe.ts": _page(NO_PARSER)},
            note="Next.js pages route with bodyParser disabled",
        ),
    )
    INVALID = (
        Example(
            head={
                **SVC,
                "svc/src/webhooks/stripe.ts": HANDLER,
                "svc/src/index.ts": _app(before=JSON),
            },
            note="express.json() runs before the route's express.raw()",
        ),
        Example(
            head={**NEXT_SVC, "web/pages/api/webhooks/stripe.ts": _page()},
            note="Next.js pages route with the default body parser",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        hooks = [
            hook
            for hook in ctx.facts(WebhookHandler)
            # A body re-serialised by the handler itself is FLOW203's finding.
            if hook.verifies_signature and hook.reads_raw_body is not False
            if not (hook.payload and _CAPTURED.search(hook.payload))
            # Other schemes may sign a header token, not the body: only a body read counts.
            if hook.provider == "stripe" or (hook.payload and _PARSED_BODY.search(hook.payload))
        ]
        if not hooks:
            return
        for endpoint in ctx.facts(Endpoint):
            if not endpoint.handler or not _json_parsed(endpoint):
                continue
            hook = next((h for h in hooks if _same_handler(endpoint, h)), None)
            if hook is None:
                continue
            yield self.finding(
                title=f"{hook.provider} webhook body parsed as JSON before the signature check",
                message=(
                    f"{endpoint.method} {endpoint.path} reaches {hook.handler.rsplit('.', 1)[-1]} "
                    "after a JSON body parser has read the stream "
                    f"({' → '.join(endpoint.middleware) or 'the framework default'}), so the "
                    "signature is checked over a parsed object instead of the signed bytes "
                    "and every genuine event is rejected."
                ),
                key=f"{endpoint.method} {endpoint.path}:{hook.handler}",
                service=endpoint.service,
                location=endpoint.location,
                suggestion=(
                    "register the webhook route (with express.raw()) before express.json(), or "
                    "disable the body parser for it"
                ),
            )
