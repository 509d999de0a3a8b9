"""The worker's GitHub client: githubkit for one installation, and retries with backoff.

`installation_client` builds githubkit as the worker needs it:

- authenticated as the app's installation (`AppInstallationAuthStrategy`: the app's JWT
  signs the request for an installation token, which githubkit caches for the process);
- `base_url` from `GITHUB_API_URL`, so GitHub Enterprise Server works the same way;
- `http_cache=False`: githubkit's HTTP cache (hishel) drops httpx's timeouts, and every
  call must have one (`HttpPolicy.timeout`, applied by the client to every request);
- `auto_retry=False`: retries are ours (`call_with_retries`), because githubkit's own do
  not cover the installation-token request, have no bound on their total, and sleep a
  whole minute on a 403 without `Retry-After`.

`call_with_retries` runs one call and retries it on what is transient: a 5xx answer, a
secondary rate limit (waiting what `Retry-After` says), a primary rate limit that resets
soon, a 429, a timeout, a connection that dropped or was refused, and all of these on the
installation-token request too (githubkit raises those as a `RequestError` wrapping the
`RequestFailed` of the token request, or the transport error). Exponential backoff with
jitter, bounded both in attempts and in total time spent waiting. What is left is raised
as one of the small exceptions below, each with a one-line message.
"""

from __future__ import annotations

import functools
import logging
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

import httpx
from githubkit import AppInstallationAuthStrategy, GitHub
from githubkit.exception import (
    GitHubException,
    PrimaryRateLimitExceeded,
    RateLimitExceeded,
    RequestError,
    RequestFailed,
    RequestTimeout,
)

from github_app.settings import Settings

T = TypeVar("T")

USER_AGENT = "flow-review"

log = logging.getLogger(__name__)


class GitHubError(Exception):
    """A call to GitHub failed; the message is one line that says which call and why."""


class GitHubUnavailable(GitHubError):
    """GitHub kept failing in a transient way (5xx, rate limit, timeout, dropped connection)
    after every retry: the job may succeed when rq runs it again."""


class GitHubRefused(GitHubError):
    """GitHub answered with a 4xx status that retrying will not change."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RetryPolicy:
    """How a call is retried: at most `attempts` tries, waiting `first_delay` doubled each
    time (with jitter, at most `max_delay`) or what GitHub asks for in `Retry-After`, and
    never more than `max_wait` seconds in all. A rate limit that asks for more than
    `max_retry_after` seconds is not waited for: the job is better retried later by rq."""

    attempts: int = 6
    first_delay: float = 0.5
    max_delay: float = 8.0
    max_wait: float = 90.0
    max_retry_after: float = 60.0


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts of every request and the retries of every call."""

    timeout: httpx.Timeout = field(
        default_factory=lambda: httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)
    )
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def installation_client(
    settings: Settings, installation_id: int, http: HttpPolicy
) -> GitHub[AppInstallationAuthStrategy]:
    """githubkit acting as installation `installation_id` of the app in `settings`."""
    return GitHub(
        AppInstallationAuthStrategy(settings.app_id, settings.signing_key(), installation_id),
        base_url=settings.github_api_url,
        user_agent=USER_AGENT,
        timeout=http.timeout,
        http_cache=False,
        auto_retry=False,
        ssl_verify=_tls_context(),
    )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # One context per process: httpx would otherwise load the CA bundle again for every
    # client, about 60 ms each.
    return ssl.create_default_context()


@dataclass(frozen=True)
class _Verdict:
    transient: bool
    reason: str
    retry_after: float | None = None  # seconds GitHub asked us to wait
    status: int | None = None


def call_with_retries(
    what: str,
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    took_effect: Callable[[], T | None] | None = None,
) -> T:
    """`call()`, retried while it fails in a transient way; `what` names it in messages
    ("GET the pull request"). Raises `GitHubUnavailable` or `GitHubRefused`.

    A write that is not idempotent passes `took_effect`: asked before each retry, it finds
    what a failed attempt may have made all the same (its answer lost on the way back) and
    returns that instead of writing twice; None when nothing was made.
    """
    waited = 0.0
    attempt = 1
    while True:
        try:
            if attempt > 1 and took_effect is not None:
                made = took_effect()
                if made is not None:
                    log.warning("%s: an earlier attempt took effect; not repeated", what)
                    return made
            return call()
        except GitHubException as exc:
            verdict = classify(exc)
        if not verdict.transient:
            message = f"{what}: {verdict.reason}"
            if verdict.status is not None:
                raise GitHubRefused(message, verdict.status) from None
            raise GitHubError(message) from None
        delay = _delay(policy, attempt, verdict)
        if attempt >= policy.attempts or delay is None or waited + delay > policy.max_wait:
            raise GitHubUnavailable(
                f"{what}: {verdict.reason} (gave up after {attempt} "
                f"attempt{'s' if attempt > 1 else ''})"
            ) from None
        log.warning(
            "%s: %s; retry %d of %d in %.1f s",
            what,
            verdict.reason,
            attempt,
            policy.attempts - 1,
            delay,
        )
        sleep(delay)
        waited += delay
        attempt += 1


def _delay(policy: RetryPolicy, attempt: int, verdict: _Verdict) -> float | None:
    if verdict.retry_after is not None:
        if verdict.retry_after > policy.max_retry_after:
            return None
        return verdict.retry_after
    backoff = min(policy.max_delay, policy.first_delay * 2.0 ** (attempt - 1))
    # Full jitter on the upper half: workers that failed together do not retry together.
    return backoff / 2 + random.uniform(0, backoff / 2)  # noqa: S311 - not cryptography


def classify(exc: BaseException) -> _Verdict:
    """Whether a githubkit (or httpx) error is worth retrying, and why it happened."""
    if isinstance(exc, RateLimitExceeded):
        seconds = _seconds(exc.retry_after)
        kind = "primary" if isinstance(exc, PrimaryRateLimitExceeded) else "secondary"
        return _Verdict(True, f"{kind} rate limit, retry after {seconds:g} s", seconds, 403)
    if isinstance(exc, RequestFailed):
        status = exc.response.status_code
        reason = f"{status} {_message(exc)}".strip()
        if status >= 500:
            return _Verdict(True, reason, status=status)
        if status == 429:
            return _Verdict(True, reason, _retry_after_header(exc.response.headers), status)
        return _Verdict(False, reason, status=status)
    if isinstance(exc, RequestTimeout):
        return _Verdict(True, f"timed out ({type(exc.exc).__name__})")
    if isinstance(exc, RequestError):
        inner = exc.exc
        if isinstance(inner, GitHubException):
            # An error of the installation-token request, raised inside the auth flow.
            verdict = classify(inner)
            return _Verdict(
                verdict.transient,
                f"installation token: {verdict.reason}",
                verdict.retry_after,
                verdict.status,
            )
        if isinstance(inner, httpx.TimeoutException):
            return _Verdict(True, f"timed out ({type(inner).__name__})")
        if isinstance(inner, httpx.TransportError):
            return _Verdict(True, f"connection failed ({type(inner).__name__}: {inner})")
        return _Verdict(False, f"{type(inner).__name__}: {inner}")
    if isinstance(exc, httpx.TransportError):
        return _Verdict(True, f"connection failed ({type(exc).__name__}: {exc})")
    return _Verdict(False, f"{type(exc).__name__}: {exc}")


def _seconds(delta: timedelta) -> float:
    return max(0.0, delta.total_seconds())


def _retry_after_header(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after", "")
    return float(value) if value.strip().isdigit() else None


def _message(exc: RequestFailed) -> str:
    """GitHub's own `message` (and the first validation error), on one line."""
    try:
        body = exc.response.raw_response.json()
    except ValueError:
        return exc.response.raw_response.reason_phrase
    if not isinstance(body, dict):
        return ""
    parts = [str(body.get("message", ""))]
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        first = errors[0]
        parts.append(str(first.get("message") or first) if isinstance(first, dict) else first)
    return " ".join(" ".join(str(p) for p in parts if p).split())[:300]
