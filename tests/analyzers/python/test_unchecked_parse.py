"""`parse_module` skips libcst's per-node checks while it parses, and only then.

The tree must be the one libcst's checked parse builds, on real code nobody here
wrote; a node built by hand afterwards (as rules' fixes do) must still be checked.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from analyzers.python.syntax import parse_module
from tests.analyzers.python.real_code import SITE_PACKAGES, every_kth, python_files


def test_real_code_parses_to_the_tree_the_checked_parse_builds() -> None:
    compared = 0
    for relative in every_kth(python_files(SITE_PACKAGES), 150):
        text = Path(SITE_PACKAGES, relative).read_text(encoding="utf-8", errors="replace")
        try:
            checked = cst.parse_module(text)
        except cst.ParserSyntaxError:
            with pytest.raises(cst.ParserSyntaxError):
                parse_module(text)
            continue
        unchecked = parse_module(text)
        assert unchecked.deep_equals(checked), relative
        assert unchecked.code == text
        compared += 1
    assert compared > 100


def test_nodes_built_after_a_parse_are_checked_again() -> None:
    parse_module("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")  # libcst rejects an identifier with spaces


def test_a_syntax_error_leaves_the_checks_on() -> None:
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def f(:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")
