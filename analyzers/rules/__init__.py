"""The registry of rules: every rule class, listed once, by permanent code.

Codes are never reused or renumbered. Ranges by theme:
FLOW0xx governance of the change itself, FLOW1xx timeouts, retries and
backoff, FLOW2xx webhooks and idempotency, FLOW3xx data contracts and routes,
FLOW4xx observability, FLOW5xx jobs, queues and schedules.
"""

from analyzers.rules.base import Example, Rule, RuleDocs, Scope
from analyzers.rules.flow001_cross_service_change_without_tests import (
    CrossServiceChangeWithoutTests,
)
from analyzers.rules.flow002_cross_service_change_without_workflow_docs import (
    CrossServiceChangeWithoutWorkflowDocs,
)

ALL_RULES: tuple[type[Rule], ...] = (
    CrossServiceChangeWithoutTests,
    CrossServiceChangeWithoutWorkflowDocs,
)


def rule_by_code(code: str) -> type[Rule] | None:
    return next((rule for rule in ALL_RULES if rule.code == code), None)


__all__ = ["ALL_RULES", "Example", "Rule", "RuleDocs", "Scope", "rule_by_code"]
