"""``dllicense why`` output: text and json."""

from __future__ import annotations

import json
from typing import Any

from dllicense.models import ENVIRONMENT_SCOPE, Why
from dllicense.report.common import ENVIRONMENT_ROOT

FORMATS = ("text", "json")


def to_dict(project: str, answer: Why) -> dict[str, Any]:
    return {
        "project": project,
        "package": answer.name,
        "version": answer.version,
        "scopes": list(answer.scopes),
        "paths": [{"path": list(p.packages), "scopes": list(p.scopes)} for p in answer.paths],
        "truncated": answer.truncated,
    }


def render(project: str, answer: Why, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_dict(project, answer), indent=2, ensure_ascii=False) + "\n"
    count = len(answer.paths)
    head = (
        f"{' '.join(filter(None, (answer.name, answer.version)))} ({', '.join(answer.scopes)}): "
        f"{count}{'+' if answer.truncated else ''} path{'' if count == 1 else 's'}"
    )
    lines = [head]
    for p in answer.paths:
        root = f"({ENVIRONMENT_ROOT})" if p.scopes == (ENVIRONMENT_SCOPE,) else project
        lines.append(f"  {root} > {' > '.join(p.packages)}  [{', '.join(p.scopes)}]")
    if answer.truncated:
        lines.append(f"  ... more paths not shown (raise --limit, now {count})")
    return "\n".join(lines) + "\n"
