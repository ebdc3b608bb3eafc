"""``dllicense scan --templates DIR``: user templates first, the built-in ones for the rest.

Real scans of fixture folders through the real CLI (a fresh process where the
exit code and stderr matter); no mocks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dllicense import resultcache
from dllicense.report import TEMPLATES
from dllicense.resources import data_dir
from tests.conftest import DISTS, run_cli
from tests.report.conftest import EPOCH, SCRIPT, write_project

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{{ result.project }}</title></head>
<body><h1>Custom review of {{ result.project }}</h1>
<ul>
{% for v in packages %}
{% include "html/row.j2" %}
{% endfor %}
</ul>
<p>{{ counts.error }} errors</p>
</body></html>
"""
# a partial without .html in its name: under html/ it autoescapes all the same
ROW = "<li>{{ v.package.node.name }} {{ v.package.node.version }}: {{ v.family }}</li>\n"


def _templates(root: Path, page: str = PAGE) -> Path:
    (root / "html").mkdir(parents=True)
    (root / "html" / "report.html.j2").write_text(page, encoding="utf-8")
    (root / "html" / "row.j2").write_text(ROW, encoding="utf-8")
    return root


def _scan(project: Path, site: Path, *args: str | Path) -> list[str]:
    return [
        "scan",
        str(project),
        "--path",
        str(site),
        "--texts",
        "none",
        "--fail-on",
        "never",
        *map(str, args),
    ]


def _one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("dllicense: error: ") and "Traceback" not in stderr
    return lines[0]


def test_a_user_page_replaces_the_built_in_one(tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj", "onnx\n")
    tpl = _templates(tmp_path / "tpl")
    args = _scan(project, DISTS / "onnx-1.23.2", "--no-cache", "--format", "html")
    done = run_cli(*args, "--templates", str(tpl))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "<h1>Custom review of proj</h1>" in done.stdout
    assert "<li>onnx 1.23.2: permissive</li>" in done.stdout
    assert "0 errors" in done.stdout
    # same inputs, same bytes
    assert run_cli(*args, "--templates", str(tpl)).stdout == done.stdout


def test_a_partial_override_falls_back_to_the_built_in_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)  # the two runs compare byte for byte
    project = write_project(tmp_path / "proj", "onnx\n")
    tpl = _templates(tmp_path / "tpl")
    out, builtin = tmp_path / "out", tmp_path / "builtin"
    args = _scan(project, DISTS / "onnx-1.23.2", "--no-cache", "--format", "html,markdown")
    assert run_cli(*args, "--templates", str(tpl), "-o", str(out)).returncode == 0
    assert run_cli(*args, "-o", str(builtin)).returncode == 0
    # no markdown template in DIR: the built-in one, byte for byte
    markdown = (out / "dllicense.md").read_bytes()
    assert markdown == (builtin / "dllicense.md").read_bytes()
    assert b"dllicense: proj" in markdown
    html = (out / "dllicense.html").read_text("utf-8")
    assert "Custom review" in html and "Custom review" not in (
        builtin / "dllicense.html"
    ).read_text("utf-8")


def test_a_user_markdown_template_with_the_built_in_html(tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj", "onnx\n")
    tpl = tmp_path / "tpl"
    (tpl / "markdown").mkdir(parents=True)
    (tpl / "markdown" / "report.md.j2").write_text(
        "{% for p in failing %}{{ p.node.name | md }}{% endfor %}"
        "{{ result.packages | length }} package(s), {{ counts.error }} error(s)\n",
        encoding="utf-8",
    )
    args = _scan(project, DISTS / "onnx-1.23.2", "--no-cache", "--templates", str(tpl))
    done = run_cli(*args, "--format", "markdown")
    assert (done.returncode, done.stdout) == (0, "1 package(s), 0 error(s)\n"), done.stderr
    html = run_cli(*args, "--format", "html")
    assert html.returncode == 0 and "<!doctype html>" in html.stdout.lower()


def test_a_user_notice_template(tmp_path: Path) -> None:
    """THIRD_PARTY_NOTICES from a company template: the same context (licence texts with
    the packages that ship them), no escaping (plain text)."""
    project = write_project(tmp_path / "proj", "onnx\n")
    tpl = tmp_path / "tpl"
    (tpl / "notice").mkdir(parents=True)
    (tpl / "notice" / "THIRD_PARTY_NOTICES.j2").write_text(
        "ACME ships <these>:\n{% for t in licence_texts %}"
        "[{{ t.number }}] {{ t.packages | join(', ') }}: {{ t.kind }}\n{% endfor %}",
        encoding="utf-8",
    )
    args = _scan(project, DISTS / "onnx-1.23.2", "--no-cache", "--templates", str(tpl))
    done = run_cli(*args, "--format", "notice")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "ACME ships <these>:"
    assert lines[1:] == ["[1] onnx==1.23.2: license-file"], done.stdout


def test_user_html_templates_still_escape_package_metadata(tmp_path: Path) -> None:
    site = tmp_path / "site"
    info = site / "evil-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {SCRIPT}\nVersion: 1.0\nLicense: MIT\n", encoding="utf-8"
    )
    project = write_project(tmp_path / "proj", "\n")  # nothing declared: every installed one
    tpl = _templates(tmp_path / "tpl")
    done = run_cli(*_scan(project, site, "--no-cache", "--format", "html", "--templates", tpl))
    assert done.returncode == 0, done.stderr
    assert "<li>&lt;script&gt;document-title=&#39;pwned&#39;&lt;/script&gt; 1.0" in done.stdout
    assert "<script" not in done.stdout


def test_a_template_syntax_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj", "onnx\n")
    tpl = _templates(tmp_path / "tpl", page="<p>fine</p>\n{% for p in packages %}\n{{ p }\n")
    done = run_cli(*_scan(project, DISTS / "onnx-1.23.2", "--format", "html", "--templates", tpl))
    assert done.returncode == 2 and done.stdout == ""
    line = _one_error_line(done.stderr)
    assert f"template {tpl / 'html' / 'report.html.j2'}:3: " in line


def test_an_undefined_name_in_a_template_is_one_line_and_exit_2(tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj", "onnx\n")
    tpl = _templates(tmp_path / "tpl")
    (tpl / "html" / "row.j2").write_text("<li>\n{{ v.package.nope.name }}</li>\n", "utf-8")
    done = run_cli(*_scan(project, DISTS / "onnx-1.23.2", "--format", "html", "--templates", tpl))
    assert done.returncode == 2 and done.stdout == ""
    line = _one_error_line(done.stderr)
    assert f"template {tpl / 'html' / 'row.j2'}:2: " in line and "nope" in line


def test_a_missing_templates_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj", "onnx\n")
    missing = tmp_path / "no-such-folder"
    args = _scan(project, DISTS / "onnx-1.23.2", "--format", "html", "--templates", missing)
    done = run_cli(*args)
    assert done.returncode == 2 and done.stdout == ""
    line = _one_error_line(done.stderr)
    assert line == f"dllicense: error: --templates {missing}: not a directory"


def test_the_built_in_template_names_exist_and_are_documented() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    for name in TEMPLATES.values():
        assert (data_dir("reports") / name).is_file(), name
        assert f"`{name}`" in readme, name


def test_editing_a_template_changes_the_cache_key(tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj", "onnx\n")
    tpl = _templates(tmp_path / "tpl")
    site = str(DISTS / "onnx-1.23.2")

    def key() -> str | None:
        return resultcache.run_key(project, {"formats": ["html"]}, paths=(site,), templates=tpl)

    first = key()
    assert first is not None and first == key()
    seen = {first, resultcache.run_key(project, {"formats": ["html"]}, paths=(site,))}
    assert len(seen) == 2, "a --templates folder"
    (tpl / "html" / "row.j2").write_text(ROW.replace("<li>", "<li class=x>"), "utf-8")
    assert key() not in seen, "an edited include"
    seen.add(key())
    (tpl / "markdown").mkdir()
    (tpl / "markdown" / "report.md.j2").write_text("x\n", "utf-8")
    assert key() not in seen, "an added template"


def test_an_edited_template_invalidates_the_result_cache(tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj", "onnx\n")
    tpl = _templates(tmp_path / "tpl")
    cache = tmp_path / "cache"
    args = _scan(project, DISTS / "onnx-1.23.2", "--cache-dir", cache, "--format", "html")
    args += ["--templates", str(tpl)]
    first = run_cli(*args)
    assert first.returncode == 0 and "<h1>Custom review of proj</h1>" in first.stdout
    # prove the replay: doctor the stored result, an unchanged run prints it as it is
    (entry,) = (cache / "results").glob("*.json")
    data = json.loads(entry.read_text("utf-8"))
    data["outputs"] = [["html", "from the cache\n"]]
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert run_cli(*args).stdout == "from the cache\n"
    # an edited template is a new run, rendered with the new template
    page = tpl / "html" / "report.html.j2"
    page.write_text(PAGE.replace("Custom review", "Edited review"), encoding="utf-8")
    edited = run_cli(*args)
    assert edited.returncode == 0, edited.stderr
    assert "<h1>Edited review of proj</h1>" in edited.stdout
    assert len(list((cache / "results").glob("*.json"))) == 2


def test_the_same_templates_give_the_same_bytes_in_process(tmp_path: Path) -> None:
    from dllicense.report import render
    from tests.report.conftest import scan_project

    project = write_project(tmp_path / "proj", "onnx\n")
    tpl = _templates(tmp_path / "tpl")
    first = scan_project(project, DISTS / "onnx-1.23.2", epoch=EPOCH)
    second = scan_project(project, DISTS / "onnx-1.23.2", epoch=EPOCH)
    for fmt in ("html", "markdown"):
        assert render(first, fmt, templates=tpl) == render(second, fmt, templates=tpl), fmt
