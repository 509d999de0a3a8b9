"""The GitHub client of a job, and the app's own identity, from the worker's context."""

from __future__ import annotations

from typing import Final

from github_app.api import RepositoryApi
from github_app.context import WorkerContext
from github_app.github import RetryPolicy, installation_client
from github_app.queue import KEY_PREFIX

APP_SLUG_TTL_SECONDS: Final = 24 * 3600


def repository_api(
    context: WorkerContext,
    installation_id: int,
    repository: str,
    *,
    retry: RetryPolicy | None = None,
) -> RepositoryApi:
    """The API of `repository` as installation `installation_id` (enter it with `with`)."""
    github = installation_client(context.settings, installation_id, context.http)
    return RepositoryApi(github, repository, retry or context.http.retry)


def bot_login(context: WorkerContext, api: RepositoryApi) -> str:
    """The login of the app's bot (`<slug>[bot]`), the author of its comments: asked of
    GitHub once a day per app, kept in Redis."""
    key = f"{KEY_PREFIX}:app-slug:{context.settings.app_id}"
    cached = context.redis.get(key)
    if isinstance(cached, bytes) and cached:
        return f"{cached.decode()}[bot]"
    slug = api.app_slug()
    context.redis.set(key, slug, ex=APP_SLUG_TTL_SECONDS)
    return f"{slug}[bot]"
