"""Data models from TypeScript: interfaces, type aliases, enums and zod schemas, field by field."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from analyzers.facts import DataModel, FileFacts, ModelField
from analyzers.javascript.models import compose_js_models
from tests.analyzers.javascript.tree import file_facts, read_tree, tree_facts

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "js_contracts"


def models_of(source: str, path: str = "src/types.ts") -> dict[str, DataModel]:
    facts = file_facts(path, dedent(source).lstrip())
    return {f.name.rpartition(".")[2]: f for f in facts if isinstance(f, DataModel)}


def fields(model: DataModel) -> dict[str, tuple[str, bool, bool, tuple[str, ...]]]:
    """name -> (type, required, nullable, enum values)."""
    return {f.name: (f.type, f.required, f.nullable, f.enum_values) for f in model.fields}


def test_interface_fields_optional_nullable_undefined_and_literal_unions() -> None:
    models = models_of(
        """
        export interface MatchRun {
          id: string;
          note?: string;
          finished_at: string | null;
          score: number | undefined;
          source: 'ai-engine' | 'fallback';
          'x-trace-id'?: string;
          meta: unknown;
          retry(): void;
          [key: string]: unknown;
        }
        """
    )
    run = models["MatchRun"]
    assert (run.name, run.kind, run.location.line, run.location.end_line) == (
        "src.types.MatchRun",
        "interface",
        1,
        11,
    )
    assert fields(run) == {
        "id": ("string", True, False, ()),
        "note": ("string", False, False, ()),
        "finished_at": ("string | null", True, True, ()),
        "score": ("number | undefined", False, False, ()),
        "source": ("'ai-engine' | 'fallback'", True, False, ("ai-engine", "fallback")),
        "x-trace-id": ("string", False, False, ()),
        "meta": ("unknown", True, True, ()),  # unknown admits null, like Any in Python
    }
    assert all(f.wire_name == f.name for f in run.fields)


def test_extends_merges_local_bases_and_names_imported_ones() -> None:
    models = models_of(
        """
        import type { Audited } from './audit';
        import * as shared from '@acme/shared';

        interface Timestamped { created_at: string; id: number }
        interface Owned { owner_id: string }
        export interface Job extends Timestamped, Owned, Audited, shared.Entity {
          id: string;
          title: string;
        }
        """,
        path="apps/web/src/types/job.ts",
    )
    job = models["Job"]
    # inherited fields first, the child's override in place (id is a string, where it was)
    assert list(fields(job)) == ["created_at", "id", "owner_id", "title"]
    assert fields(job)["id"] == ("string", True, False, ())
    assert job.bases == ("apps.web.src.types.audit.Audited", "@acme/shared.Entity")


def test_type_aliases_intersections_and_utility_types() -> None:
    models = models_of(
        """
        interface Base { id: string; tags: string[]; secret: string }
        type WithScore = Base & { score: number; id: number };
        type Patch = Partial<Omit<Base, 'secret'>>;
        type Summary = Pick<Base, 'id' | 'tags'>;
        type Id = string;
        type Handler = (event: Base) => void;
        type Either = { a: string } | { b: string };
        type External = Partial<RequestInit>;
        """
    )
    assert set(models) == {"Base", "WithScore", "Patch", "Summary"}
    assert models["WithScore"].kind == "type"
    assert fields(models["WithScore"]) == {
        "id": ("number", True, False, ()),
        "tags": ("string[]", True, False, ()),
        "secret": ("string", True, False, ()),
        "score": ("number", True, False, ()),
    }
    assert fields(models["Patch"]) == {
        "id": ("string", False, False, ()),
        "tags": ("string[]", False, False, ()),
    }
    assert list(fields(models["Summary"])) == ["id", "tags"]


def test_enums_and_string_unions_give_enum_values_to_fields() -> None:
    models = models_of(
        """
        export type Status = 'open' | 'closed';
        export enum Seniority { Junior = 'junior', Senior = 'senior' }
        enum Priority { Low, High = 10, Urgent }
        type Level = Status | 'archived';
        export interface Job {
          status: Status;
          statuses: Status[];
          seniority?: Seniority | null;
          levels: Array<Level>;
          priority: Priority;
          other: OtherEnum;
        }
        """
    )
    status = models["Status"]
    assert (status.kind, status.location.line) == ("enum", 1)
    assert status.fields == (
        ModelField("open", "open", "enum", True, False, ("open",)),
        ModelField("closed", "closed", "enum", True, False, ("closed",)),
    )
    assert [(f.name, f.wire_name) for f in models["Seniority"].fields] == [
        ("Junior", "junior"),
        ("Senior", "senior"),
    ]
    # numeric enums count from 0 and on from the last initialiser
    assert [f.wire_name for f in models["Priority"].fields] == ["0", "10", "11"]
    job = fields(models["Job"])
    assert job["status"][3] == ("open", "closed")
    assert job["statuses"][3] == ("open", "closed")
    assert job["seniority"] == ("Seniority | null", False, True, ("junior", "senior"))
    assert job["levels"][3] == ("open", "closed", "archived")
    assert job["priority"][3] == ("0", "10", "11")
    assert job["other"][3] == ()  # not declared here: left to the contract linker


def test_zod_schema_fields_modifiers_and_infer_aliases() -> None:
    models = models_of(
        """
        import { z } from 'zod';

        const Base = z.object({ id: z.string().uuid() });

        export const MatchRequest = z.object({
          candidate_id: z.string(),
          job_ids: z.array(z.string()),
          limit: z.number().optional(),
          note: z.string().nullable(),
          cursor: z.string().nullish(),
          page: z.coerce.number().default(1),
          status: z.enum(['a', 'b']),
          kind: z.literal('match'),
          meta: z.record(z.string(), z.unknown()),
          ...Base.shape,
        });
        export type MatchRequest = z.infer<typeof MatchRequest>;

        export const Rescore = MatchRequest.pick({ candidate_id: true }).extend({
          reason: z.string().min(3),
        }).strict();
        export type RescoreInput = z.input<typeof Rescore>;
        const notAModel = z.string();
        """,
        path="services/api/src/schemas.ts",
    )
    assert set(models) == {"Base", "MatchRequest", "Rescore", "RescoreInput"}
    request = models["MatchRequest"]
    assert (request.name, request.kind, request.location.line) == (
        "services.api.src.schemas.MatchRequest",
        "zod",
        5,
    )
    assert fields(request) == {
        "candidate_id": ("string", True, False, ()),
        "job_ids": ("string[]", True, False, ()),
        "limit": ("number", False, False, ()),
        "note": ("string | null", True, True, ()),
        "cursor": ("string | null", False, True, ()),
        "page": ("number", False, False, ()),
        "status": ("'a' | 'b'", True, False, ("a", "b")),
        "kind": ("'match'", True, False, ("match",)),
        "meta": ("Record<string, unknown>", True, False, ()),
        "id": ("string", True, False, ()),
    }
    assert fields(models["Rescore"]) == {
        "candidate_id": ("string", True, False, ()),
        "reason": ("string", True, False, ()),
    }
    assert models["RescoreInput"].kind == "zod"
    assert fields(models["RescoreInput"]) == fields(models["Rescore"])


def test_zod_without_zod_is_not_a_model() -> None:
    # An `object(...)` builder from elsewhere is not zod's.
    assert models_of("import { object } from 'yup';\nconst A = object({ a: 1 });\n") == {}


def test_models_of_javascript_files_are_zod_only() -> None:
    facts = file_facts(
        "src/schema.js",
        "const { z } = require('zod');\nexports.User = z.object({ id: z.string() });\n"
        "const Pet = z.object({ name: z.string().optional() });\n",
        service="api",
    )
    models = [f for f in facts if isinstance(f, DataModel)]
    assert [(m.name, m.kind, [(f.name, f.required) for f in m.fields]) for m in models] == [
        ("src.schema.Pet", "zod", [("name", False)])
    ]


def test_a_union_nested_thousands_deep_is_read_without_recursion() -> None:
    members = " | ".join(f"'v{i}'" for i in range(5000))
    models = models_of(f"type Big = {members};\ninterface A {{ b: Big }}\n")
    assert len(models["Big"].fields) == 5000
    assert len(models["A"].fields[0].enum_values) == 5000


def test_compose_merges_bases_declared_in_other_files() -> None:
    files = {
        "packages/shared/src/base.ts": (
            "export interface Entity { id: string; created_at: string }\n"
        ),
        "apps/web/src/types.ts": (
            "import type { Entity } from '../../../packages/shared/src/base';\n"
            "import type { Tagged } from '@acme/tags';\n"
            "export interface Job extends Entity, Tagged { title: string; id: number }\n"
        ),
        "packages/tags/src/index.ts": "export interface Tagged { tags: string[] }\n",
    }
    extracted = [
        FileFacts(
            path,
            "svc",
            "typescript",
            tuple(file_facts(path, text, service="svc")),
        )
        for path, text in files.items()
    ]
    job_before = next(
        f
        for file in extracted
        for f in file.facts
        if isinstance(f, DataModel) and f.name.endswith("Job")
    )
    assert [f.name for f in job_before.fields] == ["title", "id"]
    composed = compose_js_models(extracted)
    job = next(
        f
        for file in composed
        for f in file.facts
        if isinstance(f, DataModel) and f.name.endswith("Job")
    )
    # the relative import by its module, the package by the only `Tagged` of the tree
    assert job.bases == ("packages.shared.src.base.Entity", "@acme/tags.Tagged")
    assert fields(job) == {
        "id": ("number", True, False, ()),
        "created_at": ("string", True, False, ()),
        "tags": ("string[]", True, False, ()),
        "title": ("string", True, False, ()),
    }


def test_fixture_models_through_the_engine() -> None:
    facts = tree_facts(read_tree(FIXTURE))
    models = {f.name: f for file in facts.values() for f in file.facts if isinstance(f, DataModel)}
    assert sorted(models) == [
        "apps.web.src.hooks.useJobs.Job",
        "packages.shared.src.schemas.MatchRequestInput",
        "packages.shared.src.schemas.MatchRequestSchema",
        "packages.shared.src.schemas.RescoreRequest",
        "packages.shared.src.types.MatchRequest",
        "packages.shared.src.types.MatchResult",
        "packages.shared.src.types.MatchRun",
        "packages.shared.src.types.MatchStatus",
        "packages.shared.src.types.Seniority",
        "packages.shared.src.types.Timestamped",
        "services.core-api.src.clients.scoring.ExplainRequest",
        "services.core-api.src.clients.scoring.ScoreOne",
        "services.core-api.src.clients.scoring.ScoreStatus",
    ]
    result = models["packages.shared.src.types.MatchResult"]
    assert result.service == "shared"
    assert fields(result) == {
        "created_at": ("string", True, False, ()),
        "updated_at": ("string | null", False, True, ()),
        "job_id": ("string", True, False, ()),
        "score": ("number", True, False, ()),
        "status": ("MatchStatus", True, False, ("pending", "scored", "failed")),
        "reasons": ("string[] | undefined", False, False, ()),
    }
    run = models["packages.shared.src.types.MatchRun"]
    assert (run.kind, run.location.line, run.location.end_line) == ("type", 28, 32)
    assert list(fields(run)) == ["created_at", "updated_at", "id", "results", "source"]
    schema = models["packages.shared.src.schemas.MatchRequestSchema"]
    assert fields(schema)["tags"] == ("string[]", False, False, ())
    assert fields(schema)["cursor"] == ("string | null", False, True, ())
    assert fields(models["packages.shared.src.schemas.RescoreRequest"]) == {
        "candidate_id": ("string", True, False, ()),
        "reason": ("string", True, False, ()),
    }
