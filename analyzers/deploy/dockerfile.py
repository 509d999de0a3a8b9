"""Dockerfiles: the ports an image listens on, and the URLs its environment sets.

- `EXPOSE 8000` (and `8000/tcp`, several ports, `$PORT` from an `ARG` or `ENV`);
- `ENV PORT=8000` and the legacy `ENV PORT 8000`;
- `CMD` and `ENTRYPOINT`, exec (JSON) and shell form, through `analyzers.deploy.commands`;
  a `CMD` is read after the stage's `ENTRYPOINT`, since it is that program's arguments.

Each port is one `Listener` (source "dockerfile") at the first instruction that says it;
every stage counts, as compose may build any of them (`target:`). `ENV` values that are
URLs, `host:port` or ports become `EnvSetting`s; other values (secrets) are never kept.
The unit is the Dockerfile's own folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from analyzers.deploy.commands import command_ports, tokens
from analyzers.deploy.values import expand, folder_of, port_number, shareable
from analyzers.extract import SourceFile
from analyzers.facts import EnvSetting, Fact, Listener, Location

_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(\S)\s*$", re.IGNORECASE)
_HEREDOC = re.compile(r"<<(-?)[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")
_INSTRUCTION = re.compile(r"^\s*([A-Za-z]+)(?:\s+(.*))?$", re.S)


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str  # upper case
    args: str  # continuation lines joined with a space
    line: int
    end_line: int


def instructions(text: str) -> Iterator[Instruction]:
    """Logical instructions: continuations joined, comments and heredoc bodies left out."""
    lines = text.splitlines()
    escape = "\\"
    for raw in lines[:5]:  # parser directives come first, before any instruction
        directive = _DIRECTIVE.match(raw.strip())
        if directive:
            escape = directive.group(1)
            break
    index = 0
    while index < len(lines):
        start = index
        parts: list[str] = []
        while index < len(lines):
            raw = lines[index]
            index += 1
            stripped = raw.strip()
            if stripped.startswith("#") or (not stripped and parts):
                continue  # comments and blank lines inside a continuation are dropped
            if stripped.endswith(escape):
                parts.append(stripped[: -len(escape)])
                continue
            parts.append(stripped)
            break
        joined = " ".join(p for p in parts if p)
        match = _INSTRUCTION.match(joined)
        if match is None:
            continue
        end = index
        heredoc = _HEREDOC.search(joined) if "<<" in joined else None
        if heredoc is not None:  # `RUN <<EOF ... EOF`: the body is not instructions
            delimiter = heredoc.group(2)
            while index < len(lines) and lines[index].strip() != delimiter:
                index += 1
            index = min(index + 1, len(lines))
        first = start + 1
        while first <= end and lines[first - 1].strip().startswith("#"):
            first += 1
        yield Instruction(match.group(1).upper(), (match.group(2) or "").strip(), first, end)


def exec_form(args: str) -> list[str] | None:
    """`["uvicorn", "app:app"]` as its words; None for the shell form."""
    if not args.startswith("["):
        return None
    try:
        words = json.loads(args)
    except ValueError:
        return None
    if isinstance(words, list) and all(isinstance(w, str) for w in words):
        return words
    return None


def env_pairs(args: str) -> list[tuple[str, str]]:
    """`A=1 B="x y"` and the legacy `A 1 2` (one variable, the rest its value)."""
    words = tokens(args)
    if words and "=" not in words[0]:
        name, _, value = args.partition(" ")
        return [(name, value.strip().strip("\"'"))] if name else []
    pairs = []
    for word in words:
        name, equals, value = word.partition("=")
        if equals and name:
            pairs.append((name, value))
    return pairs


class DockerfileReader:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.context = folder_of(source.path)
        self.facts: list[Fact] = []
        self.ports: set[int] = set()

    def read(self) -> list[Fact]:
        # ARG defaults and ENV values as the build sees them: global ARGs (before the first
        # FROM) in every stage, a stage's ENV in the stages built FROM it. Only values kept
        # as shareable: no secret is ever expanded into a kept value.
        variables: dict[str, str] = {}
        global_args: dict[str, str] | None = None
        stages: dict[str, dict[str, str]] = {}
        entrypoint: list[str] | None = None
        for ins in instructions(self.source.text):
            if ins.keyword == "FROM":
                if global_args is None:
                    global_args = dict(variables)
                parts = ins.args.split()
                base = next((p for p in parts if not p.startswith("--")), "").lower()
                variables = dict(stages.get(base, global_args))
                if len(parts) >= 3 and parts[-2].upper() == "AS":
                    stages[parts[-1].lower()] = variables
                entrypoint = None  # a new stage starts from its base image's, unknown here
            elif ins.keyword == "ARG":
                for name, value in env_pairs(ins.args):
                    kept = shareable(name, expand(value, variables))
                    if kept is not None:
                        variables.setdefault(name, kept)
            elif ins.keyword == "ENV":
                for name, value in env_pairs(ins.args):
                    kept = shareable(name, expand(value, variables))
                    if kept is None:
                        continue
                    variables[name] = kept
                    self.setting(ins, name, kept)
                    if name == "PORT":
                        self.listener(ins, port_number(kept))
            elif ins.keyword == "EXPOSE":
                for word in ins.args.split():
                    self.listener(ins, port_number(expand(word, variables)))
            elif ins.keyword in ("CMD", "ENTRYPOINT"):
                words = exec_form(ins.args)
                command: list[str] = words if words is not None else tokens(ins.args)
                if ins.keyword == "ENTRYPOINT":
                    entrypoint = command
                elif entrypoint is not None and words is not None:
                    command = [*entrypoint, *command]  # exec-form CMD: the entrypoint's arguments
                for found in command_ports(command, variables, follow_cd=False):
                    self.listener(ins, found.port)
        return self.facts

    def location(self, ins: Instruction) -> Location:
        return Location(self.source.path, ins.line, ins.end_line)

    def listener(self, ins: Instruction, port: int | None) -> None:
        if port is None or port in self.ports:
            return
        self.ports.add(port)
        self.facts.append(
            Listener(self.source.service, self.location(ins), port, "dockerfile", self.context)
        )

    def setting(self, ins: Instruction, name: str, value: str) -> None:
        self.facts.append(
            EnvSetting(self.source.service, self.location(ins), name, value, self.context)
        )


def extract(source: SourceFile) -> list[Fact]:
    return DockerfileReader(source).read()
