"""What a handler receives and returns: `Call` in, `Answer` out, plus GitHub's pagination.

Handlers are plain synchronous functions run in a worker thread under the
state's lock; they raise `ApiError` for anything but success. Pagination
follows GitHub: `per_page` (default 30, at most 100) and `page`, and a `Link`
header whose URLs name the repository by id (`/repositories/<id>/...`), with
`prev`, `next`, `last` and `first` in that order, each present only when it
points somewhere else.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar
from urllib.parse import urlencode

from tests.github_emulator.auth import InstallationToken
from tests.github_emulator.errors import ApiError, invalid_request, problems_parsing_json
from tests.github_emulator.representations import Urls
from tests.github_emulator.state import Installation, Repository, State

T = TypeVar("T")
JSON_MEDIA = "application/json; charset=utf-8"
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Limits:
    """GitHub's limits, shrinkable so that a test can reach them with a small repository."""

    diff_max_files: int = 300
    diff_max_lines: int = 20_000
    pull_files_max: int = 3000
    tree_entries_max: int = 100_000  # a recursive tree listing beyond this is `truncated`
    token_lifetime: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class Call:
    """One request, authenticated, with its repository resolved when its path names one."""

    state: State
    urls: Urls
    limits: Limits
    method: str
    path: str
    params: Mapping[str, str]
    query: Sequence[tuple[str, str]]
    headers: Mapping[str, str]
    body: bytes
    now: datetime
    repository: Repository | None = None
    installation: Installation | None = None
    token: InstallationToken | None = None

    @property
    def repo(self) -> Repository:
        if self.repository is None:
            raise RuntimeError(f"{self.path} names no repository")
        return self.repository

    @property
    def accept(self) -> str:
        return self.headers.get("accept", "")

    def arg(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return None

    def int_param(self, name: str) -> int:
        value = self.params[name]
        if not value.isdigit():
            raise ApiError(404, "Not Found")
        return int(value)

    def json(self) -> Any:
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError as error:
            raise problems_parsing_json() from error

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object; `{}` when there is none."""
        parsed = self.json()
        if parsed is None:
            return {}
        if not isinstance(parsed, dict):
            raise invalid_request(f"For 'links/0/schema', {json.dumps(parsed)} is not an object.")
        return parsed

    def page(self, items: Sequence[T]) -> tuple[list[T], dict[str, str]]:
        """The requested page of `items` and the `Link` header for the others."""
        per_page = _positive(self.arg("per_page"), DEFAULT_PER_PAGE)
        per_page = min(per_page, MAX_PER_PAGE)
        page = _positive(self.arg("page"), 1)
        last = max(1, math.ceil(len(items) / per_page))
        chunk = list(items[(page - 1) * per_page : page * per_page])
        links: list[str] = []
        if page > 1:
            links.append(f'<{self._page_url(min(page - 1, last))}>; rel="prev"')
        if page < last:
            links.append(f'<{self._page_url(page + 1)}>; rel="next"')
            links.append(f'<{self._page_url(last)}>; rel="last"')
        if page > 1:
            links.append(f'<{self._page_url(1)}>; rel="first"')
        return chunk, ({"link": ", ".join(links)} if links else {})

    def _page_url(self, page: int) -> str:
        path = self.path
        if self.repository is not None:
            prefix = f"/repos/{self.params.get('owner', '')}/{self.params.get('repo', '')}"
            if path.lower().startswith(prefix.lower()):
                path = f"/repositories/{self.repository.id}{path[len(prefix) :]}"
        query = [(key, value) for key, value in self.query if key != "page"]
        query.append(("page", str(page)))
        return f"{self.urls.api}{path}?{urlencode(query)}"


def _positive(value: str | None, default: int) -> int:
    if value is None or not value.strip().lstrip("-").isdigit():
        return default
    number = int(value)
    return number if number > 0 else default


@dataclass(frozen=True)
class Answer:
    """A handler's answer: JSON (any JSON value) or text, with GitHub's media type."""

    status: int
    body: Any
    content_type: str = JSON_MEDIA
    github_media_type: str = "github.v3; format=json"
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_json(self) -> bool:
        return self.content_type == JSON_MEDIA


def json_answer(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Answer:
    return Answer(status, body, headers=dict(headers or {}))


def text_answer(text: str | bytes, content_type: str, github_media_type: str) -> Answer:
    return Answer(200, text, content_type=content_type, github_media_type=github_media_type)


AuthKind = Literal["app", "installation", "none"]
Handler = Callable[[Call], Answer]


@dataclass(frozen=True)
class Endpoint:
    """One row of the route table."""

    method: str
    path: str  # a Starlette path template
    handler: Handler
    auth: AuthKind
    # Installation permissions that allow this call: any one of them suffices.
    permissions: tuple[tuple[str, str], ...]
    docs: str
