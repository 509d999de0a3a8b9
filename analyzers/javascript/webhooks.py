"""Webhook handlers in JavaScript/TypeScript: who signed the request, over what, and dedup.

The same facts, with the same meaning, as the Python family (`analyzers/python/webhooks.py`).

A handler is a function that receives the delivery:
- an Express/Fastify-style route handler registered on a path that says webhook
  (`app.post('/webhooks/stripe', express.raw(...), handler)`), given inline or by name;
- a Next.js API handler in a webhook folder (`pages/api/webhooks/*`,
  `app/api/webhooks/*/route.ts`): the default export, or `POST`/`PUT`/`PATCH`;
- a function named as a webhook (`stripeWebhookHandler`) that takes a request and a
  response, or any function that takes them and checks a signature. Helpers that a
  handler of the same module calls (`parseStripeEvent(req)`) are not handlers themselves.

A signature check is Stripe's `webhooks.constructEvent(Async)`, `crypto.timingSafeEqual`, an
HMAC (`crypto.createHmac`) compared with the received one, a webhook library's `verify`
(svix, standardwebhooks, @octokit/webhooks, twilio), a helper named as a verifier, or a local
function whose body does one of these (one level deep). Deduplication is read from the
evidence a reviewer looks for, in the handler and the local functions it calls: a
processed-events/idempotency table, a Redis `SET ... NX`, or a store call (insert, upsert,
create, set, a lookup) keyed on the event's id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from analyzers.facts import Fact, Location, WebhookHandler
from analyzers.javascript.context import JsContext
from analyzers.javascript.module import (
    JsModule,
    call_arguments,
    string_value,
    text,
    unwrap,
)
from analyzers.javascript.observability import kind_of_call
from analyzers.javascript.scan import (
    REQUEST_PARAMS,
    RESPONSE_PARAMS,
    calls_matching,
    calls_within,
    code,
    function_of,
    helpers_called,
    local_function,
    node_at,
    parameters,
)

# Words one of which a file with a handler names. Substring tests, not one regular
# expression: `in` scans text many times faster than an alternation does.
# (svix's verifier is imported as `Webhook`; "/hook" starts route paths.)
_GATE = ("ebhook", "constructEvent", "timingSafeEqual", "createHmac", "/hook")
# Not "callback": OAuth and SAML post their callbacks too, and a critical finding on a
# sign-in route would be a false alarm (precision over recall).
_ROUTE_PATH = re.compile(r"webhook|web_hook|/hooks?\b|stripe[_-]events", re.I)
# Function names that say webhook. Not "callback": OAuth callbacks are named so too.
_HANDLER_NAME = re.compile(r"webhook|web_hook|^\w*hook$|stripe_?events", re.I)
_HELPER_NAME = re.compile(r"^_*(?:verify|validate|check|parse|construct|get|read|is|has)", re.I)
_NEXT_WEBHOOK = re.compile(
    r"(?:^|/)(?:pages|app)/api/(?:[^/]+/)*(?:webhooks?|hooks?|[\w-]*webhooks?[\w-]*)(?:/|\.|$)"
)
_NEXT_VERBS = frozenset({"POST", "PUT", "PATCH"})

_REGISTRATIONS = re.compile(rb"\.\s*(post|put|patch|all)\s*\(")
_NAMED = re.compile(rb"(?:function\s*\*?\s*|(?:const|let|var)\s+)(\w*(?:[Ww]ebhook|[Hh]ook)\w*)")
_CHECKS = re.compile(
    rb"constructEvent(?:Async)?\s*\(|timingSafeEqual\s*\(|createHmac\s*\(|\.verify\w*\s*\(|"
    rb"validate(?:Express)?Request\w*\s*\(|"
    rb"\b_*(?:verify|validate|check)\w*(?i:sig|hmac|webhook|hook|payload|request|event)\w*\s*\("
)
_VERIFIER_NAME = re.compile(
    r"^_*(?:verify|validate|check)\w*(?:sig|hmac|webhook|hook|payload|request|event)", re.I
)
_VERIFY_LIBRARIES = ("svix", "standardwebhooks", "@octokit/webhooks", "@octokit/webhooks-methods")
# What a verifying middleware is called: `verifyGithubSignature`, `validateTwilioRequest`,
# `webhooks.middleware` aside (it handles the route itself).
_VERIFYING_MIDDLEWARE = re.compile(r"verif|validat|signature|hmac", re.I)
# Words of a signed delivery, where a request handler that compares something is checked.
_SIGNED = re.compile(r"signature|ebhook|hub-sig|svix|stripe|hmac", re.I)
_COMPARES = re.compile(r"[!=]==?|\.equals\(|timingSafeEqual|safeCompare|secureCompare|tsscmp")

_PARSES = re.compile(rb"\.json\s*\(\s*\)|JSON\.parse\s*\(|\.formData\s*\(\s*\)")
_RAW = re.compile(
    r"\.body\b|rawBody|raw_body|\.text\(\)|arrayBuffer\(\)|\bbuffer\(|getRawBody|\braw\b|\bbuf\b"
)
_RESERIALISED = re.compile(r"JSON\.stringify|qs\.stringify|querystring\.stringify")

DEDUP = re.compile(
    r"processed_?events|processedEvents?|webhook_?events|stripe_?events|idempoten|dedup|"
    r"already_?processed|alreadyProcessed|isDuplicate|is_duplicate|duplicate_?event|"
    r"hasProcessed|markProcessed|markEventProcessed|seenEvents?|eventExists|"
    r"['\"]NX['\"]|\bNX\s*:\s*true|\bnx\s*:\s*true|setnx|setNX",
    re.I,
)
# What names a delivery: the event's id, or the delivery id a provider sends as a header.
EVENT_ID = re.compile(
    r"\b\w*(?:event|evt)\w*\.id\b|\bevent_?id\b|\beventId\b|\bdelivery_?id\b|\bdeliveryId\b|"
    r"x-github-delivery|svix-id|webhook-id",
    re.I,
)
# Calls that record or look up a key: with the event id among their arguments, a dedup.
_STORE_VERBS = frozenset(
    {
        "insert",
        "upsert",
        "create",
        "createMany",
        "set",
        "setnx",
        "setNX",
        "sadd",
        "sAdd",
        "hsetnx",
        "hSetNX",
        "findUnique",
        "findFirst",
        "findOne",
        "findById",
        "exists",
        "get",
        "sismember",
        "sIsMember",
        "eq",
        "where",
        "query",
        "execute",
        "put",
        "putItem",
    }
)
_PROVIDERS = ("stripe", "github", "slack", "twilio", "shopify", "paddle", "clerk", "resend")


@dataclass(frozen=True)
class _Check:
    call: ts.Node
    provider: str  # stripe, or "" when the text has to tell
    payload: ts.Node | None  # what the signature is computed over, when visible


def extract(ctx: JsContext) -> Iterator[Fact]:
    next_route = bool(_NEXT_WEBHOOK.search(ctx.module.path))
    if not next_route and not ctx.mentions(*_GATE):
        return
    finder = _Finder(ctx)
    for function in finder.candidates(next_route):
        fact = finder.fact(function)
        if fact is not None:
            yield fact


class _Finder:
    def __init__(self, ctx: JsContext) -> None:
        self.ctx = ctx
        self.m: JsModule = ctx.module
        self.checks = [c for c in map(self._check, calls_matching(self.m, _CHECKS)) if c]
        self._own_checks: dict[int, list[_Check]] = {}
        # Handlers whose route runs a verifying middleware first: handler -> the route call.
        self.route_checked: dict[int, ts.Node] = {}

    def _verifies(self, middleware: ts.Node) -> bool:
        function = function_of(middleware, self.m)
        if function is not None and self.checks_in(function):
            return True
        return bool(_VERIFYING_MIDDLEWARE.search(text(middleware)))

    # --- signature checks -----------------------------------------------------------------

    def _check(self, call: ts.Node) -> _Check | None:
        resolved = self.m.callee(call)
        if resolved is None:
            return None
        name = resolved.name
        last = name.rsplit(".", 1)[-1]
        args = call_arguments(call)
        if last in ("constructEvent", "constructEventAsync") and ".webhooks" in f".{name}":
            return _Check(call, "stripe", args[0] if args else None)
        if last == "timingSafeEqual":
            return _Check(call, "", None)
        if last == "createHmac":
            function = self.m.enclosing_function(call)
            if function is None or not _COMPARES.search(code(function)):
                return None  # an HMAC made to sign, not to check: an outgoing request
            return _Check(call, "", _hmac_payload(self.m, call, function))
        head = name.split(".", 1)[0]
        if last.startswith("verify") and (
            name.startswith(_VERIFY_LIBRARIES) or head in _VERIFY_LIBRARIES
        ):
            return _Check(call, "", args[0] if args else None)
        if last.startswith("validate") and name.startswith("twilio"):
            return _Check(call, "twilio", None)
        if _VERIFIER_NAME.search(last):
            return _Check(call, "", None)
        return None

    def checks_in(self, function: ts.Node, depth: int = 0) -> list[_Check]:
        """Signature checks made in `function`, or in a local function it calls (one level)."""
        key = function.start_byte
        if depth == 0 and key in self._own_checks:
            return self._own_checks[key]
        found = [
            c
            for c in self.checks
            if function.start_byte <= c.call.start_byte and c.call.end_byte <= function.end_byte
        ]
        if not found and depth == 0:
            for call in calls_within(self.m, function):
                callee = call.child_by_field_name("function")
                if callee is None or callee.type != "identifier":
                    continue
                helper = local_function(self.m, text(callee))
                if helper is None or helper.start_byte == function.start_byte:
                    continue
                inner = self.checks_in(helper, depth + 1)
                if inner:
                    # The check happens where the handler calls the helper.
                    found = [_Check(call, inner[0].provider, inner[0].payload)]
                    break
        if depth == 0:
            self._own_checks[key] = found
        return found

    # --- which functions are handlers ------------------------------------------------------

    def candidates(self, next_route: bool) -> list[ts.Node]:
        found: dict[int, ts.Node] = {}
        strong: set[int] = set()  # handlers by where they are registered or exported

        def add(function: ts.Node | None, registered: bool) -> None:
            if function is not None:
                found.setdefault(function.start_byte, function)
                if registered:
                    strong.add(function.start_byte)

        for call in calls_matching(self.m, _REGISTRATIONS):
            path = _registered_path(call)
            args = call_arguments(call)
            if path is None or not _ROUTE_PATH.search(path) or len(args) < 2:
                continue
            # The last argument handles the request; the ones before it are middleware, and
            # one of them may be what checks the signature.
            handler = function_of(args[-1], self.m)
            add(handler, True)
            if handler is not None and any(self._verifies(arg) for arg in args[1:-1]):
                self.route_checked[handler.start_byte] = call
        if next_route:
            for function in _next_handlers(self.m):
                add(function, True)
        for match in _NAMED.finditer(self.m.source):
            name = match.group(1).decode("utf-8", "replace")
            named = local_function(self.m, name)
            if named is not None and _looks_like_handler(name, named):
                add(named, False)
        for check in self.checks:
            verifying = self.m.enclosing_function(check.call)
            if verifying is None or not _takes_request(verifying):
                continue
            name = self.m.function_name(verifying) or ""
            # A request handler that compares a signature, not an API key or a session.
            signed = _SIGNED.search(self.m.path) or _SIGNED.search(code(verifying))
            if signed and not _HELPER_NAME.search(name.rsplit(".", 1)[-1]):
                add(verifying, False)
        # A function a handler of this module calls is its helper, not a second handler.
        helpers: set[int] = set()
        for function in found.values():
            helpers.update(h.start_byte for h in helpers_called(self.m, function))
        return [
            function
            for key, function in sorted(found.items())
            if key in strong or key not in helpers
        ]

    # --- the fact ---------------------------------------------------------------------------

    def fact(self, function: ts.Node) -> WebhookHandler | None:
        m = self.m
        checks = self.checks_in(function)
        first = min(checks, key=lambda c: c.call.start_byte) if checks else None
        verify_line = first.call.start_point[0] + 1 if first is not None else None
        # Checked by middleware on the route, before the handler runs at all.
        route = self.route_checked.get(function.start_byte) if first is None else None
        if route is not None:
            verify_line = route.start_point[0] + 1
        body = code(function)
        helper_text = "\n".join(code(h) for h in helpers_called(m, function))
        name = m.function_name(function) or f"{m.name}.<anonymous>"
        provider = next((c.provider for c in checks if c.provider), "")
        if not provider:
            hint = (m.path + name + body[:600]).lower()
            provider = next((p for p in _PROVIDERS if p in hint), "generic")
        payload = _payload_of(m, first.payload) if first is not None else None
        parse_line = _first_parse(m, function) if route is None else None
        return WebhookHandler(
            service=self.ctx.service,
            location=self.ctx.loc(function),
            provider=provider,
            verifies_signature=verify_line is not None,
            reads_raw_body=_is_raw(payload) if first is not None else None,
            deduplicates=_deduplicates(m, function, body + "\n" + helper_text),
            parses_before_verifying=(
                verify_line is not None and parse_line is not None and parse_line < verify_line
            ),
            handler=name,
            payload=text(payload)[:120] if payload is not None else None,
            effect=self._effect(function, first) if first is not None else None,
        )

    def _effect(self, function: ts.Node, check: _Check) -> Location | None:
        """The first call after the check that is handed the verified event, logging aside."""
        event = _assigned_name(check.call)
        if event is None:
            return None
        named = re.compile(rf"\b{re.escape(event)}\b")
        for call in calls_within(self.m, function):
            if call.start_byte < check.call.end_byte or kind_of_call(self.ctx, call) is not None:
                continue
            if _in_catch(call, function):
                continue  # a failure path, not the processing
            args = call.child_by_field_name("arguments")
            if args is not None and named.search(text(args)):
                return self.ctx.loc(call)
        return None


def _assigned_name(call: ts.Node) -> str | None:
    """`event` of `const event = <call>` or `event = await <call>`."""
    current = call.parent
    while current is not None and current.type in ("await_expression", "parenthesized_expression"):
        current = current.parent
    if current is None:
        return None
    if current.type == "variable_declarator":
        name = current.child_by_field_name("name")
    elif current.type == "assignment_expression":
        name = current.child_by_field_name("left")
    else:
        return None
    return text(name) if name is not None and name.type == "identifier" else None


def _in_catch(node: ts.Node, stop: ts.Node) -> bool:
    current = node.parent
    while current is not None and current is not stop:
        if current.type == "catch_clause":
            return True
        current = current.parent
    return False


def _registered_path(call: ts.Node) -> str | None:
    """The path of `app.post('/x', ...)`, or of `router.route('/x').post(...)`."""
    args = call_arguments(call)
    path = string_value(args[0]) if args else None
    if path is not None:
        return path
    callee = call.child_by_field_name("function")
    owner = callee.child_by_field_name("object") if callee is not None else None
    if owner is not None and owner.type == "call_expression":
        fn = owner.child_by_field_name("function")
        if fn is not None and text(fn.child_by_field_name("property")) == "route":
            inner = call_arguments(owner)
            return string_value(inner[0]) if inner else None
    return None


def _next_handlers(m: JsModule) -> Iterator[ts.Node]:
    """`export default function handler`, `export async function POST`, `export const POST =`."""
    for export in m.exports:
        declaration = export.child_by_field_name("declaration")
        is_default = any(child.type == "default" for child in export.children)
        if declaration is None:
            value = export.child_by_field_name("value")
            if is_default:
                function = function_of(value, m)
                if function is not None:
                    yield function
            continue
        if declaration.type == "function_declaration":
            name = text(declaration.child_by_field_name("name"))
            if is_default or name in _NEXT_VERBS:
                yield declaration
        elif declaration.type == "lexical_declaration":
            for declarator in declaration.named_children:
                if text(declarator.child_by_field_name("name")) in _NEXT_VERBS:
                    function = function_of(declarator.child_by_field_name("value"), m)
                    if function is not None:
                        yield function


def _takes_request(function: ts.Node) -> bool:
    params = parameters(function)
    if not params or params[0] not in REQUEST_PARAMS:
        return False
    # Koa and Hono handlers take one context; Express and Next pages take (req, res).
    return params[0] in ("ctx", "c") or (len(params) > 1 and params[1] in RESPONSE_PARAMS)


def _looks_like_handler(name: str, function: ts.Node) -> bool:
    if not _HANDLER_NAME.search(name) or _HELPER_NAME.search(name):
        return False
    if _takes_request(function):
        return True
    # A Next.js app-router style `(req: Request)` / `(request: NextRequest)`.
    params = function.child_by_field_name("parameters")
    return params is not None and bool(
        re.search(r"\b(?:Next)?Request\b|NextApiRequest", text(params))
    )


def _hmac_payload(m: JsModule, call: ts.Node, function: ts.Node) -> ts.Node | None:
    """`crypto.createHmac(alg, secret).update(payload)`, or `hmac.update(payload)`: the payload."""
    made = _assigned_name(call)
    if made is not None:
        for use in calls_within(m, function):
            if text(use.child_by_field_name("function")) == f"{made}.update":
                args = call_arguments(use)
                return args[0] if args else None
    current = call.parent
    while current is not None and current.type == "member_expression":
        outer = current.parent
        if (
            outer is not None
            and outer.type == "call_expression"
            and text(current.child_by_field_name("property")) == "update"
        ):
            args = call_arguments(outer)
            return args[0] if args else None
        current = outer.parent if outer is not None else None
    return None


def _payload_of(m: JsModule, payload: ts.Node | None) -> ts.Node | None:
    """The payload expression, through one variable (`const body = await req.text()`)."""
    inner = unwrap(payload)
    if inner is not None and inner.type == "identifier":
        bound = m.lookup(text(inner), inner)
        if bound is not None:
            return bound
    return payload


def _is_raw(payload: ts.Node | None) -> bool | None:
    """Whether the signature is checked over the body as it arrived, not a re-serialised one."""
    if payload is None:
        return None
    written = text(payload)
    if _RESERIALISED.search(written):
        return False
    if _RAW.search(written):
        return True
    return None


def _first_parse(m: JsModule, function: ts.Node) -> int | None:
    """The line of the first `req.json()` / `JSON.parse(...)` in the handler itself."""
    body = m.source[function.start_byte : function.end_byte]
    for match in _PARSES.finditer(body):
        node = node_at(m, function.start_byte + match.start(), function.start_byte + match.end())
        if node is not None and node.type not in ("comment", "string_fragment"):
            return node.start_point[0] + 1
    return None


def _deduplicates(m: JsModule, function: ts.Node, texts: str) -> bool:
    if DEDUP.search(texts):
        return True
    scopes = [function, *helpers_called(m, function)]
    for scope in scopes:
        for call in calls_within(m, scope):
            callee = call.child_by_field_name("function")
            if callee is None or callee.type != "member_expression":
                continue
            if text(callee.child_by_field_name("property")) not in _STORE_VERBS:
                continue
            # The key may come later in the chain: `db.insert(t).values({ id: event.id })`.
            chain = call
            while chain.parent is not None and chain.parent.type in (
                "member_expression",
                "call_expression",
            ):
                chain = chain.parent
            keyed = m.source[callee.end_byte : chain.end_byte].decode("utf-8", "replace")
            if EVENT_ID.search(keyed):
                return True
    return False
