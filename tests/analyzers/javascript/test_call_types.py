"""Request and response body types at HTTP calls, qualified to where the types are declared."""

from __future__ import annotations

from textwrap import dedent

import pytest

from analyzers.facts import OutboundCall
from tests.analyzers.javascript.tree import file_facts

PATH = "services/core-api/src/lib/client.ts"
MODULE = "services.core-api.src.lib.client"
TYPES = "services.core-api.src.lib.types"


def calls_of(source: str, path: str = PATH) -> dict[int, OutboundCall]:
    facts = file_facts(path, dedent(source).lstrip(), service="core-api")
    return {f.location.line: f for f in facts if isinstance(f, OutboundCall)}


def types_at(source: str, path: str = PATH) -> dict[int, tuple[str | None, str | None]]:
    return {line: (c.request_type, c.response_type) for line, c in calls_of(source, path).items()}


def test_fetch_body_of_an_annotated_parameter_and_a_cast_response() -> None:
    found = types_at(
        """
        import type { MatchRequest, MatchResult } from './types';

        export async function match(request: MatchRequest) {
          const res = await fetch(`${BASE}/api/v1/match`, {
            method: 'POST',
            body: JSON.stringify(request),
          });
          return (await res.json()) as MatchResult[];
        }
        """
    )
    assert found == {4: (f"{TYPES}.MatchRequest", f"{TYPES}.MatchResult[]")}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # an annotated variable, and the response assigned to an annotated one
        (
            """
            async function go(id: string) {
              const payload: Payload = { id };
              const res = await fetch(URL_, { method: 'POST', body: JSON.stringify(payload) });
              const data: Answer = await res.json();
              return data;
            }
            interface Payload { id: string }
            interface Answer { ok: boolean }
            """,
            (f"{MODULE}.Payload", f"{MODULE}.Answer"),
        ),
        # `satisfies` on the body, `res.json() as Promise<T>`
        (
            """
            async function go(id: string) {
              const body = JSON.stringify({ id } satisfies Payload);
              const res = await fetch(URL_, { method: 'PUT', body });
              return res.json() as Promise<Answer[]>;
            }
            interface Payload { id: string }
            interface Answer { ok: boolean }
            """,
            (f"{MODULE}.Payload", f"{MODULE}.Answer[]"),
        ),
        # the function's declared return type, the body returned as it is parsed
        (
            """
            import { Answer } from '../models/answer';
            export async function go(): Promise<Answer> {
              const res = await fetch(URL_);
              return res.json();
            }
            """,
            (None, "services.core-api.src.models.answer.Answer"),
        ),
        # ... or through a variable
        (
            """
            import type * as api from '@acme/contracts';
            export async function go(): Promise<api.Answer> {
              const res = await fetch(URL_);
              const body = await res.json();
              return body;
            }
            """,
            (None, "@acme/contracts.Answer"),
        ),
        # a `.then` chain typed by the function
        (
            """
            export function go(): Promise<Answer> {
              return fetch(URL_).then((r) => r.json());
            }
            interface Answer { ok: boolean }
            """,
            (None, f"{MODULE}.Answer"),
        ),
        # a type parameter is the caller's to choose: unknown here
        (
            """
            export async function go<T>(path: string): Promise<T> {
              const res = await fetch(path);
              return (await res.json()) as T;
            }
            """,
            (None, None),
        ),
        # strings and untyped objects say nothing about a contract
        (
            """
            export async function go(note: string) {
              const res = await fetch(URL_, { method: 'POST', body: note });
              const raw: unknown = await res.json();
              return raw;
            }
            """,
            (None, None),
        ),
    ],
)
def test_fetch_types(source: str, expected: tuple[str | None, str | None]) -> None:
    found = types_at(source)
    assert list(found.values()) == [expected]


def test_axios_generics_data_argument_and_response_data() -> None:
    found = types_at(
        """
        import axios, { AxiosResponse } from 'axios';
        import type { MatchRequest, MatchResult, Explanation } from './types';

        export async function one(request: MatchRequest) {
          const { data } = await axios.post<MatchResult[]>(`${BASE}/match`, request);
          return data;
        }

        export async function two(id: string) {
          return axios.post<Explanation, AxiosResponse<Explanation>, MatchRequest>(
            `${BASE}/x`,
            { id },
          );
        }

        export async function three(): Promise<Explanation> {
          const res = await axios.get(`${BASE}/y`);
          return res.data;
        }

        export async function four(request: MatchRequest) {
          const res: AxiosResponse<MatchResult> = await axios.request({
            url: `${BASE}/z`,
            method: 'POST',
            data: request,
          });
          return res;
        }
        """
    )
    assert found == {
        5: (f"{TYPES}.MatchRequest", f"{TYPES}.MatchResult[]"),
        10: (f"{TYPES}.MatchRequest", f"{TYPES}.Explanation"),
        17: (None, f"{TYPES}.Explanation"),
        22: (f"{TYPES}.MatchRequest", f"{TYPES}.MatchResult"),
    }


def test_ky_json_option_and_typed_json() -> None:
    found = types_at(
        """
        import ky from 'ky';
        import type { MatchRequest, MatchResult } from './types';

        export function go(request: MatchRequest) {
          return ky.post(`${BASE}/match`, { json: request }).json<MatchResult[]>();
        }
        """
    )
    assert found == {5: (f"{TYPES}.MatchRequest", f"{TYPES}.MatchResult[]")}


def test_path_alias_imports_name_the_src_module() -> None:
    found = types_at(
        """
        import type { MatchRun } from '@/lib/types';
        export async function go(): Promise<MatchRun> {
          const res = await fetch('/api/run');
          return res.json();
        }
        """,
        path="apps/web/src/lib/runs.ts",
    )
    assert list(found.values()) == [(None, "apps.web.src.lib.types.MatchRun")]


def test_zod_infer_names_the_schema_model() -> None:
    found = types_at(
        """
        import { z } from 'zod';
        import { MatchRequestSchema } from './schemas';

        export async function go(request: z.infer<typeof MatchRequestSchema>) {
          await fetch(URL_, { method: 'POST', body: JSON.stringify(request) });
        }
        """
    )
    assert list(found.values()) == [("services.core-api.src.lib.schemas.MatchRequestSchema", None)]
