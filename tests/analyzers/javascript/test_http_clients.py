"""The method, URL and timeout of library calls, however the library lets them be spelled."""

from __future__ import annotations

from analyzers.facts import OutboundCall
from tests.analyzers.javascript.facts import facts_of

SOURCE = """
import axios from 'axios';
import got from 'got';

const API = process.env.API_URL;

export async function save(id: string, body: unknown) {
  return axios({ method: 'put', url: `${API}/items/${id}`, data: body, timeout: 5000 });
}
export async function remove(id: string) {
  return axios.request({ method: 'DELETE', url: `${API}/items/${id}`, timeout: 5000 });
}
export async function patch(id: string) {
  return axios(`${API}/items/${id}`, { method: 'patch', timeout: 5000 });
}
export async function fetchOne(id: string) {
  return got({ url: `${API}/items/${id}`, method: 'POST', timeout: { request: 5000 } });
}
"""


def test_a_config_object_alone_names_the_method_and_the_url() -> None:
    calls = facts_of(OutboundCall, "api/src/items.ts", SOURCE)
    assert [(c.library, c.method, c.url) for c in calls] == [
        ("axios", "PUT", "{API_URL}/items/{id}"),
        ("axios", "DELETE", "{API_URL}/items/{id}"),
        ("axios", "PATCH", "{API_URL}/items/{id}"),
        ("got", "POST", "{API_URL}/items/{id}"),
    ]
    assert [c.unbounded for c in calls] == [False, False, False, False]


def test_a_pass_through_makes_no_call_and_a_spread_of_options_hides_the_timeout() -> None:
    # Supabase's clients resolve their fetch like this: the wrapper forwards its callers'
    # calls, so it has no URL, method or timeout of its own to report.
    source = """
export const resolveFetch = (customFetch?: typeof fetch) => {
  if (customFetch) {
    return (...args: Parameters<typeof fetch>) => customFetch(...args);
  }
  return (...args: Parameters<typeof fetch>) => fetch(...args);
};

export async function ping(...rest: [RequestInit?]) {
  return fetch(`${process.env.API_URL}/health`, ...rest);
}
"""
    (call,) = facts_of(OutboundCall, "api/src/fetch.ts", source)
    assert (call.url, call.method) == ("{API_URL}/health", "*")
    assert (call.timeout_seconds, call.unbounded) == (None, False)  # unknown, not absent
