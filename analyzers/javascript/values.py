"""Strings as far as the code fixes them, for JavaScript and TypeScript.

`` `${this.baseUrl}/api/v1/match` `` with `baseUrl = process.env.AI_ENGINE_URL ||
'http://localhost:3002'` becomes `{AI_ENGINE_URL}/api/v1/match` with the
default beside it; what the code does not fix stays a named placeholder.
"""

from __future__ import annotations

import tree_sitter as ts

from analyzers.javascript.module import JsModule, call_arguments, string_value, text, unwrap
from analyzers.templates import Template, placeholder

# Calls that only encode the value they are given: the placeholder is named after the value.
_ENCODERS = frozenset({"encodeURIComponent", "encodeURI", "String", "Number", "escape"})


class Values:
    def __init__(self, module: JsModule) -> None:
        self.m = module

    def template(self, node: ts.Node | None, depth: int = 0) -> Template | None:
        node = unwrap(node)
        if node is None or depth > 6:
            return None
        literal = string_value(node)
        if literal is not None:
            return Template(literal)
        kind = node.type
        if kind == "template_string":
            out = Template("")
            for part in node.named_children:
                if part.type == "string_fragment":
                    out = out + Template(text(part))
                elif part.type == "template_substitution":
                    inner = part.named_children[0] if part.named_children else None
                    out = out + self.part(inner, depth)
            return out
        if kind == "binary_expression":
            operator = text(node.child_by_field_name("operator"))
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if operator == "+":
                a, b = self.template(left, depth + 1), self.template(right, depth + 1)
                if a is None and b is None:
                    return None
                return (a or self.part(left, depth)) + (b or self.part(right, depth))
            if operator in ("||", "??"):
                return self._with_default(left, right, depth)
        if kind == "member_expression":
            return self._member(node, depth)
        if kind == "identifier":
            bound = self.m.lookup(text(node), node)
            if bound is not None:
                return self.template(bound, depth + 1)
            return None
        if kind == "call_expression":
            callee = text(node.child_by_field_name("function"))
            args = call_arguments(node)
            if callee in ("String", "encodeURI") and args:
                return self.template(args[0], depth + 1)
            if callee.endswith((".replace", ".trim", ".toString")):
                fn = node.child_by_field_name("function")
                return self.template(fn.child_by_field_name("object") if fn else None, depth + 1)
        return None

    def part(self, node: ts.Node | None, depth: int) -> Template:
        found = self.template(node, depth + 1)
        if found is not None:
            return found
        node = unwrap(node)
        if node is None:
            return placeholder("value")
        if node.type in ("identifier", "member_expression"):
            return placeholder(text(node).removeprefix("this."))
        if node.type == "call_expression":
            callee = text(node.child_by_field_name("function"))
            args = call_arguments(node)
            if callee in _ENCODERS and args and depth < 6:
                # `${encodeURIComponent(quoteId)}` is the parameter `quoteId`
                return self.part(args[0], depth + 1)
            return placeholder(callee.split(".")[-1])
        if node.type == "subscript_expression":
            return placeholder(text(node.child_by_field_name("object")))
        return placeholder("value")

    def _env(self, node: ts.Node | None) -> str | None:
        """`process.env.X`, `process.env["X"]`, `import.meta.env.X` as the variable's name."""
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "member_expression":
            obj = text(node.child_by_field_name("object"))
            if obj in ("process.env", "import.meta.env", "Deno.env"):
                return text(node.child_by_field_name("property"))
        if (
            node.type == "subscript_expression"
            and text(node.child_by_field_name("object")) == "process.env"
        ):
            return string_value(node.child_by_field_name("index"))
        return None

    def _with_default(self, left: ts.Node | None, right: ts.Node | None, depth: int) -> Template:
        env = self._env(left)
        default = self.template(right, depth + 1)
        if env is not None:
            out = placeholder(env)
            if default is not None and default.resolved:
                return Template(out.text, ((env, default.text),))
            return out
        return self.template(left, depth + 1) or default or self.part(left, depth)

    def _member(self, node: ts.Node, depth: int) -> Template | None:
        env = self._env(node)
        if env is not None:
            return placeholder(env)
        obj = node.child_by_field_name("object")
        if obj is not None and obj.type == "this":
            cls = self.m.class_of(node)
            prop = text(node.child_by_field_name("property"))
            value = self.m.class_field(cls, prop) if cls is not None else None
            return self.template(value, depth + 1) if value is not None else placeholder(prop)
        return None
