"""One Python module, walked once: its imports, assignments, classes, functions and calls.

This is the cheap name-resolution pass that stands in for libcst's scope and
qualified-name providers (about 8x slower than a bare parse): imports and
aliases, assignments per scope (module, class attributes through `self`,
function locals, `with ... as`), and annotations. It is flow-insensitive, the
last binding of a name wins, which is what the code a reviewer reads means
in practice. Resolution is lazy, so a use before the binding still resolves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from analyzers.facts import Location
from analyzers.modules import module_name
from analyzers.python.syntax import LineIndex, children, descendants, dotted

Loop = cst.For | cst.While


@dataclass(eq=False)
class Scope:
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified name
    values: dict[str, cst.BaseExpression] = field(default_factory=dict)  # last assigned value
    annotations: dict[str, cst.BaseExpression] = field(default_factory=dict)


@dataclass(eq=False)
class ClassInfo:
    node: cst.ClassDef
    qualname: str
    bases: list[cst.BaseExpression]
    keywords: dict[str, cst.BaseExpression]  # class keywords (metaclass=..., total=...)
    scope: Scope = field(default_factory=Scope)  # class-level assignments
    attrs: dict[str, cst.BaseExpression] = field(default_factory=dict)  # self.x = ... in methods
    methods: dict[str, FunctionInfo] = field(default_factory=dict)


@dataclass(eq=False)
class FunctionInfo:
    node: cst.FunctionDef
    qualname: str
    cls: ClassInfo | None
    parent: FunctionInfo | None
    scope: Scope = field(default_factory=Scope)
    calls: list[CallSite] = field(default_factory=list)
    excepts: list[ExceptSite] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)

    @property
    def decorators(self) -> list[cst.BaseExpression]:
        return [d.decorator for d in self.node.decorators]

    @property
    def is_async(self) -> bool:
        return self.node.asynchronous is not None

    def params(self) -> list[cst.Param]:
        p = self.node.params
        return [*p.posonly_params, *p.params, *p.kwonly_params]


@dataclass(eq=False)
class CallSite:
    node: cst.Call
    function: FunctionInfo | None
    loops: tuple[Loop, ...]  # enclosing loops, outermost first, within the same function
    trys: tuple[cst.Try, ...]  # try statements whose body holds the call
    in_except: bool  # the call is inside an except clause


@dataclass(eq=False)
class ExceptSite:
    node: cst.ExceptHandler
    try_node: cst.Try
    function: FunctionInfo | None


@dataclass(frozen=True)
class Resolved:
    """A qualified name, and the call that made the instance at its head, if any.

    `httpx.Client().get` for `client.get` where `client = httpx.Client(timeout=3)`,
    with `origin` that constructor call, so its arguments can be read.
    """

    name: str
    origin: cst.Call | None = None


class PyModule:
    def __init__(self, path: str, module: cst.Module, text: str | None = None) -> None:
        self.path = path
        self.module = module
        self.name = module_name(path)
        self.is_package = path.endswith("__init__.py")
        self.scope = Scope()
        self.classes: list[ClassInfo] = []
        self.functions: list[FunctionInfo] = []
        self.calls: list[CallSite] = []
        self.excepts: list[ExceptSite] = []
        self.lines = LineIndex(module, text)
        _Walker(self).walk_body(module.body, None, None)

    # --- locations -------------------------------------------------------------------------

    def location(self, node: cst.CSTNode) -> Location:
        first, last = self.lines.span(node)
        return Location(self.path, first, last)

    # --- name resolution -------------------------------------------------------------------

    def scopes(self, function: FunctionInfo | None) -> Iterator[Scope]:
        while function is not None:
            yield function.scope
            function = function.parent
        yield self.scope

    def lookup(self, name: str, function: FunctionInfo | None) -> cst.BaseExpression | None:
        """The last value bound to a plain name visible from `function`."""
        for scope in self.scopes(function):
            if name in scope.values:
                return scope.values[name]
        return None

    def resolve(
        self, expr: cst.BaseExpression | None, function: FunctionInfo | None, depth: int = 0
    ) -> Resolved | None:
        """The qualified name `expr` refers to, through imports, aliases and instances."""
        if expr is None or depth > 8:
            return None
        if isinstance(expr, cst.Call):
            inner = self.resolve(expr.func, function, depth + 1)
            return Resolved(inner.name + "()", expr) if inner else None
        if isinstance(expr, cst.Await):
            return self.resolve(expr.expression, function, depth + 1)
        name = dotted(expr)
        if name is None:
            if isinstance(expr, cst.Attribute):
                inner = self.resolve(expr.value, function, depth + 1)
                return Resolved(f"{inner.name}.{expr.attr.value}", inner.origin) if inner else None
            return None
        head, _, rest = name.partition(".")
        suffix = "." + rest if rest else ""
        if head in ("self", "cls") and function is not None and function.cls is not None:
            attr, _, tail = rest.partition(".")
            bound = function.cls.attrs.get(attr) or function.cls.scope.values.get(attr)
            annotation = function.cls.scope.annotations.get(attr)
            if bound is not None and attr:
                inner = self.resolve(bound, function, depth + 1)
                if inner:
                    return Resolved(inner.name + ("." + tail if tail else ""), inner.origin)
            if annotation is not None and attr:
                inner = self.resolve(annotation, function, depth + 1)
                if inner:
                    return Resolved(inner.name + "()" + ("." + tail if tail else ""), None)
            if attr in function.cls.methods:
                return Resolved(f"{self.name}.{function.cls.qualname}.{rest}")
            return Resolved(name)
        for scope in self.scopes(function):
            if head in scope.imports:
                return Resolved(scope.imports[head] + suffix)
            if head in scope.values:
                value = scope.values[head]
                if isinstance(value, cst.Name) and value.value == head:
                    break
                inner = self.resolve(value, function, depth + 1)
                if inner is None:
                    return None
                return Resolved(inner.name + suffix, inner.origin)
            if head in scope.annotations:
                inner = self.resolve(scope.annotations[head], function, depth + 1)
                if inner is None:
                    return None
                return Resolved(inner.name + "()" + suffix, None)
        for cls in self.classes:
            if cls.qualname == head:
                return Resolved(f"{self.name}.{name}")
        for fn in self.functions:
            if fn.qualname == head and fn.parent is None and fn.cls is None:
                return Resolved(f"{self.name}.{name}")
        return Resolved(name)

    def qualified(self, expr: cst.BaseExpression | None, function: FunctionInfo | None) -> str:
        resolved = self.resolve(expr, function)
        return resolved.name if resolved else ""

    def absolute(self, module: str, level: int) -> str:
        """The absolute module of a relative import in this module."""
        if level == 0:
            return module
        parts = self.name.split(".")
        keep = len(parts) - level + (1 if self.is_package else 0)
        base = ".".join(parts[: max(keep, 0)])
        return f"{base}.{module}".strip(".") if module else base


class _Walker:
    """Records every binding and call with the context a rule needs."""

    def __init__(self, module: PyModule) -> None:
        self.m = module

    def scope_of(self, function: FunctionInfo | None, cls: ClassInfo | None) -> Scope:
        if function is not None:
            return function.scope
        if cls is not None:
            return cls.scope
        return self.m.scope

    def walk_body(
        self,
        body: object,
        function: FunctionInfo | None,
        cls: ClassInfo | None,
        loops: tuple[Loop, ...] = (),
        trys: tuple[cst.Try, ...] = (),
        in_except: bool = False,
    ) -> None:
        statements = body if isinstance(body, tuple | list) else getattr(body, "body", ())
        if isinstance(statements, cst.BaseSuite):
            statements = getattr(statements, "body", ())
        for statement in statements:
            self.statement(statement, function, cls, loops, trys, in_except)

    def statement(
        self,
        node: cst.CSTNode,
        function: FunctionInfo | None,
        cls: ClassInfo | None,
        loops: tuple[Loop, ...],
        trys: tuple[cst.Try, ...],
        in_except: bool,
    ) -> None:
        walk = self.walk_body
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                self.small(small, function, cls)
                self.expressions(small, function, loops, trys, in_except)
        elif isinstance(node, cst.FunctionDef):
            self.function_def(node, function, cls)
        elif isinstance(node, cst.ClassDef):
            self.class_def(node, function, cls)
        elif isinstance(node, cst.Try | cst.TryStar):
            try_node = node if isinstance(node, cst.Try) else None
            inner = (*trys, try_node) if try_node is not None else trys
            walk(node.body, function, cls, loops, inner, in_except)
            for handler in node.handlers:
                if try_node is not None and isinstance(handler, cst.ExceptHandler):
                    site = ExceptSite(handler, try_node, function)
                    self.m.excepts.append(site)
                    if function is not None:
                        function.excepts.append(site)
                    if handler.name is not None and isinstance(handler.name.name, cst.Name):
                        self.scope_of(function, cls).values.setdefault(
                            handler.name.name.value, handler.type or cst.Name("BaseException")
                        )
                if handler.type is not None:
                    self.expressions(handler.type, function, loops, trys, in_except)
                walk(handler.body, function, cls, loops, trys, True)
            if node.orelse is not None:
                walk(node.orelse.body, function, cls, loops, trys, in_except)
            if node.finalbody is not None:
                walk(node.finalbody.body, function, cls, loops, trys, in_except)
        elif isinstance(node, cst.For | cst.While):
            if function is not None:
                function.loops.append(node)
            if isinstance(node, cst.For):
                self.expressions(node.iter, function, loops, trys, in_except)
                self.bind(node.target, node.iter, function, cls, iterated=True)
            else:
                self.expressions(node.test, function, loops, trys, in_except)
            walk(node.body, function, cls, (*loops, node), trys, in_except)
            if node.orelse is not None:
                walk(node.orelse.body, function, cls, loops, trys, in_except)
        elif isinstance(node, cst.With):
            for item in node.items:
                self.expressions(item.item, function, loops, trys, in_except)
                if item.asname is not None:
                    self.bind(item.asname.name, item.item, function, cls)
            walk(node.body, function, cls, loops, trys, in_except)
        elif isinstance(node, cst.If):
            self.expressions(node.test, function, loops, trys, in_except)
            walk(node.body, function, cls, loops, trys, in_except)
            orelse = node.orelse
            if isinstance(orelse, cst.If):
                self.statement(orelse, function, cls, loops, trys, in_except)
            elif orelse is not None:
                walk(orelse.body, function, cls, loops, trys, in_except)
        elif isinstance(node, cst.Match):
            self.expressions(node.subject, function, loops, trys, in_except)
            for case in node.cases:
                walk(case.body, function, cls, loops, trys, in_except)
        else:
            for child in children(node):
                if isinstance(child, cst.BaseSuite):
                    walk(child, function, cls, loops, trys, in_except)
                elif isinstance(child, cst.BaseExpression):
                    self.expressions(child, function, loops, trys, in_except)

    def small(
        self, node: cst.CSTNode, function: FunctionInfo | None, cls: ClassInfo | None
    ) -> None:
        scope = self.scope_of(function, cls)
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    scope.imports[alias.asname.name.value] = full
                else:
                    head = full.split(".")[0]
                    scope.imports[head] = head
        elif isinstance(node, cst.ImportFrom):
            base = self.m.absolute(dotted(node.module) or "", len(node.relative))
            if isinstance(node.names, cst.ImportStar):
                return
            for alias in node.names:
                name = dotted(alias.name) or ""
                local = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                scope.imports[local] = f"{base}.{name}" if base else name
        elif isinstance(node, cst.Assign):
            for target in node.targets:
                self.bind(target.target, node.value, function, cls)
        elif isinstance(node, cst.AnnAssign):
            if isinstance(node.target, cst.Name):
                scope.annotations[node.target.value] = node.annotation.annotation
            if node.value is not None:
                self.bind(node.target, node.value, function, cls)

    def bind(
        self,
        target: cst.BaseExpression,
        value: cst.BaseExpression,
        function: FunctionInfo | None,
        cls: ClassInfo | None,
        iterated: bool = False,
    ) -> None:
        if iterated:
            return  # a loop variable is an element, not the iterable: nothing to resolve
        if isinstance(target, cst.Name):
            self.scope_of(function, cls).values[target.value] = value
        elif (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == "self"
            and function is not None
            and function.cls is not None
        ):
            function.cls.attrs[target.attr.value] = value

    def expressions(
        self,
        node: cst.CSTNode,
        function: FunctionInfo | None,
        loops: tuple[Loop, ...],
        trys: tuple[cst.Try, ...],
        in_except: bool,
    ) -> None:
        nodes = [node, *descendants(node, into_defs=False)]
        for current in nodes:
            if isinstance(current, cst.Call):
                site = CallSite(current, function, loops, trys, in_except)
                self.m.calls.append(site)
                if function is not None:
                    function.calls.append(site)

    def function_def(
        self, node: cst.FunctionDef, parent: FunctionInfo | None, cls: ClassInfo | None
    ) -> None:
        prefix = parent.qualname + "." if parent else (cls.qualname + "." if cls else "")
        info = FunctionInfo(node, prefix + node.name.value, cls, parent)
        for param in info.params():
            if param.annotation is not None:
                info.scope.annotations[param.name.value] = param.annotation.annotation
        self.m.functions.append(info)
        if cls is not None and parent is None:
            cls.methods[node.name.value] = info
        self.scope_of(parent, cls).values.setdefault(node.name.value, node.name)
        for decorator in node.decorators:
            self.expressions(decorator.decorator, parent, (), (), False)
        for param in info.params():
            if param.default is not None:
                self.expressions(param.default, info, (), (), False)
        self.walk_body(node.body, info, cls if parent is None else None)

    def class_def(
        self, node: cst.ClassDef, function: FunctionInfo | None, cls: ClassInfo | None
    ) -> None:
        prefix = cls.qualname + "." if cls else ""
        info = ClassInfo(
            node,
            prefix + node.name.value,
            [a.value for a in node.bases],
            {a.keyword.value: a.value for a in node.keywords if a.keyword is not None},
        )
        self.m.classes.append(info)
        for decorator in node.decorators:
            self.expressions(decorator.decorator, function, (), (), False)
        for base in node.bases:
            self.expressions(base.value, function, (), (), False)
        self.walk_body(node.body, None, info)
