"""Which Python files can hold a fact at all, decided from their text before parsing.

As semgrep does: parsing with libcst costs about 40 us a line, a regular
expression over the text about 1 us. A file that mentions none of the
libraries and frameworks the families look for cannot yield a fact.
"""

from __future__ import annotations

import posixpath
import re

# An import of a framework, HTTP client, webhook, queue or scheduling library. Anchored on
# the import statement: the bare words ("requests", "schedule") are common English in
# docstrings, and a file that only says them cannot hold a fact.
_MODULES = (
    r"(?:requests|httpx|aiohttp|urllib|urllib2|urllib3|fastapi|flask|flask_restx|flask_restful|"
    r"django|starlette|pydantic|pydantic_settings|sqlmodel|stripe|hmac|celery|rq|dramatiq|arq|"
    r"apscheduler|schedule|tenacity|backoff|six|"
    # SDKs of external systems: their clients are facts (`ExternalSystemUse`).
    r"supabase|openai|anthropic|boto3|aioboto3|resend|sendgrid|twilio|slack_sdk)\b"
)
_IMPORTS = re.compile(
    rf"^[ \t]*(?:from[ \t]+{_MODULES}|import[ \t]+(?:[\w.]+[ \t]*,[ \t]*)*{_MODULES})",
    re.MULTILINE,
)
# Names that hold a fact whatever the imports say (an app imported from a sibling module).
_INTEGRATION_NAMES = (
    "urlopen",
    "APIRouter",
    "Blueprint",
    "urlpatterns",
    "BaseModel",
    "compare_digest",
    "shared_task",
    "enqueue",
    "add_job",
    "scheduled_job",
    "construct_event",
    "webhook",
)
_INTEGRATION = re.compile(rf"\b(?:{'|'.join(_INTEGRATION_NAMES)})\b")
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
# A server the code starts itself (`analyzers/python/listeners.py`): a server by name, or an
# app method that starts one (`app.run(port=5000)`, `app.run("0.0.0.0", 5000)`) in a file that
# mentions a port. `.run(` alone is `subprocess.run` and `asyncio.run` far more often, and a
# `.listen(5)` is a socket's backlog unless tornado is imported.
_SERVERS = (
    "uvicorn",
    "run_app",
    "TCPSite",
    "make_server",
    "HTTPServer",
    "TCPServer",
    "waitress",
    "tornado",
)
_APP_RUN = re.compile(r"\.(?:run|run_server|launch)\(")
_PORT_WORD = re.compile(r"(?<![A-Za-z])(?:port|PORT)(?![A-Za-z])")  # not in "import", "report"
_LITERAL_PORT = re.compile(r"\.run\(\s*['\"][\w.:]*['\"]\s*,\s*\d")


def may_hold_facts(path: str, text: str) -> bool:
    if _IMPORTS.search(text) or _ROUTE_DECORATOR.search(text):
        return True
    # The names first, as substrings (searched in C): the word-bounded alternation tried at
    # every position of the text costs several times more, and most files name none of them.
    if any(name in text for name in _INTEGRATION_NAMES) and _INTEGRATION.search(text):
        return True
    if any(call in text for call in _MOUNT_CALLS) or may_listen(text):
        return True
    stem = posixpath.splitext(posixpath.basename(path))[0]
    in_models = bool(_MODEL_FILES.search(stem)) or any(
        _MODEL_FILES.search(part) for part in path.split("/")[:-1]
    )
    return in_models and bool(_MODEL_WORDS.search(text))


def may_listen(text: str) -> bool:
    """Whether the code may start a server on a port; substring checks first, as they run in C."""
    if any(name in text for name in _SERVERS):
        return True
    if ".run" not in text and ".launch(" not in text:
        return False
    if _APP_RUN.search(text) is not None and _PORT_WORD.search(text) is not None:
        return True
    return _LITERAL_PORT.search(text) is not None
