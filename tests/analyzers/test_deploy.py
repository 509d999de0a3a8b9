"""Deployment files: where each unit listens, the host names it is reached by, its settings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from textwrap import dedent
from typing import ClassVar

import pytest

from analyzers.config import Config
from analyzers.context import FactSet, ReviewContext
from analyzers.deploy import DeployExtractor
from analyzers.deploy.commands import command_ports
from analyzers.deploy.package_json import SERVING
from analyzers.deploy.values import expand, join_folder, shareable
from analyzers.engine import ReviewRequest, review
from analyzers.extract import SourceFile, UnparsableSource
from analyzers.facts import (
    EnvSetting,
    Fact,
    Family,
    Finding,
    HostName,
    Listener,
    Location,
    Severity,
)
from analyzers.paths import CONFIG_LANGUAGES, DEPLOY, deploy_kind, is_vendored, language_of
from analyzers.rules.base import Rule, Scope
from analyzers.services import resolve_services
from analyzers.snapshot import MemorySnapshot
from tests.analyzers.javascript.node_corpus import installed_corpus


def facts(path: str, text: str, service: str | None = "svc") -> list[Fact]:
    source = SourceFile(path, service, DEPLOY, dedent(text).lstrip("\n"))
    return list(DeployExtractor().extract(source))


def at(path: str, line: int, end: int | None = None) -> Location:
    return Location(path, line, end if end is not None else line)


# --- file names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("Dockerfile", "dockerfile"),
        ("services/api/Dockerfile", "dockerfile"),
        ("services/api/Dockerfile.dev", "dockerfile"),
        ("docker/api.Dockerfile", "dockerfile"),
        ("Dockerfile-prod", "dockerfile"),
        ("docker-compose.yml", "compose"),
        ("deploy/docker-compose.override.yaml", "compose"),
        ("docker-compose-dev.yml", "compose"),
        ("compose.yaml", "compose"),
        ("Procfile", "procfile"),
        ("Procfile.dev", "procfile"),
        ("apps/web/package.json", "package.json"),
        (".env", "env"),
        ("services/api/.env.example", "env"),
        (".env.local.example", "env"),
        ("Dockerfile.dockerignore", None),
        ("package-lock.json", None),
        ("docker-compose.yml.j2", None),
        (".envrc", None),
        ("compose.py", None),
    ],
)
def test_deployment_files_by_name(path: str, kind: str | None) -> None:
    assert deploy_kind(path) == kind
    if kind is not None:
        assert language_of(path) == DEPLOY


def test_deploy_is_a_configuration_language_never_a_service_language() -> None:
    assert DEPLOY in CONFIG_LANGUAGES
    assert language_of("src/.env.ts") == "typescript"  # a code file first, whatever its name
    assert is_vendored("node_modules/next/package.json")
    assert is_vendored("web/node_modules/.bin/Dockerfile")
    paths = [
        "services/api/package.json",
        "services/api/Dockerfile",
        "services/api/src/index.ts",
        "services/engine/requirements.txt",
        "services/engine/.env.example",
        "services/engine/app/main.py",
        "docker-compose.yml",
    ]
    manifests = {"services/api/package.json": b'{"name": "api", "scripts": {"dev": "x"}}'}
    services = resolve_services(Config(), paths, manifests.get).services
    assert {(s.name, s.root, s.languages) for s in services} == {
        ("api", "services/api", ("typescript",)),
        ("engine", "services/engine", ("python",)),
    }


def test_test_stacks_and_fixtures_are_not_the_deployment() -> None:
    compose = "services:\n  api:\n    build: ../services/api\n    ports: ['4001:4000']\n"
    assert facts("e2e/docker-compose.yml", compose) == []
    assert facts("tests/fixtures/shop/Dockerfile", "FROM node\nEXPOSE 4000\n") == []
    assert facts("services/api/__mocks__/.env", "PORT=4000\n") == []
    assert facts("services/api/.env.test", "PORT=4000\n") != []  # a file, not a test folder


# --- Dockerfile -------------------------------------------------------------------------------

DOCKERFILE = """
# syntax=docker/dockerfile:1.7
ARG PYTHON_VERSION=3.12
ARG APP_PORT=8000

FROM python:${PYTHON_VERSION}-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1
WORKDIR /srv

FROM base AS build
COPY requirements.txt .
RUN pip install --prefix=/install -r requirements.txt
RUN <<EOF
echo "EXPOSE 9999" > /tmp/not-an-instruction
EOF

FROM base AS runtime
ARG APP_PORT
ENV OPENAI_API_KEY=sk-live-abc123 \\
    AI_ENGINE_URL=http://ai-engine:8000/api/v1 \\
    DATABASE_URL=postgres://app:hunter2@db:5432/app
COPY --from=build /install /usr/local
COPY app ./app
EXPOSE ${APP_PORT}
HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1
# the server, two workers
CMD ["gunicorn", "app.main:app", "-k", "uvicorn.workers.UvicornWorker", \\
     "--bind", "0.0.0.0:8000", "--workers", "2"]

FROM runtime AS dev
ENV PORT 8001
CMD uvicorn app.main:app --reload --host 0.0.0.0 --port ${PORT:-8001}
"""


def test_multi_stage_dockerfile() -> None:
    path = "services/ai-engine/Dockerfile"
    found = facts(path, DOCKERFILE, "ai-engine")
    unit = "services/ai-engine"
    assert found == [
        EnvSetting(
            "ai-engine", at(path, 19, 21), "AI_ENGINE_URL", "http://ai-engine:8000/api/v1", unit
        ),
        # Never the password: the URL keeps its host, port and path only.
        EnvSetting("ai-engine", at(path, 19, 21), "DATABASE_URL", "postgres://db:5432/app", unit),
        # `EXPOSE ${APP_PORT}`: the global ARG's default; the CMD's --bind says 8000 again.
        Listener("ai-engine", at(path, 24), 8000, "dockerfile", unit),
        EnvSetting("ai-engine", at(path, 31), "PORT", "8001", unit),
        Listener("ai-engine", at(path, 31), 8001, "dockerfile", unit),
    ]
    assert "sk-live" not in repr(found) and "hunter2" not in repr(found)
    assert not any(isinstance(f, Listener) and f.port == 9999 for f in found)  # a heredoc body


@pytest.mark.parametrize(
    ("instructions", "ports"),
    [
        ('CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "80"]', [80]),
        ('CMD ["sh", "-c", "uvicorn main:app --port ${PORT:-8080}"]', [8080]),
        ("CMD gunicorn -w 4 -b :5000 wsgi:app", [5000]),
        ('CMD ["hypercorn", "app:app", "--bind", "[::]:7000"]', [7000]),
        ("CMD exec gunicorn --bind 0.0.0.0:$PORT app:app", []),  # the platform's port
        ('ENV PORT=3000\nCMD ["node", "server.js"]', [3000]),
        ("ENV NODE_ENV=production PORT=4000", [4000]),
        ('ENTRYPOINT ["uvicorn", "app:app"]\nCMD ["--port", "8002"]', [8002]),
        ('ENTRYPOINT ["./entrypoint.sh"]\nCMD ["npm", "start"]', []),
        ("EXPOSE 80/tcp 443 8125/udp", [80, 443, 8125]),
        ("EXPOSE 3000-3005", []),  # a range is no one port
        ('CMD ["next", "start", "-p", "3001"]', [3001]),
        ('CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]', [8000]),
        ('CMD ["node", "-p", "42"]', []),  # node's -p prints
    ],
)
def test_dockerfile_ports(instructions: str, ports: list[int]) -> None:
    found = facts("Dockerfile", "FROM python:3.12-slim\n" + instructions + "\n")
    assert [f.port for f in found if isinstance(f, Listener)] == ports
    assert all(isinstance(f, Listener | EnvSetting) and f.context == "" for f in found)


def test_broken_dockerfiles_give_what_they_can() -> None:
    # Docker runs an exec form that is not JSON as a shell command, which fails: no port.
    assert facts("Dockerfile", 'FROM x\nCMD ["uvicorn", "--port", "81"\nEXPOSE 82\n') == [
        Listener("svc", at("Dockerfile", 3), 82, "dockerfile", "")
    ]
    assert facts("Dockerfile", "EXPOSE\nENV\nCMD\nFROM\n\\\n") == []
    assert facts("Dockerfile", "") == []


# --- docker-compose ---------------------------------------------------------------------------

COMPOSE = """
# Local stack: docker compose -f deploy/docker-compose.yml up
x-python-env: &python-env
  PYTHONUNBUFFERED: "1"
  LOG_LEVEL: info

services:
  web:
    build: ../apps/web
    ports:
      - "3000:3000"
    environment:
      - NEXT_PUBLIC_API_URL=http://localhost:4000
      - CORE_API_URL=http://core-api:4000
      - NEXTAUTH_SECRET=changeme-in-prod
    env_file: ../apps/web/.env.local
    depends_on: [core-api]

  core-api:
    build:
      context: ../services/core-api
      dockerfile: Dockerfile.dev
    container_name: marketplace-core-api
    ports:
      - "127.0.0.1:4400:4000/tcp"
    environment:
      PORT: "4000"
      AI_ENGINE_URL: ${AI_ENGINE_URL:-http://ai-engine:8000}
      STRIPE_SECRET_KEY: sk_test_51Hxyz
      REDIS_URL: redis://:s3cret@redis:6379/0
    networks:
      backend:
        aliases:
          - api.internal

  ai-engine:
    build:
      context: ../services/ai-engine
    hostname: ai
    expose:
      - "8000"
    environment:
      <<: *python-env
      OPENAI_API_KEY: ${OPENAI_API_KEY}
    command: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]

  worker:
    build: ../services/ai-engine
    command: celery -A app.worker worker --loglevel=info
    environment:
      <<: *python-env

  sftp:
    build: ../tools/sftp
    ports:
      - 2222:22

  redis:
    image: redis:7-alpine
    ports: ["6379:6379"]

networks:
  backend: {}
"""


def test_compose_services_built_from_the_repository() -> None:
    path = "deploy/docker-compose.yml"
    web, api, engine, sftp = "apps/web", "services/core-api", "services/ai-engine", "tools/sftp"
    assert facts(path, COMPOSE, None) == [
        EnvSetting(None, at(path, 12), "NEXT_PUBLIC_API_URL", "http://localhost:4000", web),
        EnvSetting(None, at(path, 13), "CORE_API_URL", "http://core-api:4000", web),
        Listener(None, at(path, 10), 3000, "compose", web),
        HostName(None, at(path, 7), "web", web, 3000),
        EnvSetting(None, at(path, 26), "PORT", "4000", api),
        EnvSetting(None, at(path, 27), "AI_ENGINE_URL", "http://ai-engine:8000", api),
        EnvSetting(None, at(path, 29), "REDIS_URL", "redis://redis:6379/0", api),
        Listener(None, at(path, 24), 4000, "compose", api),
        # Published on the host: `http://localhost:4400` reaches the same container.
        Listener(None, at(path, 24), 4400, "compose", api),
        HostName(None, at(path, 18), "core-api", api, 4000),
        HostName(None, at(path, 22), "marketplace-core-api", api, 4000),
        HostName(None, at(path, 33), "api.internal", api, 4000),
        Listener(None, at(path, 40), 8000, "compose", engine),
        HostName(None, at(path, 35), "ai-engine", engine, 8000),
        HostName(None, at(path, 38), "ai", engine, 8000),
        HostName(None, at(path, 46), "worker", engine, None),
        # `2222:22` unquoted: a port mapping, not YAML 1.1's sexagesimal 133342.
        Listener(None, at(path, 55), 22, "compose", sftp),
        Listener(None, at(path, 55), 2222, "compose", sftp),
        HostName(None, at(path, 52), "sftp", sftp, 22),
    ]


def test_compose_never_keeps_a_secret_and_skips_image_only_services() -> None:
    found = facts("deploy/docker-compose.yml", COMPOSE)
    text = repr(found)
    for secret in ("changeme-in-prod", "sk_test_51Hxyz", "s3cret", "OPENAI_API_KEY", ".env.local"):
        assert secret not in text
    # redis is an image: no folder of the repository is its unit.
    assert not any(getattr(f, "host", None) == "redis" for f in found)
    assert not any(isinstance(f, Listener) and f.port == 6379 for f in found)


def test_compose_ports_in_the_command_and_long_syntax() -> None:
    found = facts(
        "compose.yaml",
        """
        services:
          api:
            build: {context: ., dockerfile: docker/api.Dockerfile}
            command: sh -c "alembic upgrade head && gunicorn -b 0.0.0.0:9000 app:app"
          web:
            build:
              dockerfile: Dockerfile.web
            ports:
              - target: 80
                published: "8080"
                protocol: tcp
            environment:
              API_BASE_URL: http://api:9000/v1
        """,
    )
    assert found == [
        Listener("svc", at("compose.yaml", 4), 9000, "compose", ""),
        HostName("svc", at("compose.yaml", 2), "api", "", 9000),
        EnvSetting("svc", at("compose.yaml", 13), "API_BASE_URL", "http://api:9000/v1", ""),
        Listener("svc", at("compose.yaml", 9), 80, "compose", ""),
        Listener("svc", at("compose.yaml", 9), 8080, "compose", ""),
        HostName("svc", at("compose.yaml", 5), "web", "", 80),
    ]


def test_compose_merge_keys() -> None:
    path = "docker-compose.yml"
    found = facts(
        path,
        """
        x-common: &common
          environment:
            OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector:4318
          expose: ["9000"]
        services:
          api:
            <<: *common
            build: ./api
          worker:
            <<: *common
            build: ./api
            expose: ["9100"]
        """,
    )
    assert found == [
        EnvSetting(
            "svc", at(path, 3), "OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector:4318", "api"
        ),
        Listener("svc", at(path, 4), 9000, "compose", "api"),
        HostName("svc", at(path, 6), "api", "api", 9000),
        Listener("svc", at(path, 12), 9100, "compose", "api"),
        HostName("svc", at(path, 9), "worker", "api", 9100),
    ]


def test_compose_file_format_1_and_contexts_outside_the_repository() -> None:
    found = facts(
        "docker-compose.yml",
        """
        api:
          build: ./api
          ports: ["5000:5000"]
        outside:
          build: ../../elsewhere
          ports: ["5001:5001"]
        remote:
          build: https://github.com/org/repo.git#main
        """,
    )
    assert found == [
        Listener("svc", at("docker-compose.yml", 3), 5000, "compose", "api"),
        HostName("svc", at("docker-compose.yml", 1), "api", "api", 5000),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "services:\n  web:\n    build: .\n   ports: [1\n",
        "services: [\n",
        "\tservices:\n",
        "a: 1\n---\nb: 2\n",
    ],
)
def test_malformed_compose_is_unparsable_with_a_one_line_reason(text: str) -> None:
    with pytest.raises(UnparsableSource) as raised:
        DeployExtractor().extract(SourceFile("docker-compose.yml", None, DEPLOY, text))
    reason = str(raised.value)
    assert reason.startswith("invalid YAML: ") and "\n" not in reason and " line " in reason


@pytest.mark.parametrize(
    "text",
    [
        "",
        "- 1\n- 2\n",
        "services:\n",
        "services: 3\n",
        "services:\n  a: [1]\n  b:\n    build: [x]\n    ports: {a: 1}\n    environment: 5\n",
        "services:\n  a:\n    build: .\n    ports: [null, [1], '65536', 'x:y', '80-81:80-81']\n",
        "x: &a\n  <<: *a\nservices:\n  a:\n    <<: *a\n    build: .\n",
    ],
)
def test_odd_compose_files_give_no_crash(text: str) -> None:
    found = DeployExtractor().extract(SourceFile("docker-compose.yml", None, DEPLOY, text))
    assert all(not isinstance(f, Listener) for f in found)


# --- Procfile ---------------------------------------------------------------------------------


def test_procfile() -> None:
    found = facts(
        "Procfile",
        """
        # Heroku
        web: gunicorn --bind 0.0.0.0:$PORT app.wsgi:application
        api: cd services/api && uvicorn main:app --host 0.0.0.0 --port ${PORT:-5000}
        worker: celery -A app worker
        release: python manage.py migrate
        admin: python manage.py runserver 0.0.0.0:8010
        """,
    )
    assert found == [
        Listener("svc", at("Procfile", 3), 5000, "procfile", "services/api"),
        Listener("svc", at("Procfile", 6), 8010, "procfile", ""),
    ]
    assert facts("web/Procfile.dev", "web: next dev -p 3001\n") == [
        Listener("svc", at("web/Procfile.dev", 1), 3001, "procfile", "web")
    ]


# --- package.json -----------------------------------------------------------------------------

PACKAGE_JSON = """
{
  "name": "@acme/web",
  "private": true,
  "scripts": {
    "dev": "next dev --turbo -p 3001",
    "build": "next build",
    "start": "next start --port 3001",
    "start:api": "cd ../api && PORT=4000 node dist/index.js",
    "dev:engine": "pnpm --filter ai-engine dev -- --port 8000",
    "preview": "vite preview --port 4173",
    "serve": "uvicorn main:app --reload --port 8008",
    "start:nest": "nest start",
    "test": "PORT=5999 jest",
    "e2e": "playwright test --port 9999"
  },
  "dependencies": {"next": "14.2.3"}
}
"""


def test_package_json_scripts() -> None:
    path = "apps/web/package.json"
    assert facts(path, PACKAGE_JSON, "web") == [
        Listener("web", at(path, 5), 3001, "package.json", "apps/web"),
        Listener("web", at(path, 8), 4000, "package.json", "apps/api"),
        Listener("web", at(path, 10), 4173, "package.json", "apps/web"),
        Listener("web", at(path, 11), 8008, "package.json", "apps/web"),
    ]


def test_package_json_without_scripts_and_broken() -> None:
    assert facts("package.json", '{"name": "x", "main": "index.js"}') == []
    assert facts("package.json", '{"name": "x", "scripts": ["start"]}') == []
    assert facts("package.json", '{"name": "x"') == []  # no scripts: never parsed
    with pytest.raises(UnparsableSource, match=r"^invalid JSON: "):
        facts("package.json", '{"scripts": {"start": "next start -p 1",}}')


def test_service_inference_still_reads_package_json_as_a_manifest() -> None:
    head = MemorySnapshot(
        {
            "package.json": '{"name": "@acme/shop", "scripts": {"dev": "next dev -p 3000"}}',
            "services/api/package.json": '{"name": "api"}',
            "services/api/src/index.ts": "export const x = 1;\n",
        }
    )
    result = review(ReviewRequest(head=head), rules=())
    assert [(s.name, s.root) for s in result.services] == [
        ("acme-shop", ""),
        ("api", "services/api"),
    ]


# --- dotenv -----------------------------------------------------------------------------------

ENV_EXAMPLE = """
# Copy to .env and fill in.
PORT=4000
export CORE_API_URL="http://localhost:4000/api"
AI_ENGINE_URL='http://ai-engine:8000'  # inside compose
NEXT_PUBLIC_SUPABASE_URL=https://abcdxyz.supabase.co
SUPABASE_SERVICE_ROLE_KEY=eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.c2lnbmF0dXJl
STRIPE_SECRET_KEY=sk_test_4eC39HqLyjWDarjtT1zdp7dc
DATABASE_URL=postgresql://postgres:postgres-pw@localhost:54322/postgres
SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T000/B000/XXXXSECRET
REDIS_HOST_PORT=redis:6379
PASSPORT_SECRET=123456
JWT_PRIVATE_KEY="-----BEGIN PRIVATE KEY-----
LEAKED_URL=http://inside.the.key/not-a-setting
-----END PRIVATE KEY-----"
SMTP_PORT=587
  # DEBUG_URL=http://localhost:9229
EMPTY=
"""


def test_env_example_keeps_urls_and_ports_and_nothing_else() -> None:
    path = "services/core-api/.env.example"
    unit = "services/core-api"
    found = facts(path, ENV_EXAMPLE, "core-api")
    assert found == [
        EnvSetting("core-api", at(path, 2), "PORT", "4000", unit),
        Listener("core-api", at(path, 2), 4000, "env", unit),
        EnvSetting("core-api", at(path, 3), "CORE_API_URL", "http://localhost:4000/api", unit),
        EnvSetting("core-api", at(path, 4), "AI_ENGINE_URL", "http://ai-engine:8000", unit),
        # A public host keeps its origin only: its path may be the secret (a Slack webhook).
        EnvSetting(
            "core-api", at(path, 5), "NEXT_PUBLIC_SUPABASE_URL", "https://abcdxyz.supabase.co", unit
        ),
        EnvSetting(
            "core-api", at(path, 8), "DATABASE_URL", "postgresql://localhost:54322/postgres", unit
        ),
        EnvSetting("core-api", at(path, 9), "SLACK_WEBHOOK_URL", "https://hooks.slack.com", unit),
        EnvSetting("core-api", at(path, 10), "REDIS_HOST_PORT", "redis:6379", unit),
        EnvSetting("core-api", at(path, 15), "SMTP_PORT", "587", unit),
    ]
    text = repr(found)
    for secret in ("eyJ", "sk_test", "postgres-pw", "XXXXSECRET", "123456", "PRIVATE", "inside"):
        assert secret not in text


# --- values and command lines -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "kept"),
    [
        (
            "API_URL",
            "https://user:pw@api.example.com:8443/v1?key=abc#x",
            "https://api.example.com:8443",
        ),
        ("API_URL", "http://10.0.0.5:8000/v1?token=abc", "http://10.0.0.5:8000/v1"),
        ("API_URL", "http://svc.internal/api", "http://svc.internal/api"),
        ("API_URL", "http://[::1]:3000/x", "http://[::1]:3000/x"),
        (
            "MONGO",
            "mongodb+srv://u:p@cluster0.mongodb.net/db",
            "mongodb+srv://cluster0.mongodb.net",
        ),
        ("BROKER", "amqp://guest:guest@rabbitmq:5672//", "amqp://rabbitmq:5672//"),
        ("HOST", "localhost:5432", "localhost:5432"),
        ("API_PORT", "8080", "8080"),
        ("PORT", "99999", None),
        ("PASSPORT_SECRET", "1234", None),
        ("SUPPORT_PORTAL", "42", None),
        ("API_KEY", "sk-123", None),
        ("TOKEN", "abc:123", None),
        ("URL", "http://", None),
    ],
)
def test_shareable_values(name: str, value: str, kept: str | None) -> None:
    assert shareable(name, value) == kept


def test_expand_and_join_folder() -> None:
    assert expand("${PORT:-8000}", {}) == "8000"
    assert expand("${PORT:-8000}", {"PORT": ""}) == "8000"
    assert expand("${PORT-8000}", {"PORT": ""}) == ""
    assert expand("$PORT/${HOST}", {"PORT": "1"}) == "1/${HOST}"
    assert join_folder("deploy", "../api") == "api"
    assert join_folder("", ".") == ""
    assert join_folder("a", "../../b") is None
    assert join_folder("", "/abs") is None


@pytest.mark.parametrize(
    ("command", "found"),
    [
        ("uvicorn app.main:app --host 0.0.0.0 --port 8000", [(8000, "")]),
        ("uvicorn app.main:app --port=${PORT:-8001}", [(8001, "")]),
        ("uvicorn app.main:app --port $PORT", []),
        ("gunicorn -w 4 -p /tmp/app.pid -b 0.0.0.0:8000 app:app", [(8000, "")]),
        ("gunicorn --bind unix:/run/app.sock app:app", []),
        ("PORT=4000 node dist/index.js", [(4000, "")]),
        ("cross-env NODE_ENV=production PORT=4001 node dist/index.js", [(4001, "")]),
        ("export PORT=4100 && node server.js", [(4100, "")]),
        ("DB_PORT=5432 node server.js", []),
        ("next dev -p 3001", [(3001, "")]),
        ("next dev", []),
        ("vite --port 5173 --strictPort", [(5173, "")]),
        ("nest start --watch", []),
        ("npm run dev -- -p 3005", [(3005, "")]),
        ("npm run serve", []),  # a script named serve, not the `serve` program
        ("pnpm exec next start -p 3006", [(3006, "")]),
        ("npm --prefix api start -- --port 9100", [(9100, "api")]),
        ("pnpm --filter api dev -- --port 9101", [(9101, None)]),
        ("cd services/api && flask run -p 5000", [(5000, "services/api")]),
        ("cd $APP_DIR && flask run -p 5000", [(5000, None)]),
        (
            'concurrently "cd api && uvicorn main:app --port 8011" "next dev -p 3011"',
            [(8011, "api"), (3011, "")],
        ),
        ("python -m http.server 8080", [(8080, "")]),
        ("python -m gunicorn -b :8030 app:app", [(8030, "")]),
        ("python manage.py runserver", []),
        ("python manage.py migrate && python manage.py runserver [::]:8020", [(8020, "")]),
        ("streamlit run app.py --server.port=8501", [(8501, "")]),
        ("serve -s build -l tcp://0.0.0.0:3000", [(3000, "")]),
        ("wait-for-it db:5432 -- daphne -b 0.0.0.0 -p 8001 proj.asgi:application", [(8001, "")]),
        ("uvicorn 'unclosed --port 1", [(1, "")]),
        ("", []),
    ],
)
def test_command_ports(command: str, found: list[tuple[int, str | None]]) -> None:
    assert [(p.port, p.folder) for p in command_ports(command)] == found


# --- the engine -------------------------------------------------------------------------------


class _HeadFacts(Rule):
    """Keeps the head facts a review computed, for the test to read."""

    code = "FLOW998"
    name = "head-facts"
    family = Family.GOVERNANCE
    severity = Severity.INFO
    scope = Scope.CHANGE
    seen: ClassVar[list[FactSet]] = []

    def check(self, ctx: ReviewContext) -> Iterator[Finding]:
        type(self).seen.append(ctx.head)
        return iter(())


def test_the_engine_reads_deployment_files_into_the_head_facts() -> None:
    tree = {
        "docker-compose.yml": "services:\n  api:\n    build: ./services/api\n    ports: ['4000']\n",
        "services/api/package.json": '{"name": "api", "scripts": {"dev": "PORT=4000 tsx src"}}',
        "services/api/Dockerfile": 'FROM node:20\nEXPOSE 4000\nCMD ["node", "dist/index.js"]\n',
        "services/api/src/index.ts": "import express from 'express';\nexpress().listen(4000);\n",
        "services/engine/requirements.txt": "fastapi\n",
        "services/engine/.env.example": "PORT=8000\nOPENAI_API_KEY=sk-secret\n",
        "services/engine/main.py": 'import uvicorn\nuvicorn.run("main:app", port=8000)\n',
        "node_modules/x/package.json": '{"scripts": {"start": "next start -p 1"}}',
    }
    _HeadFacts.seen.clear()
    review(ReviewRequest(head=MemorySnapshot(tree)), rules=(_HeadFacts,))
    head = _HeadFacts.seen[0]
    listeners = {
        (f.location.path, f.service, f.port, f.source, f.context) for f in head.of_type(Listener)
    }
    assert listeners == {
        ("docker-compose.yml", None, 4000, "compose", "services/api"),
        ("services/api/package.json", "api", 4000, "package.json", "services/api"),
        ("services/api/Dockerfile", "api", 4000, "dockerfile", "services/api"),
        ("services/api/src/index.ts", "api", 4000, "code", ""),
        ("services/engine/.env.example", "engine", 8000, "env", "services/engine"),
        ("services/engine/main.py", "engine", 8000, "code", ""),
    }
    assert [(h.host, h.context, h.port) for h in head.of_type(HostName)] == [
        ("api", "services/api", 4000)
    ]
    assert [(s.name, s.value) for s in head.of_type(EnvSetting)] == [("PORT", "8000")]


# --- real files no one here wrote -------------------------------------------------------------


def test_every_package_json_of_the_node_corpus() -> None:
    """The package.json files of a pinned npm tree: published packages, their real scripts.

    None of their start/dev scripts fixes a port (checked by hand: `rollup -c -w`,
    `node ./sandbox/server.js`, `npx --yes serve test/coverage`, ...), and their hundreds of
    test and build scripts (`mocha --reporter spec`, `nyc --reporter=lcov npm test`) name no
    server: every port found would be a false one.
    """
    root = installed_corpus()
    manifests = sorted(p for p in root.rglob("package.json") if p.is_file() and not p.is_symlink())
    with_scripts = serving = commands = 0
    found: list[Fact] = []
    for manifest in manifests:
        text = manifest.read_text("utf-8")
        path = f"nm/{manifest.relative_to(root).as_posix()}"
        found += DeployExtractor().extract(SourceFile(path, "nm", DEPLOY, text))
        scripts = json.loads(text).get("scripts")
        if not isinstance(scripts, dict):
            continue
        with_scripts += 1
        for name, command in scripts.items():
            commands += 1
            serving += bool(SERVING.match(name))
            for port in command_ports(str(command)):  # whatever the script is called
                assert str(port.port) in str(command), (path, name, command)
    print(
        f"\nnode corpus: {len(manifests)} package.json, {with_scripts} with scripts, "
        f"{commands} scripts ({serving} start/dev-like): {len(found)} facts"
    )
    assert len(manifests) >= 300 and with_scripts >= 50 and commands >= 500 and serving >= 3
    assert found == []
