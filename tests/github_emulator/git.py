"""Real git repositories behind the emulator: bare repositories driven by git's plumbing.

One bare repository holds a whole fork network, as on GitHub: the root
repository's refs are the ordinary `refs/heads/*`, and each fork's refs live
under `refs/namespaces/<fork id>/`, so a fork's commits are objects of the same
store and a pull request from a fork needs no fetch. `GitRepository` is one
repository's view of that store: its refs, and the shared objects.

Commits are written with `git fast-import` (one process per commit, however many
files), everything else with plumbing commands (`rev-parse`, `ls-tree`,
`cat-file`, `diff-tree`), which ignore the user's git configuration. Diffs of
two commits are immutable and cached.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.github_emulator.diff import Diff, parse_diff

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
ZERO_SHA = "0" * 40
GIT_TIMEOUT = 120  # seconds; generous for a loaded 2-core machine

# A file's new content: text, bytes, or None to delete the file.
FileContent = str | bytes | None


class GitError(RuntimeError):
    """A git command failed; the message carries its stderr."""


@dataclass(frozen=True)
class Signature:
    """Who made a commit, and when."""

    name: str
    email: str
    when: datetime


@dataclass(frozen=True)
class CommitInfo:
    """A commit object, parsed."""

    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Signature
    committer: Signature
    message: str


@dataclass(frozen=True)
class TreeEntry:
    """One line of `git ls-tree -l`: a blob, tree or submodule at a path."""

    mode: str
    type: str
    sha: str
    path: str
    size: int | None


def _environment(git_dir: Path) -> dict[str, str]:
    # Plumbing ignores most configuration, but not all: keep the user's files out by giving
    # git a home of its own, where there is no .gitconfig.
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    environment.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(git_dir),
            "XDG_CONFIG_HOME": str(git_dir),
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
        }
    )
    return environment


def run_git(git_dir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run one git command against `git_dir` and return its stdout; GitError when it fails."""
    result = subprocess.run(
        ["git", f"--git-dir={git_dir}", *args],
        input=stdin,
        capture_output=True,
        env=_environment(git_dir),
        timeout=GIT_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {' '.join(args)}: {stderr}")
    return result.stdout


def init_store(path: Path, default_branch: str) -> None:
    """Create the bare repository that holds one fork network."""
    path.mkdir(parents=True, exist_ok=True)
    run_git(path, "init", "--quiet", "--bare", f"--initial-branch={default_branch}")


def _timestamp(when: datetime) -> str:
    return f"{int(when.timestamp())} +0000"


def _parse_signature(text: str) -> Signature:
    # "Name <email> 1700000000 +0000"
    name_email, _, stamp = text.rpartition("> ")
    name, _, email = name_email.partition(" <")
    seconds = int(stamp.split(" ")[0])
    return Signature(name=name, email=email, when=datetime.fromtimestamp(seconds, tz=UTC))


class GitRepository:
    """One repository's view of a fork network's store: its own refs, the shared objects."""

    def __init__(self, store: Path, namespace: str | None = None) -> None:
        self.store = store
        self.namespace = namespace
        self._prefix = f"refs/namespaces/{namespace}/" if namespace else ""

    def _git(self, *args: str, stdin: bytes | None = None) -> bytes:
        return run_git(self.store, *args, stdin=stdin)

    # refs

    def branch_ref(self, branch: str) -> str:
        return f"{self._prefix}refs/heads/{branch}"

    def branch_sha(self, branch: str) -> str | None:
        return self._verify(f"{self.branch_ref(branch)}^{{commit}}")

    def branches(self) -> dict[str, str]:
        """Branch name -> tip sha."""
        heads = f"{self._prefix}refs/heads/"
        listing = self._git("for-each-ref", "--format=%(refname) %(objectname)", heads)
        branches: dict[str, str] = {}
        for line in listing.decode().splitlines():
            ref, _, sha = line.partition(" ")
            branches[ref.removeprefix(heads)] = sha
        return branches

    def set_ref(self, ref: str, sha: str) -> None:
        self._git("update-ref", ref, sha)

    def delete_branch(self, branch: str) -> None:
        self._git("update-ref", "-d", self.branch_ref(branch))

    def _verify(self, spec: str) -> str | None:
        try:
            return self._git("rev-parse", "--verify", "--quiet", spec).decode().strip() or None
        except GitError:
            return None

    def resolve_commit(self, ref: str) -> str | None:
        """A branch, tag or (full or abbreviated) sha of this repository -> commit sha."""
        if not ref or ref.startswith("-") or ".." in ref:
            return None
        for candidate in (f"{self._prefix}refs/heads/{ref}", f"{self._prefix}refs/tags/{ref}"):
            if sha := self._verify(f"{candidate}^{{commit}}"):
                return sha
        if all(c in "0123456789abcdef" for c in ref.lower()) and 4 <= len(ref) <= 40:
            return self._verify(f"{ref}^{{commit}}")
        return None

    def resolve_tree(self, ref: str) -> str | None:
        """A tree sha, or anything `resolve_commit` accepts -> tree sha."""
        if len(ref) == 40 and self.object_type(ref) == "tree":
            return ref
        commit = self.resolve_commit(ref)
        return self.commit_info(commit).tree if commit else None

    # objects

    def object_type(self, sha: str) -> str | None:
        if not sha or not all(c in "0123456789abcdef" for c in sha.lower()):
            return None
        try:
            return self._git("cat-file", "-t", sha).decode().strip()
        except GitError:
            return None

    def read_blob(self, sha: str) -> bytes | None:
        if self.object_type(sha) != "blob":
            return None
        return self._git("cat-file", "blob", sha)

    def commit_info(self, sha: str) -> CommitInfo:
        return _commit_info(self.store, sha)

    def tree_entries(self, tree: str, *, recursive: bool) -> list[TreeEntry]:
        args = ["ls-tree", "-l", "-z", "--full-tree"]
        if recursive:
            args += ["-r", "-t"]
        entries: list[TreeEntry] = []
        for record in self._git(*args, tree).split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, kind, sha, size = meta.decode().split()
            entries.append(TreeEntry(mode, kind, sha, path.decode("utf-8", "replace"), _size(size)))
        return entries

    def entry_at(self, commit: str, path: str) -> TreeEntry | None:
        """The blob, tree or submodule at `path` in `commit`, or None."""
        path = path.strip("/")
        if not path:
            tree = self.commit_info(commit).tree
            return TreeEntry("040000", "tree", tree, "", None)
        listing = self._git("ls-tree", "-l", "-z", "--full-tree", commit, "--", path)
        for record in listing.split(b"\0"):
            meta, _, found = record.partition(b"\t")
            if found.decode("utf-8", "replace") == path:
                mode, kind, sha, size = meta.decode().split()
                return TreeEntry(mode, kind, sha, path, _size(size))
        return None

    # Commits are immutable: what is computed from two commit shas is cached.

    def merge_base(self, one: str, other: str) -> str | None:
        return _merge_base(self.store, one, other)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return _is_ancestor(self.store, ancestor, descendant)

    def count_commits(self, base: str, head: str) -> int:
        return _count_commits(self.store, base, head)

    def commits_between(self, base: str, head: str) -> tuple[str, ...]:
        """`git log base..head` in the order GitHub's compare lists it: oldest first."""
        return _commits_between(self.store, base, head)

    def log(self, ref: str) -> list[str]:
        """Commit shas reachable from `ref`, newest first."""
        sha = self.resolve_commit(ref)
        if sha is None:
            return []
        return self._git("rev-list", sha).decode().split()

    # diffs

    def diff(self, base: str, head: str) -> Diff:
        """The change from commit (or tree) `base` to `head`, as GitHub's files API sees it."""
        return _cached_diff(self.store, base, head)

    def diff_text(self, base: str, head: str) -> str:
        """`git diff base head`: the unified diff GitHub serves as `application/vnd.github.diff`."""
        return _cached_diff_text(self.store, base, head)

    # writes

    def commit(
        self,
        branch: str,
        files: Mapping[str, FileContent],
        *,
        message: str,
        author: Signature,
        committer: Signature | None = None,
        parent: str | None = None,
    ) -> str:
        """Commit `files` on top of `parent` (default: the branch tip) and move the branch there."""
        committer = committer or author
        ref = self.branch_ref(branch)
        if parent is None:
            parent = self.branch_sha(branch)
        stream = bytearray()
        stream += f"commit {ref}\n".encode()
        stream += f"author {author.name} <{author.email}> {_timestamp(author.when)}\n".encode()
        stream += (
            f"committer {committer.name} <{committer.email}> {_timestamp(committer.when)}\n"
        ).encode()
        encoded_message = message.encode()
        stream += f"data {len(encoded_message)}\n".encode() + encoded_message + b"\n"
        if parent is not None:
            stream += f"from {parent}\n".encode()
        for path, content in sorted(files.items()):
            clean = _checked_path(path)
            if content is None:
                stream += f"D {clean}\n".encode()
                continue
            data = content.encode() if isinstance(content, str) else content
            stream += f"M 100644 inline {clean}\n".encode()
            stream += f"data {len(data)}\n".encode() + data + b"\n"
        stream += b"done\n"
        self._git("fast-import", "--quiet", "--done", "--force", stdin=bytes(stream))
        sha = self.branch_sha(branch)
        if sha is None:
            raise GitError(f"fast-import did not create {ref}")
        return sha


def _size(text: str) -> int | None:
    return None if text == "-" else int(text)


def _checked_path(path: str) -> str:
    clean = path.strip("/")
    parts = clean.split("/")
    if not clean or any(part in ("", ".", "..", ".git") for part in parts) or "\n" in clean:
        raise ValueError(f"not a valid repository path: {path!r}")
    if clean.startswith('"'):
        raise ValueError(f"paths starting with a double quote are not supported: {path!r}")
    return clean


@functools.lru_cache(maxsize=4096)
def _commit_info(store: Path, sha: str) -> CommitInfo:
    raw = run_git(store, "cat-file", "commit", sha).decode("utf-8", "replace")
    header, _, message = raw.partition("\n\n")
    tree = ""
    parents: list[str] = []
    author = committer = Signature("", "", datetime.fromtimestamp(0, tz=UTC))
    for line in header.splitlines():
        key, _, value = line.partition(" ")
        if key == "tree":
            tree = value
        elif key == "parent":
            parents.append(value)
        elif key == "author":
            author = _parse_signature(value)
        elif key == "committer":
            committer = _parse_signature(value)
    return CommitInfo(sha, tree, tuple(parents), author, committer, message)


@functools.lru_cache(maxsize=1024)
def _merge_base(store: Path, one: str, other: str) -> str | None:
    try:
        return run_git(store, "merge-base", one, other).decode().strip() or None
    except GitError:
        return None


@functools.lru_cache(maxsize=1024)
def _is_ancestor(store: Path, ancestor: str, descendant: str) -> bool:
    try:
        run_git(store, "merge-base", "--is-ancestor", ancestor, descendant)
    except GitError:
        return False
    return True


@functools.lru_cache(maxsize=1024)
def _count_commits(store: Path, base: str, head: str) -> int:
    return int(run_git(store, "rev-list", "--count", f"{base}..{head}").decode().strip() or 0)


@functools.lru_cache(maxsize=256)
def _commits_between(store: Path, base: str, head: str) -> tuple[str, ...]:
    listing = run_git(store, "rev-list", "--reverse", "--topo-order", f"{base}..{head}")
    return tuple(listing.decode().split())


@functools.lru_cache(maxsize=256)
def _cached_diff(store: Path, base: str, head: str) -> Diff:
    raw = run_git(store, "diff-tree", "-r", "-M", "--raw", "-z", "--no-commit-id", base, head)
    patch = run_git(store, "diff-tree", "-r", "-M", "-p", "--full-index", "--no-color", base, head)
    return parse_diff(raw, patch.decode("utf-8", "replace"))


@functools.lru_cache(maxsize=256)
def _cached_diff_text(store: Path, base: str, head: str) -> str:
    patch = run_git(store, "diff-tree", "-r", "-M", "-p", "--no-color", base, head)
    return patch.decode("utf-8", "replace")


def parents_or_empty(info: CommitInfo) -> str:
    """What a commit's own diff starts from: its first parent, or the empty tree for a root."""
    return info.parents[0] if info.parents else EMPTY_TREE
