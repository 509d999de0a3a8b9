"""FLOW101 (call without timeout) against bandit B113 and ruff S113 on the real-code sample.

Whatever a peer reports, Flow Review reports too, except for the deliberate
disagreements in `peers.ALLOWED`. The figures of both sides are printed (run
with `-rA` or `-s` to see them).
"""

from __future__ import annotations

from pathlib import Path

from tests.analyzers.python.peers import (
    ALLOWED,
    CLIENT_METHOD,
    KWARGS,
    TEST_CODE,
    URLLIB,
    bandit_b113,
    compare,
    ruff_s113,
)
from tests.analyzers.python.real_code import review_files, site_sample_review

KNOWN_SHAPES = """\
import httpx
import requests
from urllib.request import urlopen


def fetch(url):
    return requests.get(url)


def forward(url, **kwargs):
    return requests.post(url, **kwargs)


def session_get(url):
    session = requests.Session()
    return session.get(url)


def legacy(url):
    return urlopen(url)


def fast(url):
    return httpx.get(url)


def unbounded(url):
    return httpx.get(
        url,
        timeout=None,
    )
"""


def test_every_peer_report_is_a_flow_review_finding_or_a_deliberate_disagreement() -> None:
    run = site_sample_review()
    peers = [bandit_b113(run.root, run.sample), ruff_s113(run.root, run.sample)]
    result = compare(run, peers)
    print(result.summary())

    for peer in peers:
        # A peer that silently skipped files would make the comparison look better than it is.
        assert peer.checked | set(peer.errors) == set(run.sample), peer.tool
        assert len(peer.errors) <= len(run.sample) // 100, (peer.tool, peer.errors)
    assert not result.unexplained, result.summary()
    assert len(result.agreed) + len(result.peer_only) == len(
        {(r.path, r.line) for peer in peers for r in peer.reports}
    )


def test_the_comparison_tells_each_kind_of_disagreement_apart(tmp_path: Path) -> None:
    """The comparison on calls whose verdicts are known, so that it can be seen to fail.

    It also pins down what the installed peers check: should ruff or bandit start
    flagging httpx's default, or following sessions, this test says so first.
    """
    (tmp_path / "svc" / "tests").mkdir(parents=True)
    (tmp_path / "svc" / "client.py").write_text(KNOWN_SHAPES)
    (tmp_path / "svc" / "tests" / "test_client.py").write_text(
        "import requests\n\nrequests.get('http://localhost:8000/health')\n"
    )
    files = ["svc/client.py", "svc/tests/test_client.py"]
    run = review_files(tmp_path, files)
    bandit, ruff = bandit_b113(tmp_path, files, jobs=1), ruff_s113(tmp_path, files)
    result = compare(run, [bandit, ruff])
    print(result.summary())

    assert {(r.path, r.line) for r in bandit.reports} == {
        ("svc/client.py", 7),
        ("svc/client.py", 11),
        ("svc/client.py", 28),
        ("svc/tests/test_client.py", 3),
    }
    assert {(r.path, r.line) for r in ruff.reports} == {
        ("svc/client.py", 7),
        ("svc/client.py", 11),
        ("svc/client.py", 30),  # ruff points at `timeout=None`, inside the call's lines
        ("svc/tests/test_client.py", 3),
    }
    assert set(result.agreed) == {
        ("svc/client.py", 7),
        ("svc/client.py", 28),
        ("svc/client.py", 30),
    }
    assert {key: why for key, (why, _) in result.peer_only.items()} == {
        ("svc/client.py", 11): KWARGS,
        ("svc/tests/test_client.py", 3): TEST_CODE,
    }
    assert {(f.location.line if f.location else 0, why) for f, why in result.flow_only} == {
        (16, CLIENT_METHOD),
        (20, URLLIB),
    }
    assert not result.unexplained
    assert {KWARGS, TEST_CODE} <= ALLOWED
