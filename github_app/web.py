"""The web process: GitHub's signed webhooks in, rq jobs queued, 202 out in milliseconds.

`POST /webhooks` checks, in this order and before parsing anything: the body's size
(413 over 25 MB, from `Content-Length` up front and while reading a chunked body), the
`X-Hub-Signature-256` HMAC of the raw body (401), the `X-GitHub-Event` and
`X-GitHub-Delivery` headers (400); then it reads what routing needs from the JSON (400 when
it is not JSON or lacks it), routes by `events.ROUTES` and queues the jobs, deduplicated
by delivery (`queue.Enqueuer`). Redis unreachable: 503, so that GitHub records a failed
delivery that can be redelivered. The web process never calls GitHub.

`GET /healthz` answers 200 while the process runs; `GET /readyz` 200 when Redis answers
PING, 503 otherwise.

Run it with `flow-review serve`, or `uvicorn --factory github_app.web:create_app`, which
reads the settings from the environment once, when the factory is called.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Final

from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from github_app import events
from github_app.installations import record_installation
from github_app.queue import (
    DEFAULT_FUNCTIONS,
    DEFAULT_POLICY,
    Enqueuer,
    JobFunctions,
    JobPolicy,
    Submission,
)
from github_app.settings import Settings

MAX_BODY_BYTES: Final = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB
REDIS_TIMEOUT_SECONDS: Final = 3.0
_SIGNATURE_PREFIX: Final = "sha256="
_EVENT_NAME = re.compile(r"[a-z_]{1,64}")
_DELIVERY_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_LENGTH = re.compile(r"[0-9]{1,20}")

log = logging.getLogger(__name__)


class _BodyTooLarge(Exception):
    pass


def verify_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """True when `header` is `sha256=` and the HMAC-SHA256 of `body` under `secret`.

    Compared in constant time, as bytes: a header with non-ASCII characters is a mismatch,
    not an error. Only SHA-256 is accepted (no fallback to GitHub's older SHA-1 header).
    """
    if header is None or not header.startswith(_SIGNATURE_PREFIX):
        return False
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode("ascii")
    given = header[len(_SIGNATURE_PREFIX) :].encode("utf-8", "surrogateescape")
    return hmac.compare_digest(expected, given)


@dataclass(frozen=True)
class _Delivery:
    event: str
    delivery: str
    body: bytes


class WebhookReceiver:
    """The three endpoints, over one Redis client and one enqueuer."""

    def __init__(
        self, settings: Settings, redis: AsyncRedis, enqueuer: Enqueuer, *, max_body: int
    ) -> None:
        self._secret = settings.webhook_secret.reveal().encode("utf-8")
        self._context = events.RouteContext(app_id=settings.app_id)
        self._redis = redis
        self._enqueuer = enqueuer
        self._max_body = max_body

    async def webhooks(self, request: Request) -> Response:
        checked = await self._checked_delivery(request)
        if isinstance(checked, Response):
            return checked
        try:
            payload = events.parse_payload(checked.event, checked.body)
        except events.PayloadError as exc:
            return _refuse(400, f"bad payload: {exc}", checked)
        outcome = events.route(checked.event, payload, self._context)
        name = f"{checked.event}.{events.event_action(payload) or '-'}"
        try:
            return await self._act(outcome, checked, name)
        except RedisError as exc:
            log.error(
                "delivery %s (%s) not accepted, Redis failed: %s", checked.delivery, name, exc
            )
            return JSONResponse({"error": "queue unavailable, redeliver later"}, status_code=503)

    async def _checked_delivery(self, request: Request) -> _Delivery | Response:
        headers = request.headers
        declared = headers.get("content-length")
        if declared is not None:
            if not _LENGTH.fullmatch(declared):
                return _refuse(400, "invalid Content-Length")
            if int(declared) > self._max_body:
                return _refuse(413, f"payload over {self._max_body} bytes")
        try:
            body = await self._read_body(request)
        except _BodyTooLarge:
            return _refuse(413, f"payload over {self._max_body} bytes")
        except ClientDisconnect:
            return _refuse(400, "client disconnected while sending the payload")
        if not verify_signature(self._secret, body, headers.get("x-hub-signature-256")):
            return _refuse(401, "missing or wrong X-Hub-Signature-256")
        event, delivery = headers.get("x-github-event"), headers.get("x-github-delivery")
        if event is None or delivery is None:
            return _refuse(400, "X-GitHub-Event and X-GitHub-Delivery headers are required")
        if not _EVENT_NAME.fullmatch(event) or not _DELIVERY_ID.fullmatch(delivery):
            return _refuse(400, "malformed X-GitHub-Event or X-GitHub-Delivery header")
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return _refuse(400, "the webhook's content type must be application/json")
        return _Delivery(event=event, delivery=delivery, body=body)

    async def _read_body(self, request: Request) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self._max_body:
                raise _BodyTooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    async def _act(self, outcome: events.Outcome, delivery: _Delivery, name: str) -> Response:
        if isinstance(outcome, events.Ignored):
            log.info("delivery %s (%s) ignored: %s", delivery.delivery, name, outcome.reason)
            return JSONResponse({"status": "ignored", "reason": outcome.reason}, status_code=202)
        if isinstance(outcome, events.Pong):
            log.info("delivery %s (%s): pong, hook %s", delivery.delivery, name, outcome.hook_id)
            return JSONResponse({"status": "pong", "hook_id": outcome.hook_id}, status_code=200)
        if isinstance(outcome, events.InstallationChange):
            await record_installation(self._redis, outcome)
            log.info(
                "delivery %s (%s): installation %s of %s recorded",
                delivery.delivery,
                name,
                outcome.installation_id,
                outcome.account,
            )
            return JSONResponse({"status": "recorded"}, status_code=202)
        submission = await self._enqueuer.submit(delivery.delivery, outcome.jobs)
        _log_submission(delivery.delivery, name, submission)
        return JSONResponse(_describe(submission), status_code=202)

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(self, request: Request) -> Response:
        try:
            await asyncio.wait_for(self._redis.ping(), timeout=REDIS_TIMEOUT_SECONDS)
        except (RedisError, TimeoutError) as exc:
            log.warning("not ready, Redis does not answer: %s", exc or "timeout")
            return JSONResponse({"status": "unavailable", "redis": "unreachable"}, 503)
        return JSONResponse({"status": "ready", "redis": "ok"})


def _refuse(status: int, reason: str, delivery: _Delivery | None = None) -> Response:
    which = f"delivery {delivery.delivery} ({delivery.event})" if delivery else "request"
    log.warning("%s refused with %d: %s", which, status, reason)
    return JSONResponse({"error": reason}, status_code=status)


def _describe(submission: Submission) -> dict[str, Any]:
    if submission.duplicate:
        return {"status": "duplicate delivery, already handled"}
    return {
        "status": "accepted",
        "jobs": [
            {"id": job.job_id, "state": job.state, **({"detail": job.detail} if job.detail else {})}
            for job in submission.jobs
        ],
        "canceled": list(submission.canceled),
    }


def _log_submission(delivery: str, name: str, submission: Submission) -> None:
    if submission.duplicate:
        log.info("delivery %s (%s) is a duplicate: already handled", delivery, name)
        return
    jobs = ", ".join(
        f"{job.job_id} {job.state}" + (f" ({job.detail})" if job.detail else "")
        for job in submission.jobs
    )
    canceled = f"; canceled {', '.join(submission.canceled)}" if submission.canceled else ""
    log.info("delivery %s (%s): %s%s", delivery, name, jobs, canceled)


def create_app(
    settings: Settings | None = None,
    *,
    functions: JobFunctions = DEFAULT_FUNCTIONS,
    policy: JobPolicy = DEFAULT_POLICY,
    max_body: int = MAX_BODY_BYTES,
) -> Starlette:
    """The web application. Without `settings`, they are read from `os.environ` now (for
    `uvicorn --factory`); `functions` names the job functions queued (tests name their own)."""
    if settings is None:
        settings = Settings.for_web(os.environ)
    redis = AsyncRedis.from_url(
        settings.redis_url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        # One immediate retry: it replaces a pooled connection that Redis closed (a restart);
        # a Redis that is down gets its 503 at once instead of after backoff.
        retry=AsyncRetry(NoBackoff(), 1),
    )
    connection = Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 1),
    )
    enqueuer = Enqueuer(redis, connection, functions=functions, policy=policy)
    receiver = WebhookReceiver(settings, redis, enqueuer, max_body=max_body)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events.prepare_shapes()
        try:
            yield
        finally:
            await redis.aclose()
            connection.close()

    routes: Sequence[Route] = [
        Route("/webhooks", receiver.webhooks, methods=["POST"]),
        Route("/healthz", receiver.healthz, methods=["GET"]),
        Route("/readyz", receiver.readyz, methods=["GET"]),
    ]
    return Starlette(routes=list(routes), lifespan=lifespan)
