"""The repository config, `.github/flow-review.yml`, read once into a frozen `Config`.

Parsing walks YAML nodes rather than loaded values so that every error can
name the key and the line it is on: a one-line message a user can act on.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

import yaml

from analyzers.errors import ConfigError
from analyzers.facts import Severity
from analyzers.rules import ALL_RULES

CONFIG_PATH = ".github/flow-review.yml"
DEFAULT_MAX_FILE_SIZE = 1024 * 1024
# Where the GitHub App writes a pull request's checklist; `{number}` is the pull request's.
DEFAULT_TASK_FILE = ".tasks/in-review/flow-review-pr-{number}.md"
SERVICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SIZE = re.compile(r"^\s*(\d+)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE)
SIZE_UNITS = {"": 1, "b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2}
SIZE_UNITS |= {"gb": 1000**3, "gib": 1024**3}


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """A service as the config declares it.

    `paths` make it a service of this repository (services declared with paths replace the
    inferred ones); `urls` say how callers reach it: environment variable names
    (`AI_ENGINE_URL`), host names (`ai-engine`, `ai.internal:8000`) or URL prefixes
    (`https://ai.example.com/v1`). A service with urls and no paths is either an inferred
    service of that name or one outside the repository.
    """

    name: str
    paths: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Config:
    services: tuple[ServiceSpec, ...] = ()
    fail_on: Severity = Severity.CRITICAL
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    exclude: tuple[str, ...] = ()  # files never analysed
    tests: tuple[str, ...] = ()  # more patterns that count as tests
    docs: tuple[str, ...] = ()  # more patterns that count as workflow documentation
    disable: tuple[str, ...] = ()  # rule codes switched off
    task_file: str = DEFAULT_TASK_FILE  # path template of the checklist the GitHub App writes
    source: str | None = field(default=None, compare=False)

    def task_file_for(self, number: int) -> str:
        """The task file path of pull request `number` (the template is checked on parsing)."""
        return self.task_file.format(number=number)


def parse_config(text: str, source: str = CONFIG_PATH) -> Config:
    """Read the config text; raise ConfigError with `source:line: key: problem` on any fault."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ConfigError(f"{source}:{line}: not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null")):
        return Config(source=source)
    reader = _Reader(source)
    top = reader.mapping(root, "the config")
    values: dict[str, object] = {"source": source}
    for key, (key_node, node) in top.items():
        parse = _TOP_LEVEL.get(key)
        if parse is None:
            reader.fail(key_node, key, f"unknown key (expected one of: {', '.join(_TOP_LEVEL)})")
        values[key] = parse(reader, node, key)
    return Config(**values)  # type: ignore[arg-type]


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node, key: str, problem: str) -> NoReturn:
        raise ConfigError(f"{self.source}:{node.start_mark.line + 1}: {key}: {problem}")

    def mapping(self, node: yaml.Node, key: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, key, "expected a mapping")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            name = self.scalar(key_node, key)
            if name in out:
                self.fail(key_node, name, "duplicate key")
            out[name] = (key_node, value_node)
        return out

    def scalar(self, node: yaml.Node, key: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, key, "expected a single value")
        return str(node.value)

    def strings(self, node: yaml.Node, key: str) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            items = [node]
        elif isinstance(node, yaml.SequenceNode):
            items = list(node.value)
        else:
            self.fail(node, key, "expected a list of strings")
        values = []
        for item in items:
            value = self.scalar(item, key).strip()
            if not value:
                self.fail(item, key, "empty string")
            values.append(value)
        return tuple(values)


def _services(reader: _Reader, node: yaml.Node, key: str) -> tuple[ServiceSpec, ...]:
    specs = []
    for name, (name_node, body) in reader.mapping(node, key).items():
        if not SERVICE_NAME.match(name):
            reader.fail(name_node, f"services.{name}", "service names use letters, digits, . _ -")
        fields = reader.mapping(body, f"services.{name}")
        for field_name, (field_node, _) in fields.items():
            if field_name not in ("paths", "urls"):
                reader.fail(
                    field_node,
                    f"services.{name}.{field_name}",
                    "unknown key (expected: paths, urls)",
                )
        if not fields:
            reader.fail(body, f"services.{name}", "needs 'paths', 'urls' or both")
        values: dict[str, tuple[str, ...]] = {}
        for field_name, (_, value) in fields.items():
            values[field_name] = reader.strings(value, f"services.{name}.{field_name}")
            if not values[field_name]:
                reader.fail(value, f"services.{name}.{field_name}", "needs at least one entry")
        specs.append(
            ServiceSpec(name=name, paths=values.get("paths", ()), urls=values.get("urls", ()))
        )
    return tuple(specs)


def _severity(reader: _Reader, node: yaml.Node, key: str) -> Severity:
    value = reader.scalar(node, key).strip().lower()
    try:
        return Severity(value)
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        reader.fail(node, key, f"'{value}' is not a severity (expected one of: {choices})")


def _size(reader: _Reader, node: yaml.Node, key: str) -> int:
    value = reader.scalar(node, key)
    match = SIZE.match(value)
    if not match or int(match.group(1)) <= 0:
        reader.fail(node, key, f"'{value}' is not a size (examples: 1048576, 512KB, 2MiB)")
    return int(match.group(1)) * SIZE_UNITS[(match.group(2) or "").lower()]


def _patterns(reader: _Reader, node: yaml.Node, key: str) -> tuple[str, ...]:
    return reader.strings(node, key)


def _rule_codes(reader: _Reader, node: yaml.Node, key: str) -> tuple[str, ...]:
    codes = reader.strings(node, key)
    known = {rule.code for rule in ALL_RULES}
    for code in codes:
        if code not in known:
            # A typo here would otherwise silently switch nothing off.
            reader.fail(node, key, f"'{code}' is not a rule code (see `flow-review rules`)")
    return codes


def _task_file(reader: _Reader, node: yaml.Node, key: str) -> str:
    template = reader.scalar(node, key).strip()
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
        path = template.format(number=1)
    except (KeyError, IndexError, ValueError, AttributeError):
        fields = {"?"}
    if fields - {"number"}:
        reader.fail(node, key, f"'{template}' may hold only the placeholder {{number}}")
    parts = path.split("/")
    if not path.lower().endswith(".md"):
        reader.fail(node, key, f"'{template}' is not a Markdown file (.md)")
    if path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in parts):
        reader.fail(node, key, f"'{template}' is not a plain path relative to the repository")
    if parts[0] == ".git":
        reader.fail(node, key, f"'{template}' is inside .git")
    return template


_TOP_LEVEL: dict[str, Callable[[_Reader, yaml.Node, str], object]] = {
    "services": _services,
    "fail_on": _severity,
    "max_file_size": _size,
    "exclude": _patterns,
    "tests": _patterns,
    "docs": _patterns,
    "disable": _rule_codes,
    "task_file": _task_file,
}
