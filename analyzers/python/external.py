"""External systems a Python service talks to through an SDK, and Stripe creates.

The same facts as the JavaScript family (`analyzers/javascript/external.py`):

- `ExternalSystemUse`, one per construction of a client (`openai.OpenAI()`,
  `anthropic.Anthropic()`, `boto3.client("s3")`, `supabase.create_client(url, key)`,
  `stripe.StripeClient(key)`, `sendgrid.SendGridAPIClient(key)`, `twilio.rest.Client(...)`);
  a module that calls an SDK without constructing a client (`stripe.Customer.create(...)`,
  `resend.Emails.send(...)`, module-level API keys) gets one, at its first call.
  boto3 clients are named per AWS service when the code names it (`aws-s3`), else "aws".
- `ExternalCall` for Stripe calls that create something (`stripe.PaymentIntent.create`,
  `stripe.checkout.Session.create`, `StripeClient().payment_intents.create`), and
  whether they carry an idempotency key (`idempotency_key=`, or `options={"idempotency_key":
  ...}` for `StripeClient`). Keyword arguments passed on with `**` count as carrying one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from analyzers.facts import ExternalCall, ExternalSystemUse, Fact
from analyzers.python.context import PyContext
from analyzers.python.module import FunctionInfo
from analyzers.python.syntax import has_kwarg, has_star_kwargs, kwarg, literal, positional

SDKS = {
    "stripe": "stripe",
    "supabase": "supabase",
    "openai": "openai",
    "anthropic": "anthropic",
    "boto3": "aws",
    "aioboto3": "aws",
    "resend": "resend",
    "sendgrid": "sendgrid",
    "twilio": "twilio",
    "slack_sdk": "slack",
}
# Calls that make a client rather than use one: factories, and classes named as clients.
_FACTORIES = frozenset(
    {"create_client", "acreate_client", "create_async_client", "client", "resource"}
)
_CLIENT_CLASSES = frozenset(
    {
        "OpenAI",
        "AsyncOpenAI",
        "AzureOpenAI",
        "AsyncAzureOpenAI",
        "Anthropic",
        "AsyncAnthropic",
        "AnthropicBedrock",
        "AsyncAnthropicBedrock",
    }
)
_STRIPE_RESOURCES = frozenset(
    {
        "PaymentIntent",
        "SetupIntent",
        "Customer",
        "Subscription",
        "SubscriptionSchedule",
        "SubscriptionItem",
        "Refund",
        "Charge",
        "Invoice",
        "InvoiceItem",
        "Payout",
        "Transfer",
        "Price",
        "Product",
        "Coupon",
        "PromotionCode",
        "Quote",
        "CreditNote",
        "Topup",
        "PaymentLink",
        "Account",
        "Session",  # checkout.Session, billing_portal.Session
    }
)
_CLIENT_CREATE = re.compile(r"^stripe\.StripeClient\(\)\.(?:v1\.)?([\w.]+)\.create$")


def extract(ctx: PyContext) -> Iterator[Fact]:
    imported = {q.partition(".")[0] for q in ctx.module.scope.imports.values()}
    if not imported & SDKS.keys():
        return
    built: dict[str, list[cst.Call]] = {}
    used: dict[str, cst.Call] = {}
    for site in ctx.module.calls:
        name = ctx.callee(site.node, site.function)
        top = name.partition(".")[0]
        system = SDKS.get(top)
        if system is None:
            continue
        if top == "stripe":
            fact = _stripe_create(ctx, site.node, name, site.function)
            if fact is not None:
                yield fact
        last = name.rsplit(".", 1)[-1]
        if last in _FACTORIES or last in _CLIENT_CLASSES or last.endswith("Client"):
            if system == "aws":
                system = _aws_service(site.node)
            built.setdefault(system, []).append(site.node)
        else:
            used.setdefault(system, site.node)
    for system, calls in built.items():
        for call in calls:
            yield ExternalSystemUse(ctx.service, ctx.loc(call), system)
    made = {system.partition("-")[0] for system in built}
    for system, call in used.items():
        if system not in made:
            yield ExternalSystemUse(ctx.service, ctx.loc(call), system)


def _aws_service(call: cst.Call) -> str:
    service = literal(positional(call, 0) or kwarg(call, "service_name"))
    return f"aws-{service.lower()}" if isinstance(service, str) and service else "aws"


def _stripe_create(
    ctx: PyContext, call: cst.Call, name: str, function: FunctionInfo | None
) -> ExternalCall | None:
    parts = name.split(".")
    client = _CLIENT_CREATE.match(name)
    if client is not None:
        operation = f"{client.group(1)}.create"
        options = kwarg(call, "options")
        keyed = has_star_kwargs(call) or (
            options is not None
            and (not isinstance(options, cst.Dict) or "idempotency_key" in _dict_keys(options))
        )
    elif len(parts) >= 3 and parts[-1] == "create" and parts[-2] in _STRIPE_RESOURCES:
        operation = ".".join(parts[1:])
        keyed = has_kwarg(call, "idempotency_key") or has_star_kwargs(call)
    else:
        return None
    return ExternalCall(
        service=ctx.service,
        location=ctx.loc(call),
        system="stripe",
        operation=operation,
        idempotency_key=keyed,
        function=f"{ctx.module.name}.{function.qualname}" if function is not None else None,
    )


def _dict_keys(node: cst.Dict) -> set[str]:
    keys = set()
    for element in node.elements:
        if isinstance(element, cst.StarredDictElement):
            keys.add("idempotency_key")  # `**options`: whatever it holds, not visible here
        elif isinstance(element, cst.DictElement):
            key = literal(element.key)
            if isinstance(key, str):
                keys.add(key)
    return keys
