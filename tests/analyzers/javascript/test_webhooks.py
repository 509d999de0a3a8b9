"""Webhook handlers in JS/TS: which functions, and what they check, read and record."""

from __future__ import annotations

from pathlib import Path

from analyzers.extract import SourceFile
from analyzers.facts import Location, WebhookHandler
from analyzers.javascript import JavaScriptExtractor
from tests.analyzers.javascript.facts import facts_of

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "marketplace"
STRIPE = """
import express from 'express';
import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');
const app = express();

app.post('/webhooks/stripe', express.raw({ type: 'application/json' }), async (req, res) => {
  const event = stripe.webhooks.constructEvent(PAYLOAD, req.get('stripe-signature') ?? '', SECRET);
  DEDUP
  await fulfil(event);
  res.json({ received: true });
});
"""


def hook(source: str, path: str = "svc/src/app.ts") -> WebhookHandler:
    found = facts_of(WebhookHandler, path, source)
    assert len(found) == 1, found
    return found[0]


def stripe(payload: str = "req.body", dedup: str = "") -> WebhookHandler:
    return hook(STRIPE.replace("PAYLOAD", payload).replace("DEDUP", dedup))


def test_inline_express_stripe_handler() -> None:
    found = stripe()
    assert found.provider == "stripe"
    assert found.verifies_signature and found.reads_raw_body is True
    assert found.payload == "req.body"
    assert found.deduplicates is False and not found.parses_before_verifying
    # Named the way function_name names an inline callback, and located on the function.
    assert found.handler == "svc.src.app.<app.post>"
    assert found.location == Location("svc/src/app.ts", 7, 12)


def test_reserialised_payload_is_not_raw() -> None:
    assert stripe("JSON.stringify(req.body)").reads_raw_body is False
    assert stripe("Buffer.from(JSON.stringify(req.body))").reads_raw_body is False
    # Through a variable, as the code usually has it.
    found = hook(
        STRIPE.replace("DEDUP", "")
        .replace("PAYLOAD", "payload")
        .replace(
            "async (req, res) => {",
            "async (req, res) => {\n  const payload = JSON.stringify(req.body);",
        )
    )
    assert found.reads_raw_body is False and found.payload == "JSON.stringify(req.body)"


def test_deduplication_evidence() -> None:
    assert stripe(dedup="if (!(await redis.set(`evt:${event.id}`, 1, 'NX'))) return;").deduplicates
    assert stripe(dedup="await db.insert(deliveries).values({ id: event.id });").deduplicates
    assert stripe(dedup="await prisma.stripeEvent.create({ data: { id: event.id } });").deduplicates
    assert stripe(
        dedup="await supabase.from('processed_events').insert({ event_id: event.id });"
    ).deduplicates
    # Keyed on something else than the event, or only said in a comment: no evidence.
    assert not stripe(
        dedup="await db.from('subs').upsert({ id: subId }, { onConflict: 'id' });"
    ).deduplicates
    assert not stripe(dedup="// TODO: dedup by event.id, idempotency table").deduplicates
    assert not stripe(dedup="logger.info({ eventId: event.id }, 'received');").deduplicates


def test_evidence_in_a_local_helper_counts() -> None:
    source = """
    import Stripe from 'stripe';
    const stripe = new Stripe(KEY);

    export async function stripeWebhookHandler(req, res) {
      const event = stripe.webhooks.constructEvent(req.body, req.headers[SIG], SECRET);
      await handleEvent(event);
      res.json({ ok: true });
    }

    async function handleEvent(event) {
      if (await alreadyProcessed(event.id)) return;
      await credit(event.data.object);
    }
    """
    found = hook(source)
    assert found.deduplicates is True
    assert found.handler == "svc.src.app.stripeWebhookHandler"


def test_verification_in_a_helper_makes_the_caller_verify_and_the_helper_no_handler() -> None:
    source = """
    import Stripe from 'stripe';
    const stripe = new Stripe(KEY);

    function eventFrom(req, res) {
      return stripe.webhooks.constructEvent(req.body, req.headers[SIG], SECRET);
    }

    export async function billingWebhook(req, res) {
      const body = JSON.parse(req.body.toString());
      const event = eventFrom(req, res);
      await credit(event.data.object);
      res.sendStatus(200);
    }
    """
    found = hook(source)
    assert found.handler == "svc.src.app.billingWebhook"
    assert found.verifies_signature and found.provider == "stripe"
    # The helper is called on line 11; the body is parsed on line 10, before it.
    assert found.parses_before_verifying


def test_example_handler_at_base_and_head() -> None:
    path = "services/core-api/src/webhooks/stripe.ts"
    facts: dict[str, list[WebhookHandler]] = {}
    for side in ("base", "head"):
        text = (EXAMPLE / side / path).read_text(encoding="utf-8")
        extracted = JavaScriptExtractor().extract(SourceFile(path, "core-api", "typescript", text))
        facts[side] = [f for f in extracted if isinstance(f, WebhookHandler)]
    (base,), (head,) = facts["base"], facts["head"]
    assert base.deduplicates is True  # processed_events insert keyed on event.id
    assert head.deduplicates is False  # removed by the change
    for found in (base, head):
        assert found.provider == "stripe" and found.verifies_signature
        assert found.reads_raw_body is True and found.payload == "req.body"
        assert found.handler == "services.core-api.src.webhooks.stripe.stripeWebhookHandler"
    assert head.location == Location(path, 15, 36)
    # The event is first handed on at `await handleEvent(event)`, after the failure path.
    assert head.effect == Location(path, 32, 32)


def test_github_hmac_handler() -> None:
    source = """
    import crypto from 'node:crypto';

    export function githubWebhook(req, res) {
      const payload = JSON.parse(req.body.toString('utf8'));
      const hmac = crypto.createHmac('sha256', SECRET);
      const expected = 'sha256=' + hmac.update(req.body).digest('hex');
      const received = req.get('X-Hub-Signature-256') ?? '';
      const ok = crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(received));
      if (!ok) return res.sendStatus(401);
      handle(payload);
    }
    """
    found = hook(source)
    assert found.provider == "github"
    assert found.verifies_signature and found.reads_raw_body is True
    assert found.parses_before_verifying


def test_hmac_over_stringified_body() -> None:
    source = """
    import { createHmac, timingSafeEqual } from 'crypto';

    export function shopifyWebhook(req, res) {
      const digest = createHmac('sha256', S).update(JSON.stringify(req.body)).digest('base64');
      const sent = req.get('x-shopify-hmac-sha256');
      if (!timingSafeEqual(Buffer.from(digest), Buffer.from(sent))) return res.sendStatus(401);
      res.sendStatus(200);
    }
    """
    found = hook(source)
    assert found.provider == "shopify"
    assert found.reads_raw_body is False


def test_signing_an_outgoing_webhook_is_not_a_handler() -> None:
    source = """
    import crypto from 'crypto';

    export async function sendWebhook(url, body) {
      const signature = crypto.createHmac('sha256', SECRET).update(body).digest('hex');
      await fetch(url, { method: 'POST', body, headers: { 'x-signature': signature } });
    }
    """
    assert facts_of(WebhookHandler, "svc/src/out.ts", source) == []


def test_unverified_routes_by_path_and_by_name() -> None:
    by_path = """
    import express from 'express';
    const router = express.Router();
    router.post('/hooks/partner', handlePartner);
    async function handlePartner(req, res) {
      await apply(req.body);
      res.sendStatus(204);
    }
    """
    found = hook(by_path)
    assert not found.verifies_signature and found.reads_raw_body is None
    assert found.handler == "svc.src.app.handlePartner" and found.provider == "generic"
    by_name = """
    export const paddleWebhookHandler = async (req, res) => {
      await apply(req.body);
      res.sendStatus(200);
    };
    """
    found = hook(by_name)
    assert not found.verifies_signature and found.provider == "paddle"
    assert found.handler == "svc.src.app.paddleWebhookHandler"


def test_next_handlers_in_webhook_folders() -> None:
    app_route = """
    export async function POST(req: Request) {
      const event = await req.json();
      await upsertUser(event.data);
      return Response.json({ ok: true });
    }
    export async function GET() { return Response.json({ ok: true }); }
    """
    found = hook(app_route, "web/app/api/webhooks/clerk/route.ts")
    assert found.handler == "web.app.api.webhooks.clerk.route.POST"
    assert found.provider == "clerk" and not found.verifies_signature
    pages = """
    import { buffer } from 'micro';
    import Stripe from 'stripe';
    const stripe = new Stripe(KEY);
    export const config = { api: { bodyParser: false } };
    export default async function handler(req, res) {
      const event = stripe.webhooks.constructEvent(await buffer(req), req.headers[SIG], S);
      res.json({ ok: true });
    }
    """
    found = hook(pages, "web/pages/api/webhooks/stripe.ts")
    assert found.handler == "web.pages.api.webhooks.stripe.handler"
    assert found.reads_raw_body is True and found.payload == "await buffer(req)"
    # The same handler outside a webhook folder, not named as one and not verifying: no fact.
    assert facts_of(WebhookHandler, "web/app/api/users/route.ts", app_route) == []


def test_svix_verification() -> None:
    source = """
    import { Webhook } from 'svix';

    export async function POST(req: Request) {
      const body = await req.text();
      const event = new Webhook(SECRET).verify(body, Object.fromEntries(req.headers));
      return Response.json({ ok: true });
    }
    """
    found = hook(source, "web/app/api/webhooks/resend/route.ts")
    assert found.verifies_signature and found.reads_raw_body is True
    assert found.provider == "resend"


def test_react_hooks_and_oauth_callbacks_are_not_webhooks() -> None:
    source = """
    import express from 'express';
    import { useEffect } from 'react';
    export function useWebhookList() { useEffect(() => {}, []); return []; }
    export async function oauthCallback(req, res) { res.redirect('/'); }
    const app = express();
    app.post('/auth/saml/callback', async (req, res) => { res.redirect('/'); });
    """
    assert facts_of(WebhookHandler, "web/src/hooks.ts", source) == []


def test_verifying_middleware_on_the_route() -> None:
    source = """
    import express from 'express';
    import { verifyGithubSignature } from './signatures';
    const app = express();
    app.post('/webhooks/github', express.raw({ type: '*/*' }), verifyGithubSignature, handleGithub);
    app.post('/webhooks/partner', express.json(), handlePartner);
    async function handleGithub(req, res) { await enqueue(JSON.parse(req.body)); res.end(); }
    async function handlePartner(req, res) { await enqueue(req.body); res.sendStatus(202); }
    """
    found = {
        f.handler.rsplit(".", 1)[-1]: f for f in facts_of(WebhookHandler, "svc/app.ts", source)
    }
    # Only the last argument handles the request; the middleware before it checked it.
    assert sorted(found) == ["handleGithub", "handlePartner"]
    assert found["handleGithub"].verifies_signature and found["handleGithub"].provider == "github"
    assert not found["handleGithub"].parses_before_verifying
    assert not found["handlePartner"].verifies_signature


def test_an_api_key_check_is_not_a_webhook() -> None:
    source = """
    import crypto from 'crypto';
    export function requireApiKey(req, res, next) {
      const sent = Buffer.from(req.get('x-api-key') ?? '');
      if (!crypto.timingSafeEqual(sent, EXPECTED)) return res.sendStatus(401);
      next();
    }
    """
    assert facts_of(WebhookHandler, "svc/src/auth.ts", source) == []
