"""Collect: evidence per package from metadata fields, licence files and the knowledge base."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from dllicense.collect.files import LicenseFile, find_license_files, list_folder
from dllicense.collect.metadata import POETRY_CLASSIFIER, metadata_evidence
from dllicense.collect.sbom import sbom_evidence
from dllicense.models import Distribution, Evidence, Problem
from dllicense.parallel import Pending, ordered_map, start_map
from dllicense.records import frozen


@frozen
class Collected:
    """Everything known about one distribution before classification."""

    dist: Distribution
    evidence: tuple[Evidence, ...]
    files: tuple[LicenseFile, ...]
    problems: tuple[Problem, ...]
    unsearched: bool = False  # no licence file in the dist-info and RECORD not searched


def collect_all(
    dists: Sequence[Distribution], record: bool = True, started: Started | None = None
) -> list[Collected]:
    """``collect`` each distribution, on several processes for large environments; a worker
    sends back only what it found, not the distribution it was given. ``record`` False
    (``--texts none``: no text will be read) never opens ``RECORD`` to look for licence
    files outside the dist-info. Equal licence texts are one bytes object (memory, and what
    a worker sends back: pickle writes a shared object once per batch), and so is the
    metadata evidence of equal licence fields. ``started``: ``start_collect`` of these
    distributions or more (with the same ``record``): what it found is used, the others are
    collected now."""
    collect = partial(_found, record=record, shared=_Shared())
    if started is not None and started.record == record:
        ahead = dict(zip(map(id, started.dists), started.pending.result(), strict=True))
        missing = [d for d in dists if id(d) not in ahead]  # a graph may add some (conda)
        ahead.update(zip(map(id, missing), ordered_map(collect, missing), strict=True))
        found = [ahead[id(d)] for d in dists]
    else:
        if started is not None:  # started with the other reading of RECORD: not used
            started.pending.cancel()
        found = ordered_map(collect, dists)
    return [
        Collected(d, *parts, unsearched=not record and not parts[1])
        for d, parts in zip(dists, found, strict=True)
    ]


_Parts = tuple[tuple[Evidence, ...], tuple[LicenseFile, ...], tuple[Problem, ...]]


@frozen
class Started:
    """``collect_all``'s work started on a pool ahead of time (``start_collect``)."""

    dists: Sequence[Distribution]
    record: bool
    pending: Pending[_Parts]


def start_collect(dists: Sequence[Distribution], record: bool = True) -> Started | None:
    """Start collecting ``dists`` on a pool (None when they are too few for one): the
    caller resolves the graph meanwhile, then hands this to ``collect_all``. The
    distributions are known before the graph is, and collecting is most of the work."""
    pending = start_map(partial(_found, record=record, shared=_Shared()), dists)
    return Started(dists, record, pending) if pending.pooled else None


class _Shared:
    """What one ``collect_all`` shares among its distributions (each worker has its copy):
    licence texts by sha256, metadata evidence by licence fields, and whole answers.

    Equal answers are one object (``answers``): distributions that state the same licence
    fields and ship the same licence files (names and bytes) find equal evidence, files and
    problems. A worker then sends each distinct answer once per batch (pickle writes a
    shared object once and refers to it after) and the parent builds it once: at 20,000
    distributions that found 8 distinct answers, sending them back cost 0.08 s in the
    workers and 0.10 s in the parent (whose thread unpickling them holds the GIL that the
    resolve running meanwhile needs); finding them costs ~0.01 s (bench/RESULTS.md, branch
    scale19). Everything in an answer is immutable."""

    def __init__(self, texts: dict[str, bytes] | None = None) -> None:
        self.texts: dict[str, bytes] = {} if texts is None else texts
        self.fields: dict[tuple[str, str, tuple[str, ...]], tuple[Evidence, ...]] = {}
        # (the fields' evidence by identity, each file's fields but its bytes) -> the answer
        self.answers: dict[tuple[object, ...], _Parts] = {}

    def metadata(self, dist: Distribution) -> tuple[Evidence, ...] | None:
        """``metadata_evidence(dist)``, computed once per distinct licence fields (one tuple
        for them all, kept here); None when it is not only the fields': a conda record (its
        licence family) and the classifier Poetry adds by itself (decided by the wheel's
        ``WHEEL`` file)."""
        if dist.ecosystem == "conda" or POETRY_CLASSIFIER in dist.classifiers:
            return None
        key = (dist.license_expression, dist.license, dist.classifiers)
        found = self.fields.get(key)
        if found is None:
            found = self.fields[key] = tuple(metadata_evidence(dist))
        return found


def _found(dist: Distribution, record: bool = True, shared: _Shared | None = None) -> _Parts:
    """``collect``'s parts (evidence, files, problems), no ``Collected`` around them."""
    if not dist.path:  # a conda record whose package folder is gone, a lock's record
        return tuple(metadata_evidence(dist)), (), ()
    top = list_folder(dist.path)  # one listing serves the licence files and the SBOMs
    stated = shared.metadata(dist) if shared is not None else None
    evidence = list(stated) if stated is not None else metadata_evidence(dist)
    vague = not any(
        e.expression and not e.vague and "public-domain" not in e.expression for e in evidence
    )
    texts = shared.texts if shared is not None else None
    files, problems = find_license_files(dist, top, vague=vague, record=record, texts=texts)
    bundled: list[Evidence] = []
    if any(name == "sboms" and is_dir for name, is_dir, *_ in top):
        bundled, sbom_problems = sbom_evidence(dist)
        problems += sbom_problems
    key: tuple[object, ...] | None = None
    if shared is not None and stated is not None and not problems and not bundled:
        # the rest of the answer follows from these (a file's bytes from its sha256)
        key = (id(stated), *((f.relpath, f.kind, f.primary, f.sha256, f.size) for f in files))
        known = shared.answers.get(key)
        if known is not None:
            return known
    for item in files:
        size = f"{item.size} bytes" + (", truncated" if item.truncated else "")
        evidence.append(Evidence(item.evidence_kind, item.relpath, size, sha256=item.sha256))
    evidence += bundled
    parts = (tuple(evidence), tuple(files), tuple(problems))
    if shared is not None and key is not None:
        shared.answers[key] = parts
    return parts


def collect(
    dist: Distribution, record: bool = True, texts: dict[str, bytes] | None = None
) -> Collected:
    """Metadata and file evidence of one distribution (files hashed, not yet identified);
    ``record`` as in ``collect_all``, ``texts`` as in ``find_license_files``."""
    return Collected(dist, *_found(dist, record, None if texts is None else _Shared(texts)))
