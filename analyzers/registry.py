"""The language analyzers the engine runs by default, in one place.

Extractors turn one file into facts; composers run once per tree over every
file's facts, for what only the whole service shows (a router declared in one
module and mounted under a prefix in another).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from analyzers.compose import compose_endpoints
from analyzers.deploy import DeployExtractor
from analyzers.extract import Extractors
from analyzers.facts import FileFacts
from analyzers.handler_calls import compose_handler_calls
from analyzers.javascript import JavaScriptExtractor
from analyzers.javascript.models import compose_js_models
from analyzers.javascript.vercel import VercelExtractor
from analyzers.javascript.wrappers import compose_wrapper_calls
from analyzers.openapi import OpenApiExtractor
from analyzers.paths import DEPLOY, OPENAPI
from analyzers.python import PythonExtractor
from analyzers.python.models import compose_models

Composer = Callable[[Sequence[FileFacts]], Sequence[FileFacts]]


def default_extractors() -> Extractors:
    javascript = JavaScriptExtractor()
    return {
        "python": [PythonExtractor()],
        "typescript": [javascript],
        "javascript": [javascript],
        "json": [VercelExtractor()],  # vercel.json only (`analyzers.paths.LANGUAGE_BY_NAME`)
        OPENAPI: [OpenApiExtractor()],  # openapi.yaml, swagger.json, ... (`paths.SPEC_FILE`)
        DEPLOY: [DeployExtractor()],  # Dockerfile, compose, Procfile, .env*, package.json scripts
    }


DEFAULT_COMPOSERS: tuple[Composer, ...] = (
    compose_endpoints,
    compose_wrapper_calls,
    compose_handler_calls,  # after wrappers: their calls' OutboundCalls mark HTTP call sites
    compose_models,
    compose_js_models,
)
