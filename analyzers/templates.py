"""URL templates: a string as far as the code fixes it, named placeholders for the rest.

`{AI_ENGINE_URL}/api/v1/match`, with `AI_ENGINE_URL`'s default in the code noted
beside it. Both language analyzers build these; the linker reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SAFE = re.compile(r"[^A-Za-z0-9_.\-\[\]]+")


@dataclass(frozen=True)
class Template:
    text: str
    defaults: tuple[tuple[str, str], ...] = ()  # placeholder -> default value in the code

    def __add__(self, other: Template) -> Template:
        return Template(self.text + other.text, self.defaults + other.defaults)

    @property
    def resolved(self) -> bool:
        return "{" not in self.text


def placeholder(name: str) -> Template:
    """A named hole: `{user_id}`, `{settings.jobs_url}`; never a guessed value."""
    return Template("{" + (_SAFE.sub("_", name).strip("_") or "value") + "}")
