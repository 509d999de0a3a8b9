"""The tree-sitter grammars and parsers, made on first use and kept for the process.

`.ts` files use the TypeScript grammar and `.tsx` the TSX one (they differ on
`<T>expr` casts versus JSX); every JavaScript flavour, JSX included, uses the
JavaScript grammar.
"""

from __future__ import annotations

import posixpath
from functools import cache

import tree_sitter as ts
import tree_sitter_javascript
import tree_sitter_typescript

_GRAMMARS = {
    "typescript": tree_sitter_typescript.language_typescript,
    "tsx": tree_sitter_typescript.language_tsx,
    "javascript": tree_sitter_javascript.language,
}


def dialect(path: str) -> str:
    suffix = posixpath.splitext(path)[1].lower()
    if suffix == ".tsx":
        return "tsx"
    if suffix in (".ts", ".mts", ".cts"):
        return "typescript"
    return "javascript"


@cache
def grammar(name: str) -> ts.Language:
    return ts.Language(_GRAMMARS[name]())


@cache
def parser_for(name: str) -> ts.Parser:
    return ts.Parser(grammar(name))
