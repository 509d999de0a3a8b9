"""The JavaScript/TypeScript analyzer: tree-sitter syntax to facts, one query per file.

tree-sitter rather than esprima: esprima 4.0.1 (its last release, 2018) reads no
TypeScript and rejects modern JavaScript (optional chaining, `??`, class
fields); tree-sitter reads `.js .jsx .mjs .cjs .ts .tsx`, keeps going past
syntax errors (the file is then marked partial), and parses several times
faster. Families run in `FAMILIES` order, observability first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import tree_sitter as ts

from analyzers.extract import Extraction, SourceFile
from analyzers.facts import Fact
from analyzers.javascript import (
    errors,
    external,
    handler_calls,
    http,
    jobs,
    listeners,
    models,
    observability,
    routes,
    webhooks,
    wrappers,
)
from analyzers.javascript.context import JsContext
from analyzers.javascript.module import JsModule
from analyzers.javascript.parsing import dialect
from analyzers.javascript.prefilter import may_hold_facts
from analyzers.javascript.values import Values

Family = Callable[[JsContext], Iterable[Fact]]
FAMILIES: list[Family] = [
    observability.extract,
    http.extract,
    errors.extract,
    routes.extract,
    handler_calls.extract,  # after routes: it reads the handlers routes found
    webhooks.extract,
    jobs.extract,
    external.extract,
    models.extract,
    wrappers.extract,
    listeners.extract,
]


class JavaScriptExtractor:
    def extract(self, source: SourceFile) -> Sequence[Fact] | Extraction:
        # A Next.js route file is one by its path alone; it may name no framework at all.
        if not may_hold_facts(source.text) and not routes.is_route_file(source.path):
            return ()
        data = source.text.encode("utf-8")
        module = JsModule(source.path, data, dialect(source.path))
        ctx = JsContext(module, Values(module), source.service or "", source.text)
        facts: list[Fact] = []
        for family in FAMILIES:
            facts.extend(family(ctx))
        if module.partial:
            return Extraction(facts, partial=first_syntax_error(module.root))
        return facts


def first_syntax_error(root: ts.Node) -> str:
    """Where tree-sitter first gave up, as a reason a reader can find in the file."""
    cursor = root.walk()
    while True:
        node = cursor.node
        if node is not None and (node.is_error or node.is_missing):
            what = f"missing {node.type}" if node.is_missing else "unexpected syntax"
            return f"syntax error at line {node.start_point[0] + 1} ({what}); facts read around it"
        if node is not None and node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return "syntax errors; facts read around them"
