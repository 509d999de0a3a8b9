"""The engine's exceptions: small, specific, and each one a one-line message for the user."""


class FlowReviewError(Exception):
    """Base of every error a front end turns into a one-line message and exit code 2."""


class ConfigError(FlowReviewError):
    """The repository config (or `--config FILE`) is not valid."""


class SnapshotError(FlowReviewError):
    """A tree or a file could not be read (unknown revision, not a repository, ...)."""


class DiffError(FlowReviewError):
    """The diff could not be parsed."""
