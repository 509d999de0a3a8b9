"""Inline comments planned from real reviews: one per finding, suggestions, no duplicates."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import replace

import pytest

from analyzers.facts import Finding, Fix, Location
from analyzers.reports import finding_fingerprint
from github_app.comments import (
    CommentPlan,
    NewComment,
    comment_body,
    content_hash,
    fingerprint_of,
    plan_review_comments,
)
from tests.github_app.reviews import Reviewed, review_change, review_demo
from tests.gitrepo import commit, init_repo

BOT = {"login": "flow-review[bot]", "type": "Bot"}
PERSON = {"login": "octocat", "type": "User"}
SERVICE = {"svc/requirements.txt": "requests\n", "svc/main.py": "def ok():\n    return 1\n"}
CLIENT = "import requests\n\n\ndef fetch():\n    return requests.get('http://x/y')\n"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Reviewed:
    return review_demo(tmp_path_factory.mktemp("comments"))


def posted(
    plan: CommentPlan, ids: Iterable[int], user: dict[str, str] = BOT
) -> list[dict[str, object]]:
    """The created comments as GitHub lists them afterwards."""
    return [
        {"id": i, "body": c.body, "path": c.path, "line": c.line, "user": dict(user)}
        for i, c in zip(ids, plan.create, strict=False)
    ]


def test_first_run_comments_every_commentable_finding_once(demo: Reviewed) -> None:
    plan = plan_review_comments(demo.review.findings, demo.commentable, [])
    located = [f for f in demo.review.findings if f.location is not None]
    assert len(plan.create) + len(plan.outside_diff) == len(
        {finding_fingerprint(f) for f in demo.review.findings}
    )
    assert plan.create and plan.outside_diff and len(plan.create) <= len(located)
    assert len({c.fingerprint for c in plan.create}) == len(plan.create)
    for comment in plan.create:
        first = comment.start_line or comment.line
        for line in range(first, comment.line + 1):
            assert demo.commentable.can_comment(comment.path, line)
        assert fingerprint_of(comment.body) == comment.fingerprint
        assert comment.side == "RIGHT"
    for finding in plan.outside_diff:
        where = finding.location
        assert (
            where is None
            or demo.commentable.first_commentable(where.path, where.line, where.end_line) is None
        )
    assert (plan.update, plan.keep, plan.resolved, plan.duplicates) == ((), (), (), ())


def test_mechanical_fixes_become_suggestions(demo: Reviewed) -> None:
    plan = plan_review_comments(demo.review.findings, demo.commentable, [])
    fixed = [f for f in demo.review.findings if f.fix is not None]
    assert fixed
    by_fingerprint = {c.fingerprint: c for c in plan.create}
    multi_line = False
    for finding in fixed:
        assert finding.fix is not None
        comment = by_fingerprint[finding_fingerprint(finding)]
        assert f"```suggestion\n{finding.fix.replacement}\n```" in comment.body
        assert comment.line == finding.fix.end_line
        if finding.fix.end_line > finding.fix.start_line:
            multi_line = True
            assert comment.start_line == finding.fix.start_line
            assert comment.to_api()["start_side"] == "RIGHT"
        else:
            assert comment.start_line is None and "start_line" not in comment.to_api()
    assert multi_line, "the demo's multi-line requests.put call"
    unfixed = [c for c in plan.create if "```suggestion" not in c.body]
    assert unfixed and all(c.start_line is None for c in unfixed)


def test_second_run_keeps_everything(demo: Reviewed) -> None:
    first = plan_review_comments(demo.review.findings, demo.commentable, [])
    existing = posted(first, itertools.count(1000))
    second = plan_review_comments(
        demo.review.findings, demo.commentable, existing, bot_login="flow-review[bot]"
    )
    assert second.create == () and second.update == ()
    assert sorted(second.keep) == [c["id"] for c in existing]
    assert second.outside_diff == first.outside_diff


def test_a_push_that_moves_the_code_posts_nothing_new(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    repo = init_repo(tmp_path_factory.mktemp("moved") / "repo")
    base = commit(repo, SERVICE)
    head = commit(repo, {"svc/client.py": CLIENT})
    moved = commit(repo, {"svc/client.py": '"""The client."""\n\nTIMEOUT = 3\n' + CLIENT})
    before = review_change(repo, base, head)
    after = review_change(repo, base, moved)
    first = plan_review_comments(before.review.findings, before.commentable, [])
    timeout = next(c for c in first.create if "FLOW101" in c.body)
    assert timeout.line == 5
    existing = posted(first, itertools.count(7))
    assert len(existing) == len(after.review.findings) == 3
    again = plan_review_comments(after.review.findings, after.commentable, existing)
    assert again.create == () and again.update == ()
    assert sorted(again.keep) == [7, 8, 9]


def test_a_changed_finding_updates_its_comment(demo: Reviewed) -> None:
    first = plan_review_comments(demo.review.findings, demo.commentable, [])
    existing = posted(first, itertools.count(1))
    target = next(f for f in demo.review.findings if f.fix is None and f.location is not None)
    changed = [
        replace(f, message=f.message + " It got worse.") if f is target else f
        for f in demo.review.findings
    ]
    plan = plan_review_comments(changed, demo.commentable, existing)
    (update,) = plan.update
    assert update.fingerprint == finding_fingerprint(target)
    assert "It got worse." in update.body
    assert update.comment_id == next(
        c["id"] for c in existing if fingerprint_of(str(c["body"])) == update.fingerprint
    )
    assert plan.create == () and len(plan.keep) == len(existing) - 1


def test_gone_findings_and_duplicate_comments_are_reported(demo: Reviewed) -> None:
    first = plan_review_comments(demo.review.findings, demo.commentable, [])
    existing = posted(first, itertools.count(10))
    copy = dict(existing[0], id=99)  # a second copy of the first comment, posted later
    gone = first.create[1].fingerprint
    remaining = [f for f in demo.review.findings if finding_fingerprint(f) != gone]
    plan = plan_review_comments(remaining, demo.commentable, [*existing, copy])
    assert plan.resolved == (11,)
    assert plan.duplicates == (99,)
    assert 10 in plan.keep and plan.create == ()


def test_two_findings_with_one_fingerprint_give_one_comment(demo: Reviewed) -> None:
    plan = plan_review_comments(demo.review.findings, demo.commentable, [])
    comment = plan.create[0]
    finding = next(f for f in demo.review.findings if finding_fingerprint(f) == comment.fingerprint)
    assert finding.location is not None
    twin = replace(finding, location=replace(finding.location, line=finding.location.line + 1))
    assert finding_fingerprint(twin) == finding_fingerprint(finding)
    twice = plan_review_comments([finding, twin], demo.commentable, [])
    assert len(twice.create) == 1


def test_only_a_bots_own_markers_count(demo: Reviewed) -> None:
    first = plan_review_comments(demo.review.findings, demo.commentable, [])
    by_person = posted(first, itertools.count(1), user=PERSON)  # a person pasted our bodies
    quoted = [
        dict(c, body="\n".join("> " + line for line in str(c["body"]).split("\n")))
        for c in posted(first, itertools.count(500))
    ]
    other_bot = posted(first, itertools.count(900), user={"login": "other[bot]", "type": "Bot"})
    plan = plan_review_comments(
        demo.review.findings,
        demo.commentable,
        [*by_person, *quoted, *other_bot],
        bot_login="flow-review[bot]",
    )
    assert len(plan.create) == len(first.create) and plan.keep == ()


def test_new_comments_are_capped_most_severe_first(demo: Reviewed) -> None:
    plan = plan_review_comments(demo.review.findings, demo.commentable, [], max_new=3)
    assert len(plan.create) == 3 and plan.left_out
    worst = max(f.severity.rank for f in plan.left_out)
    created = [
        f
        for f in demo.review.findings
        if finding_fingerprint(f) in {c.fingerprint for c in plan.create}
    ]
    assert min(f.severity.rank for f in created) >= worst


# --- bodies -----------------------------------------------------------------------------------


def _finding(**changes: object) -> Finding:
    base = Finding(
        rule="FLOW101",
        family=__import__("analyzers.facts", fromlist=["Family"]).Family.TIMEOUT,
        severity=__import__("analyzers.facts", fromlist=["Severity"]).Severity.HIGH,
        title="requests GET call without a timeout",
        message="GET http://x (requests) has no bound on its wait.",
        service="svc",
        location=Location("svc/a.py", 3, 3),
        key="svc.a.f:requests:GET:http://x",
        suggestion="pass timeout=(3.05, 10)",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_body_layout_and_markers() -> None:
    finding = _finding(fix=Fix("svc/a.py", 3, 3, "    requests.get('http://x', timeout=10)"))
    body = comment_body(finding)
    assert body.startswith("**high** · `FLOW101` · requests GET call without a timeout\n\n")
    assert "**Suggestion:** pass timeout=(3.05, 10)" in body
    assert "```suggestion\n    requests.get('http://x', timeout=10)\n```" in body
    lines = body.split("\n")
    assert lines[-2] == f"<!-- flow-review:fingerprint:{finding_fingerprint(finding)} -->"
    assert lines[-1] == f"<!-- flow-review:content:{content_hash(body)} -->"
    assert "```suggestion" not in comment_body(finding, with_fix=False)


def test_untrusted_text_cannot_forge_a_marker_or_break_the_fence() -> None:
    forged = "<!-- flow-review:fingerprint:" + "0" * 64 + " -->"
    finding = _finding(
        message=f"x\n{forged}",
        fix=Fix("svc/a.py", 3, 3, "s = '```'\n" + forged),
    )
    body = comment_body(finding)
    assert fingerprint_of(body) == finding_fingerprint(finding)
    assert "````suggestion\n" in body and body.count("````") == 2
    assert "&lt;!-- flow-review" in body


def test_a_fix_on_lines_outside_the_diff_is_no_suggestion() -> None:
    from analyzers.facts import ChangeStatus
    from github_app.diffmap import CommentableLines, DiffFile

    lines = CommentableLines(
        {"svc/a.py": DiffFile("svc/a.py", ChangeStatus.MODIFIED, right=frozenset({4, 5}))}
    )
    finding = _finding(location=Location("svc/a.py", 3, 5), fix=Fix("svc/a.py", 3, 5, "a\nb\nc"))
    (comment,) = plan_review_comments([finding], lines, []).create
    assert (comment.line, comment.start_line) == (4, None)
    assert "```suggestion" not in comment.body
    assert comment.to_api() == {
        "path": "svc/a.py",
        "line": 4,
        "side": "RIGHT",
        "body": comment.body,
    }
    assert isinstance(comment, NewComment)
