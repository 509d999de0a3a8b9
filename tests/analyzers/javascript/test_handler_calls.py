"""What Express and Next.js route handlers call while the request waits (`HandlerCall`).

Each tree is run the way the engine runs it: every file extracted, then the
default composers, which name an imported instance's method after its class.
Every test states the exact facts: callee, line, guarded, fanout, awaited.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from textwrap import dedent

from analyzers.cache import MemoryFactCache
from analyzers.config import Config
from analyzers.context import FactSet
from analyzers.engine import analyze_trees
from analyzers.extract import FileAnalyzer
from analyzers.facts import HandlerCall, Location, OutboundCall
from analyzers.registry import DEFAULT_COMPOSERS, default_extractors
from analyzers.services import manifest_reader, resolve_services
from analyzers.snapshot import MemorySnapshot
from tests.analyzers.javascript.facts import facts_of

Tree = Mapping[str, str]
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "marketplace" / "head"

SRC = "services/shop/src/"
LIB = "services.shop.src.lib"
ROUTES = "services.shop.src.routes"

CATALOG = """\
    const CATALOG_URL = process.env.CATALOG_URL ?? 'http://catalog:8000';

    export class CatalogClient {
      async product(id: string) {
        const res = await fetch(`${CATALOG_URL}/products/${id}`);
        if (!res.ok) throw new Error(`catalog ${res.status}`);
        return res.json();
      }

      async recommendations(id: string) {
        const res = await fetch(`${CATALOG_URL}/products/${id}/recommendations`);
        return res.json();
      }

      async touch(id: string) {
        await fetch(`${CATALOG_URL}/products/${id}/views`, { method: 'POST' });
      }
    }

    export const catalog = new CatalogClient();
    """
SUPPORT = {
    "services/shop/package.json": '{"name": "shop"}',
    SRC + "lib/catalog.ts": CATALOG,
    SRC + "lib/audit.ts": """\
        export async function recordView(id: string) {
          await fetch(`${process.env.AUDIT_URL}/views`, { method: 'POST', body: id });
        }
        """,
    SRC + "lib/logger.ts": "export const logger = { warn: console.warn, error: console.error };\n",
    SRC + "lib/supabase.ts": """\
        import { createClient } from '@supabase/supabase-js';
        export const supabase = createClient(process.env.SUPABASE_URL!, 'key');
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


def line(source: str, needle: str) -> int:
    """The 1-based line of `source` that holds `needle` (exactly one such line)."""
    lines = [n for n, text in enumerate(dedent(source).splitlines(), 1) if needle in text]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


Row = tuple[int, str, str, bool, bool, bool]


def row(at: int, handler: str, callee: str, flags: str) -> Row:
    """An expected fact; `flags` spells guarded, fanout, awaited as T/F (`"FFT"`)."""
    guarded, fanout, awaited = (flag == "T" for flag in flags)
    return (at, handler, callee, guarded, fanout, awaited)


def calls_in(tree: Tree, path: str) -> list[Row]:
    """(line, handler, callee, guarded, fanout, awaited) of the handler calls made in `path`."""
    return [
        (c.location.line, c.handler, c.callee, c.guarded, c.fanout, c.awaited)
        for c in tree_facts(tree).of_type(HandlerCall)
        if c.location.path == path
    ]


# --- Express: a router awaiting a client class's instance --------------------------------------

PRODUCTS = """\
    import { Router } from 'express';
    import { catalog } from '../lib/catalog';
    import { recordView } from '../lib/audit';
    import { logger } from '../lib/logger';
    import { supabase } from '../lib/supabase';

    export const productsRouter = Router();

    function byScore(items: { score: number }[]) {
      return [...items].sort((a, b) => b.score - a.score);
    }

    productsRouter.get('/products/:id', async (req, res) => {
      const product = await catalog.product(req.params.id);
      res.json(product);
    });

    productsRouter.get('/products/:id/recommendations', async (req, res) => {
      let items;
      try {
        items = byScore(await catalog.recommendations(req.params.id));
      } catch (err) {
        logger.warn({ err }, 'recommendations unavailable, showing bestsellers');
        const { data } = await supabase.from('bestsellers').select('*');
        items = data ?? [];
      }
      res.json(items);
    });

    productsRouter.get('/products/:id/rethrow', async (req, res) => {
      try {
        res.json(await catalog.recommendations(req.params.id));
      } catch (err) {
        logger.error({ err }, 'catalog failed');
        throw err;
      }
    });

    productsRouter.get('/products/:id/next', async (req, res, next) => {
      try {
        res.json(await catalog.product(req.params.id));
      } catch (err) {
        next(err);
      }
    });

    productsRouter.get('/products/:id/500', async (req, res) => {
      try {
        return res.json(await catalog.product(req.params.id));
      } catch (err) {
        if (err instanceof TypeError) return res.status(400).json({ error: 'bad id' });
        return res.status(503).json({ error: 'catalog unavailable' });
      }
    });

    productsRouter.get('/products/:id/soft', async (req, res) => {
      const items = await catalog.recommendations(req.params.id).catch(() => []);
      res.json({ items });
    });

    productsRouter.get('/products/:id/hard', async (req, res, next) => {
      catalog.product(req.params.id).then((p) => res.json(p)).catch(next);
    });

    productsRouter.post('/products/batch', async (req, res) => {
      const ids: string[] = req.body.ids;
      res.json(await Promise.all(ids.map((id) => catalog.product(id))));
    });

    productsRouter.post('/products/settled', async (req, res) => {
      const [product, recs] = await Promise.allSettled([
        catalog.product(req.body.id),
        catalog.recommendations(req.body.id),
      ]);
      res.json({ product, recs });
    });

    productsRouter.post('/products/:id/view', async (req, res) => {
      void recordView(req.params.id);
      catalog.touch(req.params.id);
      setTimeout(() => catalog.touch(req.params.id), 1000);
      res.status(202).end();
    });

    productsRouter.post('/products/warm', async (req, res) => {
      for (const id of req.body.ids) {
        await catalog.product(id);
      }
      req.body.ids.forEach(async (id: string) => {
        await catalog.touch(id);
      });
      res.status(204).end();
    });

    productsRouter.get('/stock/:sku', async (req, res) => {
      const stock = await fetch(`${process.env.STOCK_URL}/stock/${req.params.sku}`);
      res.json(await stock.json());
    });

    productsRouter.get('/named/:id', getNamed);

    async function getNamed(req, res) {
      res.json(await catalog.product(req.params.id));
    }
    """
PRODUCTS_TREE = {**SUPPORT, SRC + "routes/products.ts": PRODUCTS}
GET = f"{ROUTES}.products.<productsRouter.get>"
POST = f"{ROUTES}.products.<productsRouter.post>"
CLIENT = f"{LIB}.catalog.CatalogClient"


def at(needle: str) -> int:
    return line(PRODUCTS, needle)


def test_express_handlers_awaiting_a_client_instance() -> None:
    product, recommendations, touch = (
        f"{CLIENT}.product",
        f"{CLIENT}.recommendations",
        f"{CLIENT}.touch",
    )
    assert calls_in(PRODUCTS_TREE, SRC + "routes/products.ts") == [
        # no fallback: the route fails with the catalog
        row(at("const product = await catalog.product"), GET, product, "FFT"),
        # a catch that answers bestsellers is a fallback (byScore only sorts, supabase is a
        # package's client: neither is a fact)
        row(at("byScore(await"), GET, recommendations, "TFT"),
        # a catch that logs and rethrows
        row(at("res.json(await catalog.recommendations"), GET, recommendations, "FFT"),
        # next(err): Express's error handler answers 500
        row(at("next(err);") - 2, GET, product, "FFT"),
        # 400 for one error, 503 for the others: every path answers an error
        row(at("return res.json(await catalog.product"), GET, product, "FFT"),
        # `.catch(() => [])`
        row(at("catch(() => [])"), GET, recommendations, "TFT"),
        # `.catch(next)` hands the error on
        row(at(".catch(next)"), GET, product, "FFT"),
        # one call per item, all at once
        row(at("ids.map((id) => catalog.product(id))"), POST, product, "FTT"),
        # allSettled: one failure leaves the other answer standing
        row(at("catalog.product(req.body.id),"), POST, product, "TTT"),
        row(at("catalog.recommendations(req.body.id),"), POST, recommendations, "TTT"),
        # fire and forget: void, a bare promise, a timer's callback
        row(at("void recordView"), POST, f"{LIB}.audit.recordView", "FFF"),
        row(at("  catalog.touch(req.params.id);"), POST, touch, "FFF"),
        row(at("setTimeout"), POST, touch, "FFF"),
        # a loop over items, awaited; forEach drops its callbacks' promises
        row(at("await catalog.product(id);"), POST, product, "FTT"),
        row(at("await catalog.touch(id);"), POST, touch, "FTF"),
        # a direct HTTP call: the library's call, where its OutboundCall is
        row(at("const stock = await fetch"), GET, "fetch", "FFT"),
        # a handler function declared in the module, named as its Endpoint names it
        row(at("async function getNamed") + 1, f"{ROUTES}.products.getNamed", product, "FFT"),
    ]


def test_a_direct_fetch_shares_its_place_with_the_outbound_call() -> None:
    facts = tree_facts(PRODUCTS_TREE)
    (call,) = [c for c in facts.of_type(HandlerCall) if c.callee == "fetch"]
    stock = at("const stock = await fetch")
    assert call.location == Location(SRC + "routes/products.ts", stock, stock)
    assert call.location in {o.location for o in facts.of_type(OutboundCall)}


def test_one_file_names_an_imported_instance_by_its_import() -> None:
    """Before composing, only the import is known; the composer finds the class."""
    found = facts_of(
        HandlerCall,
        SRC + "routes/products.ts",
        """
        import { Router } from 'express';
        import { catalog } from '../lib/catalog';
        import api from '@/lib/api';

        export const router = Router();

        router.get('/p/:id', async (req, res) => {
          res.json({ p: await catalog.product(req.params.id), q: await api.quote() });
        });
        """,
    )
    assert [(c.callee, c.awaited) for c in found] == [
        (f"{LIB}.catalog.catalog.product", True),
        ("lib.api.default.quote", True),
    ]


def test_what_is_not_a_call_to_another_service() -> None:
    source = """\
        import { Router } from 'express';
        import { z } from 'zod';
        import { logger } from '../lib/logger';
        import { supabase } from '../lib/supabase';
        import { db } from '../lib/db';

        export const router = Router();
        const Body = z.object({ id: z.string() });

        function label(id: string) {
          return `item ${id}`;
        }

        router.post('/items', async (req, res, next) => {
          const body = Body.parse(req.body);
          logger.warn({ id: body.id }, 'creating');
          console.log(JSON.stringify(body));
          const { error } = await supabase.from('items').insert({ id: body.id });
          await db.item.create({ data: body });
          if (error) return next(error);
          res.status(201).json({ label: label(body.id) });
        });
        """
    assert facts_of(HandlerCall, SRC + "routes/items.ts", source) == []


# --- Next.js --------------------------------------------------------------------------------------


def test_app_router_handler_answering_502_has_no_fallback() -> None:
    source = """\
        import { NextResponse } from 'next/server';
        import { catalog } from '@/lib/catalog';

        export async function GET(req: Request) {
          try {
            return NextResponse.json(await catalog.product('x'));
          } catch (err) {
            return NextResponse.json({ error: 'catalog unavailable' }, { status: 502 });
          }
        }

        export async function POST(req: Request) {
          try {
            return NextResponse.json(await catalog.product('x'));
          } catch {
            return NextResponse.json({ product: null, degraded: true });
          }
        }
        """
    tree = {
        "package.json": '{"name": "web"}',
        "src/lib/catalog.ts": CATALOG,
        "src/app/api/products/route.ts": source,
    }
    module = "src.app.api.products.route"
    assert calls_in(tree, "src/app/api/products/route.ts") == [
        row(6, f"{module}.GET", "src.lib.catalog.CatalogClient.product", "FFT"),
        row(14, f"{module}.POST", "src.lib.catalog.CatalogClient.product", "TFT"),
    ]


# --- the marketplace example ----------------------------------------------------------------------


def test_marketplace_match_routes() -> None:
    """`GET /api/matches/:id/explain/:jobId` has no fallback; the others rank by recency."""
    tree = {
        str(p.relative_to(EXAMPLE)): p.read_text()
        for p in EXAMPLE.rglob("*")
        if p.is_file() and p.suffix in (".ts", ".json", ".py", ".txt", ".toml")
    }
    client = "services.core-api.src.lib.ai-client.AiClient"
    post = "services.core-api.src.routes.matches.<matchesRouter.post>"
    get = "services.core-api.src.routes.matches.<matchesRouter.get>"
    path = "services/core-api/src/routes/matches.ts"
    assert calls_in(tree, path) == [
        # POST /api/matches: AiEngineError falls back to fallbackRanking
        row(31, post, f"{client}.match", "TFT"),
        # ...and the fallback itself, in the catch: the outer catch's next(err) is all it has
        row(35, post, "services.core-api.src.lib.fallback-ranking.fallbackRanking", "FFT"),
        # POST /api/matches/rescore: 503 or next(err)
        row(65, post, f"{client}.match", "FFT"),
        # GET /api/matches/:id/explain/:jobId: next(err) only
        row(87, get, f"{client}.explain", "FFT"),
        # GET /api/matches/:id: serves the stored run when the upgrade fails
        row(107, get, f"{client}.match", "TFT"),
    ]
    # GET /health: AiClient.health catches its own failures, but the call site has no catch
    assert calls_in(tree, "services/core-api/src/index.ts") == [
        row(19, "services.core-api.src.<app.get>", f"{client}.health", "FFT"),
    ]
