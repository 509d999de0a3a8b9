"""`LineIndex` gives every node the lines the whole module's code generation gives it.

The fast path generates only the top-level statement holding a node and places it
with `ast`; the reference generates the whole module. They must agree on every node
of real code (a sample of site-packages, which the engine never wrote) and on the
shapes that make placing a statement hard.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from analyzers.extract import SourceFile, extract_file
from analyzers.facts import DataModel
from analyzers.python.syntax import LineIndex, descendants
from analyzers.registry import default_extractors
from tests.analyzers.python.real_code import SITE_PACKAGES, every_kth, python_files


def _agree(text: str) -> int:
    """Asserts that both ways give each node the same lines; returns the nodes compared."""
    module = cst.parse_module(text)
    fast, whole = LineIndex(module, text), LineIndex(module)
    nodes = list(descendants(module))
    for node in nodes:
        assert fast.span(node) == whole.span(node), (type(node).__name__, text[:200])
    return len(nodes)


HARD_SHAPES = {
    "decorators and comments": (
        "# header\n\nimport os\n\n\n# about f\n@a\n# between\n@b(1)\n"
        "def f(x):\n    return x\n\n@dataclass\nclass C:\n    x: int = 1\n"
    ),
    "several statements on a line": "a = 1; b = 2; c = f(a,\n  b)\nd = 4\n",
    "no final newline": "x = 1\ndef g():\n    return call(\n        2)",
    "windows newlines": "import a\r\n\r\ndef f():\r\n    return a.b(\r\n        1)\r\n",
    "form feed and continuation": "x = 1\n\x0c\ny = (1 +\n     2) \\\n    + 3\nz = 3\n",
    "strings with newlines": 's = """a\nb\nc"""\nt = f("""\n""")\nu = 1\n',
    "nested blocks": (
        "if x:\n    for i in y:\n        try:\n            g(i)\n        except E:\n"
        "            pass\nelse:\n    h()\n"
    ),
    "async and match": (
        "async def f():\n    async with a() as b:\n        await b.c()\n"
        "match x:\n    case 1:\n        y()\n    case _:\n        z()\n"
    ),
}


@pytest.mark.parametrize("text", HARD_SHAPES.values(), ids=HARD_SHAPES.keys())
def test_hard_shapes(text: str) -> None:
    assert _agree(text) > 0


def test_a_text_that_disagrees_with_the_tree_falls_back_to_the_whole_module() -> None:
    module = cst.parse_module("a = 1\nb = f(2)\n")
    stale = LineIndex(module, "a = 1\n\n\nb = g(2)\n")  # not the text the tree came from
    call = next(n for n in descendants(module) if isinstance(n, cst.Call))
    assert stale.span(call) == (2, 2)


def test_real_code_agrees() -> None:
    sample = every_kth(python_files(SITE_PACKAGES), 150)
    compared = 0
    for relative in sample:
        text = Path(SITE_PACKAGES, relative).read_text(encoding="utf-8", errors="replace")
        try:
            cst.parse_module(text)
        except cst.ParserSyntaxError:
            continue
        compared += _agree(text)
    assert compared > 100_000


def test_a_model_ending_a_file_with_no_final_newline_has_its_lines() -> None:
    # The whole-module generation drops the missing newline's token after the class noted
    # its span; reading past the tokens once crashed the review of such a file.
    source = (
        "from pydantic import BaseModel\n\n"
        "class Quote(BaseModel):\n    total: int"  # no final newline
    )
    module = cst.parse_module(source)
    (quote,) = module.body[1:]
    assert LineIndex(module).span(quote) == (3, 4)
    assert LineIndex(module, source).span(quote) == (3, 4)
    facts = extract_file(default_extractors(), SourceFile("svc/m.py", "svc", "python", source))
    (model,) = [f for f in facts.facts if isinstance(f, DataModel)]
    assert (model.location.line, model.location.end_line) == (3, 4)
