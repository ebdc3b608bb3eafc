"""Collect: evidence per package from metadata fields, licence files and the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass

from dllicense.collect.files import LicenseFile, find_license_files
from dllicense.collect.metadata import metadata_evidence
from dllicense.collect.sbom import sbom_evidence
from dllicense.models import Distribution, Evidence, Problem


@dataclass(frozen=True)
class Collected:
    """Everything known about one distribution before classification."""

    dist: Distribution
    evidence: tuple[Evidence, ...]
    files: tuple[LicenseFile, ...]
    problems: tuple[Problem, ...]


def collect(dist: Distribution) -> Collected:
    """Metadata and file evidence of one distribution (files hashed, not yet identified)."""
    files, problems = find_license_files(dist)
    evidence = metadata_evidence(dist)
    bundled, sbom_problems = sbom_evidence(dist)
    problems += sbom_problems
    for item in files:
        size = f"{item.size} bytes" + (", truncated" if item.truncated else "")
        evidence.append(Evidence(item.evidence_kind, item.relpath, size, sha256=item.sha256))
    evidence += bundled
    return Collected(dist, tuple(evidence), tuple(files), tuple(problems))
