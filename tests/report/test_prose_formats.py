"""Prose formats (html, markdown, notice): content, escaping of hostile metadata, bytes."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from dllicense.models import Revision, ScanResult
from dllicense.report import render
from tests.report.conftest import SCRIPT


class _Elements(HTMLParser):
    """Tags, ids, links and text of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("name", ["project_result", "hostile_result"])
def test_html_is_self_contained_and_runs_nothing(name: str, request: pytest.FixtureRequest) -> None:
    result: ScanResult = request.getfixturevalue(name)
    doc = _parse(render(result, "html"))
    tags = [t for t, _ in doc.tags]
    assert "script" not in tags and "iframe" not in tags and "object" not in tags
    assert "img" not in tags and "link" not in tags
    for _, attrs in doc.tags:
        assert not any(k.startswith("on") for k in attrs), attrs
        for key in ("href", "src"):
            value = attrs.get(key) or ""
            assert not value or value.startswith("#"), value
    ids = {a["id"] for _, a in doc.tags if a.get("id")}
    links = {(a.get("href") or "")[1:] for t, a in doc.tags if t == "a" and a.get("href")}
    assert links <= ids, links - ids
    csp = [a for t, a in doc.tags if t == "meta" and a.get("http-equiv")]
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")


def test_html_escapes_package_metadata(hostile_result: ScanResult) -> None:
    html = render(hostile_result, "html")
    assert "<script" not in html and "<img" not in html
    doc = _parse(html)
    text = "".join(doc.text)
    assert SCRIPT in text  # shown to the reviewer as text
    assert "<img src=x onerror=" in text
    assert "MIT OR <script>" in text


def test_html_sections(project_result: ScanResult) -> None:
    html = render(project_result, "html")
    doc = _parse(html)
    rows = [a.get("data-package") for t, a in doc.tags if t == "tr" and a.get("data-package")]
    assert rows == [p.node.name for p in project_result.packages]
    ids = {a.get("id") for _, a in doc.tags}
    assert {"chart-family", "chart-patent", "chart-commercial", "chart-severity"} <= ids
    assert {f"pkg-{p.node.name}" for p in project_result.packages} <= ids
    assert {"fw-keras", "fw-pytorch", "fw-cntk", "fw-onnx", "fw-opencv"} <= ids
    assert tuple(t for t, _ in doc.tags).count("svg") == 5  # four charts and the paths
    # the dependency drawing shows the direct dependency that brings NumPy in
    numpy = next(p for p in project_result.packages if p.node.name == "numpy")
    tree = html[html.index('<section id="paths">') : html.index('<section id="findings">')]
    assert f">{numpy.node.path[0]}</text>" in tree and ">numpy</text>" in tree
    assert ">keras</text>" not in tree or numpy.node.path[0] == "keras"
    # the knowledge base's record disagrees with OpenCV 4.4's wheel (MIT vs BSD-3-Clause)
    opencv = html[html.index('id="fw-opencv"') :]
    assert "differs from the knowledge base" in opencv[: opencv.index("</article>")]


def test_html_frameworks_show_code_spans_not_backticks(project_result: ScanResult) -> None:
    """frameworks.toml writes names and fields as Markdown code (``License: BSD``): the HTML
    shows them as <code>, never as raw backticks, and still escapes the rest."""
    html = render(project_result, "html")
    section = html[html.index('<section id="frameworks">') :]
    section = section[: section.index("</section>")]
    assert "<article" in section  # the fixture project has a framework
    assert "`" not in section
    assert "<code>" in section


def test_markdown_summary(project_result: ScanResult) -> None:
    md = render(project_result, "markdown")
    assert md.startswith("### ❌ dllicense: ")
    assert "**3 errors**" in md and "**22 warnings**" in md
    failing = md[md.index("#### Packages that need attention") : md.index("<details>")]
    assert "| ❌ | numpy | 1.26.4 |" in failing and "| ❌ | scipy |" in failing
    assert "keras |" not in failing.replace("› keras", "")
    assert "DL001 declared\\-not\\-installed" not in md
    assert "'h5py' (runtime) is declared but not installed (requirements.txt:7)" in md
    details = md[md.index("<details>") :]
    assert "</details>" in details
    assert details.count("\n| ") == len(project_result.packages) + 1


def test_markdown_escapes_package_metadata(hostile_result: ScanResult) -> None:
    md = render(hostile_result, "markdown")
    raw_tags = re.findall(r"(?<!\\)<(?!/?(?:details|summary|sub|br)>)[^>]*>?", md)
    assert not raw_tags  # only the template's own tags are left unescaped
    assert "\\<script\\>" in md and "\\[x\\](javascript:alert(1))" not in md
    for line in md.splitlines():
        if line.startswith("| ") and "hostile" in line:
            assert line.count(" | ") + 2 == line.count("|") - line.count("\\|")


def _sections(notice: str) -> list[str]:
    """The bodies of the numbered text sections of a notice file."""
    thin = "-" * 78
    parts = re.split(
        rf"^{thin}\n\[\d+\] [^\n]*\n(?:    [^\n]*\n)*{thin}\n\n", notice, flags=re.MULTILINE
    )[1:]
    rule = "=" * 78
    tail = re.compile(rf"\n\n{rule}\nNOTICE FILES\n{rule}\n+$")
    return [tail.sub("", p).rstrip("\n") for p in parts]


def test_notice_lists_every_package_and_text_once(project_result: ScanResult) -> None:
    text = render(project_result, "notice")
    assert text.startswith("THIRD-PARTY SOFTWARE NOTICES AND INFORMATION\n")
    packages = text[: text.index("LICENCE TEXTS")]
    for p in project_result.packages:
        assert f"\n{p.node.name} {p.node.version}\n" in packages
    assert project_result.texts
    bodies = _sections(text)
    assert sorted(bodies) == sorted(t.text.strip("\r\n") for t in project_result.texts)
    numbers = re.findall(r"^\[(\d+)\] ", text, flags=re.MULTILINE)
    assert numbers == [str(i) for i in range(1, len(project_result.texts) + 1)]


def _texts_line(notice: str, name: str, version: str) -> str:
    entry = notice.split(f"\n{name} {version}\n", 1)[1]
    return next(line for line in entry.splitlines() if line.startswith("    Texts: "))


def test_notice_says_why_a_package_has_no_text(project_result: ScanResult) -> None:
    """Files read and none found: "none shipped"; metadata from the index without its files
    (``--online`` without ``--fetch-files``): "not read", never "none shipped"."""
    shipping = {k for t in project_result.texts for k in t.packages}
    bare = next(
        p
        for p in project_result.packages
        if f"{p.node.name}=={p.node.version}" not in shipping and p.origin.files == "read"
    )
    name, version = bare.node.name, bare.node.version
    line = _texts_line(render(project_result, "notice"), name, version)
    assert line.startswith("    Texts: none shipped in the distribution")
    unfetched = replace(bare, origin=replace(bare.origin, metadata="index", files="not-fetched"))
    packages = tuple(unfetched if p is bare else p for p in project_result.packages)
    line = _texts_line(render(replace(project_result, packages=packages), "notice"), name, version)
    assert line.startswith("    Texts: not read (metadata from the package index; scan with")
    assert "none shipped" not in line


def test_notice_reproduces_apache_notice_files_verbatim(project_result: ScanResult) -> None:
    notices = [t for t in project_result.texts if t.kind == "notice-file"]
    assert [t.packages for t in notices] == [("onnx==1.23.2",)]
    text = render(project_result, "notice")
    section = text[text.index("\nNOTICE FILES\n") :]
    assert "NOTICE of onnx==1.23.2" in section
    assert notices[0].text.strip("\r\n") in section
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_notice_keeps_hostile_text_as_plain_text(hostile_result: ScanResult) -> None:
    text = render(hostile_result, "notice")
    assert SCRIPT in text  # plain text: nothing to escape, nothing altered


def test_markdown_fits_in_a_github_comment(project_result: ScanResult) -> None:
    from dataclasses import replace

    from dllicense.report.markdown import MAX_ROWS

    packages = tuple(
        replace(p, node=replace(p.node, name=f"{p.node.name}-{i}"))
        for i in range(60)
        for p in project_result.packages
    )
    big = replace(project_result, packages=packages)
    md = render(big, "markdown")
    assert len(md) < 65_536
    assert f"… and {len(packages) - MAX_ROWS} more" in md


def test_code_spans_escape_before_marking_up() -> None:
    from dllicense.report.templating import code_spans

    assert str(code_spans("`a<b` & `x`")) == "<code>a&lt;b</code> &amp; <code>x</code>"


def test_markdown_names_the_scanned_revision(project_result: ScanResult) -> None:
    """The PR comment says which commit it is about, escaped like every scanned value."""
    rev = Revision("git", "0123456789abcdef" * 2 + "01234567", "fix|<b>x</b>", "yes", "")
    md = render(replace(project_result, revision=rev), "markdown")
    footer = md[md.rindex("<sub>") :]
    assert "git 0123456789ab" in footer and "with uncommitted changes" in footer
    assert "<b>x</b>" not in footer and "fix|" not in footer
    none = render(replace(project_result, revision=Revision()), "markdown")
    assert "revision unknown" in none[none.rindex("<sub>") :]
