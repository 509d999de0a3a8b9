"""The installer of the pinned npm tree: once, under a lock, and a clear error otherwise.

A stand-in `npm` (a Python script first on PATH) plays the registry's part, so
these tests need no network; the real install is what the real-code tests use.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.analyzers.javascript.node_corpus import (
    DONE,
    ENV_VAR,
    SPEC,
    NodeCorpusError,
    cache_root,
    digest,
    ensure_installed,
    pinned_versions,
)

ROOT = Path(__file__).resolve().parents[3]

# Installs each dependency of ./package.json at the version in $FAKE_VERSION (or the pinned
# one), after $FAKE_SLEEP seconds, logging each call; exits with $FAKE_EXIT when set.
FAKE_NPM = """\
#!{python}
import json, os, pathlib, sys, time
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
time.sleep(float(os.environ.get("FAKE_SLEEP", "0")))
if os.environ.get("FAKE_EXIT"):
    print("npm error code E404", file=sys.stderr)
    print("npm error 404 Not Found - GET https://registry.npmjs.org/nope", file=sys.stderr)
    sys.exit(int(os.environ["FAKE_EXIT"]))
for name, version in json.load(open("package.json"))["dependencies"].items():
    folder = pathlib.Path("node_modules", name)
    folder.mkdir(parents=True)
    version = os.environ.get("FAKE_VERSION", version)
    (folder / "package.json").write_text(json.dumps({{"name": name, "version": version}}))
    (folder / "index.js").write_text("module.exports = fetch;\\n")
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    folder = tmp_path / "spec"
    folder.mkdir()
    manifest = {"name": "corpus", "dependencies": {"left-pad": "1.3.0", "@scope/x": "2.0.1"}}
    (folder / "package.json").write_text(json.dumps(manifest))
    (folder / "package-lock.json").write_text('{"lockfileVersion": 3}')
    return folder


@pytest.fixture
def fake_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in npm first on PATH; returns the log of its calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text(FAKE_NPM.format(python=sys.executable))
    npm.chmod(npm.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "npm.log"
    log.touch()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("FAKE_LOG", str(log))
    return log


def test_the_pinned_manifest_pins_exact_versions_and_the_lock_agrees() -> None:
    pins = pinned_versions()
    lock = json.loads((SPEC / "package-lock.json").read_text("utf-8"))
    assert {"next", "react", "express", "axios", "stripe", "bullmq", "zod"} <= pins.keys()
    assert lock["packages"][""]["dependencies"] == pins
    for name, version in pins.items():
        assert version[0].isdigit(), f"{name}: {version} is a range, not a pin"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


def test_the_tree_is_installed_once_and_then_reused(
    spec: Path, fake_npm: Path, tmp_path: Path
) -> None:
    root = tmp_path / "cache"
    node_modules = ensure_installed(spec, root)
    assert node_modules == root / digest(spec) / "node_modules"
    assert (node_modules / "@scope/x/index.js").is_file()
    assert (root / digest(spec) / DONE).read_text().strip() == digest(spec)
    assert ensure_installed(spec, root) == node_modules
    calls = fake_npm.read_text().splitlines()
    assert calls == ["ci --ignore-scripts --no-audit --no-fund --omit=optional"]
    assert not [p for p in root.iterdir() if "staging" in p.name]


def test_a_new_pin_gets_a_new_folder(spec: Path, fake_npm: Path, tmp_path: Path) -> None:
    root = tmp_path / "cache"
    first = ensure_installed(spec, root)
    manifest = json.loads((spec / "package.json").read_text())
    manifest["dependencies"]["left-pad"] = "1.3.1"
    (spec / "package.json").write_text(json.dumps(manifest))
    second = ensure_installed(spec, root)
    assert first != second
    assert json.loads((second / "left-pad/package.json").read_text())["version"] == "1.3.1"
    assert len(fake_npm.read_text().splitlines()) == 2


def test_two_processes_install_once(spec: Path, fake_npm: Path, tmp_path: Path) -> None:
    root = tmp_path / "cache"
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from tests.analyzers.javascript.node_corpus import ensure_installed
        print(ensure_installed(Path({str(spec)!r}), Path({str(root)!r})))
        """
    )
    env = {**os.environ, "FAKE_SLEEP": "1", "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=60)[0].strip() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0]
    assert outputs[0] == outputs[1] == str(root / digest(spec) / "node_modules")
    assert len(fake_npm.read_text().splitlines()) == 1


def test_a_failed_install_says_why_and_leaves_nothing(
    spec: Path, fake_npm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_EXIT", "1")
    root = tmp_path / "cache"
    with pytest.raises(NodeCorpusError) as failure:
        ensure_installed(spec, root)
    message = str(failure.value)
    assert "failed with exit code 1" in message
    assert "404 Not Found" in message
    assert str(spec / "package-lock.json") in message
    assert [p.name for p in root.iterdir()] == [f"{digest(spec)}.lock"]


def test_an_install_of_other_versions_is_refused(
    spec: Path, fake_npm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_VERSION", "0.0.1")
    root = tmp_path / "cache"
    with pytest.raises(NodeCorpusError, match=r"left-pad: 0\.0\.1 installed, 1\.3\.0 pinned"):
        ensure_installed(spec, root)
    assert [p.name for p in root.iterdir()] == [f"{digest(spec)}.lock"]


def test_without_npm_the_error_says_what_to_install(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(NodeCorpusError, match="npm is not installed") as failure:
        ensure_installed(spec, tmp_path / "cache")
    assert "apt-get install -y nodejs npm" in str(failure.value)
    assert ENV_VAR in str(failure.value)


def test_the_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "corpus"))
    assert cache_root() == tmp_path / "corpus"
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "flow-review" / "node-corpus"
    assert not cache_root().is_relative_to(ROOT)
