"""The settings loader: Probot's names, one-line errors naming the setting, hidden secrets."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from github_app.settings import (
    DEFAULT_GITHUB_API_URL,
    DEFAULT_REDIS_URL,
    Secret,
    Settings,
    SettingsError,
    load_settings,
)

WEB = {"APP_ID": "12345", "WEBHOOK_SECRET": "hook-secret-value"}


@pytest.fixture(scope="module")
def pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def test_web_settings_with_defaults() -> None:
    settings = Settings.for_web(WEB)
    assert settings.app_id == 12345
    assert settings.webhook_secret.reveal() == "hook-secret-value"
    assert settings.redis_url == DEFAULT_REDIS_URL
    assert settings.github_api_url == DEFAULT_GITHUB_API_URL
    assert settings.private_key is None


def test_explicit_urls() -> None:
    settings = Settings.for_web(
        {**WEB, "REDIS_URL": "rediss://r.example:6380/2", "GITHUB_API_URL": "https://ghe/api/v3/"}
    )
    assert settings.redis_url == "rediss://r.example:6380/2"
    assert settings.github_api_url == "https://ghe/api/v3"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"WEBHOOK_SECRET": "s"}, "APP_ID"),
        ({"APP_ID": "1"}, "WEBHOOK_SECRET"),
        ({"APP_ID": "1", "WEBHOOK_SECRET": "  "}, "WEBHOOK_SECRET"),
        ({"APP_ID": "one", "WEBHOOK_SECRET": "s"}, "APP_ID"),
        ({"APP_ID": "0", "WEBHOOK_SECRET": "s"}, "APP_ID"),
        ({**WEB, "REDIS_URL": "http://localhost:6379"}, "REDIS_URL"),
        ({**WEB, "GITHUB_API_URL": "api.github.com"}, "GITHUB_API_URL"),
    ],
)
def test_missing_or_invalid_setting_is_named(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.for_web(environ)
    message = str(raised.value)
    assert message.startswith(named)
    assert "\n" not in message


def test_worker_requires_the_private_key() -> None:
    with pytest.raises(SettingsError, match=r"^PRIVATE_KEY or PRIVATE_KEY_PATH is not set$"):
        Settings.for_worker(WEB)


def test_private_key_with_escaped_newlines_as_probot_accepts(pem: str) -> None:
    one_line = pem.strip().replace("\n", "\\n")
    settings = Settings.for_worker({**WEB, "PRIVATE_KEY": one_line})
    assert settings.signing_key() == pem


def test_private_key_base64_encoded(pem: str) -> None:
    encoded = base64.b64encode(pem.encode()).decode()
    assert Settings.for_worker({**WEB, "PRIVATE_KEY": encoded}).signing_key() == pem


def test_private_key_from_path(pem: str, tmp_path: Path) -> None:
    path = tmp_path / "app.private-key.pem"
    path.write_text(pem)
    settings = Settings.for_worker({**WEB, "PRIVATE_KEY_PATH": str(path)})
    assert settings.signing_key() == pem


def test_private_key_variable_wins_over_path(pem: str, tmp_path: Path) -> None:
    settings = Settings.for_worker(
        {**WEB, "PRIVATE_KEY": pem, "PRIVATE_KEY_PATH": str(tmp_path / "absent.pem")}
    )
    assert settings.signing_key() == pem


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"PRIVATE_KEY": "not a key"}, "PRIVATE_KEY "),
        (
            {"PRIVATE_KEY": "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----"},
            "PRIVATE_KEY ",
        ),
        ({"PRIVATE_KEY_PATH": "/nonexistent/app.pem"}, "PRIVATE_KEY_PATH"),
    ],
)
def test_bad_private_key_is_named(extra: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.for_worker({**WEB, **extra})
    assert str(raised.value).startswith(named)


def test_private_key_path_that_is_no_pem(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text("hello\n")
    with pytest.raises(SettingsError, match=r"^PRIVATE_KEY_PATH does not hold a PEM"):
        Settings.for_worker({**WEB, "PRIVATE_KEY_PATH": str(path)})


def test_web_process_does_not_read_the_private_key() -> None:
    settings = load_settings({**WEB, "PRIVATE_KEY": "broken"}, require_private_key=False)
    assert settings.private_key is None
    with pytest.raises(SettingsError, match="PRIVATE_KEY"):
        settings.signing_key()


def test_secrets_never_shown(pem: str) -> None:
    settings = Settings.for_worker(
        {**WEB, "PRIVATE_KEY": pem, "REDIS_URL": "redis://user:redis-password@cache:6379/1"}
    )
    for shown in (repr(settings), str(settings), f"{settings}", repr(settings.webhook_secret)):
        assert "hook-secret-value" not in shown
        assert "redis-password" not in shown
        assert "PRIVATE KEY" not in shown
        assert pem.splitlines()[1] not in shown
    assert "redis://user:***@cache:6379/1" in repr(settings)
    assert "app_id=12345" in repr(settings)
    assert str(Secret("x")) == repr(Secret("x")) == "Secret('**********')"


def test_settings_are_frozen() -> None:
    settings = Settings.for_web(WEB)
    with pytest.raises(AttributeError):
        settings.app_id = 1  # type: ignore[misc]
