"""What every Python fact family reads: the walked module, value resolution, the service."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from analyzers.facts import Location
from analyzers.python.module import FunctionInfo, PyModule
from analyzers.python.values import Values


@dataclass(eq=False)
class PyContext:
    module: PyModule
    values: Values
    service: str
    text: str
    # Filled by the observability family first; read by the families after it.
    observed_functions: set[FunctionInfo] = field(default_factory=set)
    # Filled by the routes family: the `Endpoint.handler` of every route it found, in order
    # (`handler_calls` reads the ones defined in this module).
    handlers: dict[str, None] = field(default_factory=dict)
    _sources: dict[cst.CSTNode, str] = field(default_factory=dict)

    def loc(self, node: cst.CSTNode) -> Location:
        return self.module.location(node)

    def def_loc(self, function: FunctionInfo) -> Location:
        """A function's location from its `def` line (not its first decorator) to its end."""
        whole = self.module.location(function.node)
        return Location(whole.path, self.module.location(function.node.name).line, whole.end_line)

    def callee(self, call: cst.Call, function: FunctionInfo | None) -> str:
        return self.module.qualified(call.func, function)

    def mentions(self, *words: str) -> bool:
        return any(word in self.text for word in words)

    def source(self, node: cst.CSTNode) -> str:
        """The code of a node, generated once per node (rules of thumb read function texts)."""
        found = self._sources.get(node)
        if found is None:
            found = self._sources[node] = self.module.module.code_for_node(node)
        return found
