"""Jobs queued by the web process are run by a real `rq worker` process."""

from __future__ import annotations

import json
from pathlib import Path

import redis
from rq import Queue

from github_app.queue import QUEUE_NAME
from tests.github_app.recording_jobs import CALLS_KEY
from tests.github_app.servers import deliver, example, rq_worker_burst, web_server

FACTORY = "tests.github_app.recording_app:create_recording_app"


def test_a_real_rq_worker_runs_the_queued_jobs(
    redis_url: str, redis_client: redis.Redis, tmp_path: Path
) -> None:
    comment = example("issue_comment", "created")
    comment["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/1"}
    comment["comment"]["body"] = "/flow-review"
    button = example("check_run", "requested_action")
    button["check_run"]["app"]["id"] = 2
    button["requested_action"] = {"identifier": "explain"}
    with web_server(redis_url, tmp_path, factory=FACTORY) as web:
        assert deliver(web.url, "pull_request", example("pull_request", "opened"), delivery="d-1")
        assert deliver(web.url, "issue_comment", comment, delivery="c-1").status_code == 202
        assert deliver(web.url, "check_run", button, delivery="e-1").status_code == 202
    assert len(Queue(QUEUE_NAME, connection=redis_client)) == 3

    with rq_worker_burst(redis_url, tmp_path, QUEUE_NAME):
        pass

    calls = [json.loads(call) for call in redis_client.lrange(CALLS_KEY, 0, -1)]
    assert calls == [
        {
            "function": "review_pull_request",
            "kwargs": {
                "installation_id": 1,
                "repository": "Codertocat/Hello-World",
                "number": 2,
                "head_sha": "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
                "trigger": "pull_request.opened",
                "delivery": "d-1",
            },
        },
        {
            "function": "run_command",
            "kwargs": {
                "installation_id": 1,
                "repository": "Codertocat/Hello-World",
                "number": comment["issue"]["number"],
                "comment_id": comment["comment"]["id"],
                "author": "Codertocat",
                "command": "/flow-review",
                "delivery": "c-1",
            },
        },
        {
            "function": "explain_check_run",
            "kwargs": {
                "installation_id": 690857,
                "repository": "electron/electron",
                "check_run_id": 1494503112,
                "head_sha": "5bd5f196a46b8222fb7484f05faba41a73cf34bd",
                "delivery": "e-1",
            },
        },
    ]
    queue = Queue(QUEUE_NAME, connection=redis_client)
    assert len(queue) == 0
    assert len(queue.finished_job_registry.get_job_ids()) == 3
