"""The bundled example as a git repository: its base tree committed, then its head tree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from analyzers.errors import SnapshotError

EXAMPLE = "marketplace"


def example_folder() -> Path:
    folder = Path(__file__).resolve().parent.parent / "examples" / EXAMPLE
    if not (folder / "base").is_dir():
        raise SnapshotError(f"the demo needs the example trees of a source checkout: {folder}")
    return folder


def example_repo(example: Path, dest: Path) -> tuple[str, str]:
    """Commit `example/base`, then `example/head`, in a new repository; return both shas."""
    for side in ("base", "head"):
        if not (example / side).is_dir():
            raise SnapshotError(f"{example} has no {side}/ tree")
    dest.mkdir(parents=True)
    _git(dest, "init", "--quiet", "--initial-branch=main")
    shas = []
    for side in ("base", "head"):
        for child in dest.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        shutil.copytree(example / side, dest, dirs_exist_ok=True, symlinks=True)
        _git(dest, "add", "--all")
        _git(dest, "commit", "--quiet", "--allow-empty", "-m", f"{EXAMPLE}: {side}")
        shas.append(_git(dest, "rev-parse", "HEAD").strip())
    return shas[0], shas[1]


def _git(cwd: Path, *args: str) -> str:
    identity = ["-c", "user.name=Flow Review Demo", "-c", "user.email=demo@flow-review.invalid"]
    result = subprocess.run(
        ["git", *identity, "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SnapshotError(f"git {args[0]} failed in {cwd}: {result.stderr.strip()}")
    return result.stdout
