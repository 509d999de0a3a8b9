"""`uvicorn --factory tests.github_app.recording_app:create_recording_app`: the real web app,
queueing the recording job functions of `tests.github_app.recording_jobs`."""

from __future__ import annotations

import os

from starlette.applications import Starlette

from github_app.queue import JobFunctions
from github_app.settings import Settings
from github_app.web import create_app

RECORDING_FUNCTIONS = JobFunctions(
    review="tests.github_app.recording_jobs.review_pull_request",
    command="tests.github_app.recording_jobs.run_command",
    explain="tests.github_app.recording_jobs.explain_check_run",
    rerun="tests.github_app.recording_jobs.review_head_again",
)


def create_recording_app() -> Starlette:
    return create_app(Settings.for_web(os.environ), functions=RECORDING_FUNCTIONS)
