"""Evidence from the knowledge base: what is known of a framework at this version."""

from __future__ import annotations

from dllicense.models import Evidence


def knowledge_evidence(name: str, version: str) -> tuple[Evidence, ...]:
    """The knowledge base's licence for ``name`` at ``version``, if it knows the package."""
    from dllicense.knowledge import framework_for, framework_license

    framework = framework_for(name)
    period = framework_license(name, version) if framework else None
    if framework is None or period is None:
        return ()
    expression = getattr(period, "wheel_expression", "") or period.expression
    return (
        Evidence(
            "knowledge",
            f"knowledge:{framework.key}",
            f"{framework.name} {period.versions or 'all versions'}".strip(),
            expression,
            note="; ".join(period.sources),
        ),
    )
