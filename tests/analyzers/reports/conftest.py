from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft202012Validator

from analyzers.reports import load_json_schema

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="session")
def sarif_validator() -> Draft4Validator:
    schema = json.loads((DATA / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


@pytest.fixture(scope="session")
def review_validator() -> Draft202012Validator:
    return Draft202012Validator(load_json_schema())
