"""Model and dataset repository answers from the Hugging Face Hub (``--online``).

Read through ``huggingface_hub`` (``pip install 'dllicense[hub]'``, imported only
when used): the repository's API answer (``cardData``, ``tags``, ``gated``,
``sha``, ``siblings``) for the revision the code pins, else the default branch,
and, when the card names no usable licence (``license: other``, none at all), the
repository's licence file when the Hub lists it as smaller than 1 MB.

``HF_ENDPOINT`` (a mirror) and ``HF_TOKEN`` are honoured; the token is never
printed or stored. ``HF_HUB_OFFLINE`` stops every request: cached answers are
used whatever their age. Answers are cached per endpoint, repository and
revision in ``<cache>/hub/`` (a commit hash forever, a branch or tag for a day).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dllicense.parsing import parse_json
from dllicense.paths import default_cache_dir
from dllicense.readfile import read_bounded, read_text
from dllicense.records import frozen

logger = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://huggingface.co"
MAX_LICENSE_BYTES = 1024 * 1024
MAX_ENTRY_BYTES = 4 * 1024 * 1024
BRANCH_TTL = 24 * 3600  # seconds an answer for a branch, a tag or the default branch is kept
ENTRY_FORMAT = 1
TIMEOUT = 20.0
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_LICENSE_FILE = re.compile(r"^(LICEN[CS]E|COPYING)([._-][^/]*)?$", re.IGNORECASE)
_TRUE = {"1", "on", "yes", "true"}


@frozen
class LicenseFile:
    """A licence file downloaded from the repository."""

    name: str
    text: str  # decoded as UTF-8 (invalid bytes replaced)
    sha256: str  # of the bytes downloaded
    size: int


@frozen
class HubAnswer:
    """What the Hub says about one repository at one revision."""

    kind: str  # "model" or "dataset"
    repo: str
    revision: str  # as requested ("" = the default branch)
    sha: str  # the commit the Hub answered for
    card: dict[str, Any]  # cardData (the card's front matter as the Hub parsed it)
    tags: tuple[str, ...] = ()
    gated: str = ""  # "", "auto" or "manual"
    siblings: tuple[str, ...] = ()
    license_file: LicenseFile | None = None
    notes: tuple[str, ...] = ()  # what could not be read (the licence file)
    endpoint: str = ""  # label of the endpoint (host), never credentials
    cached: bool = False  # read from dllicense's cache, not from the Hub now

    @property
    def how(self) -> str:
        """How the answer was read, for the evidence's note."""
        where = f"the Hub API ({self.endpoint})"
        if self.cached:
            where = f"dllicense's cache of {where}"
        pinned = (
            f"revision {self.revision} pinned in the code" if self.revision else "default branch"
        )
        return f"read from {where}, {pinned}, commit {self.sha[:12] or 'unknown'}"


@frozen
class HubFailure:
    """Why a repository could not be read from the Hub."""

    message: str
    missing: bool = False  # the Hub says the repository or revision does not exist


def environment_flag(value: str | None) -> bool:
    return (value or "").strip().lower() in _TRUE


def endpoint_label(endpoint: str) -> str:
    """Host (and port) of an endpoint URL, without credentials or path."""
    parts = urlsplit(endpoint)
    host = parts.hostname or endpoint
    return f"{host}:{parts.port}" if parts.port else host


class HubClient:
    """Reads repository answers from the Hub, through dllicense's cache."""

    def __init__(
        self,
        cache_dir: Path | None = None,
        use_cache: bool = True,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.endpoint = (env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        self.label = endpoint_label(self.endpoint)
        self._token = env.get("HF_TOKEN") or env.get("HUGGING_FACE_HUB_TOKEN") or None
        self.offline = environment_flag(env.get("HF_HUB_OFFLINE"))
        self.root = (cache_dir if cache_dir is not None else default_cache_dir()) / "hub"
        self.use_cache = use_cache
        self._unreachable = ""
        self._memo: dict[tuple[str, str, str], HubAnswer | HubFailure] = {}

    def __repr__(self) -> str:  # never shows the token
        return f"HubClient({self.label!r}, offline={self.offline})"

    # -- public ------------------------------------------------------------------------

    def info(self, kind: str, repo: str, revision: str = "") -> HubAnswer | HubFailure:
        """The answer for ``repo`` at ``revision`` ("" = default branch); memoised."""
        key = (kind, repo.lower(), revision)
        if key not in self._memo:
            self._memo[key] = self._info(kind, repo, revision)
        return self._memo[key]

    # -- cache ---------------------------------------------------------------------------

    def _entry(self, kind: str, repo: str, revision: str) -> Path:
        digest = hashlib.sha256(
            f"{self.endpoint}\n{kind}\n{repo.lower()}\n{revision}".encode()
        ).hexdigest()[:16]
        safe = re.sub(r"[^A-Za-z0-9._-]+", "--", repo)[:80]
        return self.root / f"{kind}s--{safe}--{digest}.json"

    def _load(self, path: Path, revision: str) -> HubAnswer | None:
        try:
            data = parse_json(read_text(path, MAX_ENTRY_BYTES))
            if data.get("format") != ENTRY_FORMAT:
                return None
            age = time.time() - float(data["fetched"])
            if not self.offline and not _COMMIT.match(revision) and age > BRANCH_TTL:
                return None
            raw = data["answer"]
            lic = raw.get("license_file")
            return HubAnswer(
                kind=str(raw["kind"]),
                repo=str(raw["repo"]),
                revision=str(raw["revision"]),
                sha=str(raw["sha"]),
                card=dict(raw["card"]),
                tags=tuple(str(t) for t in raw["tags"]),
                gated=str(raw["gated"]),
                siblings=tuple(str(s) for s in raw["siblings"]),
                license_file=LicenseFile(**lic) if isinstance(lic, dict) else None,
                notes=tuple(str(n) for n in raw.get("notes", ())),
                endpoint=self.label,
                cached=True,
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def _store(self, path: Path, answer: HubAnswer) -> None:
        payload = asdict(answer)
        payload.pop("cached", None)
        payload.pop("endpoint", None)
        text = json.dumps(
            {"format": ENTRY_FORMAT, "fetched": time.time(), "answer": payload}, sort_keys=True
        )
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".entry-", dir=self.root)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except OSError as exc:
            logger.warning("cannot write the Hub cache in %s: %s", self.root, exc)

    # -- the Hub -------------------------------------------------------------------------

    def _info(self, kind: str, repo: str, revision: str) -> HubAnswer | HubFailure:
        path = self._entry(kind, repo, revision)
        if self.use_cache or self.offline:
            cached = self._load(path, revision)
            if cached is not None:
                return cached
        if self.offline:
            return HubFailure("HF_HUB_OFFLINE is set and no answer is cached")
        if self._unreachable:
            return HubFailure(self._unreachable)
        answer = self._fetch(kind, repo, revision)
        if isinstance(answer, HubAnswer) and self.use_cache:
            self._store(path, answer)
        return answer

    def _fetch(self, kind: str, repo: str, revision: str) -> HubAnswer | HubFailure:
        try:
            from huggingface_hub import HfApi
            from huggingface_hub.utils import disable_progress_bars  # type: ignore[attr-defined]
            from tqdm import tqdm

            # no bars on a report's stderr, and no tqdm monitor thread left running: the
            # licence-text pool forks only a process without threads (licenses/textid.py)
            disable_progress_bars()
            tqdm.monitor_interval = 0
        except ImportError:
            self._unreachable = (
                "huggingface_hub is not installed: pip install 'dllicense[hub]' to read "
                "model cards from the Hub"
            )
            return HubFailure(self._unreachable)
        api = HfApi(endpoint=self.endpoint, token=self._token)
        try:
            call = api.model_info if kind == "model" else api.dataset_info
            info = call(repo, revision=revision or None, files_metadata=True, timeout=TIMEOUT)
        except Exception as exc:  # huggingface_hub raises its own errors and the HTTP client's
            return self._failure(exc, repo, revision)
        card = _card_dict(getattr(info, "card_data", None))
        sha = str(getattr(info, "sha", "") or "")
        sizes = {
            str(s.rfilename): getattr(s, "size", None)
            for s in (getattr(info, "siblings", []) or [])
        }
        gated = getattr(info, "gated", False)
        answer = HubAnswer(
            kind=kind,
            repo=repo,
            revision=revision,
            sha=sha,
            card=card,
            tags=tuple(str(t) for t in (getattr(info, "tags", None) or ())),
            gated=gated if isinstance(gated, str) else "",
            siblings=tuple(sorted(sizes)),
            endpoint=self.label,
        )
        name = licence_file_name(card, answer.siblings)
        if name and _wants_file(card):
            got = self._download(api, kind, repo, sha or revision, name, sizes.get(name))
            if isinstance(got, LicenseFile):
                return _replace_file(answer, got)
            return _replace_notes(answer, got)
        return answer

    def _download(
        self, api: Any, kind: str, repo: str, revision: str, name: str, size: int | None
    ) -> LicenseFile | str:
        """The licence file ``name``, when the Hub lists it as small enough."""
        if size is not None and size > MAX_LICENSE_BYTES:
            return f"{name} not downloaded: {size} bytes, more than {MAX_LICENSE_BYTES // 1024} KB"
        folder = Path(tempfile.mkdtemp(prefix="dllicense-hub-"))
        try:
            local = api.hf_hub_download(
                repo, name, repo_type=kind, revision=revision or None, cache_dir=folder
            )
            data, total = read_bounded(Path(local), MAX_LICENSE_BYTES)
        except Exception as exc:  # network, HTTP or file errors: the answer stays without it
            return f"{name} could not be downloaded ({self._reason(exc)})"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if total > MAX_LICENSE_BYTES:
            return f"{name} not read: larger than {MAX_LICENSE_BYTES // 1024} KB"
        text = data.decode("utf-8", "replace")
        return LicenseFile(name, text, hashlib.sha256(data).hexdigest(), len(data))

    def _failure(self, exc: Exception, repo: str, revision: str) -> HubFailure:
        name = type(exc).__name__
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if name in ("RepositoryNotFoundError", "GatedRepoError") or status in (401, 404):
            if name == "RevisionNotFoundError":
                return HubFailure(f"revision {revision!r} of {repo} is not on the Hub", True)
            return HubFailure(
                f"{repo} is not on the Hub ({self.label}), or it is private and the token "
                "(HF_TOKEN) has no access",
                True,
            )
        if name == "RevisionNotFoundError":
            return HubFailure(f"revision {revision!r} of {repo} is not on the Hub", True)
        if status is not None:
            return HubFailure(f"the Hub ({self.label}) answered HTTP {status} for {repo}")
        self._unreachable = f"the Hub ({self.label}) cannot be reached ({self._reason(exc)})"
        return HubFailure(self._unreachable)

    def _reason(self, exc: Exception) -> str:
        text = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        return text.replace(self._token, "***") if self._token else text


def licence_file_name(card: Mapping[str, Any], siblings: tuple[str, ...]) -> str:
    """The repository's licence file: ``license_link`` when it names one, else LICENSE*."""
    link = card.get("license_link")
    if isinstance(link, str):
        relative = link.strip().removeprefix("./")
        if relative in siblings:
            return relative
        for prefix in ("blob/main/", "resolve/main/"):
            tail = relative.split(prefix, 1)[-1] if prefix in relative else ""
            if tail in siblings:
                return tail
    top = sorted(s for s in siblings if "/" not in s and _LICENSE_FILE.match(s))
    return top[0] if top else ""


def _wants_file(card: Mapping[str, Any]) -> bool:
    """Read the licence file when the card does not name a licence by its id."""
    value = card.get("license")
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return not values or any(str(v).strip().lower() in ("other", "unknown") for v in values)


def _card_dict(card_data: Any) -> dict[str, Any]:
    """cardData as plain JSON values (``ModelCardData`` or a mapping)."""
    if card_data is None:
        return {}
    raw = card_data.to_dict() if hasattr(card_data, "to_dict") else card_data
    if not isinstance(raw, Mapping):
        return {}
    with contextlib.suppress(TypeError, ValueError):
        loaded = json.loads(json.dumps(dict(raw), default=str))
        return loaded if isinstance(loaded, dict) else {}
    return {}


def _replace_file(answer: HubAnswer, found: LicenseFile) -> HubAnswer:
    data = asdict(answer)
    data["license_file"] = found
    return HubAnswer(**data)


def _replace_notes(answer: HubAnswer, note: str) -> HubAnswer:
    data = asdict(answer)
    data["notes"] = (*answer.notes, note)
    data["license_file"] = None
    return HubAnswer(**data)
