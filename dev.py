#!/usr/bin/env python3
"""The project's two commands, on any machine with Python 3.11+ and git.

    python3 dev.py demo    review the bundled example change and print the report
    python3 dev.py test    lint (ruff), type-check (mypy) and run the whole test suite

Each creates or reuses the virtual environment `.venv` beside this file and
installs the project into it (again only when pyproject.toml has changed).
Extra arguments go to `flow-review demo` or to pytest.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".flow-review-installed"


def _run(*command: object) -> int:
    return subprocess.call([str(part) for part in command], cwd=ROOT)


def ensure_venv() -> Path:
    python = BIN / "python"
    if not python.exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("dev.py: installing flow-review and its development tools", file=sys.stderr)
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        if _run(*pip, "--editable", f"{ROOT}[dev]") != 0:
            sys.exit("dev.py: installing the project failed (see pip's output above)")
        STAMP.write_text(wanted)
    return python


def demo(args: list[str]) -> int:
    ensure_venv()
    code = _run(BIN / "flow-review", "demo", *args)
    if code == 1:
        # The example change plants critical risks on purpose: finding them is the demo working.
        print(
            "dev.py: the review found blocking risks (exit 1), as the example plants them",
            file=sys.stderr,
        )
        return 0
    return code


def test(args: list[str]) -> int:
    python = ensure_venv()
    checks = [
        ("ruff check", [python, "-m", "ruff", "check", "."]),
        ("ruff format", [python, "-m", "ruff", "format", "--check", "."]),
        ("mypy", [python, "-m", "mypy"]),
    ]
    failed = [name for name, command in checks if _run(*command) != 0]
    tests = _run(python, "-m", "pytest", *args)
    if failed:
        print(f"dev.py: failed: {', '.join(failed)}", file=sys.stderr)
    return tests or (1 if failed else 0)


def main() -> int:
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
