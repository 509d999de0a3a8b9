"""Fetch wrappers and their callers: outbound calls made through project code.

Frontends rarely call `fetch` where the request is decided: a hook calls
`apiFetch('/api/matches', { method: 'POST', body })`, and `apiFetch`, in
another module, calls `fetch(`${API_BASE}${path}`, init)`. The call that
matters is the hook's, with the wrapper's base, library, timeout and retry.
Per-file extraction sees only one side, so it records both and
`compose_wrapper_calls` joins them once every file of the tree is known.

Extraction, per file:

- `FetchWrapper`: a named function (a declaration, a `const`, an object
  literal's or a class's method) whose fetch/axios/ky/got call has a URL that
  ends with one of its parameters: `${BASE}${path}` (a parameter right after
  another value, whatever its name), `${BASE}/${endpoint}` (a parameter named
  like a path: path, url, uri, endpoint, route, resource, href, input), or
  the parameter alone (the caller passes whole URLs). A URL with a literal
  path before the parameter (`/users/${id}`) is a client function, not a
  wrapper: its own call is the fact. Also a module's `axios.create({ baseURL
  })` (ky, got) instance, called as `api.get(path)` from other modules. Which
  parameters carry the method, an options object (`init`, also through `const
  { body, ...init } = options`) and the body is recorded, so that each
  caller's arguments can be read through them.
- `WrapperCall`: a call into project code (a relative or `@/` import, a
  workspace package, or a wrapper of the same file) with a URL-like argument
  (`'/api/...'`, `http...`), or one that passes its own function's parameter
  on (a wrapper built on a wrapper: `apiClient.get = (path, options) =>
  apiFetch(path, { ...options, method: 'GET' })`). With what each argument
  holds (URL template, an options object's method and body type, its declared
  type), the call's type arguments, and where it runs: the function, or for a
  React Query `queryFn`/`mutationFn` (`useQuery({ queryFn })`, `useQuery(key,
  fn)`, `useMutation(fn)`) the hook and the component or hook around it.

Composition: a call's callee (a dotted import path) is the wrapper whose
module ends with the path's module part at a dot (`@/lib/api-client` is
`src/lib/...` for files under `src/`, else matched by suffix), the caller's
own service first, then the shortest module; a workspace package (`@acme/api`)
matches a wrapper of that name in a module under a folder named `api`. A
wrapper built on another wrapper takes the inner one's base, library, timeout
and retry, and its own parameters' roles.
A matched call with a URL becomes an `OutboundCall` at the call site (url =
base + path, method from the call's options unless the wrapper fixes it,
request type from the body argument, response type from the call's type
argument or declared result); a matched call that passes a parameter on only
defines a wrapper. Matched calls, and wrappers something matched, are dropped;
the wrapper's own HTTP call stays, as the real call it also is, and no site
gets a second `OutboundCall`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import tree_sitter as ts

from analyzers.facts import (
    Fact,
    FetchWrapper,
    FileFacts,
    OutboundCall,
    RetryPolicy,
    WrapperArgument,
    WrapperCall,
)
from analyzers.javascript import http
from analyzers.javascript.context import JsContext
from analyzers.javascript.module import (
    TRANSPARENT,
    call_arguments,
    kind,
    object_property,
    string_value,
    text,
    unwrap,
)
from analyzers.javascript.types import Types, import_path, parameters, return_type, type_params
from analyzers.javascript.types import unpromise as _unpromise
from analyzers.modules import module_name
from analyzers.templates import Template

PATHISH = re.compile(r"path|url|uri|endpoint|route|resource|href|input", re.I)
HOOKS = re.compile(
    r"^use(?:Suspense)?(?:Infinite)?(?:Query|Queries|Mutation)$|^useSWR\w*$|"
    r"^(?:pre)?fetch(?:Infinite)?Query$|^ensureQueryData$"
)
QUERY_FUNCTIONS = frozenset({"queryFn", "mutationFn"})
INSTANCE_FACTORIES = {
    "axios.create": "axios",
    "axios.default.create": "axios",
    "ky.create": "ky",
    "ky.extend": "ky",
    "got.extend": "got",
}
# Workspace-looking scopes that are published libraries, not a monorepo's own packages.
VENDOR_SCOPES = frozenset(
    {
        "@tanstack",
        "@angular",
        "@nestjs",
        "@prisma",
        "@supabase",
        "@aws-sdk",
        "@google-cloud",
        "@octokit",
        "@vercel",
        "@sentry",
        "@opentelemetry",
        "@testing-library",
        "@reduxjs",
        "@trpc",
        "@apollo",
        "@azure",
        "@mui",
        "@radix-ui",
        "@hono",
        "@remix-run",
        "@sveltejs",
        "@nuxt",
        "@vue",
        "@stripe",
        "@clerk",
        "@auth",
        "@next",
        "@react-navigation",
        "@fastify",
        "@grpc",
        "@slack",
        "@types",
    }
)
_STRINGISH = frozenset(
    {
        "string",
        "template_string",
        "binary_expression",
        "identifier",
        "member_expression",
        "call_expression",
    }
)
_HEAD = re.compile(rb"[A-Za-z_$][\w$]*")
_SHORT_CLIENTS = re.compile(r"\b(?:ky|got)\b")


def _mentions_client(source: str) -> bool:
    # Substring checks run about 8 times faster than the regex alternation over a whole file.
    if "fetch" in source or "axios" in source:
        return True
    return ("ky" in source or "got" in source) and _SHORT_CLIENTS.search(source) is not None


_CLIENT_PACKAGES = frozenset(
    {"axios", "ky", "got", "node-fetch", "cross-fetch", "isomorphic-fetch", "undici"}
)
_CLIENT_NAMES = frozenset(http.FETCHES) | frozenset(http.VERBS) | {"request", "axios", "got", "ky"}


# --- extraction -----------------------------------------------------------------------------------


def extract(ctx: JsContext) -> Iterator[Fact]:
    return _Finder(ctx).extract()


@dataclass
class _Site:
    call: ts.Node
    callee: str  # the ref a `WrapperCall` names
    label: str | None  # for a callee of this module: its label (`apiFetch`, `ApiClient.get`)
    caller: ts.Node | None  # the innermost function around the call
    passes_param: bool  # an argument is the calling function's own parameter
    url_like: bool


class _Finder:
    def __init__(self, ctx: JsContext) -> None:
        self.ctx = ctx
        self.m = ctx.module
        self.types = Types(ctx)
        self._retried: dict[str, RetryPolicy] | None = None
        self._instances: dict[str, str] | None = None
        self.clients = _mentions_client(ctx.text)

    # --- the module's own wrappers -------------------------------------------------------------

    def extract(self) -> Iterator[Fact]:
        wrappers = list(self.direct_wrappers()) + list(self.instance_wrappers())
        local = {w.ref.partition(":")[2] for w in wrappers if not w.instance}
        local.update(a for w in wrappers for a in w.aliases)
        sites = list(self.sites(local))
        # A function of this module that passes its parameter to a local wrapper is one too.
        changed = True
        while changed:
            changed = False
            for site in sites:
                if site.label in local and site.passes_param and site.caller is not None:
                    label = self.label(site.caller)
                    if label is not None and label not in local:
                        local.add(label)
                        local.update(self.aliases(label))
                        changed = True
        yield from wrappers
        for site in sites:
            if site.label is not None and site.label not in local:
                continue
            if site.url_like or site.passes_param:
                yield self.wrapper_call(site)

    def calls_from(self, heads: set[str]) -> Iterator[tuple[ts.Node, ts.Node]]:
        """(call, callee) for the calls whose callee starts with one of `heads`.

        Decided on the source bytes at the call's start before any node is read: most calls
        of a file start with a name no wrapper can hang from, and this runs for every call.
        """
        if not heads:
            return
        wanted = {head.encode() for head in heads}
        source = self.m.source
        for call in self.m.calls:
            found = _HEAD.match(source, call.start_byte)
            if found is None:
                continue
            head = found.group()
            if head not in wanted and head != b"await":  # `await x.get<T>()` starts with await
                continue
            callee = unwrap(call.child_by_field_name("function"))
            if callee is not None and callee.type in ("identifier", "member_expression"):
                if head == b"await" and text(callee).partition(".")[0] not in heads:
                    continue
                yield call, callee

    def client_heads(self) -> set[str]:
        """Names an HTTP client call can start with: fetch, the clients' imports, `this`, and
        module bindings made by a client (`const api = axios.create(...)`)."""
        if not self.clients:
            return set()
        heads = {"fetch", "globalThis", "window", "this"}
        for name, qualified in self.m.imports.items():
            if qualified.partition(".")[0] in _CLIENT_PACKAGES:
                heads.add(name)
        for name, bound in self.m.bindings.items():
            value = unwrap(bound[0][1])
            if value is not None and value.type == "call_expression":
                made = text(value.child_by_field_name("function")).partition(".")[0]
                if made in heads:
                    heads.add(name)
        return heads

    def direct_wrappers(self) -> Iterator[FetchWrapper]:
        for call, callee in self.calls_from(self.client_heads()):
            if text(callee).rpartition(".")[2].strip() not in _CLIENT_NAMES:
                continue
            function = self.m.enclosing_function(call)
            if function is None or not self.may_take_url(call, function):
                continue
            client = http._client(self.ctx, call)
            if client is None:
                continue
            found = self.direct(call, client, function)
            if found is not None:
                yield found

    def may_take_url(self, call: ts.Node, function: ts.Node) -> bool:
        """A cheap test before name resolution: the call's first argument may hold a parameter
        of its function (it names one, or is a variable or options object built elsewhere)."""
        names = [name for name, _ in parameters(function) if name]
        args = call_arguments(call)
        first = unwrap(args[0]) if args else None
        if not names or first is None:
            return False
        if first.type in ("identifier", "object", "member_expression"):
            return True
        written = text(first)
        return any(name in written for name in names)

    def direct(self, call: ts.Node, client: http.Client, function: ts.Node) -> FetchWrapper | None:
        label = self.label(function)
        if label is None:
            return None
        params = parameters(function)
        url = http._url(self.ctx, client)
        path_param = None
        base = ""
        for index, (name, _) in enumerate(params):
            slot = "{" + name + "}"
            if not name or not url.text.endswith(slot):
                continue
            prefix = url.text[: -len(slot)]
            if PATHISH.search(name) or prefix == "" or prefix.endswith("}"):
                path_param, base = index, prefix
                break
        if path_param is None:
            return None
        flow = self.flow(function, params, call, client)
        outbound = http._fact(self.ctx, call, client, self.retried)
        declared = _unpromise(return_type(function))
        generics = type_params(function)
        response_param = None
        if declared is not None and text(declared) in generics:
            response_param = generics.index(text(declared))
        elif len(generics) == 1 and outbound.response_type is None:
            response_param = 0
        return FetchWrapper(
            service=self.ctx.service,
            location=self.ctx.loc(function),
            ref=f"{self.m.name}:{label}",
            library=client.library,
            method=flow.method or client.method,
            base_url=base,
            path_param=path_param,
            defaults=url.defaults,
            method_param=flow.method_param,
            options_param=flow.options_param,
            method_fixed=flow.method_fixed,
            body_param=flow.body_param,
            request_type=outbound.request_type,
            response_type=outbound.response_type,
            response_type_param=response_param,
            timeout_seconds=outbound.timeout_seconds,
            unbounded=outbound.unbounded,
            retry=outbound.retry,
            handles_rate_limit=outbound.handles_rate_limit,
            propagates_trace=outbound.propagates_trace,
            idempotency_key=outbound.idempotency_key,
            aliases=self.aliases(label),
        )

    @property
    def retried(self) -> dict[str, RetryPolicy]:
        if self._retried is None:
            self._retried = http._axios_retry_targets(self.ctx)
        return self._retried

    def flow(
        self,
        function: ts.Node,
        params: list[tuple[str, ts.Node]],
        call: ts.Node,
        client: http.Client,
    ) -> _Flow:
        """Which of the function's parameters reach the request as method, options or body."""
        flow = _Flow()
        names = [name for name, _ in params]
        options = unwrap(client.options)
        verb = text(call.child_by_field_name("function")).rpartition(".")[2]
        if client.library != "fetch" and verb in http.VERBS:
            flow.method_fixed = True  # `axios.post(...)`: the verb is the method
            if client.library == "axios" and verb in ("post", "put", "patch"):
                args = call_arguments(call)
                data = args[1] if len(args) > 1 else None
                flow.body_param = self.param_of(function, names, data)
            else:
                flow.body_param = self.param_of(function, names, object_property(options, "json"))
            return flow
        if options is not None and options.type == "identifier":
            flow.options_param = self.param_of(function, names, options, through_rest=True)
            return flow
        if options is None or options.type != "object":
            return flow
        last_spread = -1
        literal_at = -1
        for position, member in enumerate(options.named_children):
            if member.type == "spread_element" and member.named_children:
                index = self.param_of(function, names, member.named_children[0], True)
                if index is not None:
                    flow.options_param = index
                    last_spread = position
            elif member.type == "pair" and text(member.child_by_field_name("key")) == "method":
                value = unwrap(member.child_by_field_name("value"))
                literal = string_value(value)
                if literal is not None:
                    flow.method, literal_at = literal.upper(), position
                elif value is not None:
                    self.method_from(function, names, value, flow)
            elif member.type == "shorthand_property_identifier" and text(member) == "method":
                self.method_from(function, names, member, flow)
        # `{ ...init, method: 'GET' }` fixes the method; `{ method: 'GET', ...init }` defaults it
        flow.method_fixed = literal_at > last_spread
        body = _body_value(object_property(options, "body"))
        index = self.param_of(function, names, body)
        if index is not None:
            flow.body_param = index
        elif body is not None and body.type == "identifier" and flow.options_param is None:
            flow.options_param = self.destructured_from(function, names, text(body))
        return flow

    def method_from(self, function: ts.Node, names: list[str], value: ts.Node, flow: _Flow) -> None:
        """`method`, `options.method ?? 'GET'`, `init?.method`: which parameter decides it."""
        if value.type == "binary_expression":
            right = string_value(value.child_by_field_name("right"))
            if right is not None:
                flow.method = right.upper()
            value = unwrap(value.child_by_field_name("left")) or value
        if value.type in ("identifier", "shorthand_property_identifier"):
            index = self.param_of(function, names, value)
            if index is not None:
                flow.method_param = index
                return
        root = value
        while root.type == "member_expression":
            root = unwrap(root.child_by_field_name("object")) or root
            if root.type == "identifier":
                break
        if root.type == "identifier":
            flow.options_param = self.param_of(function, names, root, through_rest=True)

    def param_of(
        self,
        function: ts.Node,
        names: list[str],
        node: ts.Node | None,
        through_rest: bool = False,
    ) -> int | None:
        """The position of the parameter `node` names (or, with `through_rest`, is taken from)."""
        node = unwrap(node)
        if node is None or node.type not in ("identifier", "shorthand_property_identifier"):
            return None
        name = text(node)
        if name in names:
            bound = self.m.lookup(name, node) if name in self.m.bindings else None
            if bound is None or self.m.scope_of(bound).start_byte < function.start_byte:
                return names.index(name)
        if through_rest:
            return self.destructured_from(function, names, name)
        return None

    def destructured_from(self, function: ts.Node, names: list[str], name: str) -> int | None:
        """`const { body, ...init } = options` (or a destructured parameter) holding `name`."""
        for index, (_, param) in enumerate(parameters(function)):
            pattern = param.child_by_field_name("pattern")
            if pattern is not None and pattern.type == "object_pattern" and _binds(pattern, name):
                return index
        body = function.child_by_field_name("body")
        if body is None or body.type != "statement_block":
            return None
        for statement in body.named_children:
            if statement.type not in ("lexical_declaration", "variable_declaration"):
                continue
            for declarator in statement.named_children:
                pattern = declarator.child_by_field_name("name")
                source = unwrap(declarator.child_by_field_name("value"))
                if (
                    pattern is not None
                    and pattern.type == "object_pattern"
                    and source is not None
                    and source.type == "identifier"
                    and text(source) in names
                    and _binds(pattern, name)
                ):
                    return names.index(text(source))
        return None

    def instance_wrappers(self) -> Iterator[FetchWrapper]:
        """`export const api = axios.create({ baseURL })`: its `.get(path)` from other modules."""
        if not self.clients:
            return
        for name, bound in self.m.bindings.items():
            declarator, value = bound[0]
            made = unwrap(value)
            if made is None or made.type != "call_expression":
                continue
            if self.m.scope_of(declarator) is not self.m.root and (
                self.m.scope_of(declarator).type != "program"
            ):
                continue
            resolved = self.m.callee(made)
            library = INSTANCE_FACTORIES.get(resolved.name) if resolved else None
            if library is None:
                continue
            config = call_arguments(made)
            options = config[0] if config else None
            base_node = object_property(options, "baseURL") or object_property(options, "prefixUrl")
            base = self.ctx.values.part(base_node, 0) if base_node is not None else Template("")
            client = http.Client(library, "GET", None, None, made)
            seconds, unbounded = http._timeout(self.ctx, made, client, None)
            retry: RetryPolicy | None = None
            if library == "ky":
                limit = object_property(options, "retry")
                retry = None if text(limit) == "0" else RetryPolicy(2, True, False, "ky", True)
            elif library == "axios" and resolved is not None:
                retry = self.retried.get(name) or self.retried.get(f"{resolved.name}()")
            yield FetchWrapper(
                service=self.ctx.service,
                location=self.ctx.loc(declarator),
                ref=f"{self.m.name}:{name}",
                library=library,
                method="GET",
                base_url=base.text,
                path_param=0,
                defaults=base.defaults,
                method_fixed=True,
                timeout_seconds=seconds,
                unbounded=unbounded,
                retry=retry,
                instance=True,
            )

    # --- naming --------------------------------------------------------------------------------

    def label(self, function: ts.Node) -> str | None:
        """How other code names a function: `apiFetch`, `apiClient.get`, `ApiClient.request`."""
        name = function.child_by_field_name("name")
        parent = function.parent
        if function.type == "method_definition" and parent is not None:
            if parent.type == "class_body" and parent.parent is not None:
                return f"{text(parent.parent.child_by_field_name('name'))}.{text(name)}"
            if parent.type == "object":
                owner = _object_label(parent)
                return f"{owner}.{text(name)}" if owner else None
            return None
        if name is not None and function.type in (
            "function_declaration",
            "generator_function_declaration",
        ):
            return text(name)
        while parent is not None and parent.type in TRANSPARENT:
            parent = parent.parent
        if parent is None:
            return None
        if parent.type in ("variable_declarator", "pair"):
            return _bound_label(parent)
        if parent.type in ("public_field_definition", "field_definition"):
            cls = self.m.class_of(parent)
            field_name = parent.child_by_field_name("name") or parent.child_by_field_name(
                "property"
            )
            if cls is not None:
                return f"{text(cls.child_by_field_name('name'))}.{text(field_name)}"
        return None

    def aliases(self, label: str) -> tuple[str, ...]:
        """Other names of a function in its module.

        `api.get` for `ApiClient.get` where `const api = new ApiClient()`, and `default`
        for the module's default export.
        """
        owner, _, method = label.partition(".")
        found = [f"{name}.{method}" for name, cls in self.instances.items() if cls == owner]
        if method == "" and self._default_export(label):
            found.append("default")
        return tuple(found)

    def _default_export(self, name: str) -> bool:
        for export in self.m.exports:
            if any(child.type == "default" for child in export.children):
                declaration = export.child_by_field_name(
                    "declaration"
                ) or export.child_by_field_name("value")
                if declaration is not None and (
                    text(declaration) == name
                    or text(declaration.child_by_field_name("name")) == name
                ):
                    return True
        return False

    @property
    def instances(self) -> dict[str, str]:
        """Module-level `const api = new ApiClient(...)`: instance name -> class name."""
        if self._instances is None:
            self._instances = self._class_instances()
        return self._instances

    def _class_instances(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if not self.m.news:
            return found
        for new in self.m.news:
            holder = new.parent
            while holder is not None and holder.type in TRANSPARENT:
                holder = holder.parent
            if holder is None or holder.type != "variable_declarator":
                continue
            target = holder.child_by_field_name("name")
            constructor = new.child_by_field_name("constructor")
            if (
                target is not None
                and target.type == "identifier"
                and constructor is not None
                and constructor.type == "identifier"
                and self.m.scope_of(holder).type == "program"
            ):
                found[text(target)] = text(constructor)
        return found

    # --- calls into project code ---------------------------------------------------------------

    def sites(self, local: set[str]) -> Iterator[_Site]:
        """Calls whose callee may be a wrapper: imported from the project, or of this module."""
        local_roots = {label.partition(".")[0] for label in local}
        local_roots.update(n for n, cls in self.instances.items() if cls in local_roots)
        imported = {name for name in self.m.imports if self.project_import(name)}
        # `this.x(...)` may call a wrapper only in a class that has one or inherits a project's
        classes = {
            cls.start_byte
            for cls in self.m.classes
            if text(cls.child_by_field_name("name")) in local_roots
            or (_base_class(cls) or "") in imported | local_roots
        }
        heads = imported | local_roots | ({"this"} if classes else set())
        for call, callee in self.calls_from(heads):
            root = callee
            while root.type == "member_expression":
                root = root.child_by_field_name("object") or root
                if root.type not in ("member_expression", "identifier", "this"):
                    break
            label: str | None = None
            if root.type == "this":
                if not classes:
                    continue
                owner = self.m.class_of(callee)
                if owner is None or owner.start_byte not in classes:
                    continue
            elif root.type != "identifier":
                continue
            root_name = text(root)
            if root_name not in imported and root_name not in local_roots and root.type != "this":
                continue
            args = call_arguments(call)
            if not args:
                continue
            if root_name in imported:
                ref = self.imported_ref(callee, root_name)
                if ref is None:
                    continue
            elif root.type == "this":
                found = self.this_ref(callee)
                if found is None:
                    continue
                ref, label = found
            elif root_name in local_roots:
                label = self.local_label(callee)
                if label is None:
                    continue
                ref = f"{self.m.name}:{label}"
            else:
                continue
            if _is_client_call(self.ctx, call, callee):
                continue
            caller = self.m.enclosing_function(call)
            params = [name for name, _ in parameters(caller)] if caller is not None else []
            passes = self.passes_path(caller, params, args, known=label is not None)
            url_like = any(self.url_like(a) for a in args)
            if passes or url_like:
                yield _Site(call, ref, label, caller, passes, url_like)

    def project_import(self, name: str) -> bool:
        source = self.m.import_sources.get(name, "")
        if source.startswith((".", "@/", "~/", "#/")):
            return True
        if source.startswith("@") and "/" in source:
            return source.partition("/")[0] not in VENDOR_SCOPES
        return False

    def imported_ref(self, callee: ts.Node, root: str) -> str | None:
        resolved = self.m.resolve(callee)
        if resolved is None or "()" in resolved.name:
            return None
        name = import_path(self.m, resolved.name)
        if callee.type == "identifier" and root in self.m.whole_imports:
            name += ".default"  # `import apiFetch from './api'`: the default export
        return name

    def this_ref(self, callee: ts.Node) -> tuple[str, str | None] | None:
        """`this.request(...)`: (ref, local label) of the class's method or an inherited one.

        A method the class does not declare is its base class's: `class AiClient extends
        ServiceClient` with `ServiceClient` imported names `<its module>.ServiceClient.request`.
        """
        parts = text(callee).split(".")
        cls = self.m.class_of(callee)
        if cls is None or len(parts) != 2:
            return None
        method = parts[1]
        owner = text(cls.child_by_field_name("name"))
        body = cls.child_by_field_name("body")
        declared = {
            text(member.child_by_field_name("name"))
            for member in (body.named_children if body is not None else [])
            if member.type in ("method_definition", "public_field_definition", "field_definition")
        }
        base = _base_class(cls)
        if method not in declared and base:
            if base in self.m.imports:
                if not self.project_import(base):
                    return None
                return f"{import_path(self.m, self.m.imports[base])}.{method}", None
            owner = base
        label = f"{owner}.{method}"
        return f"{self.m.name}:{label}", label

    def local_label(self, callee: ts.Node) -> str | None:
        parts = text(callee).split(".")
        if parts[0] in self.instances and len(parts) == 2:
            return f"{self.instances[parts[0]]}.{parts[1]}"
        return (
            ".".join(parts) if all(p.isidentifier() or p.startswith("#") for p in parts) else None
        )

    def passes_path(
        self, caller: ts.Node | None, params: list[str], args: list[ts.Node], known: bool
    ) -> bool:
        """The call hands on a parameter of a named caller that may be a path.

        For a wrapper of this module any parameter may be (the composer checks which
        argument is the path); for an imported function only one named like a path,
        or every helper that passes its argument on would be recorded.
        """
        if caller is None:
            return False
        for arg in args:
            index = self.param_of(caller, params, arg)
            if index is not None and (known or PATHISH.search(params[index])):
                return self.label(caller) is not None
        return False

    def url_like(self, node: ts.Node) -> bool:
        """A string that starts a path (`/api/...`), holds a scheme, or is a base then a path."""
        inner = unwrap(node)
        if inner is None or inner.type not in _STRINGISH or inner.type == "call_expression":
            return False
        if inner.type == "identifier" and not any(
            kind(value) in ("string", "template_string", "binary_expression")
            for _, value in self.m.bindings.get(text(inner), ())
        ):
            return False  # bound to no string anywhere: not worth a scoped lookup
        found = self.ctx.values.template(inner)
        if found is None:
            return False
        value = found.text
        return value.startswith("/") or "://" in value or (value.startswith("{") and "}/" in value)

    def wrapper_call(self, site: _Site) -> WrapperCall:
        call, caller = site.call, site.caller
        # What flows from the caller's parameters matters only if the caller can be a wrapper
        # itself, which takes a name to be called by.
        named = self.label(caller) if caller is not None else None
        params = parameters(caller) if caller is not None and named else []
        names = [name for name, _ in params]
        arguments = tuple(self.argument(a, caller, names) for a in call_arguments(call))
        defaults: list[tuple[str, str]] = []
        for arg in call_arguments(call):
            if self._stringish(arg):
                defaults.extend(self.ctx.values.part(arg, 0).defaults)
        generics = type_params(caller)
        type_args = call.child_by_field_name("type_arguments")
        type_arguments = tuple(
            text(t) if text(t) in generics else (self.types.qualify(t, call) or text(t))
            for t in (type_args.named_children if type_args is not None else [])
        )
        response = None if type_arguments else self.types.body(call, caller)
        hook, around = _hook(self, call)
        function = around if hook is not None else caller
        passes = any(a.param is not None for a in arguments)
        label = named if passes else None
        call_text = text(call)
        return WrapperCall(
            service=self.ctx.service,
            location=self.ctx.loc(call),
            callee=site.callee,
            arguments=arguments,
            type_arguments=type_arguments,
            response_type=self.types.informative(response),
            defaults=tuple(dict.fromkeys(defaults)),
            function=self.m.function_name(function),
            hook=hook,
            in_loop=bool(self.m.loops_around(call, caller)),
            observed=caller is not None and caller.start_byte in self.ctx.observed_functions,
            propagates_trace=bool(http.TRACE.search(call_text)),
            idempotency_key=bool(http.IDEMPOTENCY.search(call_text)),
            caller=f"{self.m.name}:{label}" if label else None,
            caller_aliases=self.aliases(label) if label else (),
            caller_params=tuple(names) if label else (),
            caller_type_params=generics if label else (),
        )

    def _stringish(self, node: ts.Node) -> bool:
        inner = unwrap(node)
        return inner is not None and inner.type in _STRINGISH

    def argument(self, node: ts.Node, caller: ts.Node | None, names: list[str]) -> WrapperArgument:
        inner = unwrap(node)
        if inner is None:
            return WrapperArgument()
        param = self.param_of(caller, names, inner) if caller is not None else None
        if inner.type == "object":
            return self.options_argument(inner, caller, names)
        template = self.ctx.values.part(inner, 0).text if inner.type in _STRINGISH else None
        if param is None and caller is not None and inner.type == "template_string":
            for index, name in enumerate(names):
                if name and template == "{" + name + "}":
                    param = index
        return WrapperArgument(
            template=template,
            type=self.types.informative(self.types.of(node)),
            param=param,
        )

    def options_argument(
        self, obj: ts.Node, caller: ts.Node | None, names: list[str]
    ) -> WrapperArgument:
        method: str | None = None
        method_at = -1
        spread: int | None = None
        spread_at = -1
        for position, member in enumerate(obj.named_children):
            if member.type == "pair" and text(member.child_by_field_name("key")) == "method":
                literal = string_value(member.child_by_field_name("value"))
                if literal is not None:
                    method, method_at = literal.upper(), position
            elif member.type == "spread_element" and member.named_children and caller is not None:
                index = self.param_of(caller, names, member.named_children[0], True)
                if index is not None:
                    spread, spread_at = index, position
        body = None
        for key in ("body", "json", "data"):
            body = object_property(obj, key)
            if body is not None:
                break
        body = _body_value(body)
        body_param = self.param_of(caller, names, body) if caller is not None else None
        return WrapperArgument(
            method=method,
            body_type=self.types.informative(self.types.of(body)) if body is not None else None,
            spread_param=spread,
            body_param=body_param,
            method_fixed=method is not None and method_at > spread_at,
        )


@dataclass
class _Flow:
    method: str | None = None
    method_param: int | None = None
    options_param: int | None = None
    method_fixed: bool = False
    body_param: int | None = None


def _body_value(node: ts.Node | None) -> ts.Node | None:
    """`JSON.stringify(x)` (also in a `cond ? JSON.stringify(x) : undefined`) -> `x`."""
    node = unwrap(node)
    if node is not None and node.type == "ternary_expression":
        for branch in ("consequence", "alternative"):
            found = _body_value(node.child_by_field_name(branch))
            if found is not None and text(found) not in ("undefined", "null"):
                return found
        return None
    if (
        node is not None
        and node.type == "call_expression"
        and text(node.child_by_field_name("function")) == "JSON.stringify"
    ):
        args = call_arguments(node)
        return unwrap(args[0]) if args else None
    return node


def _binds(pattern: ts.Node, name: str) -> bool:
    for part in pattern.named_children:
        if part.type == "shorthand_property_identifier_pattern" and text(part) == name:
            return True
        if part.type == "rest_pattern" and any(text(c) == name for c in part.named_children):
            return True
        if part.type == "pair_pattern" and text(part.child_by_field_name("value")) == name:
            return True
        if part.type == "object_assignment_pattern" and text(part.named_children[0]) == name:
            return True
    return False


def _object_label(obj: ts.Node | None) -> str | None:
    """The name an object literal is bound to (`export const apiClient = { ... }`)."""
    if obj is None or obj.type != "object":
        return None
    parent = obj.parent
    while parent is not None and parent.type in TRANSPARENT:
        parent = parent.parent
    return _bound_label(parent) if parent is not None else None


def _bound_label(parent: ts.Node) -> str | None:
    """`api` for `const api = <value>`, `apiClient.get` for `get: <value>` in `apiClient`."""
    if parent.type == "variable_declarator":
        target = parent.child_by_field_name("name")
        return text(target) if target is not None and target.type == "identifier" else None
    if parent.type == "pair":
        owner = _object_label(parent.parent)
        key = _key_text(parent.child_by_field_name("key"))
        return f"{owner}.{key}" if owner and key else None
    return None


def _base_class(cls: ts.Node) -> str | None:
    """The class a class extends, when named by a plain identifier."""
    for part in cls.named_children:
        if part.type != "class_heritage":
            continue
        for clause in part.named_children:
            if clause.type == "identifier":  # JavaScript: `extends B` directly
                return text(clause)
            if clause.type == "extends_clause":
                value = clause.child_by_field_name("value")
                return text(value) if value is not None and value.type == "identifier" else None
    return None


def _key_text(key: ts.Node | None) -> str | None:
    if key is None:
        return None
    if key.type == "string":
        return string_value(key)
    return text(key) if key.type == "property_identifier" else None


def _is_client_call(ctx: JsContext, call: ts.Node, callee: ts.Node) -> bool:
    """The call is fetch/axios/ky/got itself: the HTTP family has its fact already."""
    if text(callee).rsplit(".", 1)[-1] not in _CLIENT_NAMES:
        return False
    return http._client(ctx, call) is not None


def _hook(finder: _Finder, call: ts.Node) -> tuple[str | None, ts.Node | None]:
    """(hook, the function that calls the hook) for a call made by a query or mutation function."""
    m = finder.m
    function = m.enclosing_function(call)
    for _ in range(4):
        if function is None:
            break
        parent = function.parent
        holder: ts.Node | None = None
        if parent is not None and parent.type == "pair":
            if text(parent.child_by_field_name("key")) in QUERY_FUNCTIONS:
                obj = parent.parent
                args = obj.parent if obj is not None else None
                holder = args.parent if args is not None and args.type == "arguments" else None
        elif parent is not None and parent.type == "arguments":
            holder = parent.parent
        if holder is not None and holder.type == "call_expression":
            name = text(holder.child_by_field_name("function")).rpartition(".")[2]
            if HOOKS.match(name):
                return name, m.enclosing_function(holder)
        if finder.label(function) is not None:
            break  # a named function: whatever runs it is not this call's hook
        function = m.enclosing_function(function)
    return None, None


# --- composition ----------------------------------------------------------------------------------


def compose_wrapper_calls(files: Sequence[FileFacts]) -> tuple[FileFacts, ...]:
    """Turn calls of fetch wrappers into `OutboundCall`s where they are made."""
    if not any(isinstance(f, WrapperCall) for file in files for f in file.facts):
        return tuple(files)
    index = _Index(files)
    # Every call first: which wrappers something matched is known only once all are read.
    composed: dict[int, object] = {
        id(fact): index.compose(fact)
        for file in files
        for fact in file.facts
        if isinstance(fact, WrapperCall)
    }
    out: list[FileFacts] = []
    for file in files:
        if not any(isinstance(f, WrapperCall | FetchWrapper) for f in file.facts):
            out.append(file)
            continue
        existing = {
            (f.location, f.method, f.url) for f in file.facts if isinstance(f, OutboundCall)
        }
        facts: list[Fact] = []
        for fact in file.facts:
            if isinstance(fact, WrapperCall):
                made = composed[id(fact)]
                if made is _UNMATCHED:
                    facts.append(fact)
                elif isinstance(made, OutboundCall):
                    key = (made.location, made.method, made.url)
                    if key not in existing:  # one call per site and URL, whoever found it
                        existing.add(key)
                        facts.append(made)
            elif not (isinstance(fact, FetchWrapper) and fact.ref in index.used):
                facts.append(fact)
        out.append(replace(file, facts=tuple(facts)))
    return tuple(out)


_UNMATCHED = object()


@dataclass
class _Index:
    files: Sequence[FileFacts]
    direct: dict[str, FetchWrapper] = field(default_factory=dict)
    through: dict[str, list[WrapperCall]] = field(default_factory=dict)  # caller ref -> calls
    by_name: dict[str, list[str]] = field(default_factory=dict)  # name -> refs
    services: dict[str, str | None] = field(default_factory=dict)  # module -> service
    specs: dict[str, FetchWrapper | None] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)  # wrappers that something matched

    def __post_init__(self) -> None:
        for file in self.files:
            self.services.setdefault(module_name(file.path), file.service)
            for fact in file.facts:
                if isinstance(fact, FetchWrapper):
                    module = fact.ref.partition(":")[0]
                    for ref in (fact.ref, *(f"{module}:{a}" for a in fact.aliases)):
                        self.direct.setdefault(ref, fact)
                        self._name(ref)
                elif isinstance(fact, WrapperCall) and fact.caller is not None:
                    module = fact.caller.partition(":")[0]
                    for ref in (fact.caller, *(f"{module}:{a}" for a in fact.caller_aliases)):
                        self.through.setdefault(ref, []).append(fact)
                        self._name(ref)

    def _name(self, ref: str) -> None:
        refs = self.by_name.setdefault(ref.partition(":")[2], [])
        if ref not in refs:
            refs.append(ref)

    # --- which wrapper a callee names ----------------------------------------------------------

    def resolve(self, callee: str, service: str | None) -> tuple[str, str | None] | None:
        """(wrapper ref, the verb called on an instance) for a call's callee."""
        if ":" in callee:
            if callee in self.direct or callee in self.through:
                return callee, None
            module, _, name = callee.partition(":")
            head, _, method = name.rpartition(".")
            instance = f"{module}:{head}"
            if head and instance in self.direct and self.direct[instance].instance:
                return instance, method
            return None
        parts = callee.split(".")
        best: tuple[tuple[bool, int], str, str | None] | None = None
        for cut in range(1, len(parts)):
            module = ".".join(parts[:cut])
            tries: tuple[tuple[str, str | None], ...] = (
                (".".join(parts[cut:]), None),
                (".".join(parts[cut:-1]), parts[-1]),
            )
            for wanted, verb in tries:
                if not wanted:
                    continue
                for ref in self.by_name.get(wanted, ()):
                    if verb is not None and not (ref in self.direct and self.direct[ref].instance):
                        continue
                    rank = self._rank(ref.partition(":")[0], module, service)
                    if rank is not None and (best is None or rank < best[0]):
                        best = (rank, ref, verb)
        return (best[1], best[2]) if best is not None else None

    def _rank(self, candidate: str, module: str, service: str | None) -> tuple[bool, int] | None:
        if candidate == module or candidate.endswith("." + module):
            root = candidate[: -len(module)]
        elif module.startswith("@") and "/" in module:
            # a workspace package: its folder is a component of the wrapper's module path
            package = module.partition("/")[2].split(".")[0]
            if package not in candidate.split("."):
                return None
            root = candidate
        else:
            return None
        return (self.services.get(candidate) != service, root.count("."))

    # --- what a wrapper does -------------------------------------------------------------------

    def spec(self, ref: str) -> FetchWrapper | None:
        if ref in self.specs:
            return self.specs[ref]
        if ref in self.active:
            return None
        self.active.add(ref)
        found = self.direct.get(ref)
        if found is None:
            for passing in self.through.get(ref, ()):
                found = self.derive(passing)
                if found is not None:
                    break
        self.active.discard(ref)
        self.specs[ref] = found
        return found

    def inner(self, call: WrapperCall) -> FetchWrapper | None:
        resolved = self.resolve(call.callee, call.service)
        if resolved is None:
            return None
        ref, verb = resolved
        wrapper = self.spec(ref)
        if wrapper is None:
            return None
        self.used.add(wrapper.ref)  # by its own name, not the alias it was called by
        return _called_as(wrapper, verb)

    def derive(self, call: WrapperCall) -> FetchWrapper | None:
        """The calling function of `call` as a wrapper: the callee's, with its own parameters."""
        wrapper = self.inner(call)
        if wrapper is None or call.caller is None:
            return None
        path = _arg(call.arguments, wrapper.path_param)
        if path is None or path.param is None:
            return None
        method, fixed = wrapper.method, wrapper.method_fixed
        method_param: int | None = None
        options_param: int | None = None
        body_param: int | None = None
        request = wrapper.request_type
        by_method = _arg(call.arguments, wrapper.method_param)
        if by_method is not None:
            if by_method.param is not None:
                method_param = by_method.param
            elif by_method.template and "{" not in by_method.template:
                method, fixed = by_method.template.upper(), True
        options = _arg(call.arguments, wrapper.options_param)
        if options is not None:
            if not fixed and options.method is not None:
                method, fixed = options.method, options.method_fixed
            options_param = (
                options.spread_param if options.spread_param is not None else options.param
            )
            if options.body_param is not None:
                body_param = options.body_param
            elif options.body_type is not None:
                request = options.body_type
        body = _arg(call.arguments, wrapper.body_param)
        if body is not None:
            if body.param is not None:
                body_param = body.param
            elif body.type is not None:
                request = body.type
        response = call.response_type or wrapper.response_type
        response_param: int | None = None
        if wrapper.response_type_param is not None and wrapper.response_type_param < len(
            call.type_arguments
        ):
            given = call.type_arguments[wrapper.response_type_param]
            if given in call.caller_type_params:
                response_param = call.caller_type_params.index(given)
            else:
                response = given
        return replace(
            wrapper,
            service=call.service,
            location=call.location,
            ref=call.caller,
            method=method,
            path_param=path.param,
            defaults=wrapper.defaults + call.defaults,
            method_param=method_param,
            options_param=options_param,
            method_fixed=fixed,
            body_param=body_param,
            request_type=request,
            response_type=response,
            response_type_param=response_param,
            propagates_trace=wrapper.propagates_trace or call.propagates_trace,
            idempotency_key=wrapper.idempotency_key or call.idempotency_key,
            instance=False,
            aliases=call.caller_aliases,
        )

    def compose(self, call: WrapperCall) -> object:
        """The call's `OutboundCall`, None for a call that defines a wrapper, or `_UNMATCHED`."""
        wrapper = self.inner(call)
        if wrapper is None:
            return _UNMATCHED
        target = _arg(call.arguments, wrapper.path_param)
        if target is not None and target.param is not None and call.caller is not None:
            return None  # passes its own parameter on: it defines a wrapper, it calls nothing
        path_text = target.template if target is not None and target.template else "{path}"
        method = wrapper.method
        by_method = _arg(call.arguments, wrapper.method_param)
        if by_method is not None and by_method.template and "{" not in by_method.template:
            method = by_method.template.upper()
        options = _arg(call.arguments, wrapper.options_param)
        if options is not None and options.method is not None and not wrapper.method_fixed:
            method = options.method
        request = wrapper.request_type
        body = _arg(call.arguments, wrapper.body_param)
        if body is not None and body.type is not None:
            request = body.type
        elif options is not None and options.body_type is not None:
            request = options.body_type
        response = call.response_type or wrapper.response_type
        index = wrapper.response_type_param
        if index is not None and index < len(call.type_arguments):
            response = call.type_arguments[index]
        return OutboundCall(
            service=call.service,
            location=call.location,
            library=wrapper.library,
            method=method,
            url=_join(wrapper.base_url, path_text),
            timeout_seconds=wrapper.timeout_seconds,
            unbounded=wrapper.unbounded,
            retry=wrapper.retry,
            request_type=request,
            response_type=response,
            defaults=tuple(dict.fromkeys(wrapper.defaults + call.defaults)),
            function=call.function,
            in_loop=call.in_loop,
            handles_rate_limit=wrapper.handles_rate_limit,
            observed=call.observed,
            propagates_trace=wrapper.propagates_trace or call.propagates_trace,
            idempotency_key=wrapper.idempotency_key or call.idempotency_key,
        )


def _arg(arguments: tuple[WrapperArgument, ...], index: int | None) -> WrapperArgument | None:
    return arguments[index] if index is not None and 0 <= index < len(arguments) else None


def _called_as(wrapper: FetchWrapper, verb: str | None) -> FetchWrapper:
    """An instance called as `.post(path, data, config)`: a wrapper with that method."""
    if not wrapper.instance:
        return wrapper
    verb = (verb or "get").lower()
    takes_body = wrapper.library == "axios" and verb in ("post", "put", "patch")
    return replace(
        wrapper,
        method=verb.upper(),
        method_fixed=True,
        body_param=1 if takes_body else None,
        options_param=2 if takes_body else 1,
        response_type_param=0 if wrapper.library == "axios" else None,
        instance=False,
    )


def _join(base: str, path: str) -> str:
    if not base:
        return path
    if path.startswith(("http://", "https://")):
        return path
    if base.endswith("/") and path.startswith("/"):
        return base + path[1:]
    return base + path
