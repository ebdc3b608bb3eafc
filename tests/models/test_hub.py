"""--online model cards: Hub answers replayed on 127.0.0.1 (tests/models/hubserver.py)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from dllicense.classify.verdict import classify
from dllicense.collect.hub import HubAnswer, HubClient, HubFailure
from dllicense.collect.modelcards import HubCache, folder_evidence, model_packages
from dllicense.models import ExternalPackage

from .hubserver import Hub, HubServer

pytest.importorskip("huggingface_hub")

CODE = """
from transformers import AutoModelForCausalLM, pipeline
from diffusers import DiffusionPipeline

llama = AutoModelForCausalLM.from_pretrained(
    "meta-llama/Llama-2-7b-hf", revision="a4d9a024c8a8ccc80f48133ae4cbe7a2e105661b"
)
gemma = AutoModelForCausalLM.from_pretrained("google/gemma-2b")
sd = DiffusionPipeline.from_pretrained("stabilityai/stable-diffusion-2")
bloom = AutoModelForCausalLM.from_pretrained("bigscience/bloom")
nllb = pipeline("translation", model="facebook/nllb-200-distilled-600M")
svd = DiffusionPipeline.from_pretrained("stabilityai/stable-video-diffusion-img2vid-xt")
opt = AutoModelForCausalLM.from_pretrained("facebook/opt-30b")
"""
# the licence each card states (tests/fixtures/hub/README.md: where each card came from)
EXPECTED = {
    "meta-llama/Llama-2-7b-hf": "LicenseRef-Llama2",
    "google/gemma-2b": "LicenseRef-Gemma",
    "stabilityai/stable-diffusion-2": "LicenseRef-CreativeML-OpenRAIL-plus-plus-M",
    "bigscience/bloom": "LicenseRef-BigScience-BLOOM-RAIL-1.0",
    "facebook/nllb-200-distilled-600M": "CC-BY-NC-4.0",
    "stabilityai/stable-video-diffusion-img2vid-xt": (
        "LicenseRef-hf-stable-video-diffusion-nc-community"
    ),
    "facebook/opt-30b": "LicenseRef-dllicense-card-non-commercial",
}
TOKEN = "hf_testtoken_never_shown_0123456789"


@pytest.fixture
def server() -> Iterator[HubServer]:
    with HubServer() as running:
        yield running


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "load.py").write_text(CODE, encoding="utf-8")
    (root / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n', "utf-8")
    return root


def _client(server: HubServer, cache: Path, **env: str) -> HubClient:
    return HubClient(cache, True, {"HF_ENDPOINT": server.url, **env})


def _packages(project: Path, hub: HubClient, tmp_path: Path) -> dict[str, ExternalPackage]:
    empty = tmp_path / "hf-cache"
    empty.mkdir(exist_ok=True)
    packages, _ = model_packages(project, cache=HubCache(empty, "$HF_HUB_CACHE"), hub=hub)
    return {p.node.name: p for p in packages}


def test_every_card_gives_its_licence(server: HubServer, project: Path, tmp_path: Path) -> None:
    found = _packages(project, _client(server, tmp_path / "cache"), tmp_path)
    got = {name: classify(p.evidence).expression for name, p in found.items()}
    assert got == EXPECTED
    sources = {name: [e.source for e in p.evidence] for name, p in found.items()}
    assert "Hub bigscience/bloom@4bf48c6f3d2f cardData" in sources["bigscience/bloom"]
    card = next(e for e in found["bigscience/bloom"].evidence if e.kind == "model-card")
    assert "read from the Hub API (127.0.0.1:" in card.note and "default branch" in card.note
    llama = found["meta-llama/Llama-2-7b-hf"]
    assert llama.node.version == "a4d9a024c8a8ccc80f48133ae4cbe7a2e105661b"
    assert any("pinned in the code" in e.note for e in llama.evidence)
    assert found["facebook/opt-30b"].node.version == "0" * 40  # the commit the Hub answered


def test_pinned_revision_is_the_version_asked_for(
    server: HubServer, project: Path, tmp_path: Path
) -> None:
    _packages(project, _client(server, tmp_path / "cache"), tmp_path)
    asked = [r for r in server.hub.requests if "Llama-2-7b-hf" in r]
    assert asked == [
        "GET /api/models/meta-llama/Llama-2-7b-hf/revision/"
        "a4d9a024c8a8ccc80f48133ae4cbe7a2e105661b?blobs=true"
    ]
    missing = _client(server, tmp_path / "other").info("model", "bigscience/bloom", "v9.9")
    assert isinstance(missing, HubFailure) and missing.missing and "v9.9" in missing.message


def test_license_other_reads_the_licence_file(server: HubServer, tmp_path: Path) -> None:
    answer = _client(server, tmp_path / "cache").info(
        "model", "stabilityai/stable-video-diffusion-img2vid-xt"
    )
    assert isinstance(answer, HubAnswer) and answer.license_file is not None
    assert answer.license_file.name == "LICENSE"
    assert answer.license_file.text.startswith(
        "STABLE VIDEO DIFFUSION NON-COMMERCIAL COMMUNITY LICENSE AGREEMENT"
    )
    # a card that names its licence by id: no file is downloaded (LICENSE-MODEL is listed)
    sd = _client(server, tmp_path / "cache").info("model", "stabilityai/stable-diffusion-2")
    assert isinstance(sd, HubAnswer) and sd.license_file is None
    assert not any("/resolve/" in r and "stable-diffusion-2/" in r for r in server.hub.requests)


def test_licence_file_download_is_bounded(server: HubServer, tmp_path: Path) -> None:
    repo = server.hub.repos["stabilityai/stable-video-diffusion-img2vid-xt"]
    repo.sizes["LICENSE"] = 50 * 1024 * 1024
    answer = _client(server, tmp_path / "cache").info("model", repo.id)
    assert isinstance(answer, HubAnswer) and answer.license_file is None
    assert any("not downloaded" in n for n in answer.notes)
    assert not any("/resolve/" in r for r in server.hub.requests)


def test_gating_and_commercial_false_are_conditions(
    server: HubServer, project: Path, tmp_path: Path
) -> None:
    found = _packages(project, _client(server, tmp_path / "cache"), tmp_path)
    llama = found["meta-llama/Llama-2-7b-hf"]
    access = [e for e in llama.evidence if e.kind == "access-terms"]
    assert access and "manual approval" in access[0].note
    assert "LLAMA 2 COMMUNITY LICENSE AGREEMENT" in access[0].value
    (condition,) = [p for p in llama.problems if p.code == "DL064"]
    assert "700 million" in condition.message and "manual approval" in condition.message
    gemma = found["google/gemma-2b"]
    assert any("auto approval" in p.message for p in gemma.problems if p.code == "DL064")
    assert not [e for e in found["bigscience/bloom"].evidence if e.kind == "access-terms"]
    opt = found["facebook/opt-30b"].evidence
    assert [e.value for e in opt if e.kind == "card-terms"] == ["commercial: false"]


def test_answers_are_cached_per_revision(server: HubServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _client(server, cache).info("model", "bigscience/bloom")
    count = len(server.hub.requests)
    again = _client(server, cache).info("model", "bigscience/bloom")
    assert isinstance(first, HubAnswer) and isinstance(again, HubAnswer)
    assert len(server.hub.requests) == count and again.cached and not first.cached
    assert (again.sha, again.card) == (first.sha, first.card)
    fresh = HubClient(cache, False, {"HF_ENDPOINT": server.url}).info("model", "bigscience/bloom")
    assert isinstance(fresh, HubAnswer) and len(server.hub.requests) == count + 1
    other = _client(server, cache).info("model", "bigscience/bloom", first.sha)
    assert isinstance(other, HubAnswer) and len(server.hub.requests) == count + 2


def test_offline_mode_uses_only_the_cache(server: HubServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    offline = _client(server, cache, HF_HUB_OFFLINE="1")
    missing = offline.info("model", "bigscience/bloom")
    assert isinstance(missing, HubFailure) and "HF_HUB_OFFLINE" in missing.message
    assert server.hub.requests == []
    _client(server, cache).info("model", "bigscience/bloom")
    count = len(server.hub.requests)
    cached = _client(server, cache, HF_HUB_OFFLINE="1").info("model", "bigscience/bloom")
    assert isinstance(cached, HubAnswer) and len(server.hub.requests) == count


def test_token_is_sent_and_never_shown(server: HubServer, project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    hub = _client(server, cache, HF_TOKEN=TOKEN)
    found = _packages(project, hub, tmp_path)
    assert server.hub.authorizations and set(server.hub.authorizations) == {f"Bearer {TOKEN}"}
    text = json.dumps([[str(e) for e in p.evidence] for p in found.values()])
    text += json.dumps([[str(x) for x in p.problems] for p in found.values()]) + repr(hub)
    text += "".join(p.read_text("utf-8") for p in (cache / "hub").iterdir())
    assert TOKEN not in text


def test_unreachable_hub_falls_back_to_the_cache(project: Path, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hub = HubClient(tmp_path / "cache", True, {"HF_ENDPOINT": f"http://127.0.0.1:{port}"})
    found = _packages(project, hub, tmp_path)
    bloom = found["bigscience/bloom"]
    assert bloom.node.version == "" and classify(bloom.evidence).expression == ""
    (card,) = [e for e in bloom.evidence if e.kind == "model-card"]
    assert "cannot be reached" in card.note and "not found in $HF_HUB_CACHE" in card.note


def test_missing_repository_is_a_note(server: HubServer, tmp_path: Path) -> None:
    server.hub.fail["bigscience/bloom"] = 500
    failed = _client(server, tmp_path / "c").info("model", "bigscience/bloom")
    assert isinstance(failed, HubFailure) and "HTTP 500" in failed.message
    gone = _client(server, tmp_path / "c").info("model", "nobody/nothing")
    assert isinstance(gone, HubFailure) and gone.missing


def test_local_card_commercial_false(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    card = Path(__file__).parents[1] / "fixtures" / "hub" / "cards" / "facebook--opt-30b.md"
    (folder / "README.md").write_bytes(card.read_bytes())
    evidence, problems, _ = folder_evidence(folder, "model", tmp_path)
    assert problems == []
    verdict = classify(evidence)
    assert verdict.expression == "LicenseRef-dllicense-card-non-commercial"
    assert any("licence itself is unknown" in n for n in verdict.notes)


def test_commercial_false_fails_commercial_distribution(
    server: HubServer, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dllicense.pipeline import ScanOptions, scan

    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "HF_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hf"))
    options = ScanOptions(
        project=project,
        models=True,
        online=True,
        policy="commercial-distribution",
        cache_dir=tmp_path / "dl-cache",
    )
    result = scan(options)
    status = {p.node.name: p.status for p in result.packages}
    assert status["facebook/opt-30b"] == "error"
    codes = {(f.code, f.package) for f in result.findings}
    assert ("DL202", "facebook/opt-30b") in codes
    assert ("DL202", "facebook/nllb-200-distilled-600M") in codes
    research = scan(
        ScanOptions(
            project=project,
            models=True,
            online=True,
            policy="research",
            cache_dir=tmp_path / "dl-cache",
        )
    )
    assert {p.node.name: p.status for p in research.packages}["facebook/opt-30b"] == "warning"


def test_hub_fixture_answers_have_the_api_shape() -> None:
    hub = Hub()
    for repo in hub.repos.values():
        answer = repo.answer()
        assert set(answer) >= {"id", "sha", "cardData", "tags", "gated", "siblings"}
        assert len(answer["sha"]) == 40 and "README.md" in {
            s["rfilename"] for s in answer["siblings"]
        }


def test_models_command_reads_the_hub_with_online(
    server: HubServer, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dllicense models --online` lists what `scan --models --online` reads (it was 'No such
    option', exit 2, while the README sends users to both); without --online, no Hub call."""
    from click.testing import CliRunner

    from dllicense.cli import main

    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hf"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    args = ["models", str(project), "--format", "json", "--cache-dir", str(tmp_path / "dl")]
    done = CliRunner().invoke(main, [*args, "--online"])
    assert done.exit_code == 0, done.output
    listed = {p["name"]: p["license"] for p in json.loads(done.output)["packages"]}
    assert listed == EXPECTED
    asked = len(server.hub.requests)
    offline = CliRunner().invoke(main, ["models", str(project), "--format", "json"])
    assert offline.exit_code == 0 and len(server.hub.requests) == asked
    assert not any(p["license"] for p in json.loads(offline.output)["packages"])
