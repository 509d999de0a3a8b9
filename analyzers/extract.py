"""From one file version to its facts: decide whether it can be read, read it, run extractors.

Everything that can go wrong with one file (a binary blob, a symlink, a
submodule, an oversized file, bytes that are not UTF-8, a parser that gives
up) becomes data, a `SkippedFile` or `FileFacts.error`, never a crashed run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
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


# Runs the extractors over many files and gives their facts back in the same order: the
# caller chooses how (one after another here; `flow_review.parallel` spreads them over processes).
ExtractMany = Callable[[Extractors, Sequence[SourceFile]], Iterable[FileFacts]]


def extract_file(extractors: Extractors, source: SourceFile) -> FileFacts:
    """The facts of one file's text: every extractor of its language, a parse failure as data."""
    facts: list[Fact] = []
    partial: str | None = None
    for extractor in extractors.get(source.language, ()):
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
    return FileFacts(source.path, source.service, source.language, tuple(facts), partial=partial)


def extract_in_turn(extractors: Extractors, sources: Sequence[SourceFile]) -> Iterator[FileFacts]:
    for source in sources:
        yield extract_file(extractors, source)


@dataclass(frozen=True, slots=True)
class Pending:
    """A file version whose facts are neither cached nor yet extracted."""

    key: str
    source: SourceFile


# What `FileAnalyzer.prepare` decides for one tree entry: its facts and why it was skipped
# (either may be None), or the text still to extract.
Prepared = tuple[FileFacts | None, SkippedFile | None] | Pending


@dataclass
class FileAnalyzer:
    """Analyses file versions of one review, each distinct (blob, path, service) once.

    Two steps, so that the extraction of many files can run at once: `prepare` each entry
    (cached facts, a skip, or the text to extract), then `extract` all pending texts.
    """

    extractors: Extractors
    cache: FactCache
    max_size: int
    progress: Callable[[str], None] | None = None
    extract_many: ExtractMany = extract_in_turn
    analyzed: int = 0
    cache_hits: int = 0
    # Prepared and not yet extracted, by key: the base and head trees of a review share most
    # versions, and each is read from the snapshot once.
    _pending: dict[str, Pending] = field(default_factory=dict, init=False, repr=False)

    def analyze(
        self, snapshot: Snapshot, entry: TreeEntry, service: str | None
    ) -> tuple[FileFacts | None, SkippedFile | None]:
        """One entry, prepared and extracted at once."""
        prepared = self.prepare(snapshot, entry, service)
        if not isinstance(prepared, Pending):
            return prepared
        facts = self.extract([prepared])[prepared.key]
        return self.outcome(facts)

    def prepare(self, snapshot: Snapshot, entry: TreeEntry, service: str | None) -> Prepared:
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
        if key in self._pending:
            return self._pending[key]
        try:
            data = snapshot.read(entry.path)
        except SnapshotError as exc:
            return None, SkippedFile(entry.path, f"cannot be read: {exc}")
        text, reason = decode(data, self.max_size)
        if text is None:
            return None, SkippedFile(entry.path, reason or "unreadable")
        pending = self._pending[key] = Pending(key, SourceFile(entry.path, service, language, text))
        return pending

    def extract(self, pending: Iterable[Pending]) -> dict[str, FileFacts]:
        """Facts of every pending file by key, each distinct key extracted once and cached."""
        unique: dict[str, SourceFile] = {}
        for item in pending:
            if item.key in unique:
                self.cache_hits += 1  # the same version in both trees: read once, as if cached
            else:
                unique[item.key] = item.source
        # Largest first: when the work is spread, the long files do not come last.
        keys = sorted(unique, key=lambda key: len(unique[key].text), reverse=True)
        sources = [unique[key] for key in keys]
        found: dict[str, FileFacts] = {}
        for key, facts in zip(keys, self.extract_many(self.extractors, sources), strict=True):
            self._pending.pop(key, None)
            found[key] = facts
            self.cache.put(key, facts)
            if not facts.error:
                self.analyzed += 1
                if self.progress and self.analyzed % 500 == 0:
                    self.progress(f"analysed {self.analyzed} files")
        return found

    @staticmethod
    def outcome(facts: FileFacts) -> tuple[FileFacts, SkippedFile | None]:
        return facts, SkippedFile(facts.path, facts.error) if facts.error else None
