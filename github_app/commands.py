"""`/flow-review` commands in pull request comments: parsing them and the replies, no I/O.

The first line of a comment that starts with `/flow-review` (outside fenced code
blocks) is the command; every other line is ignored. The commands:

- `/flow-review`: review the pull request again now (acknowledged with an eyes
  reaction, no reply);
- `/flow-review help`: the list of commands;
- `/flow-review explain FLOW101`: a rule's documentation, from the rule class
  itself (the same text as `docs/rules.md`); the code is case-insensitive and
  a rule's name works too.

Anything else is answered with "unknown command" and the help. Only people
with write, maintain or admin permission may start a review (`may_trigger`);
the worker asks GitHub for the commenter's permission, since a payload's
`author_association` does not say it.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analyzers.reports.markdown import code, inline
from analyzers.rules import ALL_RULES
from analyzers.rules.base import Rule
from analyzers.rules.reference import rule_reference
from github_app.command_line import COMMAND, find_command_line

QUEUED_REACTION = "eyes"  # the reaction on a command comment once its review is queued
MAX_ECHO = 60  # characters of a person's input quoted back in a reply
TRIGGERING_PERMISSIONS = frozenset({"admin", "maintain", "write"})


class CommandKind(enum.StrEnum):
    REVIEW = "review"
    HELP = "help"
    EXPLAIN = "explain"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Command:
    kind: CommandKind
    argument: str = ""  # the rule asked about, or the text of an unknown command

    @property
    def triggers_review(self) -> bool:
        return self.kind is CommandKind.REVIEW


def parse_command(text: str) -> Command | None:
    """The command of a comment (or of its command line alone); None when it holds none."""
    line = find_command_line(text)
    if line is None:
        return None
    rest = line[len(COMMAND) :].strip()
    if not rest:
        return Command(CommandKind.REVIEW)
    word, *arguments = rest.split()
    if word.lower() == "help":
        return Command(CommandKind.HELP)
    if word.lower() == "explain":
        # The rule is the first word: "explain FLOW101 please" still explains FLOW101.
        return Command(CommandKind.EXPLAIN, arguments[0] if arguments else "")
    return Command(CommandKind.UNKNOWN, rest)


def may_trigger(permission: str) -> bool:
    """Whether a collaborator permission may start a review: admin, maintain or write.

    Takes either field of GitHub's "get repository permissions for a user" answer:
    `permission` (admin, write, read, none) or `role_name` (admin, maintain, write, triage,
    read, or a custom role's name, which is refused as its rights are not known here).
    """
    return permission.strip().lower() in TRIGGERING_PERMISSIONS


# --- replies ----------------------------------------------------------------------------------


def reply_text(command: Command, rules: Sequence[type[Rule]] = ALL_RULES) -> str | None:
    """The reply comment a command gets; None for a review, acknowledged by a reaction."""
    if command.kind is CommandKind.REVIEW:
        return None
    if command.kind is CommandKind.HELP:
        return help_text()
    if command.kind is CommandKind.EXPLAIN:
        return explain_text(command.argument, rules)
    return f"Unknown command: {code(_echo(COMMAND + ' ' + command.argument))}.\n\n" + help_text()


def help_text() -> str:
    return "\n".join(
        [
            "**Flow Review commands**, on a line of their own in a pull request comment:",
            "",
            "| Command | What it does |",
            "| --- | --- |",
            "| `/flow-review` | Review this pull request again now |",
            "| `/flow-review help` | Show this help |",
            "| `/flow-review explain FLOW101` | Explain a rule: what it finds, why it matters, "
            "how to fix it |",
            "",
            "Only people with write, maintain or admin permission on the repository can start "
            "a review. The rules are listed with `flow-review rules` and in `docs/rules.md`.",
        ]
    )


def explain_text(asked: str, rules: Sequence[type[Rule]] = ALL_RULES) -> str:
    """A rule's documentation, or an answer naming the codes closest to what was asked."""
    if not asked.strip():
        return (
            "Which rule? For example `/flow-review explain FLOW101`. The rules: "
            + ", ".join(rule.code for rule in _ordered(rules))
            + "."
        )
    rule = find_rule(asked, rules)
    if rule is None:
        close = close_codes(asked, rules)
        hint = (
            "Did you mean " + _or(close) + "?"
            if close
            else "The rules: " + ", ".join(r.code for r in _ordered(rules)) + "."
        )
        return f"{code(_echo(asked))} is not a Flow Review rule. {hint}"
    return _explanation(rule)


def explain_rules_text(codes: Iterable[str], rules: Sequence[type[Rule]] = ALL_RULES) -> str:
    """The documentation of several rules (a check run's "Explain" button), in code order."""
    wanted = {c.strip().upper() for c in codes}
    chosen = [rule for rule in _ordered(rules) if rule.code in wanted]
    if not chosen:
        return "This review has no findings, so there is no rule to explain."
    return "\n\n---\n\n".join(_explanation(rule) for rule in chosen)


def refusal_text(login: str, permission: str) -> str:
    """The reply to someone who may not start a review."""
    shown = permission.strip().lower() or "none"
    return (
        f"@{inline(login)} only people with write, maintain or admin permission on this "
        f"repository can start a Flow Review; your permission is {code(_echo(shown))}. "
        "Ask a maintainer to comment `/flow-review`."
    )


def find_rule(asked: str, rules: Sequence[type[Rule]] = ALL_RULES) -> type[Rule] | None:
    """The rule with this code (any case) or name."""
    wanted = asked.strip().lower()
    for rule in rules:
        if wanted in (rule.code.lower(), rule.name):
            return rule
    return None


def close_codes(asked: str, rules: Sequence[type[Rule]] = ALL_RULES) -> list[str]:
    """Up to three codes close to `asked`, as code or name; nearest first."""
    wanted = asked.strip()
    by_code = difflib.get_close_matches(wanted.upper(), [r.code for r in rules], n=3, cutoff=0.6)
    names = {rule.name: rule.code for rule in rules}
    by_name = difflib.get_close_matches(wanted.lower(), list(names), n=3, cutoff=0.6)
    return list(dict.fromkeys([*by_code, *(names[name] for name in by_name)]))[:3]


def _explanation(rule: type[Rule]) -> str:
    text = "\n".join(rule_reference(rule, level=3))
    return (
        f"{text}\n\nTo switch this rule off for the repository, add `disable: [{rule.code}]` "
        "to `.github/flow-review.yml` on the default branch."
    )


def _ordered(rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    return sorted(rules, key=lambda rule: rule.code)


def _echo(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_ECHO else flat[: MAX_ECHO - 1] + "…"


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
