"""The JavaScript/TypeScript analyzer: tree-sitter syntax to facts, one query per file.

tree-sitter rather than esprima: esprima 4.0.1 (its last release, 2018) reads no
TypeScript and rejects modern JavaScript (optional chaining, `??`, class
fields); tree-sitter reads `.js .jsx .mjs .cjs .ts .tsx`, keeps going past
syntax errors (the file is then marked partial), and parses several times
faster. Families run in `FAMILIES` order, observability first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from analyzers.extract import SourceFile
from analyzers.facts import Fact
from analyzers.javascript import (
    errors,
    external,
    http,
    jobs,
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
    webhooks.extract,
    jobs.extract,
    external.extract,
    models.extract,
    wrappers.extract,
]


class JavaScriptExtractor:
    def extract(self, source: SourceFile) -> Sequence[Fact]:
        # A Next.js route file is one by its path alone; it may name no framework at all.
        if not may_hold_facts(source.text) and not routes.is_route_file(source.path):
            return ()
        data = source.text.encode("utf-8")
        module = JsModule(source.path, data, dialect(source.path))
        ctx = JsContext(module, Values(module), source.service or "", source.text)
        facts: list[Fact] = []
        for family in FAMILIES:
            facts.extend(family(ctx))
        return facts
