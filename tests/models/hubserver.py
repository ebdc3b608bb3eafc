"""A Hugging Face Hub on 127.0.0.1 replaying repository answers built from real model cards.

The answers have the documented API shape (``GET /api/models/{repo}`` and
``/api/models/{repo}/revision/{rev}``, ``/api/datasets/...``: ``id``, ``sha``,
``cardData``, ``tags``, ``gated``, ``siblings`` with sizes as ``?blobs=true``
gives them) and files are served at ``/{repo}/resolve/{rev}/{file}`` (HEAD and
GET, with ``X-Repo-Commit`` and ``ETag`` as the Hub sends them). ``cardData`` is
the card's front matter parsed with PyYAML, as the Hub parses it; the Hub's own
``license:`` tags are added from it. ``tests/fixtures/hub/README.md`` says
where each card and file came from.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from dllicense.tomlfile import parse_toml

HUB = Path(__file__).parents[1] / "fixtures" / "hub"


@dataclass
class Repo:
    id: str
    kind: str
    sha: str
    gated: str | bool
    card: str  # the README.md text
    files: dict[str, bytes]  # served files
    sizes: dict[str, int]

    def answer(self) -> dict[str, Any]:
        front = self.card.split("---", 2)[1] if self.card.startswith("---") else ""
        card_data = yaml.safe_load(front) or {}
        licences = card_data.get("license", [])
        licences = [licences] if isinstance(licences, str) else licences
        tags = [*card_data.get("tags", []), *(f"license:{x}" for x in licences)]
        return {
            "_id": hashlib.sha1(self.id.encode()).hexdigest()[:24],
            "id": self.id,
            "modelId": self.id,
            "sha": self.sha,
            "private": False,
            "disabled": False,
            "gated": self.gated,
            "tags": tags,
            "cardData": card_data,
            "siblings": [
                {"rfilename": name, "size": size} for name, size in sorted(self.sizes.items())
            ],
        }


def load_repos(root: Path = HUB) -> dict[str, Repo]:
    """The repositories of ``repos.toml``, by lower-cased id."""
    table = parse_toml((root / "repos.toml").read_text(encoding="utf-8"))
    out = {}
    for entry in table["repo"]:
        card = (root / "cards" / entry["card"]).read_text(encoding="utf-8")
        files = {"README.md": card.encode()}
        prefix = entry["id"].replace("/", "--") + "--"
        for path in (root / "files").glob(prefix + "*"):
            files[path.name.removeprefix(prefix)] = path.read_bytes()
        sizes = {
            name: (len(files[name]) if size == 0 else size)
            for name, size in entry["siblings"].items()
        }
        out[entry["id"].lower()] = Repo(
            entry["id"], entry["kind"], entry["sha"], entry["gated"], card, files, sizes
        )
    return out


@dataclass
class Hub:
    repos: dict[str, Repo] = field(default_factory=load_repos)
    requests: list[str] = field(default_factory=list)  # "METHOD path"
    authorizations: list[str] = field(default_factory=list)  # Authorization headers seen
    fail: dict[str, int] = field(default_factory=dict)  # repo id -> status answered

    def find(self, parts: list[str]) -> tuple[Repo | None, list[str]]:
        """The repository named by the first two path parts, and the rest."""
        if len(parts) < 2:
            return None, []
        return self.repos.get(f"{parts[0]}/{parts[1]}".lower()), parts[2:]


class _Handler(BaseHTTPRequestHandler):
    hub: Hub

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: Any, error: str = "") -> None:
        headers = {"Content-Type": "application/json"}
        if error:
            headers["X-Error-Code"] = error
            headers["X-Error-Message"] = data.get("error", "")
        self._send(status, json.dumps(data).encode(), headers)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        hub = self.hub
        hub.requests.append(f"{self.command} {self.path}")
        if self.headers.get("Authorization"):
            hub.authorizations.append(self.headers["Authorization"])
        parts = [unquote(p) for p in urlsplit(self.path).path.split("/") if p]
        if parts[:1] == ["api"] and len(parts) >= 4 and parts[1] in ("models", "datasets"):
            repo, rest = hub.find(parts[2:])
            kind = parts[1][:-1]
            if repo is None or repo.kind != kind:
                return self._json(404, {"error": "Repository not found"}, "RepoNotFound")
            if repo.id in hub.fail:
                return self._json(hub.fail[repo.id], {"error": "failure replayed"})
            if rest[:1] == ["revision"] and len(rest) == 2 and rest[1] not in ("main", repo.sha):
                return self._json(404, {"error": "Invalid rev id"}, "RevisionNotFound")
            return self._json(200, repo.answer())
        if parts[:1] == ["datasets"]:
            parts = parts[1:]
        repo, rest = hub.find(parts)
        if repo is not None and len(rest) >= 3 and rest[0] == "resolve":
            name = "/".join(rest[2:])
            if rest[1] not in ("main", repo.sha):
                return self._json(404, {"error": "Invalid rev id"}, "RevisionNotFound")
            if name not in repo.files:
                return self._json(404, {"error": "Entry not found"}, "EntryNotFound")
            body = repo.files[name]
            etag = hashlib.sha1(body).hexdigest()
            return self._send(
                200,
                body,
                {"X-Repo-Commit": repo.sha, "ETag": f'"{etag}"', "Content-Type": "text/plain"},
            )
        return self._json(404, {"error": "not found"})


class HubServer:
    """The replaying Hub in a thread; use as a context manager; ``url`` is its endpoint."""

    def __init__(self, hub: Hub | None = None) -> None:
        self.hub = hub or Hub()
        handler = type("Handler", (_Handler,), {"hub": self.hub})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
