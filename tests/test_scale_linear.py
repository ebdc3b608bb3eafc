"""A metadata scan's work grows linearly with the number of distributions.

Counted, not timed: the Python and C function calls of ``pipeline.scan`` on
synthetic environments of N and 4N real-shaped dist-info folders. A per-package
loop over all packages (the set of installed distributions rebuilt for every
package made 25 million ``id`` calls at 5,000) makes the larger one cost far
more than four times as much.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from dllicense.models import Node
from dllicense.pipeline import ScanOptions, scan

FIELDS = [
    ("License-Expression", "MIT"),
    ("License-Expression", "BSD-3-Clause OR Apache-2.0"),
    ("License", "Apache 2.0"),
    ("Classifier", "License :: OSI Approved :: MIT License"),
]


def _environment(root: Path, count: int) -> Path:
    site = root / f"site{count}"
    for i in range(count):
        folder = site / f"pkg_{i:05d}-1.0.dist-info"
        (folder / "licenses").mkdir(parents=True)
        field, value = FIELDS[i % len(FIELDS)]
        deps = "".join(f"Requires-Dist: pkg-{(i * 7 + k) % count:05d}\n" for k in range(3))
        (folder / "METADATA").write_text(
            f"Metadata-Version: 2.4\nName: pkg-{i:05d}\nVersion: 1.0\n{field}: {value}\n"
            f"License-File: LICENSE\n{deps}\n",
            encoding="utf-8",
        )
        (folder / "licenses" / "LICENSE").write_text("MIT License\n", encoding="utf-8")
    return site


def _calls(project: Path, site: Path) -> int:
    options = ScanOptions(
        project=project, paths=(str(site),), texts="none", use_cache=False, include_all=True
    )
    scan(options)  # warm: one-time loads (knowledge base, tables) are not per package
    count = 0

    def counter(frame: object, event: str, arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(counter)
    try:
        result = scan(options)
    finally:
        sys.setprofile(None)
    assert len(result.packages) == len(list(site.iterdir()))
    return count


def test_work_grows_linearly(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    small = _calls(project, _environment(tmp_path, 100))
    large = _calls(project, _environment(tmp_path, 400))
    assert large < 4.5 * small, (small, large)


def test_each_node_is_hashed_at_most_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hashing a ``Node`` hashes all its fields (path, parents, requires, depends): the scan
    finds each installed node's distribution by name and hashes a node once at most (twice
    each cost ~0.03 s of 20,000; bench/RESULTS.md, branch scale19)."""
    site = _environment(tmp_path, 40)
    project = tmp_path / "project"
    project.mkdir()
    hashed: Counter[tuple[str, str]] = Counter()
    plain = Node.__hash__

    def counted(node: Node) -> int:
        hashed[(node.name, node.version)] += 1
        return plain(node)

    monkeypatch.setattr(Node, "__hash__", counted)
    options = ScanOptions(project=project, paths=(str(site),), texts="none", use_cache=False)
    result = scan(options)
    assert len(result.packages) == 40
    assert hashed and max(hashed.values()) == 1
