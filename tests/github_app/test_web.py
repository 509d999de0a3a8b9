"""The web process as GitHub meets it: a real uvicorn server over a real redis-server.

Each test starts with an empty Redis; what was queued is read back with rq's API.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
from rq import Queue

from github_app.events import ROUTES
from github_app.installations import read_installation
from github_app.queue import QUEUE_NAME, delivery_key, latest_head, review_job_id
from github_app.web import MAX_BODY_BYTES
from tests.github_app.servers import (
    Example,
    WebServer,
    deliver,
    example,
    examples,
    sign,
    wait_until,
)

HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
REVIEW_ID = review_job_id("Codertocat/Hello-World", 2, HEAD)


def queued_calls(client: redis.Redis) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(job id, function path, keyword arguments) of each queued job, in queue order."""
    return [
        (job.id, job.func_name, job.kwargs) for job in Queue(QUEUE_NAME, connection=client).jobs
    ]


def assert_nothing_recorded(client: redis.Redis) -> None:
    assert client.keys("*") == []


def test_healthz_and_readyz(web: WebServer) -> None:
    assert httpx.get(f"{web.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{web.url}/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "redis": "ok"})


def test_pull_request_opened_queues_one_review(web: WebServer, redis_client: redis.Redis) -> None:
    response = deliver(web.url, "pull_request", example("pull_request", "opened"), delivery="d-1")
    assert response.status_code == 202
    assert response.json() == {
        "status": "accepted",
        "jobs": [{"id": REVIEW_ID, "state": "queued"}],
        "canceled": [],
    }
    assert queued_calls(redis_client) == [
        (
            REVIEW_ID,
            "github_app.jobs.review_pull_request",
            {
                "installation_id": 1,
                "repository": "Codertocat/Hello-World",
                "number": 2,
                "head_sha": HEAD,
                "trigger": "pull_request.opened",
                "delivery": "d-1",
            },
        )
    ]
    assert latest_head(redis_client, "Codertocat/Hello-World", 2) == HEAD


def test_the_same_delivery_ten_times_gives_one_job(
    web: WebServer, redis_client: redis.Redis
) -> None:
    body = json.dumps(example("pull_request", "synchronize")).encode()
    answers = [deliver(web.url, "pull_request", body, delivery="same") for _ in range(10)]
    assert [answer.status_code for answer in answers] == [202] * 10
    assert answers[0].json()["jobs"] == [{"id": REVIEW_ID, "state": "queued"}]
    assert {answer.json()["status"] for answer in answers[1:]} == {
        "duplicate delivery, already handled"
    }
    assert [job_id for job_id, _, _ in queued_calls(redis_client)] == [REVIEW_ID]


def test_deliveries_of_the_same_head_collapse_into_one_review(
    web: WebServer, redis_client: redis.Redis
) -> None:
    pull_request = example("pull_request", "synchronize")
    suite = example("check_suite", "rerequested")
    assert deliver(web.url, "pull_request", pull_request).status_code == 202
    second = deliver(web.url, "check_suite", suite)
    assert second.json()["jobs"] == [
        {"id": REVIEW_ID, "state": "already-queued", "detail": "queued"}
    ]
    assert [job_id for job_id, _, _ in queued_calls(redis_client)] == [REVIEW_ID]


def test_a_push_supersedes_the_queued_review(web: WebServer, redis_client: redis.Redis) -> None:
    deliver(web.url, "pull_request", example("pull_request", "opened"))
    pushed = example("pull_request", "synchronize")
    pushed["pull_request"]["head"]["sha"] = "f" * 40
    pushed["pull_request"]["updated_at"] = "2019-05-15T16:00:00Z"
    answer = deliver(web.url, "pull_request", pushed).json()
    new_id = review_job_id("Codertocat/Hello-World", 2, "f" * 40)
    assert answer["jobs"] == [{"id": new_id, "state": "queued"}]
    assert answer["canceled"] == [REVIEW_ID]
    queue = Queue(QUEUE_NAME, connection=redis_client)
    assert queue.job_ids == [new_id]
    assert queue.canceled_job_registry.get_job_ids() == [REVIEW_ID]


def test_command_and_explain_jobs(web: WebServer, redis_client: redis.Redis) -> None:
    comment = example("issue_comment", "created")
    comment["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/1"}
    comment["comment"]["body"] = "/flow-review explain FLOW101"
    assert deliver(web.url, "issue_comment", comment, delivery="c-1").status_code == 202
    button = example("check_run", "requested_action")
    button["check_run"]["app"]["id"] = 2
    button["requested_action"] = {"identifier": "explain"}
    assert deliver(web.url, "check_run", button, delivery="e-1").status_code == 202
    assert queued_calls(redis_client) == [
        (
            f"command-{comment['comment']['id']}",
            "github_app.jobs.run_command",
            {
                "installation_id": 1,
                "repository": "Codertocat/Hello-World",
                "number": comment["issue"]["number"],
                "comment_id": comment["comment"]["id"],
                "author": "Codertocat",
                "command": "/flow-review explain FLOW101",
                "delivery": "c-1",
            },
        ),
        (
            "explain-1494503112",
            "github_app.jobs.explain_check_run",
            {
                "installation_id": 690857,
                "repository": "electron/electron",
                "check_run_id": 1494503112,
                "head_sha": "5bd5f196a46b8222fb7484f05faba41a73cf34bd",
                "delivery": "e-1",
            },
        ),
    ]


@pytest.mark.parametrize("case", examples(), ids=lambda case: case.name)
def test_every_example_is_answered_and_queued_as_routed(
    case: Example, web: WebServer, redis_client: redis.Redis
) -> None:
    delivery = str(uuid.uuid4())
    response = deliver(web.url, case.event, case.body(), delivery=delivery)
    handled = (case.event, case.action) in ROUTES
    if case.event == "ping":
        assert (response.status_code, response.json()["status"]) == (200, "pong")
    else:
        assert response.status_code == 202, response.text
    answer = response.json()
    calls = queued_calls(redis_client)
    if answer["status"] == "accepted":
        assert handled
        assert [job["id"] for job in answer["jobs"]] == [job_id for job_id, _, _ in calls]
        assert all(kwargs["delivery"] == delivery for _, _, kwargs in calls)
        assert redis_client.exists(delivery_key(delivery))
    else:
        assert calls == []
        assert answer["status"] in {"ignored", "pong", "recorded"}
        assert answer["status"] != "ignored" or answer["reason"]
        if not handled:
            assert answer["reason"].startswith("event not handled")


def test_examples_queue_the_reviews_they_should(web: WebServer, redis_client: redis.Redis) -> None:
    triggers = []
    for case in examples():
        redis_client.flushall()
        deliver(web.url, case.event, case.body())
        triggers += [kwargs["trigger"] for _, _, kwargs in queued_calls(redis_client)]
    assert sorted(triggers) == [
        # two re-runs of check runs that name no pull request: the worker looks them up
        "check_run.rerequested",
        "check_run.rerequested",
        "check_suite.rerequested",
        "check_suite.rerequested",
        "pull_request.opened",
        "pull_request.opened",
        "pull_request.opened",
        "pull_request.ready_for_review",
        "pull_request.reopened",
        "pull_request.reopened",
        "pull_request.synchronize",
    ]


def test_installation_events_are_recorded(web: WebServer, redis_client: redis.Redis) -> None:
    created = example("installation", "created")
    assert deliver(web.url, "installation", created).json() == {"status": "recorded"}
    added = example("installation_repositories", "added")
    deliver(web.url, "installation_repositories", added)
    record = read_installation(redis_client, 957387)
    assert record is not None
    assert record.account == "Codertocat"
    assert record.repositories == {"Codertocat/Hello-World", "Codertocat/Space"}
    assert queued_calls(redis_client) == []
    deleted = example("installation", "created")
    deleted["action"] = "deleted"
    deliver(web.url, "installation", deleted)
    assert read_installation(redis_client, 957387) is None


@pytest.mark.parametrize(
    "signature",
    [None, "sha256=" + "0" * 64, "sha1=0123", "sha256=" + "é" * 64, "", "sha256="],
)
def test_missing_or_wrong_signature_is_401_and_nothing_is_recorded(
    signature: str | None, web: WebServer, redis_client: redis.Redis
) -> None:
    body = json.dumps(example("pull_request", "opened")).encode()
    headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d-401"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    encoded = [(key.encode(), value.encode("utf-8")) for key, value in headers.items()]
    response = httpx.post(f"{web.url}/webhooks", content=body, headers=encoded)
    assert response.status_code == 401
    assert response.json() == {"error": "missing or wrong X-Hub-Signature-256"}
    assert_nothing_recorded(redis_client)


def test_signed_with_another_secret_is_401(web: WebServer, redis_client: redis.Redis) -> None:
    payload = example("pull_request", "opened")
    assert deliver(web.url, "pull_request", payload, secret="other").status_code == 401
    assert_nothing_recorded(redis_client)


def test_signature_is_checked_before_anything_is_parsed(
    web: WebServer, redis_client: redis.Redis
) -> None:
    response = httpx.post(f"{web.url}/webhooks", content=b"{not json", headers={})
    assert response.status_code == 401
    assert_nothing_recorded(redis_client)


@pytest.mark.parametrize(
    ("headers", "body", "error"),
    [
        (
            {"X-GitHub-Event": ""},
            b"{}",
            "X-GitHub-Event and X-GitHub-Delivery headers are required",
        ),
        (
            {"X-GitHub-Delivery": ""},
            b"{}",
            "X-GitHub-Event and X-GitHub-Delivery headers are required",
        ),
        (
            {"X-GitHub-Delivery": "a b"},
            b"{}",
            "malformed X-GitHub-Event or X-GitHub-Delivery header",
        ),
        ({}, b'{"action": "opened"', "bad payload: malformed JSON: EOF while parsing"),
        ({}, b"[1, 2]", "bad payload: payload: Input should be an object"),
        ({}, b'{"action": "opened"}', "bad payload: number: Field required"),
        (
            {"Content-Type": "application/x-www-form-urlencoded"},
            b"payload=%7B%7D",
            "the webhook's content type must be application/json",
        ),
    ],
)
def test_bad_requests_are_400(
    headers: dict[str, str], body: bytes, error: str, web: WebServer, redis_client: redis.Redis
) -> None:
    sent = {
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": "d-400",
        "X-Hub-Signature-256": sign(body),
        "Content-Type": "application/json",
        **headers,
    }
    sent = {key: value for key, value in sent.items() if value != ""}
    response = httpx.post(f"{web.url}/webhooks", content=body, headers=sent)
    assert response.status_code == 400
    assert response.json()["error"].startswith(error)
    assert_nothing_recorded(redis_client)


def raw_exchange(web: WebServer, request: bytes) -> bytes:
    host, port = web.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        return received


def test_declared_body_over_25_mb_is_413_without_reading_it(
    web: WebServer, redis_client: redis.Redis
) -> None:
    head = (
        "POST /webhooks HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        "X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: d-413\r\n"
        f"X-Hub-Signature-256: {sign(b'')}\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n"
    )
    answer = raw_exchange(web, head.encode() + b"{")
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert_nothing_recorded(redis_client)


def test_chunked_body_over_25_mb_is_413(web: WebServer, redis_client: redis.Redis) -> None:
    def chunks() -> Iterator[bytes]:
        block = b" " * (1024 * 1024)
        for _ in range(MAX_BODY_BYTES // len(block) + 2):
            yield block

    headers = {
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": "d-413-chunked",
        "X-Hub-Signature-256": sign(b""),
    }
    try:
        response = httpx.post(f"{web.url}/webhooks", content=chunks(), headers=headers, timeout=60)
    except (httpx.WriteError, httpx.RemoteProtocolError):
        pytest.fail("the server closed the connection without answering 413")
    assert response.status_code == 413
    assert response.json() == {"error": f"payload over {MAX_BODY_BYTES} bytes"}
    assert_nothing_recorded(redis_client)


def test_body_of_exactly_the_limit_is_read(web: WebServer, redis_client: redis.Redis) -> None:
    payload = json.dumps(example("pull_request", "opened")).encode()
    padded = payload + b" " * (MAX_BODY_BYTES - len(payload))
    response = deliver(web.url, "pull_request", padded)
    assert response.status_code == 202
    assert [job_id for job_id, _, _ in queued_calls(redis_client)] == [REVIEW_ID]


def test_each_delivery_is_logged_with_its_outcome(web: WebServer) -> None:
    deliver(web.url, "pull_request", example("pull_request", "opened"), delivery="d-logged")
    deliver(web.url, "pull_request", example("pull_request", "closed"), delivery="d-ignored")
    wait_until(lambda: "d-ignored" in web.log(), "the log lines")
    assert f"delivery d-logged (pull_request.opened): {REVIEW_ID} queued" in web.log()
    assert (
        "delivery d-ignored (pull_request.closed) ignored: event not handled: pull_request.closed"
        in web.log()
    )


def test_unknown_events_and_methods(web: WebServer, redis_client: redis.Redis) -> None:
    ignored = deliver(web.url, "star", {"action": "created"})
    assert ignored.status_code == 202
    assert ignored.json() == {"status": "ignored", "reason": "event not handled: star"}
    assert httpx.get(f"{web.url}/webhooks").status_code == 405
    assert_nothing_recorded(redis_client)
