"""The `.tasks/` checklist of a pull request: its path, the merge, ticks kept, no commit loop."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from analyzers.config import Config, parse_config
from analyzers.diff import parse_diff
from analyzers.engine import ReviewRequest, review
from analyzers.facts import Review
from checklist import ChecklistError
from flow_review.demo import example_folder, example_repo
from flow_review.git import GitRepo
from github_app.taskfile import (
    CHECKLIST_COMMENT_MARKER,
    checklist_comment_body,
    is_checklist_comment,
    is_own_task_file,
    merged_task_file,
    task_file_path,
    without_own_task_file,
)
from tests.gitrepo import commit, git

NUMBER = 12
TITLE = "Rescore jobs weekly"
OWN = ".tasks/in-review/flow-review-pr-12.md"


def _review(repo: Path, base: str, head: str, config: Config, *, drop_own: bool) -> Review:
    with GitRepo(repo) as real:
        changes = parse_diff(real.diff(base, head))
        if drop_own:
            changes = without_own_task_file(changes, config, NUMBER)
        return review(
            ReviewRequest(
                head=real.snapshot(head), base=real.snapshot(base), changes=changes, config=config
            )
        )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str, Review]:
    repo = tmp_path_factory.mktemp("taskfile") / "repo"
    base, head = example_repo(example_folder(), repo)
    return repo, base, head, _review(repo, base, head, Config(), drop_own=True)


def _tick_first(text: str) -> str:
    return text.replace("- [ ] ", "- [x] ", 1)


# --- the path ---------------------------------------------------------------------------------


def test_path_defaults_to_the_config_template() -> None:
    assert task_file_path(Config(), NUMBER, ["src/a.py", ".tasks/notes.txt"]) == OWN
    custom = parse_config("task_file: docs/reviews/pr-{number}.md\n")
    assert task_file_path(custom, 7, []) == "docs/reviews/pr-7.md"
    assert is_own_task_file(custom, 7, "docs/reviews/pr-7.md")
    assert not is_own_task_file(custom, 8, "docs/reviews/pr-7.md")


def test_a_task_file_the_pull_request_changes_gets_the_section() -> None:
    changed = ["src/a.py", ".tasks/TASK-9-sync.md", ".tasks/TASK-7-api.MD", "tasks/x.md"]
    assert task_file_path(Config(), NUMBER, changed) == ".tasks/TASK-7-api.MD"
    # The app's own file, once committed, stays the one it writes.
    assert task_file_path(Config(), NUMBER, [*changed, OWN]) == OWN


# --- merging into the pull request's branch ---------------------------------------------------


def test_new_file_then_unchanged(demo: tuple[Path, str, str, Review]) -> None:
    *_, result = demo
    text = merged_task_file(None, result, NUMBER, TITLE)
    assert text is not None
    assert text.startswith(f"# Integration review: #{NUMBER} {TITLE}\n")
    assert text.count("- [ ] ") == len({item.id for item in result.checklist})
    assert merged_task_file(text, result, NUMBER, TITLE) is None


def test_ticks_and_notes_of_a_person_survive(demo: tuple[Path, str, str, Review]) -> None:
    *_, result = demo
    text = merged_task_file(None, result, NUMBER, TITLE)
    assert text is not None
    edited = _tick_first(text) + "\n## Notes\n\nAsked the AI team about the new field.\n"
    assert merged_task_file(edited, result, NUMBER, TITLE) is None
    # A later review drops one finding and keeps the rest: the tick and the notes stay.
    later = replace(result, checklist=result.checklist[1:], head="c" * 40)
    merged = merged_task_file(edited, later, NUMBER, TITLE)
    assert merged is not None
    assert "Asked the AI team about the new field." in merged
    ticked_id = result.checklist[0].id
    (line,) = [line for line in merged.split("\n") if f"item={ticked_id} " in line]
    # The person's tick stays, and the item says the later review no longer finds it.
    assert line.startswith("- [x] ") and "(resolved in ccccccc)" in line
    assert merged.count("- [x] ") == 1


def test_a_persons_own_task_file_gets_flow_review_sections(
    demo: tuple[Path, str, str, Review],
) -> None:
    *_, result = demo
    person = "# TASK-7: API v2\n\nWhat we change and why.\n\n- [x] agree on the field names\n"
    merged = merged_task_file(person, result, NUMBER, TITLE)
    assert merged is not None and merged.startswith(person)
    assert "## Acceptance Criteria (Flow Review)" in merged
    assert merged_task_file(merged, result, NUMBER, TITLE) is None


def test_broken_markers_are_an_error_not_a_rewrite(demo: tuple[Path, str, str, Review]) -> None:
    *_, result = demo
    text = merged_task_file(None, result, NUMBER, TITLE)
    assert text is not None
    broken = "\n".join(line for line in text.split("\n") if ":end -->" not in line)
    with pytest.raises(ChecklistError):
        merged_task_file(broken, result, NUMBER, TITLE)


def test_the_commit_of_the_task_file_starts_no_loop(demo: tuple[Path, str, str, Review]) -> None:
    """Review, commit the merged file to the branch, review the new head: nothing to commit."""
    repo, base, head, first = demo
    git(repo, "checkout", "--quiet", "-b", "pr-12", head)
    changed = [c.path for c in first.changes]
    path = task_file_path(Config(), NUMBER, changed)
    text = merged_task_file(None, first, NUMBER, TITLE)
    assert path == OWN and text is not None
    committed = commit(repo, {path: text}, "Flow Review checklist")
    second = _review(repo, base, committed, Config(), drop_own=True)
    with GitRepo(repo) as real:
        changed_now = [c.path for c in parse_diff(real.diff(base, committed))]
    again_path = task_file_path(Config(), NUMBER, changed_now)
    assert again_path == path
    assert merged_task_file(text, second, NUMBER, TITLE) is None
    # A person ticks a box in the file: that commit's review commits nothing either.
    ticked = commit(repo, {path: _tick_first(text)}, "done with one")
    third = _review(repo, base, ticked, Config(), drop_own=True)
    assert merged_task_file(_tick_first(text), third, NUMBER, TITLE) is None


# --- the comment for forks and read-only installations ----------------------------------------


def test_checklist_comment_is_edited_in_place_keeping_ticks(
    demo: tuple[Path, str, str, Review],
) -> None:
    *_, result = demo
    body = checklist_comment_body(result, None)
    assert body is not None and body.startswith(CHECKLIST_COMMENT_MARKER + "\n")
    assert checklist_comment_body(result, body) is None
    # Ticking a box in GitHub's UI edits the comment, which comes back with CRLF line ends.
    ticked = _tick_first(body).replace("\n", "\r\n")
    assert checklist_comment_body(result, ticked) is None
    later = replace(result, checklist=result.checklist[2:], head="d" * 40)
    updated = checklist_comment_body(later, ticked)
    assert updated is not None and updated.startswith(CHECKLIST_COMMENT_MARKER + "\r\n")
    assert updated.count("- [x] ") == 2  # the person's tick and one resolved item...
    assert updated.count("(resolved in ddddddd)") == 2  # ...both dropped items resolved
    assert "\n" not in updated.replace("\r\n", "")


def test_checklist_comment_with_broken_markers_is_written_afresh(
    demo: tuple[Path, str, str, Review],
) -> None:
    *_, result = demo
    body = checklist_comment_body(result, None)
    assert body is not None
    broken = "\n".join(line for line in body.split("\n") if ":end -->" not in line)
    fresh = checklist_comment_body(result, broken)
    assert fresh == body


def test_finding_the_checklist_comment() -> None:
    bot = {"login": "flow-review[bot]", "type": "Bot"}
    ours = {"id": 1, "body": CHECKLIST_COMMENT_MARKER + "\n# x", "user": bot}
    assert is_checklist_comment(ours)
    assert is_checklist_comment(ours, "flow-review[bot]")
    assert not is_checklist_comment(ours, "other[bot]")
    person = dict(ours, user={"login": "octocat", "type": "User"})
    assert not is_checklist_comment(person)
    quoted = dict(ours, body="> " + str(ours["body"]))
    assert not is_checklist_comment(quoted)
