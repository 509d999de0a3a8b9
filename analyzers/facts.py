"""Every value the engine passes around: facts, findings and the review.

Extractors turn syntax into facts, rules turn facts into findings, and the
engine gathers everything into one `Review` that every report renders. All
of them are frozen dataclasses so that they can be cached, compared and
shared between threads without copying.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

# --- severities and families ------------------------------------------------------------------


class Severity(enum.StrEnum):
    """How bad a finding is; the order of the members is the order of badness."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANKS[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_RANKS = {severity: index for index, severity in enumerate(Severity)}


class Family(enum.StrEnum):
    """What kind of risk a rule looks for (DESIGN.md's list, plus governance)."""

    TIMEOUT = "timeout"
    RETRY = "retry"
    BACKOFF = "backoff"
    IDEMPOTENCY = "idempotency"
    WEBHOOK_SIGNATURE = "webhook-signature"
    WEBHOOK_RAW_BODY = "webhook-raw-body"
    DEAD_LETTER = "dead-letter"
    RATE_LIMIT = "rate-limit"
    CASCADING = "cascading"
    CONTRACT = "contract"
    ROUTE_MISSING = "route-missing"
    SWALLOWED_ERROR = "swallowed-error"
    OBSERVABILITY = "observability"
    CRON_OVERLAP = "cron-overlap"
    GOVERNANCE = "governance"


# --- where things are -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Location:
    """A span of lines in one file; 1-based, refers to head (base for removed code)."""

    path: str
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    root: str  # folder relative to the repository root, "" for the repository root
    languages: tuple[str, ...] = ()


# --- facts ------------------------------------------------------------------------------------
# Each fact names its service and its location. Fields that an extractor cannot
# see stay None: "unknown" is never silently turned into "absent".


@dataclass(frozen=True, slots=True)
class ModelField:
    name: str
    wire_name: str
    type: str
    required: bool
    nullable: bool
    enum_values: tuple[str, ...] = ()
    # The field is also accepted under `name` on input (pydantic `populate_by_name`);
    # only set when `wire_name` differs from `name`.
    accepts_name: bool = False
    # Where the field is declared: a model's fields may come from bases in other files, and
    # a contract finding points at the field itself. None when the extractor cannot tell.
    # Not part of equality: moving a field does not change the contract.
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class DataModel:
    service: str
    location: Location
    name: str
    kind: str  # pydantic, dataclass, typeddict, enum, interface, type, zod, ...
    fields: tuple[ModelField, ...] = ()
    # Model classes it inherits from, by qualified name as imported; those defined in
    # other files are merged in by a composer, which sees the whole tree.
    bases: tuple[str, ...] = ()
    # How field names become wire names: camel, pascal, snake, "unknown" (a generator
    # the extractor cannot read: wire names stay the field names), None for none.
    alias_generator: str | None = None
    populate_by_name: bool = False


@dataclass(frozen=True, slots=True)
class EndpointParam:
    name: str
    source: str  # path, query, body, header, cookie, form
    type: str | None = None
    required: bool = True


@dataclass(frozen=True, slots=True)
class Endpoint:
    service: str
    location: Location
    method: str  # upper case, "*" for any
    path: str  # path template with every prefix composed, parameters as {name}
    handler: str
    framework: str
    request_model: str | None = None
    response_model: str | None = None
    params: tuple[EndpointParam, ...] = ()
    status_code: int | None = None
    # The router object the route is declared on ("<module path>:<name>"), whose mounts
    # in other modules compose the full path; None once composed or when declared on the app.
    router: str | None = None
    # How the request body reaches the handler: "json", "urlencoded", "text" when a parser
    # runs before it (Express `express.json()` mounted earlier), "raw" when the bytes are kept
    # (`express.raw()`), "none" when parsing is disabled (Next.js `bodyParser: false`); None
    # when the extractor cannot tell.
    body_parser: str | None = None
    middleware: tuple[str, ...] = ()  # middleware run before the handler, in order


@dataclass(frozen=True, slots=True)
class RouterDecl:
    """A router object and its own prefix (FastAPI APIRouter, Flask Blueprint, Namespace)."""

    service: str
    location: Location
    ref: str  # "<module path>:<name>"
    prefix: str
    framework: str
    is_app: bool = False  # an application object: the root of every mount chain


@dataclass(frozen=True, slots=True)
class Middleware:
    """One middleware a request passes through before a mounted router sees it (Express `use`)."""

    name: str  # as the code names it: express.json, requireAuth, <anonymous>
    # Where it applies, relative to the parent object the mount is on: "" everywhere,
    # "/api/webhooks" for `app.use("/api/webhooks", ...)`; compose matches it to full paths.
    path: str = ""
    body_parser: str | None = None  # json, raw, text, urlencoded when it parses the body


@dataclass(frozen=True, slots=True)
class RouterMount:
    """`parent` serves `child`'s routes under `prefix` (include_router, register_blueprint, ...)."""

    service: str
    location: Location
    parent: str  # "<module path>:<name>"
    child: str  # "<module path>:<name>", or a dotted import path "pkg.mod.name" to resolve
    prefix: str
    replaces_prefix: bool = False  # Flask: register_blueprint(url_prefix=) overrides the own one
    # Middleware registered on the parent before the mount (and in the mount call itself), in
    # order: it runs before every route of the child whose full path it covers.
    middleware: tuple[Middleware, ...] = ()


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A proxy rule of a frontend (Next.js `rewrites()`): requests to `source` go to `destination`.

    Both are templates with parameters as `{name}`; `destination` may start with a
    placeholder for its origin (`{CORE_API_URL}/api/{path}`) whose default the code gives in
    `defaults`. A linker sends a frontend's relative call that matches `source` on to the
    service that serves `destination`.
    """

    service: str
    location: Location
    source: str
    destination: str
    defaults: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Listener:
    """A port a service listens on, as its code or its deployment files say.

    `context` is the folder the listening unit is built from (a Dockerfile's folder, a
    docker-compose service's build context), relative to the repository root: a file at the
    root can describe a service elsewhere, and the linker maps the folder to its service.

    With source "code" (`app.listen(4000)`, `uvicorn.run(app, port=8001)`) the unit is
    the file's own service: `context` is "" and the linker uses `service` instead. Sources
    (`analyzers.deploy`): "dockerfile", "procfile", "package.json" (start/dev scripts),
    "compose" (container ports, and a port published on the host when it differs) and
    "env" (`PORT=` in a dotenv file). The port is the one used when the environment sets
    none (`${PORT:-8000}`, `process.env.PORT ?? 4000`).
    """

    service: str | None  # the service owning the file that says it
    location: Location
    port: int
    source: str  # code, dockerfile, procfile, package.json, compose
    context: str


@dataclass(frozen=True, slots=True)
class EnvSetting:
    """An environment variable the repository sets for a unit (compose, .env.example, ...)."""

    service: str | None
    location: Location
    name: str
    value: str
    context: str  # as in `Listener`


@dataclass(frozen=True, slots=True)
class HostName:
    """A host name other services reach a unit by (a docker-compose service name)."""

    service: str | None
    location: Location
    host: str
    context: str  # as in `Listener`
    port: int | None = None  # the port inside the network, when the file says it


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int | None  # None: unbounded; 0: bounded by time or a condition, count not visible
    backoff: bool  # the wait grows between attempts
    jitter: bool = False
    mechanism: str = ""  # tenacity, backoff, urllib3, axios-retry, loop, ...
    waits: bool = False  # any wait between attempts at all


@dataclass(frozen=True, slots=True)
class OutboundCall:
    service: str
    location: Location
    library: str  # requests, httpx, fetch, axios, ...
    method: str
    url: str  # template; unresolved parts stay named placeholders such as {AI_ENGINE_URL}
    timeout_seconds: float | None = None  # None: no timeout set, see `unbounded`
    unbounded: bool = False  # True when the code waits forever (no timeout, or timeout=None)
    retry: RetryPolicy | None = None
    request_type: str | None = None
    response_type: str | None = None
    target: str | None = None  # service or external system, filled in by linking
    defaults: tuple[tuple[str, str], ...] = ()  # placeholder -> default value in the code
    function: str | None = None  # the enclosing function's qualified name
    in_loop: bool = False
    throttled: bool = False  # a sleep or rate limiter paces the loop around it
    handles_rate_limit: bool = False  # the code looks at 429 or Retry-After
    observed: bool = False  # the enclosing function logs, measures or traces
    propagates_trace: bool = False  # passes a trace or correlation header
    idempotency_key: bool = False  # sends an Idempotency-Key (or the SDK's equivalent)


@dataclass(frozen=True, slots=True)
class FetchWrapper:
    """A function that sends a request to a base URL plus the path its caller passes.

    `apiFetch(path, init)` around `fetch(`${API_BASE}${path}`, init)`, a method around an
    axios call, or an exported `axios.create({ baseURL })` instance (`instance`: its callers
    call `<ref>.get(path)`). Its callers usually live in other modules, so a composer turns
    the matching `WrapperCall`s into `OutboundCall`s; the wrapper's own call stays one too.
    """

    service: str
    location: Location
    ref: str  # "<module path>:<name>", name as `apiFetch`, `ApiClient.request`, `api.get`
    library: str  # the underlying client: fetch, axios, ky, got
    method: str  # the method sent when the caller does not choose one
    base_url: str  # template the path is appended to; "" when the caller passes whole URLs
    path_param: int  # the parameter that holds the path, by position
    defaults: tuple[tuple[str, str], ...] = ()  # placeholder -> default value in the code
    method_param: int | None = None  # a parameter that is the method itself
    options_param: int | None = None  # a parameter whose `method`/`body` reach the request
    method_fixed: bool = False  # the wrapper sets the method after the caller's options
    body_param: int | None = None  # a parameter that is the body
    request_type: str | None = None  # the body's type when the wrapper fixes it
    response_type: str | None = None  # the parsed body's type when the wrapper fixes it
    response_type_param: int | None = None  # the type parameter the parsed body is typed by
    timeout_seconds: float | None = None
    unbounded: bool = False
    retry: RetryPolicy | None = None
    handles_rate_limit: bool = False
    propagates_trace: bool = False
    idempotency_key: bool = False
    instance: bool = False  # a client instance: the verb is the method called on it
    aliases: tuple[str, ...] = ()  # other names for it in its module (`api.get` for
    # `ApiClient.get` where `export const api = new ApiClient()`)


@dataclass(frozen=True, slots=True)
class WrapperArgument:
    """What a call passes in one argument, as far as a wrapper could use it."""

    template: str | None = None  # a string argument as a URL template
    method: str | None = None  # an options object's `method`, upper case
    body_type: str | None = None  # the type of an options object's `body` (`json`, `data`)
    type: str | None = None  # the argument's own declared type
    # Passed on from the calling function (a wrapper built on a wrapper):
    param: int | None = None  # the argument is this parameter of the caller
    spread_param: int | None = None  # an options object spreads this parameter of the caller
    body_param: int | None = None  # an options object's body is this parameter of the caller
    method_fixed: bool = False  # an options object sets `method` after its spreads


@dataclass(frozen=True, slots=True)
class WrapperCall:
    """A call into project code with a URL-like argument: maybe a `FetchWrapper`'s caller."""

    service: str
    location: Location
    callee: str  # dotted import path (`src.lib.api-client.apiFetch`), or "<module>:<name>"
    arguments: tuple[WrapperArgument, ...]
    type_arguments: tuple[str, ...] = ()  # `apiFetch<Match[]>(...)`, qualified
    response_type: str | None = None  # the result's type where the call site declares it
    defaults: tuple[tuple[str, str], ...] = ()
    function: str | None = None  # the calling function, the component or hook for React Query
    hook: str | None = None  # useQuery, useMutation, ... when called from a query function
    in_loop: bool = False
    observed: bool = False
    propagates_trace: bool = False
    idempotency_key: bool = False
    # The calling function as a wrapper could be: its ref, other names, parameters and type
    # parameters, so that a wrapper built on another wrapper is recognised across modules.
    caller: str | None = None
    caller_aliases: tuple[str, ...] = ()
    caller_params: tuple[str, ...] = ()
    caller_type_params: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HandlerCall:
    """A call a request handler makes while the request waits, and what protects it.

    The linker follows `callee` to the outbound calls it makes, to tell whether one
    service's outage takes this route down (a cascading failure).
    """

    service: str
    location: Location
    handler: str  # the `Endpoint.handler` of the route this call runs in
    # What is called, qualified as `OutboundCall.function` names functions
    # (`services.core-api.src.lib.ai-client.AiClient.explain`); for a direct HTTP call, the
    # library call (`fetch`, `httpx.AsyncClient.post`) at this location.
    callee: str
    guarded: bool  # a catch / except / `.catch()` / allSettled gives the route a fallback
    fanout: bool  # one of many parallel calls (Promise.all over items, asyncio.gather, a loop)
    awaited: bool = True  # the route waits for it (not fire-and-forget)


@dataclass(frozen=True, slots=True)
class ExternalSystemUse:
    service: str
    location: Location
    system: str  # stripe, supabase, openai, ...


@dataclass(frozen=True, slots=True)
class ExternalCall:
    """A call through an external system's SDK that creates something there (a charge, a customer).

    Creating calls are the ones a retry can duplicate; `idempotency_key` says whether the
    request carries the SDK's idempotency key (Stripe's `{ idempotencyKey }` request option).
    """

    service: str
    location: Location
    system: str  # stripe, ...
    operation: str  # the SDK method as called: paymentIntents.create, checkout.sessions.create
    idempotency_key: bool
    function: str | None = None  # the enclosing function's qualified name


@dataclass(frozen=True, slots=True)
class WebhookHandler:
    service: str
    location: Location
    provider: str  # stripe, github, generic
    verifies_signature: bool
    reads_raw_body: bool | None = None
    deduplicates: bool | None = None
    parses_before_verifying: bool = False
    handler: str = ""
    # The expression the signature is computed over, as written (`req.body`, `req.rawBody`,
    # `await req.text()`); None when not visible.
    payload: str | None = None
    # The first call handed the verified event (`await handleEvent(event)`): where the work
    # starts, and where a deduplication check belongs. None when not visible.
    effect: Location | None = None


@dataclass(frozen=True, slots=True)
class QueueJob:
    service: str
    location: Location
    role: str  # producer or consumer
    system: str  # rq, celery, bullmq, ...
    name: str
    retry: RetryPolicy | None = None
    dead_letter: bool | None = None
    idempotency_key: bool | None = None


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    service: str
    location: Location
    system: str  # apscheduler, node-cron, vercel, ...
    schedule: str
    name: str
    # True: a lock or setting stops a run from overlapping the previous one; False: the code
    # allows overlap; None: nothing either way, the scheduler's default applies.
    overlap_guard: bool | None = None
    in_process: bool = False  # the scheduler runs inside the service's own (web) processes


@dataclass(frozen=True, slots=True)
class ErrorHandler:
    """An `except`/`catch` clause and what it does with the failure."""

    service: str
    location: Location
    function: str | None
    catches: tuple[str, ...]  # exception names; () for a bare except
    logs: bool
    reraises: bool
    observes: bool  # records a metric or span event
    boundary: bool  # guards a call to another service, or sits in a request/job handler
    guarded_call: str | None = None  # the call it guards, for the message
    uses_exception: bool = False  # hands the caught exception on (returns or stores it)


@dataclass(frozen=True, slots=True)
class ObservabilitySite:
    service: str
    location: Location
    kind: str  # log, trace, metric
    library: str


Fact = (
    DataModel
    | Endpoint
    | RouterDecl
    | RouterMount
    | Rewrite
    | OutboundCall
    | FetchWrapper
    | WrapperCall
    | HandlerCall
    | ErrorHandler
    | ExternalSystemUse
    | ExternalCall
    | WebhookHandler
    | QueueJob
    | ScheduledJob
    | ObservabilitySite
    | Listener
    | EnvSetting
    | HostName
)


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What one analysis of one file version produced; the unit the fact cache stores."""

    path: str
    service: str | None
    language: str
    facts: tuple[Fact, ...] = ()
    error: str | None = None  # a parser's reason when the file could not be read as code
    partial: str | None = None  # read with syntax errors: the facts are what could be read


# --- the change -------------------------------------------------------------------------------


class ChangeStatus(enum.StrEnum):
    ADDED = "added"
    DELETED = "deleted"
    MODIFIED = "modified"
    RENAMED = "renamed"


@dataclass(frozen=True, slots=True)
class Hunk:
    source_start: int
    source_length: int
    target_start: int
    target_length: int


@dataclass(frozen=True, slots=True)
class ChangedFile:
    """One file of the diff. `path` is the head path (the base path for a deletion)."""

    path: str
    status: ChangeStatus
    old_path: str | None = None  # set for renames
    binary: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    hunks: tuple[Hunk, ...] = ()
    added_lines: frozenset[int] = frozenset()  # head line numbers
    removed_lines: frozenset[int] = frozenset()  # base line numbers
    # Head lines around places where lines were only removed: deleting a dedup check
    # changes the code that stays as much as adding a line would.
    deletion_sites: frozenset[int] = frozenset()

    @property
    def mode_changed(self) -> bool:
        return (
            self.old_mode is not None
            and self.new_mode is not None
            and (self.old_mode != self.new_mode)
        )


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fix:
    """A mechanical fix: lines `start_line`..`end_line` (1-based, inclusive, head revision) of
    `path` replaced by `replacement`.

    `replacement` is the full new text of those lines, joined by "\n" and without the last
    line's ending; it may hold more or fewer lines than it replaces. A rule proposes one only
    where the edit is certain to be valid code that resolves the finding, so it can be offered
    as a one-click suggestion.
    """

    path: str
    start_line: int
    end_line: int
    replacement: str


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    family: Family
    severity: Severity
    title: str
    message: str
    service: str | None
    location: Location | None  # None for findings about the change as a whole
    key: str  # what makes this finding itself, independent of line numbers
    suggestion: str | None = None
    blocking: bool = False
    fix: Fix | None = None  # a mechanical fix of the finding's own lines, when there is one


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: str  # http, queue, webhook
    method: str
    path: str
    change: str  # added, removed, modified, unchanged
    call: Location | None
    endpoint: Location | None
    target_kind: str = "service"  # service or external
    # matched, no-route (404), wrong-method (405), unverified (the target's routes cannot
    # be read), external
    status: str = "matched"
    detail: str = ""  # what a modified edge changed: path, method, route, request, response
    issues: tuple[str, ...] = ()  # contract issues the change introduced, as `kind:field`
    source_kind: str = "service"  # service, or external for a provider's webhooks


@dataclass(frozen=True, slots=True)
class UnresolvedCall:
    """An outbound call whose target cannot be told, and why: reported, never guessed."""

    service: str
    location: Location
    method: str
    url: str
    reason: str


@dataclass(frozen=True, slots=True)
class Scenario:
    kind: str  # happy, failure, idempotency, consistency, stress
    workflow: str
    steps: tuple[str, ...]
    expected: str


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    text: str
    rule: str | None
    done: bool = False


@dataclass(frozen=True, slots=True)
class Workflow:
    """One affected workflow, laid out as the brief's Workflow Analysis Framework."""

    name: str
    trigger: str
    services: tuple[str, ...]
    data_flow: tuple[str, ...]
    findings: tuple[Finding, ...]
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Stats:
    files_analyzed: int
    files_skipped: tuple[SkippedFile, ...]
    seconds: float
    cache_hits: int = 0
    files_partial: tuple[SkippedFile, ...] = ()  # analysed despite syntax errors, with the reason


@dataclass(frozen=True, slots=True)
class Review:
    base: str | None
    head: str | None
    whole_repo: bool
    services: tuple[Service, ...]
    changed_services: tuple[str, ...]
    changes: tuple[ChangedFile, ...]
    findings: tuple[Finding, ...]
    workflows: tuple[Workflow, ...]
    scenarios: tuple[Scenario, ...]
    checklist: tuple[ChecklistItem, ...]
    stats: Stats
    edges: tuple[Edge, ...] = ()
    external: tuple[ExternalSystemUse, ...] = ()
    unresolved: tuple[UnresolvedCall, ...] = ()
    rules_run: tuple[str, ...] = field(default=())
