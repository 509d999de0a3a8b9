"""Endpoints, routers and mounts, extracted file by file and composed across modules.

Every fixture is a small multi-file service run the way the engine runs it:
the Python extractor over each file, then `compose_endpoints` over all of
them. Each test states exact methods, full paths, handlers and lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from textwrap import dedent

import pytest

from analyzers.cache import MemoryFactCache
from analyzers.compose import compose_endpoints, join_path
from analyzers.config import Config
from analyzers.engine import analyze_trees
from analyzers.extract import FileAnalyzer, SourceFile
from analyzers.facts import (
    Endpoint,
    EndpointParam,
    Fact,
    FileFacts,
    Location,
    OutboundCall,
    RouterDecl,
    RouterMount,
)
from analyzers.python import PythonExtractor
from analyzers.python.routes import normalise_path
from analyzers.registry import DEFAULT_COMPOSERS, default_extractors
from analyzers.services import manifest_reader, resolve_services
from analyzers.snapshot import MemorySnapshot

Tree = Mapping[str, str]


def service_of(path: str) -> str:
    return path.split("/")[1] if path.startswith("services/") else "root"


def extract(tree: Tree) -> list[FileFacts]:
    extractor = PythonExtractor()
    out = []
    for path, text in tree.items():
        source = SourceFile(path, service_of(path), "python", dedent(text))
        out.append(FileFacts(path, source.service, "python", tuple(extractor.extract(source))))
    return out


def analyze(tree: Tree) -> list[FileFacts]:
    """What the engine does for one tree: extract every file, then compose."""
    return list(compose_endpoints(extract(tree)))


def endpoints(files: Sequence[FileFacts]) -> list[Endpoint]:
    return [f for file in files for f in file.facts if isinstance(f, Endpoint)]


def routes(files: Sequence[FileFacts]) -> set[tuple[str, str, str]]:
    return {(e.method, e.path, e.handler) for e in endpoints(files)}


def one(files: Sequence[FileFacts], method: str, path: str) -> Endpoint:
    found = [e for e in endpoints(files) if (e.method, e.path) == (method, path)]
    assert len(found) == 1, found
    return found[0]


def line(tree: Tree, path: str, needle: str) -> int:
    """The 1-based line of `path` that holds `needle` (exactly one such line)."""
    lines = [n for n, text in enumerate(dedent(tree[path]).splitlines(), 1) if needle in text]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


# --- FastAPI ----------------------------------------------------------------------------------

AI = "services/ai-engine/"
FASTAPI_SERVICE: Tree = {
    AI + "app/__init__.py": "",
    AI + "app/main.py": """
        from fastapi import FastAPI

        from app.routers import match, users
        from .routers.admin import router as admin_router

        app = FastAPI(title="AI engine")
        app.include_router(match.router, prefix="/api/v1")
        app.include_router(users.router, prefix="/api")
        app.include_router(admin_router, prefix="/admin")
        app.include_router(admin_router, prefix="/internal/admin")


        @app.get("/health")
        async def health() -> dict[str, str]:
            return {"status": "ok"}


        async def ready() -> dict[str, str]:
            return {"ready": "yes"}


        app.add_api_route("/ready", ready, methods=["GET", "HEAD"])


        @app.websocket("/ws/{room}")
        async def live(websocket, room: str) -> None:
            await websocket.accept()


        @app.on_event("startup")
        async def started() -> None:
            pass


        @app.exception_handler(ValueError)
        async def bad_value(request, exc):
            return None
    """,
    AI + "app/models.py": """
        from pydantic import BaseModel


        class MatchRequest(BaseModel):
            candidate_id: str


        class MatchResult(BaseModel):
            job_id: str
            score: float
    """,
    AI + "app/routers/__init__.py": "",
    AI + "app/routers/match.py": """
        from typing import Annotated

        from fastapi import APIRouter, BackgroundTasks, Cookie, Depends, Header, Request, status

        from app.models import MatchRequest, MatchResult

        router = APIRouter(tags=["match"])


        def get_client(request: Request) -> object:
            return request.app.state.client


        @router.post(
            "/match", response_model=list[MatchResult], status_code=status.HTTP_201_CREATED
        )
        async def match(
            payload: MatchRequest,
            background: BackgroundTasks,
            request: Request,
            client: object = Depends(get_client),
        ) -> list[MatchResult]:
            return []


        @router.api_route("/match/{match_id}", methods=["GET", "DELETE"])
        async def one_match(
            match_id: int,
            session_id: Annotated[str, Cookie()],
            verbose: bool = False,
            x_trace_id: str | None = Header(None),
        ) -> MatchResult:
            return MatchResult(job_id="j", score=1.0)
    """,
    AI + "app/routers/users.py": """
        from typing import Annotated, Optional

        from fastapi import APIRouter, File, Form, Query, UploadFile
        from pydantic import BaseModel

        from app.api.deps import CurrentUser

        router = APIRouter(prefix="/users")


        class UserOut(BaseModel):
            id: int


        @router.get("")
        def list_users(
            user: CurrentUser, q: Annotated[Optional[str], Query(alias="search")] = None
        ) -> list[UserOut]:
            return []


        @router.get("/{user_id}")
        def get_user(user_id: int) -> UserOut:
            return UserOut(id=user_id)


        @router.put("/{user_id}/avatar", status_code=202)
        def set_avatar(user_id: int, file: UploadFile = File(...), note: str = Form("")) -> None:
            return None


        @router.get("/files/{file_path:path}")
        def read_file(file_path: str) -> dict[str, str]:
            return {}
    """,
    AI + "app/routers/admin.py": """
        from fastapi import APIRouter

        router = APIRouter(prefix="/ops")


        @router.delete("/cache/", status_code=204)
        def clear_cache() -> None:
            return None
    """,
    # Things shaped like routes that are not routes.
    AI + "app/clients.py": """
        from functools import lru_cache

        import requests
        from requests.adapters import HTTPAdapter

        from app.cache import cache

        session = requests.Session()
        session.mount("https://", HTTPAdapter(max_retries=3))
        settings = {"url": "/x"}
        settings.get("url")
        cache.get("/path")


        @lru_cache(maxsize=1)
        def fetch() -> object:
            requests.get("/x", timeout=3)
            return cache.get("/path")


        class Registry:
            def get(self, path: str) -> object:
                return lambda f: f


        registry = Registry()


        @registry.get("/plugins")
        def plugins() -> list[str]:
            return []
    """,
}


def test_fastapi_routes_are_composed_across_modules() -> None:
    files = analyze(FASTAPI_SERVICE)
    assert routes(files) == {
        ("GET", "/health", "services.ai-engine.app.main.health"),
        ("GET", "/ready", "services.ai-engine.app.main.ready"),
        ("HEAD", "/ready", "services.ai-engine.app.main.ready"),
        ("WEBSOCKET", "/ws/{room}", "services.ai-engine.app.main.live"),
        ("POST", "/api/v1/match", "services.ai-engine.app.routers.match.match"),
        ("GET", "/api/v1/match/{match_id}", "services.ai-engine.app.routers.match.one_match"),
        ("DELETE", "/api/v1/match/{match_id}", "services.ai-engine.app.routers.match.one_match"),
        # prefix of the mount, then the router's own prefix
        ("GET", "/api/users", "services.ai-engine.app.routers.users.list_users"),
        ("GET", "/api/users/{user_id}", "services.ai-engine.app.routers.users.get_user"),
        ("PUT", "/api/users/{user_id}/avatar", "services.ai-engine.app.routers.users.set_avatar"),
        (
            "GET",
            "/api/users/files/{file_path:path}",
            "services.ai-engine.app.routers.users.read_file",
        ),
        # one router, mounted twice: one endpoint per full path
        ("DELETE", "/admin/ops/cache", "services.ai-engine.app.routers.admin.clear_cache"),
        (
            "DELETE",
            "/internal/admin/ops/cache",
            "services.ai-engine.app.routers.admin.clear_cache",
        ),
    }
    composed = endpoints(files)
    assert {e.router for e in composed} == {None}
    assert {e.framework for e in composed} == {"fastapi"}
    assert {e.service for e in composed} == {"ai-engine"}


def test_fastapi_models_params_and_status() -> None:
    files = analyze(FASTAPI_SERVICE)
    match = one(files, "POST", "/api/v1/match")
    # Depends(), BackgroundTasks and Request are not request parameters
    assert match.params == (EndpointParam("payload", "body", "app.models.MatchRequest", True),)
    assert match.request_model == "app.models.MatchRequest"
    assert match.response_model == "list[app.models.MatchResult]"
    assert match.status_code == 201
    path = AI + "app/routers/match.py"
    assert match.location == Location(
        path,
        line(FASTAPI_SERVICE, path, "@router.post("),
        line(FASTAPI_SERVICE, path, "return []"),
    )

    detail = one(files, "DELETE", "/api/v1/match/{match_id}")
    assert detail.params == (
        EndpointParam("match_id", "path", "int", True),
        EndpointParam("session_id", "cookie", "str", True),
        EndpointParam("verbose", "query", "bool", False),
        EndpointParam("x-trace-id", "header", "str | None", False),
    )
    assert detail.request_model is None
    # no response_model=: the return annotation, a model, stands in for it
    assert detail.response_model == "app.models.MatchResult"
    assert detail.status_code is None


def test_fastapi_local_models_forms_and_aliases() -> None:
    files = analyze(FASTAPI_SERVICE)
    users = one(files, "GET", "/api/users")
    # `CurrentUser` from app.api.deps is an Annotated dependency, not a body
    assert users.params == (EndpointParam("search", "query", "str | None", False),)
    assert users.response_model == "list[services.ai-engine.app.routers.users.UserOut]"
    assert users.request_model is None

    user = one(files, "GET", "/api/users/{user_id}")
    assert user.params == (EndpointParam("user_id", "path", "int", True),)
    assert user.response_model == "services.ai-engine.app.routers.users.UserOut"

    avatar = one(files, "PUT", "/api/users/{user_id}/avatar")
    assert avatar.params == (
        EndpointParam("user_id", "path", "int", True),
        EndpointParam("file", "form", "fastapi.UploadFile", True),
        EndpointParam("note", "form", "str", False),
    )
    assert (avatar.status_code, avatar.response_model) == (202, None)

    ready = one(files, "HEAD", "/ready")
    main = AI + "app/main.py"
    assert ready.location.line == line(FASTAPI_SERVICE, main, "app.add_api_route(")
    assert ready.response_model is None  # dict[str, str] is no model


def test_fastapi_router_declarations_and_mounts() -> None:
    facts = [f for file in extract(FASTAPI_SERVICE) for f in file.facts]
    decls = {(d.ref, d.prefix, d.is_app) for d in facts if isinstance(d, RouterDecl)}
    assert decls == {
        ("services.ai-engine.app.main:app", "", True),
        ("services.ai-engine.app.routers.match:router", "", False),
        ("services.ai-engine.app.routers.users:router", "/users", False),
        ("services.ai-engine.app.routers.admin:router", "/ops", False),
    }
    mounts = [(m.child, m.prefix) for m in facts if isinstance(m, RouterMount)]
    # imported objects keep their import path, relative imports made absolute
    assert mounts == [
        ("app.routers.match.router", "/api/v1"),
        ("app.routers.users.router", "/api"),
        ("services.ai-engine.app.routers.admin.router", "/admin"),
        ("services.ai-engine.app.routers.admin.router", "/internal/admin"),
    ]
    # before composition, a route carries its own path and the object it is declared on
    raw = [f for f in facts if isinstance(f, Endpoint) and f.handler.endswith("clear_cache")]
    assert [(e.path, e.router) for e in raw] == [
        ("/cache/", "services.ai-engine.app.routers.admin:router")
    ]


def test_calls_and_decorators_that_are_not_routes() -> None:
    files = analyze(FASTAPI_SERVICE)
    clients = next(f for f in files if f.path.endswith("app/clients.py"))
    assert not [f for f in clients.facts if isinstance(f, Endpoint | RouterDecl | RouterMount)]
    # the extractor did read the file: its HTTP call is there
    assert any(isinstance(f, OutboundCall) for f in clients.facts)
    handlers = {e.handler.rpartition(".")[2] for e in endpoints(files)}
    assert not handlers & {"started", "bad_value", "plugins", "fetch"}


# --- Flask ------------------------------------------------------------------------------------

WEB = "services/web/"
FLASK_SERVICE: Tree = {
    WEB + "web/__init__.py": """
        from flask import Flask

        from web.api import UserAPI


        def create_app() -> Flask:
            app = Flask(__name__)
            from web import api
            from web.views import pages

            app.register_blueprint(pages.bp)
            app.register_blueprint(api.bp, url_prefix="/api/v2")
            app.add_url_rule("/users/<int:user_id>", view_func=UserAPI.as_view("user"))

            @app.route("/health")
            def health() -> str:
                return "ok"

            @app.errorhandler(404)
            def not_found(error: Exception) -> str:
                return "missing"

            return app
    """,
    WEB + "web/views/__init__.py": "",
    WEB + "web/views/pages.py": """
        from flask import Blueprint, render_template

        bp = Blueprint("pages", __name__, url_prefix="/pages")


        @bp.route("/", methods=["GET", "POST"])
        def index() -> str:
            return render_template("index.html")


        @bp.get("/<slug>")
        def page(slug: str) -> str:
            return slug


        @bp.before_request
        def load_user() -> None:
            return None
    """,
    WEB + "web/api.py": """
        from flask import Blueprint, jsonify
        from flask.views import MethodView, View

        bp = Blueprint("api", __name__, url_prefix="/api")


        @bp.post("/orders")
        def create_order() -> object:
            return jsonify({})


        @bp.route("/orders/<uuid:order_id>", methods=("PUT", "DELETE"))
        def change_order(order_id: str) -> object:
            return jsonify({})


        class UserAPI(MethodView):
            def get(self, user_id: int) -> object:
                return jsonify({})

            def patch(self, user_id: int) -> object:
                return jsonify({})


        class ItemView(View):
            methods = ["GET", "POST"]

            def dispatch_request(self, item_id: int) -> object:
                return jsonify({})


        bp.add_url_rule("/items/<int:item_id>", view_func=ItemView.as_view("item"))
    """,
}


def test_flask_blueprints_with_and_without_url_prefix() -> None:
    files = analyze(FLASK_SERVICE)
    assert routes(files) == {
        ("GET", "/health", "services.web.web.create_app.health"),
        # registered without url_prefix: the blueprint's own prefix
        ("GET", "/pages", "services.web.web.views.pages.index"),
        ("POST", "/pages", "services.web.web.views.pages.index"),
        ("GET", "/pages/{slug}", "services.web.web.views.pages.page"),
        # url_prefix= replaces the blueprint's own "/api"
        ("POST", "/api/v2/orders", "services.web.web.api.create_order"),
        ("PUT", "/api/v2/orders/{order_id}", "services.web.web.api.change_order"),
        ("DELETE", "/api/v2/orders/{order_id}", "services.web.web.api.change_order"),
        ("GET", "/api/v2/items/{item_id}", "services.web.web.api.ItemView"),
        ("POST", "/api/v2/items/{item_id}", "services.web.web.api.ItemView"),
        # a MethodView imported from a sibling: its methods are not visible here
        ("*", "/users/{user_id}", "services.web.web.api.UserAPI"),
    }
    assert {e.framework for e in endpoints(files)} == {"flask"}
    assert {e.router for e in endpoints(files)} == {None}


def test_flask_locations_and_path_params() -> None:
    files = analyze(FLASK_SERVICE)
    order = one(files, "PUT", "/api/v2/orders/{order_id}")
    assert order.params == (EndpointParam("order_id", "path", "UUID", True),)
    api = WEB + "web/api.py"
    assert order.location.line == line(FLASK_SERVICE, api, '@bp.route("/orders/')
    assert order.location.end_line == order.location.line + 2  # decorator to last line
    page = one(files, "GET", "/pages/{slug}")
    assert page.params == (EndpointParam("slug", "path", "str", True),)
    item = one(files, "POST", "/api/v2/items/{item_id}")
    assert item.location.line == line(FLASK_SERVICE, api, "bp.add_url_rule(")


def test_flask_view_classes_in_the_same_module_give_their_methods() -> None:
    tree = dict(FLASK_SERVICE)
    tree[WEB + "web/api.py"] += (
        '\n        bp.add_url_rule("/me", view_func=UserAPI.as_view("me"))\n'
    )
    files = analyze(tree)
    me = {(e.method, e.handler) for e in endpoints(files) if e.path == "/api/v2/me"}
    assert me == {
        ("GET", "services.web.web.api.UserAPI.get"),
        ("PATCH", "services.web.web.api.UserAPI.patch"),
    }
    api = WEB + "web/api.py"
    patch = one(files, "PATCH", "/api/v2/me")
    assert patch.location.line == line(tree, api, "def patch(")


CLASSIC: Tree = {
    "services/classic/classic/__init__.py": """
        from flask import Flask

        app = Flask(__name__)

        from classic import routes  # noqa: E402
    """,
    # No framework import at all: the object's name and the decorator's shape decide.
    "services/classic/classic/routes.py": """
        from classic import app


        @app.route("/")
        def home() -> str:
            return "home"


        @app.route("/items/<int:item_id>", methods=["GET", "PUT"])
        def item(item_id: int) -> str:
            return str(item_id)
    """,
}


def test_routes_on_an_app_imported_from_a_sibling_module() -> None:
    files = analyze(CLASSIC)
    assert routes(files) == {
        ("GET", "/", "services.classic.classic.routes.home"),
        ("GET", "/items/{item_id}", "services.classic.classic.routes.item"),
        ("PUT", "/items/{item_id}", "services.classic.classic.routes.item"),
    }
    # the app is found in classic/__init__.py: the chain is rooted, the routes composed
    assert {e.router for e in endpoints(files)} == {None}
    assert {e.framework for e in endpoints(files)} == {"flask"}


# --- Flask-RESTX and Flask-RESTful ------------------------------------------------------------

ZOO = "services/zoo/"
RESTX_SERVICE: Tree = {
    ZOO + "zoo/__init__.py": "",
    ZOO + "zoo/app.py": """
        from flask import Flask

        from zoo.api import api

        app = Flask(__name__)
        api.init_app(app)
    """,
    ZOO + "zoo/api.py": """
        from flask_restx import Api, Resource

        from .cats import ns as cats_ns
        from .dogs import ns as dogs_ns

        api = Api(prefix="/v1", title="Zoo")
        api.add_namespace(cats_ns)
        api.add_namespace(dogs_ns, path="/doggos")


        class Health(Resource):
            def get(self) -> dict[str, str]:
                return {"status": "ok"}


        api.add_resource(Health, "/health", "/healthz")
    """,
    ZOO + "zoo/cats.py": """
        from flask_restx import Namespace, Resource

        ns = Namespace("cats", description="Cats")


        @ns.route("/")
        class CatList(Resource):
            @ns.doc("list_cats")
            def get(self) -> list[str]:
                return []

            def post(self) -> tuple[str, int]:
                return "", 201


        @ns.route("/<int:cat_id>", "/by-name/<name>")
        @ns.response(404, "Cat not found")
        class Cat(Resource):
            def get(self, cat_id: int = 0, name: str = "") -> str:
                return ""

            def delete(self, cat_id: int = 0, name: str = "") -> tuple[str, int]:
                return "", 204
    """,
    ZOO + "zoo/dogs.py": """
        from flask_restx import Namespace, Resource

        ns = Namespace("dogs", path="/canines")


        @ns.route("/<id>")
        class Dog(Resource):
            def put(self, id: str) -> str:
                return id
    """,
    "services/todo/todo.py": """
        from flask import Flask
        from flask_restful import Api, Resource

        app = Flask(__name__)
        api = Api(app, prefix="/api")


        class TodoList(Resource):
            def get(self) -> list[str]:
                return []

            def post(self) -> tuple[str, int]:
                return "", 201


        api.add_resource(TodoList, "/todos")
    """,
}


def test_restx_namespaces_and_resources() -> None:
    files = analyze(RESTX_SERVICE)
    zoo = {r for r in routes(files) if r[2].startswith("services.zoo.")}
    assert zoo == {
        ("GET", "/v1/cats", "services.zoo.zoo.cats.CatList.get"),
        ("POST", "/v1/cats", "services.zoo.zoo.cats.CatList.post"),
        ("GET", "/v1/cats/{cat_id}", "services.zoo.zoo.cats.Cat.get"),
        ("DELETE", "/v1/cats/{cat_id}", "services.zoo.zoo.cats.Cat.delete"),
        ("GET", "/v1/cats/by-name/{name}", "services.zoo.zoo.cats.Cat.get"),
        ("DELETE", "/v1/cats/by-name/{name}", "services.zoo.zoo.cats.Cat.delete"),
        # add_namespace(path=) replaces the namespace's own "/canines"
        ("PUT", "/v1/doggos/{id}", "services.zoo.zoo.dogs.Dog.put"),
        ("GET", "/v1/health", "services.zoo.zoo.api.Health.get"),
        ("GET", "/v1/healthz", "services.zoo.zoo.api.Health.get"),
    }
    cats = ZOO + "zoo/cats.py"
    delete = one(files, "DELETE", "/v1/cats/{cat_id}")
    assert delete.location.line == line(RESTX_SERVICE, cats, "def delete(")
    assert delete.params == (EndpointParam("cat_id", "path", "int", True),)
    assert {e.framework for e in endpoints(files) if e.service == "zoo"} == {"flask-restx"}


def test_restful_resources() -> None:
    files = analyze(RESTX_SERVICE)
    todo = {(e.method, e.path, e.handler, e.framework) for e in endpoints(files)}
    todo = {t for t in todo if t[2].startswith("services.todo.")}
    assert todo == {
        ("GET", "/api/todos", "services.todo.todo.TodoList.get", "flask-restful"),
        ("POST", "/api/todos", "services.todo.todo.TodoList.post", "flask-restful"),
    }


# --- Django -----------------------------------------------------------------------------------

SHOP = "services/shop/"
DJANGO_SERVICE: Tree = {
    SHOP + "shop/__init__.py": "",
    SHOP + "shop/urls.py": """
        from django.conf import settings
        from django.contrib import admin
        from django.urls import include, path, re_path

        from shop import views

        urlpatterns = [
            path("admin/", admin.site.urls),
            path("api/", include("orders.urls")),
            path("", views.home, name="home"),
            re_path(r"^legacy/(?P<year>[0-9]{4})/(?P<slug>[\\w-]+)/$", views.archive),
        ]

        if settings.DEBUG:
            urlpatterns += [path("debug/", views.debug)]
    """,
    SHOP + "shop/views.py": """
        def home(request):
            return None


        def archive(request, year, slug):
            return None


        def debug(request):
            return None
    """,
    SHOP + "orders/__init__.py": "",
    SHOP + "orders/urls.py": """
        from django.urls import include, path
        from django.views.decorators.http import require_POST

        from . import views


        @require_POST
        def ping(request):
            return None


        v2_patterns = [
            path("items/<slug:slug>/", views.item),
        ]

        urlpatterns = [
            path("orders/", views.OrderList.as_view(), name="orders"),
            path("orders/<int:pk>/", views.order_detail),
            path("ping/", ping),
            path("v2/", include(v2_patterns)),
        ]
    """,
    SHOP + "orders/views.py": """
        from django.views import View


        class OrderList(View):
            def get(self, request):
                return None


        def order_detail(request, pk):
            return None


        def item(request, slug):
            return None
    """,
}


def test_django_root_urlconf_includes_app_urls() -> None:
    files = analyze(DJANGO_SERVICE)
    assert routes(files) == {
        ("*", "/", "services.shop.shop.views.home"),
        ("*", "/legacy/{year}/{slug}", "services.shop.shop.views.archive"),
        ("*", "/debug", "services.shop.shop.views.debug"),
        ("*", "/api/orders", "services.shop.orders.views.OrderList"),
        ("*", "/api/orders/{pk}", "services.shop.orders.views.order_detail"),
        ("POST", "/api/ping", "services.shop.orders.urls.ping"),
        ("*", "/api/v2/items/{slug}", "services.shop.orders.views.item"),
    }
    assert {e.router for e in endpoints(files)} == {None}
    detail = one(files, "*", "/api/orders/{pk}")
    assert detail.params == (EndpointParam("pk", "path", "int", True),)
    assert detail.framework == "django"
    urls = SHOP + "orders/urls.py"
    assert detail.location.line == line(DJANGO_SERVICE, urls, '"orders/<int:pk>/"')


def test_django_include_is_a_mount_of_the_urls_module() -> None:
    facts = [f for file in extract(DJANGO_SERVICE) for f in file.facts]
    mounts = {(m.parent, m.child, m.prefix) for m in facts if isinstance(m, RouterMount)}
    assert mounts == {
        ("services.shop.shop.urls:urlpatterns", "orders.urls.urlpatterns", "api/"),
        ("services.shop.orders.urls:urlpatterns", "services.shop.orders.urls:v2_patterns", "v2/"),
    }


# --- the engine's own path --------------------------------------------------------------------


def test_the_engine_composes_endpoints_of_a_whole_tree() -> None:
    tree = {path: dedent(text) for path, text in FASTAPI_SERVICE.items()}
    tree[AI + "requirements.txt"] = "fastapi\n"
    snapshot = MemorySnapshot(tree)
    entries = snapshot.entries()
    config = Config()
    services = resolve_services(config, entries, manifest_reader([(entries, snapshot.read)]))
    analyzer = FileAnalyzer(default_extractors(), MemoryFactCache(), config.max_file_size)
    facts = analyze_trees([snapshot], analyzer, services, config, DEFAULT_COMPOSERS)[0][0]
    found = {(e.service, e.method, e.path) for e in facts.of_type(Endpoint)}
    assert ("ai-engine", "POST", "/api/v1/match") in found
    assert ("ai-engine", "DELETE", "/internal/admin/ops/cache") in found
    assert len(found) == 13


# --- composition rules ------------------------------------------------------------------------

AT = Location("m.py", 1, 1)


def _endpoint(path: str, router: str | None, method: str = "GET") -> Endpoint:
    return Endpoint("svc", AT, method, path, "h", "fastapi", router=router)


def _decl(ref: str, prefix: str = "", is_app: bool = False) -> RouterDecl:
    return RouterDecl("svc", AT, ref, prefix, "fastapi", is_app)


def _mount(parent: str, child: str, prefix: str = "", replaces: bool = False) -> RouterMount:
    return RouterMount("svc", AT, parent, child, prefix, replaces)


def _compose(*facts: RouterDecl | RouterMount | Endpoint) -> list[tuple[str, str | None]]:
    files = compose_endpoints([FileFacts("svc/m.py", "svc", "python", tuple(facts))])
    return sorted((e.path, e.router) for e in endpoints(files))


def test_an_unmounted_router_keeps_its_own_prefix_and_its_router() -> None:
    assert _compose(_decl("a:r", "/items/"), _endpoint("/{id}/", "a:r")) == [("/items/{id}", "a:r")]


@pytest.mark.parametrize(
    ("parts", "joined"),
    [
        (("", "/"), "/"),
        (("", ""), "/"),
        (("/api/", "/", "items/"), "/api/items"),
        (("api//v1", "/x"), "/api/v1/x"),
        (("/api", ""), "/api"),
    ],
)
def test_paths_join_with_one_slash_and_no_trailing_slash(
    parts: tuple[str, ...], joined: str
) -> None:
    assert join_path(*parts) == joined


def test_a_cycle_of_mounts_ends() -> None:
    composed = _compose(
        _decl("a:app", "", True),
        _mount("a:app", "a:r1", "/one"),
        _mount("a:r1", "a:r2", "/two"),
        _mount("a:r2", "a:r1", "/back"),
        _endpoint("/x", "a:r2"),
    )
    assert composed == [("/one/two/x", None)]


def test_a_cycle_nobody_enters_still_yields_its_routes() -> None:
    # no root: the walk starts at the cycle's first object in file order, a guess that
    # keeps `router` set to say so
    composed = _compose(
        _mount("a:r1", "a:r2", "/two"),
        _mount("a:r2", "a:r1", "/one"),
        _endpoint("/x", "a:r2"),
    )
    assert composed == [("/two/x", "a:r2")]


def test_replacing_mounts_drop_the_own_prefix() -> None:
    composed = _compose(
        _decl("a:app", "", True),
        _decl("a:bp", "/own"),
        _mount("a:app", "a:bp", "/given", replaces=True),
        _mount("a:app", "a:bp"),
        _endpoint("/x", "a:bp"),
    )
    assert composed == [("/given/x", None), ("/own/x", None)]


def test_a_mounted_app_is_served_only_under_its_mount() -> None:
    composed = _compose(
        _decl("a:app", "", True),
        _decl("a:sub", "", True),
        _mount("a:app", "a:sub", "/sub"),
        _endpoint("/x", "a:sub"),
    )
    assert composed == [("/sub/x", None)]


def test_import_paths_resolve_within_the_same_service_first() -> None:
    main = FileFacts(
        "services/one/app/main.py",
        "one",
        "python",
        (
            _decl("services.one.app.main:app", "", True),
            _mount("services.one.app.main:app", "app.routers.users.router", "/api"),
        ),
    )
    own = FileFacts(
        "services/one/app/routers/users.py",
        "one",
        "python",
        (_endpoint("/u", "services.one.app.routers.users:router"),),
    )
    other = FileFacts(
        "services/two/app/routers/users.py",
        "two",
        "python",
        (_endpoint("/u", "services.two.app.routers.users:router"),),
    )
    files = compose_endpoints([main, other, own])
    by_file = {f.path: [(e.path, e.router) for e in endpoints([f])] for f in files}
    assert by_file["services/one/app/routers/users.py"] == [("/api/u", None)]
    assert by_file["services/two/app/routers/users.py"] == [
        ("/u", "services.two.app.routers.users:router")
    ]


def test_facts_other_than_endpoints_pass_through_untouched() -> None:
    decl = _decl("a:app", "", True)
    quiet = FileFacts("svc/quiet.py", "svc", "python", (decl,))
    loud = FileFacts("svc/m.py", "svc", "python", (decl, _endpoint("/x", "a:app")))
    files = compose_endpoints([quiet, loud])
    assert files[0] is quiet
    assert files[1].facts[0] is decl
    assert files[1].facts[1] == _endpoint("/x", None)


def test_nothing_to_compose_returns_the_files_as_they_are() -> None:
    files = [FileFacts("svc/m.py", "svc", "python", (_decl("a:r"),))]
    assert compose_endpoints(files) == tuple(files)


def test_composition_is_linear_in_practice() -> None:
    # 2,000 routers mounted on one app, each with 5 routes, across 2,000 files
    files = [FileFacts("svc/main.py", "svc", "python", (_decl("svc.main:app", "", True),))]
    for n in range(2000):
        ref = f"svc.r{n}:router"
        facts: list[Fact] = [
            _mount("svc.main:app", f"svc.r{n}.router", f"/p{n}"),
            _decl(ref, "/own"),
        ]
        facts += [_endpoint(f"/e{k}", ref) for k in range(5)]
        files.append(FileFacts(f"svc/r{n}.py", "svc", "python", tuple(facts)))
    composed = endpoints(compose_endpoints(files))
    assert len(composed) == 10_000
    assert ("/p1999/own/e4", None) in {(e.path, e.router) for e in composed}


# --- path normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "regex", "normal"),
    [
        ("/items/{item_id}", False, "/items/{item_id}"),
        ("/files/{p:path}", False, "/files/{p:path}"),  # the rest of the path: kept
        ("/files/<path:p>", False, "/files/{p:path}"),
        ("/users/<int:user_id>/<name>", False, "/users/{user_id}/{name}"),
        ("/x/<any(a, b):kind>", False, "/x/{kind}"),
        ("articles/<int:year>/<slug:slug>/", False, "articles/{year}/{slug}/"),
        (r"^articles/(?P<year>[0-9]{4})/(?P<pk>\d+(?:-\d+)?)/$", True, "articles/{year}/{pk}/"),
        (r"^files/(\w+)\.json$", True, "files/{arg1}.json"),
        (r"^items/?$", True, "items/"),
    ],
)
def test_path_parameters_are_normalised(raw: str, regex: bool, normal: str) -> None:
    assert normalise_path(raw, regex=regex) == normal


# --- Starlette and less common FastAPI shapes -------------------------------------------------

EDGES: Tree = {
    "services/edge/edge/app.py": """
        from fastapi import APIRouter, Body, FastAPI
        from pydantic import BaseModel
        from starlette.applications import Starlette
        from starlette.endpoints import HTTPEndpoint
        from starlette.routing import Mount, Route, WebSocketRoute

        API_PREFIX = "/api"
        router = APIRouter(prefix=f"{API_PREFIX}/things")


        class Thing(BaseModel):
            name: str


        class Other(BaseModel):
            x: int


        @router.post("/pair")
        def pair(a: Thing, b: Other) -> None:
            return None


        @router.post("/embed")
        def embed(a: Thing = Body(..., embed=True)) -> None:
            return None


        @router.post("/optional", response_model=None)
        def optional(a: Thing | None = None) -> Thing:
            return Thing(name="")


        def create_app() -> FastAPI:
            app = FastAPI()
            app.include_router(router)
            return app


        async def homepage(request):
            return None


        async def feed(websocket):
            return None


        class UserEndpoint(HTTPEndpoint):
            async def get(self, request):
                return None

            async def post(self, request):
                return None


        users = [Route("/", UserEndpoint), Route("/{id:int}", homepage, methods=["GET", "PUT"])]
        routes = [
            Route("/", homepage),
            WebSocketRoute("/feed", feed),
            Mount("/users", routes=users),
            Mount("/inline", routes=[Route("/x", homepage)]),
        ]
        site = Starlette(routes=routes)
    """,
}


def test_starlette_route_lists_and_mounts() -> None:
    files = analyze(EDGES)
    starlette = {r for r in routes(files) if not r[1].startswith("/api/things/")}
    module = "services.edge.edge.app"
    assert starlette == {
        ("GET", "/", f"{module}.homepage"),
        ("WEBSOCKET", "/feed", f"{module}.feed"),
        ("GET", "/users", f"{module}.UserEndpoint.get"),
        ("POST", "/users", f"{module}.UserEndpoint.post"),
        ("GET", "/users/{id}", f"{module}.homepage"),
        ("PUT", "/users/{id}", f"{module}.homepage"),
        ("GET", "/inline/x", f"{module}.homepage"),
    }
    assert one(files, "PUT", "/users/{id}").params == (EndpointParam("id", "path", "int", True),)
    assert one(files, "GET", "/inline/x").framework == "starlette"


def test_fastapi_factory_app_bodies_and_explicit_no_response_model() -> None:
    files = analyze(EDGES)
    # the app built inside create_app() is the root; the prefix comes from an f-string
    pair = one(files, "POST", "/api/things/pair")
    assert pair.router is None
    # two body parameters: FastAPI embeds both, so neither model is the whole body
    assert [p.source for p in pair.params] == ["body", "body"]
    assert pair.request_model is None
    assert one(files, "POST", "/api/things/embed").request_model is None
    optional = one(files, "POST", "/api/things/optional")
    assert optional.request_model == "services.edge.edge.app.Thing"
    assert optional.params == (
        EndpointParam("a", "body", "services.edge.edge.app.Thing | None", False),
    )
    assert optional.response_model is None  # response_model=None switches it off
