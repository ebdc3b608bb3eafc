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


CERTIFI = DISTS / "certifi-2026.10.19.post1"


def test_equal_answers_are_one_object(tmp_path: Path) -> None:
    """Three installs of certifi (its real dist-info), the third with one byte of its
    LICENSE changed: the first two find equal evidence, files and problems, which are then
    one object each (a worker sends it once per batch); the third keeps its own, and each
    answer is what ``collect`` gives alone."""
    sites = [tmp_path / name for name in ("one", "two", "edited")]
    for site in sites:
        shutil.copytree(CERTIFI, site)
    licence = next((sites[2]).glob("*.dist-info/licenses/LICENSE"))
    licence.write_bytes(licence.read_bytes().replace(b"e", b"E", 1))
    dists = read_dists(*sites)
    found = collect_all(dists, record=False)
    alone = [collect(d, record=False) for d in dists]
    assert [(c.evidence, c.files, c.problems) for c in found] == [
        (c.evidence, c.files, c.problems) for c in alone
    ]
    first, second, edited = found
    assert first.files and first.evidence
    assert first.evidence is second.evidence and first.files is second.files
    assert edited.files[0].sha256 != first.files[0].sha256
    assert edited.evidence is not first.evidence and edited.evidence != first.evidence
