"""External systems a JavaScript/TypeScript service talks to through an SDK, and Stripe creates.

`ExternalSystemUse`: one per construction of an SDK client (`new Stripe(key)`,
`createClient(url, key)` from @supabase/supabase-js, `new OpenAI()`, `twilio(sid,
token)`, `new S3Client({...})`); a file that imports an SDK and calls it without
constructing a client (`sgMail.send(...)`) gets one, at its first call. A client
imported from the service's own module (`import { supabase } from '../lib/supabase'`)
is counted where it is made, not again where it is used.

`ExternalCall`: Stripe calls that create something (`paymentIntents.create`,
`checkout.sessions.create`, `refunds.create`, ...) and whether their request options
carry an `idempotencyKey`. Options the code builds elsewhere (a parameter, a spread)
count as carrying one: unknown is not reported as absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from analyzers.facts import ExternalCall, ExternalSystemUse, Fact
from analyzers.javascript.context import JsContext
from analyzers.javascript.module import (
    JsModule,
    call_arguments,
    object_keys,
    text,
    unwrap,
)
from analyzers.javascript.scan import call_around, calls_matching, node_at

# Package -> system. A name matches a package exactly or followed by "." or "(".
SDKS: dict[str, str] = {
    "stripe": "stripe",
    "@supabase/supabase-js": "supabase",
    "@supabase/ssr": "supabase",
    "@supabase/auth-helpers-nextjs": "supabase",
    "resend": "resend",
    "openai": "openai",
    "@anthropic-ai/sdk": "anthropic",
    "@sendgrid/mail": "sendgrid",
    "@sendgrid/client": "sendgrid",
    "twilio": "twilio",
    "@slack/web-api": "slack",
    "@slack/bolt": "slack",
    "@slack/webhook": "slack",
    "postmark": "postmark",
    "mailgun.js": "mailgun",
    "@google/generative-ai": "gemini",
    "@google/genai": "gemini",
    "@pinecone-database/pinecone": "pinecone",
    "algoliasearch": "algolia",
    "@octokit/rest": "github",
    "octokit": "github",
    "plaid": "plaid",
    "braintree": "braintree",
    "firebase-admin": "firebase",
    "aws-sdk": "aws",
}
_AWS_V3 = re.compile(r"^@aws-sdk/client-([a-z0-9-]+)")
# Factories that make a client, as opposed to calls that use one.
_FACTORIES = frozenset(
    {
        "createClient",
        "createServerClient",
        "createBrowserClient",
        "createServerComponentClient",
        "createRouteHandlerClient",
        "createMiddlewareClient",
        "createPagesServerClient",
        "setApiKey",
        "initializeApp",
    }
)
_REQUIRE_CALLED = re.compile(rb"""require\(\s*['"](stripe|twilio)['"]\s*\)\s*\(""")

_STRIPE_RESOURCES = (
    "paymentIntents|setupIntents|customers|subscriptions|subscriptionSchedules|"
    "subscriptionItems|refunds|charges|invoices|invoiceItems|payouts|transfers|sessions|"
    "paymentLinks|prices|products|coupons|promotionCodes|quotes|creditNotes|topups|accounts"
)
_STRIPE_CREATES = re.compile(rb"\.\s*(?:" + _STRIPE_RESOURCES.encode() + rb")\s*\.\s*(create)\s*\(")
_STRIPE_NAME = re.compile(r"(?:^|[.(])stripe(?:\(\))?\.", re.I)
_STRIPE_LAST = re.compile(r"stripe\w*(?:\(\))?\.", re.I)


def system_of(name: str) -> str | None:
    """The external system a qualified name belongs to (`@aws-sdk/client-s3.S3Client` -> aws-s3)."""
    aws = _AWS_V3.match(name)
    if aws is not None:
        return f"aws-{aws.group(1)}"
    for package, system in SDKS.items():
        if name == package or name.startswith((package + ".", package + "(")):
            if system == "aws":
                rest = name[len(package) :].strip(".()").split(".", 1)[0]
                return f"aws-{rest.lower()}" if rest and rest[0].isupper() else "aws"
            return system
    return None


def extract(ctx: JsContext) -> Iterator[Fact]:
    m = ctx.module
    local = [
        name
        for name, spec in m.import_sources.items()
        # A package, not a module of the project (`./stripe`, `@/lib/stripe`).
        if not spec.startswith((".", "/", "@/", "~/", "#"))
        and system_of(m.imports.get(name, "")) is not None
    ]
    if local:
        yield from _uses(ctx, local)
    # Literal tests first: a regular expression that starts with "(" or "." tries every one.
    if b"require(" in m.source and _REQUIRE_CALLED.search(m.source):
        yield from _required_clients(ctx)
    if b"tripe" in m.source and _STRIPE_CREATES.search(m.source):
        yield from _stripe_creates(ctx)


def _occurrences(source: bytes, name: str) -> Iterator[tuple[int, int]]:
    """Where an identifier occurs as a whole word (a find per name: no regex to compile)."""
    word = name.encode()
    at = source.find(word)
    while at >= 0:
        end = at + len(word)
        before = source[at - 1 : at]
        after = source[end : end + 1]
        if not (before.isalnum() or before in (b"_", b"$")) and not (
            after.isalnum() or after in (b"_", b"$")
        ):
            yield at, end
        at = source.find(word, end)


def _uses(ctx: JsContext, local: list[str]) -> Iterator[Fact]:
    m = ctx.module
    built: dict[str, list[ts.Node]] = {}
    used: dict[str, ts.Node] = {}
    seen: set[int] = set()
    spans = sorted(span for name in local for span in _occurrences(m.source, name))
    for start, end in spans:
        node = node_at(m, start, end)
        if node is None or node.type != "identifier":
            continue  # a property, a type, a string or a comment that only says the name
        call = call_around(node, start)
        if call is None or call.start_byte in seen:
            continue
        seen.add(call.start_byte)
        resolved = m.callee(call) if call.type == "call_expression" else None
        if call.type == "new_expression":
            constructor = call.child_by_field_name("constructor")
            resolved = m.resolve(constructor)
        if resolved is None:
            continue
        system = system_of(resolved.name)
        if system is None:
            continue
        last = resolved.name.rsplit(".", 1)[-1]
        making = (
            # `new PutObjectCommand(...)` is a request for a client, not a client.
            (
                call.type == "new_expression"
                and not (system.startswith("aws-") and "Command" in last)
            )
            or last in _FACTORIES
            or resolved.name in SDKS  # `twilio(sid, token)`, `require('stripe')(key)`
        )
        if making:
            built.setdefault(system, []).append(call)
        else:
            used.setdefault(system, call)
    for system, calls in built.items():
        for call in calls:
            yield ExternalSystemUse(ctx.service, ctx.loc(call), system)
    for system, call in used.items():
        if system not in built:
            yield ExternalSystemUse(ctx.service, ctx.loc(call), system)


def _required_clients(ctx: JsContext) -> Iterator[Fact]:
    """`const stripe = require('stripe')(process.env.STRIPE_KEY)`."""
    m = ctx.module
    for match in _REQUIRE_CALLED.finditer(m.source):
        node = node_at(m, match.start(), match.start() + len("require"))
        call = call_around(node, match.start())
        outer = call.parent if call is not None else None
        if outer is not None and outer.type == "call_expression":
            yield ExternalSystemUse(ctx.service, ctx.loc(outer), match.group(1).decode())


def _stripe_creates(ctx: JsContext) -> Iterator[Fact]:
    m = ctx.module
    for call in calls_matching(m, _STRIPE_CREATES, 1):
        callee = call.child_by_field_name("function")
        resolved = m.callee(call)
        name = resolved.name if resolved is not None else ""
        written = text(callee)
        if not (_STRIPE_NAME.search(name) or _STRIPE_NAME.search("." + written)):
            continue
        operation = _operation(name if _STRIPE_NAME.search(name) else written)
        yield ExternalCall(
            service=ctx.service,
            location=ctx.loc(call),
            system="stripe",
            operation=operation,
            idempotency_key=_has_idempotency_key(m, call),
            function=m.function_name(m.enclosing_function(call)),
        )


def _operation(name: str) -> str:
    """`stripe().checkout.sessions.create` -> `checkout.sessions.create`."""
    matches = list(_STRIPE_LAST.finditer(name))
    return name[matches[-1].end() :] if matches else name


def _has_idempotency_key(m: JsModule, call: ts.Node) -> bool:
    args = call_arguments(call)
    if len(args) < 2:
        return False
    options = unwrap(args[1])
    if options is not None and options.type == "identifier":
        bound = m.lookup(text(options), options)
        if bound is None:
            return True  # a parameter: the caller decides, not visible here
        options = unwrap(bound)
    if options is None:
        return False
    if options.type != "object":
        return text(options) not in ("undefined", "null", "{}")
    if any(child.type == "spread_element" for child in options.named_children):
        return True
    return "idempotencyKey" in object_keys(options) or "idempotency_key" in object_keys(options)
