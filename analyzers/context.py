"""What a rule sees of a review: the change, the services, and the facts at base and head."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

from analyzers.config import Config
from analyzers.errors import SnapshotError
from analyzers.facts import ChangedFile, ChangeStatus, Fact, FileFacts, Location, Service
from analyzers.graph.delta import GraphDelta
from analyzers.graph.linking import Graph
from analyzers.paths import is_doc_path, is_test_path, matches_any
from analyzers.services import ServiceMap
from analyzers.snapshot import Snapshot

F = TypeVar("F")


@dataclass(frozen=True, slots=True)
class FactSet:
    """The facts of one side of the change (base or head), file by file."""

    files: tuple[FileFacts, ...] = ()
    # The facts of each kind asked for, in file order: every rule asks for a kind or two, and
    # a large repository holds hundreds of thousands of facts to go through for each.
    _kinds: dict[type, list[Fact]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def of_type(self, kind: type[F]) -> Iterator[F]:
        found = self._kinds.get(kind)
        if found is None:
            found = self._kinds[kind] = [f for f in self.all() if isinstance(f, kind)]
        return iter(cast("list[F]", found))

    def all(self) -> Iterator[Fact]:
        for file in self.files:
            yield from file.facts


@dataclass(frozen=True, slots=True)
class ReviewContext:
    config: Config
    service_map: ServiceMap
    changes: tuple[ChangedFile, ...]
    whole_repo: bool
    head: FactSet
    base: FactSet
    # The integration graph at both sides and what changed between them.
    graph: GraphDelta = field(default_factory=lambda: GraphDelta(Graph(), None, ()))
    # The head tree, for the few rules that propose a mechanical fix: facts keep no source
    # text, and a fix must quote the exact lines it replaces. None: no fixes.
    head_tree: Snapshot | None = None
    _outside_tests: dict[type, list[Fact]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def services(self) -> tuple[Service, ...]:
        return self.service_map.services

    def service_of(self, path: str) -> str | None:
        return self.service_map.owner(path)

    def is_test(self, path: str) -> bool:
        return is_test_path(path) or matches_any(self.config.tests, path)

    def is_doc(self, path: str) -> bool:
        return is_doc_path(path) or matches_any(self.config.docs, path)

    def changed_paths(self, change: ChangedFile) -> Sequence[str]:
        """Both names of a renamed file; one name otherwise."""
        return (change.path, change.old_path) if change.old_path else (change.path,)

    @property
    def changed_services(self) -> tuple[str, ...]:
        owners = {
            owner
            for change in self.changes
            for path in self.changed_paths(change)
            if (owner := self.service_of(path)) is not None
        }
        return tuple(sorted(owners))

    def code_changed_services(self) -> tuple[str, ...]:
        """Services whose change is more than tests and documentation."""
        owners = {
            owner
            for change in self.changes
            for path in self.changed_paths(change)
            if not self.is_test(path) and not self.is_doc(path)
            if (owner := self.service_of(path)) is not None
        }
        return tuple(sorted(owners))

    def cross_service_change(self) -> tuple[str, ...]:
        """The services of a diff whose code changes span two or more of them, else ()."""
        services = () if self.whole_repo else self.code_changed_services()
        return services if len(services) >= 2 else ()

    def facts(self, kind: type[F]) -> Iterator[F]:
        """Head facts of one kind, outside test code (tests call services on purpose)."""
        found = self._outside_tests.get(kind)
        if found is None:
            found = self._outside_tests[kind] = [
                fact
                for file in self.head.files
                if not self.is_test(file.path)
                for fact in file.facts
                if isinstance(fact, kind)
            ]
        return iter(cast("list[F]", found))

    def added_or_modified(self) -> Iterator[ChangedFile]:
        return (c for c in self.changes if c.status is not ChangeStatus.DELETED)

    def touches_changed_lines(self, location: Location) -> bool:
        for change in self.changes:
            if change.path == location.path and change.status is not ChangeStatus.DELETED:
                if change.status is ChangeStatus.ADDED:
                    return True
                span = range(location.line, location.end_line + 1)
                touched = change.added_lines | change.deletion_sites
                return any(line in touched for line in span)
        return False

    def head_text(self, path: str) -> str | None:
        """The head revision's text of `path`; None when there is no head tree or the file
        cannot be read as UTF-8 (a fix is then not offered; the finding stands)."""
        if self.head_tree is None:
            return None
        try:
            return self.head_tree.read(path).decode("utf-8")
        except (SnapshotError, UnicodeDecodeError):
            return None

    def touches_changed_file(self, location: Location) -> bool:
        return any(c.path == location.path for c in self.changes)
