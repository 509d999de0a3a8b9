"""The facts of a whole tree as the engine computes them, for tests to look into.

`analyzers.engine.review` keeps facts to itself; this runs the same steps (services
from manifests, every file through the default extractors, then the default
composers) and returns each file's facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from analyzers.cache import MemoryFactCache
from analyzers.config import Config
from analyzers.extract import Extraction, FileAnalyzer, SourceFile
from analyzers.facts import Fact, FileFacts
from analyzers.javascript import JavaScriptExtractor
from analyzers.paths import language_of
from analyzers.registry import DEFAULT_COMPOSERS, default_extractors
from analyzers.services import manifest_reader, resolve_services
from analyzers.snapshot import MemorySnapshot


def read_tree(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def tree_facts(files: Mapping[str, str], composed: bool = True) -> dict[str, FileFacts]:
    config = Config()
    snapshot = MemorySnapshot(files)
    entries = snapshot.entries()
    services = resolve_services(config, entries.keys(), manifest_reader([(entries, snapshot.read)]))
    analyzer = FileAnalyzer(default_extractors(), MemoryFactCache(), config.max_file_size)
    found: list[FileFacts] = []
    for path, entry in sorted(entries.items()):
        if language_of(path) is None:
            continue
        facts, _ = analyzer.analyze(snapshot, entry, services.owner(path))
        if facts is not None:
            found.append(facts)
    if composed:
        for compose in DEFAULT_COMPOSERS:
            found = list(compose(found))
    return {f.path: f for f in found}


def file_facts(path: str, text: str, service: str = "web") -> list[Fact]:
    """One file's facts from the JavaScript extractor; the sources of tests parse whole."""
    language = language_of(path) or "typescript"
    found = JavaScriptExtractor().extract(SourceFile(path, service, language, text))
    assert not isinstance(found, Extraction), found.partial
    return list(found)
