"""`flow-review serve`: the web process under uvicorn, with its settings read once at start.

uvicorn picks uvloop and httptools when they are installed (`uvicorn[standard]`). The
access log is off: the app logs one line per delivery itself (what was queued, or why it
was ignored or refused), which says more than a request line.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from github_app.settings import Settings
from github_app.web import create_app


def serve(host: str, port: int, environ: Mapping[str, str]) -> int:
    """Run until stopped; raises `SettingsError` (naming the setting) before starting."""
    settings = Settings.for_web(environ)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        access_log=False,
        server_header=False,
        log_config=log_config(),
    )
    return 0


def log_config() -> dict[str, Any]:
    """uvicorn's own logging, plus the app's loggers on the same handler at INFO."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["github_app"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
