"""Package URLs name each ecosystem correctly in the SBOMs."""

from __future__ import annotations

import pytest

from dllicense.models import Node
from dllicense.report.cyclonedx import purl


@pytest.mark.parametrize(
    ("name", "version", "ecosystem", "expected"),
    [
        ("torch", "2.13.0", "pypi", "pkg:pypi/torch@2.13.0"),
        (
            "org.deeplearning4j:deeplearning4j-core",
            "1.0.0-M2.1",
            "maven",
            "pkg:maven/org.deeplearning4j/deeplearning4j-core@1.0.0-M2.1",
        ),
        (
            "meta-llama/Llama-2-7b-hf",
            "01c7f73d",
            "huggingface",
            "pkg:huggingface/meta-llama/Llama-2-7b-hf@01c7f73d",
        ),
        ("pytorch", "2.1.0", "conda", "pkg:conda/pytorch@2.1.0"),
        ("torch", "7.0", "luarocks", "pkg:luarocks/torch@7.0"),
    ],
)
def test_purl_per_ecosystem(name: str, version: str, ecosystem: str, expected: str) -> None:
    node = Node(name, version, ("runtime",), (name,), (), (), True, ecosystem=ecosystem)
    assert purl(node) == expected
