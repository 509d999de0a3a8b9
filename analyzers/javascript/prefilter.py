"""Which JavaScript/TypeScript files can hold a fact at all, decided from their text.

tree-sitter parses fast, but running the query and reading its captures in
Python is where the time goes; a file that names none of these cannot yield a
fact.
"""

from __future__ import annotations

import re

_WORDS = re.compile(
    r"fetch|axios|\bky\b|\bgot\b|express|Router|router|app\.(?:get|post|use)|NextResponse|"
    r"NextApiRequest|export\s+(?:async\s+)?function\s+(?:GET|POST|PUT|PATCH|DELETE)|rewrites|"
    r"interface|type\s+\w+\s*=|z\.object|stripe|[Ww]ebhook|supabase|resend|openai|cron|schedule|"
    r"bullmq|Queue|Worker|setInterval|useQuery|useMutation|catch|logger|console\.|Sentry|"
    r"opentelemetry|span|"
    # data models (enums, zod), and calls of project fetch wrappers with a URL-like argument
    r"\benum\b|zod|['\"`]/[\w{$:.-]|"
    # SDKs of external systems, signature checks, queue tables (`from('job_queue')`)
    r"anthropic|sendgrid|twilio|@aws-sdk|aws-sdk|@slack|postmark|mailgun|timingSafeEqual|"
    r"createHmac|svix|queue['\"`]|"
    # servers listening on a port (`analyzers/javascript/listeners.py`)
    r"\.listen\(|\bserve\("
)


def may_hold_facts(text: str) -> bool:
    return _WORDS.search(text) is not None
