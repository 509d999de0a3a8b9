"""The base of a review is where the pull request's branch left its base branch.

GitHub's diff of a pull request is `base...head`, from the merge base. A base tree taken
from the base branch's tip instead would disagree with it as soon as the base branch moves
on: what was merged there since would look undone by the pull request. Here `main` gets a
payments file calling the orders service (`requests.get` with no timeout) after the branch
was cut; the review of the branch must neither report it nor list its call as changed.

The review job runs in this process against the emulated GitHub and a real Redis, as in
`test_review_job`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from github_app.context import WorkerContext
from github_app.queue import review_job_id
from github_app.review_job import Attempt, ReviewTarget, run_review
from tests.github_emulator import CheckRun, GitHubEmulator, Refused, ServerError

ORDERS = "services/orders/app/main.py"
REFUNDS = "services/payments/app/refunds.py"
CONFIG = ".github/flow-review.yml"


def pyproject(name: str) -> str:
    return f'[project]\nname = "{name}"\ndependencies = ["fastapi", "requests"]\n'


ORDERS_CODE = """import os

import requests
from fastapi import FastAPI

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
app = FastAPI()


@app.get("/orders/{order_id}")
def get_order(order_id: str) -> dict[str, str]:
    return {"id": order_id}
"""
# The pull request's change: a route that asks payments, with no timeout (its own finding).
ORDERS_STATUS = """

@app.get("/orders/{order_id}/status")
def get_status(order_id: str) -> dict[str, str]:
    paid = requests.get(f"{PAYMENTS_URL}/payments/{order_id}")
    return {"id": order_id, "paid": str(paid.ok)}
"""
PAYMENTS_CODE = """from fastapi import FastAPI

app = FastAPI()


@app.get("/payments/{payment_id}")
def get_payment(payment_id: str) -> dict[str, str]:
    return {"id": payment_id}
"""
# Merged on main after the branch point: a call to orders with no timeout.
REFUNDS_CODE = """import os

import requests

ORDERS_URL = os.environ["ORDERS_URL"]


def order_of(order_id: str) -> dict[str, str]:
    url = f"{ORDERS_URL}/orders/{order_id}"
    response = requests.get(url)
    return response.json()
"""
SHOP = {
    "README.md": "# Shop\n",
    "services/orders/pyproject.toml": pyproject("orders"),
    ORDERS: ORDERS_CODE,
    "services/payments/pyproject.toml": pyproject("payments"),
    "services/payments/app/main.py": PAYMENTS_CODE,
}


@dataclass(frozen=True)
class MovedBase:
    """A pull request whose base branch got commits after its branch was cut."""

    repo: str
    target: ReviewTarget
    branch_point: str
    base_tip: str


@pytest.fixture
def moved(gh: GitHubEmulator) -> MovedBase:
    repo = gh.create_repo("acme", "shop", SHOP)
    installation = gh.install("acme", [repo])
    branch_point = gh.branch_sha(repo, "main")
    assert branch_point is not None
    gh.push(repo, "order-status", {ORDERS: ORDERS_CODE + ORDERS_STATUS}, author="alice")
    number = gh.open_pull_request(repo, head="order-status", title="Order status", author="alice")
    # After the branch point: the payments file, and a stricter gate for every pull request.
    base_tip = gh.push(repo, "main", {REFUNDS: REFUNDS_CODE, CONFIG: "fail_on: low\n"})
    head = gh.head_sha(repo, number)
    target = ReviewTarget(
        installation_id=installation,
        repository=repo,
        number=number,
        head_sha=head,
        trigger="test",
        delivery="delivery-1",
        job_id=review_job_id(repo, number, head),
    )
    return MovedBase(repo, target, branch_point, base_tip)


def reviewed_run(gh: GitHubEmulator, moved: MovedBase) -> CheckRun:
    [run] = gh.check_runs(moved.repo, moved.target.head_sha)
    assert run.status == "completed"
    return run


def trees_read(gh: GitHubEmulator, sha: str) -> int:
    return len(gh.requests("GET", rf"/git/trees/{sha}$"))


def test_commits_merged_on_the_base_branch_after_the_branch_point_are_not_the_pull_requests(
    gh: GitHubEmulator, context: WorkerContext, moved: MovedBase
) -> None:
    run_review(context, moved.target, Attempt())

    run = reviewed_run(gh, moved)
    report = f"{run.summary}\n{run.text or ''}"
    # The review is of the change from the merge base...
    assert f"Mode: diff `{moved.branch_point[:7]}..{moved.target.head_sha[:7]}`" in report
    # ...whose own call is reported and drawn as added...
    assert {a.path for a in run.annotations} == {ORDERS}
    assert any(a.title and a.title.startswith("FLOW101") for a in run.annotations)
    assert all(c.path == ORDERS for c in gh.review_comments(moved.repo, moved.target.number))
    assert "added: GET /payments/{payment_id}" in report
    # ...and main's later call from payments to orders is neither reported nor drawn as
    # removed by the pull request (as it was with the base branch's tip as the base).
    assert REFUNDS not in report
    assert "removed:" not in report
    # The base tree is the merge base's, found by comparing the base's tip with the head.
    compared = gh.requests("GET", rf"/compare/{moved.base_tip}\.\.\.{moved.target.head_sha}$")
    assert [r.status for r in compared] == [200]
    assert (trees_read(gh, moved.branch_point), trees_read(gh, moved.base_tip)) == (1, 0)
    # The config is still the base branch's tip's, merged after the branch point.
    [config] = gh.requests("GET", r"/contents/\.github/flow-review\.yml$")
    assert f"ref={moved.base_tip}" in config.query
    assert run.title is not None and "at or above low" in run.title


def test_a_comparison_github_refuses_falls_back_to_the_base_branchs_tip_with_a_note(
    gh: GitHubEmulator, context: WorkerContext, moved: MovedBase
) -> None:
    gh.inject(Refused(404, "No common ancestor between a and b."), path=r"/compare/", times=1)

    run_review(context, moved.target, Attempt())

    run = reviewed_run(gh, moved)
    assert run.summary is not None
    assert "GitHub did not find where this branch left `main`" in run.summary
    assert "No common ancestor" in run.summary
    assert (trees_read(gh, moved.branch_point), trees_read(gh, moved.base_tip)) == (0, 1)


def test_a_transient_failure_of_the_comparison_is_retried_not_replaced(
    gh: GitHubEmulator, context: WorkerContext, moved: MovedBase
) -> None:
    rule = gh.inject(ServerError(502), path=r"/compare/", times=1)

    run_review(context, moved.target, Attempt())

    run = reviewed_run(gh, moved)
    assert rule.fired == 1
    assert run.summary is not None and "did not find where" not in run.summary
    assert REFUNDS not in f"{run.summary}\n{run.text}"
    assert (trees_read(gh, moved.branch_point), trees_read(gh, moved.base_tip)) == (1, 0)
