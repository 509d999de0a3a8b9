from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import ExternalCall, Family, Finding, Severity
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

TS_SVC = {"svc/package.json": '{"name": "billing", "dependencies": {"stripe": "^16.0.0"}}'}
TS_CHECKOUT = """import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');

export async function startCheckout(orderId: string, amount: number) {
  return stripe.paymentIntents.create(
    { amount, currency: 'eur', metadata: { orderId } },{options}
  );
}
"""
TS_FORWARDED = """import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');

export async function refund(chargeId: string, options: Stripe.RequestOptions) {
  return stripe.refunds.create({ charge: chargeId }, options);
}
"""
PY_SVC = {"svc/requirements.txt": "stripe\n"}
PY_CHECKOUT = """import stripe

def start_checkout(order_id, amount):
    return stripe.PaymentIntent.create(
        amount=amount, currency="eur", metadata={{"order_id": order_id}}{options}
    )
"""


class StripeCreateWithoutIdempotencyKey(Rule):
    """A Stripe call that creates something, sent without an idempotency key.

    ## What it finds
    Calls that create objects in Stripe (`paymentIntents.create`,
    `checkout.sessions.create`, `customers.create`, `subscriptions.create`,
    `refunds.create`, `charges.create`, `invoices.create`, ... and Python's
    `stripe.PaymentIntent.create(...)`) without an idempotency key in the
    request options (`{ idempotencyKey }`, `idempotency_key=`). Options the
    code builds elsewhere and passes on count as carrying one.

    ## Why it matters
    The request that creates a charge can time out after Stripe has done the
    work. Whatever retries it (the SDK, a job queue, a webhook redelivery, a
    user clicking again) then creates a second payment, refund or
    subscription. The SDK's own network retries reuse a key it makes up, but a
    retry of the surrounding code sends a new request with no key at all, and
    Stripe cannot tell it from a new purchase.

    ## Example
    `stripe.paymentIntents.create({ amount, currency })` in a checkout handler
    that a client retries on timeout.

    ## Fix
    Derive the key from what makes the operation unique and pass it in the
    request options: `stripe.paymentIntents.create(params, { idempotencyKey:
    'payment-' + orderId })`, or in Python
    `stripe.PaymentIntent.create(..., idempotency_key=f"order-{order_id}")`.
    """

    code = "FLOW206"
    name = "stripe-create-without-idempotency-key"
    family = Family.IDEMPOTENCY
    severity = Severity.HIGH

    VALID = (
        Example(
            head={
                **TS_SVC,
                "svc/src/checkout.ts": TS_CHECKOUT.replace(
                    "{options}", "\n    { idempotencyKey: `order-${orderId}-payment` },"
                ),
            },
            note="idempotencyKey in the request options",
        ),
        Example(
            head={**TS_SVC, "svc/src/refunds.ts": TS_FORWARDED},
            note="options passed in by the caller: not visible here, not reported",
        ),
        Example(
            head={
                **PY_SVC,
                "svc/billing.py": PY_CHECKOUT.format(
                    options=', idempotency_key=f"order-{order_id}"'
                ),
            },
            note="Python, idempotency_key=",
        ),
    )
    INVALID = (
        Example(head={**TS_SVC, "svc/src/checkout.ts": TS_CHECKOUT.replace("{options}", "")}),
        Example(
            head={**PY_SVC, "svc/billing.py": PY_CHECKOUT.format(options="")},
            note="Python, no idempotency_key",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for call in ctx.facts(ExternalCall):
            if call.system != "stripe" or call.idempotency_key:
                continue
            where = call.function.rsplit(".", 1)[-1] if call.function else "module level"
            yield self.finding(
                title=f"Stripe {call.operation} without an idempotency key",
                message=(
                    f"{call.operation} in {where} sends no idempotency key: a retry after a "
                    "timeout, a redelivered event or a second click creates a second "
                    "object in Stripe (a double charge, refund or subscription)."
                ),
                key=f"{call.function or call.location.path}:{call.operation}",
                service=call.service,
                location=call.location,
                suggestion=(
                    "pass an idempotency key derived from the order or event in the request "
                    "options ({ idempotencyKey } / idempotency_key=)"
                ),
            )
