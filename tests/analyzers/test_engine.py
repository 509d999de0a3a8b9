from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from analyzers.cache import MemoryFactCache
from analyzers.diff import diff_snapshots
from analyzers.engine import ReviewRequest, item_id, review
from analyzers.extract import SourceFile, UnparsableSource
from analyzers.facts import Fact, Family, Finding, Location, ObservabilitySite, Severity
from analyzers.rules.base import Example, Rule, Scope
from analyzers.snapshot import SUBMODULE, SYMLINK, MemorySnapshot
from tests.analyzers.examples import review_example


@dataclass
class PrintExtractor:
    """A stand-in language analyzer: every `print(` is a log site; `@@` is unparsable."""

    seen: list[str] = field(default_factory=list)

    def extract(self, source: SourceFile) -> Sequence[Fact]:
        self.seen.append(source.path)
        if "@@" in source.text:
            raise UnparsableSource("invalid syntax at line 1")
        return [
            ObservabilitySite(source.service or "", Location(source.path, n, n), "log", "print")
            for n, line in enumerate(source.text.splitlines(), 1)
            if "print(" in line
        ]


def _log_rule(scope: Scope) -> type[Rule]:
    class LogSites(Rule):
        """Reports every log site."""

        code = "FLOW900"
        name = "log-sites"
        family = Family.OBSERVABILITY
        severity = Severity.LOW

        def check(self, ctx: object) -> Iterator[Finding]:
            from analyzers.context import ReviewContext

            assert isinstance(ctx, ReviewContext)
            for site in ctx.head.of_type(ObservabilitySite):
                yield self.finding(
                    title="log", message="log", key=site.location.path, location=site.location
                )

    LogSites.scope = scope
    return LogSites


BASE = {
    "svc/requirements.txt": "",
    "svc/a.py": "print(1)\nx = 1\n",
    "svc/b.py": "print(2)\n",
    "svc/c.py": "y = 1\nprint(3)\n",
}
HEAD = {**BASE, "svc/a.py": "print(1)\nx = 2\nprint(4)\n"}


def test_unchanged_file_is_analysed_once_and_cache_is_shared() -> None:
    extractor = PrintExtractor()
    base, head = MemorySnapshot(BASE, rev="b"), MemorySnapshot(HEAD, rev="h")
    cache = MemoryFactCache()
    request = ReviewRequest(head=head, base=base, changes=diff_snapshots(base, head))
    result = review(request, rules=(), extractors={"python": [extractor]}, cache=cache)
    # b.py and c.py are the same blob at both sides: read and analysed once each.
    assert sorted(extractor.seen) == ["svc/a.py", "svc/a.py", "svc/b.py", "svc/c.py"]
    assert result.stats.files_analyzed == 6
    assert result.stats.cache_hits == 2
    extractor.seen.clear()
    review(request, rules=(), extractors={"python": [extractor]}, cache=cache)
    assert extractor.seen == []


def test_scope_keeps_only_findings_on_changed_lines() -> None:
    example = Example(base=BASE, head=HEAD)
    extractors = {"python": [PrintExtractor()]}
    lines = review_example(example, [_log_rule(Scope.CHANGED_LINES)], extractors)
    assert [(f.location.path, f.location.line) for f in lines.findings if f.location] == [
        ("svc/a.py", 3)
    ]
    files = review_example(example, [_log_rule(Scope.CHANGED_FILES)], extractors)
    assert sorted(f.location.line for f in files.findings if f.location) == [1, 3]
    whole = review_example(Example(head=HEAD), [_log_rule(Scope.CHANGED_LINES)], extractors)
    assert len(whole.findings) == 4
    assert whole.whole_repo and whole.base is None


def test_disabled_rule_does_not_run() -> None:
    extractors = {"python": [PrintExtractor()]}
    result = review_example(
        Example(head=HEAD, config="disable: [FLOW001]\n"), [_log_rule(Scope.CHANGE)], extractors
    )
    assert result.rules_run == ("FLOW900",)


def test_files_that_cannot_be_read_are_skipped_with_reasons() -> None:
    head_files: dict[str, str | bytes] = {
        "svc/requirements.txt": "",
        "svc/ok.py": "print(1)\n",
        "svc/binary.py": b"\0\1\2",
        "svc/latin1.py": "caf\xe9 = 1\n".encode("latin-1"),
        "svc/huge.py": "x = 1\n" * 300_000,
        "svc/link.py": "ok.py",
        "svc/vendor_lib": "0" * 40,
        "svc/broken.py": "@@\n",
        "svc/image.png": b"\x89PNG\0",
        "svc/node_modules/dep/index.js": b"\0",
    }
    head = MemorySnapshot(head_files, modes={"svc/link.py": SYMLINK, "svc/vendor_lib": SUBMODULE})
    base = MemorySnapshot({"svc/requirements.txt": ""})
    result = review(
        ReviewRequest(head=head, base=base, changes=diff_snapshots(base, head)),
        rules=(),
        extractors={"python": [PrintExtractor()]},
    )
    reasons = {s.path: s.reason for s in result.stats.files_skipped}
    assert reasons == {
        "svc/binary.py": "binary file",
        "svc/latin1.py": "invalid UTF-8 at byte 3",
        "svc/huge.py": "larger than 1048576 bytes (1800000 bytes)",
        "svc/link.py": "symlink",
        "svc/vendor_lib": "submodule",
        "svc/broken.py": "invalid syntax at line 1",
        "svc/image.png": "binary file",
        "svc/node_modules/dep/index.js": "binary file",
    }
    assert result.stats.files_analyzed == 1


def test_max_file_size_is_configurable() -> None:
    example = Example(
        head={"a/requirements.txt": "", "a/x.py": "x = 1\n" * 100}, config="max_file_size: 100\n"
    )
    result = review_example(example, [], {"python": [PrintExtractor()]})
    assert [s.reason for s in result.stats.files_skipped] == ["larger than 100 bytes (600 bytes)"]


def test_empty_change_reviews_to_nothing() -> None:
    result = review_example(Example(base=BASE, head=BASE), [_log_rule(Scope.CHANGE)])
    assert result.changes == () and result.changed_services == () and result.findings == ()
    assert result.checklist == ()


def test_checklist_ids_are_stable_across_line_moves() -> None:
    extractors = {"python": [PrintExtractor()]}
    rule = [_log_rule(Scope.CHANGED_FILES)]
    first = review_example(
        Example(head={"s/requirements.txt": "", "s/a.py": "print(1)\n"}), rule, extractors
    )
    moved = review_example(
        Example(head={"s/requirements.txt": "", "s/a.py": "\n\nprint(1)\n"}), rule, extractors
    )
    assert [i.id for i in first.checklist] == [i.id for i in moved.checklist]
    assert first.checklist[0].id == item_id(first.findings[0])


def test_removing_lines_inside_a_finding_reports_it() -> None:
    """Deleting a guard changes the code that stays: changed-lines rules must see it."""
    base = {
        "svc/requirements.txt": "",
        "svc/a.py": "def f():\n    check()\n    print(1)\n    x = 1\n",
    }
    head = {"svc/requirements.txt": "", "svc/a.py": "def f():\n    print(1)\n    x = 1\n"}
    extractors = {"python": [PrintExtractor()]}
    result = review_example(
        Example(base=base, head=head), [_log_rule(Scope.CHANGED_LINES)], extractors
    )
    assert [(f.location.path, f.location.line) for f in result.findings if f.location] == [
        ("svc/a.py", 2)
    ]
