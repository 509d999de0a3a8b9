"""Handler calls' callees named the way the tree's facts name functions, once all files are known.

Extraction (`analyzers/javascript/handler_calls.py`, `analyzers/python/handler_calls.py`)
names a callee from one file: `aiClient.explain` imported from `../lib/ai-client` is
`services.core-api.src.lib.ai-client.aiClient.explain`, a Python absolute import
outside the file's own path stays as written (`shared.clients.fetch_jobs`), a path
alias loses its folder (`@/lib/api` is `lib.api.get`). Here, with every file's facts:

- the module part is the tree module it names: exactly, or the module ending with it
  at a dot boundary (the caller's service first, then one under the caller's import
  root, then the shortest root), as `analyzers.compose` resolves handlers;
- an instance's method becomes its class's when the instance's module has exactly
  one class with a method of that name among the functions its facts name
  (`OutboundCall.function`, ...): `ai-client.aiClient.explain` is
  `ai-client.AiClient.explain`, the name an `OutboundCall.function` gives it;
- a callee that names no module of the tree is a package's after all: its fact is
  dropped, unless an `OutboundCall` sits at the same place (a direct HTTP call,
  whose callee is the library's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from analyzers.facts import (
    Endpoint,
    ErrorHandler,
    ExternalCall,
    Fact,
    FileFacts,
    HandlerCall,
    OutboundCall,
    WebhookHandler,
    WrapperCall,
)
from analyzers.modules import module_name

# Callees of direct HTTP calls start with these (`fetch`, `axios.get`, `httpx.AsyncClient.post`).
_HTTP_ROOTS = frozenset(
    {
        "fetch",
        "node-fetch",
        "cross-fetch",
        "isomorphic-fetch",
        "whatwg-fetch",
        "undici",
        "globalThis",
        "window",
        "axios",
        "ky",
        "got",
        "requests",
        "httpx",
        "aiohttp",
        "urllib",
        "urllib2",
        "six",
    }
)


def compose_handler_calls(files: Sequence[FileFacts]) -> tuple[FileFacts, ...]:
    if not any(isinstance(f, HandlerCall) for file in files for f in file.facts):
        return tuple(files)
    index = _Index(files)
    out: list[FileFacts] = []
    for file in files:
        if not any(isinstance(f, HandlerCall) for f in file.facts):
            out.append(file)
            continue
        referrer = module_name(file.path)
        outbound = {f.location for f in file.facts if isinstance(f, OutboundCall)}
        facts: list[Fact] = []
        for fact in file.facts:
            if not isinstance(fact, HandlerCall):
                facts.append(fact)
                continue
            direct = fact.location in outbound and fact.callee.partition(".")[0] in _HTTP_ROOTS
            callee = None if direct else index.callee(fact.callee, file.service, referrer)
            if callee is not None:
                facts.append(replace(fact, callee=callee) if callee != fact.callee else fact)
            elif fact.location in outbound:
                facts.append(fact)
        out.append(replace(file, facts=tuple(facts)))
    return tuple(out)


def _functions(fact: Fact) -> Iterable[str]:
    """The qualified function names a fact gives."""
    if isinstance(fact, OutboundCall | ExternalCall | WrapperCall | ErrorHandler) and fact.function:
        yield fact.function
    elif isinstance(fact, Endpoint | WebhookHandler | HandlerCall) and fact.handler:
        yield fact.handler


@dataclass
class _Index:
    files: Sequence[FileFacts]
    services: dict[str, str | None] = field(default_factory=dict)  # module -> service
    by_last: dict[str, list[str]] = field(default_factory=dict)  # last component -> modules
    known: set[str] = field(default_factory=set)  # functions the facts name
    # module -> method name -> the classes of that module with it
    methods: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    cache: dict[tuple[str, str | None, str], str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for file in self.files:
            module = module_name(file.path)
            self.services.setdefault(module, file.service)
            for fact in file.facts:
                for name in _functions(fact):
                    self.known.add(name)
                    if not name.startswith(module + "."):
                        continue
                    parts = name[len(module) + 1 :].split(".")
                    if len(parts) == 2 and not parts[0].startswith("<"):
                        methods = self.methods.setdefault(module, {})
                        methods.setdefault(parts[1], set()).add(parts[0])
        for module in self.services:
            self.by_last.setdefault(module.rpartition(".")[2], []).append(module)

    def callee(self, name: str, service: str | None, referrer: str) -> str | None:
        key = (name, service, referrer)
        if key not in self.cache:
            self.cache[key] = self._callee(name, service, referrer)
        return self.cache[key]

    def _callee(self, name: str, service: str | None, referrer: str) -> str | None:
        parts = name.split(".")
        for end in range(len(parts) - 1, 0, -1):  # the longest module first, one name after it
            written = ".".join(parts[:end])
            module = written if written in self.services else self._best(written, service, referrer)
            if module is None:
                continue
            rest = parts[end:]
            if ".".join([module, *rest]) not in self.known and len(rest) == 2:
                classes = self.methods.get(module, {}).get(rest[1], set())
                if len(classes) == 1:
                    rest = [next(iter(classes)), rest[1]]
            return ".".join([module, *rest])
        return None

    def _best(self, module: str, service: str | None, referrer: str) -> str | None:
        """The tree module that is `module` under some import root, best ranked."""
        best: tuple[tuple[bool, bool, int], str] | None = None
        for candidate in self.by_last.get(module.rpartition(".")[2], ()):
            if not candidate.endswith("." + module):
                continue
            root = candidate[: -len(module) - 1]
            rank = (
                self.services.get(candidate) != service,
                not referrer.startswith(root + "."),
                root.count(".") + 1,
            )
            if best is None or rank < best[0]:
                best = (rank, candidate)
        return best[1] if best else None
