"""The engine (analyzers/, checklist/) does no network, no Redis, and imports no I/O library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PURE_PACKAGES = ("analyzers", "checklist")
# Top-level packages (and the standard library's network and process modules; urllib.parse,
# which only handles strings, stays allowed).
FORBIDDEN_PACKAGES = {
    "githubkit", "redis", "rq", "starlette", "httpx", "requests", "aiohttp", "urllib3",
    "uvicorn", "github_app", "flow_review",
}  # fmt: skip
FORBIDDEN_MODULES = {"socket", "ssl", "http.client", "urllib.request", "subprocess", "asyncio"}


def _forbidden(module: str) -> bool:
    return module.split(".", maxsplit=1)[0] in FORBIDDEN_PACKAGES or any(
        module == name or module.startswith(name + ".") for name in FORBIDDEN_MODULES
    )


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_pure_packages_import_no_io_library() -> None:
    offenders = {
        f"{path.relative_to(ROOT)}: {name}"
        for package in PURE_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        for name in _imports(path)
        if _forbidden(name)
    }
    assert not offenders


def test_analyzers_import_no_checklist() -> None:
    """One direction of imports: checklist -> analyzers, never back."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "analyzers").rglob("*.py")
        if any(name.split(".")[0] == "checklist" for name in _imports(path))
    ]
    assert not offenders


def test_importing_the_engine_loads_no_io_module() -> None:
    code = (
        "import sys, analyzers.engine, analyzers.reports, checklist\n"
        f"roots = {sorted(FORBIDDEN_PACKAGES)!r}\n"
        "bad = sorted(m for m in sys.modules if m.partition('.')[0] in roots)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == ""
