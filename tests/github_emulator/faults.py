"""Faults the emulator can inject, and the rules that decide which request gets one.

A rule matches a request by method and a regular expression searched in its
path (e.g. `r"/check-runs"`; the path without its query, `/repositories/<id>/...`
already read as `/repos/<owner>/<name>/...`), and fires either `times` times, or on each match
with `probability` drawn from the emulator's seeded random generator, or on
every match. The first rule (in the order they were added) that matches and
fires decides the request's fault. Rules are checked before authentication, so
they hit `POST /app/installations/{id}/access_tokens` like any other endpoint.

The kinds, as the client sees them:

- `ServerError(status)`: a 500/502/503 answer with a JSON body;
- `SecondaryRateLimit(retry_after)`: 403, GitHub's secondary-rate-limit message
  and a `Retry-After` header;
- `PrimaryRateLimit(reset_in)`: 403, `x-ratelimit-remaining: 0` and a reset time;
- `DiffTooLarge()`: 406 with GitHub's too-large-diff body, on requests for a
  diff or patch media type only (other requests pass by the rule untouched);
- `Refused(status, message)`: a 4xx answer with GitHub's error body, for refusals
  the emulator does not reach by itself (a comparison GitHub cannot make, say);
- `Slow(delay)`: the normal answer, `delay` seconds late;
- `DropConnection(reset)`: the TCP connection closes without any answer (FIN,
  or RST when `reset`), done by the emulator's TCP front-end.

`ServerError` and `DropConnection` take `after_processing=True` to let the
request take effect first and lose only its answer: the write happened, the
client cannot know.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerError:
    status: int = 500
    after_processing: bool = False


@dataclass(frozen=True)
class SecondaryRateLimit:
    retry_after: int = 1


@dataclass(frozen=True)
class PrimaryRateLimit:
    reset_in: int = 1


@dataclass(frozen=True)
class DiffTooLarge:
    pass


@dataclass(frozen=True)
class Refused:
    status: int = 404
    message: str = "Not Found"


@dataclass(frozen=True)
class Slow:
    delay: float


@dataclass(frozen=True)
class DropConnection:
    reset: bool = False
    after_processing: bool = False


Fault = (
    ServerError
    | SecondaryRateLimit
    | PrimaryRateLimit
    | DiffTooLarge
    | Refused
    | Slow
    | DropConnection
)

DIFF_MEDIA_TYPES = ("diff", "patch")


def wants_diff(accept: str) -> bool:
    """Whether an Accept header asks for a diff or patch media type."""
    lowered = accept.lower()
    return any(f".{kind}" in lowered for kind in DIFF_MEDIA_TYPES)


class FaultRule:
    """One programmed fault; `fired` counts the requests it hit."""

    def __init__(
        self,
        injector: FaultInjector,
        fault: Fault,
        method: str | None,
        path: str,
        times: int | None,
        probability: float | None,
    ) -> None:
        if times is not None and times < 0:
            raise ValueError("times must be zero or more")
        if probability is not None and not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        self._injector = injector
        self.fault = fault
        self.method = method.upper() if method else None
        self.path = re.compile(path)
        self.times = times
        self.probability = probability
        self.fired = 0

    def __repr__(self) -> str:
        return (
            f"FaultRule({self.fault!r}, method={self.method!r}, path={self.path.pattern!r}, "
            f"times={self.times!r}, probability={self.probability!r}, fired={self.fired})"
        )

    def matches(self, method: str, path: str, accept: str) -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        if isinstance(self.fault, DiffTooLarge) and not wants_diff(accept):
            return False
        return self.path.search(path) is not None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def remove(self) -> None:
        self._injector.remove(self)


class FaultInjector:
    """The programmed rules, consulted for each request; thread-safe."""

    def __init__(self, seed: int) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._rules: list[FaultRule] = []

    def add(
        self,
        fault: Fault,
        *,
        method: str | None = None,
        path: str = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultRule:
        rule = FaultRule(self, fault, method, path, times, probability)
        with self._lock:
            self._rules.append(rule)
        return rule

    def remove(self, rule: FaultRule) -> None:
        with self._lock:
            if rule in self._rules:
                self._rules.remove(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def pick(self, method: str, path: str, accept: str) -> Fault | None:
        """The fault for this request, counting it against its rule; None for a normal answer."""
        with self._lock:
            for rule in self._rules:
                if rule.exhausted or not rule.matches(method, path, accept):
                    continue
                if rule.probability is not None and self._random.random() >= rule.probability:
                    continue
                rule.fired += 1
                return rule.fault
        return None
