"""Collect: evidence per package from metadata fields, licence files and the knowledge base."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dllicense.collect.files import LicenseFile, find_license_files, list_folder
from dllicense.collect.metadata import metadata_evidence
from dllicense.collect.sbom import sbom_evidence
from dllicense.models import Distribution, Evidence, Problem
from dllicense.parallel import ordered_map


@dataclass(frozen=True)
class Collected:
    """Everything known about one distribution before classification."""

    dist: Distribution
    evidence: tuple[Evidence, ...]
    files: tuple[LicenseFile, ...]
    problems: tuple[Problem, ...]


def collect_all(dists: Sequence[Distribution]) -> list[Collected]:
    """``collect`` each distribution, on several processes for large environments; a worker
    sends back only what it found, not the distribution it was given."""
    found = ordered_map(_found, dists)
    return [Collected(d, *parts) for d, parts in zip(dists, found, strict=True)]


def _found(
    dist: Distribution,
) -> tuple[tuple[Evidence, ...], tuple[LicenseFile, ...], tuple[Problem, ...]]:
    item = collect(dist)
    return item.evidence, item.files, item.problems


def collect(dist: Distribution) -> Collected:
    """Metadata and file evidence of one distribution (files hashed, not yet identified)."""
    if not dist.path:  # a conda record whose package folder is gone, a lock's record
        return Collected(dist, tuple(metadata_evidence(dist)), (), ())
    top = list_folder(dist.path)  # one listing serves the licence files and the SBOMs
    files, problems = find_license_files(dist, top)
    evidence = metadata_evidence(dist)
    bundled: list[Evidence] = []
    if any(name == "sboms" and is_dir for name, is_dir, *_ in top):
        bundled, sbom_problems = sbom_evidence(dist)
        problems += sbom_problems
    for item in files:
        size = f"{item.size} bytes" + (", truncated" if item.truncated else "")
        evidence.append(Evidence(item.evidence_kind, item.relpath, size, sha256=item.sha256))
    evidence += bundled
    return Collected(dist, tuple(evidence), tuple(files), tuple(problems))
