"""Extraction spread over worker processes: the engine's `ExtractMany`, with processes.

Parsing is CPU-bound Python, so threads would take turns; processes run at
once. The workers are forked, so they start with the parent's modules and
extractors already loaded (nothing to import again, nothing pickled but the
texts going out and the facts coming back). Few files are not worth the
processes' start: below a threshold they are extracted in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from analyzers.extract import ExtractMany, Extractors, SourceFile, extract_file, extract_in_turn
from analyzers.facts import FileFacts

# Below this much text a pool costs more than it saves. Measured here: forking two workers,
# handing them work and stopping them costs about 17 ms; extraction costs about 0.6 ms per
# KB of JavaScript and 2.7 ms per KB of Python that passes the prefilter, so 200 KB of
# source is 100 ms or more of parsing, which two workers halve.
MIN_PARALLEL_BYTES = 200_000

_extractors: Extractors = {}  # a worker's own, set once by `_start_worker`


def _start_worker(extractors: Extractors) -> None:
    global _extractors  # noqa: PLW0603 - the worker process's one piece of state
    _extractors = extractors


def _extract(source: SourceFile) -> FileFacts:
    return extract_file(_extractors, source)


def workers_available() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def process_extraction(workers: int | None = None) -> ExtractMany:
    """An `ExtractMany` that spreads files over `workers` forked processes (default: CPUs)."""
    count = workers if workers is not None else workers_available()
    if count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return extract_in_turn

    def extract_many(extractors: Extractors, sources: Sequence[SourceFile]) -> Iterator[FileFacts]:
        if sum(len(s.text) for s in sources) < MIN_PARALLEL_BYTES:
            yield from extract_in_turn(extractors, sources)
            return
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            count, mp_context=context, initializer=_start_worker, initargs=(extractors,)
        ) as pool:
            # Small chunks: the files come largest first, and one worker must not be left
            # with a run of long ones while the other is idle.
            chunk = max(1, min(16, len(sources) // (count * 8)))
            yield from pool.map(_extract, sources, chunksize=chunk)

    return extract_many
