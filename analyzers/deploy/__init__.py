"""Deployment files: where each unit listens and how other services reach it.

A linker resolves an outbound call's base URL to a service of the repository:
`http://localhost:3002` to the unit listening on 3002, `http://ai-engine:8000` to
the compose service `ai-engine` and the folder it is built from, `{AI_ENGINE_URL}`
to a value the repository sets. This package reads the files that say so, one
module per kind, into `Listener`, `HostName` and `EnvSetting` facts:

| file (`analyzers.paths.deploy_kind`)                        | module         |
| ------------------------------------------------------------ | -------------- |
| `Dockerfile`, `Dockerfile.dev`, `api.Dockerfile`             | `dockerfile`   |
| `docker-compose.yml`, `docker-compose.*.yml`, `compose.yaml` | `compose`      |
| `Procfile`, `Procfile.dev`                                   | `procfile`     |
| `package.json` (its scripts)                                 | `package_json` |
| `.env`, `.env.example`, `.env.local.example`, ...            | `dotenv`       |

Every fact names the unit by `context`, the folder it is built from or run in
(relative to the repository root, "" for the root), and `service`, the owner of
the file that says it. Values that could be secrets never become facts
(`analyzers.deploy.values.shareable`). Files under test, mock and fixture folders
give nothing: they stand in for the real units. Listeners in application code
(`app.listen(4000)`, `uvicorn.run(port=8001)`) are found by the language
analyzers, `analyzers/javascript/listeners.py` and `analyzers/python/listeners.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from analyzers.deploy import compose, dockerfile, dotenv, package_json, procfile
from analyzers.extract import SourceFile
from analyzers.facts import Fact
from analyzers.paths import deploy_kind, is_mock_path, is_test_path

_READERS: dict[str, Callable[[SourceFile], list[Fact]]] = {
    "dockerfile": dockerfile.extract,
    "compose": compose.extract,
    "procfile": procfile.extract,
    "package.json": package_json.extract,
    "env": dotenv.extract,
}


class DeployExtractor:
    def extract(self, source: SourceFile) -> Sequence[Fact]:
        # A test stack or fixture (`e2e/docker-compose.yml`, `tests/fixtures/.../Dockerfile`)
        # would claim the host names and ports of the services it stands in for.
        if is_test_path(source.path) or is_mock_path(source.path):
            return ()
        kind = deploy_kind(source.path)
        reader = _READERS.get(kind) if kind is not None else None
        return reader(source) if reader is not None else ()
