"""Real OpenAPI documents nobody here wrote: GitHub's REST API description, installed by npm.

`tests/data/openapi-corpus/package.json` pins `@octokit/openapi` (MIT), whose
`generated/` folder holds GitHub's own OpenAPI 3.0 descriptions of
api.github.com and of GitHub Enterprise Server. The install works the way the
JavaScript corpus's does (`tests.analyzers.javascript.node_corpus.ensure_installed`:
`npm ci --ignore-scripts` of the pinned lock file, in a staging folder renamed
into place under a file lock), into its own cache folder outside the repository:

    $FLOW_REVIEW_OPENAPI_CORPUS/<digest>/node_modules

(`~/.cache/flow-review/openapi-corpus` when the variable is unset; `$XDG_CACHE_HOME`
is honoured). Without npm or the registry the tests that need it fail, with
`NodeCorpusError` saying why; they are never skipped.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from tests.analyzers.javascript.node_corpus import ensure_installed

SPEC = Path(__file__).resolve().parents[1] / "data" / "openapi-corpus"
ENV_VAR = "FLOW_REVIEW_OPENAPI_CORPUS"
PACKAGE = "@octokit/openapi"


def cache_root() -> Path:
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "flow-review" / "openapi-corpus"


@functools.cache
def installed_openapi_corpus() -> Path:
    """The `node_modules` folder of the pinned tree, installed first when it is not there."""
    return ensure_installed(SPEC, cache_root())


def github_description(name: str = "api.github.com.json") -> Path:
    """One of GitHub's descriptions: api.github.com.json (13 MB), ghes-3.19.json, ..."""
    return installed_openapi_corpus() / PACKAGE / "generated" / name
