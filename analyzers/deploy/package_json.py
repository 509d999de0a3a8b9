"""package.json scripts that start a server: `"dev": "next dev -p 3001"`, `"start": "PORT=4000
node dist/index.js"`, `"serve": "uvicorn main:app --port 8000"`.

Only scripts named for running the app (`start`, `dev`, `serve`, `server`, `preview`,
`prod`, and their `start:prod`, `dev-api` variants): a test script's port is a test
server's. Each port is a `Listener` (source "package.json") at the script's line; the
unit is the package.json's folder, or the folder a script moves into (`cd api && ...`,
`npm --prefix api start`). A script that runs another package's (`pnpm --filter api dev`)
names no folder this file knows, so it gives nothing.

package.json is also a service manifest (`analyzers.services`); this module only reads
it for facts and plays no part in deciding what the services are.
"""

from __future__ import annotations

import json
import re

from analyzers.deploy.commands import command_ports
from analyzers.deploy.values import folder_of, join_folder
from analyzers.extract import SourceFile, UnparsableSource
from analyzers.facts import Fact, Listener, Location

SERVING = re.compile(r"^(?:start|dev|develop|serve|server|preview|prod|production)(?:[:_-].*)?$")


def extract(source: SourceFile) -> list[Fact]:
    text = source.text
    if '"scripts"' not in text:
        return []
    try:
        manifest = json.loads(text)
    except ValueError as exc:
        raise UnparsableSource(f"invalid JSON: {exc}") from None
    scripts = manifest.get("scripts") if isinstance(manifest, dict) else None
    if not isinstance(scripts, dict):
        return []
    base = folder_of(source.path)
    scripts_at = text.find('"scripts"')
    facts: list[Fact] = []
    seen: set[tuple[int, str]] = set()
    for name, command in scripts.items():
        if not isinstance(command, str) or not SERVING.match(name):
            continue
        found_ports = command_ports(command)
        if not found_ports:
            continue
        line = _line_of_key(text, name, scripts_at)
        for found in found_ports:
            context = join_folder(base, found.folder) if found.folder is not None else None
            if context is None or (found.port, context) in seen:
                continue
            seen.add((found.port, context))
            location = Location(source.path, line, line)
            facts.append(Listener(source.service, location, found.port, "package.json", context))
    return facts


def _line_of_key(text: str, key: str, start: int) -> int:
    """The line of `"key":` after `start` (the scripts object), else of the scripts key."""
    match = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:").search(
        text, max(start, 0)
    )
    at = match.start() if match is not None else max(start, 0)
    return text.count("\n", 0, at) + 1
