"""The review of one pull request at one head commit, from webhook to published review.

Steps, each shown on the check run as it starts:

1. read the pull request, and the repository config from the tip of its **base** branch
   (a pull request cannot switch its own review off or lower its own gate);
2. fetch the diff (`application/vnd.github.diff`; when GitHub answers 406, too large,
   rebuild it from the paginated files API); the app's own task file is left out of the
   changes, or its own commit would change the next review;
3. list the base and head trees (git trees API). The base tree is the **merge base** of
   the base branch and the head (GitHub's compare API), not the base branch's tip: GitHub's
   diff of a pull request is `base...head`, from the merge base, and a base tree taken from
   a branch that moved on since would show its new commits as changes of the pull request.
   When GitHub refuses the comparison the tip stands in, with a note on the check run;
4. run the engine: blobs are fetched only for files whose facts are not in the Redis fact
   cache, several at a time before the engine starts (`github_app.prefetch`), and parsing
   is spread over forked processes (`flow_review.parallel`) when there is enough of it;
5. publish: inline review comments, the `.tasks/` checklist (one commit, or the checklist
   comment), then the check run's conclusion with its annotations.

The run is concluded last, after the checklist commit, so that a retry after a failure in
between finds the same run still open and no commit ends up with two runs; no supersede
check follows the commit, whose own `synchronize` records a newer head.

Superseded: before each step the newest head recorded by the web process
(`queue.latest_head`) is compared with this job's; when it differs, GitHub is asked (the
record may lag behind a `check_suite` delivery) and a review whose commit is no longer
the pull request's head concludes `cancelled` and stops. The app's own checklist commit
right on top of the reviewed commit does not count: an attempt that failed after making
it is retried as the review of the same change, and concludes the same run.

Failures: a problem that running again will not fix (an invalid config, a 4xx answer, a
diff that does not parse) concludes the run `failure` with the reason and ends the job.
Anything else is raised for rq's `Retry`: with retries left the run stays in progress
with a note (the retry finds it again); on the last attempt it is concluded `failure` (or
`timed_out`) with the reason, and the job lands in rq's failed registry.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from rq.timeouts import JobTimeoutException

from analyzers.cache import FactCache
from analyzers.config import CONFIG_PATH, Config, parse_config
from analyzers.diff import parse_diff
from analyzers.engine import ReviewRequest, review
from analyzers.errors import FlowReviewError
from analyzers.facts import ChangedFile, Review
from flow_review.parallel import process_extraction
from github_app.api import PullRequestInfo, RepositoryApi
from github_app.checkrun import completed_run, failed_run, superseded_run, timed_out_run
from github_app.clients import bot_login, repository_api
from github_app.context import WorkerContext
from github_app.diffmap import commentable_from_changes, diff_from_files, files_without_patch
from github_app.factcache import RedisFactCache
from github_app.github import GitHubError, GitHubRefused
from github_app.prefetch import prefetch_review_blobs
from github_app.publish import (
    ChecklistComment,
    ChecklistPublished,
    NotUpdated,
    TaskFileCommit,
    Unchanged,
    commit_task_file,
    is_checklist_commit,
    plan_checklist,
    publish_checklist_comment,
    publish_review_comments,
)
from github_app.queue import latest_head
from github_app.reporter import CheckRunReporter, with_notes
from github_app.snapshot import BlobStore, GitHubSnapshot
from github_app.taskfile import without_own_task_file

TOTAL_STEPS = 5

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReviewTarget:
    installation_id: int
    repository: str
    number: int
    head_sha: str
    trigger: str
    delivery: str
    job_id: str


@dataclass(frozen=True)
class Attempt:
    """What rq says about this run of the job."""

    retrying: bool = False  # rq will run the job again if this attempt fails
    retry_in: int = 0  # seconds until it does
    timeout: int | None = None  # the job's time limit, for a timed-out conclusion


class Superseded(Exception):
    def __init__(self, newer_head: str) -> None:
        super().__init__(f"superseded by {newer_head}")
        self.newer_head = newer_head


class ReviewProblem(Exception):
    """A failure that running the job again will not change; the message is one line."""


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    if isinstance(exc, (GitHubError, FlowReviewError, ReviewProblem)) and text:
        return text[0]
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def run_review(context: WorkerContext, target: ReviewTarget, attempt: Attempt) -> str:
    """Review, publish and conclude; returns a one-line account for rq's job result."""
    with repository_api(context, target.installation_id, target.repository) as api:
        reporter = CheckRunReporter(
            api,
            context,
            job_id=target.job_id,
            installation_id=target.installation_id,
            number=target.number,
            head_sha=target.head_sha,
            total_steps=TOTAL_STEPS,
        )
        reporter.open()
        try:
            return _PullRequestReview(context, api, target, reporter).run()
        except Superseded as exc:
            reporter.conclude(superseded_run(exc.newer_head))
            log.info("%s: superseded by %s", target.job_id, exc.newer_head)
            return f"cancelled: superseded by {exc.newer_head[:12]}"
        except (ReviewProblem, FlowReviewError, GitHubRefused) as exc:
            reason = one_line(exc)
            reporter.conclude(failed_run(reason))
            log.error("%s: review failed: %s", target.job_id, reason)
            return f"failure: {reason}"
        except Exception as exc:
            _report_failure(reporter, exc, attempt, target.job_id)
            raise


def _report_failure(
    reporter: CheckRunReporter, exc: Exception, attempt: Attempt, job_id: str
) -> None:
    """Say on the run what went wrong; the exception itself goes on to rq."""
    reason = one_line(exc)
    try:
        if attempt.retrying:
            when = f"in {attempt.retry_in} s" if attempt.retry_in else "now"
            reporter.note(
                "Retrying after an error",
                f"This attempt at the review failed: {reason}. Flow Review tries again {when}.",
            )
        elif isinstance(exc, JobTimeoutException) and attempt.timeout:
            reporter.conclude(timed_out_run(attempt.timeout))
        else:
            reporter.conclude(failed_run(reason))
    except GitHubError as report_error:
        # The run stays in the ledger of open runs: the worker's sweep concludes it once rq
        # has given up on the job. The original failure is what the job raises.
        log.error("%s: could not report the failure on the check run: %s", job_id, report_error)


class _PullRequestReview:
    def __init__(
        self,
        context: WorkerContext,
        api: RepositoryApi,
        target: ReviewTarget,
        reporter: CheckRunReporter,
    ) -> None:
        self.context = context
        self.api = api
        self.target = target
        self.reporter = reporter
        self._stale_record: str | None = None  # a recorded head GitHub says is not newer
        self._own_commit: str | None = None  # the app's checklist commit on this head

    def run(self) -> str:
        target = self.target
        self.reporter.progress("reading the pull request and its config", 1)
        pull = self.api.pull_request(target.number)
        if not self.is_head(pull.head_sha):
            raise Superseded(pull.head_sha)
        config = read_config(self.api, pull.base_sha)

        self.check_superseded()
        self.reporter.progress("fetching the diff", 2)
        all_changes, diff_notes = fetch_changes(self.api, target.number)
        changes = without_own_task_file(all_changes, config, target.number)

        self.check_superseded()
        self.reporter.progress("reading the trees", 3)
        base_sha = self.diff_base(pull, diff_notes)
        blobs = BlobStore(self.api)
        base = GitHubSnapshot(self.api, base_sha, blobs)
        head = GitHubSnapshot(self.api, target.head_sha, blobs)
        base.entries()
        head.entries()

        self.check_superseded()
        self.reporter.progress(f"analysing the change ({len(changes)} changed files)", 4)
        cache = RedisFactCache(self.context.redis, target.repository, ttl=self.context.fact_ttl)
        prefetched = prefetch_review_blobs((head, base), config, cache, blobs)
        result = run_engine(head, base, changes, config, cache, self.context.extraction_workers)
        log.info(
            "%s: %d findings; %d blobs fetched (%d ahead of time), %d cached facts",
            target.job_id,
            len(result.findings),
            blobs.fetched,
            prefetched,
            cache.hits,
        )

        self.check_superseded()
        self.reporter.progress("publishing the review", 5)
        return self.publish(pull, config, result, all_changes, diff_notes)

    def diff_base(self, pull: PullRequestInfo, notes: list[str]) -> str:
        """The commit the pull request's diff starts from: the merge base of its base branch
        and this job's head. When GitHub refuses the comparison (no common ancestor after the
        base branch was rewritten, say), the base branch's tip, with a note saying what that
        may show; a transient failure is raised (after the call's own retries) for rq."""
        try:
            return self.api.merge_base(pull.base_sha, self.target.head_sha)
        except GitHubRefused as exc:
            reason = one_line(exc)
            log.warning(
                "%s: no merge base (%s); the base tree is %s's tip %s",
                self.target.job_id,
                reason,
                pull.base_ref,
                pull.base_sha[:12],
            )
            notes.append(
                f"> GitHub did not find where this branch left `{pull.base_ref}` ({reason}): "
                f"the base is `{pull.base_ref}`'s tip {pull.base_sha[:12]}, so what changed "
                f"on `{pull.base_ref}` since may show here as changes of this pull request."
            )
            return pull.base_sha

    def check_superseded(self) -> None:
        newer = self.newer_head()
        if newer is not None:
            raise Superseded(newer)

    def newer_head(self) -> str | None:
        """The pull request's head if a newer commit replaced this job's, else None."""
        target = self.target
        recorded = latest_head(self.context.redis, target.repository, target.number)
        if recorded is None or recorded.lower() in (target.head_sha.lower(), self._stale_record):
            return None
        current = self.api.pull_request(target.number).head_sha
        if not self.is_head(current):
            return current
        self._stale_record = recorded.lower()
        return None

    def is_head(self, head_sha: str) -> bool:
        """Whether `head_sha` is this job's commit, or the app's own checklist commit on top
        of it: an attempt that failed after committing the checklist is retried as a review
        of the same change, not cancelled by its own commit."""
        ours = self.target.head_sha.lower()
        if head_sha.lower() == ours:
            return True
        if head_sha.lower() == self._own_commit:
            return True
        if is_checklist_commit(self.api, head_sha, ours, self.target.number):
            self._own_commit = head_sha.lower()
            return True
        return False

    def publish(
        self,
        pull: PullRequestInfo,
        config: Config,
        result: Review,
        all_changes: Sequence[ChangedFile],
        notes: list[str],
    ) -> str:
        target = self.target
        commentable = commentable_from_changes(result.changes)
        login = bot_login(self.context, self.api)
        comments = publish_review_comments(
            self.api, target.number, target.head_sha, result, commentable, login
        )
        if comments.refused:
            notes.append(
                f"> {comments.refused} inline comment(s) were refused by GitHub (their lines "
                "are not part of the diff); their findings are listed below."
            )
        checklist = self.publish_checklist(pull, config, result, all_changes, login)
        if checklist.where == "not updated":
            notes.append(f"> The checklist was not updated: {checklist.detail}.")
        end = with_notes(completed_run(result, config, commentable), notes)
        lost = self.reporter.conclude(end)
        return (
            f"{end.conclusion}: {len(result.findings)} findings; comments {comments.created} "
            f"new, {comments.updated} edited, {comments.kept} kept, {comments.refused} "
            f"refused; checklist {checklist.where} {checklist.detail}".rstrip()
            + (f"; {lost} annotation batches lost" if lost else "")
        )

    def publish_checklist(
        self,
        pull: PullRequestInfo,
        config: Config,
        result: Review,
        all_changes: Sequence[ChangedFile],
        login: str,
    ) -> ChecklistPublished:
        plan = plan_checklist(self.api, config, pull, result, all_changes)
        if isinstance(plan, Unchanged):
            return ChecklistPublished("unchanged", plan.path)
        if isinstance(plan, NotUpdated):
            return ChecklistPublished("not updated", f"{plan.path}: {plan.reason}")
        if isinstance(plan, TaskFileCommit):
            newer = self.newer_head()
            if newer is not None:  # pushed meanwhile: the newer commit's review commits it
                return ChecklistPublished("skipped", f"{newer[:12]} was pushed meanwhile")
            committed = commit_task_file(self.api, plan, pull.number)
            if isinstance(committed, ChecklistPublished):
                return committed
            plan = committed
        if isinstance(plan, ChecklistComment):
            log.info("%s: checklist as a comment: %s", self.target.job_id, plan.reason)
        return publish_checklist_comment(self.api, pull.number, result, login)


def read_config(api: RepositoryApi, base_sha: str) -> Config:
    """The repository's config at the base branch's tip (not at the merge base: a change
    of the config merged since the branch was cut applies); the defaults when it has none."""
    found = api.file(CONFIG_PATH, base_sha)
    if found is None:
        return Config()
    try:
        text = found.data.decode("utf-8")
    except UnicodeDecodeError:
        raise ReviewProblem(f"{CONFIG_PATH}: not UTF-8 text") from None
    return parse_config(text, CONFIG_PATH)


def fetch_changes(api: RepositoryApi, number: int) -> tuple[tuple[ChangedFile, ...], list[str]]:
    """The pull request's changes, and notes for the check run about how they were read."""
    try:
        return parse_diff(api.diff(number)), []
    except GitHubRefused as exc:
        if exc.status != 406:
            raise
    files = api.pull_files(number)
    notes = [
        "> GitHub found this pull request's diff too large to send; it was rebuilt from the "
        "list of changed files."
    ]
    missing = files_without_patch(files)
    if missing:
        notes.append(
            f"> {len(missing)} changed file(s) have no patch in that list (binary, or too "
            "large to show): their changed lines are not known."
        )
    return parse_diff(diff_from_files(files)), notes


def run_engine(
    head: GitHubSnapshot,
    base: GitHubSnapshot,
    changes: Sequence[ChangedFile],
    config: Config,
    cache: FactCache,
    workers: int | None,
) -> Review:
    return review(
        ReviewRequest(head=head, base=base, changes=changes, config=config),
        cache=cache,
        extract_many=process_extraction(workers),
    )
