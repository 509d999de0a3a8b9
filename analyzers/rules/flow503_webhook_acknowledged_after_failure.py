from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import ErrorHandler, Family, Finding, Severity, WebhookHandler
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

TS = {"api/package.json": "{}"}
HANDLER = """import Stripe from 'stripe';
import {{ Request, Response }} from 'express';
import {{ supabase }} from './supabase';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');

export async function stripeWebhookHandler(req: Request, res: Response) {{
  const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'] as string, SECRET);
  const {{ data }} = await supabase.from('processed_events').select('id').eq('id', event.id);
  if (data?.length) return res.json({{ duplicate: true }});
  try {{
    await supabase.from('subscriptions').upsert({{ id: event.id }});
  }} catch (err) {{{handler}}}
  res.json({{ received: true }});
}}
"""


class WebhookAcknowledgedAfterFailure(Rule):
    """A webhook handler that swallows its own failure and still answers 2xx.

    ## What it finds
    Webhook handlers in which a failure of the work (a database write, a call
    to another service) is caught without being logged, re-raised or turned
    into an error status, so the handler goes on to acknowledge the event.

    ## Why it matters
    Providers redeliver an event only when the answer is not 2xx. A handler
    that fails quietly and answers 200 tells Stripe or GitHub the event was
    processed: it is never delivered again, and nothing records that it was
    lost. The provider's retries are the dead-letter queue this code throws
    away.

    ## Example
    `try { await handleEvent(event) } catch (err) {}` followed by
    `res.json({ received: true })`.

    ## Fix
    Let the failure reach the provider: answer 500 (or rethrow) so it
    redelivers, and log it with the event id; or store the event for replay
    before acknowledging it.
    """

    code = "FLOW503"
    name = "webhook-acknowledged-after-failure"
    family = Family.DEAD_LETTER
    severity = Severity.HIGH

    VALID = (
        Example(
            head={
                **TS,
                "api/src/hooks.ts": HANDLER.format(
                    handler="\n    logger.error({ err, id: event.id }, 'stripe event failed');\n"
                    "    return res.status(500).send('retry');\n  "
                ),
            },
            note="the failure is logged and answered with 500, so Stripe redelivers",
        ),
    )
    INVALID = (Example(head={**TS, "api/src/hooks.ts": HANDLER.format(handler="")}),)

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        hooks = {hook.handler: hook for hook in ctx.facts(WebhookHandler) if hook.handler}
        for handler in ctx.facts(ErrorHandler):
            hook = hooks.get(handler.function or "")
            if hook is None or handler.logs or handler.reraises or handler.observes:
                continue
            if handler.uses_exception:
                continue  # the error is handed on, as a status or a body
            yield self.finding(
                title=f"{hook.provider} webhook acknowledged after a swallowed failure",
                message=(
                    f"{hook.handler} catches the failure of {handler.guarded_call} without logging "
                    "or failing the request, then answers 2xx: the provider will not redeliver "
                    "the event and it is lost."
                ),
                key=f"{hook.handler}:{handler.guarded_call}",
                service=handler.service,
                location=handler.location,
                suggestion="answer 5xx (or rethrow) so the provider redelivers, and log the event id",
            )
