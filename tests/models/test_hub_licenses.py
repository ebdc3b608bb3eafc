"""Every Hugging Face Hub licence id maps to a licence the knowledge base knows.

The ids are read from ``tests/fixtures/hub-licenses.md``: the table of
huggingface/hub-docs ``docs/hub/repositories-licenses.md`` at the commit its
first line names, plus the ids later hub-docs pull requests added.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dllicense.collect.modelcards import hub_license
from dllicense.knowledge import huggingface_license_key, license_record

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "hub-licenses.md"
_ROW = re.compile(r"^\|\s*(?P<name>[^|]*?)\s*\|\s*`(?P<id>[^`]+)`\s*\|", re.MULTILINE)

# Hub ids that name no licence on purpose, with the reason.
DELIBERATELY_UNKNOWN = {
    "unknown": "the card says it does not know its licence: no expression, a note asks for review",
    "other": (
        "the licence is named by license_name / license_link instead; without license_name "
        "there is nothing to map (test_other_keeps_license_name covers the named case)"
    ),
}


def _hub_ids() -> list[tuple[str, str]]:
    return [(m["id"], m["name"]) for m in _ROW.finditer(FIXTURE.read_text(encoding="utf-8"))]


HUB_IDS = _hub_ids()


def test_fixture_cites_its_source_and_holds_the_whole_list() -> None:
    first = FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    assert "huggingface/hub-docs" in first and "docs/hub/repositories-licenses.md" in first
    assert re.search(r"\b[0-9a-f]{40}\b", first), "the header must name the commit read"
    ids = [hub_id for hub_id, _ in HUB_IDS]
    assert len(ids) == len(set(ids)), "an id is listed twice"
    assert len(ids) >= 79
    for hub_id in ("apache-2.0", "bigcode-openrail-m", "llama2", "gemma", "llama3.3", "llama4"):
        assert hub_id in ids, hub_id
    assert set(DELIBERATELY_UNKNOWN) <= set(ids)


@pytest.mark.parametrize(("hub_id", "name"), HUB_IDS, ids=[hub_id for hub_id, _ in HUB_IDS])
def test_hub_id_maps_to_a_known_licence(hub_id: str, name: str) -> None:
    expression, note = hub_license(hub_id)
    if hub_id in DELIBERATELY_UNKNOWN:
        assert expression == "", DELIBERATELY_UNKNOWN[hub_id]
        assert note, "a deliberately unknown id still explains itself"
        return
    assert expression, f"{hub_id} ({name}) maps to nothing"
    assert not expression.startswith("LicenseRef-hf-"), f"{hub_id} ({name}) is only a placeholder"
    record = license_record(expression)
    assert record is not None, f"{hub_id} ({name}) -> {expression}: not in the knowledge base"
    # A Hub id is read as a Hub id: no "not a Hub licence id" fallback note.
    assert note == "", note


@pytest.mark.parametrize(("hub_id", "name"), HUB_IDS, ids=[hub_id for hub_id, _ in HUB_IDS])
def test_hub_id_is_case_insensitive(hub_id: str, name: str) -> None:
    assert hub_license(hub_id.upper())[0] == hub_license(hub_id)[0]


def test_other_keeps_license_name() -> None:
    named = hub_license("other", "fair-noncommercial-research")
    assert named[0] == "LicenseRef-FAIR-Noncommercial-Research"
    assert hub_license("other", "llama3.3")[0] == "LicenseRef-Llama3.3"
    unmapped = hub_license("other", "some-new-licence")
    assert unmapped[0] == "LicenseRef-hf-some-new-licence" and "license_link" in unmapped[1]
    assert huggingface_license_key("other") is None and huggingface_license_key("unknown") is None


@pytest.mark.parametrize(
    ("hub_id", "family", "patent", "commercial", "retaliation"),
    [
        (
            "bigcode-openrail-m",
            "source-available",
            "grant-with-retaliation",
            "allowed",
            "whole-licence",
        ),
        ("openrail++", "source-available", "grant-with-retaliation", "allowed", "patent-licence"),
        ("llama3.3", "source-available", "grant-with-retaliation", "restricted", "whole-licence"),
        ("llama4", "source-available", "grant-with-retaliation", "restricted", "whole-licence"),
        ("deepfloyd-if-license", "non-commercial", "excluded", "forbidden", "none"),
        ("apple-amlr", "non-commercial", "excluded", "forbidden", "none"),
        ("apple-ascl", "permissive", "excluded", "allowed", "none"),
        (
            "fair-noncommercial-research-license",
            "non-commercial",
            "unknown",
            "forbidden",
            "unknown",
        ),
        ("intel-research", "unknown", "unknown", "unknown", "unknown"),
        ("open-mdw", "permissive", "grant-with-retaliation", "allowed", "whole-licence"),
        ("c-uda", "source-available", "unknown", "restricted", "unknown"),
        ("gpl", "strong-copyleft", "unknown", "allowed", "unknown"),
        ("cc", "unknown", "unknown", "unknown", "unknown"),
    ],
)
def test_model_licence_traits(
    hub_id: str, family: str, patent: str, commercial: str, retaliation: str
) -> None:
    record = license_record(hub_license(hub_id)[0])
    assert record is not None
    assert (record.family, record.patent, record.commercial, record.retaliation) == (
        family,
        patent,
        commercial,
        retaliation,
    )


def test_llama_licences_carry_the_name_prefix_rule() -> None:
    for hub_id in ("llama3.1", "llama3.2", "llama3.3", "llama4"):
        record = license_record(hub_license(hub_id)[0])
        assert record is not None
        assert "attribution" in record.obligations and "use-restrictions" in record.obligations
        assert "Llama" in dict(record.facts)["obligations"], hub_id
