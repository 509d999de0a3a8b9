from __future__ import annotations

import json

from analyzers.config import parse_config
from analyzers.facts import Service
from analyzers.paths import matches
from analyzers.services import ServiceMap, infer_services, resolve_services

TREE = {
    "package.json": json.dumps({"name": "@acme/web"}),
    "src/app/page.tsx": "",
    "src/lib/api.ts": "",
    "services/core-api/package.json": "{}",
    "services/core-api/src/index.ts": "",
    "services/core-api/node_modules/express/package.json": "{}",
    "services/ai-engine/requirements.txt": "",
    "services/ai-engine/app/main.py": "",
    "services/ai-engine/Dockerfile": "",
    "tools/api/go.mod": "",
    "tools/api/main.go": "",
    "libs/api/setup.py": "",
    "docs/index.md": "",
}


def _reader(path: str) -> bytes | None:
    return TREE[path].encode() if path in TREE else None


def test_manifest_folders_are_services() -> None:
    services = infer_services(TREE, _reader)
    by_name = {s.name: s for s in services.services}
    assert by_name["core-api"] == Service("core-api", "services/core-api", ("typescript",))
    assert by_name["ai-engine"] == Service("ai-engine", "services/ai-engine", ("python",))
    # Two folders called "api" are told apart by their paths.
    assert {"tools-api", "libs-api"} <= by_name.keys()
    # The root manifest's own name; vendored manifests are no services.
    assert by_name["acme-web"].root == ""
    assert "express" not in by_name
    assert services.owner("services/core-api/src/index.ts") == "core-api"
    assert services.owner("src/lib/api.ts") == "acme-web"
    assert services.owner("docs/index.md") == "acme-web"


def test_without_root_manifest_unclaimed_files_have_no_service() -> None:
    tree = {k: v for k, v in TREE.items() if k != "package.json"}
    services = infer_services(tree, lambda p: None)
    assert services.owner("src/lib/api.ts") is None
    assert services.owner("services/ai-engine/app/main.py") == "ai-engine"


def test_config_services_with_globs_and_prefixes() -> None:
    config = parse_config(
        "services:\n"
        "  api:\n    paths: [services/core-api/]\n"
        "  engine:\n    paths: ['services/ai-engine/**/*.py', shared/]\n"
        "  web:\n    paths: ['**']\n"
    )
    services = resolve_services(config, TREE, _reader)
    assert [s.name for s in services.services] == ["api", "engine", "web"]
    assert services.services[1].root == "services/ai-engine"
    assert services.owner("services/core-api/src/index.ts") == "api"
    assert services.owner("services/ai-engine/app/main.py") == "engine"
    assert services.owner("services/ai-engine/Dockerfile") == "web"  # not a .py: first match wins
    assert services.owner("shared/x.py") == "engine"
    assert services.owner("src/app/page.tsx") == "web"


def test_one_expression_for_all_services_agrees_with_each_pattern_in_turn() -> None:
    # `owner` asks one combined regular expression; it must answer as trying each service's
    # patterns in order with `matches` would, first match winning.
    patterns = (
        ("exact", ("services/api/main.py",)),
        ("api", ("services/api", "shared/")),
        ("glob", ("services/*/src/**/*.ts", "tools/[ab]?.py")),
        ("dots", ("a.b/",)),
        ("everything", ("",)),
    )
    services = ServiceMap((), patterns)
    paths = [
        "services/api/main.py",
        "services/api/other.py",
        "services/apis/x.py",
        "shared/x\ny.py",
        "services/web/src/deep/a.ts",
        "services/web/src/a.tsx",
        "tools/a1.py",
        "tools/c1.py",
        "axb/c.py",
        "a.b/c.py",
        "README.md",
    ]
    for path in paths:
        expected = next(
            (name for name, globs in patterns if any(matches(g, path) for g in globs)), None
        )
        assert services.owner(path) == expected, path
    assert ServiceMap((), (("only", ("src/",)),)).owner("lib/x.py") is None
    assert ServiceMap((), ()).owner("lib/x.py") is None
