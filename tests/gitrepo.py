"""Real git repositories for tests, built commit by commit from dictionaries."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

# A file's content, None to delete it, or a Symlink to make it a link.
Content = str | bytes | None


class Symlink(str):
    """A symlink whose target is the string's value."""


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)},
    )
    return result.stdout.strip()


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    return path


def commit(repo: Path, files: Mapping[str, Content], message: str = "change") -> str:
    """Apply `files` to the work tree, commit everything, return the new sha."""
    for name, content in files.items():
        target = repo / name
        if content is None:
            if target.is_symlink() or target.exists():
                target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        if isinstance(content, Symlink):
            os.symlink(str(content), target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")
