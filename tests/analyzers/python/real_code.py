"""A fixed sample of real Python code no one here wrote, reviewed once per test process.

The sample is the `.py` files of the running interpreter's site-packages (the
project venv under pytest): sorted, then every k-th file, with k chosen so
that at least `MIN_SAMPLE` files are taken; with fewer than 2 * `MIN_SAMPLE`
files that is every file. It grows with the venv, and for one venv it is
always the same files.

The files go through the engine as a pull request's tree would: a
`MemorySnapshot` with the files under `sp/` and an `sp/requirements.txt` so
that they form a service, and `analyzers.engine.review` with the default
extractors and rules. A recording fact cache keeps what each file gave.
"""

from __future__ import annotations

import functools
import os
import re
import sysconfig
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzers.cache import MemoryFactCache
from analyzers.engine import ReviewRequest, review
from analyzers.facts import FileFacts, Review
from analyzers.snapshot import MemorySnapshot

SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
MIN_SAMPLE = 2000
PREFIX = "sp"
MANIFEST = f"{PREFIX}/requirements.txt"
_NEWLINE = re.compile(r"\r\n|\r|\n")


def python_files(root: Path) -> list[str]:
    """Every regular `.py` file under `root`, as sorted POSIX paths relative to it."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            path = Path(folder, name)
            if name.endswith(".py") and path.is_file() and not path.is_symlink():
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


def every_kth(paths: Sequence[str], minimum: int = MIN_SAMPLE) -> list[str]:
    """Every k-th path, k as large as leaves at least `minimum` (all of them when fewer exist)."""
    step = max(1, len(paths) // minimum)
    return list(paths[::step])


def engine_path(relative: str) -> str:
    return f"{PREFIX}/{relative}"


def line_count(text: str) -> int:
    """Lines as a parser counts them: \\r\\n, \\r and \\n end a line."""
    return len(_NEWLINE.split(text))


class RecordingCache(MemoryFactCache):
    """The engine's in-memory cache, also keeping each analysed file's facts by path."""

    def __init__(self) -> None:
        super().__init__()
        self.by_path: dict[str, FileFacts] = {}

    def put(self, key: str, facts: FileFacts) -> None:
        super().put(key, facts)
        self.by_path[facts.path] = facts


@dataclass(frozen=True)
class SampleReview:
    root: Path
    sample: tuple[str, ...]  # relative to root
    data: dict[str, bytes]  # engine path -> content
    review: Review
    facts: dict[str, FileFacts]  # engine path -> what the analysis gave, errors included
    seconds: float


def review_files(root: Path, sample: Sequence[str]) -> SampleReview:
    data = {engine_path(rel): (root / rel).read_bytes() for rel in sample}
    snapshot = MemorySnapshot({**data, MANIFEST: b"# real code from site-packages\n"})
    cache = RecordingCache()
    started = time.perf_counter()
    result = review(ReviewRequest(head=snapshot), cache=cache)
    seconds = time.perf_counter() - started
    return SampleReview(root, tuple(sample), data, result, dict(cache.by_path), seconds)


@functools.cache
def site_sample_review() -> SampleReview:
    """The site-packages sample, reviewed once however many tests read it."""
    return review_files(SITE_PACKAGES, every_kth(python_files(SITE_PACKAGES)))
