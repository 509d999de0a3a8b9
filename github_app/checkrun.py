"""The `flow-review` check run, built from a review: pure builders, no I/O.

The worker creates the check run, reports progress with `progress_output`, and
ends it with one of the `CheckRunEnd`s built here: `completed_run` for a
finished review, or `superseded_run`, `cancelled_run`, `failed_run`,
`timed_out_run` when the review did not finish. `CheckRunEnd.payloads()` gives
the bodies of the PATCH requests in order; the first one concludes the run (so
a failure while sending the rest leaves a concluded run with fewer
annotations, never one stuck `in_progress`), each later one appends up to 50
annotations, the most GitHub accepts per request.

The gate agrees with `flow-review review`'s exit code: the check fails when a
finding is at least as severe as the config's `fail_on` (default `critical`),
is neutral when there are only findings below it, and succeeds with none.
GitHub caps `summary` and `text` at 65,535 bytes each (it counts bytes, not
characters): the review goes into the summary, what does not fit continues in
the text, and what does not fit there is cut at a line boundary, outside any
code block, with a note saying so and how to see the whole review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analyzers.config import Config
from analyzers.facts import Finding, Review, Severity
from analyzers.reports.markdown import inline, render_markdown, short_sha
from github_app.diffmap import CommentableLines

CHECK_NAME = "flow-review"
MAX_OUTPUT_BYTES = 65_535  # GitHub's limit for output.summary and output.text, in bytes
MAX_TITLE_CHARS = 255  # an annotation's title; check-run titles are kept as short
MAX_MESSAGE_BYTES = 4_096  # GitHub takes 64 KB; a longer message is no longer read
ANNOTATIONS_PER_REQUEST = 50
MAX_ANNOTATIONS = 150

SUCCESS, NEUTRAL, FAILURE = "success", "neutral", "failure"
CANCELLED, TIMED_OUT = "cancelled", "timed_out"

ANNOTATION_LEVELS = {
    Severity.CRITICAL: "failure",
    Severity.HIGH: "failure",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


@dataclass(frozen=True, slots=True)
class CheckRunAction:
    """A button on the check run; GitHub sends `check_run.requested_action` with the identifier."""

    label: str  # at most 20 characters
    description: str  # at most 40 characters
    identifier: str  # at most 20 characters

    def to_api(self) -> dict[str, str]:
        return {
            "label": self.label,
            "description": self.description,
            "identifier": self.identifier,
        }


RERUN = CheckRunAction("Re-run", "Review this pull request again", "rerun")
EXPLAIN = CheckRunAction("Explain", "Explain the rules behind the findings", "explain")


@dataclass(frozen=True, slots=True)
class Annotation:
    path: str
    start_line: int
    end_line: int
    annotation_level: str  # notice, warning or failure
    title: str
    message: str
    raw_details: str | None = None

    def to_api(self) -> dict[str, object]:
        data: dict[str, object] = {
            "path": self.path,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "annotation_level": self.annotation_level,
            "title": self.title,
            "message": self.message,
        }
        if self.raw_details:
            data["raw_details"] = self.raw_details
        return data


@dataclass(frozen=True, slots=True)
class CheckRunOutput:
    title: str
    summary: str
    text: str | None = None

    def to_api(self, annotations: Sequence[Annotation] = ()) -> dict[str, object]:
        data: dict[str, object] = {"title": self.title, "summary": self.summary}
        if self.text:
            data["text"] = self.text
        if annotations:
            data["annotations"] = [annotation.to_api() for annotation in annotations]
        return data


@dataclass(frozen=True, slots=True)
class CheckRunEnd:
    """How a check run ends: its conclusion, output, annotations and buttons."""

    conclusion: str
    output: CheckRunOutput
    annotations: tuple[Annotation, ...] = ()
    actions: tuple[CheckRunAction, ...] = ()

    def payloads(self) -> list[dict[str, object]]:
        """PATCH bodies for `/repos/{owner}/{repo}/check-runs/{id}`, to send in order."""
        batches = annotation_batches(self.annotations) or [()]
        first: dict[str, object] = {
            "status": "completed",
            "conclusion": self.conclusion,
            "output": self.output.to_api(batches[0]),
        }
        if self.actions:
            first["actions"] = [action.to_api() for action in self.actions]
        more: list[dict[str, object]] = [
            {"output": self.output.to_api(batch)} for batch in batches[1:]
        ]
        return [first, *more]


@dataclass(frozen=True, slots=True)
class AnnotationPlan:
    annotations: tuple[Annotation, ...]
    left_out: int  # findings on changed lines beyond the cap
    outside: int  # findings not on a line the diff shows (or about the change as a whole)


# --- the gate ---------------------------------------------------------------------------------


def gate_findings(review: Review, config: Config) -> tuple[Finding, ...]:
    """The findings that fail the check: at least `config.fail_on` (the CLI's exit code 1)."""
    return tuple(f for f in review.findings if f.severity.at_least(config.fail_on))


def conclusion_for(review: Review, config: Config) -> str:
    if gate_findings(review, config):
        return FAILURE
    return NEUTRAL if review.findings else SUCCESS


def title_for(review: Review, config: Config) -> str:
    total = len(review.findings)
    if total == 0:
        return "No findings"
    failing = len(gate_findings(review, config))
    threshold = config.fail_on.value
    if failing:
        return (
            f"{_count(failing, 'finding')} at or above {threshold} "
            f"({_count(total, 'finding')} in all)"
        )
    return f"{_count(total, 'finding')}, none at or above {threshold}"


# --- the completed review ---------------------------------------------------------------------


def completed_run(
    review: Review,
    config: Config,
    commentable: CommentableLines,
    *,
    full_review_hint: str | None = None,
    max_annotations: int = MAX_ANNOTATIONS,
) -> CheckRunEnd:
    """The check run of a finished review.

    `full_review_hint` says where the whole review can be read when the output had to be
    trimmed (a link to the `.tasks/` file, say); without it the note gives the command that
    prints it.
    """
    plan = build_annotations(review.findings, commentable, limit=max_annotations)
    conclusion = conclusion_for(review, config)
    header = _header(review, config, conclusion, plan)
    note = _trim_note(review, full_review_hint)
    summary, text = split_output(header, render_markdown(review), note)
    actions = (RERUN, EXPLAIN) if review.findings else (RERUN,)
    return CheckRunEnd(
        conclusion=conclusion,
        output=CheckRunOutput(title_for(review, config), summary, text),
        annotations=plan.annotations,
        actions=actions,
    )


def _header(review: Review, config: Config, conclusion: str, plan: AnnotationPlan) -> str:
    threshold = f"`{config.fail_on.value}`"
    failing = len(gate_findings(review, config))
    if conclusion == FAILURE:
        verdict = (
            f"**This check fails**: {_count(failing, 'finding')} at or above {threshold}, "
            "the repository's `fail_on` threshold."
        )
    elif conclusion == NEUTRAL:
        verdict = (
            f"**Nothing blocks this change**: {_count(len(review.findings), 'finding')}, "
            f"none at or above {threshold} (`fail_on`)."
        )
    else:
        verdict = "**Nothing blocks this change**: Flow Review found no integration risks."
    lines = [verdict]
    if review.findings:
        shown = f"{_count(len(plan.annotations), 'annotation')} on changed lines"
        if plan.left_out:
            shown += f"; {plan.left_out} more left out (at most {len(plan.annotations)} are shown)"
        if plan.outside:
            shown += (
                f"; {_count(plan.outside, 'finding')} outside the diff, listed only in this report"
            )
        lines.append(shown[0].upper() + shown[1:] + ".")
    return "\n\n".join(lines)


def _trim_note(review: Review, hint: str | None) -> str:
    where = hint or (
        "run `flow-review review"
        + (f" --base {short_sha(review.base)}" if review.base else " --whole-repo")
        + (f" --head {short_sha(review.head)}" if review.head else "")
        + "` in a clone of the repository"
    )
    return (
        f"> **Trimmed here**: the review is longer than GitHub allows in a check run "
        f"({MAX_OUTPUT_BYTES:,} bytes). For the whole review, {inline(where)}."
    )


# --- annotations ------------------------------------------------------------------------------


def build_annotations(
    findings: Iterable[Finding], commentable: CommentableLines, *, limit: int = MAX_ANNOTATIONS
) -> AnnotationPlan:
    """Annotations for the findings on lines the diff shows (RIGHT side), most severe first.

    An annotation covers the finding's first line the diff shows and the shown lines that
    follow it inside the finding's span; at most `limit` are kept.
    """
    placed: list[Annotation] = []
    outside = 0
    # sorted() is stable: equal severities keep the engine's order (path, then line).
    for finding in sorted(findings, key=lambda f: -f.severity.rank):
        annotation = _annotation(finding, commentable)
        if annotation is None:
            outside += 1
        else:
            placed.append(annotation)
    kept = tuple(placed[: max(limit, 0)])
    return AnnotationPlan(kept, len(placed) - len(kept), outside)


def annotation_batches(
    annotations: Sequence[Annotation], size: int = ANNOTATIONS_PER_REQUEST
) -> list[tuple[Annotation, ...]]:
    """The annotations in groups GitHub accepts in one request (at most 50)."""
    if size < 1:
        raise ValueError("a batch holds at least one annotation")
    return [tuple(annotations[at : at + size]) for at in range(0, len(annotations), size)]


def _annotation(finding: Finding, commentable: CommentableLines) -> Annotation | None:
    where = finding.location
    if where is None:
        return None
    first = commentable.first_commentable(where.path, where.line, where.end_line)
    if first is None:
        return None
    last = first
    while last + 1 <= where.end_line and commentable.can_comment(where.path, last + 1):
        last += 1
    message = finding.message
    if finding.suggestion:
        message += f"\n\nSuggestion: {finding.suggestion}"
    details = None
    if finding.fix is not None:
        details = "Suggested change (the finding's lines, fixed):\n\n" + finding.fix.replacement
    return Annotation(
        path=where.path,
        start_line=first,
        end_line=last,
        annotation_level=ANNOTATION_LEVELS[finding.severity],
        title=_chars(f"{finding.rule} {finding.title}", MAX_TITLE_CHARS),
        message=clip_bytes(message, MAX_MESSAGE_BYTES),
        raw_details=clip_bytes(details, MAX_MESSAGE_BYTES) if details else None,
    )


# --- progress and the runs that end without a review ------------------------------------------


def progress_output(
    step: str, *, head_sha: str | None = None, number: int | None = None, total: int | None = None
) -> CheckRunOutput:
    """The output of an `in_progress` check run: which step of the review is running."""
    position = f"Step {number} of {total}: " if number is not None and total is not None else ""
    subject = f" of `{short_sha(head_sha)}`" if head_sha else ""
    step_text = inline(step)
    return CheckRunOutput(
        title=_chars(f"Reviewing: {step_text}", MAX_TITLE_CHARS),
        summary=f"Flow Review is reviewing this change{subject}. {position}{step_text}.",
    )


def superseded_run(newer_head_sha: str | None) -> CheckRunEnd:
    newer = f" (`{short_sha(newer_head_sha)}`)" if newer_head_sha else ""
    return CheckRunEnd(
        CANCELLED,
        CheckRunOutput(
            "Superseded by a newer commit",
            f"A newer commit{newer} was pushed to this pull request before this review "
            "finished; the review of the newer commit replaces this one.",
        ),
    )


def cancelled_run(reason: str) -> CheckRunEnd:
    return CheckRunEnd(
        CANCELLED,
        CheckRunOutput("Review cancelled", f"The review was cancelled: {_sentence(reason)}"),
        actions=(RERUN,),
    )


def failed_run(reason: str) -> CheckRunEnd:
    """A review that could not finish: the conclusion is `failure`, so a required check
    blocks the merge until a review succeeds ("Re-run" tries again)."""
    return CheckRunEnd(
        FAILURE,
        CheckRunOutput(
            "Review could not finish",
            f"Flow Review could not finish this review: {_sentence(reason)} "
            "Use “Re-run” to try again.",
        ),
        actions=(RERUN,),
    )


def timed_out_run(seconds: float) -> CheckRunEnd:
    return CheckRunEnd(
        TIMED_OUT,
        CheckRunOutput(
            "Review timed out",
            f"The review did not finish within its time limit of {seconds:g} seconds and was "
            "stopped. Use “Re-run” to try again.",
        ),
        actions=(RERUN,),
    )


def _sentence(reason: str) -> str:
    text = clip_bytes(inline(reason.strip()) or "no reason was given", 1_000)
    return text if text.endswith((".", "!", "?")) else text + "."


# --- fitting GitHub's limits ------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SECTION = re.compile(r"^### ")


def split_output(header: str, report: str, note: str) -> tuple[str, str | None]:
    """(summary, text): the header and the report in the summary, whole sections of the
    report that do not fit continued in the text, and the text trimmed with `note` when even
    that is too long. Both stay within `MAX_OUTPUT_BYTES`."""
    whole = f"{header}\n\n{report.rstrip()}"
    if _size(whole) <= MAX_OUTPUT_BYTES:
        return whole, None
    sections = _sections(report.rstrip())
    summary = header
    rest_at = 0
    for index, section in enumerate(sections):
        candidate = f"{summary}\n\n{section}"
        if _size(candidate) > MAX_OUTPUT_BYTES:
            break
        summary, rest_at = candidate, index + 1
    if rest_at == 0:
        # Not even the first section fits beside the header: trim it into the summary.
        continued = "\n\n".join(sections[1:])
        first = trim_markdown(f"{header}\n\n{sections[0]}", MAX_OUTPUT_BYTES, note)
        return first, (trim_markdown(continued, MAX_OUTPUT_BYTES, note) if continued else None)
    rest = "\n\n".join(sections[rest_at:])
    return summary, trim_markdown(rest, MAX_OUTPUT_BYTES, note) if rest else None


def _sections(report: str) -> list[str]:
    """The report cut before each `### ` heading outside code blocks."""
    sections: list[list[str]] = [[]]
    fence: str | None = None
    for line in report.split("\n"):
        if fence is None and _SECTION.match(line) and sections[-1]:
            sections.append([])
        sections[-1].append(line)
        fence = _fence_after(fence, line)
    return ["\n".join(lines).strip("\n") for lines in sections if any(lines)]


def trim_markdown(text: str, limit: int, note: str) -> str:
    """`text` within `limit` UTF-8 bytes: cut at a line boundary, at a blank line outside
    code blocks when one is in the second half of what fits, any open code block closed,
    then `note`. Never more than `limit` bytes, whatever the input."""
    if _size(text) <= limit:
        return text
    budget = limit - _size(note) - 2  # the blank line before the note
    if budget <= 0:
        return clip_bytes(note, limit)
    kept: list[str] = []
    used = 0
    fence: str | None = None
    blank_cut: int | None = None
    for line in text.split("\n"):
        after = _fence_after(fence, line)
        closing = _size("\n" + after) if after else 0
        cost = _size(line) + (1 if kept else 0)
        if used + cost + closing > budget:
            break
        kept.append(line)
        used += cost
        fence = after
        if fence is None and not line.strip():
            blank_cut = len(kept)
    if blank_cut is not None and _size("\n".join(kept[:blank_cut])) * 2 >= budget:
        body = "\n".join(kept[:blank_cut]).rstrip("\n")
    elif kept:
        body = "\n".join(kept) + (f"\n{fence}" if fence else "")
    else:  # one line longer than everything allowed
        body = clip_bytes(text.split("\n", 1)[0], budget)
    return f"{body}\n\n{note}"


def _fence_after(fence: str | None, line: str) -> str | None:
    """The open code fence after `line`, given the one open before it."""
    match = _FENCE.match(line)
    if fence is None:
        return match.group(1) if match else None
    stripped = line.strip()
    closes = stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}
    return None if closes else fence


def clip_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, never inside a character, "…" when cut."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    ellipsis = "…".encode()
    if limit < len(ellipsis):
        return data[: max(limit, 0)].decode("utf-8", "ignore")
    return data[: limit - len(ellipsis)].decode("utf-8", "ignore") + "…"


def _chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
