"""The GitHub Action (``action.yml``): its structure, and its steps run here as CI runs them.

GitHub Actions cannot run here: the composite action's ``run`` steps are run
with bash in order, with the inputs and ``${{ }}`` values a runner would give
them, ``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY`` files, and the ``uses``
steps checked for what they would receive.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import venv
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import DISTS
from tests.gate.conftest import BIN, REPO, project, working_tree_clone

EXPR = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def _action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text("utf-8"))
    return data


def test_action_structure() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    upload = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif }}"
    declared = set(action["inputs"])
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            # values reach scripts through env, never pasted into them (no script injection)
            assert "${{" not in step["run"], step["name"]
        for expr in EXPR.findall(json.dumps(step)):
            for name in re.findall(r"inputs\.([\w-]+)", expr):
                assert name in declared, name
    install = next(s for s in steps if s.get("name") == "Install dllicense")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    scan = next(s for s in steps if s.get("id") == "scan")
    assert "--format sarif,markdown,json -o" in scan["run"]
    assert {"exit-code", "report-dir"} <= set(action["outputs"])


def _run_steps(
    action: dict[str, Any], inputs: dict[str, str], path: str, action_path: Path, work: Path
) -> dict[str, Any]:
    """Run the action's steps as a runner would; return outputs, summary and the final status."""
    values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()} | inputs
    output, summary = work / "github_output", work / "github_summary"
    output.touch()
    summary.touch()
    context: dict[str, str] = {f"inputs.{k}": v for k, v in values.items()}
    context["github.action_path"] = str(action_path)
    status, skipped = 0, []
    for step in action["runs"]["steps"]:
        for line in output.read_text("utf-8").splitlines():
            key, _, value = line.partition("=")
            context[f"steps.scan.outputs.{key}"] = value
        if "uses" in step:
            if step["uses"].startswith("github/codeql-action/upload-sarif@"):
                sarif = EXPR.sub(lambda m: context.get(m.group(1), ""), step["with"]["sarif_file"])
                context["uploaded"] = sarif
            skipped.append(step["uses"])
            continue
        env = {
            k: EXPR.sub(lambda m: context[m.group(1)], str(v))
            for k, v in step.get("env", {}).items()
        }
        env |= {
            "PATH": f"{path}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "HOME": os.environ.get("HOME", str(work)),
            "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", str(work / "cache")),
        }
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]], cwd=work, env=env, capture_output=True, text=True
        )
        status = done.returncode
        if status and step is not action["runs"]["steps"][-1]:
            raise AssertionError(f"step {step['name']} failed: {done.stderr}")
    return {"context": context, "summary": summary.read_text("utf-8"), "status": status}


def _failing_project(work: Path) -> Path:
    return project(work / "app", [], 'allow = ["MIT"]')


def _check_failing_run(run: dict[str, Any], work: Path) -> None:
    context = run["context"]
    assert context["steps.scan.outputs.exit-code"] == "1"
    assert run["status"] == 1  # the job fails with the scan's code
    sarif = work / context["uploaded"]
    data = json.loads(sarif.read_text("utf-8"))
    assert data["version"] == "2.1.0"
    assert any(r["ruleId"] == "DL201" for r in data["runs"][0]["results"])
    assert "dllicense" in run["summary"] and "keras" in run["summary"]
    assert json.loads((work / "reports" / "dllicense.json").read_text("utf-8"))["packages"]


def test_the_steps_with_this_environment(tmp_path: Path) -> None:
    """Scan, summary and exit steps with the dllicense installed here (the install step aside)."""
    app = _failing_project(tmp_path)
    inputs = {
        "project": str(app),
        "args": f"--path {DISTS / 'keras-3.15.1'} --texts none",
        "output-dir": "reports",
    }
    action = _action()
    steps = action["runs"]["steps"]
    steps.remove(next(s for s in steps if s.get("name") == "Install dllicense"))
    run = _run_steps(action, inputs, str(BIN), REPO, tmp_path)
    _check_failing_run(run, tmp_path)
    clean = _run_steps(action, inputs | {"fail-on": "never"}, str(BIN), REPO, tmp_path)
    assert clean["status"] == 0


@pytest.mark.slow
def test_every_step_in_a_fresh_environment(tmp_path: Path) -> None:
    """The install step too: pip installs the action's own checkout into a fresh Python."""
    clone = tmp_path / "action"
    working_tree_clone(clone)
    runner = tmp_path / "python"
    venv.EnvBuilder(with_pip=True).create(runner)  # what actions/setup-python provides
    app = _failing_project(tmp_path)
    inputs = {
        "project": str(app),
        "extras": "",
        "args": f"--path {DISTS / 'keras-3.15.1'} --texts none",
        "output-dir": "reports",
    }
    run = _run_steps(_action(), inputs, str(runner / "bin"), clone, tmp_path)
    _check_failing_run(run, tmp_path)
    where = subprocess.run(
        [str(runner / "bin" / "python"), "-c", "import dllicense; print(dllicense.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(runner))  # installed from the checkout, not editable
