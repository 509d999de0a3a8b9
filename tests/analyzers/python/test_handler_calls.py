"""What FastAPI and Flask route handlers call while the request waits (`HandlerCall`).

Each tree is run the way the engine runs it: every file extracted, then the
default composers. Every test states the exact facts: line, handler, callee,
guarded, fanout, awaited.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from textwrap import dedent

from analyzers.cache import MemoryFactCache
from analyzers.config import Config
from analyzers.context import FactSet
from analyzers.engine import analyze_trees
from analyzers.extract import FileAnalyzer, SourceFile
from analyzers.facts import HandlerCall, OutboundCall
from analyzers.python import PythonExtractor
from analyzers.registry import DEFAULT_COMPOSERS, default_extractors
from analyzers.services import manifest_reader, resolve_services
from analyzers.snapshot import MemorySnapshot

Tree = Mapping[str, str]
Row = tuple[int, str, str, bool, bool, bool]
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "marketplace" / "head"

APP = "services/shop/app/"
MOD = "services.shop.app"

CLIENTS = """\
    import os

    import httpx

    CATALOG_URL = os.environ.get("CATALOG_URL", "http://catalog:8000")


    class CatalogClient:
        def __init__(self) -> None:
            self._http = httpx.AsyncClient(base_url=CATALOG_URL, timeout=5.0)

        async def product(self, product_id: str) -> dict:
            response = await self._http.get(f"/products/{product_id}")
            response.raise_for_status()
            return response.json()

        async def stock(self, sku: str) -> int:
            response = await self._http.get(f"/stock/{sku}")
            return response.json()["count"]


    catalog = CatalogClient()
    """
SUPPORT = {
    "services/shop/requirements.txt": "fastapi\nhttpx\n",
    APP + "__init__.py": "",
    APP + "clients.py": CLIENTS,
    APP + "notify.py": """\
        import httpx


        def send_receipt(order_id: str) -> None:
            httpx.post("http://mailer:8025/receipts", json={"order": order_id}, timeout=3)
        """,
}


def tree_facts(tree: Tree) -> FactSet:
    """The engine's facts for a tree: every file extracted, then the default composers."""
    snapshot = MemorySnapshot({path: dedent(text) for path, text in tree.items()})
    config = Config()
    entries = snapshot.entries()
    services = resolve_services(config, entries.keys(), manifest_reader([(entries, snapshot.read)]))
    analyzer = FileAnalyzer(default_extractors(), MemoryFactCache(), config.max_file_size)
    return analyze_trees([snapshot], analyzer, services, config, DEFAULT_COMPOSERS)[0][0]


def row(at: int, handler: str, callee: str, flags: str) -> Row:
    """An expected fact; `flags` spells guarded, fanout, awaited as T/F (`"FFT"`)."""
    guarded, fanout, awaited = (flag == "T" for flag in flags)
    return (at, handler, callee, guarded, fanout, awaited)


def calls_in(tree: Tree, path: str) -> list[Row]:
    return [
        (c.location.line, c.handler, c.callee, c.guarded, c.fanout, c.awaited)
        for c in tree_facts(tree).of_type(HandlerCall)
        if c.location.path == path
    ]


def line(source: str, needle: str) -> int:
    lines = [n for n, text in enumerate(dedent(source).splitlines(), 1) if needle in text]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


# --- FastAPI --------------------------------------------------------------------------------------

ROUTES = """\
    import asyncio
    import contextlib
    import logging
    from typing import Annotated

    import httpx
    from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException

    from app.clients import CatalogClient, catalog
    from app.notify import send_receipt

    logger = logging.getLogger(__name__)
    router = APIRouter()
    pricing = httpx.AsyncClient(base_url="http://pricing:8001", timeout=2.0)


    def get_http() -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=3.0)


    def get_catalog() -> CatalogClient:
        return catalog


    def label(product: dict) -> str:
        return product["name"].title()


    @router.get("/products/{product_id}")
    async def product(product_id: str, http: httpx.AsyncClient = Depends(get_http)) -> dict:
        logger.info("product %s", product_id)
        response = await http.get(f"http://catalog:8000/products/{product_id}")
        return {"product": response.json(), "label": label(response.json())}


    @router.get("/products/{product_id}/price")
    async def price(product_id: str) -> dict:
        try:
            quote = await pricing.get(f"/quotes/{product_id}")
            return quote.json()
        except httpx.HTTPError:
            logger.warning("pricing unavailable")
            return {"price": None, "degraded": True}


    @router.get("/products/{product_id}/strict")
    async def strict(
        product_id: str, client: Annotated[CatalogClient, Depends(get_catalog)]
    ) -> dict:
        try:
            return await client.product(product_id)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 404:
                raise HTTPException(404, "no such product") from exc
            raise HTTPException(502, "catalog failed") from exc
        except ValueError:
            return {}


    @router.post("/products/batch")
    async def batch(ids: list[str], client=Depends(get_catalog)) -> list[dict]:
        return await asyncio.gather(*(client.product(i) for i in ids))


    @router.post("/products/stock")
    async def stock(skus: list[str]) -> dict:
        counts = await asyncio.gather(*[catalog.stock(s) for s in skus], return_exceptions=True)
        found = {}
        for sku in skus:
            found[sku] = await catalog.stock(sku)
        with contextlib.suppress(httpx.HTTPError):
            found["total"] = await catalog.stock("*")
        return {"counts": counts, "found": found}


    @router.post("/orders/{order_id}")
    async def order(order_id: str, tasks: BackgroundTasks) -> dict:
        tasks.add_task(send_receipt, order_id)
        asyncio.create_task(catalog.stock(order_id))
        warm = asyncio.create_task(catalog.product(order_id))
        await warm
        return {"ok": True}
    """
FASTAPI_TREE = {**SUPPORT, APP + "routes.py": ROUTES}
R = f"{MOD}.routes"
CLIENT = f"{MOD}.clients.CatalogClient"


def at(needle: str) -> int:
    return line(ROUTES, needle)


def test_fastapi_handlers() -> None:
    assert calls_in(FASTAPI_TREE, APP + "routes.py") == [
        # an httpx client dependency, no fallback (logging and `label` are not facts)
        row(at("response = await http.get"), f"{R}.product", "httpx.AsyncClient.get", "FFT"),
        # a module client, an except that answers a degraded price
        row(at("quote = await pricing.get"), f"{R}.price", "httpx.AsyncClient.get", "TFT"),
        # an Annotated dependency; 404 and 502 are error answers, ValueError is no outage
        row(at("return await client.product"), f"{R}.strict", f"{CLIENT}.product", "FFT"),
        # a dependency typed by its provider's return annotation, gathered per item
        row(at("client.product(i) for i"), f"{R}.batch", f"{CLIENT}.product", "FTT"),
        # gathered with return_exceptions, a for loop, contextlib.suppress
        row(at("catalog.stock(s) for s"), f"{R}.stock", f"{CLIENT}.stock", "TTT"),
        row(at("await catalog.stock(sku)"), f"{R}.stock", f"{CLIENT}.stock", "FTT"),
        row(at('await catalog.stock("*")'), f"{R}.stock", f"{CLIENT}.stock", "TFT"),
        # background work the response does not wait for; an awaited task is waited for
        row(at("tasks.add_task"), f"{R}.order", f"{MOD}.notify.send_receipt", "FFF"),
        row(at("asyncio.create_task(catalog.stock"), f"{R}.order", f"{CLIENT}.stock", "FFF"),
        row(at("warm = asyncio.create_task"), f"{R}.order", f"{CLIENT}.product", "FFT"),
    ]


def test_direct_http_calls_share_their_place_with_the_outbound_call() -> None:
    facts = tree_facts(FASTAPI_TREE)
    places = {o.location for o in facts.of_type(OutboundCall)}
    direct = [c for c in facts.of_type(HandlerCall) if c.callee.startswith("httpx.")]
    assert len(direct) == 2
    assert all(c.location in places for c in direct)


def test_one_file_names_an_imported_instance_by_its_import() -> None:
    """Before composing, only the import is known; the composer finds the class."""
    source = dedent(
        """\
        from fastapi import FastAPI

        from app.clients import catalog

        app = FastAPI()


        @app.get("/p/{pid}")
        async def read(pid: str) -> dict:
            return await catalog.product(pid)
        """
    )
    found = PythonExtractor().extract(SourceFile(APP + "main.py", "shop", "python", source))
    calls = [f for f in found if isinstance(f, HandlerCall)]
    assert [(c.callee, c.handler) for c in calls] == [
        (f"{MOD}.clients.catalog.product", f"{MOD}.main.read")
    ]
    tree = {**SUPPORT, APP + "main.py": source}
    assert calls_in(tree, APP + "main.py") == [
        row(10, f"{MOD}.main.read", f"{CLIENT}.product", "FFT")
    ]


def test_a_package_outside_the_tree_is_no_project_code() -> None:
    source = """\
        from fastapi import FastAPI
        from shared_sdk.client import lookup

        app = FastAPI()


        @app.get("/x")
        def read() -> dict:
            return lookup("x")
        """
    alone = PythonExtractor().extract(SourceFile(APP + "main.py", "shop", "python", dedent(source)))
    # One file cannot tell a package from a module of the tree; the composer can.
    assert [f.callee for f in alone if isinstance(f, HandlerCall)] == ["shared_sdk.client.lookup"]
    assert calls_in({**SUPPORT, APP + "main.py": source}, APP + "main.py") == []


def test_except_clauses_on_one_line() -> None:
    source = """\
        import httpx
        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/a")
        async def a() -> dict:
            try: first = await httpx.AsyncClient().get("http://x/a")
            except httpx.HTTPError: raise
            try: second = await httpx.AsyncClient().get("http://x/b")
            except httpx.HTTPError: return {}
            return {"a": first.json(), "b": second.json()}
        """
    handler = f"{MOD}.main.a"
    assert calls_in({**SUPPORT, APP + "main.py": source}, APP + "main.py") == [
        row(9, handler, "httpx.AsyncClient.get", "FFT"),
        row(11, handler, "httpx.AsyncClient.get", "TFT"),
    ]


# --- Flask ----------------------------------------------------------------------------------------


def test_flask_handler_answering_503_has_no_fallback() -> None:
    source = """\
        import requests
        from flask import Flask, jsonify

        app = Flask(__name__)


        @app.route("/quote/<sku>")
        def quote(sku):
            try:
                response = requests.get(f"http://pricing:8001/quotes/{sku}", timeout=2)
                return jsonify(response.json())
            except requests.RequestException:
                return jsonify(error="pricing unavailable"), 503


        @app.route("/cached/<sku>")
        def cached(sku):
            try:
                response = requests.get(f"http://pricing:8001/quotes/{sku}", timeout=2)
                return jsonify(response.json())
            except requests.RequestException:
                return jsonify(price=None, cached=True)
        """
    tree = {"web/requirements.txt": "flask\nrequests\n", "web/app.py": source}
    assert calls_in(tree, "web/app.py") == [
        row(10, "web.app.quote", "requests.get", "FFT"),
        row(19, "web.app.cached", "requests.get", "TFT"),
    ]


# --- the marketplace example ----------------------------------------------------------------------


def test_marketplace_match_route() -> None:
    """`POST /api/v1/match` answers 404 or 503 when the job board fails: no fallback."""
    tree = {
        str(p.relative_to(EXAMPLE)): p.read_text()
        for p in EXAMPLE.rglob("*")
        if p.is_file() and p.suffix in (".py", ".txt", ".toml", ".json")
    }
    handler = "services.ai-engine.app.routers.match.match"
    client = "services.ai-engine.app.clients.jobs_api.JobsApiClient"
    assert calls_in(tree, "services/ai-engine/app/routers/match.py") == [
        row(32, handler, f"{client}.get_candidate_profile", "FFT"),
        row(33, handler, f"{client}.get_jobs", "FFT"),
        # scoring runs in this service; a comprehension over the jobs
        row(43, handler, "services.ai-engine.app.scoring.score_candidate", "FTT"),
    ]
