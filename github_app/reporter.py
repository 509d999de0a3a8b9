"""The review's check run from the job's side: opened once, progress, one conclusion.

`CheckRunReporter.open` finds the run an earlier attempt of the same rq job left
`in_progress` (its `external_id` is the job id) or creates one, and records it in the
ledger of open runs (`openruns`), so that a job killed before it concludes still gets its
run concluded by the worker's sweep. `conclude` sends a `checkrun.CheckRunEnd`'s payloads
in order: the first one concludes the run and settles the ledger; a later batch of
annotations that fails is logged and left out rather than failing a concluded review.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from github_app.api import CheckRunInfo, RepositoryApi
from github_app.checkrun import (
    CHECK_NAME,
    MAX_OUTPUT_BYTES,
    CheckRunEnd,
    CheckRunOutput,
    progress_output,
    trim_markdown,
)
from github_app.context import WorkerContext
from github_app.github import GitHubError
from github_app.openruns import OpenRun, record_open_run, settle_run

log = logging.getLogger(__name__)


class CheckRunReporter:
    def __init__(
        self,
        api: RepositoryApi,
        context: WorkerContext,
        *,
        job_id: str,
        installation_id: int,
        number: int,
        head_sha: str,
        total_steps: int,
    ) -> None:
        self._api = api
        self._context = context
        self._job_id = job_id
        self._installation_id = installation_id
        self._number = number
        self._head_sha = head_sha
        self._total = total_steps
        self.run: CheckRunInfo | None = None
        self.reused = False

    @property
    def run_id(self) -> int:
        if self.run is None:
            raise RuntimeError("the check run is not open")
        return self.run.id

    def open(self) -> CheckRunInfo:
        output = progress_output(
            "starting", head_sha=self._head_sha, number=0, total=self._total
        ).to_api()
        run, created = self._api.open_check_run(
            self._head_sha,
            CHECK_NAME,
            self._context.settings.app_id,
            self._job_id,
            {
                "name": CHECK_NAME,
                "head_sha": self._head_sha,
                "status": "in_progress",
                "external_id": self._job_id,
                "output": output,
            },
        )
        self.run, self.reused = run, not created
        record_open_run(
            self._context.redis,
            OpenRun(
                job_id=self._job_id,
                installation_id=self._installation_id,
                repository=self._api.repository,
                number=self._number,
                head_sha=self._head_sha,
                check_run_id=run.id,
            ),
        )
        return run

    def progress(self, step: str, number: int) -> None:
        output = progress_output(step, head_sha=self._head_sha, number=number, total=self._total)
        self._api.update_check_run(
            self.run_id, {"status": "in_progress", "output": output.to_api()}
        )

    def note(self, title: str, summary: str) -> None:
        """Say something on the run while it stays in progress (a retry is coming)."""
        self._api.update_check_run(
            self.run_id,
            {"status": "in_progress", "output": {"title": title, "summary": summary}},
        )

    def conclude(self, end: CheckRunEnd) -> int:
        """Send `end`; returns how many annotation batches could not be sent."""
        payloads = end.payloads()
        self._api.update_check_run(self.run_id, payloads[0])
        settle_run(self._context.redis, self._job_id, self.run_id)
        lost = 0
        for payload in payloads[1:]:
            try:
                self._api.update_check_run(self.run_id, payload)
            except GitHubError as exc:
                # The run is concluded with its summary: fewer annotations is no reason to
                # fail the review (a retry would open a second run for the same commit).
                log.error("check run %s: a batch of annotations was not sent: %s", self.run_id, exc)
                lost += 1
        return lost


def with_notes(end: CheckRunEnd, notes: Sequence[str]) -> CheckRunEnd:
    """`end` with `notes` (Markdown paragraphs) at the top of its summary, within GitHub's
    size limit."""
    if not notes:
        return end
    summary = "\n\n".join([*notes, end.output.summary])
    if len(summary.encode("utf-8")) > MAX_OUTPUT_BYTES:
        summary = trim_markdown(
            summary,
            MAX_OUTPUT_BYTES,
            "> **Trimmed here**: the review is longer than GitHub allows in a check run.",
        )
    return replace(end, output=CheckRunOutput(end.output.title, summary, end.output.text))
