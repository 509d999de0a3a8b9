"""Issue comments on pull requests (every issue here is a pull request) and their reactions."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from tests.github_emulator.calls import Answer, Call, json_answer
from tests.github_emulator.errors import (
    ApiError,
    invalid_request,
    not_found,
    not_supplied,
    validation_failed,
)
from tests.github_emulator.representations import (
    REACTION_CONTENTS,
    issue_comment_json,
    reaction_json,
)
from tests.github_emulator.state import IssueComment, PullRequest, Reaction

MAX_BODY = 65536


def _issue_or_404(call: Call) -> PullRequest:
    # Every issue of the emulated GitHub is a pull request.
    pull = call.state.find_pull(call.repo.full_name, call.int_param("issue_number"))
    if pull is None:
        raise not_found()
    return pull


def _body(call: Call) -> str:
    body = call.json_object().get("body")
    if not isinstance(body, str):
        raise not_supplied("body")
    if len(body) > MAX_BODY:
        raise validation_failed(
            {
                "resource": "IssueComment",
                "code": "unprocessable",
                "field": "data",
                "message": f"Body is too long (maximum is {MAX_BODY} characters)",
            }
        )
    return body


def list_issue_comments(call: Call) -> Answer:
    pull = _issue_or_404(call)
    since_text = call.arg("since")
    since = None
    if since_text:
        try:
            since = datetime.fromisoformat(since_text.replace("Z", "+00:00"))
        except ValueError as error:
            raise ApiError(422, f"Invalid since: {since_text}") from error
    comments = [
        c
        for c in sorted(call.state.issue_comments.values(), key=lambda c: c.id)
        if c.repo.lower() == pull.repo.lower()
        and c.number == pull.number
        and (since is None or c.updated_at >= since)
    ]
    page, headers = call.page(comments)
    return json_answer(
        [issue_comment_json(call.state, call.urls, c) for c in page], headers=headers
    )


def create_issue_comment(call: Call) -> Answer:
    pull = _issue_or_404(call)
    comment = IssueComment(
        id=call.state.new_id(),
        repo=pull.repo,
        number=pull.number,
        user=call.state.app.bot_login,
        body=_body(call),
        created_at=call.now,
        updated_at=call.now,
        via_app=True,
    )
    call.state.issue_comments[comment.id] = comment
    return json_answer(issue_comment_json(call.state, call.urls, comment), status=201)


def _comment_or_404(call: Call) -> IssueComment:
    comment = call.state.issue_comments.get(call.int_param("comment_id"))
    if comment is None or comment.repo.lower() != call.repo.full_name.lower():
        raise not_found()
    return comment


def get_issue_comment(call: Call) -> Answer:
    return json_answer(issue_comment_json(call.state, call.urls, _comment_or_404(call)))


def update_issue_comment(call: Call) -> Answer:
    comment = _comment_or_404(call)
    updated = replace(comment, body=_body(call), updated_at=call.now)
    call.state.issue_comments[comment.id] = updated
    return json_answer(issue_comment_json(call.state, call.urls, updated))


def create_reaction(call: Call) -> Answer:
    comment = _comment_or_404(call)
    content = call.json_object().get("content")
    if content is None:
        raise not_supplied("content")
    if content not in REACTION_CONTENTS:
        choices = ", ".join(f'"{c}"' for c in REACTION_CONTENTS)
        raise invalid_request(
            f"For 'properties/content', {json.dumps(content)} is not one of [{choices}]."
        )
    user = call.state.app.bot_login
    for reaction in call.state.reactions.values():
        if (
            reaction.comment_id == comment.id
            and reaction.user == user
            and reaction.content == content
        ):
            return json_answer(reaction_json(call.state, call.urls, reaction), status=200)
    reaction = Reaction(
        id=call.state.new_id(),
        comment_id=comment.id,
        user=user,
        content=content,
        created_at=call.now,
    )
    call.state.reactions[reaction.id] = reaction
    return json_answer(reaction_json(call.state, call.urls, reaction), status=201)


def list_reactions(call: Call) -> Answer:
    comment = _comment_or_404(call)
    wanted = call.arg("content")
    reactions = [
        r
        for r in sorted(call.state.reactions.values(), key=lambda r: r.id)
        if r.comment_id == comment.id and (wanted is None or r.content == wanted)
    ]
    page, headers = call.page(reactions)
    return json_answer([reaction_json(call.state, call.urls, r) for r in page], headers=headers)
