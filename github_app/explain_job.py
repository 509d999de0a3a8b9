"""The check run's "Explain" button: the documentation of the rules the run reported.

The rules are read off the run itself: the codes that open its annotations' titles
(`FLOW101 Call without a timeout`) and those its summary and text mention. Their
documentation (`commands.explain_rules_text`, from the rule classes) replaces the run's
text below a hidden marker, so a second click replaces the explanations instead of adding
them twice; the summary, title, conclusion and annotations stay as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from analyzers.rules import ALL_RULES
from github_app.checkrun import MAX_OUTPUT_BYTES, trim_markdown
from github_app.clients import repository_api
from github_app.commands import explain_rules_text
from github_app.context import WorkerContext

EXPLANATIONS_MARKER: Final = "<!-- flow-review:explanations -->"
_CODE = re.compile(r"\bFLOW\d{3}\b")


@dataclass(frozen=True)
class ExplainTarget:
    installation_id: int
    repository: str
    check_run_id: int
    head_sha: str
    delivery: str


def run_explain(context: WorkerContext, target: ExplainTarget) -> str:
    with repository_api(context, target.installation_id, target.repository) as api:
        run = api.check_run(target.check_run_id)
        titles = api.annotation_titles(target.check_run_id)
        codes = rule_codes([*titles, run.summary or "", run.text or ""])
        kept = (run.text or "").split(EXPLANATIONS_MARKER, 1)[0].rstrip()
        explained = f"{EXPLANATIONS_MARKER}\n## The rules of this review\n\n" + (
            explain_rules_text(codes)
        )
        text = f"{kept}\n\n{explained}" if kept else explained
        text = trim_markdown(
            text,
            MAX_OUTPUT_BYTES,
            "> **Trimmed here**: ask `/flow-review explain FLOW101` for one rule at a time.",
        )
        api.update_check_run(
            target.check_run_id,
            {
                "output": {
                    "title": run.title or "Flow Review",
                    "summary": run.summary or "Flow Review",
                    "text": text,
                }
            },
        )
        return f"explained {', '.join(codes) or 'no rule'} on check run {target.check_run_id}"


def rule_codes(texts: list[str]) -> list[str]:
    """The known rule codes mentioned in `texts`, in code order."""
    known = {rule.code for rule in ALL_RULES}
    found = {code for text in texts for code in _CODE.findall(text)}
    return sorted(found & known)
