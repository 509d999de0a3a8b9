"""Just enough Markdown structure to check the report the way GitHub would read it."""

from __future__ import annotations

import re

FENCE = re.compile(r"^(`{3,})(\S*)$")


def sections(markdown: str) -> dict[str, str]:
    """`### ` headings to their bodies, ignoring headings inside fenced blocks."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line, fenced in lines_with_fence_state(markdown):
        if not fenced and line.startswith("### "):
            current = found.setdefault(line[4:], [])
        elif current is not None:
            current.append(line)
    return {title: "\n".join(body) for title, body in found.items()}


def lines_with_fence_state(markdown: str) -> list[tuple[str, bool]]:
    """Each line and whether it is inside (or delimits) a fenced code block (CommonMark rules)."""
    result: list[tuple[str, bool]] = []
    opening: str | None = None
    for line in markdown.split("\n"):
        match = FENCE.match(line)
        if opening is None and match:
            opening = match.group(1)
            result.append((line, True))
        elif opening is not None:
            result.append((line, True))
            if match and not match.group(2) and len(match.group(1)) >= len(opening):
                opening = None
        else:
            result.append((line, False))
    return result


def fenced_blocks(markdown: str, info: str) -> list[list[str]]:
    blocks: list[list[str]] = []
    opening: str | None = None
    for line in markdown.split("\n"):
        match = FENCE.match(line)
        if opening is None:
            if match and match.group(2) == info:
                opening = match.group(1)
                blocks.append([])
        elif match and not match.group(2) and len(match.group(1)) >= len(opening):
            opening = None
        else:
            blocks[-1].append(line)
    return blocks


def table_cells(row: str) -> list[str]:
    """GFM splits a row at every pipe not preceded by a backslash."""
    parts = re.split(r"(?<!\\)\|", row)
    assert parts[0].strip() == "" and parts[-1].strip() == "", row
    return [part.strip() for part in parts[1:-1]]


def tables(text: str) -> list[list[str]]:
    """Each table as its rows; a table is a run of lines starting with a pipe."""
    found: list[list[str]] = []
    previous_was_row = False
    for line in text.split("\n"):
        is_row = line.startswith("|")
        if is_row and not previous_was_row:
            found.append([])
        if is_row:
            found[-1].append(line)
        previous_was_row = is_row
    return found
