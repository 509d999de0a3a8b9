"""Ports a Python server's own code listens on (`analyzers/python/listeners.py`)."""

from __future__ import annotations

import sysconfig
from pathlib import Path
from textwrap import dedent

import pytest

from analyzers.extract import SourceFile
from analyzers.facts import Listener, Location
from analyzers.python import FAMILIES, PythonExtractor, listeners
from analyzers.python.prefilter import may_hold_facts


def listeners_of(source: str, path: str = "services/engine/main.py") -> list[Listener]:
    text = dedent(source).lstrip("\n")
    found = PythonExtractor().extract(SourceFile(path, "engine", "python", text))
    return [f for f in found if isinstance(f, Listener)]


MAIN = """
import os

import uvicorn

from app.main import app

PORT = int(os.getenv("PORT", "8001"))


def main() -> None:
    uvicorn.run(
        "app.main:app",
        host="0.0.0.0",
        port=int(os.getenv("PORT", "8001")),
        reload=False,
    )


if __name__ == "__main__":
    uvicorn.run(app, port=PORT)
    uvicorn.run(app, port=int(os.environ.get("ADMIN_PORT", 8002)))
    uvicorn.run(app, port=int(os.environ["PORT"]))  # no default: not known here
"""


def test_uvicorn_run_with_the_port_the_environment_defaults_to() -> None:
    path = "services/engine/main.py"
    # A file that imports none of the frameworks: only its listeners make it worth parsing.
    assert may_hold_facts(path, dedent(MAIN))
    assert listeners_of(MAIN) == [
        Listener("engine", Location(path, 11, 16), 8001, "code", ""),
        Listener("engine", Location(path, 20, 20), 8001, "code", ""),
        Listener("engine", Location(path, 21, 21), 8002, "code", ""),
    ]


@pytest.mark.parametrize(
    ("source", "ports"),
    [
        ("from flask import Flask\napp = Flask(__name__)\napp.run(port=5000)\n", [5000]),
        ("from run import app\napp.run('0.0.0.0', 5001, debug=True)\n", [5001]),
        ("from aiohttp import web\nweb.run_app(make_app(), port=8080)\n", [8080]),
        ("from aiohttp import web\nsite = web.TCPSite(runner, '0.0.0.0', 8081)\n", [8081]),
        ("from waitress import serve\nserve(app, listen='*:8082')\n", [8082]),
        ("import waitress\nwaitress.serve(app, host='0.0.0.0', port=8083)\n", [8083]),
        (
            "from http.server import HTTPServer, BaseHTTPRequestHandler\n"
            "HTTPServer(('', 8000), BaseHTTPRequestHandler).serve_forever()\n",
            [8000],
        ),
        (
            "import socketserver\nPORT = 8004\n"
            "with socketserver.TCPServer(('', PORT), Handler) as httpd:\n"
            "    httpd.serve_forever()\n",
            [8004],
        ),
        (
            "from wsgiref.simple_server import make_server\nmake_server('', 8005, app)\n",
            [8005],
        ),
        ("import uvicorn\nconfig = uvicorn.Config(app, port=8006)\n", [8006]),
        ("import tornado.web\napp = make_app()\napp.listen(8888)\n", [8888]),
        ("import socket\ns = socket.socket()\ns.listen(5)  # a backlog\n", []),
        ("import gradio as gr\ndemo.launch(server_port=7860)\n", [7860]),
        ("import redis\nr = redis.Redis(host='redis', port=6379)\n", []),  # a client
        ("import subprocess\nsubprocess.run(['x'], check=True)\nPORT = 1\n", []),
        ("import uvicorn\nuvicorn.run(app, port=get_port())\n", []),
        ("import uvicorn\nuvicorn.run(app, port=0)\n", []),
    ],
)
def test_server_forms(source: str, ports: list[int]) -> None:
    assert [f.port for f in listeners_of(source)] == ports


def test_a_settings_field_default() -> None:
    source = """
    import uvicorn
    from pydantic_settings import BaseSettings


    class Settings(BaseSettings):
        host: str = "0.0.0.0"
        port: int = 8010


    settings = Settings()

    if __name__ == "__main__":
        uvicorn.run("app.main:app", host=settings.host, port=settings.port)
    """
    assert [f.port for f in listeners_of(source)] == [8010]


def test_test_servers_are_not_the_service() -> None:
    source = "import uvicorn\nuvicorn.run(app, port=8123)\n"
    assert listeners_of(source, "services/engine/tests/test_main.py") == []
    assert listeners_of(source, "services/engine/conftest.py") == []


def test_the_family_is_registered_and_the_prefilter_stays_narrow() -> None:
    assert listeners.extract in FAMILIES
    assert may_hold_facts("run.py", "from app import app\napp.run(port=5000)\n")
    # `.run(` without a port anywhere is subprocess or asyncio: still not worth a parse.
    assert not may_hold_facts("tool.py", "import asyncio\nasyncio.run(main())\n")


def test_real_servers_of_the_standard_library() -> None:
    """wsgiref's demo serves on a fixed port; http.server's `test()` on its `port` parameter."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    demo = (stdlib / "wsgiref" / "simple_server.py").read_text("utf-8")
    line = next(n for n, text in enumerate(demo.splitlines(), 1) if "make_server('', 8000" in text)
    # At its own path: the module defines `make_server` and calls it, by that qualified name.
    found = listeners_of(demo, "wsgiref/simple_server.py")
    assert [(f.location.line, f.port) for f in found] == [(line, 8000)]
    server = (stdlib / "http" / "server.py").read_text("utf-8")
    assert may_hold_facts("http/server.py", server)
    assert listeners_of(server, "http/server.py") == []
