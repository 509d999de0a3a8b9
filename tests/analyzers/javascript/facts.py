"""Facts of one JavaScript/TypeScript source, as the engine's extractor reads it."""

from __future__ import annotations

from textwrap import dedent
from typing import TypeVar

from analyzers.extract import SourceFile
from analyzers.javascript import JavaScriptExtractor
from analyzers.paths import language_of

F = TypeVar("F")


def facts_of(kind: type[F], path: str, source: str, service: str = "svc") -> list[F]:
    """The facts of `kind` the whole extractor (prefilter included) finds in `source`."""
    language = language_of(path) or "typescript"
    text = dedent(source).lstrip("\n")
    found = JavaScriptExtractor().extract(SourceFile(path, service, language, text))
    return [fact for fact in found if isinstance(fact, kind)]
