"""Run the engine over in-memory trees, the way rule examples describe a change."""

from __future__ import annotations

from collections.abc import Sequence

from analyzers.config import CONFIG_PATH, Config, parse_config
from analyzers.diff import diff_snapshots
from analyzers.engine import ReviewRequest, review
from analyzers.extract import Extractors
from analyzers.facts import Review
from analyzers.rules.base import Example, Rule
from analyzers.snapshot import MemorySnapshot


def review_example(
    example: Example,
    rules: Sequence[type[Rule]],
    extractors: Extractors | None = None,
) -> Review:
    config = parse_config(example.config, CONFIG_PATH) if example.config else Config()
    head = MemorySnapshot(example.head, rev="h" * 40)
    if example.base is None:
        return review(ReviewRequest(head=head, config=config), rules=rules, extractors=extractors)
    base = MemorySnapshot(example.base, rev="b" * 40)
    request = ReviewRequest(head=head, base=base, changes=diff_snapshots(base, head), config=config)
    return review(request, rules=rules, extractors=extractors)
