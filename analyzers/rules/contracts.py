"""What the contract rules (FLOW301-FLOW305) share: which breaks a change made, and where.

A diff review reports a broken link or a contract issue only when the change
made it: the same call at base (its counterpart in the graph delta) was fine.
A break that was there before is the whole-repo review's to report.

A finding points at the side the change touched, so that it lands on the
pull request's lines: the server's field when the server changed, the
client's call or type when the client did; its message names the other side.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, ClassVar

from analyzers.facts import Finding, Location, Severity
from analyzers.graph.contracts import ContractIssue
from analyzers.graph.linking import BROKEN, MATCHED, Link
from analyzers.rules.base import Rule, Scope

if TYPE_CHECKING:
    from analyzers.context import ReviewContext


def where(location: Location) -> str:
    return f"{location.path}:{location.line}"


def fresh_issues(ctx: ReviewContext, link: Link) -> tuple[ContractIssue, ...]:
    """The link's contract issues that its base counterpart did not have."""
    change = ctx.graph.change_of(link)
    return change.new_issues if change is not None else link.issues


def newly_broken(ctx: ReviewContext, link: Link) -> bool:
    change = ctx.graph.change_of(link)
    return change.newly_broken if change is not None else link.status in BROKEN


def anchor(ctx: ReviewContext, issue: ContractIssue, link: Link) -> Location:
    """The server's side when the change touched it, else the client's."""
    if ctx.whole_repo:
        return issue.client
    if ctx.touches_changed_lines(issue.server):
        return issue.server
    if ctx.touches_changed_lines(issue.client):
        return issue.client
    if ctx.touches_changed_lines(link.call.location):
        return link.call.location
    return issue.server if ctx.touches_changed_file(issue.server) else issue.client


def issue_key(link: Link, issue: ContractIssue) -> str:
    service, path, function, method, target = link.key
    return f"{service}:{function or path}:{method}:{target}:{issue.kind}:{issue.field}"


def describe(link: Link, issue: ContractIssue) -> str:
    """The issue as a sentence naming both sides, with file and line."""
    call = link.call
    endpoint = link.endpoint
    route = f"{endpoint.method} {endpoint.path}" if endpoint is not None else link.path
    return (
        f"{call.service} {issue.detail}. Client: {call.method} {link.path} at "
        f"{where(call.location)}"
        + (f" (the field at {where(issue.client)})" if issue.client != call.location else "")
        + f"; server: {link.target.name} {route} at "
        + (where(endpoint.location) if endpoint is not None else "?")
        + (
            f" (declared at {where(issue.server)})"
            if endpoint is not None and issue.server != endpoint.location
            else ""
        )
        + "."
    )


class ContractRule(Rule):
    """A rule over the contract issues of matched links: each subclass owns some issue kinds."""

    scope = Scope.CHANGE
    # issue kind -> (title, severity, suggestion)
    KINDS: ClassVar[Mapping[str, tuple[str, Severity, str]]] = {}

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        for link in ctx.graph.head.links:
            if link.status != MATCHED or not link.issues:
                continue
            for issue in fresh_issues(ctx, link):
                spec = self.KINDS.get(issue.kind)
                if spec is None:
                    continue
                title, severity, suggestion = spec
                yield self.finding(
                    title=title.format(field=issue.field, target=link.target.name),
                    message=describe(link, issue),
                    key=issue_key(link, issue),
                    service=link.call.service,
                    location=anchor(ctx, issue, link),
                    suggestion=suggestion,
                    severity=severity,
                )
