"""``--texts none`` never opens ``RECORD`` looking for licence files it would not read.

Opened files are seen through a real CPython audit hook (the ``open`` event), on
tensorflow-cpu's real dist-info, whose licence is only listed in ``RECORD``
(``tensorflow/include/LICENSE``, outside the dist-info folder).
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from dllicense.cli import main
from dllicense.collect import collect_all
from dllicense.discover.distributions import read_distribution
from dllicense.models import Distribution
from tests.conftest import DISTS

TENSORFLOW = DISTS / "tensorflow-cpu-2.21.0"
OPENED: list[str] | None = None  # paths opened while a test records them


def _hook(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and OPENED is not None and isinstance(args[0], str):
        OPENED.append(args[0])


sys.addaudithook(_hook)  # audit hooks cannot be removed; this one only records when asked


def _opened_during(func: object) -> list[str]:
    global OPENED
    OPENED = []
    try:
        func()  # type: ignore[operator]
        return OPENED
    finally:
        OPENED = None


def _dist() -> Distribution:
    [folder] = TENSORFLOW.glob("*.dist-info")
    dist = read_distribution(folder, str(TENSORFLOW))
    assert isinstance(dist, Distribution)
    return dist


def test_record_is_searched_when_texts_will_be_read() -> None:
    dist = _dist()
    found: list[str] = []
    opened = _opened_during(
        lambda: found.extend(f.relpath for f in collect_all([dist], record=True)[0].files)
    )
    assert any(p.endswith("RECORD") for p in opened)
    assert "tensorflow/include/LICENSE" in found


def test_record_is_never_opened_without_texts() -> None:
    dist = _dist()
    found: list[str] = []
    opened = _opened_during(
        lambda: found.extend(f.relpath for f in collect_all([dist], record=False)[0].files)
    )
    assert not [p for p in opened if p.endswith("RECORD")]
    assert found == []


def test_scan_with_texts_none_never_opens_record(tmp_path: Path) -> None:
    args = ["scan", str(tmp_path), "--path", str(TENSORFLOW), "--format", "json"]
    result = None

    def scan() -> None:
        nonlocal result
        result = CliRunner().invoke(main, [*args, "--texts", "none", "--no-cache"])

    opened = _opened_during(scan)
    assert result is not None and result.exit_code in (0, 1), result.output
    assert '"tensorflow-cpu"' in result.output
    assert any(p.endswith("METADATA") for p in opened)  # the hook sees the scan's reads
    assert not [p for p in opened if Path(p).name == "RECORD"]
    # its licence file was not searched for, so it is not said to ship none
    assert '"DL115"' not in result.output
