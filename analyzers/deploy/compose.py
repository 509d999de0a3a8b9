"""docker-compose files: the host names services reach each other by, their ports and settings.

For each compose service built from the repository (`build: ./services/ai-engine`,
`build: {context: ../api, dockerfile: Dockerfile.dev}`, resolved from the compose
file's folder), with that folder as the unit's context:

- `HostName` for the service's name, its `container_name`, `hostname` and network
  `aliases`, with the port inside the network: the first container port of `ports`
  (`"8080:80"` gives 80), else of `expose`, else one its `command` listens on, else
  its `PORT` setting;
- `Listener` (source "compose") for each of those ports, and for a port published on the
  host when it differs (`"8080:80"` also gives 8080: `http://localhost:8080` reaches it);
- `EnvSetting` for each `environment:` entry (list `- A=b` or mapping) whose value
  `analyzers.deploy.values.shareable` keeps; `env_file:` is not read.

A service with only an `image:` is not built from the repository: no folder is its
unit, and a root context would name the wrong one, so it gives no fact at all.
Values are read from the YAML nodes as written, never as PyYAML 1.1 would convert
them (`- 22:22` is a port mapping, not the sexagesimal 1342).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from analyzers.deploy.commands import command_ports
from analyzers.deploy.values import expand, folder_of, join_folder, port_number, shareable
from analyzers.extract import SourceFile, UnparsableSource
from analyzers.facts import EnvSetting, Fact, HostName, Listener, Location

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_MAX_MERGE_DEPTH = 8
_NO_ENV: dict[str, str] = {}


def extract(source: SourceFile) -> list[Fact]:
    try:
        root = yaml.compose(source.text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise UnparsableSource(f"invalid YAML: {_reason(exc)}") from None
    top = entries(root)
    services = top.get("services")
    if services is not None:
        found = entries(services[1])
    elif "version" not in top:  # compose file format 1: the services are the top level
        found = {k: v for k, v in top.items() if {"build", "image"} & entries(v[1]).keys()}
    else:
        found = {}
    reader = _Reader(source)
    for name, (key, value) in found.items():
        reader.service(name, key, value)
    return reader.facts


def _reason(exc: yaml.YAMLError) -> str:
    """The parser's complaint and where, on one line."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        context = f"{exc.context}, " if exc.context else ""
        return f"{context}{exc.problem}{where}"
    return " ".join(str(exc).split())


def entries(node: Node | None, depth: int = 0) -> dict[str, tuple[Node, Node]]:
    """A mapping's scalar keys with their key and value nodes, merge keys (`<<: *base`) applied."""
    if not isinstance(node, MappingNode) or depth > _MAX_MERGE_DEPTH:
        return {}
    merged: dict[str, tuple[Node, Node]] = {}
    own: dict[str, tuple[Node, Node]] = {}
    for key, value in node.value:
        if key.tag == _MERGE:
            bases = value.value if isinstance(value, SequenceNode) else [value]
            for base in bases:
                for name, pair in entries(base, depth + 1).items():
                    merged.setdefault(name, pair)
        elif isinstance(key, ScalarNode):
            own[key.value] = (key, value)
    return {**merged, **own}


def scalar(node: Node | None) -> str | None:
    """A scalar's text as written (no YAML 1.1 conversion); None for null and non-scalars."""
    if not isinstance(node, ScalarNode) or node.tag == _NULL:
        return None
    return str(node.value)


def items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def interpolate(text: str) -> str:
    """Compose's own `${VAR:-default}` from the host, whose environment is not in the repo."""
    return expand(text.replace("$$", "\0"), _NO_ENV).replace("\0", "$")


@dataclass
class _Ports:
    """A compose service's ports: inside the network first, then the others that reach it."""

    container_ports: list[tuple[int, Node]] = field(default_factory=list)
    other_ports: list[tuple[int, Node]] = field(default_factory=list)


class _Reader:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.folder = folder_of(source.path)
        self.facts: list[Fact] = []
        self.listening: set[tuple[int, str]] = set()
        self.named: set[tuple[str, str]] = set()
        self.settings: set[EnvSetting] = set()  # an anchor merged into two services is one

    def location(self, node: Node) -> Location:
        return Location(self.source.path, line(node), line(node))

    def service(self, name: str, key: Node, node: Node) -> None:
        spec = {k: v for k, (_, v) in entries(node).items()}
        context = self.context(spec.get("build"))
        if context is None:
            return
        unit = _Ports()
        settings = list(self.environment(spec.get("environment"), context))
        env = {variable: value for variable, value, _ in settings}
        for entry in items(spec.get("ports")):
            self.port_entry(entry, unit)
        for entry in items(spec.get("expose")):
            text = scalar(entry)
            port = port_number(interpolate(text)) if text is not None else None
            if port is not None:
                unit.container_ports.append((port, entry))
        for kind in ("entrypoint", "command"):
            command = spec.get(kind)
            words = scalar(command)
            argv = [interpolate(w) for w in map(scalar, items(command)) if w is not None]
            run: str | list[str] = interpolate(words) if words is not None else argv
            if run:
                for found in command_ports(run, env, follow_cd=False):
                    unit.other_ports.append((found.port, command or node))
        for variable, value, at in settings:
            port = port_number(value) if variable == "PORT" else None
            if port is not None:
                unit.other_ports.append((port, at))
        for port, at in [*unit.container_ports, *unit.other_ports]:
            self.listener(port, at, context)
        ports = [p for p, _ in [*unit.container_ports, *unit.other_ports]]
        host_port = ports[0] if ports else None
        self.host(name, key, context, host_port)
        for alias, at in self.aliases(spec):
            self.host(alias, at, context, host_port)

    def context(self, build: Node | None) -> str | None:
        if build is None:
            return None
        text = scalar(build)
        if text is None:
            if not isinstance(build, MappingNode):
                return None
            given = entries(build).get("context")
            text = scalar(given[1]) if given is not None else "."
        return join_folder(self.folder, interpolate(text)) if text is not None else None

    def environment(self, node: Node | None, context: str) -> Iterator[tuple[str, str, Node]]:
        """Every entry as (name, value, node); the shareable ones also become `EnvSetting`s."""
        pairs: list[tuple[str, str | None, Node]] = []
        if isinstance(node, MappingNode):
            pairs = [(n, scalar(v), k) for n, (k, v) in entries(node).items()]
        for entry in items(node):
            text = scalar(entry)
            if text is not None and "=" in text:
                variable, _, written = text.partition("=")
                pairs.append((variable.strip(), written, entry))
        for name, raw, at in pairs:
            if raw is None:
                continue  # `- NAME` or `NAME:`: passed through from the host, unknown here
            value = interpolate(raw)
            yield name, value, at
            kept = shareable(name, value)
            if kept is None:
                continue
            setting = EnvSetting(self.source.service, self.location(at), name, kept, context)
            if setting not in self.settings:
                self.settings.add(setting)
                self.facts.append(setting)

    def port_entry(self, entry: Node, unit: _Ports) -> None:
        """`"3000"`, `"8080:80"`, `"127.0.0.1:8080:80/tcp"`, `{target: 80, published: 8080}`."""
        text = scalar(entry)
        if text is not None:
            spec = interpolate(text).partition("/")[0]
            parts = spec.rsplit(":", 2)
            container = port_number(parts[-1])
            published = port_number(parts[-2]) if len(parts) >= 2 else None
        else:
            fields = {k: v for k, (_, v) in entries(entry).items()}
            target, public = scalar(fields.get("target")), scalar(fields.get("published"))
            container = port_number(interpolate(target)) if target is not None else None
            published = port_number(interpolate(public)) if public is not None else None
        if container is None:
            return
        unit.container_ports.append((container, entry))
        if published is not None and published != container:
            unit.other_ports.append((published, entry))

    def aliases(self, spec: dict[str, Node]) -> Iterator[tuple[str, Node]]:
        for kind in ("container_name", "hostname"):
            node = spec.get(kind)
            text = scalar(node)
            if node is not None and text:
                yield interpolate(text), node
        for _, network in entries(spec.get("networks")).values():
            aliases = entries(network).get("aliases")
            for alias in items(aliases[1] if aliases is not None else None):
                text = scalar(alias)
                if text:
                    yield interpolate(text), alias

    def listener(self, port: int, at: Node, context: str) -> None:
        if (port, context) in self.listening:
            return
        self.listening.add((port, context))
        location = self.location(at)
        self.facts.append(Listener(self.source.service, location, port, "compose", context))

    def host(self, host: str, at: Node, context: str, port: int | None) -> None:
        if not host or "$" in host or (host, context) in self.named:
            return
        self.named.add((host, context))
        self.facts.append(HostName(self.source.service, self.location(at), host, context, port))
