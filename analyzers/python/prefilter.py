"""Which Python files can hold a fact at all, decided from their text before parsing.

As semgrep does: parsing with libcst costs about 40 us a line, a regular
expression over the text about 1 us. A file that mentions none of the
libraries and frameworks the families look for cannot yield a fact.
"""

from __future__ import annotations

import posixpath
import re

# Frameworks, HTTP clients, webhook, queue and scheduling libraries.
_INTEGRATION = re.compile(
    r"\b(?:requests|httpx|aiohttp|urlopen|urllib3|fastapi|APIRouter|flask|Blueprint|"
    r"flask_restx|flask_restful|django|urlpatterns|starlette|pydantic|BaseModel|stripe|"
    r"compare_digest|celery|shared_task|rq|enqueue|dramatiq|arq|apscheduler|"
    r"add_job|scheduled_job|schedule|tenacity|backoff|construct_event|webhook)\b"
)
# Routes and mounts on an app imported from a sibling module (`from app import app`) name
# no framework.
_ROUTE_DECORATOR = re.compile(
    r"@[\w.]+\.(?:get|post|put|patch|delete|head|options|trace|route|api_route|websocket)\("
)
_MOUNT_CALLS = (
    "include_router(",
    "register_blueprint(",
    "add_url_rule(",
    "add_api_route(",
    "add_resource(",
    "add_namespace(",
)
# Plain data classes matter when they live where API models live; so do subclasses of the
# project's own base model (`class UserOut(CamelModel)`), which name no library.
_MODEL_WORDS = re.compile(
    r"\b(?:TypedDict|dataclass|Enum|NamedTuple)\b|\bclass \w+\([\w.]*(?:Model|Schema|Base)\b"
)
_MODEL_FILES = re.compile(r"(?:^|_)(?:models?|schemas?|enums?|types|dtos?|entities|contracts?)$")


def may_hold_facts(path: str, text: str) -> bool:
    if _INTEGRATION.search(text) or _ROUTE_DECORATOR.search(text):
        return True
    if any(call in text for call in _MOUNT_CALLS):
        return True
    stem = posixpath.splitext(posixpath.basename(path))[0]
    in_models = bool(_MODEL_FILES.search(stem)) or any(
        _MODEL_FILES.search(part) for part in path.split("/")[:-1]
    )
    return in_models and bool(_MODEL_WORDS.search(text))
