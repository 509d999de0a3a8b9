"""Catch-all routes, read from real framework syntax, take the whole rest of a call's path.

Each framework spells "the rest of the path" its own way; the extractors keep it as a
catch-all so that a call to `/files/2024/report.pdf` links to `/files/{path:path}` and is
not reported as a call to a missing route (a false critical, the worst kind).
"""

from __future__ import annotations

import pytest

from analyzers.rules import ALL_RULES
from analyzers.rules.base import Example
from tests.analyzers.examples import review_example

CALLER = {
    "services/api/package.json": '{"name": "api", "dependencies": {"express": "4"}}',
    "services/api/src/files.ts": (
        "const ENGINE = process.env.ENGINE_URL ?? 'http://localhost:8000';\n"
        "export async function report(year: string, name: string) {\n"
        "  const res = await fetch(`${ENGINE}/files/${year}/reports/${name}`, {\n"
        "    signal: AbortSignal.timeout(5000),\n"
        "  });\n"
        "  return res.json();\n"
        "}\n"
    ),
}
FASTAPI = {
    "services/engine/requirements.txt": "fastapi\n",
    "services/engine/main.py": (
        "from fastapi import FastAPI\n"
        "app = FastAPI()\n\n"
        '@app.get("/files/{file_path:path}")\n'
        "def read(file_path: str) -> dict[str, str]:\n"
        '    return {"path": file_path}\n'
    ),
}
FLASK = {
    "services/engine/requirements.txt": "flask\n",
    "services/engine/main.py": (
        "from flask import Flask\n"
        "app = Flask(__name__)\n\n"
        '@app.get("/files/<path:file_path>")\n'
        "def read(file_path):\n"
        '    return {"path": file_path}\n'
    ),
}
EXPRESS = {
    "services/engine/package.json": '{"name": "engine", "dependencies": {"express": "4"}}',
    "services/engine/src/index.js": (
        "const express = require('express');\n"
        "const app = express();\n"
        "app.get('/files/:rest+', (req, res) => res.json({ rest: req.params.rest }));\n"
        "app.listen(8000);\n"
    ),
}
NEXT = {
    "services/engine/package.json": '{"name": "engine", "dependencies": {"next": "14"}}',
    "services/engine/app/files/[...rest]/route.ts": (
        "export async function GET(request: Request) {\n  return Response.json({ ok: true });\n}\n"
    ),
}


@pytest.mark.parametrize(
    "engine", [FASTAPI, FLASK, EXPRESS, NEXT], ids=["fastapi", "flask", "express", "next"]
)
def test_a_call_deeper_than_one_segment_links_to_the_catch_all(engine: dict[str, str]) -> None:
    review = review_example(Example(head={**CALLER, **engine}), ALL_RULES)
    edges = [e for e in review.edges if e.source == "api"]
    assert [(e.target, e.method, e.status) for e in edges] == [("engine", "GET", "matched")]
    assert not [f for f in review.findings if f.rule == "FLOW301"]
