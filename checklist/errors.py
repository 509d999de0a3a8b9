"""The one way merging a task file can fail."""

from __future__ import annotations


class ChecklistError(ValueError):
    """A task file's managed regions are broken, so a merge could lose a person's ticked box.

    The message is one line naming the marker and its 1-based line number, for a
    front end to print as it is.
    """

    def __init__(self, marker: str, line: int, problem: str) -> None:
        self.marker = marker
        self.line = line
        super().__init__(f"line {line}: {marker} {problem}")
