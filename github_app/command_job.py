"""A `/flow-review` command from a pull request comment.

`/flow-review` (review again now) is for people with write, maintain or admin permission,
asked of GitHub (the payload's `author_association` does not say it): the review is queued
as the web process queues one, through `queue.Enqueuer` with the same job id rules (a
review of the same head already queued or running is not queued twice, a finished one is
replaced), and the comment gets an eyes reaction. Queued rather than run here, so that a
command and a push arriving together do not review the same commit side by side.

Anyone gets an answer to `/flow-review help` and `/flow-review explain FLOW101`; anyone
else asking for a review gets a short refusal. Replies carry a hidden marker naming the
command's comment, so a retried job does not answer twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from github_app.api import RepositoryApi
from github_app.clients import bot_login, repository_api
from github_app.commands import (
    QUEUED_REACTION,
    CommandKind,
    may_trigger,
    parse_command,
    refusal_text,
    reply_text,
)
from github_app.context import WorkerContext
from github_app.events import ReviewJob
from github_app.queue import JobPolicy
from github_app.requeue import enqueue_review

REVIEW_TRIGGER: Final = "issue_comment./flow-review"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandTarget:
    installation_id: int
    repository: str
    number: int
    comment_id: int
    author: str
    command: str
    delivery: str


def reply_marker(comment_id: int) -> str:
    return f"<!-- flow-review:reply-to:{comment_id} -->"


def run_command(context: WorkerContext, target: CommandTarget, policy: JobPolicy) -> str:
    """Answer or act on the command; `policy` is what the review it queues gets."""
    command = parse_command(target.command)
    if command is None:
        return f"no command in {target.command[:60]!r}"
    with repository_api(context, target.installation_id, target.repository) as api:
        if command.kind is not CommandKind.REVIEW:
            text = reply_text(command)
            if text is not None:
                _reply(context, api, target, text)
            return f"answered {command.kind.value}"
        permission = api.permission(target.author)
        if not may_trigger(permission):
            _reply(context, api, target, refusal_text(target.author, permission))
            return f"refused {target.author} ({permission})"
        head_sha = api.pull_request(target.number).head_sha
        submission = enqueue_review(
            context,
            ReviewJob(
                installation_id=target.installation_id,
                repository=target.repository,
                number=target.number,
                head_sha=head_sha,
                trigger=REVIEW_TRIGGER,
            ),
            delivery=f"{target.delivery}:review",
            policy=policy,
        )
        api.react(target.comment_id, QUEUED_REACTION)
        states = ", ".join(f"{job.job_id} {job.state}" for job in submission.jobs)
        return f"review of {head_sha[:12]} for {target.author}: {states or 'already handled'}"


def _reply(context: WorkerContext, api: RepositoryApi, target: CommandTarget, text: str) -> None:
    marker = reply_marker(target.comment_id)
    login = bot_login(context, api)
    for comment in api.issue_comments(target.number):
        body = comment.get("body")
        user = comment.get("user")
        by_us = isinstance(user, dict) and user.get("login") == login
        if by_us and isinstance(body, str) and marker in body:
            return  # an earlier attempt of this job answered already
    api.create_issue_comment(target.number, f"{text}\n\n{marker}")
