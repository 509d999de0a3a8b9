"""Procfiles (Heroku, foreman, overmind): `web: gunicorn -b 0.0.0.0:$PORT app:app`.

Each process line's command goes through `analyzers.deploy.commands`; a port set
by the platform (`$PORT` alone) is not known, so it gives nothing, while a
default (`${PORT:-5000}`) or a fixed port gives a `Listener` (source "procfile").
The processes run from the Procfile's folder, so a `cd api && ...` moves the
unit to `api/` below it.
"""

from __future__ import annotations

import re

from analyzers.deploy.commands import command_ports
from analyzers.deploy.values import folder_of, join_folder
from analyzers.extract import SourceFile
from analyzers.facts import Fact, Listener, Location

_PROCESS = re.compile(r"^\s*(?P<name>[A-Za-z0-9_-]+)\s*:\s*(?P<command>\S.*)$")


def extract(source: SourceFile) -> list[Fact]:
    base = folder_of(source.path)
    facts: list[Fact] = []
    seen: set[tuple[int, str]] = set()
    for number, line in enumerate(source.text.splitlines(), start=1):
        process = _PROCESS.match(line)
        if process is None:
            continue
        for found in command_ports(process.group("command")):
            context = join_folder(base, found.folder) if found.folder is not None else None
            if context is None or (found.port, context) in seen:
                continue
            seen.add((found.port, context))
            location = Location(source.path, number, number)
            facts.append(Listener(source.service, location, found.port, "procfile", context))
    return facts
