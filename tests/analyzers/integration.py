"""The clinic integration fixture: a base repository and change variants laid over it.

`tests/fixtures/integration/clinic/base/` is a whole repository (three services:
pricing, api, web). Each `changes/<name>/` holds the files one pull request adds or
replaces, at their paths relative to the repository root, and optionally a file
`DELETED` listing base paths the change removes, one per line (blank lines and
`#` comments ignored). `CHANGES.md` there says what each variant breaks.
"""

from __future__ import annotations

from pathlib import Path

CLINIC = Path(__file__).resolve().parents[1] / "fixtures" / "integration" / "clinic"
BASE = CLINIC / "base"
CHANGES = CLINIC / "changes"
DELETED = "DELETED"
IGNORED_PARTS = frozenset({"__pycache__", "node_modules", ".pytest_cache", ".mypy_cache"})


def variants() -> list[str]:
    """The names of the change variants, sorted."""
    return sorted(path.name for path in CHANGES.iterdir() if path.is_dir())


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not IGNORED_PARTS.intersection(path.relative_to(root).parts)
    }


def overlay(name: str) -> dict[str, bytes]:
    """The files variant `name` adds or replaces, without its `DELETED` list."""
    files = _files(CHANGES / name)
    files.pop(DELETED, None)
    return files


def deleted(name: str) -> list[str]:
    """The base paths variant `name` removes."""
    listing = CHANGES / name / DELETED
    if not listing.is_file():
        return []
    lines = (line.strip() for line in listing.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def load_tree(name: str | None) -> dict[str, bytes]:
    """The repository at base (`None`) or after variant `name`: base + overlay - DELETED."""
    tree = _files(BASE)
    if name is None:
        return tree
    if not (CHANGES / name).is_dir():
        raise KeyError(f"no change variant named {name!r} under {CHANGES}")
    tree.update(overlay(name))
    for path in deleted(name):
        tree.pop(path, None)
    return tree
