"""The calls a route handler makes while the request waits (`HandlerCall`), JS and TS.

For every route handler the routes family found defined in this module (it
hands them over in `JsContext.handlers`: inline Express handlers, named
functions of the module, Next.js pages and app-router handlers), each call in
the handler's body that may reach another service becomes a fact:

- a direct HTTP client call (fetch, axios, ky, got, as `http` reads them):
  `callee` is the library call as resolved (`fetch`, `axios.get`), at the
  call's location, where the `OutboundCall` for it is;
- a call of project code: a function of this module that calls out itself
  (one whose body plainly calls nothing out, a pure helper such as a sort, is
  left out), an import from a relative or path-alias (`@/`, `~/`) module
  (whose body is not here to read), a method of a project class's
  instance (`const c = new AiClient()`, or `aiClient` imported from the module
  that made it), named the way `JsModule.function_name` names functions
  (`services.core-api.src.lib.ai-client.AiClient.explain`). An imported
  instance only gets its class's name once every file is known:
  `analyzers.handler_calls.compose_handler_calls` does that.

Left out: framework and response objects (`res.json`, `req.get`, `next()`,
parameters in general), globals (`JSON`, `Promise`), logging, metrics and
tracing, packages, and project-module exports named like a package's client
(`supabase`, `prisma`, `db`, `redis`, ...: their calls go to that package).

What protects each call, walking up from it to the handler only:

- `guarded`: a `try` around it whose `catch` has a path that neither throws,
  hands the error on (`next(err)`, `reject(err)`, any non-logging call given
  the caught error), nor answers an error status (`res.status(5xx|4xx)`,
  `NextResponse.json(.., { status: 502 })`, a status the code computes): a
  fallback answers something else or carries on. Also a `.catch(fn)` or
  `.then(ok, fn)` whose `fn` is such a fallback, and `Promise.allSettled` /
  `Promise.any`, which do not reject when one call fails.
- `fanout`: inside `Promise.all/allSettled/race/any`, a callback of an
  iteration (`map`, `forEach`, `flatMap`, `pMap`, ...), or the body of a loop
  over items (`for...of`, `for...in`, a `for` bounded by `.length`/`.size`;
  `while` loops are retries and polls, not fan-outs).
- `awaited`: False when the handler does not wait for the call: its promise is
  an expression statement (or `void`) with no `.then(...)` step (what a `.then`
  does, answering the request, waits for it), it runs in a `forEach` callback (which
  drops the callbacks' promises) or a detached one (`setTimeout`,
  `setImmediate`, `process.nextTick`, `emitter.on`, `waitUntil`). A call of a
  non-async function of this module runs inline, so it counts as awaited even
  as a statement; a promise stored in a variable is assumed to be awaited later.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import tree_sitter as ts

from analyzers.facts import Fact, HandlerCall
from analyzers.javascript import http
from analyzers.javascript.context import JsContext
from analyzers.javascript.module import (
    FUNCTION_TYPES,
    LOOP_TYPES,
    TRANSPARENT,
    call_arguments,
    object_property,
    text,
    unwrap,
)
from analyzers.javascript.observability import kind_of_call

# Project modules that export a package's client under these names (`lib/supabase.ts`
# exporting `supabase = createClient(...)`): calls on them reach that package, not project
# code. Matched on the imported name with an optional Client/Admin suffix.
_PACKAGE_CLIENTS = re.compile(
    r"^(?:supabase|stripe|openai|anthropic|resend|twilio|sendgrid|s3|prisma|redis|db|knex|pool|"
    r"sequelize|mongoose|mongo|drizzle|kysely|sql|pg|firestore|firebase|posthog|mixpanel|"
    r"analytics|cache|queue|logger|log|sentry|tracer|meter|metrics)(?:client|admin)?$",
    re.I,
)
_HTTP_NAMES = frozenset(http.FETCHES) | frozenset(http.VERBS) | {"request", "axios", "got", "ky"}
_CHAIN = frozenset({"then", "catch", "finally"})
# Promise combinators, and whether one rejected call leaves the others' answer standing.
_COMBINATORS = {"all": False, "allSettled": True, "race": False, "any": True}
# Callbacks called once per item; `forEach` (and `each`) also drop the promises they return.
_ITERATIONS = frozenset(
    {
        "map",
        "forEach",
        "flatMap",
        "filter",
        "some",
        "every",
        "find",
        "findIndex",
        "reduce",
        "reduceRight",
        "pMap",
        "mapLimit",
        "mapSeries",
        "each",
        "eachLimit",
    }
)
_DROPS_PROMISES = frozenset({"forEach", "each"})
# Callbacks that run after the handler has moved on: nothing waits for them.
_DETACHED = frozenset(
    {
        "setTimeout",
        "setImmediate",
        "setInterval",
        "queueMicrotask",
        "nextTick",
        "on",
        "once",
        "addListener",
        "waitUntil",
        "after",
    }
)
# Names that hand an error on when called with it: Express's next, a promise's reject.
_PASSERS = frozenset({"next", "reject", "done", "cb", "callback"})
_RESPONDS = frozenset(
    {"json", "send", "end", "render", "redirect", "sendFile", "jsonp", "download"}
)
_STATUS_SETTERS = frozenset({"status", "sendStatus", "code", "writeHead"})
_RESPONSE_CLASSES = frozenset({"Response", "NextResponse"})
# A catch's outcome along its paths: every path fails, some path answers, or it falls through.
_FAIL, _ANSWER, _CONTINUE = "fail", "answer", "continue"


def extract(ctx: JsContext) -> Iterator[Fact]:
    seen: set[tuple[str, int, int]] = set()
    shared = _Shared()
    for name, function in ctx.handlers:
        key = (name, function.start_byte, function.end_byte)
        if key in seen:
            continue  # one handler serving several methods or paths
        seen.add(key)
        yield from _Handler(ctx, name, function, shared).facts()


def _same(a: ts.Node | None, b: ts.Node | None) -> bool:
    return a is not None and b is not None and a.id == b.id


def _called_name(call: ts.Node) -> str:
    """`setTimeout` for `setTimeout(...)`, `map` for `items.map(...)`."""
    callee = unwrap(call.child_by_field_name("function"))
    if callee is None:
        return ""
    if callee.type == "member_expression":
        return text(callee.child_by_field_name("property"))
    return text(callee) if callee.type == "identifier" else ""


def _combinator(call: ts.Node) -> bool | None:
    """For `Promise.all(...)` and its kin: whether it survives one failure; None for others."""
    callee = unwrap(call.child_by_field_name("function"))
    if callee is None or callee.type != "member_expression":
        return None
    if text(callee.child_by_field_name("object")) != "Promise":
        return None
    return _COMBINATORS.get(text(callee.child_by_field_name("property")))


def _over_items(loop: ts.Node) -> bool:
    """A loop once per item of a collection: `for...of`, `for...in`, `i < items.length`."""
    if loop.type in ("for_in_statement", "for_of_statement"):
        return True
    if loop.type == "for_statement":
        condition = text(loop.child_by_field_name("condition"))
        return ".length" in condition or ".size" in condition
    return False  # while / do: retries and polls


def _status(node: ts.Node | None) -> int | None:
    """A literal status code; -1 for one the code computes (`err.status ?? 500`)."""
    inner = unwrap(node)
    if inner is None:
        return None
    if inner.type == "number":
        try:
            return int(text(inner))
        except ValueError:
            return -1
    return -1


def _first_param(function: ts.Node) -> str | None:
    """The name of a function's first parameter (`err` in `(err) => ...`)."""
    single = function.child_by_field_name("parameter")
    if single is not None:
        return text(single)
    params = function.child_by_field_name("parameters")
    found = _named(params) if params is not None else []
    if not found:
        return None
    pattern = found[0].child_by_field_name("pattern")
    return text(pattern if pattern is not None else found[0])


def _named(node: ts.Node) -> list[ts.Node]:
    return [child for child in node.named_children if child.type != "comment"]


@dataclass
class _Shared:
    """What the handlers of one module read alike, worked out once."""

    classes: set[str] | None = None  # classes declared in the module
    names: set[str] | None = None  # names a call's head must have to reach project code
    defaults: dict[str, bool] = field(default_factory=dict)  # default imports, by name
    # Functions of the module (by start byte) that call out, or not: handlers share helpers.
    reaches: dict[int, bool] = field(default_factory=dict)


class _Handler:
    def __init__(self, ctx: JsContext, name: str, function: ts.Node, shared: _Shared) -> None:
        self.ctx = ctx
        self.m = ctx.module
        self.name = name
        self.function = function
        self.shared = shared

    def facts(self) -> Iterator[HandlerCall]:
        body = self.function.child_by_field_name("body")
        if body is None:
            return
        for call in self.m.calls_within(body):
            callee = self.callee(call)
            if callee is None:
                continue
            guarded, fanout, awaited = self.context(call)
            yield HandlerCall(
                self.ctx.service, self.ctx.loc(call), self.name, callee, guarded, fanout, awaited
            )

    # --- what is called -----------------------------------------------------------------------

    def callee(self, call: ts.Node) -> str | None:
        node = unwrap(call.child_by_field_name("function"))
        if node is None:
            return None
        if node.type == "member_expression":
            last = text(node.child_by_field_name("property"))
        elif node.type == "identifier":
            last = text(node)
        else:
            return None
        if last in _HTTP_NAMES and http._client(self.ctx, call) is not None:
            resolved = self.m.callee(call)
            return resolved.name.replace("()", "") if resolved is not None else last
        if node.type == "identifier":
            return self.function_ref(node)
        if last in _CHAIN:
            return None  # a promise chain's own step: its object is the call
        found = self.member_ref(node)
        # Logging, metrics, tracing through a project module's logger (`log.info`), asked
        # only of what resolved: most member calls do not.
        return found if found is None or kind_of_call(self.ctx, call) is None else None

    def function_ref(self, node: ts.Node) -> str | None:
        """A function called by name: imported from project code, or declared here."""
        name = text(node)
        if name in self.m.imports:
            return self.imported(name, [])
        function = self.local_function(node)
        if function is None or not self.reaches_out(function):
            return None
        return self.m.function_name(function)

    def reaches_out(self, function: ts.Node) -> bool:
        """A function of this module that calls out (HTTP, project code), itself or deeper.

        Its body is here to read, unlike an import's: `rank(results)`, a sort, is left out.
        """
        key = function.start_byte
        known = self.shared.reaches
        found = known.get(key)
        if found is not None:
            return found
        known[key] = False  # while reading it: a recursive call adds nothing
        body = function.child_by_field_name("body")
        known[key] = body is not None and any(
            self.callee(call) is not None for call in self.m.calls_within(body)
        )
        return known[key]

    def local_function(self, node: ts.Node) -> ts.Node | None:
        name = text(node)
        bound = unwrap(self.m.lookup(name, node))
        if bound is not None:
            return bound if bound.type in FUNCTION_TYPES else None
        body = self.m.function_bodies().get(name)
        if body is None or body.parent is None or self.m.is_parameter(name, node, self.m.root):
            return None
        return body.parent

    def member_ref(self, node: ts.Node) -> str | None:
        """`a.b.method(...)`: a method of a project instance, class or namespace."""
        head: ts.Node | None = node
        properties: list[ts.Node | None] = []
        while head is not None and head.type == "member_expression":
            properties.append(head.child_by_field_name("property"))
            head = unwrap(head.child_by_field_name("object"))
        if head is None or (head.type == "identifier" and text(head) not in self.names()):
            return None  # `res.status`, `JSON.parse`, a parameter: nothing of the project
        return self.object_ref(head, [text(p) for p in reversed(properties)], 0)

    def names(self) -> set[str]:
        """Names a call's head must have to reach project code: imports, bindings, classes."""
        if self.shared.names is None:
            self.shared.names = set(self.m.imports) | set(self.m.bindings) | self.classes()
        return self.shared.names

    def object_ref(self, head: ts.Node | None, parts: list[str], depth: int) -> str | None:
        if head is None or depth > 4:
            return None
        if head.type == "new_expression":
            return self.instance_ref(head, parts)
        if head.type != "identifier":
            return None  # `this`, a call's result, `req.app.locals...`
        name = text(head)
        if name in self.m.imports:
            return self.imported(name, parts)
        bound = unwrap(self.m.lookup(name, head))
        if bound is None:
            return self.local_method(name, parts) if name in self.classes() else None
        if bound.type == "new_expression":
            return self.instance_ref(bound, parts)
        if bound.type == "identifier":
            return self.object_ref(bound, parts, depth + 1)  # const client = aiClient
        if bound.type == "object" and len(parts) == 1:
            # const service = { async find(id) {...} }: the function of that property
            function = self.object_method(bound, parts[0])
            if function is None or not self.reaches_out(function):
                return None
            return self.m.function_name(function)
        return None

    def instance_ref(self, made: ts.Node, parts: list[str]) -> str | None:
        """A method of `new Cls(...)`, for a class of this module or of a project module."""
        cls = unwrap(made.child_by_field_name("constructor"))
        if cls is None or cls.type != "identifier":
            return None
        name = text(cls)
        if name in self.m.imports:
            return self.imported(name, parts)
        if name in self.classes():
            return self.local_method(name, parts)
        return None

    def local_method(self, cls: str, parts: list[str]) -> str | None:
        """`Cls.method` of a class of this module, unless its body plainly calls nothing out."""
        if len(parts) == 1:
            for node in self.m.classes:
                if text(node.child_by_field_name("name")) != cls:
                    continue
                body = node.child_by_field_name("body")
                for member in _named(body) if body is not None else []:
                    if (
                        member.type == "method_definition"
                        and text(member.child_by_field_name("name")) == parts[0]
                        and not self.reaches_out(member)
                    ):
                        return None
        return ".".join([self.m.name, cls, *parts])

    def object_method(self, obj: ts.Node, key: str) -> ts.Node | None:
        value = unwrap(object_property(obj, key))
        if value is not None and value.type in FUNCTION_TYPES:
            return value
        for member in obj.named_children:
            if (
                member.type == "method_definition"
                and text(member.child_by_field_name("name")) == key
            ):
                return member
        return None

    def imported(self, name: str, parts: list[str]) -> str | None:
        """An imported name as a dotted path, when it comes from project code."""
        spec = self.m.import_sources.get(name, "")
        value = self.m.imports[name]
        if not spec.startswith((".", "@/", "~/")):
            return None  # a package (workspace packages are not told apart from npm ones)
        exported = value.rpartition(".")[2]
        if _PACKAGE_CLIENTS.match(name) or (
            name not in self.m.whole_imports and _PACKAGE_CLIENTS.match(exported)
        ):
            return None
        if spec.startswith(("@/", "~/")):
            # A path alias: which folder it maps to is unknown here; the composer finds the
            # module by its dotted suffix (`lib.api-client`).
            value = value[2:].replace("/", ".")
        if name in self.m.whole_imports and self.default_import(name):
            if parts and _PACKAGE_CLIENTS.match(parts[0]):
                return None
            value += ".default"
        return ".".join([value, *parts])

    def default_import(self, name: str) -> bool:
        """`import name from "..."` (not `import * as name`, not `require`)."""
        found = self.shared.defaults.get(name)
        if found is None:
            pattern = rb"\bimport\s+" + re.escape(name.encode()) + rb"\s*(?:,|from\b)"
            found = self.shared.defaults[name] = re.search(pattern, self.m.source) is not None
        return found

    def classes(self) -> set[str]:
        if self.shared.classes is None:
            self.shared.classes = {
                text(cls.child_by_field_name("name"))
                for cls in self.m.classes
                if cls.child_by_field_name("name") is not None
            }
        return self.shared.classes

    # --- what protects it ---------------------------------------------------------------------

    def context(self, call: ts.Node) -> tuple[bool, bool, bool]:
        """(guarded, fanout, awaited), from the call up to the handler."""
        guarded = fanout = False
        awaited = True
        # While "track", `child` is the expression that carries the call's promise; "returned"
        # once it is the result of the function around it; "done" once `awaited` is decided.
        state = "track"
        # A `.then(...)` step: what the handler does next (answer the request) waits for it.
        then = False
        child: ts.Node = call
        current = call.parent
        while current is not None and not _same(current, self.function):
            kind = current.type
            if kind == "try_statement":
                if _same(current.child_by_field_name("body"), child):
                    guarded = guarded or self.catch_falls_back(
                        current.child_by_field_name("handler")
                    )
            elif kind in LOOP_TYPES:
                if _same(current.child_by_field_name("body"), child) and _over_items(current):
                    fanout = True
            elif kind in FUNCTION_TYPES:
                if state == "track" and _same(current.child_by_field_name("body"), child):
                    state = "returned"  # `(id) => client.get(id)`
                inner = awaited if state == "done" else True
                use = self.callback_use(current)
                if use is None:
                    # Declared in the handler and called by name: assumed awaited there.
                    state, awaited = "done", inner
                else:
                    called = _called_name(use)
                    if called in _ITERATIONS:
                        fanout = True
                    executor = use.type == "new_expression"  # new Promise((resolve) => ...)
                    if not (inner or executor) or called in _DETACHED | _DROPS_PROMISES:
                        state, awaited = "done", False
                    else:
                        state, awaited, then = "track", True, False
                        child, current = use, use.parent
                        continue
            elif state == "track":
                step = self.follow(child, current)
                if isinstance(step, tuple):
                    found_guard, found_fanout, child = step
                    guarded = guarded or found_guard
                    fanout = fanout or found_fanout
                    then = then or _called_name(child) == "then"
                    current = child.parent
                    continue
                if step == "returned":
                    state = "returned"
                elif isinstance(step, bool):
                    state, awaited = "done", step or then
            child, current = current, current.parent
        return guarded, fanout, awaited

    def follow(
        self, child: ts.Node, current: ts.Node
    ) -> tuple[bool, bool, ts.Node] | bool | str | None:
        """One step up while the promise is tracked.

        None: still the promise; a (guarded, fanout, node) jump to the call that carries it
        on; True/False: awaited or not, decided; "returned": the enclosing function's result.
        """
        kind = current.type
        if kind == "await_expression":
            return True
        if kind in TRANSPARENT or kind in ("ternary_expression", "array", "spread_element"):
            return None
        if kind == "binary_expression" and text(current.child_by_field_name("operator")) in (
            "||",
            "&&",
            "??",
        ):
            return None
        if kind == "member_expression" and _same(current.child_by_field_name("object"), child):
            chained = current.parent
            method = text(current.child_by_field_name("property"))
            if (
                chained is not None
                and chained.type == "call_expression"
                and method in _CHAIN
                and _same(chained.child_by_field_name("function"), current)
            ):
                args = call_arguments(chained)
                handler = args[0] if method == "catch" and args else None
                if method == "then" and len(args) > 1:
                    handler = args[1]
                return self.handler_falls_back(handler), False, chained
            return True  # `client.get().data`: a value read from it
        if kind == "arguments":
            outer = current.parent
            if outer is not None and outer.type == "call_expression":
                combinator = _combinator(outer)
                if combinator is not None:
                    return combinator, True, outer
                if _called_name(outer) in _DETACHED:
                    return False
            return True  # passed to a call that uses it
        if kind == "return_statement":
            return "returned"
        if kind == "expression_statement":
            return self.runs_inline(child)
        # `void client.track()` drops it; assigned, an operand, a property value: it is used.
        return kind != "unary_expression" or text(current.child_by_field_name("operator")) != "void"

    def runs_inline(self, expr: ts.Node) -> bool:
        """A bare call statement waits only when it calls a non-async function of this module."""
        call = unwrap(expr)
        if call is None or call.type != "call_expression":
            return False
        callee = unwrap(call.child_by_field_name("function"))
        if callee is None or callee.type != "identifier" or text(callee) in self.m.imports:
            return False
        function = self.local_function(callee)
        return function is not None and not any(c.type == "async" for c in function.children)

    def callback_use(self, function: ts.Node) -> ts.Node | None:
        """The call a function is passed to (or the call of an IIFE); None when named."""
        parent = function.parent
        while parent is not None and parent.type == "parenthesized_expression":
            outer = parent.parent
            if (
                outer is not None
                and outer.type == "call_expression"
                and _same(outer.child_by_field_name("function"), parent)
            ):
                return outer  # (async () => {...})()
            parent = outer
        if parent is None or parent.type != "arguments" or parent.parent is None:
            return None
        use = parent.parent
        if use.type == "call_expression":
            return use
        if use.type == "new_expression" and text(use.child_by_field_name("constructor")) == (
            "Promise"
        ):
            return use
        return None

    # --- fallbacks ----------------------------------------------------------------------------

    def catch_falls_back(self, clause: ts.Node | None) -> bool:
        if clause is None:
            return False  # try/finally: nothing is caught
        body = clause.child_by_field_name("body")
        param = clause.child_by_field_name("parameter")
        error = text(param) if param is not None and param.type == "identifier" else None
        return body is not None and self.block(_named(body), error) != _FAIL

    def handler_falls_back(self, handler: ts.Node | None) -> bool:
        """A `.catch(fn)` / `.then(_, fn)` handler that answers something else."""
        node = unwrap(handler)
        if node is None:
            return False
        if node.type == "identifier":
            name = text(node)
            if name in _PASSERS:
                return False
            local = self.local_function(node)
            if local is None:
                return True  # an error handler of another module: assumed to recover
            node = local
        if node.type not in FUNCTION_TYPES:
            return True  # `.catch(console.error)`: logs and carries on
        error = _first_param(node)
        body = node.child_by_field_name("body")
        if body is None:
            return True
        if body.type == "statement_block":
            return self.block(_named(body), error) != _FAIL
        return self.expression(body, error) != _FAIL

    def block(self, statements: Sequence[ts.Node], error: str | None) -> str:
        """FAIL when every path fails, ANSWER when some path answers, else CONTINUE."""
        for statement in statements:
            found = self.statement(statement, error)
            if found != _CONTINUE:
                return found
        return _CONTINUE

    def statement(self, node: ts.Node | None, error: str | None) -> str:
        if node is None:
            return _CONTINUE
        kind = node.type
        if kind == "throw_statement":
            return _FAIL
        if kind == "return_statement":
            values = _named(node)
            if not values:
                return _ANSWER
            return _FAIL if self.expression(values[0], error) == _FAIL else _ANSWER
        if kind == "expression_statement":
            values = _named(node)
            return self.expression(values[0], error) if values else _CONTINUE
        if kind in ("statement_block", "else_clause"):
            return self.block(_named(node), error)
        if kind == "if_statement":
            taken = self.statement(node.child_by_field_name("consequence"), error)
            other = self.statement(node.child_by_field_name("alternative"), error)
            if taken == other == _FAIL:
                return _FAIL
            return _ANSWER if _ANSWER in (taken, other) else _CONTINUE
        if kind == "try_statement":
            outcomes = [self.statement(node.child_by_field_name("body"), error)]
            clause = node.child_by_field_name("handler")
            if clause is not None:
                outcomes.append(self.statement(clause.child_by_field_name("body"), error))
            if all(found == _FAIL for found in outcomes):
                return _FAIL
            return _ANSWER if _ANSWER in outcomes else _CONTINUE
        return _CONTINUE

    def expression(self, node: ts.Node | None, error: str | None) -> str:
        """What one expression of a catch does: fail, answer, or nothing either way."""
        current = unwrap(node)
        if current is None:
            return _CONTINUE
        if current.type == "new_expression":
            made = text(current.child_by_field_name("constructor"))
            if made in _RESPONSE_CLASSES:
                args = call_arguments(current)
                return self.answer(args[1] if len(args) > 1 else None)
            return _CONTINUE
        status: int | None = None
        responds = False
        while current is not None and current.type == "call_expression":
            callee = unwrap(current.child_by_field_name("function"))
            args = call_arguments(current)
            name = _called_name(current)
            if callee is not None and callee.type == "identifier" and name in _PASSERS and args:
                return _FAIL
            if (
                error is not None
                and any(text(unwrap(arg)) == error for arg in args)
                and kind_of_call(self.ctx, current) is None
            ):
                return _FAIL  # handleError(res, err): the error goes on to be answered
            if callee is None or callee.type != "member_expression":
                break
            owner = text(callee.child_by_field_name("object"))
            if name == "reject" and owner == "Promise":
                return _FAIL
            if owner in _RESPONSE_CLASSES and name == "json":
                return self.answer(args[1] if len(args) > 1 else None)
            if name in _STATUS_SETTERS and args:
                status = _status(args[0])
            elif name in _RESPONDS:
                responds = True
            current = unwrap(callee.child_by_field_name("object"))
        if status is not None:
            return _FAIL if status < 0 or status >= 400 else _ANSWER
        return _ANSWER if responds else _CONTINUE

    def answer(self, options: ts.Node | None) -> str:
        """`NextResponse.json(body, { status })`: an answer unless the status is an error."""
        status = _status(object_property(options, "status")) if options is not None else None
        return _FAIL if status is not None and (status < 0 or status >= 400) else _ANSWER
