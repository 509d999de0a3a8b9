"""A finding's identity across pushes, shared by every machine-readable report."""

from __future__ import annotations

import hashlib

from analyzers.facts import Finding

FINGERPRINT_KEY = "flowReview/v1"


def finding_fingerprint(finding: Finding) -> str:
    """sha256 of rule code, path and key.

    Line numbers stay out on purpose: an edit above a finding moves it without
    making it a new finding, and code scanning, the check-run dedupe and
    `.tasks/` merges all match findings by this value between pushes.
    """
    path = finding.location.path if finding.location is not None else ""
    material = "\0".join((finding.rule, path, finding.key))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()
