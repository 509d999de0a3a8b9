"""The check run built from real reviews: gate, output within GitHub's limits, annotations."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from analyzers.config import Config
from analyzers.facts import ChangeStatus, Finding, Location, Review, Severity
from flow_review.cli import main as cli
from github_app.checkrun import (
    EXPLAIN,
    MAX_OUTPUT_BYTES,
    RERUN,
    Annotation,
    CheckRunEnd,
    annotation_batches,
    build_annotations,
    cancelled_run,
    completed_run,
    conclusion_for,
    failed_run,
    progress_output,
    superseded_run,
    timed_out_run,
    trim_markdown,
)
from github_app.diffmap import CommentableLines, DiffFile
from tests.github_app.reviews import Reviewed, review_change, review_demo
from tests.gitrepo import commit, init_repo

SERVICE = {"svc/requirements.txt": "requests\n", "svc/main.py": "def ok():\n    return 1\n"}
NO_TIMEOUT = "import requests\n\n\ndef fetch():\n    return requests.get('http://x/y')\n"
LEVELS = {"critical": "failure", "high": "failure", "medium": "warning"}
LEVELS |= {"low": "notice", "info": "notice"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Reviewed:
    return review_demo(tmp_path_factory.mktemp("checkrun"))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Reviewed, Reviewed]:
    """Two changes of one repository: a README edit (no finding), a call without timeout."""
    repo = init_repo(tmp_path_factory.mktemp("small") / "repo")
    base = commit(repo, {**SERVICE, "README.md": "# svc\n"})
    docs = commit(repo, {"README.md": "# svc\n\nMore words.\n"})
    call = commit(repo, {"svc/client.py": NO_TIMEOUT})
    return review_change(repo, base, docs), review_change(repo, docs, call)


def _sizes(end: CheckRunEnd) -> tuple[int, int]:
    text = end.output.text or ""
    return len(end.output.summary.encode()), len(text.encode())


def _balanced_fences(markdown: str) -> bool:
    fence: str | None = None
    for line in markdown.split("\n"):
        found = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if fence is None and found:
            fence = found.group(1)
        elif fence is not None and set(line.strip()) == {fence[0]}:
            fence = None if len(line.strip()) >= len(fence) else fence
    return fence is None


# --- the gate -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fail_on", [s.value for s in Severity])
def test_gate_agrees_with_the_cli_exit_code(demo: Reviewed, fail_on: str) -> None:
    config = Config(fail_on=Severity(fail_on))
    code = cli(
        [
            "review",
            "--repo",
            str(demo.repo),
            "--base",
            demo.base,
            "--head",
            demo.head,
            "--fail-on",
            fail_on,
            "--quiet",
            "--output",
            str(demo.repo.parent / f"report-{fail_on}.md"),
        ]
    )
    conclusion = conclusion_for(demo.review, config)
    assert (code, conclusion) in ((1, "failure"), (0, "neutral"), (0, "success"))


def test_demo_fails_on_its_critical_findings(demo: Reviewed) -> None:
    end = completed_run(demo.review, Config(), demo.commentable)
    critical = sum(1 for f in demo.review.findings if f.severity is Severity.CRITICAL)
    assert critical and end.conclusion == "failure"
    assert end.output.title.startswith(f"{critical} findings at or above critical")
    assert "**This check fails**" in end.output.summary
    assert "## Flow Review:" in end.output.summary  # the CLI's own report follows the verdict
    assert end.actions == (RERUN, EXPLAIN)


def test_neutral_and_success(small: tuple[Reviewed, Reviewed]) -> None:
    docs, call = small
    end = completed_run(docs.review, Config(), docs.commentable)
    assert (end.conclusion, end.output.title, end.annotations) == ("success", "No findings", ())
    assert end.actions == (RERUN,)
    end = completed_run(call.review, Config(), call.commentable)
    assert end.conclusion == "neutral"
    assert "none at or above critical" in end.output.title
    assert (
        completed_run(call.review, Config(fail_on=Severity.HIGH), call.commentable).conclusion
        == "failure"
    )


def test_annotations_sit_on_changed_lines_with_their_level(demo: Reviewed) -> None:
    commentable = demo.commentable
    end = completed_run(demo.review, Config(), commentable)
    assert end.annotations
    for annotation in end.annotations:
        lines = range(annotation.start_line, annotation.end_line + 1)
        assert all(commentable.can_comment(annotation.path, line) for line in lines)
        (finding,) = [
            f
            for f in demo.review.findings
            if f.location is not None
            and f"{f.rule} {f.title}" == annotation.title
            and f.location.path == annotation.path
            and f.location.line
            <= annotation.start_line
            <= annotation.end_line
            <= f.location.end_line
        ]
        assert annotation.annotation_level == LEVELS[finding.severity.value]
        assert finding.message in annotation.message
    ranks = [["notice", "warning", "failure"].index(a.annotation_level) for a in end.annotations]
    assert ranks == sorted(ranks, reverse=True)  # most severe first
    fixed = [a for a in end.annotations if a.raw_details]
    assert fixed and all("timeout" in (a.raw_details or "") for a in fixed)


def test_findings_outside_the_diff_are_not_annotated(small: tuple[Reviewed, Reviewed]) -> None:
    _, call = small
    (finding,) = [f for f in call.review.findings if f.rule == "FLOW101"]
    assert finding.location is not None
    elsewhere = replace(finding, location=Location(finding.location.path, 400, 401))
    whole = replace(finding, location=None, key="whole change")
    plan = build_annotations([finding, elsewhere, whole], call.commentable)
    assert [a.start_line for a in plan.annotations] == [finding.location.line]
    assert (plan.outside, plan.left_out) == (2, 0)


# --- GitHub's limits --------------------------------------------------------------------------


def _many(review: Review, count: int, path: str, *, text: str = "") -> tuple[Finding, ...]:
    template = review.findings[0]
    severities = list(Severity)
    return tuple(
        replace(
            template,
            key=f"{template.key}#{n}",
            severity=severities[n % len(severities)],
            location=Location(path, n + 1, n + 1),
            title=f"{template.title} {n}",
            message=f"{template.message} {text}",
        )
        for n in range(count)
    )


def _all_lines(path: str, count: int) -> CommentableLines:
    lines = frozenset(range(1, count + 1))
    return CommentableLines({path: DiffFile(path, ChangeStatus.MODIFIED, right=lines)})


def test_more_than_fifty_annotations_go_in_batches(small: tuple[Reviewed, Reviewed]) -> None:
    _, call = small
    path = "svc/client.py"
    findings = _many(call.review, 120, path)
    review = replace(call.review, findings=findings)
    end = completed_run(review, Config(), _all_lines(path, 120))
    assert len(end.annotations) == 120
    payloads = end.payloads()
    # As sent: JSON, as any client would serialise it.
    outputs = [json.loads(json.dumps(p["output"])) for p in payloads]
    assert [len(o["annotations"]) for o in outputs] == [50, 50, 20]
    first, *rest = payloads
    assert (first["status"], first["conclusion"]) == ("completed", end.conclusion)
    assert first["actions"] == [RERUN.to_api(), EXPLAIN.to_api()]
    for payload, output in zip(rest, outputs[1:], strict=True):
        assert set(payload) == {"output"}
        assert output["title"] == end.output.title
    sent = [a for o in outputs for a in o["annotations"]]
    assert sent == [a.to_api() for a in end.annotations]


def test_annotations_are_capped_most_severe_first(small: tuple[Reviewed, Reviewed]) -> None:
    _, call = small
    path = "svc/client.py"
    review = replace(call.review, findings=_many(call.review, 400, path))
    end = completed_run(review, Config(), _all_lines(path, 400))
    assert len(end.annotations) == 150
    assert len(end.payloads()) == 3
    assert "250 more left out" in end.output.summary
    kept_levels = {a.annotation_level for a in end.annotations}
    assert kept_levels == {"failure"}  # 160 critical and high findings outrank the rest


def test_huge_review_is_trimmed_below_the_limits(small: tuple[Reviewed, Reviewed]) -> None:
    _, call = small
    path = "svc/client.py"
    # Multi-byte text: GitHub counts bytes, so characters alone would pass and fail there.
    findings = _many(call.review, 3000, path, text="ünïcødé ✓ " * 8)
    review = replace(call.review, findings=findings)
    end = completed_run(review, Config(), _all_lines(path, 3000))
    summary, text = _sizes(end)
    assert summary <= MAX_OUTPUT_BYTES and text <= MAX_OUTPUT_BYTES
    assert end.output.text is not None and "**Trimmed here**" in end.output.text
    assert "flow-review review --base" in end.output.text
    assert _balanced_fences(end.output.summary) and _balanced_fences(end.output.text)
    hinted = completed_run(
        review, Config(), _all_lines(path, 3000), full_review_hint="see .tasks/in-review/x.md"
    )
    assert "see .tasks/in-review/x.md" in (hinted.output.text or "")


def test_a_long_review_continues_in_the_text(demo: Reviewed) -> None:
    findings = tuple(
        replace(f, key=f"{f.key}#{copy}") for copy in range(4) for f in demo.review.findings
    )
    end = completed_run(replace(demo.review, findings=findings), Config(), demo.commentable)
    summary, text = _sizes(end)
    assert summary <= MAX_OUTPUT_BYTES and 0 < text <= MAX_OUTPUT_BYTES
    assert end.output.text is not None and "Trimmed here" not in end.output.text
    whole = end.output.summary + "\n\n" + end.output.text
    for section in ("Workflow Impact Summary", "Implementation Checklist"):
        assert f"### {section}" in whole
    assert whole.rstrip().endswith("</sub>")
    assert _balanced_fences(end.output.summary) and _balanced_fences(end.output.text)


def test_a_review_that_fits_is_not_trimmed(demo: Reviewed) -> None:
    end = completed_run(demo.review, Config(), demo.commentable)
    assert end.output.text is None
    assert "Trimmed here" not in end.output.summary
    assert end.output.summary.rstrip().endswith("</sub>")  # the report's footer, whole


def test_trim_closes_an_open_code_block_and_prefers_blank_lines() -> None:
    note = "NOTE"
    inside = "intro\n\n```text\n" + "\n".join(f"line {n}" for n in range(500)) + "\n```\n"
    trimmed = trim_markdown(inside, 300, note)
    assert len(trimmed.encode()) <= 300 and trimmed.endswith(note)
    assert _balanced_fences(trimmed)
    paragraphs = "\n\n".join("word " * 20 for _ in range(50))
    trimmed = trim_markdown(paragraphs, 1000, note)
    assert trimmed.endswith("\n\n" + note)
    assert trimmed[: -len(note)].rstrip().endswith("word")
    one_line = "é" * 10_000
    trimmed = trim_markdown(one_line, 500, note)
    assert len(trimmed.encode()) <= 500 and trimmed.endswith(note)
    assert trim_markdown("short", 500, note) == "short"


def test_actions_fit_githubs_limits() -> None:
    for action in (RERUN, EXPLAIN):
        assert len(action.label) <= 20
        assert len(action.description) <= 40
        assert len(action.identifier) <= 20
    assert (RERUN.identifier, EXPLAIN.identifier) == ("rerun", "explain")
    assert annotation_batches([]) == []
    with pytest.raises(ValueError):
        annotation_batches([], 0)


def test_annotation_payload_shape() -> None:
    annotation = Annotation("a.py", 3, 4, "warning", "FLOW101 t", "m")
    assert annotation.to_api() == {
        "path": "a.py",
        "start_line": 3,
        "end_line": 4,
        "annotation_level": "warning",
        "title": "FLOW101 t",
        "message": "m",
    }


# --- runs that end without a review -----------------------------------------------------------


def test_progress_and_endings_say_what_happened() -> None:
    sha = "a" * 40
    progress = progress_output("fetching the diff", head_sha=sha, number=2, total=5)
    assert progress.title == "Reviewing: fetching the diff"
    assert "Step 2 of 5: fetching the diff." in progress.summary and "`aaaaaaa`" in progress.summary
    superseded = superseded_run("b" * 40)
    assert superseded.conclusion == "cancelled" and "`bbbbbbb`" in superseded.output.summary
    assert superseded.payloads() == [
        {
            "status": "completed",
            "conclusion": "cancelled",
            "output": superseded.output.to_api(),
        }
    ]
    failed = failed_run("GitHub answered 502 three times\n<script>")
    assert failed.conclusion == "failure"
    assert "GitHub answered 502 three times &lt;script>." in failed.output.summary
    assert failed.actions == (RERUN,)
    timed = timed_out_run(600)
    assert timed.conclusion == "timed_out" and "600 seconds" in timed.output.summary
    cancelled = cancelled_run("the pull request was closed")
    assert cancelled.conclusion == "cancelled"
    assert cancelled.output.summary.endswith("the pull request was closed.")
    for end in (superseded, failed, timed, cancelled):
        assert end.output.summary.count(".") <= 3 and end.annotations == ()
