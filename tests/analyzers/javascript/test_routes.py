"""Express and Next.js endpoints, extracted file by file and composed across modules.

Every fixture is a small multi-file service run the way the engine runs it:
`JavaScriptExtractor` over each file, then `compose_endpoints` over all of
them. Each test states exact methods, full paths, handlers, body parsers,
middleware and lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from textwrap import dedent

import pytest

from analyzers.cache import MemoryFactCache
from analyzers.compose import compose_endpoints
from analyzers.config import Config
from analyzers.engine import analyze_trees
from analyzers.extract import Extraction, FileAnalyzer, SourceFile
from analyzers.facts import (
    Endpoint,
    EndpointParam,
    Fact,
    FileFacts,
    Location,
    Middleware,
    Rewrite,
    RouterDecl,
    RouterMount,
)
from analyzers.javascript import JavaScriptExtractor
from analyzers.javascript.routes import app_route_path, normalise_path, pages_api_path
from analyzers.registry import DEFAULT_COMPOSERS, default_extractors
from analyzers.services import manifest_reader, resolve_services
from analyzers.snapshot import MemorySnapshot

Tree = Mapping[str, str]
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "marketplace" / "head"


def service_of(path: str) -> str:
    parts = path.split("/")
    return parts[1] if parts[0] in ("services", "apps") else "web"


def extract(tree: Tree) -> list[FileFacts]:
    extractor = JavaScriptExtractor()
    out = []
    for path, text in tree.items():
        language = "typescript" if path.endswith((".ts", ".tsx")) else "javascript"
        source = SourceFile(path, service_of(path), language, dedent(text))
        found = extractor.extract(source)
        facts = found.facts if isinstance(found, Extraction) else found
        out.append(FileFacts(path, source.service, language, tuple(facts)))
    return out


def analyze(tree: Tree) -> list[FileFacts]:
    """What the engine does for one tree: extract every file, then compose."""
    return list(compose_endpoints(extract(tree)))


def facts(files: Sequence[FileFacts]) -> list[Fact]:
    return [f for file in files for f in file.facts]


def rewrites(files: Sequence[FileFacts]) -> list[Rewrite]:
    return [f for file in files for f in file.facts if isinstance(f, Rewrite)]


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


# --- Express: an API over several modules -----------------------------------------------------

API = "services/api/src/"
M = "services.api.src"  # the module of services/api/src/index.ts

EXPRESS_API = {
    API + "index.ts": """\
        import cors from 'cors';
        import express from 'express';
        import matches from './routes/matches';
        import { usersRouter } from './routes/users';
        import { createAdminRouter } from './routes/admin';
        import { registerHealth } from './health';
        import { requireAuth } from './middleware/auth';

        const app = express();

        app.get('env');
        app.disable('x-powered-by');
        app.use(cors({ origin: true }));
        app.use(express.json({ limit: '1mb' }));

        app.get('/ping', (_req, res) => res.send('pong'));
        app.use('/api/matches', requireAuth, matches);
        app.use('/api/users', usersRouter);
        app.use('/api/admin', createAdminRouter());
        app.use('/legacy', require('./legacy'));
        registerHealth(app);

        app.use((err, _req, res, _next) => res.status(500).json({ error: 'internal' }));

        export default app;
        """,
    API + "routes/matches.ts": """\
        import { Router } from 'express';
        import { listMatches, explain, reExplain } from '../controllers/matches';

        const router = Router();

        router.get('/', listMatches);
        router.get('/:id(\\\\d+)', async (req, res) => {
          res.json({ id: req.params.id });
        });
        router
          .route('/:id/explain/:jobId')
          .get(explain)
          .post(reExplain);

        export default router;
        """,
    API + "routes/users/index.ts": """\
        import rateLimit from 'express-rate-limit';
        import * as users from '../../controllers/users';
        import { requireAdmin } from '../../middleware/auth';
        const express = require('express');

        const router = express.Router();
        router.use(rateLimit({ windowMs: 60_000, max: 100 }));

        router.get('/:userId?', users.getUser);
        router.delete('/:userId', requireAdmin, [users.audit, users.validate], users.deleteUser);

        export { router as usersRouter };
        """,
    API + "routes/admin.ts": """\
        import { Router } from 'express';

        async function stats(_req, res) {
          res.json({});
        }

        export function createAdminRouter() {
          const router = Router();
          router.get('/stats', stats);
          return router;
        }
        """,
    API + "health.ts": """\
        import type { Express } from 'express';

        const ready = (_req, res) => res.send('ok');

        export function registerHealth(app: Express) {
          app.get('/ready', ready);
        }
        """,
    API + "legacy.js": """\
        const express = require('express');
        const router = express.Router();

        router.all('/*', function legacyProxy(req, res) {
          res.status(410).end();
        });

        module.exports = router;
        """,
    API + "controllers/matches.ts": """\
        export async function listMatches(req, res) { res.json([]); }
        export async function explain(req, res) { res.json({}); }
        export async function reExplain(req, res) { res.json({}); }
        """,
    API + "lib/client.ts": """\
        import axios from 'axios';
        import { useRouter } from 'next/router';

        const api = axios.create({ baseURL: '/api' });

        export async function load(map: Map<string, string>, cache: any) {
          await axios.get('/x', { timeout: 1000 });
          await api.post('/y', { a: 1 }, { timeout: 1000 });
          map.get('k');
          cache.post('/z', () => 1);
          return map.get('/users');
        }

        export function useGo() {
          const router = useRouter();
          router.push('/x');
          return router.get;
        }
        """,
}


def test_express_routes_are_composed_across_modules() -> None:
    files = analyze(EXPRESS_API)
    assert routes(files) == {
        ("GET", "/ping", f"{M}.<app.get>"),
        ("GET", "/api/matches", f"{M}.controllers.matches.listMatches"),
        ("GET", "/api/matches/{id}", f"{M}.routes.matches.<router.get>"),
        ("GET", "/api/matches/{id}/explain/{jobId}", f"{M}.controllers.matches.explain"),
        ("POST", "/api/matches/{id}/explain/{jobId}", f"{M}.controllers.matches.reExplain"),
        ("GET", "/api/users/{userId?}", f"{M}.controllers.users.getUser"),
        ("DELETE", "/api/users/{userId}", f"{M}.controllers.users.deleteUser"),
        ("GET", "/api/admin/stats", f"{M}.routes.admin.stats"),
        ("GET", "/ready", f"{M}.health.ready"),
        ("*", "/legacy/*", f"{M}.legacy.legacyProxy"),
    }
    # Every chain starts at the app: nothing is left waiting for a prefix.
    assert all(e.router is None for e in endpoints(files))
    assert {e.framework for e in endpoints(files)} == {"express"}
    assert {e.service for e in endpoints(files)} == {"api"}


def test_express_objects_are_named_as_other_modules_import_them() -> None:
    facts = [f for file in extract(EXPRESS_API) for f in file.facts]
    decls = {(d.ref, d.is_app) for d in facts if isinstance(d, RouterDecl)}
    assert decls == {
        (f"{M}:default", True),  # const app = express(); export default app
        (f"{M}.routes.matches:default", False),  # export default router
        (f"{M}.routes.users:usersRouter", False),  # export { router as usersRouter }
        (f"{M}.routes.admin:createAdminRouter()", False),  # returned by the factory
        (f"{M}.legacy:default", False),  # module.exports = router
    }
    mounts = {(m.parent, m.child, m.prefix) for m in facts if isinstance(m, RouterMount)}
    assert mounts == {
        (f"{M}:default", f"{M}.routes.matches:default", "/api/matches"),
        (f"{M}:default", f"{M}.middleware.auth:requireAuth", "/api/matches"),
        (f"{M}:default", f"{M}.routes.users:usersRouter", "/api/users"),
        (f"{M}:default", f"{M}.routes.admin:createAdminRouter()", "/api/admin"),
        (f"{M}:default", f"{M}.legacy:default", "/legacy"),
        (f"{M}:default", f"{M}.health:registerHealth($0)", ""),
    }


def test_express_paths_params_and_lines() -> None:
    files = analyze(EXPRESS_API)
    matches = API + "routes/matches.ts"
    by_id = one(files, "GET", "/api/matches/{id}")
    start = line(EXPRESS_API, matches, "router.get('/:id")
    assert by_id.location == Location(matches, start, start + 2)
    assert by_id.params == (EndpointParam("id", "path", None, True),)
    chained = one(files, "POST", "/api/matches/{id}/explain/{jobId}")
    # A chained verb starts on its own line, not on the line of `router`.
    at = line(EXPRESS_API, matches, ".post(reExplain)")
    assert chained.location == Location(matches, at, at)
    optional = one(files, "GET", "/api/users/{userId?}")
    assert optional.params == (EndpointParam("userId", "path", None, False),)
    ready = one(files, "GET", "/ready")
    at = line(EXPRESS_API, API + "health.ts", "app.get('/ready'")
    assert ready.location == Location(API + "health.ts", at, at)


def test_express_middleware_runs_in_registration_order() -> None:
    files = analyze(EXPRESS_API)
    # app-level uses before the mount, then the mount's own, then the router's, then the route's
    assert one(files, "DELETE", "/api/users/{userId}").middleware == (
        "cors",
        "express.json",
        "rateLimit",
        "requireAdmin",
        "users.audit",
        "users.validate",
    )
    assert one(files, "GET", "/api/matches").middleware == ("cors", "express.json", "requireAuth")
    assert one(files, "GET", "/ping").middleware == ("cors", "express.json")
    # The error handler (four parameters) is registered last and never in front of a route.
    assert all("<anonymous>" not in e.middleware for e in endpoints(files))
    assert {e.body_parser for e in endpoints(files)} == {"json"}


def test_express_traps_are_not_endpoints() -> None:
    files = analyze(EXPRESS_API)
    client = next(f for f in files if f.path.endswith("lib/client.ts"))
    assert not [f for f in client.facts if isinstance(f, Endpoint | RouterDecl | RouterMount)]
    # `app.get('env')` reads a setting: no endpoint at that line, and no path "env".
    assert all(e.path != "env" for e in endpoints(files))
    env_line = line(EXPRESS_API, API + "index.ts", "app.get('env')")
    assert all(e.location.line != env_line for e in endpoints(files))


# --- Express: body parsers in front of a Stripe webhook ---------------------------------------

WEBHOOKS = {
    API + "webhooks/index.ts": """\
        import { Router } from 'express';
        import { stripeWebhookHandler } from './stripe';

        export const webhooksRouter = Router();
        webhooksRouter.post('/stripe', stripeWebhookHandler);
        """,
    API + "webhooks/stripe.ts": """\
        import Stripe from 'stripe';

        const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');

        export async function stripeWebhookHandler(req, res) {
          const signature = req.headers['stripe-signature'];
          const event = stripe.webhooks.constructEvent(req.body, signature, 'whsec');
          res.json({ received: event.id });
        }
        """,
}
HANDLER = f"{M}.webhooks.stripe.stripeWebhookHandler"


def _app(body: str, router: bool = True) -> dict[str, str]:
    """An app whose `body` mounts the webhooks router, or (`router=False`) routes the handler."""
    header = """\
        import express from 'express';
        import bodyParser from 'body-parser';
        import { webhooksRouter } from './webhooks';
        import { stripeWebhookHandler } from './webhooks/stripe';

        const app = express();
        """
    tree = {API + "index.ts": dedent(header) + dedent(body), **WEBHOOKS}
    if not router:
        del tree[API + "webhooks/index.ts"]
    return tree


def test_raw_parser_mounted_before_json_keeps_the_bytes() -> None:
    tree = _app(
        """\
        app.use('/webhooks', express.raw({ type: 'application/json' }), webhooksRouter);
        app.use(express.json());
        """
    )
    hook = one(analyze(tree), "POST", "/webhooks/stripe")
    assert hook.handler == HANDLER
    assert hook.body_parser == "raw"
    assert hook.middleware == ("express.raw",)
    assert hook.location.path == API + "webhooks/index.ts"


def test_json_parser_mounted_before_the_raw_one_wins() -> None:
    tree = _app(
        """\
        app.use(express.json());
        app.use('/webhooks', express.raw({ type: 'application/json' }), webhooksRouter);
        """
    )
    hook = one(analyze(tree), "POST", "/webhooks/stripe")
    assert hook.handler == HANDLER
    assert hook.body_parser == "json"
    assert hook.middleware == ("express.json", "express.raw")


def test_route_level_raw_parser_runs_after_earlier_app_level_json() -> None:
    tree = _app(
        """\
        app.use(bodyParser.json());
        app.post('/stripe', express.raw({ type: 'application/json' }), stripeWebhookHandler);
        """,
        router=False,
    )
    hook = one(analyze(tree), "POST", "/stripe")
    assert (hook.handler, hook.body_parser) == (HANDLER, "json")
    assert hook.middleware == ("bodyParser.json", "express.raw")


def test_route_level_raw_parser_before_any_json_keeps_the_bytes() -> None:
    tree = _app(
        """\
        app.post('/stripe', express.raw({ type: 'application/json' }), stripeWebhookHandler);
        app.use(express.json());
        app.get('/after', stripeWebhookHandler);
        """,
        router=False,
    )
    files = analyze(tree)
    assert one(files, "POST", "/stripe").body_parser == "raw"
    assert one(files, "GET", "/after").body_parser == "json"


def test_path_scoped_parsers_apply_only_under_their_path() -> None:
    tree = _app(
        """\
        app.use('/webhooks', bodyParser.raw({ type: '*/*' }));
        app.use('/api', express.json());
        app.use(webhooksRouter);
        app.use('/api', webhooksRouter);
        """
    )
    files = analyze(tree)
    # Mounted at the root, the router's route sits at /stripe: neither scope covers it.
    assert one(files, "POST", "/stripe").body_parser is None
    assert one(files, "POST", "/stripe").middleware == ()
    assert one(files, "POST", "/api/stripe").body_parser == "json"


def test_no_parser_is_unknown_not_absent() -> None:
    tree = _app("app.use('/webhooks', webhooksRouter);\n")
    hook = one(analyze(tree), "POST", "/webhooks/stripe")
    assert (hook.body_parser, hook.middleware) == (None, ())


def test_parser_assigned_to_a_variable_and_required_body_parser() -> None:
    tree = {
        API + "index.js": """\
            const express = require('express');
            const jsonParser = require('body-parser').json();
            const app = express();
            app.post('/orders', jsonParser, function createOrder(req, res) { res.end(); });
            module.exports = app;
            """
    }
    order = one(analyze(tree), "POST", "/orders")
    assert (order.body_parser, order.middleware) == ("json", ("jsonParser",))
    assert order.handler == f"{M}.createOrder"


# --- Next.js ----------------------------------------------------------------------------------

NEXT_APP = {
    "pages/api/users/[id].ts": """\
        import type { NextApiRequest, NextApiResponse } from 'next';

        export default async function handler(req: NextApiRequest, res: NextApiResponse) {
          if (req.method === 'GET') {
            return res.json({ id: req.query.id });
          } else if (req.method === 'DELETE') {
            return res.status(204).end();
          }
          res.status(405).end();
        }
        """,
    "pages/api/index.js": """\
        export default function (req, res) {
          res.status(200).json({ ok: true });
        }
        """,
    "pages/api/docs/[...slug].js": """\
        function docs(request, response) {
          switch (request.method) {
            case 'GET':
            case 'HEAD':
              return response.end();
            default:
              return response.status(405).end();
          }
        }
        export default withSentry(docs);
        """,
    "pages/api/webhooks/stripe.ts": """\
        import type { NextApiRequest, NextApiResponse } from 'next';

        export const config = { api: { bodyParser: false } };

        const stripeWebhook = async (req: NextApiRequest, res: NextApiResponse) => {
          if (req.method !== 'POST') return res.status(405).end();
          res.json({ received: true });
        };

        export default stripeWebhook;
        """,
    "pages/api/lib/helpers.ts": """\
        export function paginate(items: unknown[]) { return items.slice(0, 10); }
        """,
    "app/api/orders/[orderId]/route.ts": """\
        import { NextResponse } from 'next/server';

        export async function GET(req: Request, { params }: { params: { orderId: string } }) {
          return NextResponse.json({ id: params.orderId });
        }

        export const POST = async (request: Request) => {
          const body = await request.json();
          return NextResponse.json(body, { status: 201 });
        };
        """,
    "app/(billing)/webhooks/stripe/route.ts": """\
        export async function POST(req: Request) {
          const payload = await req.text();
          return new Response(payload.length ? 'ok' : 'empty');
        }
        """,
    "app/_components/route.ts": """\
        export function GET() { return new Response('private folders are not routed'); }
        """,
    "app/dashboard/page.tsx": """\
        'use client';
        import { useRouter } from 'next/navigation';

        export default function Page() {
          const router = useRouter();
          return <button onClick={() => router.push('/x')}>go</button>;
        }
        """,
    "next.config.js": """\
        const CORE_API_URL = process.env.CORE_API_URL || 'http://localhost:4000';

        module.exports = {
          async rewrites() {
            return {
              beforeFiles: [
                { source: '/health', destination: `${CORE_API_URL}/health` },
              ],
              afterFiles: [
                { source: '/api/:path*', destination: `${CORE_API_URL}/api/:path*` },
              ],
              fallback: [
                { source: '/docs/:slug', destination: 'https://docs.example.com/:slug' },
              ],
            };
          },
        };
        """,
}


def test_next_pages_router_endpoints() -> None:
    files = analyze(NEXT_APP)
    pages = {e for e in routes(files) if e[1].startswith("/api/") or e[1] == "/api"}
    assert pages == {
        ("GET", "/api/users/{id}", "pages.api.users.[id].handler"),
        ("DELETE", "/api/users/{id}", "pages.api.users.[id].handler"),
        ("*", "/api", "pages.api.<anonymous>"),
        ("GET", "/api/docs/{slug:path}", "pages.api.docs.[...slug].docs"),
        ("HEAD", "/api/docs/{slug:path}", "pages.api.docs.[...slug].docs"),
        ("POST", "/api/webhooks/stripe", "pages.api.webhooks.stripe.stripeWebhook"),
        ("GET", "/api/orders/{orderId}", "app.api.orders.[orderId].route.GET"),
        ("POST", "/api/orders/{orderId}", "app.api.orders.[orderId].route.POST"),
    }
    users = one(files, "GET", "/api/users/{id}")
    at = line(NEXT_APP, "pages/api/users/[id].ts", "export default async function")
    assert users.location == Location("pages/api/users/[id].ts", at, at + 7)
    assert users.framework == "nextjs" and users.router is None
    assert users.params == (EndpointParam("id", "path", None, True),)
    # The pages router parses JSON bodies unless the route turns it off.
    assert users.body_parser == "json"
    assert one(files, "POST", "/api/webhooks/stripe").body_parser == "none"
    assert one(files, "GET", "/api/docs/{slug:path}").middleware == ("withSentry",)


def test_next_app_router_endpoints() -> None:
    files = analyze(NEXT_APP)
    orders = "app/api/orders/[orderId]/route.ts"
    get = one(files, "GET", "/api/orders/{orderId}")
    at = line(NEXT_APP, orders, "export async function GET")
    assert get.location == Location(orders, at, at + 2)
    assert get.body_parser is None  # reads no body
    assert one(files, "POST", "/api/orders/{orderId}").body_parser == "json"
    hook = one(files, "POST", "/webhooks/stripe")  # the route group is not in the URL
    assert hook.handler == "app.(billing).webhooks.stripe.route.POST"
    assert hook.body_parser == "none"  # req.text(): the handler keeps the raw bytes
    assert not [e for e in endpoints(files) if e.location.path.startswith("app/_components")]
    page = next(f for f in files if f.path == "app/dashboard/page.tsx")
    assert not [f for f in page.facts if isinstance(f, Endpoint)]


def test_next_rewrites_resolve_env_defaults() -> None:
    files = analyze(NEXT_APP)
    found = rewrites(files)
    default = (("CORE_API_URL", "http://localhost:4000"),)
    first = line(NEXT_APP, "next.config.js", "source: '/health'")
    assert found == [
        Rewrite(
            "web",
            Location("next.config.js", first, first),
            "/health",
            "{CORE_API_URL}/health",
            default,
        ),
        Rewrite(
            "web",
            Location("next.config.js", first + 3, first + 3),
            "/api/{*path}",
            "{CORE_API_URL}/api/{*path}",
            default,
        ),
        Rewrite(
            "web",
            Location("next.config.js", first + 6, first + 6),
            "/docs/{slug}",
            "https://docs.example.com/{slug}",
            (),
        ),
    ]


def test_next_rewrites_as_an_arrow_returning_an_array() -> None:
    tree = {
        "apps/shop/next.config.mjs": """\
            const target = process.env.API_ORIGIN ?? 'http://api:8000';
            const rules = [{ source: '/v1/:rest*', destination: `${target}/v1/:rest*` }];
            export default { rewrites: async () => [...rules] };
            """
    }
    found = rewrites(analyze(tree))
    assert [(r.service, r.source, r.destination, r.defaults) for r in found] == [
        ("shop", "/v1/{*rest}", "{API_ORIGIN}/v1/{*rest}", (("API_ORIGIN", "http://api:8000"),))
    ]


def test_app_router_under_src_with_optional_catch_all_and_exported_aliases() -> None:
    path = "apps/shop/src/app/(marketing)/promo/[[...code]]/route.ts"
    tree = {
        path: """\
            async function handler(req: Request) {
              const raw = await req.arrayBuffer();
              return new Response(String(raw.byteLength));
            }
            export { handler as GET, handler as HEAD };
            """
    }
    files = analyze(tree)
    module = "apps.shop.src.app.(marketing).promo.[[...code]].route"
    assert routes(files) == {
        ("GET", "/promo/{*code}", f"{module}.handler"),
        ("HEAD", "/promo/{*code}", f"{module}.handler"),
    }
    get = one(files, "GET", "/promo/{*code}")
    assert get.params == (EndpointParam("code", "path", None, False),)
    assert get.body_parser == "none"
    assert get.location == Location(path, 1, 4)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("pages/api/users/[id].ts", "/api/users/{id}"),
        ("src/pages/api/index.ts", "/api"),
        ("services/web/src/pages/api/a/[...slug].tsx", "/api/a/{slug:path}"),
        ("pages/api/users.test.ts", None),
        ("pages/about.tsx", None),
        ("lib/pages/apis.ts", None),
    ],
)
def test_pages_api_paths(path: str, expected: str | None) -> None:
    found = pages_api_path(path)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("app/route.ts", "/"),
        ("app/(shop)/cart/[[...items]]/route.js", "/cart/{*items}"),
        ("src/app/@modal/login/route.ts", "/login"),
        ("app/_lib/route.ts", None),
        ("app/users/page.tsx", None),
        ("src/application/route.ts", None),
    ],
)
def test_app_route_paths(path: str, expected: str | None) -> None:
    found = app_route_path(path)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/users/:id", "/users/{id}"),
        ("/users/:id?", "/users/{id?}"),
        ("/files/:path*", "/files/{*path}"),  # zero or more segments
        ("/files/:path+", "/files/{path:path}"),  # one or more
        ("/n/:id(\\d+)/x", "/n/{id}/x"),
        ("/static/*", "/static/*"),
        ("http://localhost:4000/api/:rest+", "http://localhost:4000/api/{rest:path}"),
    ],
)
def test_normalise_path(raw: str, expected: str) -> None:
    assert normalise_path(raw) == expected


# --- composition of middleware (language-agnostic) --------------------------------------------

AT = Location("m.ts", 1, 1)


def test_compose_applies_outer_mounts_first_and_only_where_the_scope_covers() -> None:
    app, api, hooks = "m:app", "m:api", "n:hooks"
    facts: tuple[Fact, ...] = (
        RouterDecl("svc", AT, app, "", "express", True),
        RouterMount(
            "svc",
            AT,
            app,
            api,
            "/api",
            middleware=(
                Middleware("express.raw", "/api/webhooks", "raw"),
                Middleware("express.json", "", "json"),
                Middleware("admin", "/admin"),
            ),
        ),
        RouterMount("svc", AT, api, hooks, "/webhooks", middleware=(Middleware("auth", "/"),)),
        Endpoint("svc", AT, "POST", "/stripe", "h", "express", router=hooks, middleware=("own",)),
        Endpoint("svc", AT, "GET", "/status", "s", "express", router=api, body_parser="text"),
    )
    composed = compose_endpoints([FileFacts("m.ts", "svc", "typescript", facts)])
    found = {
        (e.path, e.body_parser, e.middleware) for e in composed[0].facts if isinstance(e, Endpoint)
    }
    assert found == {
        ("/api/webhooks/stripe", "raw", ("express.raw", "express.json", "auth", "own")),
        ("/api/status", "json", ("express.json",)),
    }


# --- the engine's own path and the example ----------------------------------------------------


def _engine(tree: Mapping[str, str]) -> list[Endpoint]:
    snapshot = MemorySnapshot(tree)
    entries = snapshot.entries()
    config = Config()
    services = resolve_services(config, entries, manifest_reader([(entries, snapshot.read)]))
    analyzer = FileAnalyzer(default_extractors(), MemoryFactCache(), config.max_file_size)
    facts = analyze_trees([snapshot], analyzer, services, config, DEFAULT_COMPOSERS)[0][0]
    return list(facts.of_type(Endpoint))


def test_the_example_marketplace_endpoints() -> None:
    tree = {
        str(p.relative_to(EXAMPLE)): p.read_text()
        for p in EXAMPLE.rglob("*")
        if p.is_file() and "node_modules" not in p.parts
    }
    found = [e for e in _engine(tree) if e.framework in ("express", "nextjs")]
    core = "services.core-api.src"
    assert {(e.service, e.method, e.path, e.handler) for e in found} == {
        (
            "core-api",
            "POST",
            "/api/webhooks/stripe",
            f"{core}.webhooks.stripe.stripeWebhookHandler",
        ),
        ("core-api", "GET", "/health", f"{core}.<app.get>"),
        ("core-api", "POST", "/api/matches", f"{core}.routes.matches.<matchesRouter.post>"),
        ("core-api", "POST", "/api/matches/rescore", f"{core}.routes.matches.<matchesRouter.post>"),
        (
            "core-api",
            "GET",
            "/api/matches/{id}/explain/{jobId}",
            f"{core}.routes.matches.<matchesRouter.get>",
        ),
        ("core-api", "GET", "/api/matches/{id}", f"{core}.routes.matches.<matchesRouter.get>"),
    }
    hook = next(e for e in found if e.path == "/api/webhooks/stripe")
    # express.json() is registered before the route's express.raw(): the bytes are gone.
    assert hook.body_parser == "json"
    assert hook.middleware == ("cors", "express.json", "express.raw")
    assert all(e.router is None for e in found)


def test_local_factories_and_class_routers_mount_middleware_calls_do_not() -> None:
    tree = {
        API + "server.ts": """\
            import express, { Router } from 'express';
            import { UserRoutes } from './user-routes';

            function buildApi() {
              const api = Router();
              api.get('/items', (req, res) => res.json([]));
              return api;
            }
            function limiter() {
              return (req, res, next) => next();
            }

            async function main() {
              const app = express();
              app.use(limiter());
              app.use('/api', buildApi());
              app.use('/users', new UserRoutes().router);
              app.listen(3000);
            }
            """,
        API + "user-routes.ts": """\
            import { Router } from 'express';

            export class UserRoutes {
              public router = Router();
              constructor() {
                this.router.get('/me', this.me);
              }
              me(req, res) {
                res.json({});
              }
            }
            """,
    }
    files = analyze(tree)
    assert routes(files) == {
        ("GET", "/api/items", f"{M}.server.buildApi.<api.get>"),
        ("GET", "/users/me", f"{M}.user-routes.UserRoutes.me"),
    }
    assert one(files, "GET", "/users/me").middleware == ("limiter",)
    mounts = {(m.parent, m.child) for m in facts(files) if isinstance(m, RouterMount)}
    assert mounts == {
        (f"{M}.server:main.app", f"{M}.server:buildApi()"),
        (f"{M}.server:main.app", f"{M}.user-routes:UserRoutes.router"),
    }


def test_other_frameworks_with_the_same_method_names_are_not_express() -> None:
    tree = {
        API + "koa.ts": """\
            import Router from '@koa/router';
            const router = new Router();
            router.get('/koa', (ctx, next) => { ctx.body = 'x'; });
            export default router;
            """,
        API + "hono.ts": """\
            import { Hono } from 'hono';
            import { handler } from './handlers';
            const app = new Hono();
            app.get('/hono', (c) => c.text('x'));
            app.post('/hono', handler);
            """,
        API + "register.js": """\
            module.exports = function (server) {
              server.get('/untyped', (c) => c.text('x'));
            };
            """,
    }
    assert endpoints(analyze(tree)) == []
