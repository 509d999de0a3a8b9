"""The calls a route handler makes while the request waits (`HandlerCall`), Python.

For every route the routes family found whose handler is a function of this
module (it notes each `Endpoint.handler` in `PyContext.handlers`: FastAPI,
Flask and Starlette handlers, view-class methods, Django views declared in the
urls module), each call in the handler's body that may reach another service
becomes a fact:

- a direct HTTP client call (requests, httpx, aiohttp, urllib, as `http`
  reads them): `callee` is the resolved library call without its
  constructor marks (`httpx.AsyncClient.post`), at the call's location;
- a call of project code: a function or class method of this module that
  calls out itself (one whose body plainly calls nothing out, a pure helper,
  is left out), or a name imported from the project: a relative import, or an
  absolute one whose top package is a folder on this file's own path (`from
  app.clients import x` in `services/ai-engine/app/routers/match.py` is
  `services.ai-engine.app.clients.x`). An instance's method is named after
  its class when the code shows it (`jobs_api: JobsApiClient =
  Depends(...)`, `Annotated[JobsApiClient, Depends(...)]`, a dependency
  function's return annotation, `client = JobsApiClient()`); an instance
  imported from another module gets its class's name once every file is
  known (`analyzers.handler_calls.compose_handler_calls`), which also drops
  absolute imports of packages that are no module of the tree.
- `background_tasks.add_task(f, ...)`, `asyncio.to_thread(f, ...)`,
  `run_in_threadpool(f, ...)`, `loop.run_in_executor(None, f, ...)` call `f`:
  the fact names `f`, at the call that hands it over; Celery's
  `task.delay(...)` / `apply_async(...)` name the task.

Left out: the standard library and well-known packages, logging, metrics and
tracing, parameters and builtins, and objects named like a package's client
(`db.query(...)`, `redis.get(...)`, `supabase.table(...)`) even when a
project module made them.

What protects each call, from the call up to the handler:

- `guarded`: a `try` whose body holds it with an `except` that can catch an
  outage (bare, `Exception`, the HTTP clients' errors, project errors; not
  `ValueError`, `KeyError` and other data errors) and has a path that neither
  raises (`raise HTTPException(502)` included, and any 4xx: an error answer
  is no fallback), nor `abort()`s, nor returns an error status
  (`JSONResponse(..., status_code=503)`, Flask's `return body, 502`, a
  status the code computes), nor hands the exception to another call; also
  `with contextlib.suppress(...)` and `asyncio.gather(...,
  return_exceptions=True)`.
- `fanout`: inside `asyncio.gather(...)` / `asyncio.wait(...)`, a task group,
  a comprehension's element, or the body of a `for` loop (a `while` loop
  retries or polls).
- `awaited`: False for work the handler does not wait for: a coroutine given
  to `asyncio.create_task` / `ensure_future` (unless the task is awaited or
  gathered later in the handler), background tasks, Celery tasks. A plain
  call of a sync function runs inline, so it is awaited.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst

from analyzers.facts import Fact, HandlerCall
from analyzers.python.context import PyContext
from analyzers.python.http import match_client
from analyzers.python.module import FunctionInfo
from analyzers.python.observability import kind_of_call
from analyzers.python.syntax import children, dotted, kwarg, literal, positional

# Packages whose calls never reach project code: the standard library and the frameworks,
# clients and tools handlers use. Others that are no module of the tree are dropped when
# the tree is composed.
_PACKAGES = frozenset(sys.stdlib_module_names) | {
    "fastapi",
    "starlette",
    "flask",
    "flask_restx",
    "flask_restful",
    "flask_smorest",
    "flask_login",
    "flask_sqlalchemy",
    "werkzeug",
    "django",
    "rest_framework",
    "ninja",
    "pydantic",
    "pydantic_settings",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "psycopg",
    "psycopg2",
    "asyncpg",
    "pymongo",
    "motor",
    "redis",
    "celery",
    "rq",
    "dramatiq",
    "arq",
    "httpx",
    "requests",
    "aiohttp",
    "urllib3",
    "boto3",
    "botocore",
    "aioboto3",
    "stripe",
    "openai",
    "anthropic",
    "supabase",
    "sentry_sdk",
    "structlog",
    "loguru",
    "jwt",
    "jose",
    "passlib",
    "bcrypt",
    "jinja2",
    "marshmallow",
    "tenacity",
    "backoff",
    "anyio",
    "numpy",
    "pandas",
    "prometheus_client",
    "opentelemetry",
    "google",
    "azure",
    "firebase_admin",
}
# Objects named like a package's client, wherever they were made: `db.query`, `redis.get`.
_PACKAGE_CLIENTS = re.compile(
    r"^_?(?:supabase|stripe|openai|anthropic|resend|twilio|sendgrid|s3|redis|db|session|"
    r"cache|mongo|engine|conn|connection|cursor|pool|boto|sqs|sns|queue)(?:_?client|_?admin)?$",
    re.I,
)
_GATHERS = frozenset({"asyncio.gather", "asyncio.tasks.gather"})
_WAITS = frozenset({"asyncio.wait", "asyncio.tasks.wait"})
_PASS_THROUGH = frozenset(
    {"asyncio.wait_for", "asyncio.tasks.wait_for", "asyncio.shield", "asyncio.tasks.shield"}
)
_TASKS = frozenset({"asyncio.create_task", "asyncio.ensure_future", "asyncio.tasks.create_task"})
_TASK_GROUPS = ("asyncio.TaskGroup()", "asyncio.taskgroups.TaskGroup()")
_SUPPRESS = frozenset({"contextlib.suppress"})
# Calls that run the function they are given (argument index), waited for or not.
_RUNNERS = {
    "asyncio.to_thread": 0,
    "asyncio.threads.to_thread": 0,
    "starlette.concurrency.run_in_threadpool": 0,
    "fastapi.concurrency.run_in_threadpool": 0,
    "anyio.to_thread.run_sync": 0,
}
_BACKGROUND = (
    "fastapi.BackgroundTasks().add_task",
    "fastapi.background.BackgroundTasks().add_task",
    "starlette.background.BackgroundTasks().add_task",
)
_ENQUEUES = frozenset({"delay", "apply_async"})
# Exceptions no outage raises: an `except` for them only is no fallback for one.
_DATA_ERRORS = frozenset(
    {
        "ValueError",
        "KeyError",
        "TypeError",
        "AttributeError",
        "IndexError",
        "LookupError",
        "ZeroDivisionError",
        "UnicodeDecodeError",
        "UnicodeEncodeError",
        "JSONDecodeError",
        "ValidationError",
        "RequestValidationError",
        "IntegrityError",
        "DoesNotExist",
        "ObjectDoesNotExist",
        "NoResultFound",
        "MultipleResultsFound",
        "PermissionError",
        "FileNotFoundError",
        "StopIteration",
        "StopAsyncIteration",
        "AssertionError",
        "NotImplementedError",
    }
)
_RESPONSES = frozenset(
    {
        "Response",
        "JSONResponse",
        "ORJSONResponse",
        "UJSONResponse",
        "PlainTextResponse",
        "HTMLResponse",
        "RedirectResponse",
        "StreamingResponse",
        "HttpResponse",
        "JsonResponse",
        "make_response",
    }
)
_ABORTS = frozenset({"flask.abort", "werkzeug.exceptions.abort"})
_FAIL, _ANSWER, _CONTINUE = "fail", "answer", "continue"
# Nodes that carry a call's value on unchanged (an argument, an element, a comprehension).
_PASSING: frozenset[type[cst.CSTNode]] = frozenset(
    {
        cst.Arg,
        cst.Element,
        cst.StarredElement,
        cst.List,
        cst.Tuple,
        cst.Set,
        cst.ListComp,
        cst.SetComp,
        cst.GeneratorExp,
    }
)
# Nodes that may guard their body or run it once per item.
_SCOPING: frozenset[type[cst.CSTNode]] = frozenset(
    {
        cst.Try,
        cst.TryStar,
        cst.With,
        cst.For,
        cst.ListComp,
        cst.SetComp,
        cst.GeneratorExp,
        cst.DictComp,
    }
)
_Scope = FunctionInfo | None


def extract(ctx: PyContext) -> Iterator[Fact]:
    if not ctx.handlers:
        return
    module = ctx.module
    functions = {f"{module.name}.{f.qualname}": f for f in module.functions}
    shared = _Shared(functions, {id(f.node): f for f in module.functions})
    for f in module.functions:
        if f.parent is not None:
            shared.nested.setdefault(id(f.parent.node), []).append(f)
    for name in ctx.handlers:
        function = functions.get(name)
        if function is not None:  # a view imported from another module is not read here
            yield from _Handler(ctx, name, function, shared).facts()


@dataclass
class _Shared:
    """What every handler of a module reads: its functions, and which of them call out."""

    functions: dict[str, FunctionInfo]  # by qualified name
    by_node: dict[int, FunctionInfo]  # by id of the def
    nested: dict[int, list[FunctionInfo]] = field(default_factory=dict)  # defs in a def
    reaches: dict[str, bool] = field(default_factory=dict)  # whether they call out


def _strip(name: str) -> str:
    return name.replace("()", "")


def _status(expr: cst.BaseExpression | None) -> int | None:
    """A literal status (`503`, `status.HTTP_503_...`); -1 for one the code computes."""
    if expr is None:
        return None
    value = literal(expr)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return None  # Django's HttpResponse(content, "text/plain"): a content type
    found = re.search(r"HTTP_(\d{3})_", dotted(expr) or "")
    return int(found.group(1)) if found else -1


def _statements(suite: cst.BaseSuite | None) -> Sequence[cst.CSTNode]:
    if suite is None:
        return ()
    body = suite.body
    return body if isinstance(body, Sequence) else ()


class _Handler:
    def __init__(self, ctx: PyContext, name: str, function: FunctionInfo, shared: _Shared) -> None:
        self.ctx = ctx
        self.m = ctx.module
        self.name = name
        self.function = function
        self.shared = shared
        self.functions = shared.functions
        self.parents: dict[int, cst.CSTNode] = {}  # by id of the child, within the walk
        self.found: dict[int, list[tuple[str, cst.CSTNode, bool]]] = {}  # targets by call id
        self._imports: set[str] | None = None

    # --- the walk -----------------------------------------------------------------------------

    def facts(self) -> Iterator[HandlerCall]:
        # The calls the module walk recorded (all but those in lambdas) tell first whether
        # any is worth a fact, and on which lines: only the statements holding one are walked.
        lines: set[int] = set()
        stack = [self.function]
        while stack:
            function = stack.pop()
            stack.extend(self.shared.nested.get(id(function.node), ()))
            for site in function.calls:
                found = self.found[id(site.node)] = list(self.targets(site.node, site.function))
                if found:
                    first, last = self.m.lines.span(site.node)
                    lines.update(range(first, last + 1))
        if not lines:
            return
        body = self.function.node.body
        self.parents[id(body)] = self.function.node
        for statement in children(body):
            first, last = self.m.lines.span(statement)
            if not lines.isdisjoint(range(first, last + 1)):
                self.parents[id(statement)] = body
                yield from self.statement_facts(statement)

    def statement_facts(self, statement: cst.CSTNode) -> Iterator[HandlerCall]:
        """The facts of one statement of the handler's body, its calls in source order."""
        stack: list[tuple[cst.CSTNode, _Scope]] = [(statement, self.function)]
        while stack:
            node, scope = stack.pop()
            if type(node) is cst.Call:
                targets = self.found.get(id(node))
                if targets is None:  # in a lambda: the module walk does not record those
                    targets = list(self.targets(node, scope))
                for callee, at, awaited_alone in targets:
                    guarded, fanout, awaited = self.context(node, scope)
                    yield HandlerCall(
                        self.ctx.service,
                        self.ctx.loc(at),
                        self.name,
                        callee,
                        guarded,
                        fanout,
                        awaited and awaited_alone,
                    )
            if type(node) is cst.FunctionDef:
                scope = self.shared.by_node.get(id(node), scope)
            found = children(node)
            for child in found:
                self.parents[id(child)] = node
            stack.extend((child, scope) for child in reversed(found))

    # --- what is called -----------------------------------------------------------------------

    def targets(self, call: cst.Call, scope: _Scope) -> Iterator[tuple[str, cst.CSTNode, bool]]:
        """(callee, where, awaited as far as the call itself says) for one call."""
        resolved = self.resolve(call.func, scope)
        if resolved is None:
            return
        if match_client(resolved) is not None:
            yield _strip(resolved), call, True
            return
        runner = _RUNNERS.get(resolved)
        if resolved.startswith(_BACKGROUND) or resolved.endswith(".run_in_executor"):
            index = 1 if resolved.endswith(".run_in_executor") else 0
            target = self.project_callable(positional(call, index), scope)
            if target is not None:
                yield target, call, not resolved.startswith(_BACKGROUND)
            return
        if runner is not None:
            target = self.project_callable(positional(call, runner), scope)
            if target is not None:
                yield target, call, True
            return
        head, _, method = resolved.rpartition(".")
        if method in _ENQUEUES:
            task = self.project(head, call.func, scope)
            if task is not None:
                yield task, call, False  # queued for a worker: the request does not wait
            return
        if kind_of_call(self.ctx, call, scope) is not None:
            return
        callee = self.project(resolved, call.func, scope)
        if callee is not None:
            yield callee, call, True

    def resolve(self, expr: cst.BaseExpression, scope: _Scope) -> str | None:
        """The qualified name of what is called, through the handler's parameter types."""
        name = dotted(expr)
        head, _, rest = (name or "").partition(".")
        param = self.parameter_type(head, scope) if name is not None else None
        if param is not None:
            return f"{param}()" + (f".{rest}" if rest else "")
        resolved = self.m.resolve(expr, scope)
        return resolved.name if resolved is not None else None

    def parameter_type(self, name: str, scope: _Scope) -> str | None:
        """The class of a parameter the plain annotation does not give: `Annotated[Cls, ...]`,
        or `= Depends(get_client)` with `def get_client() -> Cls`."""
        if scope is None:
            return None
        for param in scope.params():
            if param.name.value != name:
                continue
            annotation = param.annotation.annotation if param.annotation is not None else None
            if isinstance(annotation, cst.Subscript) and self.m.qualified(
                annotation.value, scope.parent
            ).endswith("Annotated"):
                first = annotation.slice[0].slice if annotation.slice else None
                if isinstance(first, cst.Index):
                    return self.m.qualified(first.value, scope.parent) or None
            if annotation is None and isinstance(param.default, cst.Call):
                return self.dependency_type(param.default, scope)
            return None
        return None

    def dependency_type(self, default: cst.Call, scope: FunctionInfo) -> str | None:
        if not self.m.qualified(default.func, scope.parent).endswith("Depends"):
            return None
        provider = positional(default, 0) or kwarg(default, "dependency")
        local = self.functions.get(self.m.qualified(provider, scope.parent) if provider else "")
        returns = local.node.returns if local is not None else None
        if returns is None:
            return None
        return self.m.qualified(returns.annotation, local.parent if local else None) or None

    def project_callable(self, expr: cst.BaseExpression | None, scope: _Scope) -> str | None:
        """A function handed over to be run (`add_task(send_email, ...)`), when the project's."""
        if expr is None:
            return None
        resolved = self.resolve(expr, scope)
        return self.project(resolved, expr, scope) if resolved is not None else None

    def project(self, resolved: str, expr: cst.BaseExpression, scope: _Scope) -> str | None:
        """`resolved` as project code's qualified name; None for anything else."""
        name = _strip(resolved)
        head = dotted(expr)
        local = (head or "").partition(".")[0]
        if head is not None and "." in head and _PACKAGE_CLIENTS.match(local):
            return None
        own = self.m.name + "."
        if name.startswith(own):
            function = self.functions.get(name)
            if function is None:
                # A method not defined here (inherited), or no function at all.
                cls = name[len(own) :].rpartition(".")[0]
                return name if cls and any(c.qualname == cls for c in self.m.classes) else None
            return name if self.reaches_out(function) else None
        top = name.partition(".")[0]
        if top in _PACKAGES or top not in self.imported_tops(scope):
            return None  # a package, a builtin, a parameter: not project code
        folders = self.m.name.split(".")[:-1]
        if top == self.m.name.partition(".")[0]:
            return name  # a relative import, or one from the tree's root: named from there
        if top in folders:
            # `from app.clients import x` in services/ai-engine/app/routers/match.py
            root = len(folders) - 1 - folders[::-1].index(top)
            return ".".join([*folders[:root], name])
        return name  # another top package: the composer finds it in the tree, or drops it

    def imported_tops(self, scope: _Scope) -> set[str]:
        """Top names of what this module imports (relative ones start at its own root)."""
        if self._imports is None:
            found = {self.m.name.partition(".")[0]}
            for each in self.m.scopes(scope):
                found.update(v.partition(".")[0] for v in each.imports.values())
            self._imports = found
        return self._imports

    def reaches_out(self, function: FunctionInfo) -> bool:
        """A function of this module that calls out (HTTP, project code), itself or deeper.

        Its body is here to read, unlike an import's: `rank(results)`, a sort, is left out.
        """
        key = function.qualname
        known = self.shared.reaches
        found = known.get(key)
        if found is not None:
            return found
        known[key] = False  # while reading it: a recursive call adds nothing
        for site in function.calls:
            resolved = self.m.resolve(site.node.func, site.function)
            if resolved is None:
                continue
            if match_client(resolved.name) is not None or (
                kind_of_call(self.ctx, site.node, site.function) is None
                and self.project(resolved.name, site.node.func, site.function) is not None
            ):
                known[key] = True
                break
        return known[key]

    # --- what protects it ---------------------------------------------------------------------

    def context(self, call: cst.Call, scope: _Scope) -> tuple[bool, bool, bool]:
        """(guarded, fanout, awaited), from the call up to the handler."""
        guarded = fanout = False
        awaited = True
        tracking = True  # `child` still is the call's value (a coroutine, a task)
        task = False  # handed to create_task: runs on without the handler unless awaited
        child: cst.CSTNode = call
        current = self.parents.get(id(call))
        while current is not None and current is not self.function.node:
            # Exact types first: isinstance on libcst nodes is an ABC check, the slow part.
            kind = type(current)
            if kind not in _SCOPING:
                pass
            elif isinstance(current, cst.Try | cst.TryStar) and current.body is child:
                guarded = guarded or any(
                    isinstance(h, cst.ExceptHandler) and self.falls_back(h)
                    for h in current.handlers
                )
            elif isinstance(current, cst.With) and current.body is child:
                guarded = guarded or self.suppresses(current, scope)
            elif self.per_item(current, child):
                fanout = True
            if tracking:
                if kind is cst.Await:
                    tracking, task = False, False
                elif kind in _PASSING:
                    pass  # an argument, an element: still the call's value
                elif isinstance(current, cst.Call) and child is not current.func:
                    name = self.m.qualified(current.func, scope)
                    if name in _GATHERS or name in _WAITS:
                        fanout = True
                        if name in _WAITS or literal(kwarg(current, "return_exceptions")) is True:
                            guarded = True  # the failures come back as values
                    elif name.startswith(_TASK_GROUPS):
                        fanout, tracking, task = True, False, False  # the group waits
                    elif name in _TASKS or name.endswith((".create_task", ".ensure_future")):
                        task = True
                    elif name not in _PASS_THROUGH:
                        tracking = False  # used by some other call
                elif isinstance(current, cst.Assign | cst.AnnAssign):
                    tracking = False
                    if task:
                        awaited, task = self.task_awaited(current), False
                else:
                    tracking = False
            child, current = current, self.parents.get(id(current))
        if task:
            awaited = False  # a task nobody awaits: fire and forget
        return guarded, fanout, awaited

    @staticmethod
    def per_item(current: cst.CSTNode, child: cst.CSTNode) -> bool:
        """`child` runs once per item: a `for` body, a comprehension's element."""
        if isinstance(current, cst.For):
            return current.body is child
        if isinstance(current, cst.ListComp | cst.SetComp | cst.GeneratorExp):
            return current.elt is child
        if isinstance(current, cst.DictComp):
            return child is current.key or child is current.value
        return False

    def task_awaited(self, assign: cst.Assign | cst.AnnAssign) -> bool:
        """`task = asyncio.create_task(...)` awaited or gathered later in the handler."""
        targets = (
            [t.target for t in assign.targets]
            if isinstance(assign, cst.Assign)
            else [assign.target]
        )
        names = [dotted(t) for t in targets if dotted(t)]
        source = self.ctx.source(self.function.node)
        return any(
            re.search(rf"\bawait\s+{re.escape(n)}\b|gather\([^)]*\b{re.escape(n)}\b", source)
            for n in names
            if n
        )

    def suppresses(self, node: cst.With, scope: _Scope) -> bool:
        for item in node.items:
            made = item.item
            if (
                isinstance(made, cst.Call)
                and self.m.qualified(made.func, scope) in _SUPPRESS
                and any(self.outage_type(arg.value, scope) for arg in made.args)
            ):
                return True
        return False

    # --- fallbacks ----------------------------------------------------------------------------

    def falls_back(self, handler: cst.ExceptHandler) -> bool:
        if handler.type is not None and not self.outage_type(handler.type, self.function):
            return False
        name = handler.name.name if handler.name is not None else None
        error = name.value if isinstance(name, cst.Name) else None
        return self.block(_statements(handler.body), error) != _FAIL

    def outage_type(self, expr: cst.BaseExpression, scope: _Scope) -> bool:
        """An exception type an outage may raise: anything but the data and lookup errors."""
        if isinstance(expr, cst.Tuple):
            return any(self.outage_type(e.value, scope) for e in expr.elements)
        name = self.m.qualified(expr, scope) or (dotted(expr) or "")
        return name.rpartition(".")[2] not in _DATA_ERRORS

    def block(self, statements: Sequence[cst.CSTNode], error: str | None) -> str:
        """FAIL when every path fails, ANSWER when some path answers, else CONTINUE."""
        for statement in statements:
            found = self.statement(statement, error)
            if found != _CONTINUE:
                return found
        return _CONTINUE

    def statement(self, node: cst.CSTNode | None, error: str | None) -> str:
        if node is None:
            return _CONTINUE
        if isinstance(node, cst.SimpleStatementLine):
            return self.block(node.body, error)
        if isinstance(node, cst.Raise):
            return _FAIL
        if isinstance(node, cst.Return):
            if node.value is None:
                return _ANSWER
            return _FAIL if self.expression(node.value, error) == _FAIL else _ANSWER
        if isinstance(node, cst.Expr):
            return _FAIL if self.expression(node.value, error) == _FAIL else _CONTINUE
        if isinstance(node, cst.If):
            taken = self.block(_statements(node.body), error)
            orelse = node.orelse
            if isinstance(orelse, cst.If):
                other = self.statement(orelse, error)
            elif orelse is not None:
                other = self.block(_statements(orelse.body), error)
            else:
                other = _CONTINUE
            if taken == other == _FAIL:
                return _FAIL
            return _ANSWER if _ANSWER in (taken, other) else _CONTINUE
        if isinstance(node, cst.Try):
            outcomes = [self.block(_statements(node.body), error)]
            outcomes += [self.block(_statements(h.body), error) for h in node.handlers]
            if all(found == _FAIL for found in outcomes):
                return _FAIL
            return _ANSWER if _ANSWER in outcomes else _CONTINUE
        if isinstance(node, cst.With):
            return self.block(_statements(node.body), error)
        return _CONTINUE

    def expression(self, expr: cst.BaseExpression, error: str | None) -> str:
        """What a returned or evaluated expression of an `except` does."""
        if isinstance(expr, cst.Tuple) and len(expr.elements) >= 2:
            # Flask: `return jsonify(error=...), 503`
            status = _status(expr.elements[1].value)
            return _FAIL if status is not None and (status < 0 or status >= 400) else _ANSWER
        if isinstance(expr, cst.Await):
            return self.expression(expr.expression, error)
        if not isinstance(expr, cst.Call):
            return _CONTINUE
        name = self.m.qualified(expr.func, self.function) or (dotted(expr.func) or "")
        if name in _ABORTS or name.rpartition(".")[2] == "abort":
            return _FAIL
        if name.rpartition(".")[2] in _RESPONSES:
            status = _status(kwarg(expr, "status_code") or kwarg(expr, "status"))
            if status is None and name.rpartition(".")[2] != "make_response":
                status = _status(positional(expr, 1)) if positional(expr, 1) else None
            return _FAIL if status is not None and (status < 0 or status >= 400) else _ANSWER
        if (
            error is not None
            and any(isinstance(a.value, cst.Name) and a.value.value == error for a in expr.args)
            and kind_of_call(self.ctx, expr, self.function) is None
        ):
            return _FAIL  # handle_error(exc): the error goes on to be answered
        return _CONTINUE
