"""From one file version to its facts: decide whether it can be read, read it, run extractors.

Everything that can go wrong with one file (a binary blob, a symlink, a
submodule, an oversized file, bytes that are not UTF-8, a parser that gives
up) becomes data, a `SkippedFile` or `FileFacts.error`, never a crashed run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from analyzers.cache import FactCache, fact_key
from analyzers.errors import SnapshotError
from analyzers.facts import Fact, FileFacts, SkippedFile
from analyzers.paths import language_of
from analyzers.snapshot import Snapshot, TreeEntry


class UnparsableSource(Exception):
    """Raised by an extractor whose parser cannot read the file; the message is the reason."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str
    service: str | None
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class Extraction:
    """Facts of a file that parsed only in part: what could be read, and why not all."""

    facts: Sequence[Fact]
    partial: str | None = None

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.facts)

    def __len__(self) -> int:
        return len(self.facts)


class Extractor(Protocol):
    """Turns the text of one file into facts; one per language (or framework family)."""

    def extract(self, source: SourceFile) -> Sequence[Fact] | Extraction: ...


# language -> extractors; `analyzers.registry` holds the default set.
Extractors = Mapping[str, Sequence[Extractor]]


def unreadable_reason(entry: TreeEntry, max_size: int) -> str | None:
    """Why a tree entry cannot be analysed as text, judged before reading it."""
    if entry.is_submodule:
        return "submodule"
    if entry.is_symlink:
        return "symlink"
    if entry.size is not None and entry.size > max_size:
        return f"larger than {max_size} bytes ({entry.size} bytes)"
    return None


def decode(data: bytes, max_size: int) -> tuple[str | None, str | None]:
    """The file's text, or None and the reason it is not text we read."""
    if len(data) > max_size:
        return None, f"larger than {max_size} bytes ({len(data)} bytes)"
    if b"\0" in data[:8000]:
        return None, "binary file"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"invalid UTF-8 at byte {exc.start}"


@dataclass
class FileAnalyzer:
    """Analyses file versions of one review, each distinct (blob, path, service) once."""

    extractors: Extractors
    cache: FactCache
    max_size: int
    progress: Callable[[str], None] | None = None
    analyzed: int = 0
    cache_hits: int = 0

    def analyze(
        self, snapshot: Snapshot, entry: TreeEntry, service: str | None
    ) -> tuple[FileFacts | None, SkippedFile | None]:
        language = language_of(entry.path)
        if language is None:
            return None, None
        reason = unreadable_reason(entry, self.max_size)
        if reason:
            return None, SkippedFile(entry.path, reason)
        key = fact_key(entry.sha, entry.path, service)
        cached = self.cache.get(key)
        if cached is not None:
            if cached.error:
                return cached, SkippedFile(entry.path, cached.error)
            self.cache_hits += 1
            return cached, None
        try:
            data = snapshot.read(entry.path)
        except SnapshotError as exc:
            return None, SkippedFile(entry.path, f"cannot be read: {exc}")
        text, reason = decode(data, self.max_size)
        if text is None:
            return None, SkippedFile(entry.path, reason or "unreadable")
        facts = self._extract(SourceFile(entry.path, service, language, text))
        self.cache.put(key, facts)
        if facts.error:
            return facts, SkippedFile(entry.path, facts.error)
        self.analyzed += 1
        if self.progress and self.analyzed % 500 == 0:
            self.progress(f"analysed {self.analyzed} files")
        return facts, None

    def _extract(self, source: SourceFile) -> FileFacts:
        facts: list[Fact] = []
        partial: str | None = None
        for extractor in self.extractors.get(source.language, ()):
            try:
                found = extractor.extract(source)
                if isinstance(found, Extraction):
                    partial = partial or found.partial
                    found = found.facts
                facts.extend(found)
            except (UnparsableSource, SyntaxError, RecursionError) as exc:
                # The file is skipped with the parser's reason; the review goes on.
                reason = str(exc) or type(exc).__name__
                return FileFacts(source.path, source.service, source.language, (), reason)
        return FileFacts(
            source.path, source.service, source.language, tuple(facts), partial=partial
        )
