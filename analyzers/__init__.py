"""The review engine: pure functions from trees and a diff to a `Review`. No network, no Redis."""

from analyzers.engine import ReviewRequest, review
from analyzers.facts import Review

__all__ = ["Review", "ReviewRequest", "review"]
