"""The typed domain values of ``models.py`` list exactly what the code makes.

mypy --strict rejects a value outside a ``Literal``; this test rejects a ``Literal`` value that
no module makes any more (the docstring of ``Evidence.kind`` once listed such kinds).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from dllicense import models

SRC = Path(models.__file__).parent
CODE = "\n".join(p.read_text("utf-8") for p in sorted(SRC.rglob("*.py")) if p.name != "models.py")


@pytest.mark.parametrize(
    ("alias", "values"),
    [
        ("EvidenceKind", get_args(models.EvidenceKind)),
        ("Confidence", get_args(models.Confidence)),
        ("Status", get_args(models.Status)),
    ],
)
def test_every_literal_value_is_made_somewhere(alias: str, values: tuple[str, ...]) -> None:
    unused = [v for v in values if not re.search(rf"[\"']{re.escape(v)}[\"']", CODE)]
    assert unused == [], f"{alias} lists values no module makes: {unused}"


def test_evidence_kind_comment_names_every_kind() -> None:
    text = Path(models.__file__).read_text("utf-8")
    comment = text[: text.index("EvidenceKind = Literal[")]
    missing = [k for k in get_args(models.EvidenceKind) if k not in comment]
    assert missing == []
