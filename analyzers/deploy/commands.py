"""The ports a command line makes a server listen on, as a Dockerfile, Procfile or script says.

`uvicorn app.main:app --host 0.0.0.0 --port ${PORT:-8000}`, `gunicorn -b :8000 app:app`,
`PORT=4000 node dist/index.js`, `next dev -p 3001`, `sh -c "cd api && flask run -p 5000"`.
Each server program has its own flags (gunicorn's `-p` is a pid file, node's `-p` prints):
a flag counts only for the program it belongs to, and only after that program on the line.
A port the line leaves to the environment (`--port $PORT`) is not known, so nothing is
reported; a default (`${PORT:-8000}`) is what runs when nothing sets it, so it is.

A framework's default port (`next dev` alone listens on 3000) is not reported: the line
does not say it, and the linker knows the framework better than a command line does.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analyzers.deploy.values import expand, port_number

_SEPARATORS = frozenset({";", "&&", "||", "|", "&", ";;"})
_ASSIGNMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$", re.S)
# Words that run the rest of the line as a command of its own.
_WRAPPERS = frozenset(
    {"env", "cross-env", "cross-env-shell", "exec", "nohup", "time", "command", "export"}
)
# Package managers: what follows `--` goes to the script they run (`npm run dev -- -p 3001`).
_RUNNERS = frozenset({"npm", "yarn", "pnpm", "bun"})
# Flags of package managers that run the script of another package, or in another folder.
_ELSEWHERE = frozenset({"--filter", "-F", "--workspace", "-w", "workspace", "--workspaces"})
_PREFIX_FLAGS = frozenset({"--prefix", "--cwd", "-C", "--dir"})
_MAX_DEPTH = 4  # nested `sh -c "..."` levels read


@dataclass(frozen=True, slots=True)
class _Program:
    port_flags: tuple[str, ...] = ()  # flags whose value is a port
    bind_flags: tuple[str, ...] = ()  # flags whose value is host:port (or a port)
    positional: bool = False  # the first plain argument is the address (runserver, http.server)
    after: str | None = None  # only after this subcommand (`manage.py runserver`)


_PYTHON_SERVERS = {
    "uvicorn": _Program(port_flags=("--port",)),
    "gunicorn": _Program(bind_flags=("-b", "--bind")),
    "hypercorn": _Program(bind_flags=("-b", "--bind", "--insecure-bind")),
    "granian": _Program(port_flags=("--port",)),
    "daphne": _Program(port_flags=("-p", "--port")),
    "waitress-serve": _Program(port_flags=("--port",), bind_flags=("--listen",)),
    "flask": _Program(port_flags=("-p", "--port"), after="run"),
    "fastapi": _Program(port_flags=("--port",)),
    "streamlit": _Program(port_flags=("--server.port",)),
    "http.server": _Program(positional=True),
    "manage.py": _Program(positional=True, after="runserver"),
    "django-admin": _Program(positional=True, after="runserver"),
}
_NODE_SERVERS = {
    "next": _Program(port_flags=("-p", "--port")),
    "vite": _Program(port_flags=("--port",)),
    "nuxt": _Program(port_flags=("-p", "--port")),
    "nuxi": _Program(port_flags=("-p", "--port")),
    "astro": _Program(port_flags=("--port",)),
    "ng": _Program(port_flags=("--port",)),
    "webpack-dev-server": _Program(port_flags=("--port",)),
    "webpack": _Program(port_flags=("--port",), after="serve"),
    "serve": _Program(port_flags=("-p",), bind_flags=("-l", "--listen")),
    "http-server": _Program(port_flags=("-p", "--port")),
    "live-server": _Program(port_flags=("--port",)),
    "json-server": _Program(port_flags=("-p", "--port")),
    "wrangler": _Program(port_flags=("--port",)),
    "remix-serve": _Program(port_flags=("--port",)),
    # Runtimes: a script's own `--port` flag; their `-p` is something else (node: print).
    "node": _Program(port_flags=("--port",)),
    "nodemon": _Program(port_flags=("--port",)),
    "ts-node": _Program(port_flags=("--port",)),
    "ts-node-dev": _Program(port_flags=("--port",)),
    "tsx": _Program(port_flags=("--port",)),
    "deno": _Program(port_flags=("--port",)),
    "python": _Program(port_flags=("--port",)),
    "python3": _Program(port_flags=("--port",)),
}
# Programs that run a script of the project: a server named after them on the line wins
# (`python -m gunicorn -b :8000`, `node node_modules/.bin/next start -p 3000`).
_RUNTIMES = frozenset(
    {"node", "nodemon", "ts-node", "ts-node-dev", "tsx", "deno", "python", "python3"}
)
PROGRAMS = {**_PYTHON_SERVERS, **_NODE_SERVERS}


@dataclass(frozen=True, slots=True)
class CommandPort:
    port: int
    # The folder the command moved into with `cd` before starting the server, relative to
    # where it started ("" when it did not move, "../api" may leave it); None when unknown.
    folder: str | None = ""


def command_ports(
    command: str | Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    follow_cd: bool = True,
) -> list[CommandPort]:
    """Ports a command line listens on, in order, each once.

    `env` holds what the environment sets (a Dockerfile's `ENV`) for `$PORT`;
    `follow_cd` says whether `cd` moves within the repository (a Procfile, a script)
    rather than inside a container.
    """
    found: list[CommandPort] = []
    _Reader(found, follow_cd).read(command, dict(env or {}), "", 0)
    unique: dict[int, CommandPort] = {}
    for item in found:
        unique.setdefault(item.port, item)
    return list(unique.values())


def tokens(command: str) -> list[str]:
    """Shell words and the operators between them; quotes kept together, as a shell would."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = ""  # a `#` inside a word is no comment, and a trailing one harms nothing
    try:
        return list(lexer)
    except ValueError:  # an unclosed quote: read the words as they stand
        return command.replace('"', " ").replace("'", " ").split()


class _Reader:
    def __init__(self, found: list[CommandPort], follow_cd: bool) -> None:
        self.found = found
        self.follow_cd = follow_cd

    def read(
        self, command: str | Sequence[str], env: dict[str, str], folder: str | None, depth: int
    ) -> None:
        words = tokens(command) if isinstance(command, str) else list(command)
        segment: list[str] = []
        for word in [*words, ";"]:
            if word in _SEPARATORS:
                folder = self.segment(segment, env, folder, depth)
                segment = []
            else:
                segment.append(word)

    def segment(
        self, words: list[str], env: dict[str, str], folder: str | None, depth: int
    ) -> str | None:
        """Read one simple command; returns the folder the next one runs in."""
        if not words:
            return folder
        if words[0] == "cd":
            return self.cd(words[1:], folder)
        local = dict(env)
        start = 0
        persistent = words[0] == "export" or all(_ASSIGNMENT.match(w) for w in words)
        while start < len(words):
            word = words[start]
            assignment = _ASSIGNMENT.match(word)
            if assignment is not None:
                name, value = assignment.group("name"), expand(assignment.group("value"), local)
                local[name] = value
                if persistent:
                    env[name] = value
                if name == "PORT" and (port := port_number(value)) is not None:
                    self.found.append(CommandPort(port, folder))
            elif word not in _WRAPPERS:
                break
            start += 1
        rest = words[start:]
        for word in rest:
            if any(c.isspace() for c in word.strip()) and depth < _MAX_DEPTH:
                self.read(word, dict(local), folder, depth + 1)  # `sh -c "..."`, `concurrently`
        self.program(rest, local, folder)
        return folder

    def cd(self, args: list[str], folder: str | None) -> str | None:
        return _moved(folder, args[0] if args else "") if self.follow_cd else folder

    def program(self, words: list[str], env: Mapping[str, str], folder: str | None) -> None:
        """Apply the flags of the server the words run: the first that is not a runtime."""
        chosen: tuple[int, _Program] | None = None
        for index, word in enumerate(words):
            name = posixpath.basename(word).lower()
            if name in _RUNNERS:
                self.runner(words[index + 1 :], env, folder)
                return
            spec = PROGRAMS.get(name)
            if spec is None:
                continue
            if name not in _RUNTIMES:
                chosen = (index, spec)
                break
            chosen = chosen or (index, spec)
        if chosen is None:
            return
        index, spec = chosen
        args = words[index + 1 :]
        if spec.after is not None:
            if spec.after not in args:
                return
            args = args[args.index(spec.after) + 1 :]
        self.flags(args, spec, env, folder)

    def runner(self, args: list[str], env: Mapping[str, str], folder: str | None) -> None:
        """`npm run dev -- -p 3001`, `pnpm exec next dev -p 3001`, `npm --prefix api start`."""
        index = 0
        while index < len(args):
            word = args[index]
            if word in _ELSEWHERE:  # another package's script: its folder is not known here
                folder = None
            elif word in _PREFIX_FLAGS and index + 1 < len(args):
                target = args[index + 1]
                folder = _moved(folder, target)
                index += 1
            elif word in ("exec", "dlx", "x"):
                self.program(args[index + 1 :], env, folder)
                return
            elif not word.startswith("-") and word not in ("run", "run-script"):
                break  # the script's name
            index += 1
        if "--" in args:
            after = args[args.index("--") + 1 :]
            self.flags(after, _Program(port_flags=("-p", "--port")), env, folder)

    def flags(
        self, args: list[str], spec: _Program, env: Mapping[str, str], folder: str | None
    ) -> None:
        index = 0
        positional_seen = False
        while index < len(args):
            word = args[index]
            flag, equals, inline = word.partition("=")
            value = inline if equals else (args[index + 1] if index + 1 < len(args) else "")
            step = 1 if equals else 2
            if flag in spec.port_flags:
                self.add(port_number(expand(value, env)), folder)
                index += step
            elif flag in spec.bind_flags:
                self.add(_bound_port(expand(value, env)), folder)
                index += step
            elif word.startswith("-"):
                index += 1
            else:
                if spec.positional and not positional_seen:
                    positional_seen = True
                    self.add(_bound_port(expand(word, env)), folder)
                index += 1

    def add(self, port: int | None, folder: str | None) -> None:
        if port is not None:
            self.found.append(CommandPort(port, folder))


def _moved(folder: str | None, target: str) -> str | None:
    """The folder after `cd target`; None when it is not a folder of the repository we know."""
    if folder is None or not target or target.startswith(("/", "~", "-")) or "$" in target:
        return None
    return posixpath.normpath(posixpath.join(folder, target))


def _bound_port(address: str) -> int | None:
    """The port of `0.0.0.0:8000`, `:8000`, `[::]:8000`, `tcp://0.0.0.0:8000`, `8000`."""
    address = address.strip().removeprefix("tcp://").removeprefix("http://")
    if address.startswith(("unix:", "fd://", "/")):
        return None
    return port_number(address.rpartition(":")[2])
