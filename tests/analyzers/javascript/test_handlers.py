"""What Express and Next.js handlers read from the request and answer, on their endpoints.

Each test runs the whole extractor over one realistic route file and states,
per endpoint, the exact params (path params first, then the handler's reads in
the order first read), request and response models and status code.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from analyzers.facts import DataModel, Endpoint, EndpointParam
from analyzers.javascript.context import JsContext
from analyzers.javascript.handlers import NO_CONTRACT, handler_contract
from analyzers.javascript.module import FUNCTION_TYPES, JsModule
from analyzers.javascript.parsing import dialect
from analyzers.javascript.types import parameters
from analyzers.javascript.values import Values
from tests.analyzers.javascript.facts import facts_of
from tests.analyzers.javascript.real_code import node_sample_review

ROOT = Path(__file__).resolve().parents[3]
Shape = tuple[tuple[EndpointParam, ...], str | None, str | None, int | None]


def contracts(path: str, source: str) -> dict[tuple[str, str], Shape]:
    """(method, path) -> (params, request model, response model, status code)."""
    found: dict[tuple[str, str], Shape] = {}
    for e in facts_of(Endpoint, path, source):
        assert (e.method, e.path) not in found, (e.method, e.path)
        found[e.method, e.path] = (e.params, e.request_model, e.response_model, e.status_code)
    return found


def path(name: str) -> EndpointParam:
    return EndpointParam(name, "path", None, True)


def query(name: str, required: bool = False) -> EndpointParam:
    return EndpointParam(name, "query", None, required)


def body(name: str, required: bool = False) -> EndpointParam:
    return EndpointParam(name, "body", None, required)


def header(name: str, required: bool = False) -> EndpointParam:
    return EndpointParam(name, "header", None, required)


API = "services/api/src/routes/jobs.ts"
M = "services.api.src.routes.jobs"
TYPES = "services.api.src.types"


def test_express_query_body_and_header_reads() -> None:
    found = contracts(
        API,
        """
        import { Router } from 'express';

        export const jobs = Router();

        jobs.get('/jobs', async (req, res) => {
          const { page = '1', limit: size, q, tag } = req.query;
          const sort = req.query.sort ?? 'created';
          const dir = req.query['dir'];
          const cursor = req.query.cursor || null;
          const ids = req.query.ids.split(',');
          const key = req.headers['X-Api-Key'];
          const trace = req.get('X-Trace-Id');
          const lang = req.header('Accept-Language');
          if (q) console.log(q);
          res.json(await search({ page, size, sort, dir, cursor, ids, key, trace, lang, tag }));
        });

        jobs.post('/jobs/:id/apply', (req, res) => {
          const { candidateId, letter = '', answers } = req.body;
          if (!candidateId) {
            return res.status(400).json({ error: 'candidateId is required' });
          }
          for (const answer of answers) check(answer);
          const { source } = req.body;
          const note = req.body.note?.trim();
          res.status(201).json({ ok: true, id: req.params.id });
        });
        """,
    )
    assert found["GET", "/jobs"] == (
        (
            query("page"),  # a default in the pattern
            query("limit"),  # renamed, passed on: what the callee tolerates is unknown
            query("q"),  # tested, never rejected: optional
            query("tag"),
            query("sort"),  # `??`
            query("dir"),
            query("cursor"),  # `||`
            query("ids", required=True),  # dereferenced: absent, the handler throws
            header("x-api-key"),  # header names as Node hands them over: lower case
            header("x-trace-id"),
            header("accept-language"),
        ),
        None,
        None,
        None,
    )
    assert found["POST", "/jobs/{id}/apply"] == (
        (
            path("id"),
            body("candidateId", required=True),  # missing: the handler answers 400
            body("letter"),
            body("answers", required=True),  # iterated with for...of
            body("source"),
            body("note"),  # read through `?.`
        ),
        None,
        None,
        201,
    )


def test_express_typed_request_and_response_generics() -> None:
    found = contracts(
        API,
        """
        import express, { Request, Response, RequestHandler } from 'express';
        import type { Job, JobList, NewJob } from '../types';

        const router = express.Router();
        interface JobParams { id: string }
        interface Created { id: string }

        router.get('/jobs', async (req: Request<{}, JobList>, res: Response<JobList>) => {
          res.json(await list());
        });

        async function update(
          req: express.Request<JobParams, Job, Partial<NewJob>>,
          res: express.Response,
        ) {
          const { title } = req.body;
          res.json(await save(req.params.id, title));
        }
        router.put('/jobs/:id', update);

        export const create: RequestHandler<{}, Created, NewJob> = async (req, res) => {
          res.status(201).json({ id: await insert(req.body) });
        };
        router.post('/jobs', create);

        router.get('/jobs/:id', async (req: Request<JobParams>, res: Response<Job[]>) => {
          res.json([]);
        });
        export default router;
        """,
    )
    assert found["GET", "/jobs"] == ((), None, f"{TYPES}.JobList", None)
    assert found["PUT", "/jobs/{id}"] == (
        (path("id"), body("title")),
        f"Partial<{TYPES}.NewJob>",
        f"{TYPES}.Job",
        None,
    )
    assert found["POST", "/jobs"] == ((), f"{TYPES}.NewJob", f"{M}.Created", 201)
    assert found["GET", "/jobs/{id}"] == ((path("id"),), None, f"{TYPES}.Job[]", None)


def test_a_response_union_with_error_bodies_names_the_success_model() -> None:
    found = contracts(
        API,
        """
        import express, { Request, Response } from 'express';
        import type { Job, ApiError } from '../types';

        interface ErrorBody { error: string }
        const router = express.Router();

        router.get('/jobs/:id', async (req: Request, res: Response<Job | ErrorBody>) => {
          res.json(await find(req.params.id));
        });
        router.get('/jobs', async (req: Request, res: Response<Array<Job> | ApiError>) => {
          res.json(await list());
        });
        // Not a model and its error body: either may come back, nothing certain to compare.
        router.get('/maybe', async (req: Request, res: Response<Job | null>) => {
          res.json(null);
        });
        router.get('/either', async (req: Request, res: Response<Job | Job[]>) => {
          res.json([]);
        });
        export default router;
        """,
    )
    assert found["GET", "/jobs/{id}"][2] == f"{TYPES}.Job"
    assert found["GET", "/jobs"][2] == f"{TYPES}.Job[]"
    assert found["GET", "/maybe"][2] is None
    assert found["GET", "/either"][2] is None


def test_express_body_types_named_by_casts_annotations_and_zod() -> None:
    source = """
        import { Router } from 'express';
        import { z } from 'zod';
        import { validate } from '../middleware/validate';
        import { MatchRequestSchema } from '@/schemas';

        export const router = Router();

        const CreateJob = z.object({ title: z.string(), tags: z.array(z.string()).optional() });
        interface CreateMatchesBody { candidateId?: string; jobIds?: string[] }

        router.post('/cast', (req, res) => {
          const { candidateId, jobIds } = req.body as CreateMatchesBody;
          res.json(rank(candidateId, jobIds));
        });

        router.post('/annotated', (req, res) => {
          const input: CreateMatchesBody = req.body;
          res.json(rank(input.candidateId));
        });

        router.post('/parsed', (req, res) => {
          const { title, tags = [] } = CreateJob.parse(req.body);
          res.status(201).json(create(title, tags));
        });

        router.post('/safe', (req, res) => {
          const parsed = MatchRequestSchema.safeParse(req.body);
          if (!parsed.success) return res.status(400).json(parsed.error);
          res.json(match(parsed.data.candidateId));
        });

        router.post('/validated', validate(CreateJob), (req, res) => {
          res.json(create(req.body.title));
        });

        router.post('/validated-object', validate({ body: CreateJob }), (req, res) => {
          res.json(create(req.body));
        });

        router.get('/query-only', validate(CreateJob, 'query'), (req, res) => {
          res.json(find(req.query.title));
        });

        router.post('/inline', (req, res) => {
          const { a } = req.body as { a?: string };
          res.json(a);
        });
        """
    found = contracts(API, source)
    assert found["POST", "/cast"] == (
        (body("candidateId"), body("jobIds")),
        f"{M}.CreateMatchesBody",
        None,
        None,
    )
    assert found["POST", "/annotated"] == (
        (body("candidateId"),),
        f"{M}.CreateMatchesBody",
        None,
        None,
    )
    assert found["POST", "/parsed"] == ((body("title"), body("tags")), f"{M}.CreateJob", None, 201)
    # `@/` is the src folder the file lives under
    assert found["POST", "/safe"] == (
        (body("candidateId"),),
        "services.api.src.schemas.MatchRequestSchema",
        None,
        None,
    )
    assert found["POST", "/validated"] == ((body("title"),), f"{M}.CreateJob", None, None)
    assert found["POST", "/validated-object"] == ((), f"{M}.CreateJob", None, None)
    assert found["GET", "/query-only"] == ((query("title"),), None, None, None)
    assert found["POST", "/inline"] == ((body("a"),), None, None, None)  # not a named type
    # The names are those of the models the same file declares.
    models = {m.name for m in facts_of(DataModel, API, source)}
    assert {f"{M}.CreateJob", f"{M}.CreateMatchesBody"} <= models


def test_express_response_models_and_status_codes() -> None:
    found = contracts(
        API,
        """
        import { Router } from 'express';
        import type { Job, JobList } from '../types';

        export const router = Router();

        router.get('/cast', (req, res) => res.json(load() as Job));

        router.get('/declared', async (req, res) => {
          const jobs: Job[] = await load();
          if (!jobs.length) return res.status(404).json({ error: 'none' });
          res.json(jobs);
        });

        router.get('/generic-array', async (req, res) => {
          const out: Array<Job> = await load();
          return res.status(200).send(out);
        });

        router.get('/conflicting', async (req, res) => {
          if (req.query.one) return res.json(load() as Job);
          return res.json(load() as JobList);
        });

        router.delete('/jobs/:id', async (req, res) => {
          await remove(req.params.id);
          res.sendStatus(204);
        });

        router.post('/assigned', (req, res) => {
          res.statusCode = 202;
          res.end();
        });

        router.get('/unknown', async (req, res) => {
          const { data } = await db.from('jobs').select();
          res.json(data);
        });
        """,
    )
    assert found["GET", "/cast"] == ((), None, f"{TYPES}.Job", None)
    assert found["GET", "/declared"] == ((), None, f"{TYPES}.Job[]", None)  # 404 is no success
    assert found["GET", "/generic-array"] == ((), None, f"{TYPES}.Job[]", 200)
    assert found["GET", "/conflicting"] == ((query("one"),), None, None, None)
    assert found["DELETE", "/jobs/{id}"] == ((path("id"),), None, None, 204)
    assert found["POST", "/assigned"] == ((), None, None, 202)
    assert found["GET", "/unknown"] == ((), None, None, None)


def test_express_named_wrapped_and_aliased_handlers() -> None:
    found = contracts(
        "services/api/src/app.js",
        """
        const express = require('express');
        const asyncHandler = require('express-async-handler');
        const { listUsers } = require('./controllers/users');
        const app = express();

        function list(req, res) {
          const limit = parseInt(req.query.limit, 10) || 20;
          const offset = req.query.offset ? Number(req.query.offset) : 0;
          res.json(items(limit, offset, req.cookies.session));
        }

        app.get('/items', list);
        app.get('/users', listUsers);
        app.post('/login', asyncHandler(async function (req, res) {
          const { email, password, remember = false } = req.body;
          if (!email || typeof password !== 'string') {
            return res.status(400).json({ message: 'missing' });
          }
          res.status(201).send(await login(email.toLowerCase(), password, remember));
        }));
        app.get('/search', ({ query, headers: { authorization } }, res) => {
          const q = query;
          res.json(find(q.term.trim(), authorization));
        });
        app.get('/shadowed', (req, res) => {
          [1, 2].map((req) => req.query.nope);
          res.json(req.body);
        });
        """,
    )
    assert found["GET", "/items"] == (
        (query("limit"), query("offset"), EndpointParam("session", "cookie", None, False)),
        None,
        None,
        None,
    )
    assert found["GET", "/users"] == ((), None, None, None)  # another module's function
    assert found["POST", "/login"] == (
        (body("email", required=True), body("password", required=True), body("remember")),
        None,
        None,
        201,
    )
    assert found["GET", "/search"] == (
        (query("term", required=True), header("authorization")),
        None,
        None,
        None,
    )
    assert found["GET", "/shadowed"] == ((), None, None, None)


def test_next_app_router_handlers() -> None:
    found = contracts(
        "apps/web/src/app/api/orders/[id]/route.ts",
        """
        import { NextRequest, NextResponse } from 'next/server';
        import { headers } from 'next/headers';
        import { OrderSchema } from '@/lib/schemas';
        import type { Order, OrderList } from '@/lib/types';

        export async function GET(request: NextRequest) {
          const searchParams = request.nextUrl.searchParams;
          const page = Number(searchParams.get('page') ?? '1');
          const status = searchParams.get('status');
          const tenant = request.headers.get('X-Tenant');
          const locale = (await headers()).get('accept-language');
          if (!status) return NextResponse.json({ error: 'status' }, { status: 400 });
          const orders: OrderList = await list(page, status, tenant, locale);
          return NextResponse.json(orders);
        }

        export async function POST(req: Request): Promise<NextResponse<Order>> {
          const { customerId, items, note = '' } = await req.json();
          const { searchParams } = new URL(req.url);
          const dryRun = searchParams.has('dryRun');
          const order = await create(customerId, items.length, note, dryRun);
          return NextResponse.json(order, { status: 201 });
        }

        export const PUT = async (req: Request) => {
          const input = OrderSchema.parse(await req.json());
          const saved = await save(input.id);
          return new Response(JSON.stringify(saved as Order), { status: 200 });
        };

        export async function PATCH(req: Request) {
          const patch = (await req.json()) as Partial<Order>;
          return Response.json(await apply(patch.status));
        }

        export async function DELETE() {
          return new Response(null, { status: 204 });
        }
        """,
    )
    lib = "apps.web.src.lib"
    assert found["GET", "/api/orders/{id}"] == (
        (
            path("id"),
            query("page"),
            query("status", required=True),  # missing: 400
            header("x-tenant"),
            header("accept-language"),
        ),
        None,
        f"{lib}.types.OrderList",
        None,
    )
    assert found["POST", "/api/orders/{id}"] == (
        (
            path("id"),
            body("customerId"),
            body("items", required=True),
            body("note"),
            query("dryRun"),
        ),
        None,
        f"{lib}.types.Order",
        201,
    )
    assert found["PUT", "/api/orders/{id}"] == (
        (path("id"), body("id")),
        f"{lib}.schemas.OrderSchema",
        f"{lib}.types.Order",
        200,
    )
    assert found["PATCH", "/api/orders/{id}"] == (
        (path("id"), body("status")),
        f"Partial<{lib}.types.Order>",
        None,
        None,
    )
    assert found["DELETE", "/api/orders/{id}"] == ((path("id"),), None, None, 204)


def test_next_pages_router_handler() -> None:
    found = contracts(
        "apps/web/pages/api/users/[id].ts",
        """
        import type { NextApiRequest, NextApiResponse } from 'next';
        import type { User } from '../../../lib/types';

        export default async function handler(req: NextApiRequest, res: NextApiResponse<User>) {
          const { id, expand } = req.query;
          if (req.method !== 'PATCH') return res.status(405).end();
          const { name } = req.body as Partial<User>;
          res.status(200).json(await update(id as string, expand === 'true', name));
        }
        """,
    )
    # `id` is the path's segment, which Next.js puts in `req.query` too.
    assert found["PATCH", "/api/users/{id}"] == (
        (path("id"), query("expand"), body("name")),
        "Partial<apps.web.lib.types.User>",
        "apps.web.lib.types.User",
        200,
    )


def test_the_example_marketplace_handlers() -> None:
    rel = "services/core-api/src/routes/matches.ts"
    source = (ROOT / "examples/marketplace/head" / rel).read_text()
    found = contracts(rel, source)
    model = "services.core-api.src.routes.matches.CreateMatchesBody"
    assert found["POST", "/"] == (
        # candidateId and jobIds are refused with a 400 when missing; limit is passed on
        (body("candidateId", True), body("jobIds", True), body("limit")),
        model,
        None,
        201,
    )
    # `{ candidateId?: string }` is written inline: no model to name
    assert found["POST", "/rescore"] == ((body("candidateId", True),), None, None, 201)
    assert found["GET", "/{id}/explain/{jobId}"] == ((path("id"), path("jobId")), None, None, None)
    assert found["GET", "/{id}"] == ((path("id"),), None, None, None)


def test_a_zod_body_names_the_shared_schema_model() -> None:
    fixture = ROOT / "tests/fixtures/js_contracts"
    rel = "services/core-api/src/routes/matches.ts"
    found = contracts(rel, (fixture / rel).read_text())
    schemas = "packages/shared/src/schemas.ts"
    models = {m.name for m in facts_of(DataModel, schemas, (fixture / schemas).read_text())}
    model = "packages.shared.src.schemas.MatchRequestSchema"
    assert found["POST", "/matches"] == ((), model, None, None)
    assert model in models


def test_non_functions_have_no_contract() -> None:
    module = JsModule("x.ts", b"const x = 1;", "typescript")
    ctx = JsContext(module, Values(module), "svc", "const x = 1;")
    assert handler_contract(ctx, None) is NO_CONTRACT
    assert handler_contract(ctx, module.root) is NO_CONTRACT


_REQUEST_PARAM = re.compile(rb"\(\s*(req|request)\b")


def test_real_functions_taking_a_request_read_without_failing() -> None:
    """Every function of the real sample whose first parameter is `req` or `request` (the
    Express, Connect and Next internals among them), read as a handler both ways."""
    run = node_sample_review()
    sources = {"query", "body", "header", "cookie", "form"}
    read = 0
    started = time.process_time()
    for path, data in run.data.items():
        if not isinstance(data, bytes) or not _REQUEST_PARAM.search(data):
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        module = JsModule(path, data, dialect(path))
        ctx = JsContext(module, Values(module), "nm", text)
        for found in _REQUEST_PARAM.finditer(data):
            node = module.root.named_descendant_for_byte_range(found.start(1), found.end(1))
            while node is not None and node.type not in FUNCTION_TYPES:
                node = node.parent if node.type in _PARAMETER_PARTS else None
            params = parameters(node) if node is not None else []
            if not params or params[0][0] not in ("req", "request"):
                continue
            for app_router in (False, True):
                contract = handler_contract(ctx, node, app_router=app_router)
                assert all(p.source in sources and p.name for p in contract.params), path
                keys = [(p.source, p.name) for p in contract.params]
                assert len(keys) == len(set(keys)), path
                assert contract.status_code is None or 200 <= contract.status_code < 300
            read += 1
    seconds = time.process_time() - started
    print(f"\n{read} real functions taking a request read as handlers in {seconds:.1f} s")
    assert read >= 100, "the sample no longer holds request handlers: the test tests nothing"


_PARAMETER_PARTS = frozenset(
    {"identifier", "required_parameter", "optional_parameter", "formal_parameters"}
)
