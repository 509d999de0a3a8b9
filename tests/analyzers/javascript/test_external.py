"""SDK clients of external systems and Stripe creates, in JavaScript/TypeScript."""

from __future__ import annotations

import pytest

from analyzers.facts import ExternalCall, ExternalSystemUse, Location
from analyzers.javascript.external import system_of
from tests.analyzers.javascript.facts import facts_of


def uses(source: str, path: str = "svc/src/clients.ts") -> list[tuple[str, int]]:
    return [(f.system, f.location.line) for f in facts_of(ExternalSystemUse, path, source)]


def test_one_use_per_client_construction() -> None:
    source = """
    import Stripe from 'stripe';
    import { createClient } from '@supabase/supabase-js';
    import OpenAI from 'openai';
    import Anthropic from '@anthropic-ai/sdk';
    import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
    import type { SupabaseClient } from '@supabase/supabase-js';

    export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);
    export const supabase: SupabaseClient = createClient(URL, KEY);
    export const openai = new OpenAI();
    export const claude = new Anthropic({ apiKey: KEY });
    const s3 = new S3Client({ region: 'eu-west-1' });

    export async function upload(key: string, body: Buffer) {
      // A command is a request sent through the client, not another client.
      await s3.send(new PutObjectCommand({ Bucket: 'b', Key: key, Body: body }));
    }
    """
    assert uses(source) == [
        ("stripe", 8),
        ("supabase", 9),
        ("openai", 10),
        ("anthropic", 11),
        ("aws-s3", 12),
    ]


def test_import_and_use_without_a_client() -> None:
    source = """
    import sgMail from '@sendgrid/mail';
    import { WebClient } from '@slack/web-api';

    export async function notify(to: string) {
      await sgMail.send({ to, from: 'a@b.c', subject: 'hi', text: 'hi' });
      await sgMail.send({ to, from: 'a@b.c', subject: 'again', text: 'hi' });
    }
    """
    # setApiKey never appears: the first call of the SDK stands for the file's use of it.
    assert uses(source) == [("sendgrid", 5)]


def test_required_and_called_clients() -> None:
    source = """
    const stripe = require('stripe')(process.env.STRIPE_SECRET_KEY);
    const twilio = require('twilio')(SID, TOKEN);
    module.exports = { stripe, twilio };
    """
    assert uses(source, "svc/lib/clients.js") == [("stripe", 1), ("twilio", 2)]


def test_project_modules_named_like_an_sdk_are_not_the_sdk() -> None:
    source = """
    import { stripe } from './stripe';
    import { openai } from '@/lib/openai';
    export const pay = () => stripe.charges.list();
    export const ask = () => openai.chat.completions.create({ model: 'x', messages: [] });
    """
    assert uses(source, "src/pay.ts") == []


@pytest.mark.parametrize(
    ("name", "system"),
    [
        ("stripe()", "stripe"),
        ("@supabase/supabase-js.createClient", "supabase"),
        ("@aws-sdk/client-dynamodb.DynamoDBClient", "aws-dynamodb"),
        ("aws-sdk.SQS", "aws-sqs"),
        ("mailgun.js", "mailgun"),
        ("openai-edge.Configuration", None),
        ("stripe-mock", None),
    ],
)
def test_system_of(name: str, system: str | None) -> None:
    assert system_of(name) == system


CHECKOUT = """
import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);

export async function checkout(orderId: string, options?: Stripe.RequestOptions) {
  const customer = await stripe.customers.create({ email });
  const session = await stripe.checkout.sessions.create(
    { mode: 'payment', customer: customer.id },
    { idempotencyKey: `checkout:${orderId}` },
  );
  const opts = { idempotencyKey: `refund:${orderId}` };
  await stripe.refunds.create({ payment_intent: pi }, opts);
  await stripe.subscriptions.create({ customer: customer.id }, options);
  await stripe.customers.update(customer.id, { name });
  await db.customers.create({ email });
  return session;
}
"""


def test_stripe_creates_and_their_idempotency_keys() -> None:
    found = facts_of(ExternalCall, "svc/src/checkout.ts", CHECKOUT)
    assert [(c.operation, c.idempotency_key, c.location.line) for c in found] == [
        ("customers.create", False, 6),
        ("checkout.sessions.create", True, 7),
        ("refunds.create", True, 12),  # the options object bound to a variable
        ("subscriptions.create", True, 13),  # passed in by the caller: not visible, not absent
    ]
    assert all(c.system == "stripe" and c.function == "svc.src.checkout.checkout" for c in found)
    assert found[1].location == Location("svc/src/checkout.ts", 7, 10)


def test_stripe_client_from_another_module() -> None:
    source = """
    import { stripe } from '@/lib/stripe';
    export const refund = (pi: string) => stripe.refunds.create({ payment_intent: pi });
    """
    (call,) = facts_of(ExternalCall, "src/refund.ts", source)
    assert (call.operation, call.idempotency_key, call.function) == (
        "refunds.create",
        False,
        "src.refund.refund",
    )
