"""What every JavaScript/TypeScript fact family reads: the module, values, the service."""

from __future__ import annotations

from dataclasses import dataclass, field

import tree_sitter as ts

from analyzers.facts import Location
from analyzers.javascript.module import JsModule
from analyzers.javascript.values import Values


@dataclass(eq=False)
class JsContext:
    module: JsModule
    values: Values
    service: str
    text: str
    # Filled by the observability family first: functions (by start byte) that log,
    # measure or trace.
    observed_functions: set[int] = field(default_factory=set)
    # Filled by the routes family: each route handler defined in this module, as the name
    # its `Endpoint.handler` gives it and its function node (`handler_calls` reads them).
    handlers: list[tuple[str, ts.Node]] = field(default_factory=list)

    def loc(self, node: ts.Node) -> Location:
        return self.module.location(node)

    def mentions(self, *words: str) -> bool:
        return any(word in self.text for word in words)
