"""The module a file is imported as, the same way for every language: a dotted path.

`services/api/app/routers/users.py` is `services.api.app.routers.users`, a
package's `__init__.py` and a folder's `index.ts` are the folder itself. Facts
name objects as `<module>:<name>` and imports as dotted paths, so that one
composer joins routers and mounts across files in Python and TypeScript alike.
"""

from __future__ import annotations

_SUFFIXES = (".d.ts", ".tsx", ".ts", ".mts", ".cts", ".jsx", ".js", ".mjs", ".cjs", ".pyi", ".py")
_PACKAGE_FILES = ("/__init__", "/index")


def module_name(path: str) -> str:
    stem = path
    for suffix in _SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    for package in _PACKAGE_FILES:
        if stem.endswith(package):
            stem = stem[: -len(package)]
            break
    return stem.replace("/", ".")
