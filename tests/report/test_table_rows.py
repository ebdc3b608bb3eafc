"""The terminal table wraps each licence in its column, once per distinct licence: packages
that share a long licence (and one with a ``chosen`` branch, and control characters) each
show all of it, on their own row and its continuation lines, whatever the order."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from dllicense.report.terminal import render
from tests.conftest import DISTS, scan_dirs

LONG = (
    "(Apache-2.0 WITH LLVM-exception OR MIT) AND BSD-3-Clause AND LicenseRef-very-long-"
    "name-x AND (GPL-2.0-or-later OR LGPL-2.1-only) AND Zlib"
)


def test_shared_long_licences_wrap_on_every_row(tmp_path: Path) -> None:
    result = scan_dirs(tmp_path, *sorted(p for p in DISTS.iterdir() if p.is_dir()), texts="none")
    packages = list(result.packages[:8])
    for i in (1, 3, 4):  # three packages share the long licence, one with a chosen branch
        verdict = replace(packages[i].verdict, expression=LONG)
        packages[i] = replace(packages[i], verdict=verdict, chosen="MIT" if i == 4 else "")
    packages[5] = replace(packages[5], verdict=replace(packages[5].verdict, expression="A\x1bB"))
    table = render(replace(result, packages=tuple(packages)), width=70).splitlines()
    header = next(line for line in table if line.startswith("PACKAGE"))
    start, end = header.index("LICENSE"), header.index("SCOPE")
    for p in packages:
        [row] = [n for n, line in enumerate(table) if line.startswith(f"{p.node.name} ")]
        parts = [table[row][start:end]]
        following = table[row + 1 :]
        while following and following[0][:start].isspace() and following[0][start:].strip():
            parts.append(following.pop(0)[start:])
        licence = p.verdict.expression.replace("\x1b", "\\x1b") or "UNKNOWN"
        if p.chosen:
            licence += f"  [chosen: {p.chosen}]"
        assert "".join(parts).replace(" ", "") == licence.replace(" ", ""), (p.node.name, parts)
        assert len(parts) > 1 or p.verdict.expression != LONG  # the long one did wrap
