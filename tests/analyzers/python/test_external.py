"""SDK clients of external systems and Stripe creates, in Python."""

from __future__ import annotations

from textwrap import dedent

from analyzers.extract import SourceFile
from analyzers.facts import ExternalCall, ExternalSystemUse, Fact
from analyzers.python import PythonExtractor


def facts_of(source: str, path: str = "svc/app/clients.py") -> list[Fact]:
    text = dedent(source).lstrip("\n")
    return list(PythonExtractor().extract(SourceFile(path, "svc", "python", text)))


def uses(source: str) -> list[tuple[str, int]]:
    return [
        (f.system, f.location.line) for f in facts_of(source) if isinstance(f, ExternalSystemUse)
    ]


def test_one_use_per_client_construction() -> None:
    source = """
    import boto3
    from anthropic import AsyncAnthropic
    from openai import OpenAI
    from supabase import create_client
    from twilio.rest import Client

    s3 = boto3.client("s3")
    queue = boto3.session.Session().client(service_name="sqs")
    dynamo = boto3.resource(table_kind)
    openai = OpenAI()
    claude = AsyncAnthropic()
    supabase = create_client(URL, KEY)
    sms = Client(SID, TOKEN)

    def ask(prompt):
        return openai.chat.completions.create(model="gpt-4o", messages=[prompt])
    """
    assert uses(source) == [
        ("aws-s3", 7),
        ("aws-sqs", 8),
        ("aws", 9),
        ("openai", 10),
        ("anthropic", 11),
        ("supabase", 12),
        ("twilio", 13),
    ]


def test_module_level_sdk_use_counts_once() -> None:
    source = """
    import resend
    import stripe

    stripe.api_key = KEY

    def notify(to):
        resend.Emails.send({"to": to})
        resend.Emails.send({"to": to})

    def customer(email):
        return stripe.Customer.retrieve(email)
    """
    assert uses(source) == [("resend", 7), ("stripe", 11)]


def test_files_without_an_sdk_import_are_skipped() -> None:
    source = """
    from .clients import stripe

    def pay():
        return stripe.PaymentIntent.create(amount=1)
    """
    # The client is made in the project's own module, where it is counted.
    assert not any(isinstance(f, ExternalSystemUse | ExternalCall) for f in facts_of(source))


def test_stripe_creates() -> None:
    source = """
    import stripe
    from stripe import StripeClient

    client = StripeClient(KEY)

    def checkout(order, **extra):
        stripe.checkout.Session.create(mode="payment", idempotency_key=f"order-{order.id}")
        stripe.Refund.create(charge=order.charge)
        stripe.Customer.create(email=order.email, **extra)
        client.payment_intents.create(params={"amount": 1}, options={"idempotency_key": order.k})
        client.v1.subscriptions.create(params={"customer": order.customer})
        stripe.Customer.modify(order.customer, name="x")
    """
    calls = [f for f in facts_of(source) if isinstance(f, ExternalCall)]
    assert [(c.operation, c.idempotency_key, c.location.line) for c in calls] == [
        ("checkout.Session.create", True, 7),
        ("Refund.create", False, 8),
        ("Customer.create", True, 9),  # **extra may carry it: not visible, not absent
        ("payment_intents.create", True, 10),
        ("subscriptions.create", False, 11),
    ]
    assert {c.function for c in calls} == {"svc.app.clients.checkout"}
