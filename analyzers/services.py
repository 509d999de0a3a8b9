"""Which service owns which path: from the repo config, or inferred from service manifests."""

from __future__ import annotations

import functools
import json
import posixpath
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from analyzers.config import Config
from analyzers.facts import Service
from analyzers.paths import (
    CONFIG_LANGUAGES,
    glob_root,
    is_vendored,
    language_of,
    path_pattern,
)

MANIFESTS = frozenset(
    {"package.json", "pyproject.toml", "requirements.txt", "setup.py", "Dockerfile", "go.mod"}
)
ROOT_SERVICE = "root"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class ServiceMap:
    """The services of a repository and the rule that assigns a path to one of them."""

    services: tuple[Service, ...]
    patterns: tuple[tuple[str, tuple[str, ...]], ...]  # (service, patterns), first match wins

    def owner(self, path: str) -> str | None:
        found = _owner_pattern(self.patterns).match(path)
        return self.patterns[int(found.lastgroup[1:])][0] if found and found.lastgroup else None


@functools.lru_cache(maxsize=8)
def _owner_pattern(patterns: tuple[tuple[str, tuple[str, ...]], ...]) -> re.Pattern[str]:
    """One regular expression for all services: a repository of many services asks this of
    every path, and trying each service's patterns in turn was most of that time. The
    alternatives are tried in order, so the first service that matches still wins."""
    groups = [
        f"(?P<s{index}>{'|'.join(path_pattern(p) for p in globs)})"
        for index, (_, globs) in enumerate(patterns)
        if globs
    ]
    return re.compile("|".join(groups) or r"(?!)")


def _languages(paths: Iterable[str], owner: Callable[[str], str | None]) -> dict[str, list[str]]:
    counts: dict[str, Counter[str]] = {}
    for path in paths:
        language = language_of(path)
        if language in CONFIG_LANGUAGES:
            continue
        name = owner(path) if language and not is_vendored(path) else None
        if name and language:
            counts.setdefault(name, Counter())[language] += 1
    return {name: [lang for lang, _ in c.most_common()] for name, c in counts.items()}


def _with_languages(
    services: Sequence[Service],
    patterns: Sequence[tuple[str, tuple[str, ...]]],
    paths: Iterable[str],
) -> ServiceMap:
    bare = ServiceMap(tuple(services), tuple(patterns))
    languages = _languages(paths, bare.owner)
    return ServiceMap(
        tuple(Service(s.name, s.root, tuple(languages.get(s.name, ()))) for s in services),
        tuple(patterns),
    )


def services_from_config(config: Config, paths: Iterable[str]) -> ServiceMap:
    declared = [spec for spec in config.services if spec.paths]
    services = [Service(spec.name, glob_root(spec.paths[0])) for spec in declared]
    patterns = [(spec.name, spec.paths) for spec in declared]
    return _with_languages(services, patterns, paths)


def _root_name(read_manifest: Callable[[str], bytes | None], manifests: set[str]) -> str:
    """A root service is named by its own manifest where it says, else "root"."""
    if "package.json" in manifests:
        try:
            name = json.loads(read_manifest("package.json") or b"{}").get("name")
        except (ValueError, AttributeError):
            name = None
        if isinstance(name, str) and name.strip():
            return _SAFE_NAME.sub("-", name.strip().lstrip("@").replace("/", "-"))
    if "pyproject.toml" in manifests:
        try:
            data = tomllib.loads((read_manifest("pyproject.toml") or b"").decode())
            name = data.get("project", {}).get("name") or (
                data.get("tool", {}).get("poetry", {}).get("name")
            )
        except (ValueError, UnicodeDecodeError):
            name = None
        if isinstance(name, str) and name.strip():
            return _SAFE_NAME.sub("-", name.strip())
    return ROOT_SERVICE


def infer_services(
    paths: Iterable[str], read_manifest: Callable[[str], bytes | None]
) -> ServiceMap:
    """Each folder holding a service manifest is a service named after the folder.

    A manifest at the repository root makes a root service that owns whatever
    no other service claims. Two folders with one name are told apart by path.
    """
    all_paths = list(paths)
    roots: dict[str, set[str]] = {}
    for path in all_paths:
        name = posixpath.basename(path)
        if name in MANIFESTS and not is_vendored(path):
            roots.setdefault(posixpath.dirname(path), set()).add(name)
    folder_roots = sorted((r for r in roots if r), key=lambda r: (-r.count("/"), r))
    names = Counter(posixpath.basename(r) for r in folder_roots)
    services = []
    patterns = []
    for root in folder_roots:
        base = posixpath.basename(root)
        name = base if names[base] == 1 else _SAFE_NAME.sub("-", root.replace("/", "-"))
        services.append(Service(name, root))
        patterns.append((name, (root,)))
    if "" in roots:
        name = _root_name(read_manifest, roots[""])
        if any(s.name == name for s in services):
            name = ROOT_SERVICE if name != ROOT_SERVICE else "repository-root"
        services.append(Service(name, ""))
        patterns.append((name, ("",)))
    # Deepest roots first: a path belongs to the innermost service that contains it.
    ordered = sorted(services, key=lambda s: s.name)
    return _with_languages(ordered, patterns, all_paths)


def resolve_services(
    config: Config, paths: Iterable[str], read_manifest: Callable[[str], bytes | None]
) -> ServiceMap:
    if any(spec.paths for spec in config.services):
        return services_from_config(config, paths)
    return infer_services(paths, read_manifest)


def manifest_reader(
    trees: Sequence[tuple[Mapping[str, object], Callable[[str], bytes]]],
) -> Callable[[str], bytes | None]:
    """Read a root manifest from the first tree that has it (head before base)."""

    def read(path: str) -> bytes | None:
        for entries, read_file in trees:
            if path in entries:
                return read_file(path)
        return None

    return read
