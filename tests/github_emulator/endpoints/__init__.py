"""The route table: every endpoint the emulator serves, its auth and installation permissions.

Order matters where a `{name:path}` parameter could swallow a longer route:
`commits/{ref}/check-runs` comes before `commits/{ref}`.
"""

from __future__ import annotations

from tests.github_emulator.calls import Endpoint
from tests.github_emulator.endpoints import apps, checks, collaborators, issues, pulls, repos

DOCS = "https://docs.github.com/rest"
REPO = "/repos/{owner}/{repo}"

METADATA_READ = (("metadata", "read"),)
CONTENTS_READ = (("contents", "read"),)
CONTENTS_WRITE = (("contents", "write"),)
PULLS_READ = (("pull_requests", "read"),)
PULLS_WRITE = (("pull_requests", "write"),)
CHECKS_READ = (("checks", "read"),)
CHECKS_WRITE = (("checks", "write"),)
ISSUES_READ = (("issues", "read"), ("pull_requests", "read"))
ISSUES_WRITE = (("issues", "write"), ("pull_requests", "write"))

ENDPOINTS: tuple[Endpoint, ...] = (
    # the app itself, with its JWT
    Endpoint("GET", "/app", apps.get_app, "app", (), f"{DOCS}/apps/apps#get-the-authenticated-app"),
    Endpoint(
        "GET",
        "/app/installations",
        apps.list_installations,
        "app",
        (),
        f"{DOCS}/apps/apps#list-installations-for-the-authenticated-app",
    ),
    Endpoint(
        "GET",
        "/app/installations/{installation_id}",
        apps.get_installation,
        "app",
        (),
        f"{DOCS}/apps/apps#get-an-installation-for-the-authenticated-app",
    ),
    Endpoint(
        "POST",
        "/app/installations/{installation_id}/access_tokens",
        apps.create_access_token,
        "app",
        (),
        f"{DOCS}/apps/apps#create-an-installation-access-token-for-an-app",
    ),
    Endpoint(
        "GET",
        f"{REPO}/installation",
        apps.get_repo_installation,
        "app",
        (),
        f"{DOCS}/apps/apps#get-a-repository-installation-for-the-authenticated-app",
    ),
    # repository and git data
    Endpoint(
        "GET",
        REPO,
        repos.get_repository,
        "installation",
        METADATA_READ,
        f"{DOCS}/repos/repos#get-a-repository",
    ),
    Endpoint(
        "GET",
        f"{REPO}/commits/{{ref:path}}/check-runs",
        checks.list_check_runs_for_ref,
        "installation",
        CHECKS_READ,
        f"{DOCS}/checks/runs#list-check-runs-for-a-git-reference",
    ),
    Endpoint(
        "GET",
        f"{REPO}/commits/{{ref:path}}",
        repos.get_commit,
        "installation",
        CONTENTS_READ,
        f"{DOCS}/commits/commits#get-a-commit",
    ),
    Endpoint(
        "GET",
        f"{REPO}/compare/{{basehead:path}}",
        repos.compare_commits,
        "installation",
        CONTENTS_READ,
        f"{DOCS}/commits/commits#compare-two-commits",
    ),
    Endpoint(
        "GET",
        f"{REPO}/git/trees/{{tree_sha:path}}",
        repos.get_tree,
        "installation",
        CONTENTS_READ,
        f"{DOCS}/git/trees#get-a-tree",
    ),
    Endpoint(
        "GET",
        f"{REPO}/git/blobs/{{file_sha}}",
        repos.get_blob,
        "installation",
        CONTENTS_READ,
        f"{DOCS}/git/blobs#get-a-blob",
    ),
    Endpoint(
        "GET",
        f"{REPO}/contents",
        repos.get_contents,
        "installation",
        CONTENTS_READ,
        f"{DOCS}/repos/contents#get-repository-content",
    ),
    Endpoint(
        "GET",
        f"{REPO}/contents/{{path:path}}",
        repos.get_contents,
        "installation",
        CONTENTS_READ,
        f"{DOCS}/repos/contents#get-repository-content",
    ),
    Endpoint(
        "PUT",
        f"{REPO}/contents/{{path:path}}",
        repos.put_contents,
        "installation",
        CONTENTS_WRITE,
        f"{DOCS}/repos/contents#create-or-update-file-contents",
    ),
    # pull requests
    Endpoint(
        "GET",
        f"{REPO}/pulls",
        pulls.list_pulls,
        "installation",
        PULLS_READ,
        f"{DOCS}/pulls/pulls#list-pull-requests",
    ),
    Endpoint(
        "GET",
        f"{REPO}/pulls/comments/{{comment_id}}",
        pulls.get_review_comment,
        "installation",
        PULLS_READ,
        f"{DOCS}/pulls/comments#get-a-review-comment-for-a-pull-request",
    ),
    Endpoint(
        "PATCH",
        f"{REPO}/pulls/comments/{{comment_id}}",
        pulls.update_review_comment,
        "installation",
        PULLS_WRITE,
        f"{DOCS}/pulls/comments#update-a-review-comment-for-a-pull-request",
    ),
    Endpoint(
        "GET",
        f"{REPO}/pulls/{{pull_number}}",
        pulls.get_pull,
        "installation",
        PULLS_READ,
        f"{DOCS}/pulls/pulls#get-a-pull-request",
    ),
    Endpoint(
        "GET",
        f"{REPO}/pulls/{{pull_number}}/files",
        pulls.list_files,
        "installation",
        PULLS_READ,
        f"{DOCS}/pulls/pulls#list-pull-requests-files",
    ),
    Endpoint(
        "GET",
        f"{REPO}/pulls/{{pull_number}}/comments",
        pulls.list_review_comments,
        "installation",
        PULLS_READ,
        f"{DOCS}/pulls/comments#list-review-comments-on-a-pull-request",
    ),
    Endpoint(
        "POST",
        f"{REPO}/pulls/{{pull_number}}/comments",
        pulls.create_review_comment,
        "installation",
        PULLS_WRITE,
        f"{DOCS}/pulls/comments#create-a-review-comment-for-a-pull-request",
    ),
    Endpoint(
        "GET",
        f"{REPO}/pulls/{{pull_number}}/reviews",
        pulls.list_reviews,
        "installation",
        PULLS_READ,
        f"{DOCS}/pulls/reviews#list-reviews-for-a-pull-request",
    ),
    Endpoint(
        "POST",
        f"{REPO}/pulls/{{pull_number}}/reviews",
        pulls.create_review,
        "installation",
        PULLS_WRITE,
        f"{DOCS}/pulls/reviews#create-a-review-for-a-pull-request",
    ),
    # checks
    Endpoint(
        "POST",
        f"{REPO}/check-runs",
        checks.create_check_run,
        "installation",
        CHECKS_WRITE,
        f"{DOCS}/checks/runs#create-a-check-run",
    ),
    Endpoint(
        "GET",
        f"{REPO}/check-runs/{{check_run_id}}",
        checks.get_check_run,
        "installation",
        CHECKS_READ,
        f"{DOCS}/checks/runs#get-a-check-run",
    ),
    Endpoint(
        "PATCH",
        f"{REPO}/check-runs/{{check_run_id}}",
        checks.update_check_run,
        "installation",
        CHECKS_WRITE,
        f"{DOCS}/checks/runs#update-a-check-run",
    ),
    Endpoint(
        "GET",
        f"{REPO}/check-runs/{{check_run_id}}/annotations",
        checks.list_annotations,
        "installation",
        CHECKS_READ,
        f"{DOCS}/checks/runs#list-check-run-annotations",
    ),
    # issue comments and reactions
    Endpoint(
        "GET",
        f"{REPO}/issues/comments/{{comment_id}}",
        issues.get_issue_comment,
        "installation",
        ISSUES_READ,
        f"{DOCS}/issues/comments#get-an-issue-comment",
    ),
    Endpoint(
        "PATCH",
        f"{REPO}/issues/comments/{{comment_id}}",
        issues.update_issue_comment,
        "installation",
        ISSUES_WRITE,
        f"{DOCS}/issues/comments#update-an-issue-comment",
    ),
    Endpoint(
        "GET",
        f"{REPO}/issues/comments/{{comment_id}}/reactions",
        issues.list_reactions,
        "installation",
        ISSUES_READ,
        f"{DOCS}/reactions/reactions#list-reactions-for-an-issue-comment",
    ),
    Endpoint(
        "POST",
        f"{REPO}/issues/comments/{{comment_id}}/reactions",
        issues.create_reaction,
        "installation",
        ISSUES_WRITE,
        f"{DOCS}/reactions/reactions#create-reaction-for-an-issue-comment",
    ),
    Endpoint(
        "GET",
        f"{REPO}/issues/{{issue_number}}/comments",
        issues.list_issue_comments,
        "installation",
        ISSUES_READ,
        f"{DOCS}/issues/comments#list-issue-comments",
    ),
    Endpoint(
        "POST",
        f"{REPO}/issues/{{issue_number}}/comments",
        issues.create_issue_comment,
        "installation",
        ISSUES_WRITE,
        f"{DOCS}/issues/comments#create-an-issue-comment",
    ),
    # people
    Endpoint(
        "GET",
        f"{REPO}/collaborators/{{username}}/permission",
        collaborators.get_permission,
        "installation",
        METADATA_READ,
        f"{DOCS}/collaborators/collaborators#get-repository-permissions-for-a-user",
    ),
)
