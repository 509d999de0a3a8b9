"""Pull requests: the pull request, its diff and files, review comments and reviews.

The diff is `git diff base...head` of the real repository. A review comment
must target a line of that diff (computed from the hunks of the commit it
names): RIGHT is a line of the new file inside a hunk, LEFT a line of the old
file inside a hunk; anything else gets GitHub's 422, in the form of the single
comment endpoint ("Validation Failed" with `pull_request_review_thread.*`
errors) or of the reviews endpoint ("Unprocessable Entity" with sentences).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from tests.github_emulator.calls import Answer, Call, json_answer, text_answer
from tests.github_emulator.diff import Diff, DiffLine, FileDiff, Side
from tests.github_emulator.errors import (
    ApiError,
    invalid_request,
    not_found,
    not_supplied,
    validation_failed,
)
from tests.github_emulator.faults import wants_diff
from tests.github_emulator.representations import (
    diff_entry_json,
    pull_json,
    review_comment_json,
    review_json,
)
from tests.github_emulator.state import PullRequest, Review, ReviewComment

TOO_LARGE_FILES = (
    "Sorry, the diff exceeded the maximum number of files ({limit}). Consider using "
    "'List pull requests files' API or locally cloning the repository instead."
)
TOO_LARGE_LINES = (
    "Sorry, the diff exceeded the maximum number of lines ({limit}). Consider using "
    "'List pull requests files' API or locally cloning the repository instead."
)
MAX_BODY = 65536
REVIEW_EVENTS = {
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
    "COMMENT": "COMMENTED",
}


def diff_too_large(limit: int, *, lines: bool = False) -> ApiError:
    return ApiError(
        406,
        (TOO_LARGE_LINES if lines else TOO_LARGE_FILES).format(limit=limit),
        errors=[{"resource": "PullRequest", "field": "diff", "code": "too_large"}],
        documentation_url="https://docs.github.com/rest/pulls/pulls#get-a-pull-request",
    )


def pull_or_404(call: Call) -> PullRequest:
    pull = call.state.find_pull(call.repo.full_name, call.int_param("pull_number"))
    if pull is None:
        raise not_found()
    return pull


def get_pull(call: Call) -> Answer:
    pull = pull_or_404(call)
    accept = call.accept.lower()
    if wants_diff(accept):
        git = call.state.git(call.repo)
        merge_base, head = call.state.pull_diff_range(pull)
        diff = git.diff(merge_base, head)
        if len(diff.files) > call.limits.diff_max_files:
            raise diff_too_large(call.limits.diff_max_files)
        text = git.diff_text(merge_base, head)
        if text.count("\n") > call.limits.diff_max_lines:
            raise diff_too_large(call.limits.diff_max_lines, lines=True)
        kind = "patch" if ".patch" in accept else "diff"
        return text_answer(
            text, "text/plain; charset=utf-8", f"github.v3; param={kind}; format={kind}"
        )
    return json_answer(pull_json(call.state, call.urls, pull))


def list_pulls(call: Call) -> Answer:
    wanted_state = call.arg("state") or "open"
    head = call.arg("head")
    base = call.arg("base")
    pulls = [
        p
        for p in sorted(call.state.pulls.values(), key=lambda p: -p.number)
        if p.repo.lower() == call.repo.full_name.lower()
        and wanted_state in ("all", p.state)
        and (base is None or p.base_ref == base)
        and (head is None or f"{p.head_repo.split('/')[0]}:{p.head_ref}".lower() == head.lower())
    ]
    page, headers = call.page(pulls)
    return json_answer([pull_json(call.state, call.urls, p) for p in page], headers=headers)


def list_files(call: Call) -> Answer:
    pull = pull_or_404(call)
    diff = call.state.pull_diff(pull)
    entries = list(diff.files[: call.limits.pull_files_max])
    page, headers = call.page(entries)
    return json_answer(
        [diff_entry_json(call.urls, call.repo, pull.head_sha, e) for e in page], headers=headers
    )


# review comments


@dataclass(frozen=True)
class Placement:
    """Where a comment lands in the diff."""

    file: FileDiff
    line: int | None
    side: Side
    start_line: int | None
    start_side: Side | None
    target: DiffLine | None  # None for a comment on the whole file
    subject_type: str


@dataclass(frozen=True)
class PlacementError:
    field: str
    message: str | None  # None for a missing field
    sentence: str


LINE_OUTSIDE = PlacementError(
    "pull_request_review_thread.line",
    "pull_request_review_thread.line must be part of the diff",
    "Pull request review thread line must be part of the diff",
)
START_NOT_SAME_HUNK = PlacementError(
    "pull_request_review_thread.start_line",
    "pull_request_review_thread.start_line must be part of the same hunk as the line.",
    "Pull request review thread start line must be part of the same hunk as the line.",
)
START_AFTER_END = PlacementError(
    "pull_request_review_thread.start_line",
    "pull_request_review_thread.start_line must precede the end line.",
    "Pull request review thread start line must precede the end line.",
)
HUNK_BLANK = PlacementError(
    "pull_request_review_thread.diff_hunk",
    None,
    "Pull request review thread diff hunk can't be blank",
)
PATH_OUTSIDE = PlacementError(
    "pull_request_review_thread.path",
    "pull_request_review_thread.path must be part of the diff",
    "Pull request review thread path must be part of the diff",
)
POSITION_OUTSIDE = PlacementError(
    "pull_request_review_thread.position",
    "pull_request_review_thread.position must be part of the diff",
    "Pull request review thread position must be part of the diff",
)


def _side(value: Any, field: str, default: Side) -> Side:
    if value is None:
        return default
    if value == "LEFT":
        return "LEFT"
    if value == "RIGHT":
        return "RIGHT"
    raise invalid_request(f'For \'properties/{field}\', "{value}" is not one of ["LEFT", "RIGHT"].')


def _optional_int(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid_request(f"For 'properties/{field}', {value!r} is not an integer.")
    return value


def place(diff: Diff, spec: dict[str, Any]) -> Placement | list[PlacementError]:
    """Find where a comment spec (path, line, side, start_line, ...) lands, or why it cannot."""
    path = spec["path"]
    file = diff.file(path)
    subject_type = spec.get("subject_type") or "line"
    if subject_type not in ("line", "file"):
        raise invalid_request(
            f'For \'properties/subject_type\', "{subject_type}" is not one of ["line", "file"].'
        )
    if file is None:
        return [PATH_OUTSIDE, HUNK_BLANK]
    if subject_type == "file":
        return Placement(file, None, "RIGHT", None, None, None, "file")
    position = _optional_int(spec.get("position"), "position")
    line = _optional_int(spec.get("line"), "line")
    side = _side(spec.get("side"), "side", "RIGHT")
    start_line = _optional_int(spec.get("start_line"), "start_line")
    start_side = _side(spec.get("start_side"), "start_side", side) if start_line else None
    if line is None and position is not None:
        at = file.at_position(position)
        if at is None or at.kind == "\\":
            return [POSITION_OUTSIDE, HUNK_BLANK]
        side = "RIGHT" if at.new_line is not None else "LEFT"
        line = at.new_line if at.new_line is not None else at.old_line
    if line is None:
        raise not_supplied("line")
    errors: list[PlacementError] = []
    target = file.find(side, line)
    if target is None:
        errors.append(LINE_OUTSIDE)
    if start_line is not None and start_side is not None:
        start = file.find(start_side, start_line)
        if start_side == side and start_line >= line:
            errors.append(START_AFTER_END)
        elif start is None or target is None or start.hunk != target.hunk:
            errors.append(START_NOT_SAME_HUNK)
    if target is None:
        errors.append(HUNK_BLANK)
    if errors:
        return errors
    assert target is not None
    return Placement(file, line, side, start_line, start_side, target, "line")


def _commit_of(call: Call, pull: PullRequest, value: Any) -> str:
    if value is None:
        return pull.head_sha
    if not isinstance(value, str):
        raise invalid_request("For 'properties/commit_id', the value is not a string.")
    git = call.state.git(call.repo)
    sha = git.resolve_commit(value)
    if sha is None or not git.is_ancestor(sha, pull.head_sha):
        raise validation_failed(
            {
                "resource": "PullRequestReviewComment",
                "code": "custom",
                "field": "commit_id",
                "message": "commit_id is not part of the pull request",
            }
        )
    return sha


def _check_body(value: Any, resource: str) -> str:
    if not isinstance(value, str):
        raise not_supplied("body")
    if len(value) > MAX_BODY:
        raise validation_failed(
            {
                "resource": resource,
                "code": "custom",
                "field": "body",
                "message": f"Body is too long (maximum is {MAX_BODY} characters)",
            }
        )
    return value


def _new_comment(
    call: Call, pull: PullRequest, review_id: int, commit: str, body: str, where: Placement
) -> ReviewComment:
    state = call.state
    return ReviewComment(
        id=state.new_id(),
        repo=pull.repo,
        number=pull.number,
        review_id=review_id,
        user=state.app.bot_login,
        body=body,
        path=where.file.filename,
        commit_id=pull.head_sha,
        original_commit_id=commit,
        line=where.line,
        side=where.side,
        start_line=where.start_line,
        start_side=where.start_side,
        position=where.target.position if where.target else None,
        diff_hunk=where.file.diff_hunk(where.target)
        if where.target
        else (where.file.patch or "").split("\n", 1)[0],
        subject_type=where.subject_type,
        in_reply_to_id=None,
        created_at=call.now,
        updated_at=call.now,
    )


def _new_review(call: Call, pull: PullRequest, commit: str, body: str, state_word: str) -> Review:
    review = Review(
        id=call.state.new_id(),
        repo=pull.repo,
        number=pull.number,
        user=call.state.app.bot_login,
        body=body,
        state=state_word,
        commit_id=commit,
        submitted_at=None if state_word == "PENDING" else call.now,
    )
    call.state.reviews[review.id] = review
    return review


def list_review_comments(call: Call) -> Answer:
    pull = pull_or_404(call)
    comments = [
        c
        for c in sorted(call.state.review_comments.values(), key=lambda c: c.id)
        if c.repo.lower() == pull.repo.lower() and c.number == pull.number
    ]
    page, headers = call.page(comments)
    return json_answer(
        [review_comment_json(call.state, call.urls, c) for c in page], headers=headers
    )


def _reply(call: Call, pull: PullRequest, parent_id: Any, body: str) -> Answer:
    parent = call.state.review_comments.get(parent_id) if isinstance(parent_id, int) else None
    if parent is None or parent.repo.lower() != pull.repo.lower() or parent.number != pull.number:
        raise not_found()
    review = _new_review(call, pull, pull.head_sha, "", "COMMENTED")
    reply = replace(
        parent,
        id=call.state.new_id(),
        review_id=review.id,
        user=call.state.app.bot_login,
        body=body,
        in_reply_to_id=parent.in_reply_to_id or parent.id,
        created_at=call.now,
        updated_at=call.now,
    )
    call.state.review_comments[reply.id] = reply
    return json_answer(review_comment_json(call.state, call.urls, reply), status=201)


def create_review_comment(call: Call) -> Answer:
    pull = pull_or_404(call)
    spec = call.json_object()
    body = _check_body(spec.get("body"), "PullRequestReviewComment")
    if spec.get("in_reply_to") is not None:
        return _reply(call, pull, spec.get("in_reply_to"), body)
    missing = [f for f in ("commit_id", "path") if not isinstance(spec.get(f), str)]
    if missing:
        raise not_supplied(*missing)
    commit = _commit_of(call, pull, spec["commit_id"])
    where = place(call.state.pull_diff(pull, commit), spec)
    if isinstance(where, list):
        raise validation_failed(
            *(
                {"resource": "PullRequestReviewComment", "code": "custom", "field": e.field}
                | ({"message": e.message} if e.message else {"code": "missing_field"})
                for e in where
            )
        )
    review = _new_review(call, pull, commit, "", "COMMENTED")
    comment = _new_comment(call, pull, review.id, commit, body, where)
    call.state.review_comments[comment.id] = comment
    return json_answer(review_comment_json(call.state, call.urls, comment), status=201)


def _comment_or_404(call: Call) -> ReviewComment:
    comment = call.state.review_comments.get(call.int_param("comment_id"))
    if comment is None or comment.repo.lower() != call.repo.full_name.lower():
        raise not_found()
    return comment


def get_review_comment(call: Call) -> Answer:
    return json_answer(review_comment_json(call.state, call.urls, _comment_or_404(call)))


def update_review_comment(call: Call) -> Answer:
    comment = _comment_or_404(call)
    body = _check_body(call.json_object().get("body"), "PullRequestReviewComment")
    updated = replace(comment, body=body, updated_at=call.now)
    call.state.review_comments[comment.id] = updated
    return json_answer(review_comment_json(call.state, call.urls, updated))


def _sentence(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    if len(parts) == 2:
        return f"{parts[0]} and {parts[1]}"
    return ", ".join(parts[:-1]) + f", and {parts[-1]}"


def create_review(call: Call) -> Answer:
    pull = pull_or_404(call)
    spec = call.json_object()
    commit = _commit_of(call, pull, spec.get("commit_id"))
    body = spec.get("body") if spec.get("body") is not None else ""
    body = _check_body(body, "PullRequestReview")
    event = spec.get("event")
    if event is not None and event not in REVIEW_EVENTS:
        raise invalid_request(
            f"For 'properties/event', \"{event}\" is not one of "
            '["APPROVE", "REQUEST_CHANGES", "COMMENT"].'
        )
    comment_specs = spec.get("comments") or []
    if not isinstance(comment_specs, list) or not all(isinstance(c, dict) for c in comment_specs):
        raise invalid_request("For 'properties/comments', the value is not an array of objects.")
    diff = call.state.pull_diff(pull, commit)
    placements: list[tuple[Placement, str]] = []
    sentences: list[str] = []
    for comment_spec in comment_specs:
        missing = [f for f in ("path", "body") if not isinstance(comment_spec.get(f), str)]
        if missing:
            raise not_supplied(*missing)
        where = place(diff, comment_spec)
        if isinstance(where, list):
            sentences.extend(e.sentence for e in where if e.sentence not in sentences)
            continue
        placements.append((where, _check_body(comment_spec["body"], "PullRequestReviewComment")))
    if sentences:
        raise ApiError(422, "Unprocessable Entity", errors=[_sentence(sentences)])
    review = _new_review(
        call, pull, commit, body, REVIEW_EVENTS[event] if event is not None else "PENDING"
    )
    for where, comment_body in placements:
        comment = _new_comment(call, pull, review.id, commit, comment_body, where)
        call.state.review_comments[comment.id] = comment
    return json_answer(review_json(call.state, call.urls, review))


def list_reviews(call: Call) -> Answer:
    pull = pull_or_404(call)
    reviews = [
        r
        for r in sorted(call.state.reviews.values(), key=lambda r: r.id)
        if r.repo.lower() == pull.repo.lower() and r.number == pull.number
    ]
    page, headers = call.page(reviews)
    return json_answer([review_json(call.state, call.urls, r) for r in page], headers=headers)
