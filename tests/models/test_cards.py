"""Model cards (front matter, Hub licence ids) and the Hugging Face cache layout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dllicense.collect.modelcards import (
    HubCache,
    card_license,
    folder_evidence,
    front_matter,
    hf_cache_root,
    hub_license,
)
from dllicense.discover.yamlsubset import YamlError, parse_yaml
from tests.models import cards
from tests.models.hfcache import add_repo, commit_of


@pytest.mark.parametrize(
    ("hub_id", "expected"),
    [
        ("apache-2.0", "Apache-2.0"),
        ("mit", "MIT"),
        ("cc-by-nc-4.0", "CC-BY-NC-4.0"),
        ("cc-by-4.0", "CC-BY-4.0"),
        ("openrail", "LicenseRef-OpenRAIL"),
        ("creativeml-openrail-m", "LicenseRef-CreativeML-OpenRAIL-M"),
        ("bigscience-openrail-m", "LicenseRef-BigScience-OpenRAIL-M"),
        ("bigscience-bloom-rail-1.0", "LicenseRef-BigScience-BLOOM-RAIL-1.0"),
        ("llama2", "LicenseRef-Llama2"),
        ("llama3", "LicenseRef-Llama3"),
        ("llama3.1", "LicenseRef-Llama3.1"),
        ("gemma", "LicenseRef-Gemma"),
        ("odc-by", "ODC-By-1.0"),
        ("bsd", "LicenseRef-dllicense-unspecified-BSD"),  # a family: the vague placeholder
        ("Apache 2.0", "Apache-2.0"),  # not a Hub id, but a name the alias table knows
        ("openrail++", "LicenseRef-CreativeML-OpenRAIL-plus-plus-M"),
        # dropped from the Hub list (hub-docs #897) and unknown to the knowledge base
        ("tii-falcon-llm", "LicenseRef-hf-tii-falcon-llm"),
        ("unknown", ""),
    ],
)
def test_hub_licence_ids(hub_id: str, expected: str) -> None:
    assert hub_license(hub_id)[0] == expected


def test_other_uses_license_name() -> None:
    assert hub_license("other", "yi-license")[0] == "LicenseRef-hf-yi-license"
    assert hub_license("other", "llama3")[0] == "LicenseRef-Llama3"
    expression, note = hub_license("other")
    assert expression == "" and "without license_name" in note


def test_published_cards() -> None:
    bert = front_matter(cards.BERT)
    assert bert["license"] == "apache-2.0" and bert["datasets"] == ["bookcorpus", "wikipedia"]
    nllb = front_matter(cards.NLLB)
    assert nllb["license"] == "cc-by-nc-4.0" and "chrf++" in nllb["metrics"]
    llama = front_matter(cards.LLAMA2)
    assert llama["license"] == "llama2"
    assert "700 million monthly active" in llama["extra_gated_prompt"]
    assert llama["extra_gated_fields"]["Country"] == "country"
    sd = front_matter(cards.STABLE_DIFFUSION)
    assert sd["license"] == "creativeml-openrail-m"
    assert sd["extra_gated_prompt"].startswith("This model is open access")
    yi = front_matter(cards.YI)
    assert (yi["license"], yi["license_name"], yi["license_link"]) == (
        "other",
        "yi-license",
        "LICENSE",
    )
    assert yi["widget"][0]["output"]["text"] == " Hello! How can I assist you today?"
    data = front_matter(cards.ULTRACHAT)
    assert data["configs"][0]["data_files"][1] == {"split": "test_sft", "path": "data/test_sft-*"}
    assert data["dataset_info"]["features"][1]["list"][0]["name"] == "content"
    assert front_matter("# no front matter\n") == {}


def test_card_license_fields() -> None:
    yi = card_license(front_matter(cards.YI))
    assert yi is not None and yi.expression == "LicenseRef-hf-yi-license"
    assert "license_link: LICENSE" in yi.note and "yi-license" in yi.value
    several = card_license({"license": ["cc-by-4.0", "mit"]})
    assert several is not None and several.expression == "CC-BY-4.0 AND MIT"
    assert "AND" in several.note
    assert card_license({"language": "en"}) is None
    with pytest.raises(ValueError):
        card_license({"license": {"id": "mit"}})


def test_yaml_subset() -> None:
    text = 'a: 1\nb: "x: y"  # comment\nc: [p, "q r"]\nd: {k: v}\ne:\n- 1\n- - 2\n  - 3\nf: ~\n'
    assert parse_yaml(text) == {
        "a": "1",
        "b": "x: y",
        "c": ["p", "q r"],
        "d": {"k": "v"},
        "e": ["1", ["2", "3"]],
        "f": None,
    }
    assert parse_yaml("t: |\n  one\n  two\n") == {"t": "one\ntwo\n"}
    for bad, line in [
        ("a: &anchor 1\n", 1),
        ("a: 1\na: 2\n", 2),
        ("a:\n\tb: 1\n", 2),
        ("a: 1\n  b: 2\n", 2),
        ("a: 'open\n", 1),
        ("a: !!python/object x\n", 1),
        ("a: [1, [2]]\n", 1),
    ]:
        with pytest.raises(YamlError) as info:
            parse_yaml(bad)
        assert info.value.line == line, bad
    with pytest.raises(YamlError):
        front_matter("---\nlicense: mit\n")  # never closed


def test_cache_root_from_environment(tmp_path: Path) -> None:
    assert hf_cache_root({"HF_HUB_CACHE": str(tmp_path)}) == (tmp_path, "$HF_HUB_CACHE")
    assert hf_cache_root({"HF_HOME": str(tmp_path)}) == (tmp_path / "hub", "$HF_HOME/hub")
    root, label = hf_cache_root({"XDG_CACHE_HOME": str(tmp_path)})
    assert root == tmp_path / "huggingface" / "hub"
    assert label == "$XDG_CACHE_HOME/huggingface/hub"
    assert hf_cache_root({})[1] == "~/.cache/huggingface/hub"


def test_cache_snapshots_refs_and_symlinks(tmp_path: Path) -> None:
    snapshot = add_repo(tmp_path, "Acme/Model", {"README.md": cards.BERT})
    assert (snapshot / "README.md").is_symlink()
    assert os.readlink(snapshot / "README.md").startswith("../../blobs/")
    cache = HubCache(tmp_path, "$HF_HUB_CACHE")
    found = cache.find("model", "acme/model")  # the Hub's ids are case-insensitive
    assert found is not None and found.revision == commit_of("Acme/Model")
    assert found.snapshot == snapshot
    _evidence, problems, card = folder_evidence(snapshot, "x", found.folder, False)
    assert card is not None and card.expression == "Apache-2.0" and not problems
    # a branch ref, a commit id, and a repository without refs
    add_repo(tmp_path, "Acme/Model", {"README.md": cards.NLLB}, commit="c" * 40, ref="v2")
    assert cache.find("model", "Acme/Model", "v2").revision == "c" * 40  # type: ignore[union-attr]
    assert cache.find("model", "Acme/Model", "c" * 40).revision == "c" * 40  # type: ignore[union-attr]
    lonely = add_repo(tmp_path, "acme/no-refs", {"README.md": cards.BERT}, ref=None)
    found = HubCache(tmp_path, "").find("model", "acme/no-refs")
    assert found is not None and found.snapshot == lonely and "only snapshot" in found.note
    assert cache.find("dataset", "Acme/Model") is None
    assert HubCache(tmp_path, "").find("model", "Acme/Model", "d" * 40).snapshot is None  # type: ignore[union-attr]


def test_timm_tags(tmp_path: Path) -> None:
    add_repo(tmp_path, "timm/resnet50.a1_in1k", {"README.md": "---\nlicense: apache-2.0\n---\n"})
    cache = HubCache(tmp_path, "")
    found = cache.find("model", "timm/resnet50", prefix_match=True)
    assert found is not None and "resnet50.a1_in1k" in found.note


def test_symlink_out_of_the_repository_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("---\nlicense: mit\n---\n", "utf-8")
    snapshot = add_repo(tmp_path / "hub", "acme/evil", {"config.json": "{}"})
    os.symlink(secret, snapshot / "README.md")
    folder = tmp_path / "hub" / "models--acme--evil"
    _evidence, problems, card = folder_evidence(snapshot, "label", folder, False)
    assert card is None
    assert [p.code for p in problems] == ["DL063"] and "outside" in problems[0].message


def test_malformed_card_is_a_finding(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: *alias\n---\n", "utf-8")
    _evidence, problems, card = folder_evidence(folder, "model", tmp_path)
    assert card is None and [p.code for p in problems] == ["DL063"]
    assert problems[0].location is not None and problems[0].location.line == 2


# front matters the earlier hand-written YAML subset dropped whole (license included);
# the shapes are those of published cards: a wrapped quoted string (long descriptions), a
# \U escape, an anchor/alias pair and a folded ">-" block.
@pytest.mark.parametrize(
    "yaml_text",
    [
        'license: apache-2.0\ndescription: "a long description\n  wrapped on two lines"\n',
        'license: mit\nwidget:\n- text: "smile \\U0001F600"\n',
        "license: cc-by-nc-4.0\nbase: &b {lr: 1}\nrun: *b\n",
        "license: openrail\nsummary: >-\n  folded\n  text\n",
        "license: llama2\nextra_gated_fields:\n  I agree: checkbox\n  Date: date_picker\n",
    ],
)
def test_front_matter_is_real_yaml(yaml_text: str) -> None:
    fields = front_matter(f"---\n{yaml_text}---\n# card\n")
    assert card_license(fields) is not None


def test_broken_yaml_falls_back_to_license_lines(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    card = "---\nlicense: cc-by-nc-4.0\ntags: [unclosed\nlicense_link: LICENSE\n---\n"
    (folder / "README.md").write_text(card, "utf-8")
    evidence, problems, found = folder_evidence(folder, "model", tmp_path)
    assert found is not None and found.expression == "CC-BY-NC-4.0"
    assert [p.code for p in problems] == ["DL063"]
    assert "only its license lines were read" in problems[0].message
    assert evidence[0].kind == "model-card"


def test_front_matter_size_is_bounded() -> None:
    huge = "---\nlicense: mit\nx: '" + "a" * (300 * 1024) + "'\n---\n"
    with pytest.raises(YamlError):
        front_matter(huge)
