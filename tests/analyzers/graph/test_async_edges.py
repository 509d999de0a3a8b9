"""Webhook and queue edges: read from real handler, producer and worker code, then paired
base against head like HTTP links."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from analyzers.diff import diff_snapshots
from analyzers.engine import ReviewRequest, review
from analyzers.facts import Edge, Location, Review
from analyzers.snapshot import MemorySnapshot

ROOT = Path(__file__).resolve().parents[3]

WEBHOOKS = """\
import os

import stripe
from fastapi import APIRouter, HTTPException, Request

router = APIRouter()
SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]


@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request) -> dict[str, bool]:
    payload = await request.body()
    signature = request.headers.get("stripe-signature", "")
    try:
        event = stripe.Webhook.construct_event(payload, signature, SECRET)
    except stripe.error.SignatureVerificationError:
        raise HTTPException(status_code=400, detail="bad signature")
    DEDUPE
    await handle(event)
    return {"received": True}


async def handle(event: stripe.Event) -> None:
    print(event["type"])
"""
DEDUPE = """if await redis.set(f"stripe:{event['id']}", 1, nx=True, ex=86400) is None:
        return {"received": True}"""

PRODUCER = """\
import { Queue } from 'bullmq';

const connection = { host: process.env.REDIS_HOST ?? 'localhost', port: 6379 };
const emails = new Queue('emails', { connection });

export async function sendWelcome(userId: string) {
  await emails.add('welcome', { userId }, { attempts: ATTEMPTS, jobId: `welcome-${userId}` });
}
"""

WORKER = """\
import { Worker } from 'bullmq';
import { sendMail } from './mail';

const connection = { host: process.env.REDIS_HOST ?? 'localhost', port: 6379 };

export const worker = new Worker(
  'emails',
  async (job) => {
    await sendMail(job.data.userId, job.name);
  },
  { connection },
);
"""

TREE = {
    "services/api/package.json": '{"name": "api"}',
    "services/api/src/emails.ts": PRODUCER.replace("ATTEMPTS", "3"),
    "services/mailer/package.json": '{"name": "mailer"}',
    "services/mailer/src/worker.ts": WORKER,
    "services/billing/requirements.txt": "fastapi\nstripe\n",
    "services/billing/app/main.py": (
        "from fastapi import FastAPI\n\nfrom app.webhooks import router\n\n"
        'app = FastAPI()\napp.include_router(router, prefix="/api")\n'
    ),
    "services/billing/app/webhooks.py": WEBHOOKS.replace("DEDUPE", "pass"),
}

STRIPE_IN = Edge(
    source="stripe",
    target="billing",
    kind="webhook",
    method="POST",
    path="/api/webhooks/stripe",
    change="unchanged",
    call=None,
    endpoint=Location("services/billing/app/webhooks.py", 10, 20),
    source_kind="external",
)
EMAILS = Edge(
    source="api",
    target="mailer",
    kind="queue",
    method="bullmq",
    path="emails",
    change="unchanged",
    call=Location("services/api/src/emails.ts", 7, 7),
    endpoint=Location("services/mailer/src/worker.ts", 6, 12),
)


def _review(head: dict[str, str], base: dict[str, str] | None = None) -> Review:
    head_tree = MemorySnapshot(head, rev="h" * 40)
    if base is None:
        return review(ReviewRequest(head=head_tree))
    base_tree = MemorySnapshot(base, rev="b" * 40)
    changes = diff_snapshots(base_tree, head_tree)
    return review(ReviewRequest(head=head_tree, base=base_tree, changes=changes))


def _async(found: Review) -> list[Edge]:
    return [edge for edge in found.edges if edge.kind != "http"]


def test_a_providers_webhook_and_a_queue_between_services_are_edges() -> None:
    assert _async(_review(TREE)) == [STRIPE_IN, EMAILS]


def test_what_changed_at_either_end_makes_the_edge_modified() -> None:
    head = {
        **TREE,
        "services/billing/app/webhooks.py": WEBHOOKS.replace("DEDUPE", DEDUPE),
        "services/api/src/emails.ts": PRODUCER.replace("ATTEMPTS", "5"),
    }
    stripe_at = Location("services/billing/app/webhooks.py", 10, 21)
    assert _async(_review(head, TREE)) == [
        replace(STRIPE_IN, change="modified", detail="handler", endpoint=stripe_at),
        replace(EMAILS, change="modified", detail="producer"),
    ]


def test_edges_come_and_go_with_their_ends() -> None:
    # Only the mailer changes: the webhook into billing, unchanged, is not this change's.
    without_worker = {k: v for k, v in TREE.items() if not k.startswith("services/mailer/")}
    assert _async(_review(without_worker, TREE)) == [replace(EMAILS, change="removed")]
    assert _async(_review(TREE, without_worker)) == [replace(EMAILS, change="added")]


def test_no_edge_without_both_ends_in_other_services_or_a_known_sender() -> None:
    own_worker = {
        **{k: v for k, v in TREE.items() if not k.startswith("services/mailer/")},
        "services/api/src/worker.ts": WORKER,  # the api consumes its own queue
        # a generic sender (no provider named): who calls is not known
        "services/billing/app/webhooks.py": WEBHOOKS.replace("DEDUPE", "pass")
        .replace("stripe.Webhook.construct_event", "verify_hmac")
        .replace("stripe-signature", "x-signature")
        .replace("stripe", "hooks"),
        # a producer in a test calls the queue on purpose
        "services/mailer/package.json": '{"name": "mailer"}',
        "services/mailer/src/worker.ts": WORKER.replace("'emails'", "'digests'"),
        "services/api/tests/emails.test.ts": PRODUCER.replace("'emails'", "'digests'"),
    }
    assert _async(_review(own_worker)) == []


def test_the_example_change_moves_the_stripe_webhook_as_its_readme_says() -> None:
    # examples/marketplace/README.md: stripe -> core-api, POST /api/webhooks/stripe,
    # modified (middleware order, handler), at services/core-api/src/index.ts:16.
    example = ROOT / "examples" / "marketplace"
    trees = [
        {
            p.relative_to(example / side).as_posix(): p.read_text()
            for p in (example / side).rglob("*")
            if p.is_file()
        }
        for side in ("base", "head")
    ]
    (webhook,) = [edge for edge in _review(trees[1], trees[0]).edges if edge.kind == "webhook"]
    assert (webhook.source, webhook.target, webhook.method, webhook.path) == (
        "stripe",
        "core-api",
        "POST",
        "/api/webhooks/stripe",
    )
    assert (webhook.change, webhook.detail, webhook.source_kind) == (
        "modified",
        "middleware, handler",
        "external",
    )
    assert webhook.endpoint == Location("services/core-api/src/index.ts", 16, 16)
