"""The mechanical fix of a Python HTTP call without a timeout: `timeout=10` as its last argument.

Offered only where the edit is certain: a requests, httpx or urllib call whose
span is exactly the finding's lines, with no `*args`/`**kwargs` that could
already carry a timeout, no bare generator argument, and nothing but commas
and comments after its last argument. `timeout=None` on the call itself
becomes `timeout=10`. The edited file must still parse, or there is no fix.
"""

from __future__ import annotations

import ast

from analyzers.facts import Fix
from analyzers.fixes import Edit, SourceLines, append_item

LIBRARIES = frozenset({"requests", "httpx", "urllib"})
CALL_NAMES = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "urlopen"}
)
TIMEOUT = "timeout=10"


class PythonTimeoutFixer:
    """Fixes for the calls of one file; the file is parsed once, on the first request."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = SourceLines(text)
        self._calls: dict[tuple[int, int], list[ast.Call]] | None = None

    def fix(self, line: int, end_line: int, library: str) -> Fix | None:
        if library not in LIBRARIES or not self.lines.fixable:
            return None
        call = self._call_at(line, end_line)
        if call is None:
            return None
        edits = self._edits(call)
        if edits is None:
            return None
        fix = self.lines.fix(self.path, line, end_line, edits)
        if fix is None:
            return None
        # The edits stay inside the call: the call, edited, must parse as an expression.
        start = self.lines.offset(call.lineno, call.col_offset)
        stop = self.lines.offset(call.end_lineno or call.lineno, call.end_col_offset or 0)
        try:
            ast.parse("(" + self.lines.edited_between(start, stop, edits) + "\n)", mode="eval")
        except (SyntaxError, ValueError, RecursionError):
            return None
        return fix

    def _call_at(self, line: int, end_line: int) -> ast.Call | None:
        if self._calls is None:
            self._calls = {}
            try:
                tree = ast.parse(self.lines.text)
            except (SyntaxError, ValueError, RecursionError):
                return None
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and node.end_lineno is not None:
                    self._calls.setdefault((node.lineno, node.end_lineno), []).append(node)
        candidates = self._calls.get((line, end_line), [])
        if len(candidates) == 1:
            return candidates[0]  # the extractor found a client call here: this is it
        named = [call for call in candidates if _last_name(call.func) in CALL_NAMES]
        return named[0] if len(named) == 1 else None

    def _edits(self, call: ast.Call) -> list[Edit] | None:
        if any(isinstance(arg, ast.Starred | ast.GeneratorExp) for arg in call.args):
            return None  # *args may hold the timeout; a bare generator must stay alone
        if any(keyword.arg is None for keyword in call.keywords):
            return None  # **kwargs may hold the timeout
        for keyword in call.keywords:
            if keyword.arg == "timeout":
                value = keyword.value
                if isinstance(value, ast.Constant) and value.value is None:
                    start = self._offset(value.lineno, value.col_offset)
                    end = self._offset(value.end_lineno, value.end_col_offset)
                    if self.lines.data[start:end] == b"None":
                        return [Edit(start, "10", end)]
                return None
        arguments: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
        if not arguments:
            return None
        last = max(arguments, key=lambda node: (node.end_lineno or 0, node.end_col_offset or 0))
        last_start = self._offset(last.lineno, last.col_offset)
        last_end = self._offset(last.end_lineno, last.end_col_offset)
        close = self._offset(call.end_lineno, call.end_col_offset) - 1
        if self.lines.data[close : close + 1] != b")":
            return None
        readable, comma_end = _trailing_comma(self.lines.data[last_end:close])
        if not readable:
            return None
        return append_item(
            self.lines,
            last_start=last_start,
            last_end=last_end,
            comma_end=None if comma_end is None else last_end + comma_end,
            close=close,
            item=TIMEOUT,
        )

    def _offset(self, line: int | None, column: int | None) -> int:
        return self.lines.offset(line or 1, column or 0)


def _last_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _trailing_comma(between: bytes) -> tuple[bool, int | None]:
    """Where a trailing comma ends in the text between the last argument and `)`.

    (True, None) when there is no comma; (False, None) when something other than one
    comma, blanks, comments and line continuations is there (a parenthesised argument).
    """
    comma: int | None = None
    at = 0
    while at < len(between):
        char = between[at : at + 1]
        if char == b"#":
            newline = between.find(b"\n", at)
            at = len(between) if newline == -1 else newline
        elif char == b",":
            if comma is not None:
                return False, None
            comma = at + 1
            at += 1
        elif char in (b" ", b"\t", b"\n", b"\\", b"\f"):
            at += 1
        else:
            return False, None
    return True, comma
