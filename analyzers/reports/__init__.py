"""Reports: pure renderings of one `Review` (Markdown, JSON `flow-review/v1`, SARIF 2.1.0)."""

from analyzers.reports.fingerprint import finding_fingerprint
from analyzers.reports.json_report import dumps_review, load_json_schema, review_to_json
from analyzers.reports.markdown import render_markdown
from analyzers.reports.sarif import dumps_sarif, review_to_sarif

__all__ = [
    "dumps_review",
    "dumps_sarif",
    "finding_fingerprint",
    "load_json_schema",
    "render_markdown",
    "review_to_json",
    "review_to_sarif",
]
