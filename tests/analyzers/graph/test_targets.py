"""Where an outbound call goes: a service of the repository, an external system, or unknown."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from analyzers.config import Config, ServiceSpec, parse_config
from analyzers.facts import Endpoint, EnvSetting, HostName, Listener, Location, Rewrite, Service
from analyzers.graph.targets import EXTERNAL, SERVICE, UNKNOWN, Directory, Target, env_keys
from analyzers.services import ServiceMap, infer_services

COMPOSE = Location("docker-compose.yml", 12, 12)
NEXT_CONFIG = Location("apps/web/next.config.js", 7, 7)

AI = Service("ai-engine", "services/ai-engine", ("python",))
CORE = Service("core-api", "services/core-api", ("typescript",))
WEB = Service("web", "apps/web", ("typescript",))
MATCHER = Service("matcher", "services/matcher", ("python",))
SERVICES = (AI, CORE, WEB, MATCHER)


def service_map(*services: Service) -> ServiceMap:
    return ServiceMap(services=services, patterns=tuple((s.name, (s.root,)) for s in services))


def directory(
    services: Iterable[Service] = SERVICES,
    config: Config | None = None,
    *,
    endpoints: Iterable[Endpoint] = (),
    rewrites: Iterable[Rewrite] = (),
    listeners: Iterable[Listener] = (),
    hosts: Iterable[HostName] = (),
    settings: Iterable[EnvSetting] = (),
) -> Directory:
    return Directory(
        service_map(*services),
        config or Config(),
        endpoints,
        rewrites,
        listeners,
        hosts,
        settings,
    )


def resolve(
    url: str,
    caller: str = "web",
    defaults: tuple[tuple[str, str], ...] = (),
    *,
    services: Iterable[Service] = SERVICES,
    config: Config | None = None,
    endpoints: Iterable[Endpoint] = (),
    rewrites: Iterable[Rewrite] = (),
    listeners: Iterable[Listener] = (),
    hosts: Iterable[HostName] = (),
    settings: Iterable[EnvSetting] = (),
) -> Target:
    found = directory(
        services,
        config,
        endpoints=endpoints,
        rewrites=rewrites,
        listeners=listeners,
        hosts=hosts,
        settings=settings,
    )
    return found.resolve(caller, url, defaults)


def endpoint(service: str, path: str = "/health") -> Endpoint:
    return Endpoint(service, Location(f"{service}/routes.ts", 1, 1), "GET", path, "h", "express")


def code_listener(service: str, port: int) -> Listener:
    return Listener(service, Location(f"{service}/main", 3, 3), port, "code", "")


def deploy_listener(context: str, port: int, source: str = "compose") -> Listener:
    return Listener(None, COMPOSE, port, source, context)


def setting(name: str, value: str, context: str = "") -> EnvSetting:
    return EnvSetting(None, Location(".env.example", 4, 4), name, value, context)


def core_rewrite(default: str = "http://localhost:4000") -> Rewrite:
    return Rewrite(
        "web",
        NEXT_CONFIG,
        "/api/{path}",
        "{CORE_API_URL}/api/{path}",
        (("CORE_API_URL", default),),
    )


def names(target: Target) -> tuple[str, str | None, str]:
    return (target.kind, target.name, target.path)


# --- environment variables named after a service ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("AI_ENGINE_URL", ["aiengine"]),
        ("NEXT_PUBLIC_AI_ENGINE_URL", ["aiengine"]),
        ("settings.ai_engine_url", ["aiengine"]),
        ("aiEngineUrl", ["aiengine"]),
        ("CORE_API_URL", ["coreapi", "core"]),
        ("PRICING_SERVICE_URL", ["pricingservice", "pricing"]),
        ("NEXT_PUBLIC_API_URL", ["api"]),
        ("VITE_AI_ENGINE_BASE_URL", ["aienginebase", "aiengine"]),
        ("URL", []),
        ("API_KEY", []),
    ],
)
def test_env_keys_longest_first(name: str, keys: list[str]) -> None:
    assert env_keys(name) == keys


@pytest.mark.parametrize(
    ("services", "url", "expected"),
    [
        (SERVICES, "{AI_ENGINE_URL}/api/v1/match", "ai-engine"),
        (SERVICES, "{process.env.AI_ENGINE_URL}/api/v1/match", "ai-engine"),
        (SERVICES, "{settings.ai_engine_url}/api/v1/match", "ai-engine"),
        (SERVICES, "{aiEngineUrl}/api/v1/match", "ai-engine"),
        (SERVICES, "{NEXT_PUBLIC_AI_ENGINE_URL}/api/v1/match", "ai-engine"),
        # the longest name first: core-api, not core
        ((*SERVICES, Service("core", "services/core")), "{CORE_API_URL}/x", "core-api"),
        ((Service("api", "services/api"), WEB), "{NEXT_PUBLIC_API_URL}/x", "api"),
        ((Service("pricing", "services/pricing"), WEB), "{PRICING_SERVICE_URL}/x", "pricing"),
        (
            (Service("pricing-service", "services/pricing-service"), WEB),
            "{PRICING_SERVICE_URL}/x",
            "pricing-service",
        ),
        # a service named `...-service` is also reached by the name without the suffix
        ((Service("pricing-service", "svc/pricing"), WEB), "{PRICING_URL}/x", "pricing-service"),
    ],
)
def test_an_env_name_names_its_service(
    services: tuple[Service, ...], url: str, expected: str
) -> None:
    target = resolve(url, services=services)
    assert names(target) == (SERVICE, expected, "/x" if url.endswith("/x") else "/api/v1/match")
    assert "named after the service" in target.reason


def test_a_bare_base_url_is_the_root_path() -> None:
    assert names(resolve("{AI_ENGINE_URL}")) == (SERVICE, "ai-engine", "/")
    assert names(resolve("{AI_ENGINE_URL}/")) == (SERVICE, "ai-engine", "/")


def test_two_services_named_by_one_env_name_are_unknown() -> None:
    services = (Service("pricing", "services/pricing"), Service("pricing-service", "svc/p"), WEB)
    target = resolve("{PRICING_URL}/quote", services=services)
    assert names(target) == (UNKNOWN, None, "")
    assert "pricing" in target.reason and "pricing-service" in target.reason


def test_an_env_name_of_no_service_is_unknown_with_the_config_hint() -> None:
    target = resolve("{FOO_URL}/x")
    assert names(target) == (UNKNOWN, None, "")
    assert "`FOO_URL`" in target.reason
    assert "services.<name>.urls: [FOO_URL]" in target.reason


def test_a_base_url_from_an_object_at_run_time_is_unknown() -> None:
    target = resolve("{this.baseUrl}/x")
    assert names(target) == (UNKNOWN, None, "")
    assert "this.baseUrl" in target.reason and "run time" in target.reason


@pytest.mark.parametrize(
    ("url", "system"),
    [("{STRIPE_API_URL}/v1/charges", "stripe"), ("{OPENAI_BASE_URL}/v1/chat", "openai")],
)
def test_an_env_name_of_a_known_system_is_external(url: str, system: str) -> None:
    target = resolve(url)
    assert (target.kind, target.name) == (EXTERNAL, system)


# --- the config comes first --------------------------------------------------------------------


def matcher_config(*urls: str) -> Config:
    return Config(services=(ServiceSpec("matcher", urls=urls),))


def test_an_env_name_in_the_config_beats_one_matching_another_service() -> None:
    config = matcher_config("AI_ENGINE_URL")
    target = resolve("{AI_ENGINE_URL}/api/v1/match", config=config)
    assert names(target) == (SERVICE, "matcher", "/api/v1/match")
    assert "listed in the config" in target.reason
    target = resolve("{process.env.AI_ENGINE_URL}/api/v1/match", config=config)
    assert names(target) == (SERVICE, "matcher", "/api/v1/match")


def test_the_config_read_from_yaml_names_the_service() -> None:
    config = parse_config("services:\n  matcher:\n    urls: [AI_ENGINE_URL]\n")
    assert config.services == (ServiceSpec("matcher", (), ("AI_ENGINE_URL",)),)
    assert resolve("{AI_ENGINE_URL}/m", config=config).name == "matcher"


def test_an_env_name_in_the_config_names_a_settings_field() -> None:
    config = matcher_config("AI_ENGINE_URL")
    assert resolve("{settings.ai_engine_url}/m", config=config).name == "matcher"


def test_an_env_name_listed_for_two_services_is_unknown() -> None:
    config = Config(
        services=(
            ServiceSpec("matcher", urls=("MATCH_URL",)),
            ServiceSpec("core-api", urls=("MATCH_URL",)),
        )
    )
    target = resolve("{MATCH_URL}/m", config=config)
    assert names(target) == (UNKNOWN, None, "")
    assert "core-api" in target.reason and "matcher" in target.reason


def test_a_url_prefix_in_the_config_the_longest_first() -> None:
    config = Config(
        services=(
            ServiceSpec("core-api", urls=("https://api.example.com",)),
            ServiceSpec("ai-engine", urls=("https://api.example.com/ai/",)),
        )
    )
    assert names(resolve("https://api.example.com/ai/match", config=config)) == (
        SERVICE,
        "ai-engine",
        "/ai/match",
    )
    assert resolve("https://API.example.com/ai", config=config).name == "ai-engine"
    # a prefix ends at a segment boundary
    assert resolve("https://api.example.com/aim", config=config).name == "core-api"
    assert resolve("https://api.example.com/quotes", config=config).name == "core-api"
    other = resolve("https://api.example.org/quotes", config=config)
    assert (other.kind, other.name) == (EXTERNAL, "api.example.org")


def test_a_host_in_the_config_with_and_without_a_port() -> None:
    config = matcher_config("matcher.internal", "m.internal:9000")
    # a host without a port covers every port
    assert resolve("http://matcher.internal/a", config=config).name == "matcher"
    assert resolve("http://matcher.internal:8080/a", config=config).name == "matcher"
    # a host with one covers that port only
    assert resolve("http://m.internal:9000/a", config=config).name == "matcher"
    assert resolve("http://m.internal:9001/a", config=config).kind == EXTERNAL
    assert resolve("http://m.internal/a", config=config).kind == EXTERNAL


def test_a_config_host_beats_the_service_named_like_it() -> None:
    config = matcher_config("ai-engine")
    assert resolve("http://ai-engine:8000/match", config=config).name == "matcher"


def test_a_default_listed_in_the_config_names_the_service() -> None:
    config = matcher_config("https://match.example.com/v1")
    defaults = (("this.baseUrl", "https://match.example.com/v1"),)
    target = resolve("{this.baseUrl}/score", defaults=defaults, config=config)
    assert names(target) == (SERVICE, "matcher", "/score")
    assert "defaults to https://match.example.com/v1" in target.reason


# --- defaults and values the repository sets ---------------------------------------------------


def test_a_default_beside_the_placeholder() -> None:
    defaults = (("this.baseUrl", "http://localhost:4000/"),)
    target = resolve(
        "{this.baseUrl}/quotes", defaults=defaults, listeners=[code_listener("core-api", 4000)]
    )
    assert names(target) == (SERVICE, "core-api", "/quotes")
    assert "`baseUrl` defaults to http://localhost:4000/" in target.reason
    assert "core-api listens on 4000" in target.reason


def test_an_env_name_of_a_service_beats_its_default() -> None:
    defaults = (("AI_ENGINE_URL", "http://localhost:4000"),)
    target = resolve(
        "{AI_ENGINE_URL}/m", defaults=defaults, listeners=[code_listener("core-api", 4000)]
    )
    assert target.name == "ai-engine"


def test_an_empty_default_is_a_relative_url() -> None:
    defaults = (("API_BASE", ""),)
    routes = [endpoint("web")]
    target = resolve("{API_BASE}/health", defaults=defaults, endpoints=routes)
    assert names(target) == (SERVICE, "web", "/health")
    target = resolve("{API_BASE}/api/quotes", defaults=defaults, rewrites=[core_rewrite()])
    assert names(target) == (SERVICE, "core-api", "/api/quotes")


def test_a_value_set_in_the_repository() -> None:
    target = resolve(
        "{SCORING_URL}/score",
        hosts=[HostName(None, COMPOSE, "scorer", "services/ai-engine")],
        settings=[setting("SCORING_URL", "http://scorer:8000", "services/core-api")],
    )
    assert names(target) == (SERVICE, "ai-engine", "/score")
    assert "`SCORING_URL` is set to http://scorer:8000 in .env.example:4" in target.reason


def test_the_callers_own_value_comes_first() -> None:
    settings = [
        setting("SCORING_URL", "http://ai-engine:8000", "services/core-api"),
        setting("SCORING_URL", "http://matcher:8000", "apps/web"),
    ]
    assert resolve("{SCORING_URL}/s", caller="web", settings=settings).name == "matcher"
    assert resolve("{SCORING_URL}/s", caller="core-api", settings=settings).name == "ai-engine"
    # a third unit sees two values: which one is not known
    assert resolve("{SCORING_URL}/s", caller="matcher", settings=settings).kind == UNKNOWN


def test_one_value_set_twice_is_one_value() -> None:
    settings = [
        setting("SCORING_URL", "http://ai-engine:8000", "services/core-api"),
        setting("SCORING_URL", "http://ai-engine:8000/", "apps/web"),
    ]
    assert resolve("{SCORING_URL}/s", caller="matcher", settings=settings).name == "ai-engine"


def test_two_values_are_not_reported_as_set_outside_the_repository() -> None:
    settings = [
        setting("SCORING_URL", "http://ai-engine:8000", "services/core-api"),
        setting("SCORING_URL", "http://matcher:8000", "apps/web"),
    ]
    target = resolve("{SCORING_URL}/s", caller="ai-engine", settings=settings)
    assert target.kind == UNKNOWN
    assert "outside the repository" not in target.reason


# --- absolute URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "system", "path"),
    [
        ("https://api.stripe.com/v1/charges", "stripe", "/v1/charges"),
        ("https://api.openai.com/v1/chat/completions", "openai", "/v1/chat/completions"),
        ("https://hooks.slack.com/services/T0/B0/x", "slack", "/services/T0/B0/x"),
        (
            "https://abcd.supabase.co/rest/v1/quotes?select=*",
            "supabase",
            "/rest/v1/quotes?select=*",
        ),
        ("https://my-bucket.s3.amazonaws.com/key", "aws", "/key"),
        ("https://www.example.com/a", "example.com", "/a"),
        ("https://partner.example.com/a", "partner.example.com", "/a"),
        ("http://db:5432/x", "db", "/x"),
    ],
)
def test_hosts_outside_are_external(url: str, system: str, path: str) -> None:
    target = resolve(url)
    assert names(target) == (EXTERNAL, system, path)


def test_a_host_known_only_at_run_time_is_unknown() -> None:
    target = resolve("https://{API_HOST}/quotes")
    assert names(target) == (UNKNOWN, None, "")
    assert "not known before run time" in target.reason


def test_a_host_that_is_a_services_name() -> None:
    assert names(resolve("http://ai-engine:8000/match")) == (SERVICE, "ai-engine", "/match")
    assert names(resolve("http://ai_engine/match")) == (SERVICE, "ai-engine", "/match")
    assert names(resolve("http://user:pw@ai-engine:8000/m")) == (SERVICE, "ai-engine", "/m")
    # a dotted host is not a bare service name
    assert resolve("http://ai-engine.example.com/match").kind == EXTERNAL


def test_compose_host_names() -> None:
    hosts = [
        HostName(None, COMPOSE, "ai", "services/ai-engine"),
        HostName(None, COMPOSE, "db", "infra/postgres"),  # a unit of no service
    ]
    target = resolve("http://ai:8000/match", hosts=hosts)
    assert names(target) == (SERVICE, "ai-engine", "/match")
    assert "host name of a deployed service" in target.reason
    # a cluster-qualified name is the same host
    assert resolve("http://ai.default.svc.cluster.local/match", hosts=hosts).name == "ai-engine"
    assert resolve("http://db:5432/x", hosts=hosts).kind == EXTERNAL


# --- localhost ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1", "0.0.0.0", "host.docker.internal", "[::1]", "LOCALHOST"]
)
def test_a_local_port_is_the_service_listening_on_it(host: str) -> None:
    target = resolve(f"http://{host}:4000/quotes", listeners=[code_listener("core-api", 4000)])
    assert names(target) == (SERVICE, "core-api", "/quotes")
    assert "core-api listens on 4000" in target.reason


def test_a_deploy_listener_is_the_service_owning_its_context() -> None:
    services = infer_services(
        [
            "package.json",
            "docker-compose.yml",
            "services/ai-engine/requirements.txt",
            "services/ai-engine/app/main.py",
            "services/core-api/package.json",
        ],
        lambda path: None,
    )
    listeners = [
        # said by the root's compose file, about the unit built from services/ai-engine
        Listener("root", COMPOSE, 8001, "compose", "services/ai-engine"),
        Listener(
            None,
            Location("services/core-api/Dockerfile", 9, 9),
            4000,
            "dockerfile",
            "services/core-api",
        ),
    ]
    found = Directory(services, Config(), (), (), listeners, (), ())
    assert names(found.resolve("web", "http://localhost:8001/m", ())) == (
        SERVICE,
        "ai-engine",
        "/m",
    )
    assert found.resolve("web", "http://localhost:4000/q", ()).name == "core-api"


def test_a_code_listener_uses_its_service_not_its_context() -> None:
    listener = Listener(
        "ai-engine", Location("services/ai-engine/main.py", 1, 1), 8001, "code", "apps/web"
    )
    assert resolve("http://localhost:8001/m", listeners=[listener]).name == "ai-engine"
    nobody = Listener(None, Location("scripts/dev.py", 1, 1), 8002, "code", "")
    assert resolve("http://localhost:8002/m", listeners=[nobody]).kind == UNKNOWN


def test_a_listener_of_a_unit_outside_every_service_is_ignored() -> None:
    target = resolve("http://localhost:9999/x", listeners=[deploy_listener("infra/proxy", 9999)])
    assert names(target) == (UNKNOWN, None, "")
    assert "port 9999" in target.reason


def test_nothing_listening_is_unknown_with_the_port() -> None:
    target = resolve("http://localhost:8000/x", listeners=[code_listener("core-api", 4000)])
    assert names(target) == (UNKNOWN, None, "")
    assert "nothing in the repository listens on port 8000" in target.reason


def test_localhost_without_a_port_is_unknown() -> None:
    target = resolve("http://localhost/x", listeners=[code_listener("core-api", 80)])
    assert target.kind == UNKNOWN
    assert "without a port" in target.reason


def test_two_services_on_one_port_are_unknown() -> None:
    listeners = [
        deploy_listener("services/matcher", 8002),
        deploy_listener("services/ai-engine", 8002),
    ]
    target = resolve("http://localhost:8002/x", listeners=listeners)
    assert names(target) == (UNKNOWN, None, "")
    assert "ai-engine" in target.reason and "matcher" in target.reason


def test_two_services_on_one_port_are_named_once() -> None:
    listeners = [
        deploy_listener("services/matcher", 8002),
        deploy_listener("services/ai-engine", 8002),
    ]
    target = resolve("http://localhost:8002/x", listeners=listeners)
    assert target.reason.count("matcher") == 1


# --- relative URLs -----------------------------------------------------------------------------


def test_a_relative_url_from_a_frontend_with_its_own_routes_stays_in_it() -> None:
    target = resolve("/api/health", endpoints=[endpoint("web", "/api/health")])
    assert names(target) == (SERVICE, "web", "/api/health")
    assert "own app" in target.reason


def test_a_relative_url_from_a_javascript_app_with_its_own_routes() -> None:
    spa = Service("spa", "apps/spa", ("javascript",))
    target = resolve(
        "/api/health", "spa", services=(spa,), endpoints=[endpoint("spa", "/api/health")]
    )
    assert names(target) == (SERVICE, "spa", "/api/health")


def test_a_relative_url_a_rewrite_forwards() -> None:
    target = resolve("/api/quotes/42?full=1", rewrites=[core_rewrite()])
    assert names(target) == (SERVICE, "core-api", "/api/quotes/42")
    assert target.reason.startswith("rewritten by apps/web/next.config.js:7; ")


def test_a_rewrite_to_a_default_origin() -> None:
    # no service is named like CORE_API_URL here: its default decides
    backend = Service("backend", "services/backend", ("python",))
    rewrites = [core_rewrite("http://localhost:4000")]
    listeners = [deploy_listener("services/backend", 4000)]
    target = resolve("/api/quotes", services=(WEB, backend), rewrites=rewrites, listeners=listeners)
    assert names(target) == (SERVICE, "backend", "/api/quotes")
    assert "`CORE_API_URL` defaults to http://localhost:4000" in target.reason
    nobody = resolve("/api/quotes", services=(WEB, backend), rewrites=rewrites)
    assert nobody.kind == UNKNOWN
    assert "port 4000" in nobody.reason


def test_a_rewrite_carries_parameters_over() -> None:
    rewrites = [
        Rewrite("web", NEXT_CONFIG, "/v/{id}/detail", "http://core-api:4000/items/{id}"),
        Rewrite("web", NEXT_CONFIG, "/pay/{path}", "https://api.stripe.com/{path}"),
    ]
    assert names(resolve("/v/42/detail", rewrites=rewrites)) == (SERVICE, "core-api", "/items/42")
    assert resolve("/v/${id}/detail", rewrites=rewrites).path == "/items/{id}"
    assert names(resolve("/pay/v1/charges", rewrites=rewrites)) == (
        EXTERNAL,
        "stripe",
        "/v1/charges",
    )


def test_a_rewrite_that_does_not_apply_leaves_the_call_alone() -> None:
    target = resolve("/other/x", rewrites=[core_rewrite()])
    assert target.kind == UNKNOWN
    assert "web serves no routes and no rewrite or proxy forwards it" in target.reason


def test_a_rewrite_loop_ends() -> None:
    loop = Rewrite("web", NEXT_CONFIG, "/loop/{path}", "/loop/{path}")
    assert resolve("/loop/a", rewrites=[loop]).kind == UNKNOWN


def test_a_relative_url_from_a_server_is_unknown() -> None:
    target = resolve("/api/quotes", caller="ai-engine")
    assert names(target) == (UNKNOWN, None, "")
    assert "from a server has no host" in target.reason


def test_a_path_of_placeholders_only_is_unknown() -> None:
    target = resolve("/{resource}/{id}", endpoints=[endpoint("web")], rewrites=[core_rewrite()])
    assert names(target) == (UNKNOWN, None, "")
    assert "not known before run time" in target.reason


def test_a_url_that_is_neither_absolute_nor_relative_is_unknown() -> None:
    target = resolve("quotes/42")
    assert target.kind == UNKNOWN
    assert "not known before run time" in target.reason
