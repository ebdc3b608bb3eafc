"""Finding model and dataset references in code with ``ast``: call styles, constants, limits."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from dllicense.discover.modelrefs import ModelReference, SourceScan, scan_sources, walk


def _refs(scan: SourceScan) -> set[tuple[str, str, str]]:
    return {(r.kind, r.name, r.origin) for r in scan.references}


def _source(tmp_path: Path, code: str, name: str = "app.py") -> SourceScan:
    (tmp_path / name).write_text(textwrap.dedent(code), encoding="utf-8")
    return scan_sources(tmp_path)


def _by_name(scan: SourceScan) -> dict[str, ModelReference]:
    return {r.name: r for r in scan.references}


def test_fixture_project_references(project: Path) -> None:
    scan = scan_sources(project)
    assert _refs(scan) == {
        ("model", "facebook/nllb-200-distilled-600M", "huggingface"),  # f-string of a constant
        ("model", "meta-llama/Llama-2-7b-hf", "huggingface"),
        ("model", "google-bert/bert-base-uncased", "huggingface"),  # dict lookup
        ("model", "runwayml/stable-diffusion-v1-5", "huggingface"),  # concatenation, self.repo
        ("model", "01-ai/Yi-34B", "huggingface"),  # hf_hub_download(repo_id=...)
        ("dataset", "HuggingFaceH4/ultrachat_200k", "huggingface"),
        ("model", "models/intent-classifier", "local"),  # os.path.join to a project folder
        ("model", "google/gemma-2b", "huggingface"),  # in a notebook
    }
    by = {(r.name, r.call): r for r in scan.references}
    llama = by[("meta-llama/Llama-2-7b-hf", "AutoModelForCausalLM.from_pretrained")]
    assert llama.location.file == "src/ml_app/text.py" and llama.location.line == 22
    assert llama.revision == "main"  # revision=revision, the parameter's default
    nllb = by[("facebook/nllb-200-distilled-600M", "pipeline")]
    assert nllb.location.line == 17
    notebook = next(r for r in scan.references if r.name == "google/gemma-2b")
    assert notebook.location.file == "notebooks/explore.ipynb" and notebook.location.line == 3
    # the csv builder is not a dependency; pipeline(model=<loaded object>) is not a name
    assert not any(r.name == "csv" for r in scan.references)
    [dynamic] = [p for p in scan.problems if p.code == "DL060"]
    assert dynamic.location is not None
    assert (dynamic.location.file, dynamic.location.line) == ("src/ml_app/text.py", 34)
    assert "args.model" in dynamic.message and "cannot be resolved" in dynamic.message
    assert [p.code for p in scan.problems] == ["DL060"]
    assert "notebooks/explore.ipynb" in scan.files


def test_syntax_error_is_a_finding_not_a_crash(project: Path) -> None:
    (project / "src" / "ml_app" / "broken.py").write_text("def oops(:\n    pass\n", "utf-8")
    (project / "notebooks" / "bad.ipynb").write_text("{not json", "utf-8")
    scan = scan_sources(project)
    problems = {(p.code, p.location.file if p.location else "") for p in scan.problems}
    assert ("DL061", "src/ml_app/broken.py") in problems
    assert ("DL061", "notebooks/bad.ipynb") in problems
    broken = next(p for p in scan.problems if p.location and p.location.file.endswith("broken.py"))
    assert broken.location is not None and broken.location.line == 1
    assert len(scan.references) == 9  # the rest of the project is still read


def test_code_is_never_imported_or_run(tmp_path: Path) -> None:
    code = """
    import sys
    open("PWNED", "w").write("ran")
    sys.exit("imported!")
    from transformers import AutoModel
    AutoModel.from_pretrained("org/model")
    """
    before = sorted(p.name for p in tmp_path.iterdir())
    scan = _source(tmp_path, code)
    assert _refs(scan) == {("model", "org/model", "huggingface")}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "app.py"])


def test_constant_propagation(tmp_path: Path) -> None:
    code = """
    import os
    from pathlib import Path
    from transformers import AutoModel

    ORG = "acme"
    SIZE = "base"
    VERSION = 2
    NAME = f"{ORG}/model-{SIZE}-v{VERSION}"
    CHOICES = ("acme/a", "acme/b")
    MODELS = {"small": "acme/small", "large": "acme/large"}
    ALIAS = NAME
    ROOT = "models"

    def f1():
        return AutoModel.from_pretrained(NAME)

    def f2(key):
        return AutoModel.from_pretrained(MODELS[key])

    def f3():
        for choice in CHOICES:
            AutoModel.from_pretrained(choice)

    def f4():
        local = "acme" + "/" + "concat"
        return AutoModel.from_pretrained(local)

    def f5():
        return AutoModel.from_pretrained("%s/%s" % (ORG, "percent"))

    def f6():
        return AutoModel.from_pretrained("{}/{}".format(ORG, "formatted"))

    def f7():
        return AutoModel.from_pretrained("/".join([ORG, "joined"]))

    def f8(fast=True):
        name = "acme/fast" if fast else "acme/slow"
        return AutoModel.from_pretrained(name)

    def f9():
        return AutoModel.from_pretrained(os.getenv("BASE_MODEL", "acme/from-env"))

    def f10():
        return AutoModel.from_pretrained(MODELS["small"])

    def f11():
        return AutoModel.from_pretrained(ALIAS)

    def outer():
        inner_name = "acme/closure"
        def inner():
            return AutoModel.from_pretrained(inner_name)
        return inner

    def f12():
        return [AutoModel.from_pretrained(m) for m in MODELS.values()]
    """
    scan = _source(tmp_path, code)
    names = {r.name for r in scan.references}
    assert names == {
        "acme/model-base-v2",
        "acme/a",
        "acme/b",
        "acme/small",
        "acme/large",
        "acme/concat",
        "acme/percent",
        "acme/formatted",
        "acme/joined",
        "acme/fast",
        "acme/slow",
        "acme/from-env",
        "acme/closure",
    }
    assert not scan.problems
    notes = {(r.name, r.location.line): r.note for r in scan.references}
    assert "default of environment variable BASE_MODEL" in notes[("acme/from-env", 43)]
    assert "any value of MODELS" in notes[("acme/large", 19)]
    assert "one of the values m loops over" in notes[("acme/large", 58)]


def test_unresolvable_names_are_reported_with_file_and_line(tmp_path: Path) -> None:
    code = """
    import os
    from transformers import AutoModel
    from .settings import MODEL_NAME

    A = B = None

    def cli(args):
        AutoModel.from_pretrained(args.model)

    def env():
        AutoModel.from_pretrained(os.environ["MODEL"])

    def imported():
        AutoModel.from_pretrained(MODEL_NAME)

    def param(name):
        AutoModel.from_pretrained(name)

    def changed():
        name = "acme/x"
        name += "-large"
        AutoModel.from_pretrained(name)

    def not_a_string():
        AutoModel.from_pretrained(42)
    """
    scan = _source(tmp_path, code)
    assert not scan.references
    lines = sorted((p.code, p.location.line if p.location else 0) for p in scan.problems)
    assert lines == [
        ("DL060", 9),
        ("DL060", 12),
        ("DL060", 15),
        ("DL060", 18),
        ("DL060", 23),
        ("DL060", 26),
    ]
    messages = " ".join(p.message for p in scan.problems)
    assert "environment variable 'MODEL' without a default" in messages
    assert "MODEL_NAME is imported from .settings" in messages


REAL = Path(__file__).parents[1] / "fixtures" / "tryout" / "modelrefs"


def test_a_none_default_is_not_the_name_loaded(tmp_path: Path) -> None:
    """``def __init__(self, model_id: str | None = None)`` that sets ``model_id`` when none is
    given: the name set is the one loaded, never the default None (real files, README.md)."""
    for name in ("smolagents_models.py", "localgpt_latechunk.py"):
        shutil.copy2(REAL / name, tmp_path / name)
    scan = scan_sources(tmp_path)
    smollm = [r for r in scan.references if r.name == "HuggingFaceTB/SmolLM2-1.7B-Instruct"]
    assert {(r.location.file, r.location.line) for r in smollm} >= {
        ("smolagents_models.py", 950),
        ("smolagents_models.py", 957),
    }
    messages = {(p.location.file, p.location.line): p.message for p in scan.problems if p.location}
    assert not any("None is not a string" in m for m in messages.values())
    # latechunk.py: the name comes from a dict imported inside the function, which is said
    assert (
        "EXTERNAL_MODELS is imported from rag_system.main"
        in messages[("localgpt_latechunk.py", 37)]
    )
    only = _source(tmp_path, "def load(name=None):\n    AutoModel.from_pretrained(name)\n", "p.py")
    [problem] = [p for p in only.problems if p.location and p.location.file == "p.py"]
    assert "name is a parameter (default None)" in problem.message


def test_call_styles(tmp_path: Path) -> None:
    code = """
    import timm
    import torch
    import torchvision
    from torchvision import models as tvm
    from torchvision.models import ResNet50_Weights, get_model
    from datasets import load_dataset, load_dataset_builder
    from huggingface_hub import hf_hub_download, snapshot_download
    from peft import PeftModel
    from sentence_transformers import CrossEncoder, SentenceTransformer
    from transformers import AutoModel, pipeline

    base = AutoModel.from_pretrained(pretrained_model_name_or_path="acme/base", revision="v1.0")
    PeftModel.from_pretrained(base, "acme/adapter")
    hf_hub_download("acme/weights", "model.safetensors")
    snapshot_download(repo_id="acme/corpus", repo_type="dataset")
    snapshot_download(repo_id="acme/demo-space", repo_type="space")
    pipeline(task="fill-mask", model="acme/masker")
    pipeline("sentiment-analysis")
    load_dataset("acme/reviews", "default")
    load_dataset_builder(path="acme/builder")
    load_dataset("json", data_files="x.json")
    timm.create_model("convnext_tiny.fb_in22k", pretrained=True)
    timm.create_model("hf-hub:acme/timm-net", pretrained=True)
    timm.create_model("resnet18")
    tvm.resnet50(weights=ResNet50_Weights.IMAGENET1K_V2)
    torchvision.models.vit_b_16(weights="DEFAULT")
    torchvision.models.alexnet(pretrained=True)
    torchvision.models.resnet18(weights=None)
    get_model("regnet_y_16gf", weights="IMAGENET1K_SWAG_E2E_V1")
    torch.hub.load("facebookresearch/dino:main", "dino_vits16")
    SentenceTransformer("all-MiniLM-L6-v2")
    CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")
    AutoModel.from_pretrained("https://huggingface.co/acme/by-url")
    """
    scan = _source(tmp_path, code)
    assert _refs(scan) == {
        ("model", "acme/base", "huggingface"),
        ("model", "acme/adapter", "huggingface"),
        ("model", "acme/weights", "huggingface"),
        ("dataset", "acme/corpus", "huggingface"),
        ("model", "acme/masker", "huggingface"),
        ("dataset", "acme/reviews", "huggingface"),
        ("dataset", "acme/builder", "huggingface"),
        ("model", "timm/convnext_tiny.fb_in22k", "timm"),
        ("model", "acme/timm-net", "huggingface"),
        ("model", "torchvision/resnet50", "torchvision"),
        ("model", "torchvision/vit_b_16", "torchvision"),
        ("model", "torchvision/alexnet", "torchvision"),
        ("model", "torchvision/regnet_y_16gf", "torchvision"),
        ("model", "facebookresearch/dino/dino_vits16", "torch-hub"),
        ("model", "sentence-transformers/all-MiniLM-L6-v2", "huggingface"),
        ("model", "cross-encoder/ms-marco-MiniLM-L-6-v2", "huggingface"),
        ("model", "acme/by-url", "huggingface"),
    }
    by = _by_name(scan)
    assert by["acme/base"].revision == "v1.0"
    assert by["torchvision/resnet50"].variant == "ResNet50_Weights.IMAGENET1K_V2"
    assert by["timm/convnext_tiny.fb_in22k"].variant == "fb_in22k"
    assert not scan.problems


def test_local_paths(tmp_path: Path) -> None:
    (tmp_path / "weights" / "tiny").mkdir(parents=True)
    code = """
    from transformers import AutoModel
    AutoModel.from_pretrained("./weights/tiny")
    AutoModel.from_pretrained("./outputs/checkpoint-500")
    AutoModel.from_pretrained("/opt/models/private")
    AutoModel.from_pretrained("../outside")
    AutoModel.from_pretrained("not a model id!")
    """
    scan = _source(tmp_path, code)
    assert _refs(scan) == {("model", "weights/tiny", "local")}
    codes = sorted((p.code, p.location.line if p.location else 0) for p in scan.problems)
    assert codes == [("DL060", 7), ("DL062", 4), ("DL062", 5), ("DL062", 6)]


def test_skipped_folders_and_size_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    call = 'from transformers import AutoModel\nAutoModel.from_pretrained("acme/{}")\n'
    for folder in (".venv", "venv", "node_modules", ".git", "lib/site-packages", "myenv"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "x.py").write_text(call.format(folder.replace("/", "-")), "utf-8")
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr/bin\n", "utf-8")
    (tmp_path / "app.py").write_text(call.format("kept"), "utf-8")
    (tmp_path / "big.py").write_text(call.format("big") + "#" * 200, "utf-8")
    monkeypatch.setattr(walk, "MAX_FILE_BYTES", 150)
    scan = scan_sources(tmp_path)
    assert {r.name for r in scan.references} == {"acme/kept"}
    [big] = scan.problems
    assert big.code == "DL061" and "larger than" in big.message


def test_hostile_source_does_not_crash(tmp_path: Path) -> None:
    deep = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    chain = "\n".join(f"N{i} = N{i + 1}" for i in range(200)) + '\nN200 = "acme/deep"\n'
    cycle = "A = B\nB = A\n"
    calls = "from transformers import AutoModel\nAutoModel.from_pretrained(N0)\n"
    calls += "AutoModel.from_pretrained(A)\n"
    many = "P = ['a', 'b', 'c', 'd', 'e']\n"
    many += "for x in P:\n    for y in P:\n        AutoModel.from_pretrained(f'{x}/{y}')\n"
    (tmp_path / "deep.py").write_text(deep, "utf-8")
    (tmp_path / "nul.py").write_bytes(b"x = 1\x00\n")
    (tmp_path / "app.py").write_text(chain + cycle + calls + many, "utf-8")
    scan = scan_sources(tmp_path)
    assert {p.code for p in scan.problems} <= {"DL060", "DL061"}
    assert any(
        p.code == "DL061" and p.location and p.location.file == "nul.py" for p in scan.problems
    )
    assert len([p for p in scan.problems if p.code == "DL060"]) == 3  # chain, cycle, product


def test_notebook_cells(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {"cell_type": "code", "source": "MODEL = 'acme/nb'\n"},
            {"cell_type": "code", "source": ["!pip install x\n", "load(\n"]},
            {
                "cell_type": "code",
                "source": [
                    "from transformers import AutoModel\n",
                    "AutoModel.from_pretrained(MODEL)\n",
                ],
            },
        ],
    }
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook), "utf-8")
    scan = scan_sources(tmp_path)
    # each cell is parsed on its own: a name set in another cell cannot be resolved
    [unresolved, syntax] = sorted(scan.problems, key=lambda p: p.code)
    assert unresolved.code == "DL060" and "notebook cell 3" in unresolved.message
    assert syntax.code == "DL061" and "notebook cell 2" in syntax.message
