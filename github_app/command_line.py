"""Where a comment holds a `/flow-review` command: one rule for the web process (which
decides whether to queue) and the worker (which parses the command), with no imports
beyond the standard library, so the web process loads nothing of the engine for it."""

from __future__ import annotations

import re
from typing import Final

COMMAND: Final = "/flow-review"

_COMMAND_LINE = re.compile(r"^[ \t]*/flow-review(?=$|[ \t])(?P<rest>.*?)[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


def find_command_line(text: str) -> str | None:
    """The first line starting with `/flow-review`, outside fenced code blocks, stripped."""
    fence: str | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        opening = _FENCE.match(line)
        if fence is not None:
            stripped = line.strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                fence = None
            continue
        if opening is not None:
            fence = opening.group(1)
            continue
        found = _COMMAND_LINE.match(line)
        if found is not None:
            return (COMMAND + found.group("rest")).strip()
    return None
