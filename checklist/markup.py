"""The markdown vocabulary that rendering and merging share: markers, item lines, escaping.

Everything a merge recognises is defined here once, so what the renderer writes
is by construction what the merger reads back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

CHECKLIST = "checklist"
FILES = "files"
REGION_KINDS = (CHECKLIST, FILES)


def start_marker(kind: str) -> str:
    return f"<!-- flow-review:{kind}:start -->"


def end_marker(kind: str) -> str:
    return f"<!-- flow-review:{kind}:end -->"


# --- lines ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a file and the exact bytes that ended it, so it can be written back as read."""

    content: str
    ending: str  # "\r\n", "\n", or "" for a last line without one

    @property
    def raw(self) -> str:
        return self.content + self.ending


def split_lines(text: str) -> list[Line]:
    # Only "\n" ends a line, as for git: str.splitlines would also split on form
    # feeds and Unicode separators and so rewrite bytes a person wrote.
    lines: list[Line] = []
    pieces = text.split("\n")
    for piece in pieces[:-1]:
        if piece.endswith("\r"):
            lines.append(Line(piece[:-1], "\r\n"))
        else:
            lines.append(Line(piece, "\n"))
    if pieces[-1]:
        lines.append(Line(pieces[-1], ""))
    return lines


def newline_of(lines: list[Line]) -> str:
    """The file's line ending, taken from its first line that has one; LF for a new file."""
    return next((line.ending for line in lines if line.ending), "\n")


# --- inline text ------------------------------------------------------------------------------

_RESOLVED_PREFIX = "(resolved in "
# The look-behind lets an item's own text say "(resolved in ...)" once escaped
# (see `item_text`) without being mistaken for the annotation a merge adds.
_RESOLVED_RE = re.compile(r"(?<!\\)\(resolved in [^()]*\)$")


def inline_text(text: str) -> str:
    """One markdown line of `text` that cannot open or close an HTML comment.

    An unclosed `<!--` would hide the rest of the file on GitHub, and a
    well-formed one could forge a marker; the entities render as the same
    characters.
    """
    flat = " ".join(text.split())
    return flat.replace("<!--", "&lt;!--").replace("-->", "--&gt;")


def item_text(text: str) -> str:
    """An item's text as written into the checklist region."""
    # A backslash before the parenthesis renders the same in markdown but keeps
    # a finding's text from passing for the resolved annotation, which would
    # otherwise untick a person's box on every merge.
    escaped = inline_text(text).replace(_RESOLVED_PREFIX, "\\" + _RESOLVED_PREFIX)
    return escaped or "(no description)"


def resolved_annotation(head: str | None) -> str:
    short = re.sub(r"[^0-9A-Za-z._/-]", "", (head or "")[:7])
    return f"{_RESOLVED_PREFIX}{short or 'working tree'})"


def is_resolved(text: str) -> bool:
    return _RESOLVED_RE.search(text) is not None


def code_span(text: str) -> str:
    """`text` as an inline code span that renders it verbatim and stays on one line."""
    # Paths may hold control characters (git allows even newlines), which would
    # end the line and could start a forged marker line.
    visible = "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )
    longest = max((len(run) for run in re.findall(r"`+", visible)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each end when both are present, and a
    # backtick next to the fence would merge with it; padding undoes both.
    pad = " " if visible[:1] in ("`", " ") or visible[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{visible}{pad}{fence}"


# --- checklist item lines ---------------------------------------------------------------------

# Ids are percent-encoded so that any id round-trips and none can end the
# comment early (`>` is encoded) or split the marker (whitespace is encoded).
_ID_SAFE = "!#$&'()*+,-./:;=?@[]^_{|}~"
_ITEM_RE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<bullet>[-*+])[ \t]+\[(?P<tick>[ xX])\][ \t]+(?P<text>.*?)[ \t]*"
    r"<!-- flow-review:item=(?P<id>\S*) -->[ \t]*$"
)


@dataclass(frozen=True, slots=True)
class ItemLine:
    indent: str
    bullet: str
    tick: str  # " ", "x" or "X", as the person left it
    text: str
    item_id: str

    @property
    def ticked(self) -> bool:
        return self.tick != " "

    def format(self) -> str:
        return (
            f"{self.indent}{self.bullet} [{self.tick}] {self.text} "
            f"<!-- flow-review:item={quote(self.item_id, safe=_ID_SAFE)} -->"
        )


def parse_item(content: str) -> ItemLine | None:
    match = _ITEM_RE.match(content)
    if match is None:
        return None
    return ItemLine(
        indent=match["indent"],
        bullet=match["bullet"],
        tick=match["tick"],
        text=match["text"],
        item_id=unquote(match["id"]),
    )
