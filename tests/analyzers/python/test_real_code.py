"""The Python analyzer over real code no one here wrote: a fixed sample of site-packages.

Whatever real code holds (Python 2 leftovers, odd encodings, huge generated
tables, every syntax the grammar allows), the review must finish and account
for every file: analysed, or skipped with a reason that is true.
"""

from __future__ import annotations

import ast
from collections import Counter

import libcst as cst

from analyzers.config import Config
from analyzers.engine import ReviewRequest, review
from analyzers.extract import decode
from analyzers.facts import OutboundCall
from analyzers.paths import is_vendored
from analyzers.snapshot import MemorySnapshot
from tests.analyzers.python.real_code import (
    MIN_SAMPLE,
    engine_path,
    line_count,
    site_sample_review,
)

_REQUESTS_FUNCTIONS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request"}
)


def _obvious_http_calls(text: str) -> set[int]:
    """Lines of calls that need no name resolution to recognise, found with `ast` alone.

    `requests.get(...)` through `import requests [as x]`, `urlopen(...)` through
    `from urllib.request import urlopen [as y]`, and `urllib.request.urlopen(...)`.
    """
    if "requests" not in text and "urlopen" not in text:
        return set()  # what follows needs one of these names
    tree = ast.parse(text)
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import)]
    modules = {a.asname or a.name for n in imports for a in n.names if a.name == "requests"}
    urllib_imported = any(
        a.name == "urllib.request" and a.asname is None for n in imports for a in n.names
    )
    functions = {
        a.asname or a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.level == 0 and n.module == "urllib.request"
        for a in n.names
        if a.name == "urlopen"
    }
    lines: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in functions:
            lines.add(node.lineno)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in modules and func.attr in _REQUESTS_FUNCTIONS:
                lines.add(node.lineno)
        elif (
            urllib_imported
            and isinstance(func, ast.Attribute)
            and func.attr == "urlopen"
            and ast.unparse(func.value) == "urllib.request"
        ):
            lines.add(node.lineno)
    return lines


def _parser_rejects(text: str) -> bool:
    try:
        cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError):
        return True
    return False


def test_every_sampled_file_is_analysed_or_skipped_with_a_true_reason() -> None:
    run = site_sample_review()
    sample = [engine_path(rel) for rel in run.sample]
    stats = run.review.stats
    skipped = {s.path: s.reason for s in stats.files_skipped}
    analysed = {path for path, facts in run.facts.items() if facts.error is None}
    # Folders such as `build/` or `vendor/` are never a service's own code: the engine
    # leaves them out before reading them, by path alone.
    excluded = {path for path in sample if is_vendored(path)}
    print(
        f"\nreal code: {len(sample)} sampled files from {run.root}, reviewed in "
        f"{run.seconds:.1f} s: {stats.files_analyzed} analysed, {len(skipped)} skipped, "
        f"{len(excluded)} excluded by path"
    )
    for path, reason in sorted(skipped.items()):
        print(f"  skipped {path}: {reason}")

    assert len(sample) >= MIN_SAMPLE, "the venv holds too few files for a meaningful sample"
    assert len(set(sample)) == len(sample)
    assert len(sample) == len(run.data)
    assert set(skipped) <= set(sample)
    assert not analysed & set(skipped)
    assert not excluded & (analysed | set(skipped))
    assert analysed | set(skipped) | excluded == set(sample)
    assert stats.files_analyzed == len(analysed)
    assert stats.files_analyzed + len(skipped) == len(sample) - len(excluded)
    for path, reason in skipped.items():
        assert reason.strip(), path
        text, decode_reason = decode(run.data[path], Config().max_file_size)
        if text is None:
            assert reason == decode_reason, path
        else:
            # Only the parser may turn readable text into a skip; a family that crashes
            # on code libcst reads is a bug, not a reason.
            assert _parser_rejects(text), f"{path} parses, yet was skipped: {reason}"
            assert reason.startswith("libcst cannot parse it") or "recursion" in reason, path


def test_facts_found_in_real_code_are_plausible() -> None:
    run = site_sample_review()
    facts = [(path, fact) for path, found in run.facts.items() for fact in found.facts]
    kinds = Counter(type(fact).__name__ for _, fact in facts)
    findings = Counter(f.rule for f in run.review.findings)
    print(f"\nfacts by kind: {dict(sorted(kinds.items()))}")
    print(f"findings by rule: {dict(sorted(findings.items()))}")

    for path, fact in facts:
        location = fact.location
        last = line_count(run.data[path].decode("utf-8"))
        assert location.path == path
        assert 1 <= location.line <= location.end_line <= last, (path, fact)

    calls: dict[str, list[OutboundCall]] = {}
    for path, fact in facts:
        if isinstance(fact, OutboundCall):
            calls.setdefault(path, []).append(fact)
    expected = {
        (path, line)
        for path, found in run.facts.items()
        if found.error is None
        for line in _obvious_http_calls(run.data[path].decode("utf-8"))
    }
    missed = sorted(
        (path, line)
        for path, line in expected
        if not any(c.location.line <= line <= c.location.end_line for c in calls.get(path, []))
    )
    print(
        f"obvious requests/urlopen calls: {len(expected)}, "
        f"outbound calls found: {kinds['OutboundCall']}"
    )
    assert expected, "the sample holds no requests or urlopen call: it no longer tests recall"
    assert not missed, f"calls any reader sees, missed by the analyzer: {missed}"


def test_a_python2_file_is_skipped_with_the_parsers_reason() -> None:
    """The skip paths the sample test checks, which no file of today's venv happens to take."""
    head = MemorySnapshot(
        {
            "sp/requirements.txt": "requests\n",
            "sp/legacy.py": "import requests\nprint 'fetching'\nrequests.get(URL)\n",
            "sp/plain_py2.py": "print 'no integration word, never parsed'\n",
            "sp/latin1.py": "# -*- coding: latin-1 -*-\nNAME = '\xe9'\n".encode("latin-1"),
        }
    )
    result = review(ReviewRequest(head=head))
    reasons = {s.path: s.reason for s in result.stats.files_skipped}
    assert set(reasons) == {"sp/legacy.py", "sp/latin1.py"}
    assert reasons["sp/legacy.py"].startswith("libcst cannot parse it: Syntax Error @ ")
    assert reasons["sp/latin1.py"] == "invalid UTF-8 at byte 34"
    assert result.stats.files_analyzed == 1  # the prefilter passes over plain_py2.py unparsed
