"""The mechanical fix of a fetch or axios call without a timeout, for JavaScript and TypeScript.

`fetch(url)` and `fetch(url, { ... })` get `signal: AbortSignal.timeout(10_000)`;
an axios call gets `timeout: 10_000` in its config (a config object literal,
or a new last argument in the place axios reads it). Offered only where the
edit is certain: the call is the library's own (`fetch`, `axios`, or an
instance this file makes with `axios.create`), its span is exactly the
finding's lines, the options are an object literal on those lines with no
spread (which could already carry a signal or timeout), and the edited file
still parses without errors.
"""

from __future__ import annotations

import re

import tree_sitter as ts

from analyzers.facts import Fix
from analyzers.fixes import Edit, SourceLines, append_item
from analyzers.javascript.module import call_arguments, object_keys, text, unwrap
from analyzers.javascript.parsing import dialect, parser_for

FETCH_CALLEES = frozenset({"fetch", "globalThis.fetch", "window.fetch", "self.fetch"})
AXIOS_VERBS = frozenset({"get", "delete", "head", "options", "post", "put", "patch", "request"})
BODY_VERBS = frozenset({"post", "put", "patch"})
SIGNAL = "signal: AbortSignal.timeout(10_000)"
AXIOS_TIMEOUT = "timeout: 10_000"
MEMBERS = frozenset(
    {"pair", "shorthand_property_identifier", "spread_element", "method_definition"}
)


class JsTimeoutFixer:
    """Fixes for the calls of one file; the file is parsed once, on the first request."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = SourceLines(text)
        self._calls: dict[tuple[int, int], list[ts.Node]] | None = None
        self._instances: frozenset[str] | None = None

    def fix(self, line: int, end_line: int, library: str) -> Fix | None:
        if library not in ("fetch", "axios") or not self.lines.fixable:
            return None
        pairs = [
            (call, edits)
            for call in self._calls_at(line, end_line)
            if (edits := self._edits(call, library)) is not None
        ]
        if len(pairs) != 1:
            return None
        ((call, edits),) = pairs
        fix = self.lines.fix(self.path, line, end_line, edits)
        if fix is None:
            return None
        # The edits stay inside the call: the call, edited, must parse as an expression.
        edited = self.lines.edited_between(call.start_byte, call.end_byte, edits)
        statement = ("(" + edited + ");").encode("utf-8")
        if parser_for(dialect(self.path)).parse(statement).root_node.has_error:
            return None
        return fix

    def _calls_at(self, line: int, end_line: int) -> list[ts.Node]:
        if self._calls is None:
            self._calls = {}
            root = parser_for(dialect(self.path)).parse(self.lines.data).root_node
            if root.has_error:
                return []  # a file read in part: no edit can be checked
            stack = [root]
            while stack:
                node = stack.pop()
                if node.type == "call_expression":
                    span = (node.start_point[0] + 1, node.end_point[0] + 1)
                    self._calls.setdefault(span, []).append(node)
                stack.extend(node.children)
        return self._calls.get((line, end_line), [])

    def _edits(self, call: ts.Node, library: str) -> list[Edit] | None:
        callee = text(unwrap(call.child_by_field_name("function")))
        args = call_arguments(call)
        if library == "fetch":
            if callee not in FETCH_CALLEES or not args or len(args) > 2:
                return None
            if len(args) == 1:
                return self._append_argument(call, "{ " + SIGNAL + " }")
            return self._add_property(args[1], "signal", SIGNAL)
        verb = self._axios_verb(callee)
        if verb is None:
            return None
        config_at = 0 if verb in ("", "request") else (2 if verb in BODY_VERBS else 1)
        if len(args) == config_at + 1:
            return self._add_property(args[config_at], "timeout", AXIOS_TIMEOUT)
        if len(args) == config_at and config_at > 0:
            return self._append_argument(call, "{ " + AXIOS_TIMEOUT + " }")
        return None

    def _axios_verb(self, callee: str) -> str | None:
        """The method called on axios ("" for `axios(config)`), None for anything else."""
        if callee == "axios":
            return ""
        head, _, verb = callee.rpartition(".")
        if verb not in AXIOS_VERBS:
            return None
        if head == "axios" or head in self._axios_instances():
            return verb
        return None

    def _axios_instances(self) -> frozenset[str]:
        """Names this file binds to `axios.create(...)`."""
        if self._instances is None:
            self._instances = frozenset(
                re.findall(
                    r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;]+)?=\s*axios\.create\(",
                    self.lines.text,
                )
            )
        return self._instances

    def _append_argument(self, call: ts.Node, item: str) -> list[Edit] | None:
        arguments = call.child_by_field_name("arguments")
        if arguments is None or arguments.type != "arguments":
            return None  # a tagged template, say
        return self._append(arguments, [c for c in arguments.named_children], item)

    def _add_property(self, options: ts.Node, key: str, item: str) -> list[Edit] | None:
        obj = unwrap(options)
        if obj is None or obj.type != "object":
            return None  # options built elsewhere may already bound the wait
        members = [child for child in obj.named_children if child.type != "comment"]
        if any(m.type not in MEMBERS or m.type == "spread_element" for m in members):
            return None
        if key in object_keys(obj):
            return None
        if not members:
            return [Edit(obj.start_byte, "{ " + item + " }", obj.end_byte)]
        return self._append(obj, members, item)

    def _append(self, parent: ts.Node, items: list[ts.Node], item: str) -> list[Edit] | None:
        items = [node for node in items if node.type != "comment"]
        if not items:
            return None
        last = items[-1]
        closing = parent.children[-1]
        if closing.type not in (")", "}"):
            return None
        after = [
            c for c in parent.children if c.start_byte >= last.end_byte and c.type != "comment"
        ]
        comma_end = after[0].end_byte if after and after[0].type == "," else None
        return append_item(
            self.lines,
            last_start=last.start_byte,
            last_end=last.end_byte,
            comma_end=comma_end,
            close=closing.start_byte,
            item=item,
        )
