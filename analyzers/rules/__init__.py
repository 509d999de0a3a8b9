"""The registry of rules: every rule class, listed once, by permanent code.

Codes are never reused or renumbered. Ranges by theme:
FLOW0xx governance of the change itself, FLOW1xx timeouts, retries, backoff
and rate limits, FLOW2xx webhooks and idempotency, FLOW3xx data contracts and
routes, FLOW4xx errors and observability, FLOW5xx jobs, queues and schedules.
"""

from analyzers.rules.base import Example, Rule, RuleDocs, Scope
from analyzers.rules.flow001_cross_service_change_without_tests import (
    CrossServiceChangeWithoutTests,
)
from analyzers.rules.flow002_cross_service_change_without_workflow_docs import (
    CrossServiceChangeWithoutWorkflowDocs,
)
from analyzers.rules.flow101_call_without_timeout import CallWithoutTimeout
from analyzers.rules.flow102_call_without_retry import CallWithoutRetry
from analyzers.rules.flow103_retry_without_backoff import RetryWithoutBackoff
from analyzers.rules.flow104_unbounded_retry import UnboundedRetry
from analyzers.rules.flow105_backoff_without_jitter import BackoffWithoutJitter
from analyzers.rules.flow106_unthrottled_call_loop import UnthrottledCallLoop
from analyzers.rules.flow201_unverified_webhook import UnverifiedWebhook
from analyzers.rules.flow202_webhook_parsed_before_verification import (
    WebhookParsedBeforeVerification,
)
from analyzers.rules.flow203_webhook_signature_over_parsed_body import (
    WebhookSignatureOverParsedBody,
)
from analyzers.rules.flow204_webhook_without_deduplication import WebhookWithoutDeduplication
from analyzers.rules.flow205_job_enqueued_without_id import JobEnqueuedWithoutId
from analyzers.rules.flow206_stripe_create_without_idempotency_key import (
    StripeCreateWithoutIdempotencyKey,
)
from analyzers.rules.flow207_webhook_body_parsed_before_raw import WebhookBodyParsedBeforeRaw
from analyzers.rules.flow301_call_to_missing_route import CallToMissingRoute
from analyzers.rules.flow302_request_contract_break import RequestContractBreak
from analyzers.rules.flow303_response_contract_break import ResponseContractBreak
from analyzers.rules.flow304_parameter_in_wrong_place import ParameterInWrongPlace
from analyzers.rules.flow305_contract_moved_on_both_sides import ContractMovedOnBothSides
from analyzers.rules.flow306_cascading_failure import CascadingFailure
from analyzers.rules.flow401_swallowed_error import SwallowedError
from analyzers.rules.flow402_unobserved_integration_call import UnobservedIntegrationCall
from analyzers.rules.flow501_job_without_failure_path import JobWithoutFailurePath
from analyzers.rules.flow502_overlapping_schedule import OverlappingSchedule
from analyzers.rules.flow503_webhook_acknowledged_after_failure import (
    WebhookAcknowledgedAfterFailure,
)

ALL_RULES: tuple[type[Rule], ...] = (
    CrossServiceChangeWithoutTests,
    CrossServiceChangeWithoutWorkflowDocs,
    CallWithoutTimeout,
    CallWithoutRetry,
    RetryWithoutBackoff,
    UnboundedRetry,
    BackoffWithoutJitter,
    UnthrottledCallLoop,
    UnverifiedWebhook,
    WebhookParsedBeforeVerification,
    WebhookSignatureOverParsedBody,
    WebhookWithoutDeduplication,
    JobEnqueuedWithoutId,
    StripeCreateWithoutIdempotencyKey,
    WebhookBodyParsedBeforeRaw,
    CallToMissingRoute,
    RequestContractBreak,
    ResponseContractBreak,
    ParameterInWrongPlace,
    ContractMovedOnBothSides,
    CascadingFailure,
    SwallowedError,
    UnobservedIntegrationCall,
    JobWithoutFailurePath,
    OverlappingSchedule,
    WebhookAcknowledgedAfterFailure,
)


def rule_by_code(code: str) -> type[Rule] | None:
    return next((rule for rule in ALL_RULES if rule.code == code), None)


__all__ = ["ALL_RULES", "Example", "Rule", "RuleDocs", "Scope", "rule_by_code"]
