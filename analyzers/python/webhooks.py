"""(being written)"""

from __future__ import annotations

from collections.abc import Iterator

from analyzers.facts import Fact
from analyzers.python.context import PyContext


def extract(ctx: PyContext) -> Iterator[Fact]:
    return iter(())
