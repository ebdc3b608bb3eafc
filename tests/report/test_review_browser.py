"""The legal review report read in headless Chromium (issue 19): on a ``--all`` environment
of real wheels with nothing declared, and on a real project's lock from the checkouts
corpus. One card per framework, a date and a revision, one value per trait, a dependency
picture with edges, and the PDF: page numbers, contents with pages, no card split."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dllicense.models import ScanResult
from dllicense.report import render
from dllicense.report.review import framework_cards
from tests.conftest import DISTS, FIXTURES
from tests.report.conftest import scan_project, write_project
from tests.report.test_html_browser import CHROMIUM, _Dom, chromium

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is not installed (Debian: apt-get install -y chromium)",
)
ALL_DISTS = (
    "jax-0.10.2",
    "jaxlib-0.10.2",
    "numpy-2.4.6",
    "scipy-1.17.1",
    "torch-2.14.1",
    "nvidia-cuda-runtime-cu12-12.9.79",
    "nvidia-nvtx-13.0.85",
    "cupy-cuda12x-14.2.0",
    "mkl-2026.2.0",
    "onnx-1.23.2",
)
OUTLINES = FIXTURES / "checkouts" / "outlines-uv"


@pytest.fixture(scope="module")
def all_result(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    """``--all``, nothing declared: every package hangs from the environment."""
    project = write_project(tmp_path_factory.mktemp("all") / "p", "# nothing declared\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
        from tests.conftest import scan_dirs

        return scan_dirs(
            project,
            *(DISTS / d for d in ALL_DISTS),
            texts="none",
            use_cache=False,
            include_all=True,
        )


@pytest.fixture(scope="module")
def lock_result() -> ScanResult:
    """A real project's uv.lock, nothing installed (read only, never written)."""
    return scan_project(OUTLINES, epoch=None)


def _dom(tmp_path: Path, result: ScanResult) -> _Dom:
    page = tmp_path / "report.html"
    page.write_text(render(result, "html"), encoding="utf-8")
    dom = _Dom()
    dom.feed(chromium(tmp_path, page, "--dump-dom"))
    return dom


def _classes(dom: _Dom, tag: str, name: str) -> list[dict[str, str | None]]:
    return [a for t, a in dom.tags if t == tag and name in (a.get("class") or "").split()]


@pytest.mark.parametrize("which", ["all_result", "lock_result"])
def test_one_card_per_framework_a_date_a_revision(
    tmp_path: Path, which: str, request: pytest.FixtureRequest
) -> None:
    result: ScanResult = request.getfixturevalue(which)
    dom = _dom(tmp_path, result)
    cards = [a["id"] for t, a in dom.tags if t == "article" and "fw" in (a.get("class") or "")]
    assert len(cards) == len(set(cards)) == len(framework_cards(result))
    text = " ".join(" ".join(dom.text).split())
    assert result.generated and f"Scanned {result.generated}" in text
    if which == "lock_result":  # the corpus lies in this repository
        assert f"Revision git {result.revision.commit[:12]}" in text
        assert f"uncommitted changes: {result.revision.dirty}" in text
    else:  # a temporary folder: no repository
        assert result.revision.vcs == "" and "Revision unknown (not in a git repository)" in text


def test_wheels_of_one_framework_share_one_card(tmp_path: Path, all_result: ScanResult) -> None:
    dom = _dom(tmp_path, all_result)
    assert len(_classes(dom, "tr", "wheel")) == sum(
        len(c.wheels) for c in framework_cards(all_result)
    )
    jax = next(c for c in framework_cards(all_result) if c.info.key == "jax")
    assert [w.node.name for w in jax.wheels] == ["jax", "jaxlib"]


@pytest.mark.parametrize("which", ["all_result", "lock_result"])
def test_no_contradicting_trait_values(
    tmp_path: Path, which: str, request: pytest.FixtureRequest
) -> None:
    result: ScanResult = request.getfixturevalue(which)
    page = render(result, "html")
    dom = _dom(tmp_path, result)
    axes = _classes(dom, "li", "axis")
    assert len(axes) == 3 * len(result.packages)
    # each trait line holds exactly one chip, and every chip links into the glossary
    for block in page.split('<li class="axis"')[1:]:
        line = block.split("</li>", 1)[0]
        assert line.count('class="chip"') == 1, line
    ids = {a.get("id") for _, a in dom.tags}
    chips = _classes(dom, "a", "chip")
    assert chips and all(str(a["href"])[1:] in ids for a in chips)


def test_edges_when_nothing_is_declared(tmp_path: Path, all_result: ScanResult) -> None:
    assert not any(p.node.direct for p in all_result.packages)
    dom = _dom(tmp_path, all_result)
    edges = [a for t, a in dom.tags if t == "path" and "edge" in (a.get("class") or "")]
    nodes = _classes(dom, "g", "node")
    assert edges and nodes
    # the failing nvidia wheel is drawn under what requires it, not straight from the root
    torch = next(p for p in all_result.packages if p.node.name == "torch")
    assert torch.node.requires and "numpy" not in torch.node.parents


def test_pdf_page_numbers_and_whole_cards(tmp_path: Path, all_result: ScanResult) -> None:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    target = tmp_path / "report.pdf"
    target.write_bytes(render(all_result, "pdf").encode("latin-1"))
    assert target.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        [pdftotext, "-layout", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
    contents = " ".join(pages[0].split()) + " ".join(pages[1].split())
    for p in all_result.packages:
        heading = f"{p.node.name} {p.node.version}"
        # the contents' page for the card: the card starts there and ends there
        where = [n for n, page in enumerate(pages, 1) if _card_starts(page, p)]
        assert len(where) == 1, heading
        assert f"{heading} {where[0]}" in contents, heading
        last = p.evidence[-1].source if p.evidence else "No evidence."
        page = pages[where[0] - 1]
        ends_here = last.split("/")[-1][:10] in " ".join(page.split())
        # a card longer than a page cannot end on it: then it starts on a page of its own
        first = next(line for line in page.splitlines() if line.strip())
        assert ends_here or " ".join(first.split()).startswith(heading), heading


def _card_starts(page: str, p: object) -> bool:
    from dllicense.models import PackageResult

    assert isinstance(p, PackageResult)
    lines = [" ".join(line.split()) for line in page.splitlines()]
    return any(line.startswith(f"{p.node.name} {p.node.version} {p.status}") for line in lines)
