"""Clarifications: the policy states a package's licence, pinned to its licence files.

A clarification applies when the package and version match and every pinned
file still has its sha256; when a file changed or vanished, it is stale, is
not applied, and says so (cargo-deny's ``clarify``).
"""

from __future__ import annotations

from collections.abc import Sequence

from dllicense.config.policy import Clarification
from dllicense.models import Evidence, Finding, Node
from dllicense.policy.codes import finding, location_of


def clarify(
    node: Node, evidence: Sequence[Evidence], clarifications: Sequence[Clarification]
) -> tuple[tuple[Evidence, ...], tuple[Finding, ...], tuple[Clarification, ...]]:
    """(clarification evidence to add, stale findings, clarifications that matched)."""
    if not clarifications:  # most policies (once per package)
        return (), (), ()
    hashes = {e.source: e.sha256 for e in evidence if e.sha256}
    added: list[Evidence] = []
    stale: list[Finding] = []
    matched = tuple(c for c in clarifications if c.matches(node.name, node.version))
    for c in matched:
        changed = [path for path, digest in c.files if hashes.get(path) != digest]
        if changed:
            stale.append(
                finding(
                    "DL303",
                    f"clarification for {node.name} ({c.where}) is stale: "
                    + ", ".join(
                        f"{p} {'changed' if p in hashes else 'is missing'}" for p in changed
                    ),
                    node.name,
                    node.version,
                    path=node.path,
                    location=location_of(c.where),
                )
            )
            continue
        added.append(
            Evidence(
                "clarification", f"policy:{c.where}", c.expression, c.expression, note=c.reason
            )
        )
    return tuple(added), tuple(stale), matched
