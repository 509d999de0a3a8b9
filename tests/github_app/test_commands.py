"""`/flow-review` comments: parsing, the replies, and who may start a review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzers.rules import ALL_RULES
from analyzers.rules.reference import render_reference
from github_app.commands import (
    QUEUED_REACTION,
    Command,
    CommandKind,
    close_codes,
    explain_rules_text,
    explain_text,
    find_rule,
    help_text,
    may_trigger,
    parse_command,
    refusal_text,
    reply_text,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "tests" / "data" / "github-webhook-examples"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/flow-review", Command(CommandKind.REVIEW)),
        ("  /flow-review  ", Command(CommandKind.REVIEW)),
        ("Thanks!\n\n/flow-review\r\nmore text", Command(CommandKind.REVIEW)),
        ("/flow-review help", Command(CommandKind.HELP)),
        ("/flow-review HELP me", Command(CommandKind.HELP)),
        ("/flow-review explain FLOW101", Command(CommandKind.EXPLAIN, "FLOW101")),
        ("/flow-review\texplain\tflow101 please", Command(CommandKind.EXPLAIN, "flow101")),
        ("/flow-review explain", Command(CommandKind.EXPLAIN, "")),
        ("/flow-review rerun now", Command(CommandKind.UNKNOWN, "rerun now")),
        # Only the first command line counts.
        ("/flow-review help\n/flow-review", Command(CommandKind.HELP)),
        # Fenced lines are quoted code, not commands.
        ("```\n/flow-review help\n```\n/flow-review", Command(CommandKind.REVIEW)),
        ("~~~~\n/flow-review\n~~~\n/flow-review\n~~~~\n", None),
        ("> /flow-review", None),
        ("please run /flow-review", None),
        ("/flow-reviewer", None),
        ("", None),
    ],
)
def test_parse(body: str, expected: Command | None) -> None:
    assert parse_command(body) == expected


def test_parses_the_example_comment_payloads() -> None:
    """GitHub's own `issue_comment` examples hold no command; with one added, it is found."""
    payloads = json.loads((EXAMPLES / "issue_comment.json").read_text(encoding="utf-8"))
    for payload in payloads if isinstance(payloads, list) else [payloads]:
        body = payload["comment"]["body"] or ""
        assert parse_command(body) is None
        assert parse_command(body + "\n/flow-review explain flow302") == Command(
            CommandKind.EXPLAIN, "flow302"
        )


def test_review_is_acknowledged_by_a_reaction_not_a_reply() -> None:
    command = parse_command("/flow-review")
    assert command is not None and command.triggers_review
    assert reply_text(command) is None
    assert QUEUED_REACTION == "eyes"  # one of the reactions GitHub's API accepts
    for other in ("/flow-review help", "/flow-review explain FLOW101", "/flow-review x"):
        parsed = parse_command(other)
        assert parsed is not None and not parsed.triggers_review


def test_help_lists_every_command() -> None:
    text = help_text()
    for command in ("`/flow-review`", "`/flow-review help`", "`/flow-review explain FLOW101`"):
        assert command in text
    assert reply_text(Command(CommandKind.HELP)) == text


def test_unknown_command_answers_with_the_help() -> None:
    reply = reply_text(Command(CommandKind.UNKNOWN, "deploy `now` @everyone"))
    assert reply is not None
    assert reply.startswith("Unknown command: ``/flow-review deploy `now` @everyone``.")
    assert reply.endswith(help_text())


@pytest.mark.parametrize("asked", ["FLOW101", "flow101", "Flow101", "call-without-timeout"])
def test_explain_uses_the_rule_reference(asked: str) -> None:
    text = explain_text(asked)
    rule = find_rule("FLOW101")
    assert rule is not None
    assert text.startswith("### FLOW101 call-without-timeout\n\n" + rule.docs().summary)
    for heading in ("What it finds", "Why it matters", "Example", "Fix"):
        assert f"#### {heading}\n\n{rule.docs().sections[heading]}" in text
    # The same words as docs/rules.md, which is generated from the same class.
    assert rule.docs().sections["Fix"] in render_reference(ALL_RULES)
    assert "disable: [FLOW101]" in text


def test_explain_an_unknown_code_names_the_closest() -> None:
    text = explain_text("FLOW11")
    assert text.startswith("`FLOW11` is not a Flow Review rule. Did you mean ")
    assert "FLOW101" in text
    assert close_codes("FLOW10") and all(c.startswith("FLOW10") for c in close_codes("FLOW10"))
    assert close_codes("call-without-timeou")[0] == "FLOW101"
    nothing = explain_text("zzz")
    assert "is not a Flow Review rule. The rules: FLOW001" in nothing
    assert "Which rule?" in explain_text("")
    long = explain_text("x" * 500)
    assert len(long) < 800  # the person's input is not echoed in full


def test_explain_button_explains_the_rules_of_a_review() -> None:
    text = explain_rules_text(["FLOW302", "flow101", "FLOW101", "FLOW999"])
    assert text.index("### FLOW101") < text.index("### FLOW302")
    assert text.count("### FLOW101 ") == 1
    assert "no rule to explain" in explain_rules_text([])


@pytest.mark.parametrize(
    ("permission", "allowed"),
    [
        ("admin", True),
        ("maintain", True),
        ("write", True),
        ("WRITE", True),
        (" write ", True),
        ("triage", False),
        ("read", False),
        ("none", False),
        ("", False),
        ("security-reviewer", False),  # a custom role: its rights are not known here
    ],
)
def test_may_trigger(permission: str, allowed: bool) -> None:
    assert may_trigger(permission) is allowed


def test_refusal_names_the_person_and_their_permission() -> None:
    text = refusal_text("octocat", "read")
    assert text.startswith("@octocat only people with write, maintain or admin permission")
    assert "`read`" in text
    assert "`none`" in refusal_text("octocat", "")
