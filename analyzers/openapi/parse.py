"""An API description's text to its data, and where each object of it stands in the file.

The data is what `json.loads` gives; YAML is read safely and closer to the
YAML 1.2 that OpenAPI 3.1 names: only `true`/`false` are booleans (an enum of
`yes`/`no` stays strings), dates stay strings, and every mapping key is its
text, so that `200:` and `'200':` are the same response. Positions are kept
for every object and array: its document path (keys and list indexes) -> its
first and last line, the first being the line of the key that holds it. YAML
positions come from the nodes the parser composes; JSON is parsed by `json`
and its positions come from one scan of the text for strings and brackets,
which takes about a second for GitHub's 13 MB description.

A YAML anchor reused by aliases costs nothing to parse but everything to walk:
a document whose aliases expand it tenfold past a million nodes (a "billion
laughs"), or that contains itself, is refused as unparsable.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from analyzers.extract import UnparsableSource

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

DocPath = tuple[str | int, ...]

_MAX_EXPANDED = 1_000_000  # nodes an aliased document may expand to, past ten times its own
_BOOL_12 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class _Loader(_BaseLoader):
    """Safe loading with YAML 1.2 core booleans, no timestamps, and keys as written."""

    yaml_implicit_resolvers = {
        first: [
            (tag, regexp)
            for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
        ]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)  # `<<: *base` merge keys
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                key: Any = key_node.value
            else:
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, str | int | float | bool | tuple | None):
                    key = str(key)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


for _first in "tTfF":
    _Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL_12, list(_first))


@dataclass
class Spans:
    """Document path -> (first line, last line), 1-based; JSON offsets become lines on demand."""

    found: dict[DocPath, tuple[int, int]] = field(default_factory=dict)
    newlines: list[int] | None = None  # JSON: offsets of "\n", `found` then holds offsets

    def lines(self, path: DocPath) -> tuple[int, int] | None:
        span = self.found.get(path)
        if span is None or self.newlines is None:
            return span
        start, end = span
        return (
            bisect.bisect_left(self.newlines, start) + 1,
            bisect.bisect_left(self.newlines, end - 1) + 1,
        )


def parse(path: str, text: str) -> tuple[object, Spans]:
    """The document and its spans; `UnparsableSource` with a one-line reason when it is broken."""
    if path.lower().endswith(".json"):
        return _parse_json(text)
    return _parse_yaml(text)


# --- JSON -------------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"(?:\s*:)?|[{}\[\],]')


def _parse_json(text: str) -> tuple[object, Spans]:
    text = text.removeprefix("\ufeff")  # a byte order mark: on no line of its own
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise UnparsableSource(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise UnparsableSource("invalid JSON: nested too deeply") from None
    newlines = [m.start() for m in re.finditer("\n", text)]
    return document, Spans(_json_offsets(text), newlines)


def _json_offsets(text: str) -> dict[DocPath, tuple[int, int]]:
    """Each object and array of a valid JSON text: (offset of its key or itself, end offset)."""
    found: dict[DocPath, tuple[int, int]] = {}
    # One frame per open bracket: [document path, start offset, is an array, element index].
    stack: list[list[Any]] = []
    key, key_at = "", 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"':
            if token[-1] == ":":
                key, key_at = token, match.start()
            continue
        if first == ",":
            if stack and stack[-1][2]:
                stack[-1][3] += 1
            continue
        if first in "{[":
            start = match.start()
            if not stack:
                path: DocPath = ()
            elif stack[-1][2]:
                path = (*stack[-1][0], stack[-1][3])
            else:
                path = (*stack[-1][0], json.loads(key[: key.rindex('"') + 1]))
                start = key_at
            stack.append([path, start, first == "[", 0])
            continue
        frame = stack.pop()
        found[frame[0]] = (frame[1], match.end())
    return found


# --- YAML -------------------------------------------------------------------------------------


def _parse_yaml(text: str) -> tuple[object, Spans]:
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise UnparsableSource(_yaml_reason(exc)) from None
        except yaml.YAMLError as exc:
            raise UnparsableSource(f"invalid YAML: {_one_line(str(exc))}") from None
        if node is None:
            return None, Spans()
        _check_aliases(node)
        walker = _YamlSpans(text.split("\n"))
        walker.walk(node, (), None)
        spans = Spans(walker.found)
        try:
            document = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            raise UnparsableSource(_yaml_reason(exc)) from None
        except yaml.YAMLError as exc:
            raise UnparsableSource(f"invalid YAML: {_one_line(str(exc))}") from None
        return document, spans
    except RecursionError:
        raise UnparsableSource("invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _yaml_reason(exc: yaml.MarkedYAMLError) -> str:
    parts = [part for part in (exc.context, exc.problem) if part]
    problem = ", ".join(parts) or "syntax error"
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return f"invalid YAML: {_one_line(problem)}{where}"


def _children(node: Node) -> Iterator[Node]:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, SequenceNode):
        yield from node.value


def _check_aliases(root: Node) -> None:
    """Refuse a document that aliases expand far past its own size, or that contains itself."""
    size: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        key = id(node)
        if closing:
            open_.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in _children(node))
            continue
        if key in size:
            continue
        open_.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_:
                raise UnparsableSource("invalid YAML: an alias refers to a node that contains it")
            if id(child) not in size:
                stack.append((child, False))
    expanded = size[id(root)]
    if expanded > _MAX_EXPANDED and expanded > 10 * len(size):
        raise UnparsableSource(
            f"invalid YAML: aliases expand {len(size)} nodes to {expanded} (a YAML bomb?)"
        )


@dataclass
class _YamlSpans:
    """Spans from composed nodes. A block collection's end mark is where the next token
    starts, past blank lines and comments, so its last line is its last child's."""

    lines: list[str]
    found: dict[DocPath, tuple[int, int]] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)  # aliased collections, walked where written

    def walk(self, node: Node, path: DocPath, key: Node | None) -> int:
        """Record the spans of `node` and of what it holds; return its last line (1-based)."""
        start = (key or node).start_mark.line + 1
        if isinstance(node, ScalarNode):
            end = node.end_mark.line + (0 if node.end_mark.column == 0 else 1)
            if node.style in ("|", ">"):  # a block scalar's end mark is past its blank lines
                while start < end <= len(self.lines) and not self.lines[end - 1].strip():
                    end -= 1
            return max(start, end)
        if not isinstance(node, MappingNode | SequenceNode):
            return start
        if id(node) in self.seen:  # an alias to a collection walked already: one token
            self.found.setdefault(path, (start, start))
            return start
        self.seen.add(id(node))
        end = start
        if isinstance(node, MappingNode):
            for child_key, child in node.value:
                name = child_key.value if isinstance(child_key, ScalarNode) else "?"
                end = self.walk(child, (*path, name), child_key)
        else:
            for index, child in enumerate(node.value):
                end = self.walk(child, (*path, index), None)
        if node.flow_style or not node.value:  # ends at its closing bracket
            end = node.end_mark.line + 1
        end = max(start, end)
        self.found.setdefault(path, (start, end))
        return end
