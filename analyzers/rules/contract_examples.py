"""A two-service tree the contract rules' examples vary: a FastAPI engine and its TS client.

`engine(...)` and `client(...)` take the model bodies and the route as text, so
each example reads as the one edit it makes to a consistent pair.
"""

from __future__ import annotations

REQUEST_FIELDS = "    candidate_id: str\n    job_ids: list[str]\n    limit: int = 10\n"
RESULT_FIELDS = "    job_id: str\n    score: float\n"
CLIENT_REQUEST = "  candidate_id: string;\n  job_ids: string[];\n  limit?: number;\n"
CLIENT_RESULT = "  job_id: string;\n  score: number;\n"


def engine(
    request: str = REQUEST_FIELDS,
    result: str = RESULT_FIELDS,
    route: str = '@app.post("/api/v1/match", response_model=list[MatchResult])',
    params: str = "body: MatchRequest",
) -> dict[str, str]:
    return {
        "engine/requirements.txt": "fastapi\npydantic\n",
        "engine/app/main.py": f"""from typing import Literal

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI()


class MatchRequest(BaseModel):
{request}

class MatchResult(BaseModel):
{result}

{route}
def match({params}) -> list[MatchResult]:
    return []
""",
    }


def client(
    request: str = CLIENT_REQUEST,
    result: str = CLIENT_RESULT,
    path: str = "/api/v1/match",
    method: str = "POST",
    reply: str = "MatchResult[]",
) -> dict[str, str]:
    return {
        "api/package.json": '{"name": "api"}',
        "api/src/engine.ts": f"""interface MatchRequest {{
{request}}}

interface MatchResult {{
{result}}}

const BASE = process.env.ENGINE_URL ?? "http://localhost:8000";

export async function match(input: MatchRequest): Promise<{reply}> {{
  const res = await fetch(`${{BASE}}{path}`, {{
    method: "{method}",
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(5000),
  }});
  return (await res.json()) as {reply};
}}
""",
    }


def pair(**changes: str) -> dict[str, str]:
    """Both services; keyword arguments prefixed `engine_` or `client_` change one side."""
    engine_args = {
        k.removeprefix("engine_"): v for k, v in changes.items() if k.startswith("engine_")
    }
    client_args = {
        k.removeprefix("client_"): v for k, v in changes.items() if k.startswith("client_")
    }
    return {**engine(**engine_args), **client(**client_args)}
