"""Ports a JavaScript/TypeScript server's own code listens on (`javascript/listeners.py`)."""

from __future__ import annotations

import re

import pytest

from analyzers.facts import Listener, Location
from analyzers.javascript import FAMILIES, listeners
from analyzers.javascript.prefilter import may_hold_facts
from tests.analyzers.javascript.facts import facts_of
from tests.analyzers.javascript.node_corpus import installed_corpus

SERVER = """
import express from 'express';
import http from 'http';
import Fastify from 'fastify';

const app = express();
const PORT = process.env.PORT ?? 4000;
const ADMIN_PORT = Number(process.env.ADMIN_PORT) || 4001;
const config = { server: { port: parseInt(process.env.METRICS_PORT || '4002', 10) } };

app.listen(PORT, () => {
  console.log(`listening on ${PORT}`);
});
app.listen(ADMIN_PORT);
http.createServer(app).listen(config.server.port);

const fastify = Fastify({ logger: true });
await fastify.listen({ port: 3000, host: '0.0.0.0' });
const port = +(process.env.WS_PORT || 3001);
wss.listen({ port });

app.listen(process.env.PORT);  // the platform's port: not known here
app.listen(0);                 // any free port
emitter.listen('message');     // not a server
"""


def test_listen_calls_and_the_defaults_they_fall_back_to() -> None:
    path = "services/api/src/server.ts"
    assert facts_of(Listener, path, SERVER, service="api") == [
        Listener("api", Location(path, 10, 12), 4000, "code", ""),
        Listener("api", Location(path, 13, 13), 4001, "code", ""),
        Listener("api", Location(path, 14, 14), 4002, "code", ""),
        Listener("api", Location(path, 17, 17), 3000, "code", ""),
        Listener("api", Location(path, 19, 19), 3001, "code", ""),
    ]


@pytest.mark.parametrize(
    ("source", "ports"),
    [
        ("require('http').createServer(handler).listen(8080);", [8080]),
        ("const server = app.listen(Number(process.env.PORT || 5000));", [5000]),
        ("const port = process.env.PORT || '3000';\nserver.listen(port, '0.0.0.0');", [3000]),
        ("Bun.serve({ port: 3002, fetch(req) { return new Response('ok'); } });", [3002]),
        ("Deno.serve({ port: 8001 }, (_req) => new Response('ok'));", [8001]),
        (
            "import { serve } from '@hono/node-server';\nserve({ fetch: app.fetch, port: 8787 });",
            [8787],
        ),
        ("serve(app);", []),
        ("app.listen(getPort());", []),
        ("app.listen(70000);", []),
        ("// app.listen(4000) in a comment\nconst x = 1;", []),
        ("const s = '.listen(4000)';", []),
    ],
)
def test_listen_forms(source: str, ports: list[int]) -> None:
    assert [f.port for f in facts_of(Listener, "svc/index.js", source)] == ports


def test_test_servers_are_not_the_service() -> None:
    source = "import app from '../src/app';\nconst server = app.listen(4000);\n"
    assert facts_of(Listener, "svc/src/app.test.ts", source) == []
    assert facts_of(Listener, "svc/tests/helpers/server.ts", source) == []


def test_a_file_that_only_listens_passes_the_prefilter() -> None:
    assert listeners.extract in FAMILIES
    assert may_hold_facts("const s = require('net').createServer(h);\ns.listen(7000);\n")
    assert may_hold_facts("Bun.serve({ port: 3000, fetch: handle });\n")


# Files of the pinned npm tree that start servers in their code, none on a port the code fixes:
# a CLI flag (`next start -p`), a parameter, the options given, or 0 (any free port).
REAL_SERVERS = (
    "next/dist/server/lib/start-server.js",
    "next/dist/build/analyze/index.js",
    "next/dist/cli/internal/turbo-trace-server.js",
    "next/dist/server/lib/worker-utils.js",
    "next/dist/experimental/testmode/proxy/server.js",
    "ws/lib/websocket-server.js",
)
_LISTEN_CALL = re.compile(r"^[^*/\n]*\.listen\(", re.MULTILINE)


@pytest.mark.parametrize("relative", REAL_SERVERS)
def test_real_servers_whose_port_is_not_in_their_code(relative: str) -> None:
    text = (installed_corpus() / relative).read_text("utf-8")
    assert _LISTEN_CALL.search(text), "the pinned file no longer calls listen"
    assert facts_of(Listener, f"nm/{relative}", text) == []
