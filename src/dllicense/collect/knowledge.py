"""Evidence from the knowledge base: what is known of a framework at this version."""

from __future__ import annotations

from dllicense.knowledge import framework_for, framework_license
from dllicense.models import Evidence


def knowledge_evidence(name: str, version: str, ecosystem: str = "pypi") -> tuple[Evidence, ...]:
    """The knowledge base's licence for ``name`` at ``version``, if it knows the package.

    A conda package the knowledge base does not name is looked up by the PyPI project it
    is (``pytorch`` -> ``torch``, prefix.dev's conda-PyPI mapping); a conda package is
    built from the sources, so the source licence applies, not a wheel's.
    """
    note = ""
    lookup, where = name, ecosystem
    framework = framework_for(name, ecosystem)
    if framework is None and ecosystem == "conda":
        from dllicense.knowledge.conda_pypi import pypi_name

        mapped = pypi_name(name)
        framework = framework_for(mapped, "pypi") if mapped else None
        if framework is not None and mapped:
            lookup, where = mapped, "pypi"
            note = f"conda {name} is PyPI {mapped} (prefix.dev parselmouth conda-PyPI mapping)"
    period = framework_license(lookup, version, where) if framework else None
    if framework is None or period is None:
        return ()
    expression = period.expression
    if ecosystem == "pypi":
        expression = getattr(period, "wheel_expression", "") or period.expression
    return (
        Evidence(
            "knowledge",
            f"knowledge:{framework.key}",
            f"{framework.name} {period.versions or 'all versions'}".strip(),
            expression,
            note="; ".join(x for x in (note, *period.sources) if x),
        ),
    )
