"""Expressions read without license-expression give exactly what it gives.

``spdx._parsed`` reads ``A OR B WITH X OR C`` and parenthesised groups of such
itself (license-expression's ``Licensing`` costs 20-80 ms to build);
``spdx.known_symbols`` comes from a table made from license-expression's own
index. Both are checked against the library on every SPDX id and alias, on
generated combinations (flat and nested), on every licence field of the
fixtures and on the policy's parse trees (``spdx.expression_tree``).
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dllicense.knowledge.traits import _parsed_symbols, traits_of_expression
from dllicense.licenses import spdx

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def _library(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """license-expression's rendering, sorted keys and unique symbols of ``text``."""
    licensing = spdx.licensing()
    parsed = licensing.parse(text, validate=False)
    keys = tuple(sorted(set(licensing.license_keys(parsed))))
    return str(parsed.render()), keys, _parsed_symbols(text)


def _agree(text: str) -> bool:
    """Assert both readings agree when ``_parsed`` reads ``text``; whether it did."""
    _tree_agrees(text)
    tree = spdx._parsed(text)
    if tree is None:
        return False
    rendered, keys, symbols = _library(text)
    assert spdx._from_tree(tree) == spdx._by_library(text), text
    if all(k.lower() in spdx._symbols() and k not in spdx._refs() for k in keys):
        assert spdx.normalize_expression(text).expression == rendered, text
    assert spdx.license_keys(rendered) == keys, text
    assert spdx.simple_symbols(text) == symbols, text
    return True


def _tree_agrees(text: str) -> bool:
    """Assert the policy's tree of ``text`` is license-expression's when ``_parsed`` reads
    it with LicenseRefs (``_converted`` is the library's tree as ``Term``/``Group``)."""
    tree = spdx._parsed(text)
    if tree is None:
        return False
    assert tree == spdx._converted(spdx.parse_expression(text)), text
    assert spdx.expression_tree(text) == tree
    return True


def _ids() -> list[str]:
    return [
        name
        for symbol in spdx.licensing().known_symbols.values()
        for name in (symbol.key, *symbol.aliases)
    ]


def test_the_symbol_table_is_license_expressions() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_spdx_symbols.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    built = tuple(
        (s.key, tuple(s.aliases), bool(s.is_exception))
        for s in spdx.licensing().known_symbols.values()
    )
    assert spdx.known_symbols() == built


def test_the_generated_tables_are_what_the_code_computes() -> None:
    """The alias keys and scancode records made ahead of time (``gen_spdx_symbols.py``) are
    the ones the code computes from the installed library, and are the ones in use."""
    import license_expression

    from dllicense.licenses import scancode_keys

    assert scancode_keys.index_location() == str(
        license_expression.vendored_scancode_licensedb_index_location
    )
    assert scancode_keys.generated_table("spdx_symbols.json") is not None  # in use here
    from_code = {spdx.alias_key(k): v for k, v in spdx._data("aliases.toml")["aliases"].items()}
    for key, _, _ in spdx.known_symbols():
        from_code.setdefault(spdx.alias_key(key), key)
    assert spdx._aliases() == from_code
    records = scancode_keys.scancode_records()
    assert len(records) > 2000
    index = scancode_keys.scancode_index()
    for key, spdx_id, category in records:
        assert index[key.lower()] == scancode_keys.ScancodeKey(key, spdx_id, category) or (
            index[key.lower()].key != key  # an earlier key of the same lower-cased spelling
        )


def test_every_id_and_alias_in_any_case() -> None:
    read = 0
    for name in _ids():
        for text in (name, name.lower(), name.upper()):
            read += _agree(text)
    assert read > 5000  # the flat reader did the work (2,447 symbols and their aliases)


def test_generated_combinations() -> None:
    rng = random.Random(17)
    ids = _ids()
    exceptions = sorted(spdx._exceptions())
    read = 0
    for _ in range(4000):
        parts = []
        for _ in range(rng.randint(1, 4)):
            part = rng.choice(ids)
            if rng.random() < 0.3:
                part += f" {rng.choice(['WITH', 'with', 'With'])} " + rng.choice(
                    exceptions + ids[:50]
                )
            parts.append(part)
        ops = [rng.choice(["AND", "OR", "and", "or", "Or"]) for _ in parts[1:]]
        if rng.random() < 0.7:
            ops = [ops[0]] * len(ops) if ops else ops
        text = parts[0] + "".join(
            f"{rng.choice([' ', '  ', chr(9)])}{o} {p}" for o, p in zip(ops, parts[1:], strict=True)
        )
        read += _agree(text)
    assert read > 1000


def _fixture_fields() -> list[str]:
    found: set[str] = set()
    field = re.compile(r"^(?:License-Expression|License): *(.+)$", re.M)
    for path in [*FIXTURES.rglob("METADATA"), *FIXTURES.rglob("PKG-INFO")]:
        found.update(m.strip() for m in field.findall(path.read_text("utf-8", errors="replace")))
    found.update(spdx.classifier_table().values())
    found.update(str(v) for v in spdx._data("aliases.toml")["aliases"].values())
    return sorted(v for v in found if v)


def test_fixture_expressions() -> None:
    fields = _fixture_fields()
    read = sum(_agree(text) for text in fields)
    assert read > 20


@pytest.mark.parametrize(
    "text",
    [
        "MIT OR Apache-2.0 AND BSD-3-Clause",
        "(MIT OR Apache-2.0) AND BSD-3-Clause OR ISC",
        "(MIT OR Apache-2.0",
        "MIT OR Apache-2.0)",
        "()",
        "MIT (Apache-2.0)",
        "MIT, Apache-2.0",
        "MIT WITH MIT",
        "",
        "AND OR MIT",
        "MIT AND AND",
        "MIT WITH AND",
        "MIT WITH Classpath-exception-2.0 WITH Classpath-exception-2.0",
        "Classpath-exception-2.0 OR MIT",
        "MIT OR",
    ],
)
def test_other_expressions_go_to_license_expression(text: str) -> None:
    assert spdx._parsed(text) is None
    assert spdx._parsed(text) is None


def test_traits_agree_on_flat_expressions() -> None:
    for text in ("MIT OR Apache-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0 AND MIT"):
        assert spdx.simple_symbols(text) == _parsed_symbols(text)
        assert traits_of_expression(text)


def _nested(rng: random.Random, ids: list[str], depth: int) -> str:
    """A random expression with parenthesised groups, one operator per group."""
    op = rng.choice(["AND", "OR", "and", "or"])
    parts = []
    for _ in range(rng.randint(1, 3)):
        if depth and rng.random() < 0.4:
            parts.append(f"({_nested(rng, ids, depth - 1)})")
        else:
            parts.append(rng.choice(ids))
    text = f" {op} ".join(parts)
    return f"({text})" if rng.random() < 0.2 else text


def test_generated_nested_expressions() -> None:
    rng = random.Random(18)
    ids = [*_ids(), "LicenseRef-dllicense-unspecified-BSD", "LicenseRef-scancode-unrar"]
    ids += ["unrar", "Public-Domain", "bsd-simplified", "MIT-ish", "gpl-2.0-foo", "x.y", "+", "."]
    ids += ["MIT WITH Classpath-exception-2.0", "Apache-2.0 with LLVM-exception"]
    read = trees = 0
    for _ in range(3000):
        text = _nested(rng, ids, 3)
        read += _agree(text)
        trees += _tree_agrees(text)
    assert read > 1000 and trees == read


def test_unknown_words_read_as_the_library_reads_them() -> None:
    for text in (
        "Foo-1.0 OR MIT",
        "apache-2.0 AND lgpl-2.1 and unrar",
        "BSD-3-Clause and Public-Domain",
    ):
        assert _agree(text)


def test_sbom_and_policy_expressions() -> None:
    """CycloneDX expressions of real wheels and the normalised ones the policy reads."""
    texts = [
        "(MIT OR Apache-2.0)",
        "((MIT OR Apache-2.0) AND Unicode-3.0)",
        "(ISC AND (Apache-2.0 OR ISC) AND Apache-2.0 AND MIT AND BSD-3-Clause"
        " AND (Apache-2.0 OR ISC OR MIT) AND (Apache-2.0 OR ISC OR MIT-0))",
        "(Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT)",
        "(Apache-2.0  OR  MIT)",
        "MIT AND (MIT AND PSF-2.0)",
        "(MIT)OR(Apache-2.0)",
        "((MIT))",
        "Apache-2.0 AND LGPL-2.1-only AND LicenseRef-scancode-unrar AND Brian-Gladman-3-Clause",
        "BSD-3-Clause AND LicenseRef-dllicense-public-domain",
        "LicenseRef-dllicense-unspecified-Artistic OR LicenseRef-dllicense-unspecified-GPL"
        " OR GPL-2.0-or-later",
        "Apache-2.0 AND BSD-2-Clause-Darwin AND (BSD-2-Clause AND LicenseRef-dllicense-public"
        "-domain AND BSD-3-Clause AND ISC AND (BSD-3-Clause OR GPL-1.0-or-later) AND BSD-4-Clause)",
    ]
    assert sum(_agree(t) for t in texts) >= 8
    assert all(_tree_agrees(t) for t in texts)
    for text in _fixture_fields():
        _tree_agrees(text)
        normalized = spdx.normalize(text).expression
        if normalized:
            assert _tree_agrees(normalized) or spdx.expression_tree(normalized) == (
                spdx._converted(spdx.parse_expression(normalized))
            )
