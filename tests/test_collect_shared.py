"""``collect_all`` shares the metadata evidence of equal licence fields and equal licence texts
among the distributions of one call; what it finds must be what each distribution gives alone.

Real dist-info folders: every fixture distribution (tests/fixtures/dists), and the
aiohappyeyeballs 2.4.0 wheel (tests/fixtures/tryout) whose ``License :: Other/Proprietary
License`` classifier is read differently depending on the wheel's ``WHEEL`` file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from dllicense.collect import collect, collect_all
from tests.conftest import DISTS, FIXTURES, read_dists

AIOHAPPYEYEBALLS = FIXTURES / "tryout" / "aiohappyeyeballs-2.4.0"


def test_shared_evidence_equals_each_distribution_alone() -> None:
    """Every fixture distribution, twice over (so each set of fields is met again), in one
    call: the same evidence, files and problems as ``collect`` of each on its own."""
    dists = read_dists(*sorted(p for p in DISTS.iterdir() if p.is_dir()))
    assert len(dists) >= 30
    together = collect_all([*dists, *dists], record=False)
    alone = [collect(d, record=False) for d in [*dists, *dists]]
    assert [(c.evidence, c.files, c.problems) for c in together] == [
        (c.evidence, c.files, c.problems) for c in alone
    ]
    assert [c.unsearched for c in together] == [not c.files for c in alone]


def test_the_poetry_classifier_is_read_per_wheel(tmp_path: Path) -> None:
    """Two copies of aiohappyeyeballs with the same licence fields, one built by poetry-core,
    one by hatchling (its WHEEL file edited): the classifier is poetry's own in the first
    only, so their metadata evidence is not shared."""
    poetry, hatch = tmp_path / "poetry", tmp_path / "hatch"
    shutil.copytree(AIOHAPPYEYEBALLS, poetry)
    shutil.copytree(AIOHAPPYEYEBALLS, hatch)
    wheel = hatch / "aiohappyeyeballs-2.4.0.dist-info" / "WHEEL"
    wheel.write_text(wheel.read_text("utf-8").replace("poetry-core 1.9.0", "hatchling 1.25.0"))
    first, second = read_dists(poetry) + read_dists(hatch)
    assert (first.license, first.classifiers) == (second.license, second.classifiers)
    found = collect_all([first, second], record=False)
    notes = [
        [e.note for e in c.evidence if e.value == "License :: Other/Proprietary License"]
        for c in found
    ]
    assert "poetry-core 1.9.0" in notes[0][0]
    assert "poetry" not in notes[1][0]
