from __future__ import annotations

from collections.abc import Sequence

from analyzers.extract import SourceFile
from analyzers.facts import (
    Endpoint,
    Fact,
    Location,
    OutboundCall,
    QueueJob,
    ScheduledJob,
    WebhookHandler,
)
from analyzers.rules.base import Example
from tests.analyzers.examples import review_example


class MarkerExtractor:
    """Facts from marker comments, standing in for a language analyzer."""

    def extract(self, source: SourceFile) -> Sequence[Fact]:
        facts: list[Fact] = []
        service = source.service or ""
        for n, line in enumerate(source.text.splitlines(), 1):
            at = Location(source.path, n, n)
            if "#route" in line:
                facts.append(Endpoint(service, at, "POST", "/api/v1/match", "match", "fastapi"))
            elif "#call" in line:
                facts.append(
                    OutboundCall(service, at, "httpx", "GET", "{JOBS_URL}/jobs", target="jobs-api")
                )
            elif "#webhook" in line:
                facts.append(WebhookHandler(service, at, "stripe", verifies_signature=True))
            elif "#cron" in line:
                facts.append(ScheduledJob(service, at, "apscheduler", "0 * * * *", "rescore"))
            elif "#consume" in line:
                facts.append(QueueJob(service, at, "consumer", "rq", "send_email"))
        return facts


BASE = {
    "engine/requirements.txt": "",
    "engine/app.py": "x = 1\n",
    "engine/quiet.py": "#route\n",
    "api/package.json": "{}",
}
HEAD = {
    **BASE,
    "engine/app.py": "#route\n#call\n#webhook\n#cron\n#consume\n",
}


def test_workflow_of_a_changed_service_comes_from_its_changed_files() -> None:
    result = review_example(Example(base=BASE, head=HEAD), [], {"python": [MarkerExtractor()]})
    (workflow,) = result.workflows
    assert workflow.name == "engine: changed behaviour"
    assert workflow.trigger == (
        "HTTP POST /api/v1/match, stripe webhook, schedule '0 * * * *' (rescore), rq job send_email"
    )
    assert workflow.services == ("engine", "jobs-api")
    assert workflow.data_flow == ("engine → (HTTP GET {JOBS_URL}/jobs) → jobs-api",)
    assert workflow.files == ("engine/app.py",)
    kinds = [s.kind for s in result.scenarios]
    assert kinds == ["happy", "failure", "idempotency", "stress", "idempotency", "consistency"]
    failure = result.scenarios[1]
    assert "engine/app.py:2" in " ".join(failure.steps)


def test_whole_repo_has_a_workflow_per_service() -> None:
    result = review_example(Example(head=HEAD), [], {"python": [MarkerExtractor()]})
    assert [w.name for w in result.workflows] == [
        "api: whole service",
        "engine: whole service",
    ]
    api, engine = result.workflows
    assert api.data_flow == () and api.trigger.startswith("no entry point")
    assert "HTTP POST /api/v1/match" in engine.trigger
