"""Real engine reviews of real git repositories, as the worker makes them, for builder tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analyzers.config import Config
from analyzers.diff import parse_diff
from analyzers.engine import ReviewRequest, review
from analyzers.facts import Review
from flow_review.demo import example_folder, example_repo
from flow_review.git import GitRepo
from github_app.diffmap import CommentableLines, commentable_lines


@dataclass(frozen=True)
class Reviewed:
    repo: Path
    base: str
    head: str
    diff: str
    review: Review

    @property
    def commentable(self) -> CommentableLines:
        return commentable_lines(self.diff)


def review_change(repo: Path, base: str, head: str, config: Config | None = None) -> Reviewed:
    with GitRepo(repo) as git:
        diff = git.diff(base, head)
        result = review(
            ReviewRequest(
                head=git.snapshot(head),
                base=git.snapshot(base),
                changes=parse_diff(diff),
                config=config or Config(),
            )
        )
    return Reviewed(repo, base, head, diff, result)


def review_demo(folder: Path) -> Reviewed:
    """The bundled example's change (`flow-review demo`), committed in a new repository."""
    repo = folder / "marketplace"
    base, head = example_repo(example_folder(), repo)
    return review_change(repo, base, head)
