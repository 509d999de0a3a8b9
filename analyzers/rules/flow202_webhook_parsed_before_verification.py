from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzers.facts import Family, Finding, Severity, WebhookHandler
from analyzers.rules.base import Example, Rule

if TYPE_CHECKING:
    from analyzers.context import ReviewContext

SVC = {"svc/requirements.txt": "flask\n"}
HANDLER = """import hmac, hashlib, json
from flask import Flask, request

app = Flask(__name__)

@app.post("/webhooks/github")
def github_webhook():
{body}
    return handle(event)
"""
VERIFY = """    expected = "sha256=" + hmac.new(SECRET, request.get_data(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers["X-Hub-Signature-256"]):
        return "", 401"""
PARSE = """    event = json.loads(request.get_data())"""

TS_SVC = {"svc/package.json": '{"name": "hooks", "dependencies": {"express": "^4.19.2"}}'}
TS_HANDLER = """import crypto from 'node:crypto';
import express from 'express';

const app = express();

app.post('/webhooks/github', express.raw({ type: 'application/json' }), (req, res) => {
$BODY
  handle(event);
  res.sendStatus(202);
});
"""
TS_VERIFY = """  const expected = 'sha256=' + crypto.createHmac('sha256', SECRET).update(req.body).digest('hex');
  const received = req.get('X-Hub-Signature-256') ?? '';
  if (expected.length !== received.length || !crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(received))) {
    res.sendStatus(401);
    return;
  }"""
TS_PARSE = """  const event = JSON.parse(req.body.toString('utf8'));"""


class WebhookParsedBeforeVerification(Rule):
    """A webhook handler that parses the body before it verifies the signature.

    ## What it finds
    Handlers that do verify the sender's signature, but parse the JSON body
    (`request.json()`, `json.loads`, `get_json()`, `JSON.parse(...)`, `await req.json()`)
    on a line before the check.

    ## Why it matters
    Everything done before the check runs for forged requests too: parsing
    untrusted input, logging it, or acting on it in a branch that returns
    before the verification. The order is also easy to get wrong later,
    when someone adds work between the two.

    ## Example
    `event = json.loads(request.get_data())` followed, three lines later,
    by `hmac.compare_digest(...)`.

    ## Fix
    Verify first, over the raw bytes, and only then parse the event.
    """

    code = "FLOW202"
    name = "webhook-parsed-before-verification"
    family = Family.WEBHOOK_SIGNATURE
    severity = Severity.HIGH

    VALID = (
        Example(head={**SVC, "svc/hooks.py": HANDLER.format(body=VERIFY + "\n" + PARSE)}),
        Example(
            head={
                **TS_SVC,
                "svc/src/app.ts": TS_HANDLER.replace("$BODY", TS_VERIFY + "\n" + TS_PARSE),
            },
            note="Express: HMAC checked with timingSafeEqual, then parsed",
        ),
    )
    INVALID = (
        Example(head={**SVC, "svc/hooks.py": HANDLER.format(body=PARSE + "\n" + VERIFY)}),
        Example(
            head={
                **TS_SVC,
                "svc/src/app.ts": TS_HANDLER.replace("$BODY", TS_PARSE + "\n" + TS_VERIFY),
            },
            note="Express: JSON.parse before the HMAC check",
        ),
    )

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for hook in ctx.facts(WebhookHandler):
            if not (hook.verifies_signature and hook.parses_before_verifying):
                continue
            if hook.reads_raw_body is False:
                continue  # verifying the re-serialised body itself: FLOW203 says it precisely
            yield self.finding(
                title="Webhook body parsed before its signature is verified",
                message=(
                    f"{hook.handler or 'The handler'} parses the request body before checking "
                    "the signature, so unverified input is processed first."
                ),
                key=f"{hook.handler or hook.location.path}:{hook.provider}",
                service=hook.service,
                location=hook.location,
                suggestion="move the signature check to the top, over the raw body",
            )
