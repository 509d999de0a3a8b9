"""Where an outbound call goes: a service of the repository, an external system, or unknown.

The base URL of a call is rarely written out: it is an environment variable
(`{AI_ENGINE_URL}/api/v1/match`), a default beside it, a relative path from a
browser app, or a path a proxy rule forwards. Sources, in order:

1. the repo config: `services.NAME.urls` lists environment variable names,
   host names and URL prefixes;
2. the code and the deployment files: an environment variable named after a
   service (`AI_ENGINE_URL` for `ai-engine`), the default the code gives it, a
   value a compose file or `.env.example` sets, a localhost port a service
   listens on, a host name a compose file gives a service, a Next.js rewrite;
3. otherwise the target is unknown, with the reason. Nothing is guessed: two
   candidates are as unknown as none.

Every `Target` says how it was found (`reason`), so a reviewer can check it.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzers.facts import Endpoint, EnvSetting, HostName, Listener, Rewrite, Service
from analyzers.graph.paths import (
    OPTIONAL_REST,
    PARAM,
    REST,
    PathTemplate,
    display_path,
    parse_path,
    path_matches,
    strip_query,
)

if TYPE_CHECKING:
    from analyzers.config import Config
    from analyzers.services import ServiceMap

SERVICE = "service"
EXTERNAL = "external"
UNKNOWN = "unknown"

_ORIGIN = re.compile(r"^(?P<scheme>https?|wss?)://(?P<host>[^/?#]*)(?P<rest>.*)$", re.IGNORECASE)
_PLACEHOLDER_ORIGIN = re.compile(r"^\{(?P<name>[^{}]+)\}(?P<rest>.*)$")
# Hosts that mean "this machine": the service listening on the port is the target.
_LOCAL_HOSTS = frozenset(
    {"localhost", "127.0.0.1", "0.0.0.0", "[::1]", "host.docker.internal"}  # noqa: S104
)
_ENV_PREFIXES = ("next_public_", "nuxt_public_", "vite_", "react_app_", "expo_public_", "public_")
_ENV_SUFFIXES = (
    "_service_base_url",
    "_service_url",
    "_service_host",
    "_svc_url",
    "_base_url",
    "_api_url",
    "_api_base",
    "_endpoint",
    "_origin",
    "_address",
    "_addr",
    "_host",
    "_base",
    "_url",
    "_uri",
)
_SERVICE_SUFFIXES = ("service", "svc", "server")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# Hosts of well-known APIs, by the system name the SDK families use.
_KNOWN_HOSTS = {
    "api.stripe.com": "stripe",
    "api.openai.com": "openai",
    "api.anthropic.com": "anthropic",
    "api.github.com": "github",
    "slack.com": "slack",
    "hooks.slack.com": "slack",
    "api.sendgrid.com": "sendgrid",
    "api.twilio.com": "twilio",
    "api.resend.com": "resend",
}
_KNOWN_HOST_SUFFIXES = {".supabase.co": "supabase", ".amazonaws.com": "aws"}
_KNOWN_SYSTEMS = frozenset({*_KNOWN_HOSTS.values(), *_KNOWN_HOST_SUFFIXES.values()})
_MAX_HOPS = 3  # proxy rules followed in a row before giving up (a loop or a maze)


@dataclass(frozen=True, slots=True)
class Target:
    kind: str  # service, external or unknown
    name: str | None  # the service or system; None when unknown
    path: str  # the path as the target sees it; "" when not known
    reason: str  # how the target was found, or why it could not be


def key_of(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def env_keys(name: str) -> list[str]:
    """What a variable may be named after, longest first.

    `NEXT_PUBLIC_AI_ENGINE_URL`, `settings.ai_engine_url` and `aiEngineUrl` all give
    `aiengine`; `CORE_API_URL` gives `coreapi`, then `core`.
    """
    return list(_env_keys(name))


@functools.lru_cache(maxsize=4096)
def _env_keys(name: str) -> tuple[str, ...]:
    # Kept: every call of a tree asks it of its base URL's variable, a handful of names.
    last = name.rsplit(".", 1)[-1]
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", last).lower()
    for prefix in _ENV_PREFIXES:
        if snake.startswith(prefix):
            snake = snake[len(prefix) :]
            break
    keys = [
        key_of(snake[: -len(suffix)])
        for suffix in _ENV_SUFFIXES
        if snake.endswith(suffix) and len(snake) > len(suffix)
    ]
    return tuple(sorted({k for k in keys if k}, key=lambda k: -len(k)))


def _split_host(host: str) -> tuple[str, int | None]:
    host = host.rsplit("@", 1)[-1].lower()
    name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if name and port.isdigit():
        return name, int(port)
    return host, None


class Directory:
    """What one tree says about how services are reached, indexed for resolving many calls."""

    def __init__(
        self,
        service_map: ServiceMap,
        config: Config,
        endpoints: Iterable[Endpoint],
        rewrites: Iterable[Rewrite],
        listeners: Iterable[Listener],
        hosts: Iterable[HostName],
        settings: Iterable[EnvSetting],
    ) -> None:
        self.services: dict[str, Service] = {s.name: s for s in service_map.services}
        self.service_map = service_map
        # Each service's own route paths, parsed when a relative URL of that service is first
        # resolved: most trees have none, and parsing every route of the tree is not free.
        self.own_paths: dict[str, list[str]] = {}
        for endpoint in endpoints:
            self.own_paths.setdefault(endpoint.service, []).append(endpoint.path)
        self._own_routes: dict[str, list[PathTemplate]] = {}
        self.rewrites: dict[str, list[Rewrite]] = {}
        for rewrite in rewrites:
            self.rewrites.setdefault(rewrite.service, []).append(rewrite)
        # config: env names, hosts and URL prefixes
        self.config_env: dict[str, set[str]] = {}
        self.config_hosts: dict[str, set[str]] = {}
        self.config_prefixes: list[tuple[str, str]] = []
        for spec in config.services:
            for url in spec.urls:
                if "://" in url:
                    self.config_prefixes.append((url.rstrip("/").lower(), spec.name))
                elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", url) and url.upper() == url:
                    self.config_env.setdefault(url.upper(), set()).add(spec.name)
                else:
                    self.config_hosts.setdefault(url.lower(), set()).add(spec.name)
        self.config_prefixes.sort(key=lambda item: -len(item[0]))
        self.service_keys: dict[str, set[str]] = {}
        for name in self.services:
            for key in _service_keys(name):
                self.service_keys.setdefault(key, set()).add(name)
        self.ports: dict[int, set[str]] = {}
        for listener in listeners:
            owner = self._unit_service(listener.service, listener.context, listener.source)
            if owner is not None:
                self.ports.setdefault(listener.port, set()).add(owner)
        self.hosts: dict[str, set[str]] = {}
        for host in hosts:
            owner = self._unit_service(host.service, host.context, "")
            if owner is not None:
                self.hosts.setdefault(host.host.lower(), set()).add(owner)
        self.settings: dict[str, list[EnvSetting]] = {}
        for setting in settings:
            self.settings.setdefault(setting.name, []).append(setting)
        self._resolved: dict[tuple[str, str, tuple[tuple[str, str], ...], int], Target] = {}

    def own_routes(self, service: str) -> list[PathTemplate]:
        found = self._own_routes.get(service)
        if found is None:
            found = [parse_path(path) for path in self.own_paths.get(service, ())]
            self._own_routes[service] = found
        return found

    def _unit_service(self, service: str | None, context: str, source: str) -> str | None:
        if source == "code":
            return service
        return self.service_map.owner(posixpath.join(context, "__unit__") if context else "x")

    # --- resolving -----------------------------------------------------------------------------

    def resolve(
        self, caller: str, url: str, defaults: Sequence[tuple[str, str]], hops: int = 0
    ) -> Target:
        # Kept: the directory does not change once made, and a tree's calls repeat a few base
        # URLs from each service (a relative one is matched against all the caller's routes).
        key = (caller, url, tuple(defaults), hops)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve(caller, url, defaults, hops)
        return found

    def _resolve(
        self, caller: str, url: str, defaults: Sequence[tuple[str, str]], hops: int
    ) -> Target:
        origin = _ORIGIN.match(url)
        if origin is not None:
            return self._absolute(origin.group("host"), origin.group("rest"), url)
        placeholder = _PLACEHOLDER_ORIGIN.match(url)
        if placeholder is not None:
            return self._placeholder(
                caller, placeholder.group("name"), placeholder.group("rest"), defaults, hops
            )
        if url.startswith("/"):
            return self._relative(caller, url, hops)
        return Target(UNKNOWN, None, "", f"the URL `{url}` is not known before run time")

    def _placeholder(
        self,
        caller: str,
        name: str,
        rest: str,
        defaults: Sequence[tuple[str, str]],
        hops: int,
    ) -> Target:
        env = name.rsplit(".", 1)[-1]
        # `settings.ai_engine_url` is the `AI_ENGINE_URL` a config lists
        named = self.config_env.get(env.upper()) or self.config_env.get(name.upper())
        if named:
            return self._named(named, rest, f"`{env}` is listed in the config")
        default = dict(defaults).get(name)
        if default and _ORIGIN.match(default):
            configured = self._configured_url(default)
            if configured is not None:
                return self._named({configured}, rest, f"`{env}` defaults to {default}")
        keys = env_keys(name)
        for key in keys:
            by_name = self.service_keys.get(key, set())
            if by_name:
                return self._named(by_name, rest, f"`{env}` is named after the service")
        if default is not None:
            if default == "":
                return self._relative(caller, rest if rest.startswith("/") else "/" + rest, hops)
            if _ORIGIN.match(default) or default.startswith("/"):
                target = self.resolve(caller, default.rstrip("/") + rest, (), hops + 1)
                return _because(target, f"`{env}` defaults to {default}")
        for setting in self._settings_for(env, caller):
            if _ORIGIN.match(setting.value):
                target = self.resolve(caller, setting.value.rstrip("/") + rest, (), hops + 1)
                where = f"{setting.location.path}:{setting.location.line}"
                return _because(target, f"`{env}` is set to {setting.value} in {where}")
        values = sorted({s.value for s in self.settings.get(env, []) if _ORIGIN.match(s.value)})
        if len(values) > 1:
            return Target(
                UNKNOWN, None, "", f"`{env}` is set to different values: {', '.join(values)}"
            )
        system = next((key for key in keys if key in _KNOWN_SYSTEMS), None)
        if system is not None:
            return Target(EXTERNAL, system, rest, f"`{env}` names {system}")
        if not _ENV_NAME.fullmatch(env):
            return Target(UNKNOWN, None, "", f"the base URL comes from `{name}` at run time")
        return Target(
            UNKNOWN,
            None,
            "",
            f"`{env}` is set outside the repository and matches no service; name its "
            f"service in .github/flow-review.yml (services.<name>.urls: [{env}])",
        )

    def _settings_for(self, name: str, caller: str) -> list[EnvSetting]:
        """Values the repository sets for `name`: the caller's own first, then unique others."""
        settings = self.settings.get(name, [])
        own = [
            s
            for s in settings
            if self._unit_service(s.service, s.context, "") == caller and _ORIGIN.match(s.value)
        ]
        if own:
            return own[:1]
        values = {s.value.rstrip("/") for s in settings if _ORIGIN.match(s.value)}
        return [s for s in settings if _ORIGIN.match(s.value)][:1] if len(values) == 1 else []

    def _configured_url(self, url: str) -> str | None:
        lowered = url.rstrip("/").lower()
        for prefix, name in self.config_prefixes:
            if lowered == prefix or lowered.startswith(prefix + "/"):
                return name
        origin = _ORIGIN.match(url)
        if origin is None:
            return None
        host = origin.group("host").lower()
        bare, _ = _split_host(host)
        names = self.config_hosts.get(host) or self.config_hosts.get(bare)
        return next(iter(names)) if names and len(names) == 1 else None

    def _absolute(self, host_text: str, rest: str, url: str) -> Target:
        configured = self._configured_url(url)
        if configured is not None:
            return self._named({configured}, rest, f"{url} is listed in the config")
        if "{" in host_text or "$" in host_text:
            return Target(UNKNOWN, None, "", f"the host of `{url}` is not known before run time")
        host, port = _split_host(host_text)
        if host in _LOCAL_HOSTS:
            if port is None:
                return Target(UNKNOWN, None, "", f"{host} without a port names no service")
            listening = self.ports.get(port, set())
            if listening:
                verb = "listens" if len(listening) == 1 else "listen"
                return self._named(listening, rest, f"{_service_list(listening)} {verb} on {port}")
            return Target(UNKNOWN, None, "", f"nothing in the repository listens on port {port}")
        named = self.hosts.get(host) or self.hosts.get(host.split(".", 1)[0])
        if named:
            return self._named(named, rest, f"`{host}` is the host name of a deployed service")
        by_name = self.service_keys.get(key_of(host.split(".", 1)[0]), set())
        if by_name and "." not in host:
            return self._named(by_name, rest, f"`{host}` is the service's name")
        system = _KNOWN_HOSTS.get(host) or next(
            (name for suffix, name in _KNOWN_HOST_SUFFIXES.items() if host.endswith(suffix)),
            None,
        )
        return Target(EXTERNAL, system or host.removeprefix("www."), rest, f"{host} is outside")

    def _relative(self, caller: str, path: str, hops: int) -> Target:
        service = self.services.get(caller)
        if service is None or not ({"typescript", "javascript"} & set(service.languages)):
            return Target(UNKNOWN, None, "", f"a relative URL `{path}` from a server has no host")
        template = parse_path(path)
        if template.segments and template.literal_count == 0:
            return Target(UNKNOWN, None, "", f"the path `{path}` is not known before run time")
        # Next.js serves the app's own routes before (afterFiles) rewrites.
        if any(path_matches(template, own) for own in self.own_routes(caller)):
            return Target(SERVICE, caller, path, f"{caller} serves it in its own app")
        if hops < _MAX_HOPS:
            for rewrite in self.rewrites.get(caller, ()):
                forwarded = _rewritten(rewrite, template, path)
                if forwarded is None:
                    continue
                target = self.resolve(caller, forwarded, rewrite.defaults, hops + 1)
                where = f"{rewrite.location.path}:{rewrite.location.line}"
                return _because(target, f"rewritten by {where}")
        if caller in self.own_paths:
            return Target(SERVICE, caller, path, f"a relative URL stays in {caller}'s own app")
        return Target(
            UNKNOWN,
            None,
            "",
            f"relative URL `{path}`: {caller} serves no routes and no rewrite or proxy forwards it",
        )

    def _named(self, names: set[str], rest: str, reason: str) -> Target:
        if len(names) > 1:
            if all(name in reason for name in names):
                return Target(UNKNOWN, None, "", f"{reason}, so the target is ambiguous")
            return Target(UNKNOWN, None, "", f"{reason}: {_service_list(names)} all match")
        name = next(iter(names))
        return Target(SERVICE, name, rest or "/", reason)


def _service_keys(name: str) -> set[str]:
    key = key_of(name)
    keys = {key}
    for suffix in _SERVICE_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            keys.add(key[: -len(suffix)])
    return keys


def _service_list(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def _because(target: Target, reason: str) -> Target:
    return Target(target.kind, target.name, target.path, f"{reason}; {target.reason}")


_NAMED_PARAM = re.compile(r"\{([^{}]+)\}")


def _rewritten(rewrite: Rewrite, call: PathTemplate, path: str) -> str | None:
    """The URL a proxy rule forwards `call` to, or None when the rule does not apply."""
    source = rewrite.source.split("/")
    names = [m.group(1) for part in source if (m := _NAMED_PARAM.fullmatch(part))]
    parsed = parse_path(rewrite.source)
    segments = list(parsed.segments)
    # A last parameter the destination reuses stands for the rest of the path
    # (`/api/:path*`, which extraction spells `/api/{path}`).
    if segments and segments[-1] == PARAM and names and f"{{{names[-1]}}}" in rewrite.destination:
        segments[-1] = OPTIONAL_REST
    source_template = PathTemplate(tuple(segments))
    if not path_matches(call, source_template):
        return None
    # the call's segments as written, so that `{id}` keeps its name through the rewrite
    raw = [segment for segment in strip_query(path).split("/") if segment]
    values: dict[str, str] = {}
    name_index = 0
    for index, segment in enumerate(source_template.segments):
        if segment in (PARAM, REST, OPTIONAL_REST):
            if name_index >= len(names):
                return None
            taken = raw[index:] if segment != PARAM else raw[index : index + 1]
            values[names[name_index]] = display_path("/".join(taken)).lstrip("/")
            name_index += 1
    destination = _NAMED_PARAM.sub(
        lambda m: values.get(m.group(1), m.group(0)), rewrite.destination
    )
    return re.sub(r"(?<!:)//+", "/", destination)
