"""A GitHub API emulator for end-to-end tests: real HTTP, real git, GitHub's answers.

The code under test talks to it with githubkit exactly as to GitHub Enterprise
(`base_url` = `GitHubEmulator.url`), authenticating as a GitHub App with the
emulator's key. Modules:

- `emulator`: `GitHubEmulator`, the context manager and the test-facing API;
- `state`: the data (frozen records) and its lock;
- `git`, `diff`: the real git repositories and their diffs;
- `auth`: the app's key pair, JWT checks, installation tokens;
- `server`, `calls`, `endpoints/`: the ASGI app, the route table and the handlers;
- `representations`: GitHub's JSON objects;
- `faults`, `proxy`: programmable faults, and the TCP front-end that drops connections;
- `payloads`: webhook payloads from GitHub's examples, and their signatures.
"""

from tests.github_emulator.calls import Limits
from tests.github_emulator.emulator import EmulatorError, GitHubEmulator, files_of
from tests.github_emulator.faults import (
    DiffTooLarge,
    DropConnection,
    Fault,
    FaultRule,
    PrimaryRateLimit,
    Refused,
    SecondaryRateLimit,
    ServerError,
    Slow,
)
from tests.github_emulator.payloads import WebhookPayload, signed
from tests.github_emulator.state import (
    Annotation,
    CheckRun,
    EmittedEvent,
    IssueComment,
    PullRequest,
    Reaction,
    RequestRecord,
    Review,
    ReviewComment,
    StateError,
)

__all__ = [
    "Annotation",
    "CheckRun",
    "DiffTooLarge",
    "DropConnection",
    "EmittedEvent",
    "EmulatorError",
    "Fault",
    "FaultRule",
    "GitHubEmulator",
    "IssueComment",
    "Limits",
    "PrimaryRateLimit",
    "PullRequest",
    "Reaction",
    "Refused",
    "RequestRecord",
    "Review",
    "ReviewComment",
    "SecondaryRateLimit",
    "ServerError",
    "Slow",
    "StateError",
    "WebhookPayload",
    "files_of",
    "signed",
]
