"""The project's own from_pretrained methods, newer syntax, scopes and merged findings.

The snippets reproduce, in a few lines written for these tests, the shapes read in real
repositories: nanoGPT's ``GPT.from_pretrained`` (karpathy/nanoGPT 3adf61e1 model.py:206-238,
sample.py:49, train.py:185), lerobot's policies and processor pipelines (huggingface/lerobot
7427f318 src/lerobot/policies/pretrained.py:147-190) and its PEP 695 syntax
(src/lerobot/processor/pipeline.py:265). ``test_real_repositories`` scans the real code when
a fetched copy is given (see ``tests/models/real_repositories.toml``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from dllicense.collect.modelcards import HubCache, model_packages
from dllicense.discover.modelrefs import scan_sources
from dllicense.discover.newsyntax import downgrade


def _write(root: Path, files: dict[str, str]) -> None:
    for name, code in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code), encoding="utf-8")


NANOGPT_LIKE = {
    "model.py": """
        from transformers import GPT2LMHeadModel

        class GPT:
            @classmethod
            def from_pretrained(cls, model_type, override_args=None):
                assert model_type in {'gpt2', 'gpt2-medium', 'gpt2-large', 'gpt2-xl'}
                model_hf = GPT2LMHeadModel.from_pretrained(model_type)
                return model_hf
        """,
    "sample.py": """
        from model import GPT
        init_from = 'resume'
        if init_from == 'resume':
            pass
        elif init_from.startswith('gpt2'):
            model = GPT.from_pretrained(init_from, dict(dropout=0.0))
        """,
    "train.py": """
        from model import GPT
        init_from = 'scratch'
        model = GPT.from_pretrained(init_from, {})
        other = GPT.from_pretrained('gpt2-xl')
        """,
}


def test_own_from_pretrained_is_not_a_hub_call(tmp_path: Path) -> None:
    _write(tmp_path, NANOGPT_LIKE)
    scan = scan_sources(tmp_path)
    names = {(r.name, r.location.file, r.location.line) for r in scan.references}
    assert names == {
        ("gpt2", "model.py", 8),
        ("gpt2-medium", "model.py", 8),
        ("gpt2-large", "model.py", 8),
        ("gpt2-xl", "model.py", 8),
        ("gpt2-xl", "train.py", 5),  # a literal the method accepts, at its call site
    }
    assert not [p for p in scan.problems if p.code == "DL060"]
    inner = next(r for r in scan.references if r.name == "gpt2")
    assert "checked against" in inner.note


LEROBOT_LIKE = {
    "pkg/__init__.py": "",
    "pkg/pretrained.py": """
        import os
        from huggingface_hub import hf_hub_download

        class PreTrainedPolicy:
            @classmethod
            def from_pretrained(cls, pretrained_name_or_path, *, revision=None):
                model_id = str(pretrained_name_or_path)
                if os.path.isdir(model_id):
                    return cls._load(model_id)
                model_file = hf_hub_download(repo_id=model_id, filename="model.safetensors")
                return cls._load(model_file)

        class LocalOnly:
            @classmethod
            def from_pretrained(cls, path):
                return cls._read(path)

            @classmethod
            def _read(cls, path):
                return open(path).read()

        class Pipeline:
            @classmethod
            def from_pretrained(cls, model_id, config_filename):
                return cls._load_config(model_id, config_filename)

            @classmethod
            def _load_config(cls, model_id, config_filename):
                return hf_hub_download(repo_id=model_id, filename=config_filename)
        """,
    "pkg/act.py": """
        from pkg.pretrained import PreTrainedPolicy

        class ACTPolicy(PreTrainedPolicy):
            pass
        """,
    "examples/run.py": """
        from pkg.act import ACTPolicy
        from pkg.pretrained import LocalOnly, Pipeline
        policy = ACTPolicy.from_pretrained("lerobot/act_aloha")
        local = LocalOnly.from_pretrained("outputs/run")
        pipe = Pipeline.from_pretrained("lerobot/pi0_base", "policy_preprocessor.json")
        """,
    "tests/test_run.py": """
        from pkg.pretrained import Pipeline

        def test_load(tmp_path):
            Pipeline.from_pretrained(tmp_path / "saved", "config.json")
            Pipeline.from_pretrained("nonexistent-user/nonexistent-repo", "config.json")
        """,
}


def test_ids_are_followed_into_project_loaders(tmp_path: Path) -> None:
    _write(tmp_path, LEROBOT_LIKE)
    scan = scan_sources(tmp_path)
    found = {(r.name, r.location.file, r.scope) for r in scan.references}
    assert found == {
        ("lerobot/act_aloha", "examples/run.py", "examples"),  # inherited loader
        ("lerobot/pi0_base", "examples/run.py", "examples"),  # through a helper method
        ("nonexistent-user/nonexistent-repo", "tests/test_run.py", "tests"),
    }
    # the loaders' own parameters are the call sites' business: no DL060 inside them
    codes = [(p.code, p.location.file if p.location else "") for p in scan.problems]
    assert codes == [("DL062", "tests/test_run.py")]  # tmp_path / "saved": a local path


def test_test_and_example_scopes_do_not_reach_a_runtime_scan(tmp_path: Path) -> None:
    _write(tmp_path, LEROBOT_LIKE)
    cache = HubCache(tmp_path / "no-cache", "")
    everything, _ = model_packages(tmp_path, cache=cache)
    assert {p.node.name: p.node.scopes for p in everything} == {
        "lerobot/act_aloha": ("model", "group:examples"),
        "lerobot/pi0_base": ("model", "group:examples"),
        "nonexistent-user/nonexistent-repo": ("model", "group:tests"),
    }
    runtime, problems = model_packages(tmp_path, cache=cache, scopes=("runtime",))
    assert runtime == [] and problems == []
    groups, problems = model_packages(tmp_path, cache=cache, scopes=("groups",))
    assert len(groups) == 3 and [p.code for p in problems] == ["DL062"]


def test_same_dynamic_name_is_one_finding(tmp_path: Path) -> None:
    code = """
    import argparse
    from transformers import AutoModel, AutoTokenizer
    args = argparse.ArgumentParser().parse_args()
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModel.from_pretrained(args.model)
    other = AutoModel.from_pretrained(args.other)
    """
    _write(tmp_path, {"train.py": code})
    problems = scan_sources(tmp_path).problems
    assert [(p.code, p.location.line if p.location else 0) for p in problems] == [
        ("DL060", 5),
        ("DL060", 7),
    ]
    assert "also loaded on lines 6" in problems[0].message


def test_python_312_syntax_is_read(tmp_path: Path) -> None:
    code = """
    from transformers import AutoModel
    type FeatureDict = dict[str, dict[str, int]]

    class Pipeline[TInput, TOutput]:
        def load[T: str](self, x: T) -> T:
            return AutoModel.from_pretrained("org/in-generic-class")

    model = AutoModel.from_pretrained("org/after")
    """
    _write(tmp_path, {"new.py": code})
    scan = scan_sources(tmp_path)
    assert {(r.name, r.location.line) for r in scan.references} == {
        ("org/in-generic-class", 7),
        ("org/after", 9),
    }
    assert not scan.problems
    assert downgrade("x = 1\n") == ("x = 1\n", 0)
    _write(tmp_path, {"broken.py": "def oops(:\n    pass\n"})
    assert [p.code for p in scan_sources(tmp_path).problems] == ["DL061"]


# -- real repositories -----------------------------------------------------------------

REAL = Path(__file__).parent / "real_repositories.toml"


def _mirror(repo: str) -> Path | None:
    base = Path(os.environ.get("DLLICENSE_MIRRORS", "/work/.mirror"))
    git_dir = base / repo.replace("/", "+") / "repo"
    return git_dir if git_dir.is_dir() else None


def _checkout(git_dir: Path, commit: str, paths: list[str], target: Path) -> None:
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "--name-only", commit, *paths],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    for name in listing:
        if not name.endswith((".py", ".ipynb")):
            continue
        data = subprocess.run(
            ["git", f"--git-dir={git_dir}", "show", f"{commit}:{name}"],
            check=True,
            capture_output=True,
        ).stdout
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(data)


@pytest.mark.slow
@pytest.mark.parametrize("slug", sorted(tomllib.loads(REAL.read_text("utf-8"))["repository"]))
def test_real_repositories(slug: str, tmp_path: Path) -> None:
    """Recall of the static references read by hand, no invented id, dynamic ones located."""
    entry = tomllib.loads(REAL.read_text("utf-8"))["repository"][slug]
    git_dir = _mirror(entry["repo"])
    if git_dir is None or sys.platform == "win32":
        pytest.skip(f"no fetched copy of {entry['repo']} (set DLLICENSE_MIRRORS)")
    _checkout(git_dir, entry["commit"], entry.get("paths", []), tmp_path)
    scan = scan_sources(tmp_path)
    found = {r.name for r in scan.references}
    expected = set(entry["expected"])
    recall = len(found & expected) / len(expected)
    assert recall >= 0.95, sorted(expected - found)
    assert not found & set(entry.get("invented", [])), sorted(found & set(entry["invented"]))
    assert found <= expected | set(entry.get("extra", [])), sorted(found - expected)
    assert all(p.location is not None for p in scan.problems if p.code == "DL060")
