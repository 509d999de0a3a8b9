"""`uvicorn --factory tests.github_app.e2e_app:create_e2e_app`: the real web app, queueing the
real job functions, with rq retry intervals short enough for a test.

`E2E_RETRY_INTERVAL` (seconds, default 1) is the interval between the retries of a failed
job; 0 retries at once, without the scheduler (the tests that kill a whole worker use it:
a killed worker's scheduler lock outlives it by a minute). `E2E_RETRY_MAX` (default 2) is
how many times a failed job is retried.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette

from github_app.queue import JobPolicy
from github_app.settings import Settings
from github_app.web import create_app


def create_e2e_app() -> Starlette:
    interval = int(os.environ.get("E2E_RETRY_INTERVAL", "1"))
    retries = int(os.environ.get("E2E_RETRY_MAX", "2"))
    policy = JobPolicy(timeout=300, retry_max=retries, retry_intervals=(interval,))
    return create_app(Settings.for_web(os.environ), policy=policy)
