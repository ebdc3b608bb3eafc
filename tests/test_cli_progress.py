"""Progress is a typed event (``models.Progress``) the CLI draws as a bar redrawn in place;
status lines are printed whole. Both only on a terminal, on stderr."""

from __future__ import annotations

import pytest

from dllicense.cli.scan import _Status, progress_line
from dllicense.models import Progress


def test_progress_line_draws_the_share_done() -> None:
    assert progress_line(Progress("texts", 0, 4)) == "texts [....................] 0/4"
    assert progress_line(Progress("texts", 1, 4)) == "texts [#####...............] 1/4"
    assert progress_line(Progress("texts", 3, 3)) == "texts [####################] 3/3"
    # a label is escaped for the terminal; nothing to do counts as done
    assert progress_line(Progress("\x1b[2Jx", 0, 0)) == "\\x1b[2Jx [####################] 0/0"


def test_status_redraws_progress_in_place_and_prints_status_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = _Status()
    status("scanning venv .venv")
    status(Progress("identifying licence texts", 1, 2))
    status(Progress("identifying licence texts", 2, 2))
    status("a [bracketed] line 3")  # text that looks like a bar is a status line
    status.close()
    captured = capsys.readouterr()
    assert captured.out == ""
    # click drops the erase-line escape when stderr is not a terminal (as here)
    assert captured.err == (
        "dllicense: scanning venv .venv\n"
        "\rdllicense: identifying licence texts [##########..........] 1/2"
        "\rdllicense: identifying licence texts [####################] 2/2\n"
        "dllicense: a [bracketed] line 3\n"
    )
