"""The packages an ``--online`` resolution left out for want of a usable wheel.

``resolve.online`` removes them so that the rest of the graph resolves; here each
gets the newest version on the index that the requirements naming it allow (the
declared ones and the resolved pins' ``Requires-Dist``), its metadata read like any
pin's (for a release with no wheel at all: the sdist's ``PKG-INFO``, unbuilt,
``index_sdist``), and a DL007 of its own saying its dependencies are unknown.
None is dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dllicense.collect.index import IndexClient
from dllicense.models import Distribution, Problem
from dllicense.resolve.online import Resolution, excluded_problem, excluded_specifier


@dataclass
class Excluded:
    """``versions``: name -> version (the lock's packages); ``fetched`` and ``failed``
    (why not) by (name, version); ``problems``: the DL007 of each package left out."""

    versions: dict[str, str] = field(default_factory=dict)
    fetched: dict[tuple[str, str], Distribution] = field(default_factory=dict)
    failed: dict[tuple[str, str], Problem] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_excluded(
    client: IndexClient,
    resolution: Resolution,
    requirements: Sequence[str],
    resolved: Sequence[Distribution],
) -> Excluded:
    """Versions, metadata and a DL007 for each package ``resolution`` left out."""
    out = Excluded()
    for name in resolution.excluded:
        specifier = excluded_specifier(name, requirements, resolved)
        best = client.best_version(name, specifier)
        if isinstance(best, Problem):
            why = best.message
            out.problems.append(excluded_problem(resolution.resolver, name, "", specifier, why))
            continue
        out.versions[name] = best
        got = client.fetch(name, best)
        if isinstance(got, Problem):
            out.failed[(name, best)] = got
        else:
            out.fetched[(name, best)] = got
        read = isinstance(got, Distribution)
        out.problems.append(excluded_problem(resolution.resolver, name, best, specifier, read))
    return out
