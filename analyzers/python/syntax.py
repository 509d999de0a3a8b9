"""Small, fast helpers over libcst trees: walking, literals, dotted names, line numbers.

libcst's own visitor rebuilds every node while it walks, and its position
metadata regenerates the module with bookkeeping on every token; measured on
site-packages, they cost 2x and 4x a bare parse. `descendants` walks the
dataclass fields directly (about 12x faster than a parse) and `LineIndex`
runs a plain code generation that notes token indices, of only the top-level
statements that hold the nodes asked about, only for the files that produce facts.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from typing import Any

import libcst as cst
from libcst._nodes.base import CSTNode
from libcst._nodes.internal import CodegenState

# Fields that only hold whitespace, punctuation or comments: never worth descending into.
_TRIVIA = (
    "whitespace",
    "leading_lines",
    "lines_after_decorators",
    "comma",
    "semicolon",
    "header",
    "footer",
    "lpar",
    "rpar",
    "newline",
    "trailing_whitespace",
    "empty_lines",
    "colon",
    "equal",
    "operator",
    "star",
    "dot",
    "lbracket",
    "rbracket",
    "lbrace",
    "rbrace",
    "arrow",
    "asynchronous",
)
_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def child_fields(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = tuple(
            f.name for f in dataclasses.fields(kind) if not any(t in f.name for t in _TRIVIA)
        )
        _FIELDS[kind] = names
    return names


# libcst checks every node it builds (`__post_init__` runs `_validate`), which is a third of
# a parse. The checks are for trees built by hand; a tree the parser builds from text holds
# them by construction. None: a libcst without that hook, parsed as it is.
_VALIDATE = CSTNode.__dict__.get("__post_init__")


def _unchecked(self: CSTNode) -> None:
    pass


def parse_module(text: str) -> cst.Module:
    """`cst.parse_module` without libcst's checks of each node, for a third less time.

    The hook is swapped back before this returns (or raises), so nodes built anywhere else,
    such as the fixes rules propose, are checked as usual. Extraction runs one file at a
    time per process; nothing builds nodes on another thread meanwhile.
    """
    if _VALIDATE is None:
        return cst.parse_module(text)
    CSTNode.__post_init__ = _unchecked  # type: ignore[method-assign]
    try:
        return cst.parse_module(text)
    finally:
        CSTNode.__post_init__ = _VALIDATE  # type: ignore[method-assign]


# Which types are libcst nodes: `isinstance(x, cst.CSTNode)` is an ABC check, slow enough to
# matter when it runs on every field of every node of a module.
_NODE_TYPES: dict[type, bool] = {}
# Where `descendants(..., into_defs=False)` stops.
_DEFS = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_DEF_TYPES: dict[type, bool] = {}


def is_node(value: object) -> bool:
    kind = type(value)
    found = _NODE_TYPES.get(kind)
    if found is None:
        found = _NODE_TYPES[kind] = isinstance(value, cst.CSTNode)
    return found


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    for name in child_fields(type(node)):
        value = getattr(node, name)
        if type(value) in (tuple, list):
            found.extend(item for item in value if is_node(item))
        elif is_node(value):
            found.append(value)
    return found


def descendants(node: cst.CSTNode, *, into_defs: bool = True) -> Iterator[cst.CSTNode]:
    """Every node below `node` (not `node` itself); optionally not into nested defs."""
    stack = children(node)
    while stack:
        current = stack.pop()
        yield current
        if not into_defs:
            kind = type(current)
            stops = _DEF_TYPES.get(kind)
            if stops is None:
                stops = _DEF_TYPES[kind] = isinstance(current, _DEFS)
            if stops:
                continue
        stack.extend(children(current))


def dotted(expr: cst.BaseExpression | None) -> str | None:
    """`a.b.c` for a chain of names and attributes; None for anything else."""
    parts: list[str] = []
    while isinstance(expr, cst.Attribute):
        parts.append(expr.attr.value)
        expr = expr.value
    if isinstance(expr, cst.Name):
        parts.append(expr.value)
        return ".".join(reversed(parts))
    return None


def literal(expr: cst.BaseExpression | None) -> Any:
    """The value of a literal (str, int, float, bool, None, tuples and lists of them).

    Returns the sentinel `UNKNOWN` for anything that is not a literal.
    """
    if isinstance(expr, cst.SimpleString):
        try:
            return expr.evaluated_value
        except (ValueError, SyntaxError):
            return UNKNOWN
    if isinstance(expr, cst.ConcatenatedString):
        left, right = literal(expr.left), literal(expr.right)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return UNKNOWN
    if isinstance(expr, cst.Integer):
        try:
            return int(expr.value.replace("_", ""), 0)
        except ValueError:
            return UNKNOWN
    if isinstance(expr, cst.Float):
        return float(expr.value.replace("_", ""))
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[expr.value]
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        value = literal(expr.expression)
        return -value if isinstance(value, int | float) else UNKNOWN
    if isinstance(expr, cst.Tuple | cst.List | cst.Set):
        values = [literal(e.value) for e in expr.elements if isinstance(e, cst.Element)]
        return UNKNOWN if any(v is UNKNOWN for v in values) else tuple(values)
    return UNKNOWN


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


def kwarg(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def has_kwarg(call: cst.Call, name: str) -> bool:
    return any(arg.keyword is not None and arg.keyword.value == name for arg in call.args)


def kwarg_given(call: cst.Call, name: str) -> bool | None:
    """Whether the call passes `name`: True, False, or None when it spreads a mapping
    (`**options`) that may hold it."""
    if has_kwarg(call, name):
        return True
    return None if any(arg.star == "**" for arg in call.args) else False


def positional(call: cst.Call, index: int) -> cst.BaseExpression | None:
    found = [a.value for a in call.args if a.keyword is None and not a.star]
    return found[index] if index < len(found) else None


def has_star_kwargs(call: cst.Call) -> bool:
    return any(a.star == "**" for a in call.args)


class _Span:
    """Notes the token indices around one node's code generation.

    A plain class rather than `@contextmanager`: it is entered for every node of
    the module, and a generator-based context manager costs several times more.
    """

    __slots__ = ("node", "start", "state")

    def __init__(self, state: _TokenIndexState, node: cst.CSTNode) -> None:
        self.state, self.node, self.start = state, node, len(state.tokens)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        self.state.spans[self.node] = (self.start, len(self.state.tokens))


class _TokenIndexState(CodegenState):
    """Code generation that notes, for every node, the token indices it spans."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.spans: dict[cst.CSTNode, tuple[int, int]] = {}

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _Span:
        return _Span(self, node)


class _Lines:
    """Line spans of the nodes of one code generation whose first token is on `first_line`."""

    __slots__ = ("line_at", "spans", "tokens")

    def __init__(self, state: _TokenIndexState, first_line: int) -> None:
        line = first_line
        line_at = []
        for token in state.tokens:
            line_at.append(line)
            line += token.count("\n")
        line_at.append(line)
        self.line_at, self.tokens, self.spans = line_at, state.tokens, state.spans

    def span(self, node: cst.CSTNode) -> tuple[int, int] | None:
        found = self.spans.get(node)
        if found is None:
            return None
        start, end = found
        # A module with no final newline drops that token after its last node noted its span.
        end = min(end, len(self.tokens))
        start = min(start, end)
        first = self.line_at[start]
        if end <= start:
            return (first, first)
        last_token = self.tokens[end - 1]
        last = self.line_at[end - 1] + last_token.rstrip("\n").count("\n")
        return (first, max(first, last))


class LineIndex:
    """1-based first and last line of any node of one module, computed on first use.

    With the module's text, only the top-level statement holding a node is generated
    again: `ast` (a C parser, a few milliseconds) says on which line each statement starts,
    and the generated code is checked against the text at that line. A module asked for
    the lines of a few classes or calls then costs a few statements, not the whole module
    (whose generation costs as much as its parse). Anything that does not check out falls
    back to generating the whole module once.
    """

    def __init__(self, module: cst.Module, text: str | None = None) -> None:
        self._module = module
        self._text = text
        self._whole: _Lines | None = None
        self._owners: dict[cst.CSTNode, int] | None = None  # node -> top-level statement
        self._starts: list[int] | None = None  # the line each top-level statement starts on
        self._line_offsets: list[int] = []
        self._statements: dict[int, _Lines | None] = {}

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        if self._whole is None and self._text is not None:
            found = self._statement_span(node)
            if found is not None:
                return found
        if self._whole is None:
            state = _TokenIndexState(self._module)
            self._module._codegen(state)
            self._whole = _Lines(state, 1)
        return self._whole.span(node) or (1, 1)

    def _statement_span(self, node: cst.CSTNode) -> tuple[int, int] | None:
        if self._owners is None:
            owners: dict[cst.CSTNode, int] = {}
            for position, statement in enumerate(self._module.body):
                owners[statement] = position
                for inner in descendants(statement):
                    owners[inner] = position
            self._owners = owners
        index = self._owners.get(node)
        if index is None:
            return None
        if index not in self._statements:
            self._statements[index] = self._statement_lines(index)
        lines = self._statements[index]
        if lines is None:
            self._text = None  # the text and the tree disagree: use the whole module
            return None
        return lines.span(node)

    def _statement_lines(self, index: int) -> _Lines | None:
        starts = self._statement_starts()
        if starts is None or self._text is None:
            return None
        statement = self._module.body[index]
        state = _TokenIndexState(self._module)
        statement._codegen(state)
        code = "".join(state.tokens)
        first = starts[index] - len(statement.leading_lines)
        if isinstance(statement, cst.FunctionDef | cst.ClassDef) and statement.decorators:
            first -= len(statement.decorators[0].leading_lines)
        offsets = self._line_offsets
        if first < 1 or first > len(offsets):
            return None
        stop = first - 1 + code.count("\n")
        at = offsets[first - 1]
        written = self._text[at : offsets[stop] if stop < len(offsets) else len(self._text)]
        if written.rstrip("\r\n") != code.rstrip("\r\n"):
            return None
        return _Lines(state, first)

    def _statement_starts(self) -> list[int] | None:
        if self._starts is not None:
            return self._starts
        text = self._text
        if text is None:
            return None
        try:
            body = ast.parse(text).body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        starts: list[int] = []
        at = 0
        for statement in self._module.body:
            if at >= len(body):
                return None
            first = body[at]
            if isinstance(first, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                starts.append(min([first.lineno, *(d.lineno for d in first.decorator_list)]))
            else:
                starts.append(first.lineno)
            at += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        if at != len(body):
            return None
        offsets = [0]
        found = text.find("\n")
        while found != -1:
            offsets.append(found + 1)
            found = text.find("\n", found + 1)
        self._line_offsets = offsets
        self._starts = starts
        return starts
