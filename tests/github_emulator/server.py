"""The ASGI side of the emulator: GitHub's headers, faults, records, auth, and the routes.

`build_app` composes two layers:

- `GitHubFront`, a pure ASGI middleware that every request crosses first: it
  gives the request its `x-github-request-id`, maps `/repositories/<id>/...`
  (the form of GitHub's `Link` URLs) onto `/repos/<owner>/<name>/...`, counts
  it against its rate-limit window, decides whether an injected fault hits it
  (before auth, so the access-token endpoint is not spared), adds GitHub's
  headers to whatever answer goes out, and records the request;
- a Starlette router built from `endpoints.ENDPOINTS`, whose endpoints
  authenticate the call (app JWT or installation token, repository visible to
  the token, installation permission) and run the handler in a worker thread
  under the state's lock.

A handler that crashes is an emulator bug: the traceback is kept in
`State.internal_errors` (the emulator raises it when the test's `with` block
ends) and the client gets a 500.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.github_emulator.auth import utcnow, verify_app_jwt
from tests.github_emulator.calls import JSON_MEDIA, Answer, Call, Endpoint, Limits
from tests.github_emulator.endpoints import ENDPOINTS
from tests.github_emulator.endpoints.pulls import diff_too_large
from tests.github_emulator.errors import (
    REST_DOCS,
    ApiError,
    bad_credentials,
    not_accessible,
    not_found,
    requires_authentication,
)
from tests.github_emulator.faults import (
    DiffTooLarge,
    DropConnection,
    Fault,
    FaultInjector,
    PrimaryRateLimit,
    Refused,
    SecondaryRateLimit,
    ServerError,
    Slow,
)
from tests.github_emulator.representations import Urls
from tests.github_emulator.state import RequestRecord, State

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Dropper = Callable[[int, bool], bool]

API_VERSION = "2022-11-28"
LEVELS = {"read": 1, "write": 2, "admin": 3}
REPOSITORIES_PATH = re.compile(r"^/repositories/(\d+)(/.*)?$")
SERVER_ERROR_MESSAGES = {500: "Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
SECONDARY_RATE_LIMIT_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/"
    "rate-limits-for-the-rest-api#about-secondary-rate-limits"
)
PRIMARY_RATE_LIMIT_DOCS = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-rate-limits"
)
DISCONNECT_WAIT_SECONDS = 10


@dataclass(frozen=True)
class ServerContext:
    state: State
    faults: FaultInjector
    limits: Limits
    urls: Urls
    dropper: Dropper


@dataclass(frozen=True)
class _Raw:
    """A request as read from Starlette, before authentication."""

    method: str
    path: str
    params: dict[str, str]
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes


def request_id() -> str:
    parts = (secrets.token_hex(2), secrets.token_hex(2), secrets.token_hex(3), secrets.token_hex(4))
    return ":".join(p.upper() for p in parts) + ":" + secrets.token_hex(4).upper()


def _credential(headers: dict[str, str]) -> str | None:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    return None


def _accepted(endpoint: Endpoint) -> str:
    """GitHub's `x-accepted-github-permissions`: what would have allowed the call."""
    return "; ".join(f"{name}={level}" for name, level in endpoint.permissions)


def error_answer(error: ApiError, documentation_url: str) -> Answer:
    return Answer(error.status, error.body(documentation_url), headers=error.headers)


# authentication and dispatch (worker threads)


class Dispatcher:
    """Authenticates a call and runs its handler; one instance per server."""

    def __init__(self, context: ServerContext) -> None:
        self.context = context

    def answer(self, endpoint: Endpoint, raw: _Raw) -> Answer:
        state = self.context.state
        with state.lock:
            try:
                call = self._authenticate(endpoint, raw, utcnow())
                return endpoint.handler(call)
            except ApiError as error:
                return error_answer(error, endpoint.docs)
            except Exception as error:  # an emulator bug: kept, and raised when the test ends
                state.internal_errors.append(f"{raw.method} {raw.path}: {traceback.format_exc()}")
                return Answer(
                    500,
                    {
                        "message": f"GitHub emulator error: {error!r}",
                        "documentation_url": REST_DOCS,
                        "status": "500",
                    },
                )

    def _authenticate(self, endpoint: Endpoint, raw: _Raw, now: datetime) -> Call:
        context = self.context
        state = context.state
        credential = _credential(raw.headers)
        call = Call(
            state=state,
            urls=context.urls,
            limits=context.limits,
            method=raw.method,
            path=raw.path,
            params=raw.params,
            query=raw.query,
            headers=raw.headers,
            body=raw.body,
            now=now,
        )
        repository = None
        if "owner" in raw.params and "repo" in raw.params:
            repository = state.find_repository(f"{raw.params['owner']}/{raw.params['repo']}")
        if endpoint.auth == "app":
            if credential is None:
                raise requires_authentication()
            if credential in state.tokens:
                raise ApiError(401, "A JSON web token could not be decoded")
            verify_app_jwt(credential, state.app, now)
            if "repo" in raw.params and repository is None:
                raise not_found(endpoint.docs)
            return replace(call, repository=repository)
        if endpoint.auth == "none":
            return call
        if credential is None:
            raise requires_authentication()
        token = state.tokens.get(credential)
        if token is None or token.expired(now):
            raise bad_credentials()
        installation = state.installations.get(token.installation_id)
        if installation is None:
            raise bad_credentials()
        if "repo" in raw.params:
            if repository is None:
                raise not_found(endpoint.docs)
            granted = installation.covers(repository) and (
                token.repository_ids is None or repository.id in token.repository_ids
            )
            # Any token reads public repositories (a contributor's fork, say); only the
            # installation's own may be written to. Private ones outside it do not exist.
            if not granted:
                if repository.private:
                    raise not_found(endpoint.docs)
                if raw.method not in ("GET", "HEAD"):
                    raise not_accessible(_accepted(endpoint))
        if endpoint.permissions and not any(
            LEVELS.get(token.permissions.get(name, ""), 0) >= LEVELS[level]
            for name, level in endpoint.permissions
        ):
            raise not_accessible(_accepted(endpoint))
        return replace(call, repository=repository, installation=installation, token=token)


def _response(answer: Answer, raw: _Raw) -> Response:
    headers = {"x-github-media-type": answer.github_media_type, **answer.headers}
    if not answer.is_json:
        content = answer.body if isinstance(answer.body, bytes) else str(answer.body).encode()
        return Response(content, answer.status, headers, media_type=answer.content_type)
    content = json.dumps(answer.body, ensure_ascii=False, separators=(",", ":")).encode()
    if raw.method == "GET" and answer.status == 200:
        etag = f'W/"{hashlib.sha256(content).hexdigest()[:40]}"'
        headers["etag"] = etag
        headers["cache-control"] = "private, max-age=60, s-maxage=60"
        headers["vary"] = "Accept, Authorization, Cookie, X-GitHub-OTP"
        if raw.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
    return Response(content, answer.status, headers, media_type=JSON_MEDIA)


def _route(dispatcher: Dispatcher, endpoint: Endpoint) -> Route:
    async def run(request: Request) -> Response:
        raw = _Raw(
            method=request.method,
            path=request.url.path,
            params={key: str(value) for key, value in request.path_params.items()},
            query=list(request.query_params.multi_items()),
            headers={key.lower(): value for key, value in request.headers.items()},
            body=await request.body(),
        )
        answer = await anyio.to_thread.run_sync(dispatcher.answer, endpoint, raw)
        return _response(answer, raw)

    return Route(endpoint.path, run, methods=[endpoint.method])


async def _not_found(request: Request, exc: Exception) -> Response:
    # Unknown routes and unknown methods on known routes: GitHub answers 404 to both.
    del request, exc
    body = {"message": "Not Found", "documentation_url": REST_DOCS, "status": "404"}
    return Response(json.dumps(body).encode(), 404, media_type=JSON_MEDIA)


def _router(context: ServerContext) -> Starlette:
    dispatcher = Dispatcher(context)
    return Starlette(
        routes=[_route(dispatcher, endpoint) for endpoint in ENDPOINTS],
        exception_handlers={404: _not_found, 405: _not_found, HTTPException: _not_found},
    )


# the front (event loop)


class GitHubFront:
    """GitHub's edge: request ids, rate-limit headers, fault injection and the request log."""

    def __init__(self, app: ASGIApp, context: ServerContext) -> None:
        self.app = app
        self.context = context

    def _rewrite(self, path: str) -> str:
        match = REPOSITORIES_PATH.match(path)
        if match is None:
            return path
        repository = self.context.state.repository_by_id(int(match.group(1)))
        if repository is None:
            return path
        return f"/repos/{repository.full_name}{match.group(2) or ''}"

    def _identity(self, headers: dict[str, str], client: str) -> tuple[str, int, int | None]:
        """(rate-limit key, limit, installation id) for the caller."""
        credential = _credential(headers)
        if credential is not None:
            with self.context.state.lock:
                token = self.context.state.tokens.get(credential)
            if token is not None:
                return f"installation:{token.installation_id}", 5000, token.installation_id
            if credential.count(".") == 2:
                return "app", 5000, None
        return f"ip:{client}", 60, None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self.context.state
        now = utcnow()
        rid = request_id()
        method = str(scope["method"]).upper()
        path = self._rewrite(str(scope["path"]))
        if path != scope["path"]:
            scope = {**scope, "path": path, "raw_path": path.encode()}
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope.get("headers", [])
        }
        client = scope.get("client") or ("", 0)
        key, limit, installation_id = self._identity(headers, str(client[0]))
        window = state.count_request(key, now)
        github_headers = {
            "x-github-request-id": rid,
            "x-github-api-version-selected": API_VERSION,
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(max(0, limit - window.used)),
            "x-ratelimit-reset": str(int(window.started.timestamp()) + 3600),
            "x-ratelimit-used": str(window.used),
            "x-ratelimit-resource": "core",
            "server": "github.com",
        }
        body = bytearray()
        fault = self.context.faults.pick(method, path, headers.get("accept", ""))
        recorded = [False]
        in_flight = state.arrived()

        def record(status: int | None) -> None:
            # Recorded before the client can see the answer (or the dropped connection), so a
            # test that has just seen it also sees the record.
            if recorded[0]:
                return
            recorded[0] = True
            parsed: Any = None
            if body:
                try:
                    parsed = json.loads(body)
                except ValueError:
                    parsed = None
            state.record(
                RequestRecord(
                    seq=state.next_seq(),
                    time=now,
                    method=method,
                    path=path,
                    query=bytes(scope.get("query_string", b"")).decode("latin-1"),
                    body=parsed,
                    status=status,
                    fault=type(fault).__name__ if fault is not None else None,
                    request_id=rid,
                    installation_id=installation_id,
                    in_flight=in_flight,
                )
            )

        async def keep_body() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                record(int(message["status"]))
                present = {k.decode("latin-1").lower() for k, _ in message.get("headers", [])}
                extra = [
                    (k.encode(), v.encode()) for k, v in github_headers.items() if k not in present
                ]
                if "x-github-media-type" not in present:
                    extra.append((b"x-github-media-type", b"github.v3; format=json"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        async def discard(message: Message) -> None:
            del message

        try:
            if isinstance(fault, Slow):
                await self._drain(keep_body)
                if await self._disconnected_within(fault.delay, receive):
                    return  # the client gave up waiting (or the emulator is stopping)
                await self.app(scope, self._replay(bytes(body), receive), with_headers)
                return
            if fault is None:
                await self.app(scope, keep_body, with_headers)
                return
            if getattr(fault, "after_processing", False):
                await self.app(scope, keep_body, discard)
            else:
                await self._drain(keep_body)
            if isinstance(fault, DropConnection):
                record(None)
                if not self.context.dropper(int(client[1]), fault.reset):
                    state.internal_errors.append(
                        f"{method} {path}: could not drop the connection from port {client[1]}"
                    )
                await self._wait_for_disconnect(receive)
                return
            await self._fault_answer(fault, with_headers, github_headers, rid, installation_id)
        finally:
            record(None)  # no answer went out: the client went away first
            state.answered()

    @staticmethod
    async def _drain(receive: Receive) -> None:
        while True:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                return

    @staticmethod
    def _replay(body: bytes, receive: Receive) -> Receive:
        """A `receive` that hands the app the body read already, then the real messages."""
        pending = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay() -> Message:
            if pending:
                return pending.pop()
            return await receive()

        return replay

    @staticmethod
    async def _disconnected_within(delay: float, receive: Receive) -> bool:
        waiter = asyncio.ensure_future(receive())
        try:
            done, _ = await asyncio.wait({waiter}, timeout=delay)
            return waiter in done and waiter.result()["type"] == "http.disconnect"
        finally:
            if not waiter.done():
                waiter.cancel()

    @staticmethod
    async def _wait_for_disconnect(receive: Receive) -> None:
        # uvicorn reports the closed upstream connection as `http.disconnect`; returning only
        # then keeps it from writing a 500 of its own.
        try:
            async with asyncio.timeout(DISCONNECT_WAIT_SECONDS):
                while (await receive())["type"] != "http.disconnect":
                    pass
        except TimeoutError:
            return

    async def _fault_answer(
        self,
        fault: Fault,
        send: Send,
        github_headers: dict[str, str],
        rid: str,
        installation_id: int | None,
    ) -> None:
        headers: dict[str, str] = {}
        if isinstance(fault, ServerError):
            status = fault.status
            body: dict[str, Any] = {
                "message": SERVER_ERROR_MESSAGES.get(status, "Server Error"),
                "documentation_url": REST_DOCS,
                "status": str(status),
            }
        elif isinstance(fault, SecondaryRateLimit):
            status = 403
            body = {
                "message": (
                    "You have exceeded a secondary rate limit. Please wait a few minutes before "
                    "you try again. If you reach out to GitHub Support for help, please include "
                    f"the request ID {rid}."
                ),
                "documentation_url": SECONDARY_RATE_LIMIT_DOCS,
                "status": "403",
            }
            headers["retry-after"] = str(fault.retry_after)
        elif isinstance(fault, PrimaryRateLimit):
            status = 403
            who = f"installation ID {installation_id}" if installation_id else "127.0.0.1"
            body = {
                "message": f"API rate limit exceeded for {who}.",
                "documentation_url": PRIMARY_RATE_LIMIT_DOCS,
                "status": "403",
            }
            headers["x-ratelimit-remaining"] = "0"
            headers["x-ratelimit-used"] = github_headers["x-ratelimit-limit"]
            headers["x-ratelimit-reset"] = str(int(utcnow().timestamp()) + fault.reset_in)
        elif isinstance(fault, DiffTooLarge):
            status = 406
            body = diff_too_large(self.context.limits.diff_max_files).body()
        elif isinstance(fault, Refused):
            status = fault.status
            body = ApiError(status, fault.message).body()
        else:
            raise TypeError(f"not an answer fault: {fault!r}")
        content = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", JSON_MEDIA.encode()),
                    (b"content-length", str(len(content)).encode()),
                    *((k.encode(), v.encode()) for k, v in headers.items()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})


def build_app(context: ServerContext) -> ASGIApp:
    return GitHubFront(_router(context), context)
