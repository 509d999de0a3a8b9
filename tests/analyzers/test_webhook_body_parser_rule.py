"""FLOW207's two judgements beyond its examples: which parser reads first, which route is whose."""

from __future__ import annotations

import pytest

from analyzers.facts import Endpoint, Location, WebhookHandler
from analyzers.rules.flow207_webhook_body_parsed_before_raw import _json_parsed, _same_handler

AT = Location("svc/src/index.ts", 10, 10)


def endpoint(
    middleware: tuple[str, ...] = (), body_parser: str | None = None, **kw: object
) -> Endpoint:
    fields: dict[str, object] = {"handler": "svc.src.webhooks.stripe.handle", "location": AT}
    fields.update(kw)
    return Endpoint(
        "svc",
        method="POST",
        path="/webhooks/stripe",
        framework="express",
        middleware=middleware,
        body_parser=body_parser,
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("middleware", "body_parser", "parsed"),
    [
        (("cors", "express.json", "express.raw"), "json", True),
        (("express.raw", "express.json"), "raw", False),
        # urlencoded() and text() read only their own content types: JSON passes them untouched.
        (("express.urlencoded", "express.json", "express.raw"), "urlencoded", True),
        (("express.urlencoded", "express.raw"), "urlencoded", False),
        (("bodyParser.text", "express.raw"), "text", False),
        (("body-parser", "express.raw"), "json", True),  # bodyParser(): json first
        ((), "json", True),  # Next.js pages: the framework's own parser
        ((), "none", False),
        ((), None, False),
    ],
)
def test_which_parser_reads_the_stream_first(
    middleware: tuple[str, ...], body_parser: str | None, parsed: bool
) -> None:
    assert _json_parsed(endpoint(middleware, body_parser)) is parsed


def hook(handler: str, line: int = 30, path: str = "svc/src/webhooks/stripe.ts") -> WebhookHandler:
    return WebhookHandler("svc", Location(path, line, line + 5), "stripe", True, handler=handler)


def test_routes_and_handlers_meet_by_name() -> None:
    route = endpoint()
    assert _same_handler(route, hook("svc.src.webhooks.stripe.handle"))
    # A handler named relative to another root still meets at a dot boundary.
    assert _same_handler(route, hook("services.svc.src.webhooks.stripe.handle"))
    assert not _same_handler(route, hook("svc.src.webhooks.stripe.handleOther"))
    assert not _same_handler(route, hook("xsrc.webhooks.stripe.handle"))


def test_inline_handlers_meet_only_their_own_route() -> None:
    inline = "svc.src.index.<app.post>"
    route = endpoint(handler=inline, location=Location("svc/src/index.ts", 10, 16))
    assert _same_handler(route, hook(inline, 10, "svc/src/index.ts"))
    assert not _same_handler(route, hook(inline, 20, "svc/src/index.ts"))
