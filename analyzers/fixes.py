"""Mechanical fixes as text edits at byte offsets, turned into a `Fix` of whole lines.

A rule that can repair its finding by inserting text (a timeout argument, an
option) finds the byte offsets with its language's parser and hands the edits
here; the `Fix` it gets back replaces the call's lines with their new text,
which is what a GitHub suggestion block needs. Only LF files are fixed: a
suggestion quotes whole lines, and a stray carriage return would show up in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analyzers.facts import Fix


@dataclass(frozen=True, slots=True)
class Edit:
    """Bytes `start`..`end` of the UTF-8 source replaced by `text`; an insertion when empty."""

    start: int
    text: str
    end: int | None = None  # None: the same as start

    @property
    def stop(self) -> int:
        return self.start if self.end is None else self.end


class SourceLines:
    """A source's UTF-8 bytes and where each of its lines starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode("utf-8")
        starts = [0]
        at = self.data.find(b"\n")
        while at != -1:
            starts.append(at + 1)
            at = self.data.find(b"\n", at + 1)
        self.starts = starts

    @property
    def fixable(self) -> bool:
        return "\r" not in self.text

    def offset(self, line: int, column: int) -> int:
        """Byte offset of 1-based `line` and 0-based byte `column`."""
        return self.starts[line - 1] + column

    def line_of(self, offset: int) -> int:
        """The 1-based line holding byte `offset`."""
        low, high = 0, len(self.starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1

    def line_start(self, line: int) -> int:
        return self.starts[line - 1]

    def line_end(self, line: int) -> int:
        """Offset of the line's newline (or of the end of the text for the last line)."""
        end = self.data.find(b"\n", self.starts[line - 1])
        return len(self.data) if end == -1 else end

    def indent_before(self, offset: int) -> str | None:
        """The whitespace before `offset` on its line, None when anything else precedes it."""
        start = self.starts[self.line_of(offset) - 1]
        before = self.data[start:offset]
        return before.decode("utf-8") if before.strip() == b"" else None

    def edited(self, edits: Sequence[Edit]) -> str:
        """The whole text with the edits made; they must not overlap."""
        return self.edited_between(0, len(self.data), edits)

    def edited_between(self, start: int, stop: int, edits: Sequence[Edit]) -> str:
        """Bytes `start`..`stop` with the edits made; they must fall inside and not overlap.

        What a fix's check parses: the edited call alone, not its whole file again (a file
        with a thousand calls to fix would otherwise be parsed a thousand times).
        """
        out = bytearray()
        last = start
        for edit in sorted(edits, key=lambda e: e.start):
            out += self.data[last : edit.start] + edit.text.encode("utf-8")
            last = edit.stop
        out += self.data[last:stop]
        return out.decode("utf-8")

    def fix(self, path: str, start_line: int, end_line: int, edits: Sequence[Edit]) -> Fix | None:
        """Lines `start_line`..`end_line` with the edits made; None unless all fall inside them."""
        first, last = self.line_start(start_line), self.line_end(end_line)
        if not edits or any(not first <= e.start <= e.stop <= last for e in edits):
            return None
        region = SourceLines(self.data[first:last].decode("utf-8"))
        moved = [Edit(e.start - first, e.text, e.stop - first) for e in edits]
        return Fix(path, start_line, end_line, region.edited(moved))


def append_item(
    lines: SourceLines,
    *,
    last_start: int,
    last_end: int,
    comma_end: int | None,
    close: int,
    item: str,
) -> list[Edit]:
    """The edits that add `item` after the last item of a comma-separated list.

    `last_start`/`last_end` span the list's last item, `comma_end` is the offset just after
    a trailing comma (None without one) and `close` the offset of the closing bracket. The
    list keeps its layout: one item per line stays one item per line, with the same indent
    and the same trailing-comma habit; anything else gets `, item` inline.
    """
    indent = lines.indent_before(last_start)
    closes_below = lines.line_of(close) > lines.line_of(comma_end or last_end)
    if indent is not None and closes_below:
        anchor = comma_end if comma_end is not None else last_end
        end_of_line = lines.line_end(lines.line_of(anchor))
        if comma_end is not None:
            return [Edit(end_of_line, f"\n{indent}{item},")]
        # A comment after the last item stays on its line: the comma goes before it.
        return [Edit(last_end, ","), Edit(end_of_line, f"\n{indent}{item}")]
    if comma_end is not None:
        return [Edit(comma_end, f" {item},")]
    return [Edit(last_end, f", {item}")]


def apply_fix(text: str, fix: Fix) -> str:
    """`text` with the fix's lines replaced; the inverse of what a suggestion block does."""
    lines = text.split("\n")
    new = fix.replacement.split("\n")
    return "\n".join(lines[: fix.start_line - 1] + new + lines[fix.end_line :])
