"""The JavaScript/TypeScript analyzer over real code no one here wrote: a pinned npm tree.

Whatever real code holds (minified bundles, generated type declarations,
syntax newer than the grammar, files over the size limit), the review must
finish and account for every file: analysed, analysed in part with the
reason, or skipped with a reason that is true. And what it finds must be
where the code is, and include what a plain reader finds.
"""

from __future__ import annotations

import re
from collections import Counter

import tree_sitter as ts

from analyzers.config import Config
from analyzers.engine import ReviewRequest, review
from analyzers.extract import decode
from analyzers.facts import ObservabilitySite, OutboundCall
from analyzers.javascript.parsing import dialect, parser_for
from analyzers.javascript.prefilter import may_hold_facts
from analyzers.paths import is_vendored
from tests.analyzers.javascript.node_corpus import installed_corpus
from tests.analyzers.javascript.real_code import (
    KNOWN_FETCH_SITES,
    KNOWN_FORWARDING_FETCH,
    KNOWN_NOT_FETCH,
    MIN_SAMPLE,
    engine_path,
    node_sample_review,
    snapshot_of,
    suffix,
)
from tests.analyzers.python.real_code import line_count

# A call of the global fetch as anyone would write it: not a method (`.fetch(`), not part
# of a longer name (`prefetch(`, `$fetch(`).
FETCH_CALL = re.compile(r"(?<![\w.$])fetch\s*\(")
# A statement that starts with a console call.
CONSOLE_CALL = re.compile(r"^[ \t]*console\.(?:log|info|warn|error|debug|trace)\(", re.MULTILINE)
# Where a regex match is text, not code, unless a `${...}` lies in between.
_TEXT_NODES = frozenset({"comment", "string", "template_string", "regex", "jsx_text"})


def _tree(path: str, text: str) -> ts.Tree:
    return parser_for(dialect(path)).parse(text.encode("utf-8"))


def _code_lines(tree: ts.Tree, text: str, pattern: re.Pattern[str]) -> set[int]:
    """Lines where `pattern` matches code: not in a comment, a string or a regex literal.

    The grammar says which is which; the analyzer's own query and families play no
    part. Callers use it on files that parse without errors only.
    """
    lines: set[int] = set()
    for match in pattern.finditer(text):
        start = len(text[: match.end() - 1].encode("utf-8"))  # the "(" of the call
        node: ts.Node | None = tree.root_node.descendant_for_byte_range(start, start + 1)
        while node is not None and node.type not in _TEXT_NODES:
            if node.type == "template_substitution":
                break
            node = node.parent
        if node is None or node.type == "template_substitution":
            lines.add(text.count("\n", 0, match.start()) + 1)
    return lines


def _error_lines(node: ts.Node) -> set[int]:
    """The lines where tree-sitter's error and missing nodes start (no recursion: real trees
    nest deeper than Python's stack)."""
    lines: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current.is_error or current.is_missing:
            lines.add(current.start_point[0] + 1)
        elif current.has_error:
            stack.extend(current.children)
    return lines


def test_every_sampled_file_is_analysed_or_skipped_with_a_true_reason() -> None:
    run = node_sample_review()
    sample = [engine_path(rel) for rel in run.sample]
    stats = run.review.stats
    skipped = {s.path: s.reason for s in stats.files_skipped}
    partial = {s.path: s.reason for s in stats.files_partial}
    analysed = {path for path, facts in run.facts.items() if facts.error is None}
    suffixes = Counter(suffix(path) for path in sample)
    print(
        f"\nreal code: {len(sample)} sampled files from {run.root} "
        f"({', '.join(f'{s} {n}' for s, n in sorted(suffixes.items()))}), reviewed in "
        f"{run.seconds:.1f} s: {stats.files_analyzed} analysed ({len(partial)} in part), "
        f"{len(skipped)} skipped"
    )
    for path, reason in sorted(skipped.items()):
        print(f"  skipped {path}: {reason}")

    assert len(sample) >= MIN_SAMPLE, "the tree holds too few files for a meaningful sample"
    assert {".js", ".mjs", ".cjs", ".ts", ".tsx"} <= set(suffixes)
    assert len(set(sample)) == len(sample) == len(run.data)
    assert not any(is_vendored(path) for path in sample)
    assert {s.name for s in run.review.services} == {"nm"}
    assert set(skipped) <= set(sample)
    assert not analysed & set(skipped)
    assert analysed | set(skipped) == set(sample)
    assert stats.files_analyzed == len(analysed) + 1  # and the manifest, package.json
    assert set(partial) <= analysed
    assert all(reason.strip() for reason in partial.values())
    assert skipped, "the sample holds no file over the size limit: it no longer tests skips"
    for path, reason in skipped.items():
        # The JavaScript analyzer reads past syntax errors: only bytes that are not text
        # we read (too large, binary, not UTF-8) may turn a file into a skip.
        text, decode_reason = decode(run.data[path], Config().max_file_size)
        assert text is None, f"{path} is readable text, yet was skipped: {reason}"
        assert reason == decode_reason, path


def test_files_tree_sitter_reads_only_in_part_are_reported_partial() -> None:
    run = node_sample_review()
    partial = {s.path: s.reason for s in run.review.stats.files_partial}
    broken: set[str] = set()  # analysed files tree-sitter reads only in part
    expected: set[str] = set()  # those of them the extractor certainly parses
    for path, facts in run.facts.items():
        text = run.data[path].decode("utf-8") if facts.error is None else ""
        if text and _tree(path, text).root_node.has_error:
            broken.add(path)
            # A file the prefilter turns away may never be parsed, so not known partial.
            if may_hold_facts(text):
                expected.add(path)
    print(f"\nread only in part by tree-sitter: {len(expected)}; reported partial: {len(partial)}")
    assert expected, "no sampled file has a syntax error: this no longer tests partial parses"
    assert expected <= set(partial) <= broken
    for path, reason in partial.items():
        # A reason that names a line is true: tree-sitter finds a syntax error there.
        line = re.search(r"\bline (\d+)", reason)
        if line is not None:
            tree = _tree(path, run.data[path].decode("utf-8"))
            assert int(line.group(1)) in _error_lines(tree.root_node), (path, reason)


def test_facts_found_in_real_code_are_where_the_code_is() -> None:
    run = node_sample_review()
    facts = [(path, fact) for path, found in run.facts.items() for fact in found.facts]
    kinds = Counter(type(fact).__name__ for _, fact in facts)
    findings = Counter(f.rule for f in run.review.findings)
    print(f"\nfacts by kind: {dict(sorted(kinds.items()))}")
    print(f"findings by rule: {dict(sorted(findings.items()))}")

    assert kinds["OutboundCall"] and kinds["ObservabilitySite"]
    for path, fact in facts:
        location = fact.location
        last = line_count(run.data[path].decode("utf-8"))
        assert location.path == path
        assert 1 <= location.line <= location.end_line <= last, (path, fact)
        assert fact.service == "nm", (path, fact)
    for finding in run.review.findings:
        if finding.location is not None:
            assert finding.location.path in run.data, finding


def test_every_console_call_in_the_sample_is_an_observability_site() -> None:
    """A statement that starts with `console.log(` (or info, warn, error, debug, trace), in
    code that parses cleanly, is a log site: every one of them, in every sampled file."""
    run = node_sample_review()
    expected: set[tuple[str, int]] = set()
    for path, found in run.facts.items():
        if found.error is not None:
            continue
        text = run.data[path].decode("utf-8")
        if "console." not in text:
            continue
        tree = _tree(path, text)
        if not tree.root_node.has_error:
            expected |= {(path, line) for line in _code_lines(tree, text, CONSOLE_CALL)}
    logs = {
        (path, fact.location.line)
        for path, found in run.facts.items()
        for fact in found.facts
        if isinstance(fact, ObservabilitySite) and fact.kind == "log"
    }
    missed = sorted(expected - logs)
    print(f"\nconsole calls in code: {len(expected)}, log sites found: {len(logs)}")
    assert len(expected) >= 100, "the sample holds few console calls: it no longer tests recall"
    assert not missed, f"console calls any reader sees, missed by the analyzer: {missed[:20]}"


def test_fetch_calls_in_known_files_are_outbound_calls() -> None:
    run = node_sample_review()
    calls: dict[str, set[int]] = {}
    for path, file_facts in run.facts.items():
        for fact in file_facts.facts:
            if isinstance(fact, OutboundCall) and fact.library == "fetch":
                calls.setdefault(path, set()).add(fact.location.line)
    known = KNOWN_FETCH_SITES | KNOWN_NOT_FETCH | KNOWN_FORWARDING_FETCH
    for relative, count in sorted(known.items()):
        path = engine_path(relative)
        text = run.data[path].decode("utf-8")
        tree = _tree(path, text)
        lines = {text.count("\n", 0, m.start()) + 1 for m in FETCH_CALL.finditer(text)}
        code = _code_lines(tree, text, FETCH_CALL)
        assert len(lines) == count, f"{relative}: the pinned file changed, check it again"
        found = calls.get(path, set())
        if relative in KNOWN_FETCH_SITES:
            assert code == lines, f"{relative}: a fetch( the test counts is not code"
            assert lines <= found, f"{relative}: fetch calls on lines {lines - found} missed"
        elif relative in KNOWN_FORWARDING_FETCH:
            assert code == lines, f"{relative}: a fetch( the test counts is not code"
            assert not lines & found, f"{relative}: pass-throughs on {lines & found} reported"
        else:
            assert not lines & found, f"{relative}: lines {lines & found} are no fetch calls"
    print(f"\nfetch calls checked in {len(KNOWN_FETCH_SITES)} files")


def test_unreadable_files_are_skipped_and_broken_ones_read_in_part() -> None:
    """The skip paths that no file of the pinned tree takes, on files made from real ones."""
    root = installed_corpus()
    real = (root / "next/dist/lib/download-swc.js").read_bytes()
    head = snapshot_of(
        {
            "nm/real.js": real,
            "nm/latin1.js": real.replace(b"// ", "// caf\xe9 ".encode("latin-1"), 1),
            "nm/binary.js": real[:100] + b"\0" + real[100:],
            "nm/huge.js": real * (Config().max_file_size // len(real) + 1),
        }
    )
    result = review(ReviewRequest(head=head))
    reasons = {s.path: s.reason for s in result.stats.files_skipped}
    position = real.index(b"// ") + len("// caf")
    assert reasons == {
        "nm/latin1.js": f"invalid UTF-8 at byte {position}",
        "nm/binary.js": "binary file",
        "nm/huge.js": f"larger than {Config().max_file_size} bytes "
        f"({len(real) * (Config().max_file_size // len(real) + 1)} bytes)",
    }
    assert result.stats.files_analyzed == 2  # real.js and the manifest


def test_a_real_file_cut_short_is_read_in_part() -> None:
    root = installed_corpus()
    real = (root / "next/dist/lib/download-swc.js").read_text("utf-8")
    cut = real[: real.index("fetch(") + len("fetch(")]  # ends inside the call
    result = review(ReviewRequest(head=snapshot_of({"nm/cut.js": cut, "nm/real.js": real})))
    partial = {s.path: s.reason for s in result.stats.files_partial}
    assert set(partial) == {"nm/cut.js"}
    assert partial["nm/cut.js"].strip()
    assert result.stats.files_analyzed == 3  # and the manifest
