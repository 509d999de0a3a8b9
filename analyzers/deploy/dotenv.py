"""Committed dotenv files: `.env.example`, `.env.sample`, `.env.development`, `.env`, ...

`NAME=value` lines (`export ` allowed, quotes stripped, `#` comments ignored, a
quoted value may span lines) become `EnvSetting`s for the file's folder, but only
for values `analyzers.deploy.values.shareable` keeps: URLs, `host:port` and ports.
Every other value is dropped unread, so a secret committed by mistake never
reaches a fact. `PORT=4000` is also a `Listener` (source "env").
"""

from __future__ import annotations

import re

from analyzers.deploy.values import expand, folder_of, port_number, shareable
from analyzers.extract import SourceFile
from analyzers.facts import EnvSetting, Fact, Listener, Location

_LINE = re.compile(
    r"^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(?P<value>.*?)\s*$", re.S
)
_INLINE_COMMENT = re.compile(r"\s+#.*$")


def extract(source: SourceFile) -> list[Fact]:
    context = folder_of(source.path)
    facts: list[Fact] = []
    # Earlier values for `${HOST}:${PORT}` (dotenv-expand): only the kept ones, so that no
    # secret is expanded into a value that is kept.
    values: dict[str, str] = {}
    lines = source.text.splitlines()
    index = 0
    while index < len(lines):
        number = index + 1
        match = _LINE.match(lines[index])
        index += 1
        if match is None or lines[number - 1].lstrip().startswith("#"):
            continue
        raw = match.group("value")
        quote = raw[:1] if raw[:1] in ("'", '"', "`") else ""
        if quote:
            closing = raw.find(quote, 1)
            while closing < 0 and index < len(lines):  # a value over several lines
                raw += "\n" + lines[index]
                index += 1
                closing = raw.find(quote, 1)
            value = raw[1:closing] if closing > 0 else raw[1:]
        else:
            value = _INLINE_COMMENT.sub("", raw)
        name = match.group("name")
        if quote != "'":
            value = expand(value, values)
        kept = shareable(name, value)
        if kept is None:
            continue
        values[name] = kept
        location = Location(source.path, number, index)
        facts.append(EnvSetting(source.service, location, name, kept, context))
        if name == "PORT" and (port := port_number(value)) is not None:
            facts.append(Listener(source.service, location, port, "env", context))
    return facts
