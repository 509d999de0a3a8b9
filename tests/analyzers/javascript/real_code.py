"""A fixed sample of real JavaScript and TypeScript, reviewed once per test process.

The code is the pinned npm tree of `tests/data/node-corpus` (next, react,
express, axios, stripe, bullmq, supabase-js, zod, typescript and what they
pull in), installed outside the repository by `node_corpus`. The sample is,
for each file suffix (.js .jsx .mjs .cjs .ts .tsx .mts .cts) in turn, every
k-th file of that suffix in sorted order, with one k for all suffixes chosen so
that at least `MIN_SAMPLE` files are taken; a rare suffix (the tree has a
handful of `.tsx` files) is still represented. `KNOWN_FILES`, whose call
sites the tests check one by one, are always in it. For one lock file the
sample is always the same files.

The files go through the engine as a pull request's tree would: a
`MemorySnapshot` with the files under `nm/` and an `nm/package.json` so that
they form a service, and `analyzers.engine.review` with the default extractors
and rules. The engine leaves out vendored and build folders by path
(`node_modules/`, `dist/`, `build/`, ...), which in an npm tree is nearly
everything, so `engine_path` renames those folders (`dist` -> `_dist`).
"""

from __future__ import annotations

import functools
import posixpath
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from analyzers.engine import ReviewRequest, review
from analyzers.paths import is_vendored
from analyzers.snapshot import MemorySnapshot
from tests.analyzers.javascript.node_corpus import installed_corpus, script_files
from tests.analyzers.python.real_code import RecordingCache, SampleReview

MIN_SAMPLE = 2000
PREFIX = "nm"
MANIFEST = f"{PREFIX}/package.json"
MANIFEST_TEXT = b'{"name": "nm", "private": true}\n'

# Files whose `fetch(` call sites the recall test checks one by one (paths relative to
# node_modules): how many lines a plain regex finds there, every one a call of the global
# (or node-fetch's) fetch, checked by hand for the pinned versions.
KNOWN_FETCH_SITES = {
    "next/dist/cli/next-info.js": 1,
    "next/dist/client/page-loader.js": 2,
    "next/dist/esm/server/app-render/action-handler.js": 2,
    "next/dist/lib/download-swc.js": 1,
    "next/dist/telemetry/post-telemetry-payload.js": 1,
    "node-abort-controller/__tests__/node-fetch.js": 2,
    "styled-jsx/dist/babel/index.js": 1,
}
# Files where the same regex matches what is not a call of fetch: `fetch(` in messages and
# template strings, and a class's own `async fetch(options)` method.
KNOWN_NOT_FETCH = {
    "next/dist/server/app-render/blocking-route-messages.js": 8,
    "@tanstack/query-core/src/query.ts": 1,
    "bullmq/dist/esm/classes/async-fifo-queue.js": 1,
}
# Files whose one fetch is Supabase's pass-through, `(...args) => fetch(...args)`: a call in
# the code, but not one of its own (its callers say where it goes and how long it waits).
KNOWN_FORWARDING_FETCH = {
    "@supabase/auth-js/src/lib/helpers.ts": 1,
    "@supabase/functions-js/src/helper.ts": 1,
    "@supabase/realtime-js/dist/main/RealtimeClient.js": 1,
    "@supabase/storage-js/dist/index.mjs": 1,
    "@supabase/supabase-js/dist/index.cjs": 1,
}
KNOWN_FILES = tuple(
    sorted(KNOWN_FETCH_SITES.keys() | KNOWN_NOT_FETCH.keys() | KNOWN_FORWARDING_FETCH.keys())
)


def suffix(path: str) -> str:
    return posixpath.splitext(path)[1].lower()


def step_for(count: int, minimum: int = MIN_SAMPLE) -> int:
    """The k of "every k-th": as large as still leaves at least `minimum` of `count`."""
    return max(1, count // minimum)


def every_kth_by_suffix(paths: Sequence[str], minimum: int = MIN_SAMPLE) -> list[str]:
    """Every k-th path of each suffix (the first one included), one k for all suffixes.

    Each suffix gives ceil(n / k) paths, so the total is at least len(paths) // k,
    which is at least `minimum` (or all of them when fewer exist).
    """
    step = step_for(len(paths), minimum)
    by_suffix: dict[str, list[str]] = {}
    for path in sorted(paths):
        by_suffix.setdefault(suffix(path), []).append(path)
    return sorted(p for group in by_suffix.values() for p in group[::step])


def engine_path(relative: str) -> str:
    """Where a node_modules file goes in the snapshot: under `nm/`, out of vendored folders.

    A folder the engine would leave out by path (`node_modules`, `dist`, `build`,
    `vendor`, ...) gets a leading underscore; the file name stays as it is.
    """
    *folders, name = relative.split("/")
    renamed = [f"_{part}" if is_vendored(f"{part}/x.js") else part for part in folders]
    return "/".join([PREFIX, *renamed, name])


def snapshot_of(data: Mapping[str, str | bytes]) -> MemorySnapshot:
    return MemorySnapshot({**data, MANIFEST: MANIFEST_TEXT})


def review_files(root: Path, sample: Iterable[str]) -> SampleReview:
    relative = sorted(set(sample))
    data = {engine_path(rel): (root / rel).read_bytes() for rel in relative}
    if len(data) != len(relative):
        raise AssertionError("engine_path maps two corpus files to one snapshot path")
    cache = RecordingCache()
    started = time.perf_counter()
    result = review(ReviewRequest(head=snapshot_of(data)), cache=cache)
    seconds = time.perf_counter() - started
    # The facts of the sampled files: the service's manifest is analysed too (package.json
    # scripts, `analyzers.deploy`), but it is no file of the corpus.
    facts = {path: found for path, found in cache.by_path.items() if path in data}
    return SampleReview(root, tuple(relative), data, result, facts, seconds)


@functools.cache
def node_sample_review() -> SampleReview:
    """The sample, installed if need be, reviewed once however many tests read it."""
    root = installed_corpus()
    sample = set(every_kth_by_suffix(script_files(root))) | set(KNOWN_FILES)
    return review_files(root, sample)
