"""Job functions for tests: each records its call in Redis, where the test reads it back.

The web process under test queues these paths instead of `github_app.jobs.*`, and a real
`rq worker` process imports and runs them.
"""

from __future__ import annotations

import json
from typing import Final

from rq import get_current_job

CALLS_KEY: Final = "test:job-calls"


def _record(function: str, kwargs: dict[str, object]) -> None:
    job = get_current_job()
    assert job is not None, "called outside an rq worker"
    job.connection.rpush(CALLS_KEY, json.dumps({"function": function, "kwargs": kwargs}))


def review_pull_request(**kwargs: object) -> None:
    _record("review_pull_request", kwargs)


def run_command(**kwargs: object) -> None:
    _record("run_command", kwargs)


def explain_check_run(**kwargs: object) -> None:
    _record("explain_check_run", kwargs)


def review_head_again(**kwargs: object) -> None:
    _record("review_head_again", kwargs)
