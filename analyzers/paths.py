"""What a repository path is: its language, whether it is a test, documentation or vendored code.

Everything here is decided from the path alone, so it is cheap enough to run
over every entry of a large tree before a single file is read.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable

LANGUAGE_BY_SUFFIX = {
    ".py": "python",
    ".pyi": "python",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".go": "go",
}

# Folders whose files are never a service's own code: dependencies and tool caches.
VENDORED_DIRS = frozenset(
    {
        "node_modules",
        "bower_components",
        "vendor",
        "third_party",
        "site-packages",
        ".venv",
        "venv",
        "__pycache__",
        ".next",
        ".nuxt",
        ".turbo",
        ".git",
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
    }
)
# Build output of JavaScript tooling. A Python package may well be called `build`
# (pip's own is), so these folders only hide JavaScript and TypeScript.
BUILD_OUTPUT_DIRS = frozenset({"dist", "build", "out"})

TEST_DIRS = frozenset(
    {"test", "tests", "__tests__", "__test__", "spec", "specs", "e2e", "cypress", "playwright"}
)
TEST_FILE = re.compile(
    r"(^test_.*\.py$|.*_test\.py$|^conftest\.py$|.*\.(test|spec)\.[cm]?[jt]sx?$|.*_test\.go$)"
)

DOC_DIRS = frozenset({"docs", "doc", "adr", "adrs", "runbooks", "workflows", ".tasks"})
DOC_SUFFIXES = frozenset({".md", ".mdx", ".rst", ".adoc", ".txt"})
# API descriptions document a workflow's contract as much as prose does.
SPEC_FILE = re.compile(r"(^|.*[./-])(openapi|swagger|asyncapi)(\.[a-z0-9]+)*\.(ya?ml|json)$")


# Configuration files read for facts, by exact file name: no other JSON is analysed.
LANGUAGE_BY_NAME = {"vercel.json": "json"}
# OpenAPI and Swagger documents (SPEC_FILE names, AsyncAPI aside), read by `analyzers.openapi`.
OPENAPI = "openapi"
# Deployment files, read by `analyzers.deploy` for where units listen and how they are reached.
DEPLOY = "deploy"
_DEPLOY_FILES = (
    ("package.json", re.compile(r"package\.json")),
    ("dockerfile", re.compile(r"(?i:dockerfile(?:[.-][\w.-]+)?|[\w.-]+\.dockerfile)")),
    ("compose", re.compile(r"(?i:(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml)")),
    ("procfile", re.compile(r"(?i:procfile(?:\.[\w.-]+)?)")),
    ("env", re.compile(r"\.env(?:\.[\w.-]+)?")),  # .env, .env.example, .env.local.example
)
# Languages of configuration, not of a service's code (`Service.languages` leaves them out).
CONFIG_LANGUAGES = frozenset({*LANGUAGE_BY_NAME.values(), OPENAPI, DEPLOY})


def deploy_kind(path: str) -> str | None:
    """Which deployment file a path is, by its name; None for any other file."""
    name = posixpath.basename(path)
    if name.endswith(".dockerignore"):  # `Dockerfile.dockerignore` is the build's ignore list
        return None
    return next((kind for kind, pattern in _DEPLOY_FILES if pattern.fullmatch(name)), None)


def language_of(path: str) -> str | None:
    found = LANGUAGE_BY_SUFFIX.get(posixpath.splitext(path)[1].lower())
    if found is not None:
        return found
    name = posixpath.basename(path)
    if name in LANGUAGE_BY_NAME:
        return LANGUAGE_BY_NAME[name]
    spec = SPEC_FILE.match(name.lower())
    if spec is not None and spec.group(2) != "asyncapi":
        return OPENAPI
    return DEPLOY if deploy_kind(name) is not None else None


def folders_of(path: str) -> list[str]:
    return path.split("/")[:-1]


def is_vendored(path: str) -> bool:
    folders = folders_of(path)
    if any(part in VENDORED_DIRS for part in folders):
        return True
    built = language_of(path) in ("javascript", "typescript")
    return built and any(part in BUILD_OUTPUT_DIRS for part in folders)


def is_test_path(path: str) -> bool:
    name = posixpath.basename(path)
    return bool(TEST_FILE.match(name)) or any(p in TEST_DIRS for p in folders_of(path))


MOCK_DIRS = frozenset({"__mocks__", "mocks", "__fixtures__", "fixtures", "stories", ".storybook"})
MOCK_FILE = re.compile(r".*\.(stories|mock|mocks|fixture)\.[cm]?[jt]sx?$")


def is_mock_path(path: str) -> bool:
    """Mocks, fixtures and stories: code that imitates the integration instead of doing it."""
    name = posixpath.basename(path)
    return bool(MOCK_FILE.match(name)) or any(p in MOCK_DIRS for p in folders_of(path))


def is_doc_path(path: str) -> bool:
    """Workflow documentation: prose under a docs-like folder, a `.tasks/` entry, an API spec."""
    name = posixpath.basename(path).lower()
    folders = [p.lower() for p in folders_of(path)]
    if any(p in DOC_DIRS for p in folders):
        return True
    if SPEC_FILE.match(name):
        return True
    stem, suffix = posixpath.splitext(name)
    return suffix in DOC_SUFFIXES and stem in {
        "readme",
        "architecture",
        "workflow",
        "workflows",
        "integration",
        "integrations",
        "api",
        "runbook",
    }


def is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


@functools.lru_cache(maxsize=1024)
def _compile_glob(pattern: str) -> re.Pattern[str]:
    """A gitignore-flavoured glob: `**` spans folders, `*` and `?` stay inside one."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
                i += 1
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(ch))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(pattern: str, path: str) -> bool:
    """A glob matches the whole path; a plain pattern is a folder (or file) prefix."""
    pattern = pattern.strip().lstrip("/")
    if is_glob(pattern):
        return bool(_compile_glob(pattern).match(path))
    prefix = pattern.rstrip("/")
    return prefix in ("", path) or path.startswith(prefix + "/")


def path_pattern(pattern: str) -> str:
    """`matches(pattern, path)` as a regular expression that matches the whole path."""
    pattern = pattern.strip().lstrip("/")
    if is_glob(pattern):
        return _compile_glob(pattern).pattern
    prefix = pattern.rstrip("/")
    # (?s:...): a path may hold a newline, and `startswith` in `matches` does not mind.
    return r"(?s:.*)\Z" if prefix == "" else re.escape(prefix) + r"(?:/(?s:.*))?\Z"


def matches_any(patterns: Iterable[str], path: str) -> bool:
    return any(matches(p, path) for p in patterns)


def glob_root(pattern: str) -> str:
    """The folder a pattern lives in: its longest leading run of non-glob segments."""
    parts: list[str] = []
    for part in pattern.strip().strip("/").split("/"):
        if is_glob(part):
            break
        parts.append(part)
    return "/".join(parts)
