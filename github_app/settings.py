"""The GitHub App's settings, read once from an environment mapping at process start.

The names are the ones Probot users know: `APP_ID`, `PRIVATE_KEY` or `PRIVATE_KEY_PATH`,
`WEBHOOK_SECRET`; plus `REDIS_URL` and `GITHUB_API_URL` (GitHub Enterprise Server:
`https://HOST/api/v3`). The web process needs the webhook secret, the app id (to recognise
its own check runs) and Redis; the worker also needs the private key.

Nothing here reads `os.environ` by itself: the entry point passes the mapping in, once.
Secrets are `Secret` values that print as asterisks, so a settings object can be logged or
shown in a traceback without leaking them.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

DEFAULT_REDIS_URL: Final = "redis://127.0.0.1:6379/0"
DEFAULT_GITHUB_API_URL: Final = "https://api.github.com"

_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_PEM_END = re.compile(r"-----END [A-Z ]*PRIVATE KEY-----")
_REDIS_SCHEMES: Final = frozenset({"redis", "rediss", "unix"})


class SettingsError(ValueError):
    """A setting is missing or invalid; the message is one line and names it."""


@dataclass(frozen=True, eq=False)
class Secret:
    """A secret string that never shows itself in `repr` or `str`; `reveal()` gives it."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class Settings:
    """Everything the two processes read from the environment."""

    app_id: int
    webhook_secret: Secret
    redis_url: str
    github_api_url: str = DEFAULT_GITHUB_API_URL
    private_key: Secret | None = None

    @classmethod
    def for_web(cls, environ: Mapping[str, str]) -> Settings:
        """The web process's settings: the private key is not read (it never calls GitHub)."""
        return load_settings(environ, require_private_key=False)

    @classmethod
    def for_worker(cls, environ: Mapping[str, str]) -> Settings:
        """The worker's settings: the private key is required."""
        return load_settings(environ, require_private_key=True)

    def signing_key(self) -> str:
        """The app's private key (PEM), for signing the app's JWT."""
        if self.private_key is None:
            raise SettingsError("PRIVATE_KEY or PRIVATE_KEY_PATH is not set")
        return self.private_key.reveal()

    def __repr__(self) -> str:
        # The Redis URL may carry a password: show it without one.
        return (
            f"Settings(app_id={self.app_id}, webhook_secret={self.webhook_secret!r}, "
            f"redis_url={_without_password(self.redis_url)!r}, "
            f"github_api_url={self.github_api_url!r}, private_key={self.private_key!r})"
        )

    __str__ = __repr__


def load_settings(environ: Mapping[str, str], *, require_private_key: bool) -> Settings:
    """Read and check every setting; raise `SettingsError` naming the first bad one."""
    private_key = _private_key(environ) if require_private_key else None
    if require_private_key and private_key is None:
        raise SettingsError("PRIVATE_KEY or PRIVATE_KEY_PATH is not set")
    return Settings(
        app_id=_app_id(environ),
        webhook_secret=Secret(_required(environ, "WEBHOOK_SECRET")),
        redis_url=_redis_url(environ),
        github_api_url=_github_api_url(environ),
        private_key=private_key,
    )


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "")
    if not value.strip():
        raise SettingsError(f"{name} is not set")
    return value


def _app_id(environ: Mapping[str, str]) -> int:
    text = _required(environ, "APP_ID").strip()
    if not text.isdigit() or int(text) <= 0:
        raise SettingsError("APP_ID must be a positive integer (the GitHub App's id)")
    return int(text)


def _redis_url(environ: Mapping[str, str]) -> str:
    url = environ.get("REDIS_URL", "").strip() or DEFAULT_REDIS_URL
    if urlsplit(url).scheme not in _REDIS_SCHEMES:
        raise SettingsError("REDIS_URL must start with redis://, rediss:// or unix://")
    return url


def _github_api_url(environ: Mapping[str, str]) -> str:
    url = environ.get("GITHUB_API_URL", "").strip() or DEFAULT_GITHUB_API_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError("GITHUB_API_URL must be an http(s) URL, e.g. https://api.github.com")
    return url.rstrip("/")


def _private_key(environ: Mapping[str, str]) -> Secret | None:
    """`PRIVATE_KEY` first, then `PRIVATE_KEY_PATH`, as Probot's get-private-key does.

    `PRIVATE_KEY` may hold the PEM itself, the PEM with its newlines written as `\\n` (how it
    fits on one line of a `.env` file), or the PEM base64-encoded.
    """
    if environ.get("PRIVATE_KEY", "").strip():
        return Secret(_pem_from_variable(environ["PRIVATE_KEY"].strip()))
    path = environ.get("PRIVATE_KEY_PATH", "").strip()
    if not path:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a PEM file"
        raise SettingsError(f"PRIVATE_KEY_PATH cannot be read: {reason}") from None
    if not _is_private_key(text):
        raise SettingsError("PRIVATE_KEY_PATH does not hold a PEM private key")
    return Secret(text)


def _pem_from_variable(value: str) -> str:
    if not _PEM_BEGIN.search(value):
        try:
            value = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise SettingsError(
                "PRIVATE_KEY is neither a PEM private key nor a base64-encoded one"
            ) from None
    value = value.replace("\\n", "\n")
    if not _is_private_key(value):
        raise SettingsError("PRIVATE_KEY is neither a PEM private key nor a base64-encoded one")
    return value if value.endswith("\n") else value + "\n"


def _is_private_key(text: str) -> bool:
    """True for a PEM private key that loads: a broken key stops the process at start,
    not at its first review."""
    begin, end = _PEM_BEGIN.search(text), _PEM_END.search(text)
    if begin is None or end is None or begin.end() >= end.start():
        return False
    try:
        serialization.load_pem_private_key(text.encode("utf-8"), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
