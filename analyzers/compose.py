"""Full endpoint paths: routes, their router's own prefix, and where that router is mounted.

Extraction records each route on the object it is declared on with its own
path, and each object's prefix and mounts as separate facts, because the
mounting usually lives in another module (`app.include_router(users.router,
prefix="/api")` in `main.py`). Once every file of a tree is known, this joins
them:

- An object named by an import path (`app.routers.users.router`) is the
  object whose module ends with `app.routers.users` at a dot boundary,
  preferring the referring file's service, then a module under the same
  import root as the referring one, then the shortest import root.
- Roots are the objects nobody mounts. From each, a depth-first walk down
  the mounts gives every object the base paths it is served under: the
  parent's base, the mount's prefix, then the object's own prefix unless the
  mount replaces it (Flask `url_prefix=`, RESTX `add_namespace(path=)`). A
  router mounted twice is served twice; a cycle is cut where it closes.
- A handler named by its import path (`shop.views.home`, a view imported into
  `urls.py`) is named after the module of the tree it resolves to, the way
  handlers declared in place are (`services.shop.shop.views.home`).
- Segments are joined with exactly one `/`, with a leading `/` and no trailing
  one, so `/items/` and `/items` are the same endpoint ("/" stays "/").
  FastAPI and Django do treat them as different routes; a reviewer matching
  calls to routes is better served by one spelling.
- Middleware a mount carries (Express: `app.use(express.json())` before
  `app.use("/api", router)`) runs before the child's routes, outer mounts
  first, each where its path covers the route's full path; it goes in front of
  the endpoint's own `middleware`, and the first body parser on the way is the
  endpoint's `body_parser`.
- An endpoint reached from an application (FastAPI, Flask, Starlette, a
  RESTX/RESTful Api, or a Django urlconf nobody includes, the ROOT_URLCONF)
  is composed: `router` becomes None. One whose chain starts at a router that
  nobody mounts (its mounting is not in this tree) keeps the path it has so
  far and its `router`, so that a reader knows the path may lack a prefix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from analyzers.facts import Endpoint, Fact, FileFacts, Middleware, RouterDecl, RouterMount
from analyzers.modules import module_name

# A router reachable along more mount chains than this is a generated maze, not an API.
_MAX_BASES = 32
# Middleware on the way to an object along one chain of mounts: (absolute scope, middleware).
_Chain = tuple[tuple[str, Middleware], ...]


def join_path(*parts: str) -> str:
    segments = [segment for part in parts for segment in part.split("/") if segment]
    return "/" + "/".join(segments)


def compose_endpoints(files: Sequence[FileFacts]) -> tuple[FileFacts, ...]:
    if not any(isinstance(f, Endpoint) and f.router for file in files for f in file.facts):
        return tuple(files)
    graph = _Graph(files)
    bases = graph.bases()
    out: list[FileFacts] = []
    for file in files:
        if not any(isinstance(f, Endpoint) and f.router for f in file.facts):
            out.append(file)
            continue
        referrer = module_name(file.path)
        facts: list[Fact] = []
        for fact in file.facts:
            if isinstance(fact, Endpoint) and fact.router:
                obj = graph.resolve(fact.router, file.service, referrer)
                handler = graph.handler(fact.handler, file.service, referrer)
                own = {graph.own(obj): False}
                facts.extend(
                    _composed(fact, obj, handler, bases.get(obj) or own, graph.chains.get(obj, {}))
                )
            else:
                facts.append(fact)
        out.append(replace(file, facts=tuple(facts)))
    return tuple(out)


def _composed(
    endpoint: Endpoint,
    obj: str,
    handler: str,
    bases: dict[str, bool],
    chains: dict[str, _Chain],
) -> Iterable[Endpoint]:
    paths: dict[str, bool] = {}
    chain_of: dict[str, _Chain] = {}
    for base, from_app in bases.items():
        full = join_path(base, endpoint.path)
        paths[full] = paths.get(full, False) or from_app
        chain_of.setdefault(full, chains.get(base, ()))
    for full, from_app in paths.items():
        router = None if from_app else obj
        if full == endpoint.path and router == endpoint.router and handler == endpoint.handler:
            composed = endpoint  # already so (a router nobody mounts): `replace` copies it all
        else:
            composed = replace(endpoint, path=full, router=router, handler=handler)
        yield _with_middleware(composed, chain_of[full])


def _with_middleware(endpoint: Endpoint, chain: _Chain) -> Endpoint:
    applies = [mw for scope, mw in chain if covers(scope, endpoint.path)]
    if not applies:
        return endpoint
    parsers = [mw.body_parser for mw in applies if mw.body_parser]
    return replace(
        endpoint,
        middleware=tuple(mw.name for mw in applies) + endpoint.middleware,
        body_parser=parsers[0] if parsers else endpoint.body_parser,
    )


def covers(scope: str, path: str) -> bool:
    """Whether middleware used at `scope` sees requests to `path` (Express prefix matching)."""
    outer = [s for s in scope.split("/") if s]
    inner = [s for s in path.split("/") if s]
    if len(outer) > len(inner):
        return False
    for want, have in zip(outer, inner, strict=False):
        if want == "*" or want.startswith("{"):
            continue
        if want != have:
            return False
    return True


@dataclass(frozen=True, slots=True)
class _Mount:
    child: str
    prefix: str
    replaces: bool
    middleware: tuple[Middleware, ...] = ()


@dataclass
class _Graph:
    files: Sequence[FileFacts]
    decls: dict[str, RouterDecl] = field(default_factory=dict)
    mounts: dict[str, list[_Mount]] = field(default_factory=dict)
    mounted: set[str] = field(default_factory=set)
    objects: dict[str, None] = field(default_factory=dict)  # insertion-ordered set
    services: dict[str, str | None] = field(default_factory=dict)  # module -> service
    index: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    modules: dict[str, list[str]] = field(default_factory=dict)  # last component -> modules
    cache: dict[tuple[str, str | None, str], str] = field(default_factory=dict)
    handlers: dict[tuple[str, str | None, str], str] = field(default_factory=dict)
    # object -> base path -> the middleware mounts put in front of it on the way there
    chains: dict[str, dict[str, _Chain]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        known: dict[str, None] = {}
        for file in self.files:
            self.services.setdefault(module_name(file.path), file.service)
            for fact in file.facts:
                for ref in _refs(fact):
                    if ":" in ref:
                        known[ref] = None
        for module in self.services:
            self.modules.setdefault(module.rpartition(".")[2], []).append(module)
        for ref in known:
            module, _, var = ref.partition(":")
            self.index.setdefault((var, module.rpartition(".")[2]), []).append(ref)
        for file in self.files:
            referrer = module_name(file.path)
            for fact in file.facts:
                if isinstance(fact, RouterDecl):
                    self.decls.setdefault(fact.ref, fact)
                    self.objects[fact.ref] = None
                elif isinstance(fact, RouterMount):
                    parent = self.resolve(fact.parent, file.service, referrer)
                    child = self.resolve(fact.child, file.service, referrer)
                    if parent == child:
                        continue
                    self.mounts.setdefault(parent, []).append(
                        _Mount(child, fact.prefix, fact.replaces_prefix, fact.middleware)
                    )
                    self.mounted.add(child)
                    self.objects[parent] = None
                    self.objects[child] = None
                elif isinstance(fact, Endpoint) and fact.router:
                    self.objects[self.resolve(fact.router, file.service, referrer)] = None

    def resolve(self, ref: str, service: str | None, referrer: str) -> str:
        """`pkg.mod.name` -> `<module ending with pkg.mod>:name`; unknown ones stay as they are."""
        if ":" in ref:
            return ref
        key = (ref, service, referrer)
        found = self.cache.get(key)
        if found is None:
            found = self._resolve(ref, service, referrer)
            self.cache[key] = found
        return found

    def _resolve(self, ref: str, service: str | None, referrer: str) -> str:
        module, _, var = ref.rpartition(".")
        if not module:
            return ref
        candidates = self.index.get((var, module.rpartition(".")[2]), ())
        best = self._best(candidates, module, service, referrer, lambda c: c.partition(":")[0])
        return best or ref

    def _best(
        self,
        candidates: Iterable[str],
        module: str,
        service: str | None,
        referrer: str,
        module_of: Callable[[str], str],
    ) -> str | None:
        """The candidate whose module is `module` under some import root, best ranked."""
        best: tuple[tuple[bool, bool, int], str] | None = None
        for candidate in candidates:
            candidate_module = module_of(candidate)
            if candidate_module == module:
                root = ""
            elif candidate_module.endswith("." + module):
                root = candidate_module[: -len(module) - 1]
            else:
                continue
            rank = (
                self.services.get(candidate_module) != service,
                bool(root) and not referrer.startswith(root + "."),
                root.count(".") + (1 if root else 0),
            )
            if best is None or rank < best[0]:
                best = (rank, candidate)
        return best[1] if best else None

    def handler(self, name: str, service: str | None, referrer: str) -> str:
        """`shop.views.home` -> `services.shop.shop.views.home` when that module is in the tree."""
        key = (name, service, referrer)
        found = self.handlers.get(key)
        if found is not None:
            return found
        found = name
        parts = name.split(".")
        for end in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:end])
            if module in self.services:
                break  # already named after a module of the tree
            candidates = self.modules.get(parts[end - 1], ())
            best = self._best(candidates, module, service, referrer, lambda m: m)
            if best is not None:
                found = ".".join([best, *parts[end:]])
                break
        self.handlers[key] = found
        return found

    def own(self, obj: str) -> str:
        decl = self.decls.get(obj)
        return decl.prefix if decl else ""

    def is_app(self, obj: str) -> bool:
        decl = self.decls.get(obj)
        return decl is not None and (decl.is_app or decl.framework == "django")

    def bases(self) -> dict[str, dict[str, bool]]:
        """Every object's base paths, each with whether its chain starts at an application."""
        found: dict[str, dict[str, bool]] = {}
        for root in self.objects:
            if root not in self.mounted:
                self._walk(root, found)
        # Objects only reachable through a cycle: their own prefix is all that is known.
        for obj in self.objects:
            if obj not in found:
                self._walk(obj, found)
        return found

    def _walk(self, root: str, found: dict[str, dict[str, bool]]) -> None:
        from_app = self.is_app(root)
        stack: list[tuple[str, str, frozenset[str], _Chain]] = [
            (root, join_path(self.own(root)), frozenset({root}), ())
        ]
        while stack:
            obj, base, chain, middleware = stack.pop()
            seen = found.setdefault(obj, {})
            if seen.get(base) is True or (base in seen and not from_app):
                continue  # this base and everything below it is known already
            if base not in seen and len(seen) >= _MAX_BASES:
                continue
            seen[base] = seen.get(base, False) or from_app
            if middleware or from_app:
                # An application's chain wins over one from a router nobody mounts.
                chains = self.chains.setdefault(obj, {})
                if from_app or base not in chains:
                    chains[base] = middleware
            for mount in reversed(self.mounts.get(obj, ())):
                if mount.child in chain:
                    continue
                own = "" if mount.replaces else self.own(mount.child)
                scoped = tuple((join_path(base, mw.path), mw) for mw in mount.middleware)
                stack.append(
                    (
                        mount.child,
                        join_path(base, mount.prefix, own),
                        chain | {mount.child},
                        middleware + scoped,
                    )
                )


def _refs(fact: Fact) -> tuple[str, ...]:
    if isinstance(fact, RouterDecl):
        return (fact.ref,)
    if isinstance(fact, RouterMount):
        return (fact.parent, fact.child)
    if isinstance(fact, Endpoint) and fact.router:
        return (fact.router,)
    return ()
