"""(being written)"""

from __future__ import annotations

from collections.abc import Sequence

from analyzers.facts import FileFacts


def compose_endpoints(files: Sequence[FileFacts]) -> tuple[FileFacts, ...]:
    return tuple(files)
