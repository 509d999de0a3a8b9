"""The `task_file` config key: the path template of the GitHub App's checklist."""

from __future__ import annotations

import pytest

from analyzers.config import DEFAULT_TASK_FILE, Config, parse_config
from analyzers.errors import ConfigError


def test_default_and_custom_template() -> None:
    assert Config().task_file == DEFAULT_TASK_FILE
    assert Config().task_file_for(42) == ".tasks/in-review/flow-review-pr-42.md"
    config = parse_config('fail_on: high\ntask_file: "docs/reviews/PR-{number:04d}.md"\n')
    assert config.task_file_for(7) == "docs/reviews/PR-0007.md"
    assert parse_config("task_file: .tasks/review.md\n").task_file_for(3) == ".tasks/review.md"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"a/{foo}.md"', "may hold only the placeholder {number}"),
        ('"a/{}.md"', "may hold only the placeholder {number}"),
        ('"a/{number.real}.md"', "may hold only the placeholder {number}"),
        ('"a/{number.md"', "may hold only the placeholder {number}"),
        ("a/b.txt", "is not a Markdown file (.md)"),
        ('""', "is not a Markdown file (.md)"),
        ('"/etc/{number}.md"', "is not a plain path relative to the repository"),
        ("a/../../b.md", "is not a plain path relative to the repository"),
        ("a//b.md", "is not a plain path relative to the repository"),
        ('"a\\\\b.md"', "is not a plain path relative to the repository"),
        (".git/hooks/x.md", "is inside .git"),
        ("[a.md]", "expected a single value"),
    ],
)
def test_bad_templates_are_one_line_errors(value: str, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(f"exclude: []\ntask_file: {value}\n")
    message = str(raised.value)
    assert message.startswith(".github/flow-review.yml:2: task_file: ")
    assert problem in message and "\n" not in message
