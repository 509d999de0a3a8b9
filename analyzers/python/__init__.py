"""The Python analyzer: libcst syntax to facts, one module walk per file.

Families (one module each) read the walked module and yield facts; they run
in `FAMILIES` order, observability first because later families ask whether
a function logs, measures or traces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import libcst as cst

from analyzers.extract import SourceFile, UnparsableSource
from analyzers.facts import Fact
from analyzers.python import (
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
)
from analyzers.python.context import PyContext
from analyzers.python.module import PyModule
from analyzers.python.prefilter import may_hold_facts
from analyzers.python.syntax import parse_module
from analyzers.python.values import Values

Family = Callable[[PyContext], Iterable[Fact]]
FAMILIES: tuple[Family, ...] = (
    observability.extract,
    http.extract,
    errors.extract,
    webhooks.extract,
    jobs.extract,
    routes.extract,
    handler_calls.extract,  # after routes: it reads the handlers routes found
    models.extract,
    external.extract,
    listeners.extract,
)


class PythonExtractor:
    def extract(self, source: SourceFile) -> Sequence[Fact]:
        if not may_hold_facts(source.path, source.text):
            return ()
        try:
            tree = parse_module(source.text)
        except cst.ParserSyntaxError as exc:
            raise UnparsableSource(f"libcst cannot parse it: {str(exc).splitlines()[0]}") from None
        module = PyModule(source.path, tree, source.text)
        ctx = PyContext(module, Values(module), source.service or "", source.text)
        facts: list[Fact] = []
        for family in FAMILIES:
            facts.extend(family(ctx))
        return facts
