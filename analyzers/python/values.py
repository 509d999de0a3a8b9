"""Strings as far as the code fixes them: URLs become templates with named placeholders.

`f"{AI_URL}/api/v1/match"` with `AI_URL = os.getenv("AI_ENGINE_URL", "http://localhost:3002")`
becomes `{AI_ENGINE_URL}/api/v1/match` with the default noted beside it. What
the code does not fix stays a placeholder named after what holds it
(`{user_id}`, `{settings.jobs_url}`), never a guess.
"""

from __future__ import annotations

import libcst as cst

from analyzers.python.module import FunctionInfo, PyModule
from analyzers.python.syntax import UNKNOWN, dotted, kwarg, literal, positional
from analyzers.templates import Template, placeholder

ENV_GETTERS = frozenset(
    {"os.getenv", "os.environ.get", "os.environ.setdefault", "environ.get", "getenv"}
)
SETTINGS_BASES = frozenset(
    {
        "pydantic.BaseSettings",
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
    }
)


class Values:
    def __init__(self, module: PyModule) -> None:
        self.m = module

    def template(
        self, expr: cst.BaseExpression | None, function: FunctionInfo | None, depth: int = 0
    ) -> Template | None:
        """A template for a string expression; None when `expr` is not string-like at all."""
        if expr is None or depth > 6:
            return None
        value = literal(expr)
        if isinstance(value, str):
            return Template(value)
        if isinstance(expr, cst.FormattedString):
            out = Template("")
            for part in expr.parts:
                if isinstance(part, cst.FormattedStringText):
                    out = out + Template(part.value.replace("{{", "{").replace("}}", "}"))
                elif isinstance(part, cst.FormattedStringExpression):
                    out = out + self.part(part.expression, function, depth)
            return out
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            left = self.template(expr.left, function, depth + 1)
            right = self.template(expr.right, function, depth + 1)
            if left is None and right is None:
                return None
            return (left or self.part(expr.left, function, depth)) + (
                right or self.part(expr.right, function, depth)
            )
        if isinstance(expr, cst.Call):
            return self.call_template(expr, function, depth)
        if isinstance(expr, cst.Name | cst.Attribute):
            return self.name_template(expr, function, depth)
        environ = isinstance(expr, cst.Subscript) and (
            self.m.qualified(expr.value, function) == "os.environ"
        )
        if isinstance(expr, cst.Subscript) and environ:
            key = [literal(e.slice.value) for e in expr.slice if isinstance(e.slice, cst.Index)]
            return placeholder(key[0]) if len(key) == 1 and isinstance(key[0], str) else None
        return None

    def part(self, expr: cst.BaseExpression, function: FunctionInfo | None, depth: int) -> Template:
        found = self.template(expr, function, depth + 1)
        if found is not None:
            return found
        return placeholder(dotted(expr) or _describe(expr))

    def call_template(
        self, call: cst.Call, function: FunctionInfo | None, depth: int
    ) -> Template | None:
        name = self.m.qualified(call.func, function)
        if name in ENV_GETTERS or name.endswith(("os.getenv", "os.environ.get")):
            key = literal(positional(call, 0) or kwarg(call, "key"))
            if not isinstance(key, str):
                return placeholder("env")
            default_expr = positional(call, 1) or kwarg(call, "default")
            default = self.template(default_expr, function, depth + 1) if default_expr else None
            out = placeholder(key)
            if default is not None and default.resolved:
                return Template(out.text, ((key, default.text),))
            return out
        if name.endswith(("urljoin", "urllib.parse.urljoin")):
            base = self.template(positional(call, 0), function, depth + 1)
            rest = self.template(positional(call, 1), function, depth + 1)
            if base is not None and rest is not None:
                return _join(base, rest)
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("rstrip", "strip"):
            return self.template(call.func.value, function, depth + 1)
        if name in ("str", "builtins.str"):
            arg = positional(call, 0)
            return self.template(arg, function, depth + 1) if arg is not None else None
        return None

    def name_template(
        self, expr: cst.Name | cst.Attribute, function: FunctionInfo | None, depth: int
    ) -> Template | None:
        name = dotted(expr)
        if name is None:
            return None
        if isinstance(expr, cst.Name):
            if name in {p.name.value for p in (function.params() if function else [])}:
                return placeholder(name)
            bound = self.m.lookup(name, function)
            if bound is not None and bound is not expr:
                return self.template(bound, function, depth + 1)
            return None
        head, _, attr = name.rpartition(".")
        if "." in attr or not head:
            return None
        if head == "os.environ" or self.m.qualified(expr.value, function) == "os.environ":
            return placeholder(attr)
        return self.settings_field(expr, attr, function, depth)

    def settings_field(
        self, expr: cst.Attribute, attr: str, function: FunctionInfo | None, depth: int
    ) -> Template | None:
        """`settings.jobs_url` where `settings` is an instance of a settings class in this file."""
        owner = self.m.resolve(expr.value, function)
        if owner is None:
            return None
        class_name = owner.name.removesuffix("()")
        for cls in self.m.classes:
            if f"{self.m.name}.{cls.qualname}" != class_name:
                continue
            bases = {self.m.qualified(b, None) for b in cls.bases}
            default = cls.scope.values.get(attr)
            if default is None and attr not in cls.scope.annotations:
                return None
            env = attr.upper() if bases & SETTINGS_BASES else f"{cls.qualname}.{attr}"
            out = placeholder(env)
            found = self.template(default, None, depth + 1) if default is not None else None
            if found is not None and found.resolved:
                return Template(out.text, ((env, found.text),))
            return out
        if isinstance(expr.value, cst.Name | cst.Attribute):
            return placeholder(dotted(expr) or attr)
        return None


def _join(base: Template, rest: Template) -> Template:
    if rest.text.startswith(("http://", "https://", "{")):
        return rest
    return Template(
        base.text.rstrip("/") + "/" + rest.text.lstrip("/"), base.defaults + rest.defaults
    )


def _describe(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Call):
        return (dotted(expr.func) or "call").split(".")[-1]
    if isinstance(expr, cst.Subscript):
        keys = [literal(e.slice.value) for e in expr.slice if isinstance(e.slice, cst.Index)]
        key = keys[0] if len(keys) == 1 and isinstance(keys[0], str | int) else ""
        return f"{dotted(expr.value) or 'item'}.{key}" if key != "" else "item"
    return "value"


def number(expr: cst.BaseExpression | None) -> float | None:
    value = literal(expr)
    if value is UNKNOWN or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
