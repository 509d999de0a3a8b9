"""`GitHubEmulator`: the emulated GitHub as a test uses it.

    with GitHubEmulator(tmp_path) as gh:
        repo = gh.create_repo("acme", "shop", {"README.md": "hello\\n"})
        gh.push(repo, "feature", {"app.py": "print(1)\\n"})
        number = gh.open_pull_request(repo, head="feature")
        installation_id = gh.install("acme", [repo])
        # the code under test: githubkit with base_url=gh.url, app id gh.app_id,
        # private key gh.private_key_pem, installation installation_id
        body, headers = gh.signed(gh.payload("pull_request", "opened", repo, number), "secret")

Starting it binds two ports on 127.0.0.1 and runs, in one background thread
with its own event loop, uvicorn serving the Starlette app and a TCP proxy in
front of it (`url` is the proxy's; it is what makes `DropConnection` real).
Everything a test sets up or reads goes straight to the shared state under its
lock, from the test's own thread. Leaving the `with` block stops both servers
and raises `EmulatorError` if a request crashed the emulator itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar

import uvicorn

from tests.github_emulator.auth import AppCredentials, generate_app, utcnow
from tests.github_emulator.calls import Limits
from tests.github_emulator.faults import Fault, FaultInjector, FaultRule
from tests.github_emulator.git import CommitInfo, FileContent
from tests.github_emulator.payloads import PayloadBuilder, WebhookPayload, signed
from tests.github_emulator.proxy import DroppingProxy
from tests.github_emulator.representations import Urls
from tests.github_emulator.server import ServerContext, build_app
from tests.github_emulator.state import (
    CheckRun,
    EmittedEvent,
    IssueComment,
    PullRequest,
    Reaction,
    RequestRecord,
    Review,
    ReviewComment,
    Role,
    State,
    StateError,
)

T = TypeVar("T")
START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0
READ_METHODS = ("GET", "HEAD", "OPTIONS")


class EmulatorError(RuntimeError):
    """The emulator failed to start, or a request crashed it (an emulator bug)."""


def _listening_socket() -> socket.socket:
    # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only then, and
    # without it every answer written in two parts waits 40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (but `.git`), by its POSIX path relative to it: for create_repo
    and push, e.g. `gh.push(repo, "feature", files_of(example / "head"), exact=True)`."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(folder).parts
    }


class GitHubEmulator:
    """GitHub's REST API for one GitHub App, served over real HTTP from real git repositories."""

    def __init__(
        self,
        root: Path,
        *,
        app_id: int | None = None,
        app_slug: str = "flow-review",
        app_name: str = "Flow Review",
        seed: int = 0,
        limits: Limits | None = None,
        web_url: str = "https://github.com",
        fresh_key: bool = False,
    ) -> None:
        self.root = root / "github-emulator"
        self.root.mkdir(parents=True, exist_ok=True)
        # A fresh app id by default: githubkit caches JWTs and installation tokens per app id
        # for the whole process, and a token of an earlier emulator must not be reused here.
        chosen_id = app_id if app_id is not None else 100_000 + secrets.randbelow(900_000)
        self.app: AppCredentials = generate_app(chosen_id, app_slug, app_name, fresh_key=fresh_key)
        self.limits = limits or Limits()
        self.faults = FaultInjector(seed)
        self._state = State(self.root, self.app)
        self._web_url = web_url
        self._urls: Urls | None = None
        self._direct_url: str | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._failure: BaseException | None = None

    # lifecycle

    def __enter__(self) -> GitHubEmulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        if exc_type is None and self._state.internal_errors:
            raise EmulatorError(
                "the GitHub emulator failed on some requests:\n"
                + "\n".join(self._state.internal_errors)
            )

    def start(self) -> None:
        if self._thread is not None:
            raise EmulatorError("already started")
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="github-emulator", daemon=True
        )
        self._thread.start()
        if not ready.wait(START_TIMEOUT):
            raise EmulatorError(f"the emulator did not start within {START_TIMEOUT} s")
        if self._failure is not None:
            raise EmulatorError(f"the emulator failed to start: {self._failure!r}")

    def stop(self) -> None:
        if self._thread is None or self._loop is None or self._stop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop may have ended already
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(STOP_TIMEOUT)
        if self._thread.is_alive():
            raise EmulatorError(f"the emulator did not stop within {STOP_TIMEOUT} s")
        self._thread = None

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(ready))
        except BaseException as error:  # handed to the thread waiting in start()
            self._failure = error
            ready.set()
        finally:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    async def _serve(self, ready: threading.Event) -> None:
        upstream = _listening_socket()
        front = _listening_socket()
        upstream_port = upstream.getsockname()[1]
        self._urls = Urls(api=f"http://127.0.0.1:{front.getsockname()[1]}", web=self._web_url)
        self._direct_url = f"http://127.0.0.1:{upstream_port}"
        proxy = DroppingProxy(upstream_port)
        context = ServerContext(
            state=self._state,
            faults=self.faults,
            limits=self.limits,
            urls=self._urls,
            dropper=lambda port, reset: proxy.drop(port, reset=reset),
        )
        config = uvicorn.Config(
            build_app(context),
            lifespan="off",
            log_level="warning",
            access_log=False,
            proxy_headers=False,
            server_header=False,  # GitHubFront says "server: github.com"
            timeout_keep_alive=120,
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        self._stop = asyncio.Event()
        await proxy.start(front)
        serving = asyncio.create_task(server.serve(sockets=[upstream]))
        while not server.started:
            if serving.done():
                await serving
                raise EmulatorError("uvicorn stopped while starting")
            await asyncio.sleep(0.01)
        ready.set()
        await self._stop.wait()
        await proxy.close()
        # No graceful shutdown (it sleeps 0.1-0.2 s on its own): a test that is over has no
        # request worth waiting for, and the proxy has closed every connection already.
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        for listener in server.servers:
            listener.close()
        upstream.close()

    @property
    def url(self) -> str:
        """The API's base URL, e.g. http://127.0.0.1:41234: githubkit's `base_url`."""
        return self._running_urls().api

    @property
    def direct_url(self) -> str:
        """uvicorn itself, bypassing the proxy (connection drops cannot happen there)."""
        self._running_urls()
        assert self._direct_url is not None
        return self._direct_url

    def _running_urls(self) -> Urls:
        if self._urls is None:
            raise EmulatorError("the emulator is not running: use it in a `with` block")
        return self._urls

    @property
    def app_id(self) -> int:
        return self.app.app_id

    @property
    def private_key_pem(self) -> str:
        return self.app.private_key_pem

    @property
    def bot_login(self) -> str:
        """The login of the app's bot user, author of its comments and commits."""
        return self.app.bot_login

    # setting the state up

    def create_repo(
        self,
        owner: str,
        name: str,
        files: Mapping[str, FileContent],
        *,
        default_branch: str = "main",
        private: bool = False,
        owner_type: Literal["User", "Organization"] = "User",
    ) -> str:
        """A repository whose default branch has one commit with `files`; returns "owner/name"."""
        repository = self._state.create_repository(
            owner,
            name,
            files,
            default_branch=default_branch,
            private=private,
            owner_type=owner_type,
        )
        return repository.full_name

    def fork(self, repo: str, owner: str) -> str:
        """A fork of `repo` owned by `owner` (all branches copied); returns its full name."""
        return self._state.fork(repo, owner).full_name

    def push(
        self,
        repo: str,
        branch: str,
        files: Mapping[str, FileContent],
        *,
        message: str = "Update files",
        author: str | None = None,
        base: str | None = None,
        exact: bool = False,
    ) -> str:
        """Commit `files` (None deletes a path) on `branch`; returns the new commit's sha.

        A new branch starts from `base` (a branch, default the default branch). With
        `exact=True` the commit's tree is `files` and nothing else (other paths are deleted).
        Pull requests whose head is this branch move to the new commit (`synchronize` emitted).
        """
        state = self._state
        with state.lock:
            repository = state.repository(repo)
            git = state.git(repository)
            parent = git.branch_sha(branch)
            if parent is None:
                parent = git.branch_sha(base or repository.default_branch)
                if parent is None:
                    raise StateError(f"{repo} has no branch {base!r} to start {branch!r} from")
            changes: dict[str, FileContent] = dict(files)
            if exact:
                tree = git.commit_info(parent).tree
                for entry in git.tree_entries(tree, recursive=True):
                    if entry.type == "blob" and entry.path not in changes:
                        changes[entry.path] = None
            return state.commit(
                repository.full_name,
                branch,
                changes,
                message=message,
                author=state.signature(author or repository.owner),
                parent=parent,
            )

    def branch_sha(self, repo: str, branch: str) -> str | None:
        state = self._state
        return state.git(state.repository(repo)).branch_sha(branch)

    def file(self, repo: str, path: str, ref: str | None = None) -> str | None:
        """The text of `path` at `ref` (default: the default branch), None when absent."""
        state = self._state
        with state.lock:
            repository = state.repository(repo)
            git = state.git(repository)
            sha = git.resolve_commit(ref or repository.default_branch)
            if sha is None:
                raise StateError(f"{repo} has no ref {ref!r}")
            entry = git.entry_at(sha, path)
            if entry is None or entry.type != "blob":
                return None
            data = git.read_blob(entry.sha)
            return None if data is None else data.decode("utf-8", "replace")

    def commits(self, repo: str, branch: str | None = None) -> list[CommitInfo]:
        """The commits of `branch` (default: the default branch), newest first."""
        state = self._state
        with state.lock:
            repository = state.repository(repo)
            git = state.git(repository)
            return [git.commit_info(sha) for sha in git.log(branch or repository.default_branch)]

    def open_pull_request(
        self,
        repo: str,
        *,
        head: str,
        base: str | None = None,
        title: str = "A change",
        body: str | None = "",
        author: str = "octocat",
        from_fork: bool = False,
        draft: bool = False,
    ) -> int:
        """Open a pull request of branch `head` into `base`; returns its number.

        `head` may be "owner:branch" to name a fork's branch. With `from_fork=True` the head
        lives in the author's fork (created when missing); a branch `head` that exists only in
        `repo` moves to the fork, so that the base repository no longer has it, as on GitHub.
        """
        state = self._state
        with state.lock:
            repository = state.repository(repo)
            head_repo = repository.full_name
            head_ref = head
            if ":" in head:
                head_owner, head_ref = head.split(":", 1)
                if head_owner.lower() != repository.owner.lower():
                    head_repo = state.fork(repository.full_name, head_owner).full_name
            elif from_fork:
                fork = state.fork(repository.full_name, author)
                head_repo = fork.full_name
                base_git = state.git(repository)
                if base_git.branch_sha(head_ref) is not None:
                    fork_git = state.git(fork)
                    fork_git.set_ref(
                        fork_git.branch_ref(head_ref), base_git.branch_sha(head_ref) or ""
                    )
                    base_git.delete_branch(head_ref)
            pull = state.open_pull_request(
                repository.full_name,
                head_repo=head_repo,
                head_ref=head_ref,
                base_ref=base or repository.default_branch,
                title=title,
                body=body,
                author=author,
                draft=draft,
            )
            return pull.number

    def pull_request(self, repo: str, number: int) -> PullRequest:
        return self._state.pull(repo, number)

    def head_sha(self, repo: str, number: int) -> str:
        return self._state.pull(repo, number).head_sha

    def edit_pull_request(
        self,
        repo: str,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        base: str | None = None,
        draft: bool | None = None,
    ) -> PullRequest:
        """Change a pull request as its author would (emits `edited`, or `ready_for_review`)."""
        state = self._state
        with state.lock:
            pull = state.pull(repo, number)
            changes: dict[str, Any] = {}
            webhook_changes: dict[str, Any] = {}
            if title is not None:
                changes["title"] = title
                webhook_changes["title"] = {"from": pull.title}
            if body is not None:
                changes["body"] = body
                webhook_changes["body"] = {"from": pull.body or ""}
            if base is not None:
                changes["base_ref"] = base
                webhook_changes["base"] = {
                    "ref": {"from": pull.base_ref},
                    "sha": {"from": state.base_sha(pull)},
                }
            if draft is not None:
                changes["draft"] = draft
            updated = state.update_pull(pull, **changes)
            if webhook_changes:
                state.emitted.append(
                    EmittedEvent(
                        "pull_request", "edited", updated.repo, number, {"changes": webhook_changes}
                    )
                )
            if draft is False and pull.draft:
                state.emitted.append(
                    EmittedEvent("pull_request", "ready_for_review", updated.repo, number)
                )
            return updated

    def set_permission(self, repo: str, user: str, role: Role) -> None:
        """Make `user` a collaborator of `repo` with a role: admin/maintain/write/triage/read."""
        self._state.set_role(repo, user, role)

    def install(
        self,
        account: str,
        repos: Sequence[str] | Literal["all"] = "all",
        *,
        permissions: Mapping[str, str] | None = None,
        events: Sequence[str] | None = None,
    ) -> int:
        """Install the app on `account`'s repositories ("all" or names); returns the id.

        `permissions` defaults to what Flow Review asks for: checks, contents, issues and
        pull_requests write, metadata read.
        """
        return self._state.install(account, repos, permissions, events).id

    def add_issue_comment(self, repo: str, number: int, body: str, user: str) -> IssueComment:
        """A comment by a person on the pull request's conversation."""
        state = self._state
        with state.lock:
            pull = state.pull(repo, number)
            state.user(user)
            now = utcnow()
            comment = IssueComment(
                id=state.new_id(),
                repo=pull.repo,
                number=pull.number,
                user=user,
                body=body,
                created_at=now,
                updated_at=now,
                via_app=False,
            )
            state.issue_comments[comment.id] = comment
            return comment

    def expire_tokens(self) -> None:
        """Make every installation token issued so far expired, as an hour later."""
        state = self._state
        with state.lock:
            now = utcnow()
            for key, token in list(state.tokens.items()):
                state.tokens[key] = replace(token, expires_at=now)

    # webhooks

    def payload(
        self, event: str, action: str, repo: str, number: int | None = None, **extra: Any
    ) -> WebhookPayload:
        """A webhook payload for the current state, on GitHub's example for (event, action).

        Supported: pull_request opened/synchronize/reopened/edited/ready_for_review;
        issue_comment created (`body=`, `commenter=`; creates the comment unless
        `comment_id=` names one); check_run rerequested/requested_action/created/completed
        (`check_run_id=`, default the app's latest run, on the pull request's head when
        `number` is given; `identifier=` for requested_action); check_suite
        requested/rerequested/completed (`head_sha=`, `head_branch=`). `sender=` names the
        sender; `before=`/`after=` (synchronize) and `changes=` (edited) override; any other
        keyword becomes a top-level key of the payload.
        """
        builder = PayloadBuilder(self._state, self._running_urls())
        return builder.build(event, action, repo, number, dict(extra))

    def signed(
        self, payload: Mapping[str, Any], secret: str | bytes, event: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """Body and headers of a delivery of `payload`, signed with `secret` as GitHub does."""
        return signed(payload, secret, event)

    def emitted(self, event: str | None = None) -> list[EmittedEvent]:
        """The webhooks GitHub would have sent for changes so far (open, push, contents PUT)."""
        with self._state.lock:
            return [e for e in self._state.emitted if event is None or e.event == event]

    def payload_for(self, emitted: EmittedEvent) -> WebhookPayload:
        return self.payload(
            emitted.event, emitted.action, emitted.repo, emitted.number, **dict(emitted.extra)
        )

    # records and state, as the test reads them

    def requests(
        self, method: str | None = None, path_regex: str | None = None
    ) -> list[RequestRecord]:
        """Every request answered (or dropped) so far, in order; filtered by method and path."""
        pattern = re.compile(path_regex) if path_regex else None
        with self._state.lock:
            return [
                r
                for r in self._state.records
                if (method is None or r.method == method.upper())
                and (pattern is None or pattern.search(r.path))
            ]

    def writes(
        self, method: str | None = None, path_regex: str | None = None
    ) -> list[RequestRecord]:
        """The requests that may change something (not GET/HEAD/OPTIONS), in order."""
        return [r for r in self.requests(method, path_regex) if r.method not in READ_METHODS]

    def check_runs(
        self, repo: str, head_sha: str | None = None, name: str | None = None
    ) -> list[CheckRun]:
        """The app's check runs in `repo`, oldest first."""
        with self._state.lock:
            return [
                r
                for r in sorted(self._state.check_runs.values(), key=lambda r: r.id)
                if r.repo.lower() == repo.lower()
                and (head_sha is None or r.head_sha == head_sha)
                and (name is None or r.name == name)
            ]

    def check_run(self, check_run_id: int) -> CheckRun:
        with self._state.lock:
            run = self._state.check_runs.get(check_run_id)
        if run is None:
            raise StateError(f"no check run {check_run_id}")
        return run

    def review_comments(self, repo: str, number: int) -> list[ReviewComment]:
        with self._state.lock:
            return [
                c
                for c in sorted(self._state.review_comments.values(), key=lambda c: c.id)
                if c.repo.lower() == repo.lower() and c.number == number
            ]

    def reviews(self, repo: str, number: int) -> list[Review]:
        with self._state.lock:
            return [
                r
                for r in sorted(self._state.reviews.values(), key=lambda r: r.id)
                if r.repo.lower() == repo.lower() and r.number == number
            ]

    def issue_comments(self, repo: str, number: int) -> list[IssueComment]:
        with self._state.lock:
            return [
                c
                for c in sorted(self._state.issue_comments.values(), key=lambda c: c.id)
                if c.repo.lower() == repo.lower() and c.number == number
            ]

    def reactions(self, comment_id: int) -> list[Reaction]:
        with self._state.lock:
            return [r for r in self._state.reactions.values() if r.comment_id == comment_id]

    @property
    def internal_errors(self) -> list[str]:
        with self._state.lock:
            return list(self._state.internal_errors)

    # faults

    def inject(
        self,
        fault: Fault,
        *,
        method: str | None = None,
        path: str = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultRule:
        """Answer requests matching `method` and the regex `path` with `fault`.

        `times` fires it that many times; `probability` on each match, drawn from the
        emulator's seeded generator; neither: on every match. See `faults.py`.
        """
        return self.faults.add(
            fault, method=method, path=path, times=times, probability=probability
        )

    def clear_faults(self) -> None:
        self.faults.clear()

    # waiting

    def wait_for(
        self,
        condition: Callable[[], T | None],
        *,
        timeout: float = 60.0,
        interval: float = 0.05,
        message: str = "condition",
    ) -> T:
        """Poll `condition` until it returns something truthy, which is returned."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{message} not met within {timeout} s")
            time.sleep(interval)
