"""Gaps of a lock that records no edges (pipenv's ``Pipfile.lock``, a pinned requirements
file without ``# via``, an edge-less ``pylock.toml``), found from its packages' metadata.

Such a lock lists packages, not what each requires, so the walk cannot see that a locked
package needs one the lock lacks (a lock made on macOS has no ``nvidia-*`` wheels torch
requires on Linux). Once each locked package's metadata is read (installed or ``--online``),
its ``Requires-Dist`` for the target says so: DL034, as for a lock with edges.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dllicense.discover.locks.markers import holds
from dllicense.models import Distribution, Location, Node, Problem
from dllicense.resolve.requires import display, parse_requires
from dllicense.resolve.targets import describe_target


def flat_lock_gaps(
    label: str,
    read: Mapping[Node, Distribution],
    locked: Iterable[str],
    markers: Mapping[str, str],
) -> list[Problem]:
    """DL034 for each requirement of a package of ``read`` (node -> its metadata) that
    applies to the target ``markers`` and names no package of ``locked`` (every name the
    lock has for the target, whatever the scope). The version a requirement asks for is not
    checked: only a name the lock lacks is a gap. Requirements of extras are not checked: a
    node's extras are those of all its scopes, including ones the lock does not cover
    (Megatron-Energon's pylock.toml has multi-storage-client, whose extras only the
    project's unlocked extras ask for)."""
    names = set(locked)
    target = dict(markers)
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for node in sorted(read, key=lambda n: (n.name, n.version)):
        if node.ecosystem != "pypi":
            continue
        for raw in read[node].requires_dist:
            req = parse_requires(raw)
            if req is None or req.extra_only or req.name in names:
                continue
            marker = req.marker
            if (node.name, req.name) in seen or (marker is not None and not holds(marker, target)):
                continue
            seen.add((node.name, req.name))
            out.append(
                Problem(
                    "DL034",
                    f"{node.name} {node.version} requires {display(raw)}, which {label} does "
                    f"not lock for {describe_target(target)}: it is not scanned (the lock "
                    f"records no dependencies; {node.name}'s metadata says so)",
                    package=req.name,
                    location=Location(label),
                )
            )
    return out
