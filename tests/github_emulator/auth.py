"""GitHub App authentication: the app's RSA key pair, its JWTs, and installation tokens.

The emulator makes a fresh 2048-bit key pair per app; the test hands
`AppCredentials.private_key_pem` to the code under test, which signs RS256 JWTs
with it exactly as it would for github.com. `verify_app_jwt` checks them the way
GitHub does (signature with the public key, `iss` the app id or client id,
`iat` not in the future, `exp` in the future and at most ten minutes after
`iat`) and answers with GitHub's 401 messages.
"""

from __future__ import annotations

import functools
import json
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.github_emulator.errors import ApiError

CLOCK_DRIFT_SECONDS = 60  # GitHub tolerates an `iat` slightly ahead of its own clock
MAX_JWT_LIFETIME_SECONDS = 600
TOKEN_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class AppCredentials:
    """A GitHub App as its owner sees it on the app's settings page."""

    app_id: int
    slug: str
    name: str
    client_id: str
    private_key_pem: str = field(repr=False)
    public_key_pem: str = field(repr=False)

    @property
    def bot_login(self) -> str:
        return f"{self.slug}[bot]"


def generate_key_pair() -> tuple[str, str]:
    """A new 2048-bit RSA key pair: (private PEM, public PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


@functools.cache
def shared_key_pair() -> tuple[str, str]:
    """One key pair for every emulator of the process: making one takes a tenth of a second."""
    return generate_key_pair()


def generate_app(app_id: int, slug: str, name: str, *, fresh_key: bool = False) -> AppCredentials:
    private_pem, public_pem = generate_key_pair() if fresh_key else shared_key_pair()
    client_id = "Iv23li" + "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(14))
    return AppCredentials(app_id, slug, name, client_id, private_pem, public_pem)


@functools.cache
def _public_key(pem: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise TypeError("the app's public key is not an RSA key")
    return key


def _jwt_error(message: str) -> ApiError:
    return ApiError(401, message)


def verify_app_jwt(token: str, app: AppCredentials, now: datetime) -> None:
    """Accept a JWT signed by `app`'s private key, or raise GitHub's 401 for it."""
    try:
        # The signature only: the claims are checked below, as GitHub words it (and PyJWT
        # would refuse the integer `iss` that GitHub accepts).
        raw_claims = jwt.PyJWS().decode(
            token, _public_key(app.public_key_pem), algorithms=["RS256"]
        )
        claims = json.loads(raw_claims)
    except (jwt.PyJWTError, ValueError) as error:
        raise _jwt_error("A JSON web token could not be decoded") from error
    if not isinstance(claims, dict):
        raise _jwt_error("A JSON web token could not be decoded")
    issuer = claims.get("iss")
    if str(issuer) not in (str(app.app_id), app.client_id):
        raise _jwt_error("'Issuer' claim ('iss') must be an Integer")
    issued_at = claims.get("iat")
    expires = claims.get("exp")
    if not isinstance(issued_at, int | float) or isinstance(issued_at, bool):
        raise _jwt_error(
            "'Issued at' claim ('iat') must be an Integer representing the time that the "
            "assertion was issued"
        )
    if not isinstance(expires, int | float) or isinstance(expires, bool):
        raise _jwt_error(
            "'Expiration time' claim ('exp') must be a numeric value representing the future "
            "time at which the assertion expires"
        )
    stamp = now.timestamp()
    if issued_at > stamp + CLOCK_DRIFT_SECONDS:
        raise _jwt_error(
            "'Issued at' claim ('iat') must be an Integer representing the time that the "
            "assertion was issued"
        )
    if expires <= stamp:
        raise _jwt_error(
            "'Expiration time' claim ('exp') must be a numeric value representing the future "
            "time at which the assertion expires"
        )
    if expires - issued_at > MAX_JWT_LIFETIME_SECONDS:
        raise _jwt_error("'Expiration time' claim ('exp') is too far in the future")


def new_installation_token() -> str:
    return "ghs_" + "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(36))


@dataclass(frozen=True)
class InstallationToken:
    """An access token issued to an installation, maybe narrowed to some repositories."""

    token: str = field(repr=False)
    installation_id: int
    expires_at: datetime
    repository_ids: frozenset[int] | None  # None: every repository of the installation
    permissions: Mapping[str, str]

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def utcnow() -> datetime:
    return datetime.now(tz=UTC)
