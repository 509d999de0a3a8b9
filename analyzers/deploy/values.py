"""What deployment files say, made safe to keep: ports, folders, and values that are no secret.

Deployment files mix what a linker needs (`AI_ENGINE_URL=http://ai-engine:8000`,
`PORT=4000`) with what nobody may see (`STRIPE_SECRET_KEY=sk_live_...`). Only
three kinds of value are ever kept, whatever file they come from:

- a URL, without its user and password, query and fragment; and of a host
  outside the deployment (a public domain) only the origin: a path there may
  itself be the secret (`https://hooks.slack.com/services/T0/B0/XXXX`);
- `host:port` (`redis:6379`), unless its name says secret (`API_TOKEN=abc:123`);
- a port number under a name that says port (`PORT`, `API_PORT`).

Everything else is dropped before it becomes a fact, so no report or cache
can hold it.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from collections.abc import Mapping

# `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:=default}`, `$NAME`.
_VARIABLE = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-=])(?P<default>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<netloc>[^/?#\s]*)(?P<path>[^?#\s]*)")
_HOST_PORT = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?:(?P<port>\d{1,5})$")
# A name that says port: PORT, API_PORT, PORT_HTTP; not PASSPORT_SECRET or SUPPORT_EMAIL.
_PORT_NAME = re.compile(r"(?:^|_)PORT(?:_|$)", re.IGNORECASE)
# A name that says secret: a value shaped like `host:port` under it may be a credential.
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASS|PWD|CREDENTIALS?|PRIVATE|SALT|AUTH)(?:_|$)",
    re.IGNORECASE,
)
# Host names that only mean something inside a deployment: its path is the service's own API.
_PRIVATE_SUFFIXES = (".local", ".internal", ".localhost", ".lan", ".svc", ".cluster.local")


def expand(text: str, env: Mapping[str, str]) -> str:
    """Shell and compose variables replaced by what `env` sets, else by their default.

    A variable with neither stays as written, so that the caller can see it is unknown.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group("name") or match.group("bare")
        value = env.get(name)
        op = match.group("op")
        if value is not None and not (value == "" and op is not None and op.startswith(":")):
            return value
        if op is not None:
            return match.group("default")
        return match.group(0)

    return _VARIABLE.sub(replace, text) if "$" in text else text


def port_number(text: str | int | None) -> int | None:
    """A TCP port written as a number ("8000", "8000/tcp"); None for anything else."""
    if isinstance(text, int):
        return text if 0 < text < 65536 else None
    if text is None:
        return None
    text = text.strip().strip("\"'")
    number, _, protocol = text.partition("/")
    if not number.isdigit() or protocol not in ("", "tcp", "udp", "sctp"):
        return None
    port = int(number)
    return port if 0 < port < 65536 else None


def folder_of(path: str) -> str:
    """The folder of a repository path: "" at the root, no trailing slash."""
    return posixpath.dirname(path)


def join_folder(base: str, relative: str) -> str | None:
    """`relative` (as a file in `base` writes it) as a folder of the repository.

    None when it leaves the repository, is absolute, or is not a path at all (a git URL
    as a build context).
    """
    relative = relative.strip() or "."
    if relative.startswith("/") or "://" in relative or "$" in relative:
        return None
    if relative.startswith(("git@", "github.com/")):
        return None
    joined = posixpath.normpath(posixpath.join(base, relative))
    if joined == ".":
        return ""
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def shareable(name: str, value: str) -> str | None:
    """The part of an environment value that is safe to keep, or None to drop it entirely."""
    value = value.strip()
    if not value:
        return None
    if _PORT_NAME.search(name) and port_number(value) is not None:
        return value
    url = _URL.match(value)
    if url is not None:
        return _safe_url(url)
    if (
        _HOST_PORT.match(value)
        and port_number(value.rpartition(":")[2]) is not None
        and not _SECRET_NAME.search(name)
    ):
        return value
    return None


def _safe_url(url: re.Match[str]) -> str | None:
    scheme = url.group("scheme").lower()
    host = url.group("netloc").rpartition("@")[2]  # never a user or password
    if not host:
        return None
    origin = f"{scheme}://{host}"
    return origin + url.group("path") if _is_private(host) else origin


def _is_private(netloc: str) -> bool:
    """A host only the deployment itself resolves: no dots, a private suffix or address."""
    host = netloc.lower()
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else host[1:]
    else:
        host = host.partition(":")[0]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host or host.endswith(_PRIVATE_SUFFIXES) or host == "host.docker.internal"
    return address.is_private or address.is_loopback or address.is_unspecified
