"""The rule registry: unique, documented, and in step with the code that emits findings."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from dllicense.cli import main
from dllicense.rules import rules

SRC = Path(__file__).parents[2] / "src" / "dllicense"


def test_codes_are_unique_well_formed_and_documented() -> None:
    registry = rules()
    slugs = [r.slug for r in registry.values()]
    assert len(slugs) == len(set(slugs))
    for code, rule in registry.items():
        assert re.fullmatch(r"DL[0-3]\d\d", code), code
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.slug), rule.slug
        assert rule.summary.endswith(".") and len(rule.explanation) > 80, code


def test_every_emitted_code_is_registered_and_every_registered_code_is_emitted() -> None:
    sources = "\n".join(p.read_text("utf-8") for p in SRC.rglob("*.py"))
    emitted = set(re.findall(r'"(DL\d{3})"', sources))
    assert emitted <= set(rules()), emitted - set(rules())
    assert set(rules()) <= emitted, set(rules()) - emitted


def test_explain_a_rule_code() -> None:
    result = CliRunner().invoke(main, ["explain", "dl201"])
    assert result.exit_code == 0
    assert result.output.startswith("DL201 license-not-allowed (default severity: error)")
    as_json = CliRunner().invoke(main, ["explain", "DL303", "--format", "json"])
    assert '"slug": "stale-clarification"' in as_json.output


def test_explain_licence_framework_and_unknown() -> None:
    apache = CliRunner().invoke(main, ["explain", "Apache-2.0"])
    assert apache.exit_code == 0 and "retaliation" in apache.output
    torch = CliRunner().invoke(main, ["explain", "torch"])
    assert torch.exit_code == 0 and "BSD-3-Clause" in torch.output
    bad = CliRunner().invoke(main, ["explain", "no-such-thing-xyz"])
    assert bad.exit_code == 2
