"""`flow-review` as a user runs it: a real process over real git repositories."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from analyzers.rules import ALL_RULES
from tests.gitrepo import Symlink, commit, git, init_repo

TWO_SERVICES = {
    "services/api/package.json": "{}",
    "services/api/src/index.ts": "export const port = 4000;\n",
    "services/engine/requirements.txt": "fastapi\n",
    "services/engine/main.py": "VERSION = 1\n",
}
CROSS_CHANGE = {
    "services/api/src/index.ts": "export const port = 4001;\n",
    "services/engine/main.py": "VERSION = 2\n",
}


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def flow_review(*args: str | Path, cwd: Path | None = None) -> Run:
    result = subprocess.run(
        [sys.executable, "-m", "flow_review.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return Run(result.returncode, result.stdout, result.stderr)


def one_line_error(run: Run, pattern: str) -> None:
    assert run.code == 2, run
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("flow-review: error: ")
    assert pattern in lines[0], lines[0]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo")


def test_cross_service_change_reports_in_every_format(repo: Path) -> None:
    base = commit(repo, TWO_SERVICES)
    head = commit(repo, CROSS_CHANGE)
    markdown = flow_review("review", "--repo", repo, "--base", base, "--head", head)
    assert markdown.code == 0  # medium findings do not fail the default gate (critical)
    assert "FLOW001" in markdown.stdout and "FLOW002" in markdown.stdout
    assert markdown.stderr == ""

    report = json.loads(
        flow_review(
            "review", "--repo", repo, "--base", base, "--head", head, "--format", "json"
        ).stdout
    )
    assert report["schema"] == "flow-review/v1"
    assert (report["base"], report["head"]) == (base, head)
    assert report["changed_services"] == ["api", "engine"]
    assert {f["rule"] for f in report["findings"]} == {"FLOW001", "FLOW002"}

    sarif = json.loads(
        flow_review(
            "review", "--repo", repo, "--base", base, "--head", head, "--format", "sarif"
        ).stdout
    )
    assert sarif["version"] == "2.1.0"
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"FLOW001", "FLOW002"}


def test_fail_on_sets_the_exit_code(repo: Path) -> None:
    base = commit(repo, TWO_SERVICES)
    head = commit(repo, CROSS_CHANGE)
    args = ("review", "--repo", repo, "--base", base, "--head", head)
    assert flow_review(*args, "--fail-on", "medium").code == 1
    assert flow_review(*args, "--fail-on", "high").code == 0
    # The repository's own config sets the gate when the command line does not.
    config = {".github/flow-review.yml": "fail_on: low\n"}
    base2 = commit(repo, config)
    head2 = commit(repo, {"services/api/src/index.ts": "x\n", "services/engine/main.py": "y\n"})
    assert flow_review("review", "--repo", repo, "--base", base2, "--head", head2).code == 1


def test_output_file_and_stdout_carries_only_the_report(repo: Path, tmp_path: Path) -> None:
    base = commit(repo, TWO_SERVICES)
    head = commit(repo, CROSS_CHANGE)
    out = tmp_path / "reports" / "review.json"
    run = flow_review(
        "review",
        "--repo",
        repo,
        "--base",
        base,
        "--head",
        head,
        "--format",
        "json",
        "--output",
        out,
    )
    assert run.code == 0 and run.stdout == "" and run.stderr == ""
    assert json.loads(out.read_text())["head"] == head


def test_output_dash_is_stdout_not_a_file_named_dash(repo: Path, tmp_path: Path) -> None:
    head = commit(repo, TWO_SERVICES)
    run = flow_review(
        "review", "--repo", repo, "--whole-repo", "--format", "json", "--output", "-", cwd=tmp_path
    )
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["head"] == head
    assert not (tmp_path / "-").exists()


def test_output_to_a_pipe_writes_into_it_and_leaves_it_a_pipe(repo: Path, tmp_path: Path) -> None:
    # As `--output /dev/null` does: a device or pipe is written to, never replaced by a file.
    head = commit(repo, TWO_SERVICES)
    pipe = tmp_path / "report.pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    run = flow_review(
        "review", "--repo", repo, "--whole-repo", "--format", "json", "--output", pipe
    )
    reader.join(timeout=60)
    assert run.code == 0, run.stderr
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert json.loads(received[0])["head"] == head
    assert not list(tmp_path.glob(".report.pipe.*"))  # no temporary file left beside it


def test_whole_repo_reviews_the_head_tree(repo: Path) -> None:
    commit(repo, TWO_SERVICES)
    run = flow_review("review", "--repo", repo, "--whole-repo", "--format", "json")
    report = json.loads(run.stdout)
    assert run.code == 0
    assert report["base"] is None
    assert {s["name"] for s in report["services"]} == {"api", "engine"}
    assert report["stats"]["files_analyzed"] == 3  # index.ts, main.py and package.json


def test_checklist_is_merged_and_ticks_survive(repo: Path, tmp_path: Path) -> None:
    base = commit(repo, TWO_SERVICES)
    head = commit(repo, CROSS_CHANGE)
    task = tmp_path / ".tasks" / "review.md"
    args = ("review", "--repo", repo, "--base", base, "--head", head, "--checklist", task)
    assert flow_review(*args).code == 0
    text = task.read_text()
    assert text.count("- [ ]") == 2 and "**Status**: IN_REVIEW" in text
    ticked = text.replace("- [ ]", "- [x]", 1)
    task.write_text(ticked)
    assert flow_review(*args).code == 0
    assert task.read_text() == ticked


def test_broken_checklist_is_left_untouched(repo: Path, tmp_path: Path) -> None:
    base = commit(repo, TWO_SERVICES)
    head = commit(repo, CROSS_CHANGE)
    task = tmp_path / "task.md"
    broken = "# Mine\n<!-- flow-review:checklist:start -->\n- [x] done by hand\n"
    task.write_text(broken)
    run = flow_review("review", "--repo", repo, "--base", base, "--head", head, "--checklist", task)
    one_line_error(run, "left untouched")
    assert task.read_text() == broken


def test_bad_config_stops_with_key_and_line(repo: Path) -> None:
    base = commit(
        repo, {**TWO_SERVICES, ".github/flow-review.yml": "services:\n  api:\n    pathz: [x]\n"}
    )
    head = commit(repo, CROSS_CHANGE)
    run = flow_review("review", "--repo", repo, "--base", base, "--head", head)
    one_line_error(run, ".github/flow-review.yml:3: services.api.pathz: unknown key")


def test_config_file_option(repo: Path, tmp_path: Path) -> None:
    base = commit(repo, TWO_SERVICES)
    head = commit(repo, CROSS_CHANGE)
    config = tmp_path / "custom.yml"
    config.write_text("disable: [FLOW001, FLOW002]\n")
    run = flow_review(
        "review",
        "--repo",
        repo,
        "--base",
        base,
        "--head",
        head,
        "--config",
        config,
        "--format",
        "json",
    )
    assert json.loads(run.stdout)["findings"] == []
    one_line_error(
        flow_review(
            "review",
            "--repo",
            repo,
            "--base",
            base,
            "--head",
            head,
            "--config",
            tmp_path / "nope.yml",
        ),
        "cannot read --config",
    )


def test_not_a_git_repository(tmp_path: Path) -> None:
    one_line_error(
        flow_review("review", "--repo", tmp_path, "--whole-repo"), "not a git repository"
    )
    one_line_error(
        flow_review("review", "--repo", tmp_path / "missing", "--whole-repo"), "not a folder"
    )


def test_unknown_revision(repo: Path) -> None:
    head = commit(repo, TWO_SERVICES)
    one_line_error(
        flow_review("review", "--repo", repo, "--base", "no-such-branch", "--head", head),
        "unknown revision 'no-such-branch'",
    )
    one_line_error(
        flow_review("review", "--repo", repo, "--base=--upload-pack=x", "--head", head),
        "unknown revision",
    )


def test_empty_repository_has_no_head(repo: Path) -> None:
    one_line_error(flow_review("review", "--repo", repo, "--whole-repo"), "unknown revision 'HEAD'")


def test_usage_errors_are_one_line(repo: Path) -> None:
    one_line_error(flow_review("review", "--repo", repo), "give --base and --head, or --whole-repo")
    one_line_error(
        flow_review("review", "--repo", repo, "--whole-repo", "--base", "x"), "--whole-repo"
    )
    one_line_error(flow_review("review", "--format", "pdf"), "invalid choice")
    one_line_error(flow_review(), "required")


def test_empty_diff(repo: Path) -> None:
    head = commit(repo, TWO_SERVICES)
    run = flow_review("review", "--repo", repo, "--base", head, "--head", head, "--format", "json")
    assert run.code == 0
    report = json.loads(run.stdout)
    assert report["findings"] == [] and report["changed_services"] == []
    markdown = flow_review("review", "--repo", repo, "--base", head, "--head", head)
    assert "### Workflow Impact Summary" in markdown.stdout


def test_unreadable_changed_files_are_listed_as_skipped(repo: Path) -> None:
    inner = init_repo(repo.parent / "inner")
    pinned = commit(inner, {"a.txt": "1\n"})
    base = commit(repo, {**TWO_SERVICES, "services/engine/old.py": "A = 1\n" * 20})
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{pinned},services/engine/vendored")
    git(repo, "mv", "services/engine/old.py", "services/engine/renamed.py")
    head = commit(
        repo,
        {
            "services/engine/logo.png": b"\x89PNG\r\n\x1a\n\0\0\0",
            "services/engine/binary.py": b"\0\x01",
            "services/engine/latin1.py": "caf\xe9 = 1\n".encode("latin-1"),
            "services/engine/huge.py": "x = 1\n" * 200_000,
            "services/engine/link.py": Symlink("main.py"),
            "services/engine/main.py": None,
        },
    )
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{pinned},services/engine/vendored")
    git(repo, "commit", "--quiet", "--amend", "--no-edit")
    head = git(repo, "rev-parse", "HEAD")
    run = flow_review("review", "--repo", repo, "--base", base, "--head", head, "--format", "json")
    assert run.code == 0, run.stderr
    report = json.loads(run.stdout)
    skipped = {s["path"]: s["reason"] for s in report["stats"]["files_skipped"]}
    assert skipped == {
        "services/engine/logo.png": "binary file",
        "services/engine/binary.py": "binary file",
        "services/engine/latin1.py": "invalid UTF-8 at byte 3",
        "services/engine/huge.py": "larger than 1048576 bytes (1200000 bytes)",
        "services/engine/link.py": "symlink",
        "services/engine/vendored": "submodule",
    }
    markdown = flow_review("review", "--repo", repo, "--base", base, "--head", head).stdout
    for path in skipped:
        assert path in markdown


def test_rules_lists_every_rule() -> None:
    run = flow_review("rules")
    assert run.code == 0
    codes = [line.split()[0] for line in run.stdout.splitlines()]
    assert codes == sorted(rule.code for rule in ALL_RULES)
    reference = flow_review("rules", "--format", "markdown")
    root = Path(__file__).resolve().parents[2]
    assert reference.stdout == (root / "docs" / "rules.md").read_text()
