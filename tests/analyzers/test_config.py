from __future__ import annotations

import pytest

from analyzers.config import DEFAULT_MAX_FILE_SIZE, Config, ServiceSpec, parse_config
from analyzers.errors import ConfigError
from analyzers.facts import Severity

FULL = """\
services:
  core-api:
    paths: [services/core-api/]
  ai-engine:
    paths:
      - services/ai-engine
      - "shared/py/**"
fail_on: high
max_file_size: 512KiB
exclude: ["**/fixtures/**"]
tests: [qa/**]
docs: notes/
disable: [FLOW002]
"""


def test_full_config() -> None:
    config = parse_config(FULL)
    assert config.services == (
        ServiceSpec("core-api", ("services/core-api/",)),
        ServiceSpec("ai-engine", ("services/ai-engine", "shared/py/**")),
    )
    assert config.fail_on is Severity.HIGH
    assert config.max_file_size == 512 * 1024
    assert config.exclude == ("**/fixtures/**",)
    assert config.tests == ("qa/**",)
    assert config.docs == ("notes/",)
    assert config.disable == ("FLOW002",)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_config_means_defaults(text: str) -> None:
    assert parse_config(text) == Config()
    assert Config().max_file_size == DEFAULT_MAX_FILE_SIZE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("servics: {}\n", r"\.github/flow-review\.yml:1: servics: unknown key"),
        ("fail_on: high\nfail_on: low\n", r":2: fail_on: duplicate key"),
        ("fail_on: severe\n", r":1: fail_on: 'severe' is not a severity"),
        ("max_file_size: big\n", r":1: max_file_size: 'big' is not a size"),
        ("max_file_size: 0\n", r":1: max_file_size: '0' is not a size"),
        ("services:\n  api:\n    path: [x]\n", r":3: services\.api\.path: unknown key"),
        ("services:\n  api:\n    paths: []\n", r":3: services\.api\.paths: needs at least one"),
        ("services:\n  api: {}\n", r":2: services\.api: needs 'paths', 'urls' or both"),
        ("services:\n  api:\n    urls: []\n", r":3: services\.api\.urls: needs at least one entry"),
        ("services:\n  api:\n    url: [A]\n", r":3: services\.api\.url: unknown key \(expected"),
        (
            "services:\n  api:\n    paths: [{a: 1}]\n",
            r":3: services\.api\.paths: expected a single",
        ),
        ("services:\n  'bad name!':\n    paths: [x]\n", r":2: services\.bad name!: service names"),
        ("services: [a, b]\n", r":1: services: expected a mapping"),
        ("disable: [FLOW999]\n", r":1: disable: 'FLOW999' is not a rule code"),
        ("exclude: 3\n", r":1: exclude: expected a list of strings"),
        ("- just\n- a list\n", r":1: the config: expected a mapping"),
        ("services:\n  api: [\n", r":3: not valid YAML"),
    ],
)
def test_bad_config_names_key_and_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        parse_config(text)
    assert "\n" not in str(info.value)


def test_error_names_the_given_source() -> None:
    with pytest.raises(ConfigError, match=r"^custom\.yml:1: "):
        parse_config("nope: 1\n", "custom.yml")
