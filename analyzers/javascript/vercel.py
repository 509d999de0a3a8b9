"""Vercel Cron Jobs: the `crons` of a `vercel.json`, each a schedule that calls a route.

```json
{ "crons": [{ "path": "/api/cron/digest", "schedule": "0 6 * * *" }] }
```

Vercel calls the path on its schedule from outside the application, so the
schedule itself does not run in the service's processes (`in_process` False),
and whether two calls can overlap is up to the route handler, which lives
elsewhere (`overlap_guard` None). The only JSON file the engine reads:
`analyzers.paths.language_of` gives "json" to files named `vercel.json` alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from analyzers.extract import SourceFile, UnparsableSource
from analyzers.facts import Fact, Location, ScheduledJob


class VercelExtractor:
    def extract(self, source: SourceFile) -> Sequence[Fact]:
        if '"crons"' not in source.text:
            return ()
        try:
            config = json.loads(source.text)
        except ValueError as exc:
            raise UnparsableSource(f"invalid JSON: {exc}") from None
        crons = config.get("crons") if isinstance(config, dict) else None
        if not isinstance(crons, list):
            return ()
        facts: list[Fact] = []
        searched_from = 0
        for entry in crons:
            if not isinstance(entry, dict):
                continue
            path, schedule = entry.get("path"), entry.get("schedule")
            if not isinstance(path, str) or not isinstance(schedule, str):
                continue
            line, searched_from = _line_of(source.text, path, searched_from)
            facts.append(
                ScheduledJob(
                    source.service or "",
                    Location(source.path, line, line),
                    "vercel",
                    schedule,
                    path,
                    overlap_guard=None,
                    in_process=False,
                )
            )
        return facts


def _line_of(text: str, path: str, start: int) -> tuple[int, int]:
    """The line of the entry's `"path": "<path>"`, searching on from the previous entry."""
    at = text.find(json.dumps(path), start)
    if at < 0:
        return 1, start
    return text.count("\n", 0, at) + 1, at + 1
