"""The JSON GitHub answers with, built from the emulator's state.

One function per object kind of GitHub's REST API (simple-user, repository,
pull-request, check-run, ...), with the fields and URL templates of GitHub's
OpenAPI description. API URLs point at the emulator, so a client that follows
`url`, `contents_url` or a `Link` header stays on it; web URLs point at
`Urls.web` (github.com by default), which nothing follows. The webhook payload
builder reuses these, as GitHub's webhooks embed the same objects.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from tests.github_emulator.auth import AppCredentials, InstallationToken
from tests.github_emulator.diff import FileDiff
from tests.github_emulator.git import CommitInfo
from tests.github_emulator.state import (
    ROLE_PERMISSION,
    ROLE_RANK,
    Annotation,
    CheckRun,
    CheckSuite,
    Installation,
    IssueComment,
    PullRequest,
    Reaction,
    Repository,
    Review,
    ReviewComment,
    State,
    User,
)

Json = dict[str, Any]
REACTION_CONTENTS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
APP_CREATED_AT = "2024-01-15T09:00:00Z"


@dataclass(frozen=True)
class Urls:
    """Where the API and the web pages of the emulated GitHub live."""

    api: str
    web: str = "https://github.com"


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode().rstrip("=")


def base64_lines(data: bytes) -> str:
    """Base64 in lines of 60 characters, each ending in a newline, as GitHub sends content."""
    encoded = base64.b64encode(data).decode()
    return "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))


def quoted_path(path: str) -> str:
    return quote(path, safe="/")


# users and apps


def user_json(urls: Urls, user: User, app: AppCredentials | None = None) -> Json:
    api = f"{urls.api}/users/{quote(user.login)}"
    if user.type == "Bot" and app is not None and user.login == app.bot_login:
        html = f"{urls.web}/apps/{app.slug}"
    else:
        html = f"{urls.web}/{user.login}"
    kind = {"Bot": "Bot", "Organization": "Organization"}.get(user.type, "User")
    return {
        "login": user.login,
        "id": user.id,
        "node_id": node_id(kind, user.id),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user.id}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": html,
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": user.type,
        "user_view_type": "public",
        "site_admin": False,
    }


def login_json(state: State, urls: Urls, login: str) -> Json:
    return user_json(urls, state.user(login), state.app)


def app_json(state: State, urls: Urls, installations_count: int | None = None) -> Json:
    app = state.app
    owner = state.user("flow-review-owner", kind="Organization")
    body: Json = {
        "id": app.app_id,
        "slug": app.slug,
        "node_id": node_id("App", app.app_id),
        "client_id": app.client_id,
        "owner": user_json(urls, owner),
        "name": app.name,
        "description": "Pull-request review for multi-service codebases.",
        "external_url": "https://flow-review.example.com",
        "html_url": f"{urls.web}/apps/{app.slug}",
        "created_at": APP_CREATED_AT,
        "updated_at": APP_CREATED_AT,
        "permissions": {
            "checks": "write",
            "contents": "write",
            "issues": "write",
            "metadata": "read",
            "pull_requests": "write",
        },
        "events": ["check_run", "check_suite", "issue_comment", "pull_request"],
    }
    if installations_count is not None:
        body["installations_count"] = installations_count
    return body


def installation_json(state: State, urls: Urls, installation: Installation) -> Json:
    account = state.user(installation.account)
    return {
        "id": installation.id,
        "account": user_json(urls, account),
        "repository_selection": installation.repository_selection,
        "access_tokens_url": f"{urls.api}/app/installations/{installation.id}/access_tokens",
        "repositories_url": f"{urls.api}/installation/repositories",
        "html_url": f"{urls.web}/settings/installations/{installation.id}",
        "app_id": state.app.app_id,
        "client_id": state.app.client_id,
        "app_slug": state.app.slug,
        "target_id": account.id,
        "target_type": "Organization" if account.type == "Organization" else "User",
        "permissions": dict(installation.permissions),
        "events": list(installation.events),
        "created_at": iso(installation.created_at),
        "updated_at": iso(installation.created_at),
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None,
        "suspended_at": None,
    }


def token_json(
    state: State, urls: Urls, token: InstallationToken, installation: Installation
) -> Json:
    body: Json = {
        "token": token.token,
        "expires_at": iso(token.expires_at),
        "permissions": dict(token.permissions),
        "repository_selection": installation.repository_selection
        if token.repository_ids is None
        else "selected",
    }
    if token.repository_ids is not None:
        body["repositories"] = [
            repository_json(state, urls, repository)
            for repository in state.installation_repositories(installation)
            if repository.id in token.repository_ids
        ]
    return body


# repositories


def repository_json(
    state: State, urls: Urls, repository: Repository, *, full: bool = False
) -> Json:
    full_name = repository.full_name
    api = f"{urls.api}/repos/{full_name}"
    html = f"{urls.web}/{full_name}"
    owner = state.user(repository.owner)
    created = iso(repository.created_at)
    body: Json = {
        "id": repository.id,
        "node_id": node_id("Repository", repository.id),
        "name": repository.name,
        "full_name": full_name,
        "private": repository.private,
        "owner": user_json(urls, owner),
        "html_url": html,
        "description": None,
        "fork": repository.parent is not None,
        "url": api,
        "forks_url": f"{api}/forks",
        "keys_url": f"{api}/keys{{/key_id}}",
        "collaborators_url": f"{api}/collaborators{{/collaborator}}",
        "teams_url": f"{api}/teams",
        "hooks_url": f"{api}/hooks",
        "issue_events_url": f"{api}/issues/events{{/number}}",
        "events_url": f"{api}/events",
        "assignees_url": f"{api}/assignees{{/user}}",
        "branches_url": f"{api}/branches{{/branch}}",
        "tags_url": f"{api}/tags",
        "blobs_url": f"{api}/git/blobs{{/sha}}",
        "git_tags_url": f"{api}/git/tags{{/sha}}",
        "git_refs_url": f"{api}/git/refs{{/sha}}",
        "trees_url": f"{api}/git/trees{{/sha}}",
        "statuses_url": f"{api}/statuses/{{sha}}",
        "languages_url": f"{api}/languages",
        "stargazers_url": f"{api}/stargazers",
        "contributors_url": f"{api}/contributors",
        "subscribers_url": f"{api}/subscribers",
        "subscription_url": f"{api}/subscription",
        "commits_url": f"{api}/commits{{/sha}}",
        "git_commits_url": f"{api}/git/commits{{/sha}}",
        "comments_url": f"{api}/comments{{/number}}",
        "issue_comment_url": f"{api}/issues/comments{{/number}}",
        "contents_url": f"{api}/contents/{{+path}}",
        "compare_url": f"{api}/compare/{{base}}...{{head}}",
        "merges_url": f"{api}/merges",
        "archive_url": f"{api}/{{archive_format}}{{/ref}}",
        "downloads_url": f"{api}/downloads",
        "issues_url": f"{api}/issues{{/number}}",
        "pulls_url": f"{api}/pulls{{/number}}",
        "milestones_url": f"{api}/milestones{{/number}}",
        "notifications_url": f"{api}/notifications{{?since,all,participating}}",
        "labels_url": f"{api}/labels{{/name}}",
        "releases_url": f"{api}/releases{{/id}}",
        "deployments_url": f"{api}/deployments",
        "created_at": created,
        "updated_at": created,
        "pushed_at": created,
        "git_url": f"git://github.com/{full_name}.git",
        "ssh_url": f"git@github.com:{full_name}.git",
        "clone_url": f"{html}.git",
        "svn_url": html,
        "homepage": None,
        "size": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": None,
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": True,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": 0,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": 0,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "private" if repository.private else "public",
        "forks": 0,
        "open_issues": 0,
        "watchers": 0,
        "default_branch": repository.default_branch,
    }
    if full:
        body["permissions"] = {
            "admin": False,
            "maintain": False,
            "push": False,
            "triage": False,
            "pull": True,
        }
        body["temp_clone_token"] = ""
        body["allow_squash_merge"] = True
        body["allow_merge_commit"] = True
        body["allow_rebase_merge"] = True
        body["allow_auto_merge"] = False
        body["delete_branch_on_merge"] = False
        body["allow_update_branch"] = False
        body["network_count"] = 0
        body["subscribers_count"] = 0
        if owner.type == "Organization":
            body["organization"] = user_json(urls, owner)
        if repository.parent is not None:
            parent = state.repository(repository.parent)
            body["parent"] = repository_json(state, urls, parent)
            body["source"] = body["parent"]
    return body


def commit_user_json(state: State, urls: Urls, name: str) -> Json | None:
    found = state.find_user(name)
    return None if found is None else user_json(urls, found, state.app)


def git_person(name: str, email: str, when: datetime) -> Json:
    return {"name": name, "email": email, "date": iso(when)}


def verification_json() -> Json:
    return {
        "verified": False,
        "reason": "unsigned",
        "signature": None,
        "payload": None,
        "verified_at": None,
    }


def commit_json(
    state: State,
    urls: Urls,
    repository: Repository,
    info: CommitInfo,
    files: list[Json] | None,
    stats: tuple[int, int] | None,
) -> Json:
    api = f"{urls.api}/repos/{repository.full_name}"
    html = f"{urls.web}/{repository.full_name}"
    body: Json = {
        "sha": info.sha,
        "node_id": node_id("Commit", int(info.sha[:7], 16)),
        "commit": {
            "author": git_person(info.author.name, info.author.email, info.author.when),
            "committer": git_person(info.committer.name, info.committer.email, info.committer.when),
            "message": info.message.rstrip("\n"),
            "tree": {"sha": info.tree, "url": f"{api}/git/trees/{info.tree}"},
            "url": f"{api}/git/commits/{info.sha}",
            "comment_count": 0,
            "verification": verification_json(),
        },
        "url": f"{api}/commits/{info.sha}",
        "html_url": f"{html}/commit/{info.sha}",
        "comments_url": f"{api}/commits/{info.sha}/comments",
        "author": commit_user_json(state, urls, info.author.name),
        "committer": commit_user_json(state, urls, info.committer.name),
        "parents": [
            {"sha": parent, "url": f"{api}/commits/{parent}", "html_url": f"{html}/commit/{parent}"}
            for parent in info.parents
        ],
    }
    if stats is not None:
        additions, deletions = stats
        body["stats"] = {
            "total": additions + deletions,
            "additions": additions,
            "deletions": deletions,
        }
    if files is not None:
        body["files"] = files
    return body


def diff_entry_json(urls: Urls, repository: Repository, head_sha: str, entry: FileDiff) -> Json:
    path = quoted_path(entry.filename)
    html = f"{urls.web}/{repository.full_name}"
    body: Json = {
        "sha": entry.new_sha if entry.status != "removed" else entry.old_sha,
        "filename": entry.filename,
        "status": entry.status,
        "additions": entry.additions,
        "deletions": entry.deletions,
        "changes": entry.changes,
        "blob_url": f"{html}/blob/{head_sha}/{path}",
        "raw_url": f"{html}/raw/{head_sha}/{path}",
        "contents_url": f"{urls.api}/repos/{repository.full_name}/contents/{path}?ref={head_sha}",
    }
    if entry.patch is not None:
        body["patch"] = entry.patch
    if entry.previous_filename is not None:
        body["previous_filename"] = entry.previous_filename
    return body


def content_links(
    urls: Urls, repository: Repository, path: str, ref: str, sha: str, kind: str
) -> Json:
    api = f"{urls.api}/repos/{repository.full_name}"
    quoted = quoted_path(path)
    self_url = f"{api}/contents/{quoted}?ref={quote(ref, safe='')}"
    git_url = f"{api}/git/{'trees' if kind == 'dir' else 'blobs'}/{sha}"
    html_url = (
        f"{urls.web}/{repository.full_name}/{'tree' if kind == 'dir' else 'blob'}/{ref}/{quoted}"
    )
    return {
        "url": self_url,
        "html_url": html_url,
        "git_url": git_url,
        "download_url": (
            f"https://raw.githubusercontent.com/{repository.full_name}/{ref}/{quoted}"
            if kind == "file"
            else None
        ),
        "_links": {"self": self_url, "git": git_url, "html": html_url},
    }


def content_entry_json(
    urls: Urls, repository: Repository, path: str, ref: str, sha: str, kind: str, size: int
) -> Json:
    return {
        "type": kind,
        "size": size,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        **content_links(urls, repository, path, ref, sha, kind),
    }


# pull requests


def pull_minimal_json(state: State, urls: Urls, pull: PullRequest) -> Json:
    base = state.repository(pull.repo)
    head = state.repository(pull.head_repo)
    return {
        "url": f"{urls.api}/repos/{pull.repo}/pulls/{pull.number}",
        "id": pull.id,
        "number": pull.number,
        "head": {
            "ref": pull.head_ref,
            "sha": pull.head_sha,
            "repo": {"id": head.id, "url": f"{urls.api}/repos/{head.full_name}", "name": head.name},
        },
        "base": {
            "ref": pull.base_ref,
            "sha": state.base_sha(pull),
            "repo": {"id": base.id, "url": f"{urls.api}/repos/{base.full_name}", "name": base.name},
        },
    }


def pull_json(state: State, urls: Urls, pull: PullRequest) -> Json:
    base = state.repository(pull.repo)
    head = state.repository(pull.head_repo)
    api = f"{urls.api}/repos/{pull.repo}"
    html = f"{urls.web}/{pull.repo}/pull/{pull.number}"
    base_sha = state.base_sha(pull)
    git = state.git(base)
    merge_base = git.merge_base(base_sha, pull.head_sha) or base_sha
    diff = git.diff(merge_base, pull.head_sha)
    commits = git.count_commits(base_sha, pull.head_sha)
    comments = sum(
        1
        for c in state.issue_comments.values()
        if c.repo.lower() == pull.repo.lower() and c.number == pull.number
    )
    review_comments = sum(
        1
        for c in state.review_comments.values()
        if c.repo.lower() == pull.repo.lower() and c.number == pull.number
    )
    head_owner = state.user(head.owner)
    base_owner = state.user(base.owner)
    return {
        "url": f"{api}/pulls/{pull.number}",
        "id": pull.id,
        "node_id": node_id("PullRequest", pull.id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{api}/issues/{pull.number}",
        "number": pull.number,
        "state": pull.state,
        "locked": False,
        "title": pull.title,
        "user": login_json(state, urls, pull.author),
        "body": pull.body,
        "created_at": iso(pull.created_at),
        "updated_at": iso(pull.updated_at),
        "closed_at": None,
        "merged_at": None,
        "merge_commit_sha": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": [],
        "milestone": None,
        "draft": pull.draft,
        "commits_url": f"{api}/pulls/{pull.number}/commits",
        "review_comments_url": f"{api}/pulls/{pull.number}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{api}/issues/{pull.number}/comments",
        "statuses_url": f"{api}/statuses/{pull.head_sha}",
        "head": {
            "label": f"{head_owner.login}:{pull.head_ref}",
            "ref": pull.head_ref,
            "sha": pull.head_sha,
            "user": user_json(urls, head_owner),
            "repo": repository_json(state, urls, head),
        },
        "base": {
            "label": f"{base_owner.login}:{pull.base_ref}",
            "ref": pull.base_ref,
            "sha": base_sha,
            "user": user_json(urls, base_owner),
            "repo": repository_json(state, urls, base),
        },
        "_links": {
            "self": {"href": f"{api}/pulls/{pull.number}"},
            "html": {"href": html},
            "issue": {"href": f"{api}/issues/{pull.number}"},
            "comments": {"href": f"{api}/issues/{pull.number}/comments"},
            "review_comments": {"href": f"{api}/pulls/{pull.number}/comments"},
            "review_comment": {"href": f"{api}/pulls/comments{{/number}}"},
            "commits": {"href": f"{api}/pulls/{pull.number}/commits"},
            "statuses": {"href": f"{api}/statuses/{pull.head_sha}"},
        },
        "author_association": state.author_association(base, pull.author),
        "auto_merge": None,
        "active_lock_reason": None,
        "merged": False,
        "mergeable": True,
        "rebaseable": True,
        "mergeable_state": "clean",
        "merged_by": None,
        "comments": comments,
        "review_comments": review_comments,
        "maintainer_can_modify": pull.from_fork,
        "commits": commits,
        "additions": sum(entry.additions for entry in diff.files),
        "deletions": sum(entry.deletions for entry in diff.files),
        "changed_files": len(diff.files),
    }


def issue_json(state: State, urls: Urls, pull: PullRequest) -> Json:
    """A pull request seen as an issue, as `issue_comment` payloads embed it."""
    api = f"{urls.api}/repos/{pull.repo}"
    html = f"{urls.web}/{pull.repo}/pull/{pull.number}"
    base = state.repository(pull.repo)
    comments = sum(
        1
        for c in state.issue_comments.values()
        if c.repo.lower() == pull.repo.lower() and c.number == pull.number
    )
    return {
        "url": f"{api}/issues/{pull.number}",
        "repository_url": api,
        "labels_url": f"{api}/issues/{pull.number}/labels{{/name}}",
        "comments_url": f"{api}/issues/{pull.number}/comments",
        "events_url": f"{api}/issues/{pull.number}/events",
        "html_url": html,
        "id": pull.issue_id,
        "node_id": node_id("Issue", pull.issue_id),
        "number": pull.number,
        "title": pull.title,
        "user": login_json(state, urls, pull.author),
        "labels": [],
        "state": pull.state,
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": comments,
        "created_at": iso(pull.created_at),
        "updated_at": iso(pull.updated_at),
        "closed_at": None,
        "author_association": state.author_association(base, pull.author),
        "active_lock_reason": None,
        "draft": pull.draft,
        "pull_request": {
            "url": f"{api}/pulls/{pull.number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": None,
        },
        "body": pull.body,
        "reactions": reactions_rollup(f"{api}/issues/{pull.number}/reactions", []),
        "timeline_url": f"{api}/issues/{pull.number}/timeline",
        "performed_via_github_app": None,
        "state_reason": None,
    }


def reactions_rollup(url: str, reactions: list[Reaction]) -> Json:
    rollup: Json = {"url": url, "total_count": len(reactions)}
    for content in REACTION_CONTENTS:
        rollup[content] = sum(1 for r in reactions if r.content == content)
    return rollup


def issue_comment_json(state: State, urls: Urls, comment: IssueComment) -> Json:
    api = f"{urls.api}/repos/{comment.repo}"
    repository = state.repository(comment.repo)
    reactions = [r for r in state.reactions.values() if r.comment_id == comment.id]
    return {
        "url": f"{api}/issues/comments/{comment.id}",
        "html_url": f"{urls.web}/{comment.repo}/pull/{comment.number}#issuecomment-{comment.id}",
        "issue_url": f"{api}/issues/{comment.number}",
        "id": comment.id,
        "node_id": node_id("IssueComment", comment.id),
        "user": login_json(state, urls, comment.user),
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.updated_at),
        "author_association": state.author_association(repository, comment.user)
        if not comment.via_app
        else "NONE",
        "body": comment.body,
        "reactions": reactions_rollup(f"{api}/issues/comments/{comment.id}/reactions", reactions),
        "performed_via_github_app": app_json(state, urls) if comment.via_app else None,
    }


def reaction_json(state: State, urls: Urls, reaction: Reaction) -> Json:
    return {
        "id": reaction.id,
        "node_id": node_id("Reaction", reaction.id),
        "user": login_json(state, urls, reaction.user),
        "content": reaction.content,
        "created_at": iso(reaction.created_at),
    }


def review_comment_json(state: State, urls: Urls, comment: ReviewComment) -> Json:
    api = f"{urls.api}/repos/{comment.repo}"
    html = f"{urls.web}/{comment.repo}/pull/{comment.number}#discussion_r{comment.id}"
    pull_url = f"{api}/pulls/{comment.number}"
    body: Json = {
        "url": f"{api}/pulls/comments/{comment.id}",
        "pull_request_review_id": comment.review_id,
        "id": comment.id,
        "node_id": node_id("PullRequestReviewComment", comment.id),
        "diff_hunk": comment.diff_hunk,
        "path": comment.path,
        "commit_id": comment.commit_id,
        "original_commit_id": comment.original_commit_id,
        "user": login_json(state, urls, comment.user),
        "body": comment.body,
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.updated_at),
        "html_url": html,
        "pull_request_url": pull_url,
        "author_association": "NONE",
        "_links": {
            "self": {"href": f"{api}/pulls/comments/{comment.id}"},
            "html": {"href": html},
            "pull_request": {"href": pull_url},
        },
        "reactions": reactions_rollup(f"{api}/pulls/comments/{comment.id}/reactions", []),
        "start_line": comment.start_line,
        "original_start_line": comment.start_line,
        "start_side": comment.start_side,
        "side": comment.side,
        "subject_type": comment.subject_type,
    }
    if comment.line is not None:
        body["line"] = comment.line
        body["original_line"] = comment.line
    if comment.position is not None:
        body["position"] = comment.position
        body["original_position"] = comment.position
    if comment.in_reply_to_id is not None:
        body["in_reply_to_id"] = comment.in_reply_to_id
    return body


def review_json(state: State, urls: Urls, review: Review) -> Json:
    api = f"{urls.api}/repos/{review.repo}"
    html = f"{urls.web}/{review.repo}/pull/{review.number}#pullrequestreview-{review.id}"
    body: Json = {
        "id": review.id,
        "node_id": node_id("PullRequestReview", review.id),
        "user": login_json(state, urls, review.user),
        "body": review.body,
        "state": review.state,
        "html_url": html,
        "pull_request_url": f"{api}/pulls/{review.number}",
        "author_association": "NONE",
        "_links": {
            "html": {"href": html},
            "pull_request": {"href": f"{api}/pulls/{review.number}"},
        },
        "commit_id": review.commit_id,
    }
    if review.submitted_at is not None:
        body["submitted_at"] = iso(review.submitted_at)
    return body


# checks


def check_suite_json(state: State, urls: Urls, suite: CheckSuite, *, with_repo: bool) -> Json:
    repository = state.repository(suite.repo)
    api = f"{urls.api}/repos/{suite.repo}"
    runs = [r for r in state.check_runs.values() if r.check_suite_id == suite.id]
    statuses = {r.status for r in runs}
    status = (
        "completed"
        if runs and statuses == {"completed"}
        else ("in_progress" if "in_progress" in statuses else "queued")
    )
    conclusion = None
    if status == "completed":
        conclusions = [r.conclusion for r in runs]
        conclusion = "failure" if "failure" in conclusions else (conclusions[-1] or "neutral")
    info = state.git(repository).commit_info(suite.head_sha)
    pulls = state.pulls_with_head(repository, suite.head_sha)
    body: Json = {
        "id": suite.id,
        "node_id": node_id("CheckSuite", suite.id),
        "head_branch": suite.head_branch,
        "head_sha": suite.head_sha,
        "status": status,
        "conclusion": conclusion,
        "url": f"{api}/check-suites/{suite.id}",
        "before": info.parents[0] if info.parents else "0" * 40,
        "after": suite.head_sha,
        "pull_requests": [pull_minimal_json(state, urls, pull) for pull in pulls],
        "app": app_json(state, urls),
        "created_at": iso(suite.created_at),
        "updated_at": iso(suite.updated_at),
        "latest_check_runs_count": len(runs),
        "check_runs_url": f"{api}/check-suites/{suite.id}/check-runs",
        "rerequestable": True,
        "runs_rerequestable": True,
        "head_commit": {
            "id": info.sha,
            "tree_id": info.tree,
            "message": info.message.rstrip("\n"),
            "timestamp": iso(info.committer.when),
            "author": {"name": info.author.name, "email": info.author.email},
            "committer": {"name": info.committer.name, "email": info.committer.email},
        },
    }
    if with_repo:
        body["repository"] = repository_json(state, urls, repository)
    return body


def check_run_json(state: State, urls: Urls, run: CheckRun) -> Json:
    repository = state.repository(run.repo)
    api = f"{urls.api}/repos/{run.repo}"
    suite = state.check_suites[run.check_suite_id]
    body: Json = {
        "id": run.id,
        "name": run.name,
        "node_id": node_id("CheckRun", run.id),
        "head_sha": run.head_sha,
        "external_id": run.external_id if run.external_id is not None else "",
        "url": f"{api}/check-runs/{run.id}",
        "html_url": f"{urls.web}/{run.repo}/runs/{run.id}",
        "details_url": run.details_url
        if run.details_url is not None
        else f"{urls.web}/apps/{state.app.slug}",
        "status": run.status,
        "conclusion": run.conclusion,
        "started_at": iso(run.started_at),
        "completed_at": iso(run.completed_at),
        "output": {
            "title": run.title,
            "summary": run.summary,
            "text": run.text,
            "annotations_count": len(run.annotations),
            "annotations_url": f"{api}/check-runs/{run.id}/annotations",
        },
        "check_suite": {"id": suite.id},
        "app": app_json(state, urls),
        "pull_requests": [
            pull_minimal_json(state, urls, pull)
            for pull in state.pulls_with_head(repository, run.head_sha)
        ],
    }
    if run.actions:
        body["actions"] = [
            {"label": a.label, "description": a.description, "identifier": a.identifier}
            for a in run.actions
        ]
    return body


def annotation_json(urls: Urls, run: CheckRun, annotation: Annotation) -> Json:
    return {
        "path": annotation.path,
        "start_line": annotation.start_line,
        "end_line": annotation.end_line,
        "start_column": annotation.start_column,
        "end_column": annotation.end_column,
        "annotation_level": annotation.annotation_level,
        "title": annotation.title or "",
        "message": annotation.message,
        "raw_details": annotation.raw_details or "",
        "blob_href": f"{urls.web}/{run.repo}/blob/{run.head_sha}/{quoted_path(annotation.path)}",
    }


def permission_json(state: State, urls: Urls, repository: Repository, user: User) -> Json:
    role = state.role_of(repository, user.login)
    rank = ROLE_RANK.get(role, 0)
    collaborator = user_json(urls, user, state.app)
    collaborator["permissions"] = {
        "admin": rank >= ROLE_RANK["admin"],
        "maintain": rank >= ROLE_RANK["maintain"],
        "push": rank >= ROLE_RANK["write"],
        "triage": rank >= ROLE_RANK["triage"],
        "pull": rank >= ROLE_RANK["read"],
    }
    collaborator["role_name"] = role
    return {
        "permission": ROLE_PERMISSION.get(role, "none"),
        "role_name": role,
        "user": collaborator,
    }
