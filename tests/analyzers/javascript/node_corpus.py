"""A pinned tree of real JavaScript and TypeScript: `tests/data/node-corpus`, installed by npm.

The package.json there pins next, react, express, axios, stripe, bullmq,
supabase-js and friends to exact versions, and its package-lock.json pins
everything they pull in. `installed_corpus()` installs that tree once per
machine, outside the repository, in

    $FLOW_REVIEW_NODE_CORPUS/<digest>/node_modules

(`~/.cache/flow-review/node-corpus` when the variable is unset; `$XDG_CACHE_HOME`
is honoured), where `<digest>` hashes package.json, package-lock.json and the
npm command: a new pin gets a new folder and an old one is never half-reused.
The install is `npm ci --ignore-scripts --no-audit --no-fund --omit=optional`:
no package's own scripts run, and optional platform-specific packages (native
binaries, no JavaScript) are left out, so that every machine gets the same files.
It happens in a staging folder renamed into place once complete, under a file
lock, so two test processes never install at once and neither ever sees half a
tree. Without npm, or when the install fails, `NodeCorpusError` says why and
what to do: the tests that need the tree fail, they are never skipped.

Only files are read from the tree, nothing is run, so an older Node (Debian's
18, which `.ci/run` installs where a machine has none) serves as well as 20.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analyzers.paths import language_of

SPEC = Path(__file__).resolve().parents[2] / "data" / "node-corpus"
MANIFESTS = ("package.json", "package-lock.json")
ENV_VAR = "FLOW_REVIEW_NODE_CORPUS"
NPM_CI = ("ci", "--ignore-scripts", "--no-audit", "--no-fund", "--omit=optional")
DONE = ".flow-review-installed"
INSTALL_TIMEOUT = 1200  # seconds; a cold install downloads about 60 MB


class NodeCorpusError(RuntimeError):
    """The pinned tree is not there and cannot be installed; the message says what to do."""


def cache_root() -> Path:
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "flow-review" / "node-corpus"


def digest(spec: Path = SPEC) -> str:
    """What the installed tree depends on: both manifests and the install command."""
    hasher = hashlib.sha256()
    for name in MANIFESTS:
        hasher.update(name.encode() + b"\0" + (spec / name).read_bytes() + b"\0")
    hasher.update(" ".join(NPM_CI).encode())
    return hasher.hexdigest()[:16]


def pinned_versions(spec: Path = SPEC) -> dict[str, str]:
    """The direct dependencies and their exact versions, from package.json."""
    manifest = json.loads((spec / "package.json").read_text("utf-8"))
    dependencies: dict[str, str] = manifest["dependencies"]
    return dict(dependencies)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path`, held until the block ends (or the process dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _check_versions(node_modules: Path, spec: Path) -> None:
    """Every direct dependency is installed at its pinned version."""
    wrong: list[str] = []
    for name, version in pinned_versions(spec).items():
        manifest = node_modules / name / "package.json"
        try:
            found = json.loads(manifest.read_text("utf-8")).get("version")
        except (OSError, ValueError) as exc:
            wrong.append(f"{name}: {exc}")
            continue
        if found != version:
            wrong.append(f"{name}: {found} installed, {version} pinned")
    if wrong:
        raise NodeCorpusError(
            f"the node corpus under {node_modules} is not what {spec}/package.json pins: "
            + "; ".join(wrong)
        )


def _npm(spec: Path, target: Path) -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise NodeCorpusError(
            "npm is not installed, and the JavaScript real-code tests need it to install "
            f"the pinned tree of {spec}/package-lock.json into {target}. Install Node.js "
            "and npm (Debian/Ubuntu: `apt-get install -y nodejs npm`; .ci/run does this), "
            f"or set {ENV_VAR} to a folder that holds this install already "
            f"(as {target.name}/)."
        )
    return npm


def _install(target: Path, spec: Path) -> None:
    npm = _npm(spec, target)
    staging = target.with_name(f"{target.name}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in MANIFESTS:
        shutil.copyfile(spec / name, staging / name)
    command = [npm, *NPM_CI]
    try:
        done = subprocess.run(
            command,
            cwd=staging,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise NodeCorpusError(f"`{' '.join(command)}` in {staging} did not finish: {exc}") from exc
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        output = (done.stdout + done.stderr).strip().splitlines()
        tail = "\n".join(output[-25:])
        raise NodeCorpusError(
            f"`{' '.join(command)}` failed with exit code {done.returncode} in {staging}, "
            f"installing the JavaScript corpus pinned by {spec}/package-lock.json "
            f"(the npm registry must be reachable):\n{tail}"
        )
    try:
        _check_versions(staging / "node_modules", spec)
    except NodeCorpusError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    (staging / DONE).write_text(digest(spec) + "\n", "utf-8")
    shutil.rmtree(target, ignore_errors=True)  # an install that died half-way
    staging.rename(target)


def ensure_installed(spec: Path = SPEC, root: Path | None = None) -> Path:
    """The `node_modules` folder of the pinned tree, installed first when it is not there."""
    root = cache_root() if root is None else root
    key = digest(spec)
    target = root / key
    marker = target / DONE
    if not marker.is_file():
        with _locked(root / f"{key}.lock"):
            if not marker.is_file():  # another process may have installed it meanwhile
                _install(target, spec)
    node_modules = target / "node_modules"
    if not node_modules.is_dir():
        raise NodeCorpusError(f"{marker} exists, but {node_modules} does not: remove {target}")
    return node_modules


@functools.cache
def installed_corpus() -> Path:
    """`ensure_installed()` once per process."""
    return ensure_installed()


def script_files(root: Path) -> list[str]:
    """Every regular JavaScript or TypeScript file under `root` (as `analyzers.paths` reads
    suffixes: .js .jsx .mjs .cjs .ts .tsx .mts .cts), as sorted POSIX paths relative to it."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            path = Path(folder, name)
            if (
                language_of(name) in ("javascript", "typescript")
                and not path.is_symlink()
                and path.is_file()
            ):
                found.append(path.relative_to(root).as_posix())
    return sorted(found)
