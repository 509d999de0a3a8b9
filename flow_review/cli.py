"""`flow-review`: the engine on a local git repository, with no GitHub and no Redis.

Exit codes: 0 nothing at or above `--fail-on` was found, 1 something was,
2 usage, config, git or file error. Errors are one line on stderr; stdout
carries only the report.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from analyzers.config import CONFIG_PATH, Config, parse_config
from analyzers.diff import parse_diff
from analyzers.engine import ReviewRequest, review
from analyzers.errors import FlowReviewError
from analyzers.facts import Review, Severity
from analyzers.reports import dumps_review, dumps_sarif, render_markdown
from analyzers.rules import ALL_RULES
from analyzers.rules.reference import render_reference
from analyzers.snapshot import Snapshot
from checklist import ChecklistError, merge_task_file
from flow_review.demo import example_folder, example_repo
from flow_review.git import GitRepo
from flow_review.parallel import process_extraction

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("markdown", "json", "sarif")


class UsageError(FlowReviewError):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="flow-review", description=__doc__.splitlines()[0] if __doc__ else "")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("review", help="review a change (or a whole tree) of a git repo")
    run.add_argument("--repo", type=Path, default=Path("."), help="the repository (default: .)")
    run.add_argument("--base", help="base revision of the change")
    run.add_argument("--head", help="head revision (default HEAD with --whole-repo)")
    run.add_argument("--whole-repo", action="store_true", help="review every file of --head")
    _add_review_options(run)

    demo = commands.add_parser("demo", help="review the example repository's change")
    demo.add_argument(
        "--example", type=Path, help="folder with base/ and head/ trees (default: the bundled one)"
    )
    _add_review_options(demo)

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "markdown"), default="text")

    serve = commands.add_parser(
        "serve", help="run the GitHub App's web process (settings from the environment)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=3000, help="port to listen on (default: 3000)")

    worker = commands.add_parser(
        "worker", help="run the GitHub App's rq worker (settings from the environment)"
    )
    worker.add_argument("--name", help="the worker's name in rq (default: a random one)")
    worker.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    worker.add_argument(
        "--jobs",
        type=_positive_int,
        help="processes that parse files in a review (default: one per CPU)",
    )
    worker.add_argument(
        "--maintenance-interval",
        type=_positive_int,
        default=60,
        help="seconds between sweeps for interrupted reviews (default: 60)",
    )
    worker.add_argument(
        "--job-monitoring-interval",
        type=_positive_int,
        default=10,
        help="seconds between heartbeats of a running review (default: 10)",
    )
    worker.add_argument(
        "--abandoned-after",
        type=_positive_int,
        default=20,
        help="seconds past a missed heartbeat before a review counts as abandoned (default: 20)",
    )
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


def _add_review_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--jobs",
        type=_positive_int,
        help="processes that parse files at once (default: one per CPU; 1: this process only)",
    )
    command.add_argument("--config", type=Path, help=f"config file (default: {CONFIG_PATH})")
    command.add_argument("--format", choices=FORMATS, default="markdown")
    command.add_argument(
        "--output", type=Path, help="write the report here, not to stdout ('-': stdout)"
    )
    command.add_argument("--checklist", type=Path, help="merge the checklist into this task file")
    command.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="exit 1 when a finding is at least this severe (default: config, else critical)",
    )
    command.add_argument("--quiet", action="store_true", help="no progress on stderr")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "rules":
            return _list_rules(args.format)
        if args.command == "serve":
            return _serve(args.host, args.port)
        if args.command == "worker":
            return _worker(args)
        if args.command == "demo":
            with tempfile.TemporaryDirectory(prefix="flow-review-demo-") as tmp:
                folder = args.example or example_folder()
                base, head = example_repo(folder, Path(tmp) / "repo")
                args.repo, args.base, args.head, args.whole_repo = (
                    Path(tmp) / "repo",
                    base,
                    head,
                    False,
                )
                return _review(args)
        return _review(args)
    except FlowReviewError as exc:
        _say(f"error: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except OSError as exc:
        _say(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return EXIT_ERROR


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"expected a port number (1-65535), not {text!r}")
    return int(text)


def _serve(host: str, port: int) -> int:
    # Imported here: the review commands need none of the web stack (starlette, redis, rq).
    from github_app.serve import serve  # noqa: PLC0415
    from github_app.settings import SettingsError  # noqa: PLC0415

    try:
        return serve(host, port, os.environ)
    except SettingsError as exc:
        _say(f"error: {exc}")
        return EXIT_ERROR


def _worker(args: argparse.Namespace) -> int:
    # Imported here, as for `serve`: rq, redis and githubkit only for the worker.
    from github_app.settings import SettingsError  # noqa: PLC0415
    from github_app.worker import WorkerOptions, WorkerStartError, run_worker  # noqa: PLC0415

    options = WorkerOptions(
        name=args.name,
        burst=args.burst,
        job_monitoring_interval=args.job_monitoring_interval,
        abandoned_after=args.abandoned_after,
        maintenance_interval=args.maintenance_interval,
        extraction_workers=args.jobs,
    )
    try:
        return run_worker(os.environ, options)
    except (SettingsError, WorkerStartError) as exc:
        _say(f"error: {exc}")
        return EXIT_ERROR


def _say(message: str) -> None:
    print(f"flow-review: {message}", file=sys.stderr)


def _list_rules(form: str) -> int:
    if form == "markdown":
        sys.stdout.write(render_reference(ALL_RULES))
        return EXIT_OK
    for rule in sorted(ALL_RULES, key=lambda r: r.code):
        line = f"{rule.code}  {rule.severity.value:<8}  {rule.family.value:<18}  {rule.name}"
        print(line.rstrip())
    return EXIT_OK


def _review(args: argparse.Namespace) -> int:
    if args.whole_repo and args.base:
        raise UsageError("--whole-repo reviews one tree: give --head, not --base")
    if not args.whole_repo and not (args.base and args.head):
        raise UsageError("give --base and --head, or --whole-repo")
    progress = None if args.quiet or not sys.stderr.isatty() else _say
    with GitRepo(args.repo) as repo:
        head = repo.snapshot(repo.resolve(args.head or "HEAD"))
        base = None if args.whole_repo else repo.snapshot(repo.resolve(args.base))
        config = _load_config(args.config, base or head)
        changes = parse_diff(repo.diff(base.rev, head.rev)) if base else ()
        result = review(
            ReviewRequest(head=head, base=base, changes=changes, config=config),
            progress=progress,
            extract_many=process_extraction(args.jobs),
        )
    report = _render(result, args.format)
    # Merge first: a task file that cannot be merged stops the run before anything is written.
    task_file = _merged_checklist(args.checklist, result) if args.checklist else None
    if args.output and str(args.output) != "-":
        _write_atomically(args.output, report)
    else:
        sys.stdout.write(report)
    if task_file is not None:
        _write_atomically(args.checklist, task_file)
    fail_on = Severity(args.fail_on) if args.fail_on else config.fail_on
    failing = [f for f in result.findings if f.severity.at_least(fail_on)]
    return EXIT_FINDINGS if failing else EXIT_OK


def _load_config(path: Path | None, tree: Snapshot) -> Config:
    """`--config FILE`, else the repository's own config at base (a change cannot waive its
    own review), else the defaults."""
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"cannot read --config {path}: {getattr(exc, 'strerror', exc)}"
            ) from None
        return parse_config(text, str(path))
    if CONFIG_PATH not in tree.entries():
        return Config()
    try:
        text = tree.read(CONFIG_PATH).decode("utf-8")
    except UnicodeDecodeError:
        raise FlowReviewError(f"{CONFIG_PATH}: not UTF-8 text") from None
    return parse_config(text, CONFIG_PATH)


_RENDERERS: dict[str, Callable[[Review], str]] = {
    "markdown": render_markdown,
    "json": dumps_review,
    "sarif": lambda result: dumps_sarif(result, ALL_RULES),
}


def _render(result: Review, form: str) -> str:
    return _RENDERERS[form](result)


def _write_atomically(path: Path, text: str) -> None:
    if path.exists() and not path.is_file():
        # A device or pipe (`--output /dev/null`, `/dev/stdout`): written to, never replaced.
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _merged_checklist(path: Path, result: Review) -> str | None:
    """The task file's new text, None when it would not change."""
    try:
        existing = path.read_bytes().decode("utf-8") if path.exists() else ""
    except UnicodeDecodeError:
        raise UsageError(f"--checklist {path}: not UTF-8 text; left untouched") from None
    title = "Integration review: " + (", ".join(result.changed_services) or "no service changed")
    try:
        merged = merge_task_file(existing, result, title=title)
    except ChecklistError as exc:
        raise UsageError(f"--checklist {path}: {exc}; left untouched") from None
    return merged if merged != existing else None


if __name__ == "__main__":
    sys.exit(main())
