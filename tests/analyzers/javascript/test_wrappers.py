"""Fetch wrappers and React Query: calls made through project code become outbound calls."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent
from typing import TypeVar

from analyzers.engine import ReviewRequest, review
from analyzers.facts import (
    FetchWrapper,
    FileFacts,
    OutboundCall,
    RetryPolicy,
    WrapperArgument,
    WrapperCall,
)
from analyzers.javascript.wrappers import compose_wrapper_calls
from analyzers.snapshot import MemorySnapshot
from tests.analyzers.javascript.tree import file_facts, read_tree, tree_facts

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "marketplace" / "head"
F = TypeVar("F")


def calls(facts: dict[str, FileFacts], path: str) -> dict[int, OutboundCall]:
    return {f.location.line: f for f in facts[path].facts if isinstance(f, OutboundCall)}


def kinds(facts: dict[str, FileFacts], kind: type[F]) -> list[F]:
    return [f for file in facts.values() for f in file.facts if isinstance(f, kind)]


def extract(path: str, source: str, service: str = "web") -> FileFacts:
    text = dedent(source).lstrip()
    return FileFacts(path, service, "typescript", tuple(file_facts(path, text, service)))


# --- the multi-service fixture, through the engine's steps ------------------------------------


def test_react_query_hooks_calling_a_wrapper_in_another_module() -> None:
    facts = tree_facts(read_tree(FIXTURES / "js_contracts"))
    hooks = calls(facts, "apps/web/src/hooks/useMatches.ts")
    assert sorted(hooks) == [11, 18, 27]
    run = hooks[11]  # useQuery({ queryFn: () => apiFetch<MatchRun>(`/api/matches/${runId}`) })
    assert (run.library, run.method, run.url) == (
        "fetch",
        "GET",
        "{NEXT_PUBLIC_API_URL}/api/matches/{runId}",
    )
    assert run.defaults == (("NEXT_PUBLIC_API_URL", "http://localhost:4000"),)
    assert (run.timeout_seconds, run.unbounded, run.retry) == (8.0, False, None)
    assert run.function == "apps.web.src.hooks.useMatches.useMatchRun"  # the hook, not queryFn
    assert (run.request_type, run.response_type) == (None, "@acme/shared.MatchRun")
    assert run.service == "web"
    create = hooks[18]  # useMutation, the method and body from the call's init
    assert (create.method, create.url) == ("POST", "{NEXT_PUBLIC_API_URL}/api/matches")
    assert (create.location.line, create.location.end_line) == (18, 21)
    assert create.request_type == "@acme/shared.MatchRequest"
    assert create.function == "apps.web.src.hooks.useMatches.useCreateMatch"
    top = hooks[27]  # the older useQuery(key, fn) form, a type imported by relative path
    assert top.url == "{NEXT_PUBLIC_API_URL}/api/candidates/{candidateId}/top"
    assert top.response_type == "packages.shared.src.types.MatchResult[]"
    assert top.function == "apps.web.src.hooks.useMatches.useTopResults"


def test_axios_instance_and_default_export_wrappers() -> None:
    facts = tree_facts(read_tree(FIXTURES / "js_contracts"))
    jobs = calls(facts, "apps/web/src/hooks/useJobs.ts")
    retry = RetryPolicy(2, True, True, "axios-retry", True)
    listing = jobs[14]  # http.get<Job[]>('/jobs') on `export const http = axios.create(...)`
    assert (listing.library, listing.method, listing.url) == (
        "axios",
        "GET",
        "{NEXT_PUBLIC_JOBS_URL}/jobs",
    )
    assert (listing.timeout_seconds, listing.retry) == (3.0, retry)
    assert listing.response_type == "apps.web.src.hooks.useJobs.Job[]"
    assert listing.function == "apps.web.src.hooks.useJobs.useJobs"
    save = jobs[25]  # http.put(url, job): the data argument is the body
    assert (save.method, save.url, save.request_type) == (
        "PUT",
        "{NEXT_PUBLIC_JOBS_URL}/jobs/{job.id}",
        "apps.web.src.hooks.useJobs.Job",
    )
    load = jobs[21]  # `import getJson from ...`: a default-exported wrapper of whole URLs
    assert (load.library, load.method, load.url, load.unbounded) == (
        "fetch",
        "GET",
        "/jobs/{id}",
        True,
    )
    assert load.response_type == "apps.web.src.hooks.useJobs.Job"  # loadJob(): Promise<Job>


def test_class_wrapper_inherited_from_a_base_class_module() -> None:
    facts = tree_facts(read_tree(FIXTURES / "js_contracts"))
    ai = calls(facts, "services/core-api/src/clients/ai-client.ts")
    match = ai[10]  # this.request<MatchResult[]>('POST', '/api/v1/match', request)
    assert (match.method, match.url) == ("POST", "{baseUrl}/api/v1/match")
    assert match.request_type == "packages.shared.src.types.MatchRequest"
    assert match.response_type == "packages.shared.src.types.MatchResult[]"
    assert match.function == "services.core-api.src.clients.ai-client.AiClient.match"
    assert (match.timeout_seconds, match.unbounded) == (None, False)  # a signal, not visible
    assert (ai[14].method, ai[14].url) == ("GET", "{baseUrl}/health")
    # aiClient.match(request) in the route is a client method, not a wrapper: no call there
    assert calls(facts, "services/core-api/src/routes/matches.ts") == {}


def test_wrappers_own_calls_stay_and_intermediate_facts_go() -> None:
    facts = tree_facts(read_tree(FIXTURES / "js_contracts"))
    own = calls(facts, "apps/web/src/lib/api-client.ts")
    assert [(c.location.line, c.url, c.function) for c in own.values()] == [
        (13, "{NEXT_PUBLIC_API_URL}{path}", "apps.web.src.lib.api-client.apiFetch")
    ]
    assert kinds(facts, WrapperCall) == []
    assert kinds(facts, FetchWrapper) == []
    raw = tree_facts(read_tree(FIXTURES / "js_contracts"), composed=False)
    wrappers = {w.ref: w for w in kinds(raw, FetchWrapper)}
    assert set(wrappers) == {
        "apps.web.src.lib.api-client:apiFetch",
        "apps.web.src.lib.get-json:getJson",
        "apps.web.src.lib.http:http",
        "services.core-api.src.clients.service-client:ServiceClient.request",
    }
    api = wrappers["apps.web.src.lib.api-client:apiFetch"]
    assert (api.location.line, api.location.end_line) == (12, 22)
    assert (api.library, api.method, api.base_url, api.path_param) == (
        "fetch",
        "GET",
        "{NEXT_PUBLIC_API_URL}",
        0,
    )
    assert (api.options_param, api.method_fixed, api.response_type_param) == (1, False, 0)
    service = wrappers["services.core-api.src.clients.service-client:ServiceClient.request"]
    assert (service.method_param, service.path_param, service.body_param) == (0, 1, 2)
    assert wrappers["apps.web.src.lib.get-json:getJson"].aliases == ("default",)
    assert wrappers["apps.web.src.lib.http:http"].instance


# --- the bundled example -----------------------------------------------------------------------


def test_marketplace_example_frontend_calls_through_the_api_client() -> None:
    facts = tree_facts(read_tree(EXAMPLE))
    hooks = calls(facts, "src/hooks/useMatches.ts")
    found = {
        line: (c.library, c.method, c.url, c.request_type, c.response_type, c.function)
        for line, c in hooks.items()
    }
    run = "src.hooks.useMatches.MatchRun"
    assert found == {
        36: (
            "fetch",
            "GET",
            "{NEXT_PUBLIC_API_URL}/api/matches/{id}",
            None,
            run,
            "src.hooks.useMatches.useMatchRun",
        ),
        46: (
            "fetch",
            "POST",
            "{NEXT_PUBLIC_API_URL}/api/matches",
            "src.hooks.useMatches.CreateMatchesInput",
            run,
            "src.hooks.useMatches.useCreateMatches",
        ),
        58: (
            "fetch",
            "POST",
            "{NEXT_PUBLIC_API_URL}/api/matches/rescore",
            None,
            run,
            "src.hooks.useMatches.useRescoreMatches",
        ),
    }
    assert all(c.unbounded and c.defaults == (("NEXT_PUBLIC_API_URL", ""),) for c in hooks.values())
    ai = calls(facts, "services/core-api/src/lib/ai-client.ts")
    module = "services.core-api.src.lib.ai-client"
    assert (ai[54].request_type, ai[54].response_type) == (
        f"{module}.MatchRequest",
        f"{module}.MatchResult[]",
    )
    assert (ai[85].request_type, ai[85].response_type) == (None, f"{module}.MatchExplanation")


def test_marketplace_example_through_the_real_engine() -> None:
    files = read_tree(EXAMPLE)
    result = review(ReviewRequest(head=MemorySnapshot(files)))
    timeouts = {
        (f.location.path, f.location.line)
        for f in result.findings
        if f.rule == "FLOW101" and f.location is not None
    }
    # the hook's call has no timeout (the wrapper sets none): found at the hook, where it is made
    assert ("src/hooks/useMatches.ts", 58) in timeouts


# --- single cases -----------------------------------------------------------------------------


def test_same_module_wrapper_on_a_wrapper_and_a_class_instance() -> None:
    file = extract(
        "src/lib/api.ts",
        """
        const BASE = process.env.API_URL;

        class Api {
          async send<T>(path: string, init?: RequestInit): Promise<T> {
            const res = await fetch(`${BASE}${path}`, init);
            return res.json();
          }
          get<T>(path: string) {
            return this.send<T>(path, { method: 'GET' });
          }
          remove(path: string) {
            return this.send(path, { method: 'DELETE' });
          }
        }

        export const api = new Api();

        export async function purge(id: string) {
          await api.remove(`/items/${id}`);
          return api.get<Item>('/items');
        }
        interface Item { id: string }
        """,
    )
    composed = compose_wrapper_calls([file])[0]
    found = {
        c.location.line: (c.method, c.url, c.response_type, c.function)
        for c in composed.facts
        if isinstance(c, OutboundCall)
    }
    assert found == {
        5: ("GET", "{API_URL}{path}", None, "src.lib.api.Api.send"),
        19: ("DELETE", "{API_URL}/items/{id}", None, "src.lib.api.purge"),
        20: ("GET", "{API_URL}/items", "src.lib.api.Item", "src.lib.api.purge"),
    }
    assert not any(isinstance(f, WrapperCall | FetchWrapper) for f in composed.facts)


def test_a_client_function_with_a_fixed_path_is_not_a_wrapper() -> None:
    file = extract(
        "src/lib/users.ts",
        """
        export async function getUser(id: string) {
          const res = await fetch(`${process.env.API}/users/${id}`);
          return res.json();
        }
        """,
    )
    assert not any(isinstance(f, FetchWrapper) for f in file.facts)


def test_calls_of_unknown_project_functions_stay_as_they_are() -> None:
    page = extract(
        "src/app/page.tsx",
        """
        import { track } from '../lib/analytics';
        import { useRouter } from 'next/navigation';
        export function Page() {
          const router = useRouter();
          track('/pricing', { plan: 'pro' });
          router.push('/checkout');
        }
        """,
    )
    wrapper_calls = [f for f in page.facts if isinstance(f, WrapperCall)]
    # only the project function: next's router is a package
    assert [(w.callee, w.arguments[0]) for w in wrapper_calls] == [
        ("src.lib.analytics.track", WrapperArgument(template="/pricing"))
    ]
    composed = compose_wrapper_calls([page])[0]
    assert composed.facts == page.facts  # no wrapper in the tree: nothing to compose


def test_no_second_call_for_a_site_the_http_family_reads() -> None:
    client = extract(
        "src/lib/http.ts",
        """
        import axios from 'axios';
        export const http = axios.create({ baseURL: 'https://api.example.com', timeout: 1000 });
        export async function ping() {
          return http.get('/ping');
        }
        """,
    )
    composed = compose_wrapper_calls([client])[0]
    pings = [f for f in composed.facts if isinstance(f, OutboundCall)]
    assert [(p.location.line, p.url, p.timeout_seconds) for p in pings] == [
        (4, "https://api.example.com/ping", 1.0)
    ]
    assert not any(isinstance(f, WrapperCall) for f in client.facts)


def test_workspace_package_wrapper_and_the_callers_method() -> None:
    wrapper = extract(
        "packages/api-client/src/index.ts",
        """
        export async function request<T>(url: string, init: RequestInit = {}): Promise<T> {
          const res = await fetch(`${process.env.NEXT_PUBLIC_API_URL}/${url}`, {
            method: 'GET',
            ...init,
          });
          return res.json();
        }
        """,
        service="api-client",
    )
    caller = extract(
        "apps/admin/src/jobs.ts",
        """
        import { useMutation } from '@tanstack/react-query';
        import { request } from '@acme/api-client';
        import type { Job } from './types';

        export function useDeleteJob() {
          return useMutation({
            mutationFn: async (job: Job) => {
              await request(`/jobs/${job.id}`, { method: 'DELETE', body: JSON.stringify(job) });
            },
          });
        }
        """,
        service="admin",
    )
    (raw,) = [f for f in caller.facts if isinstance(f, WrapperCall)]
    assert (raw.callee, raw.hook, raw.function) == (
        "@acme/api-client.request",
        "useMutation",
        "apps.admin.src.jobs.useDeleteJob",
    )
    # an anonymous function passes nothing on: no parameter roles are recorded
    assert raw.arguments == (
        WrapperArgument(template="/jobs/{job.id}", type=None),
        WrapperArgument(method="DELETE", body_type="apps.admin.src.types.Job", method_fixed=True),
    )
    (_, composed) = compose_wrapper_calls([wrapper, caller])
    (call,) = [f for f in composed.facts if isinstance(f, OutboundCall)]
    # the spread of the caller's init comes after the wrapper's GET: the caller's method wins
    assert (call.service, call.library, call.method, call.url) == (
        "admin",
        "fetch",
        "DELETE",
        "{NEXT_PUBLIC_API_URL}/jobs/{job.id}",
    )
    assert (call.request_type, call.function) == (
        "apps.admin.src.types.Job",
        "apps.admin.src.jobs.useDeleteJob",
    )
