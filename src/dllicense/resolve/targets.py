"""The target a lock is evaluated for: ``--python-version`` and ``--platform`` as the
PEP 508 marker environment they stand for."""

from __future__ import annotations

import re
from collections.abc import Mapping

from packaging.markers import default_environment

from dllicense.discover.locks.markers import platforms as _platforms
from dllicense.errors import UsageError

Target = Mapping[str, str]
_PYTHON = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")


def platforms() -> tuple[str, ...]:
    """The names ``--platform`` accepts."""
    return tuple(sorted(_platforms()))


def target_markers(
    base: Mapping[str, str] | None = None,
    python_version: str | None = None,
    platform: str | None = None,
) -> dict[str, str]:
    """The marker environment to evaluate a lock for (``base``: default the running one)."""
    env = dict(base) if base else {k: str(v) for k, v in default_environment().items()}
    if python_version:
        found = _PYTHON.match(python_version.strip())
        if not found:
            raise UsageError(f"--python-version {python_version!r}: expected X.Y or X.Y.Z")
        major, minor, micro = found.group(1), found.group(2), found.group(3) or "0"
        env["python_version"] = f"{major}.{minor}"
        env["python_full_version"] = f"{major}.{minor}.{micro}"
        if env.get("implementation_name", "cpython") == "cpython":
            env["implementation_version"] = env["python_full_version"]
    if platform:
        values = _platforms().get(platform)
        if values is None:
            choices = ", ".join(platforms())
            raise UsageError(f"--platform {platform!r}: choose from {choices}")
        for key in ("sys_platform", "platform_system", "os_name"):
            env[key] = str(values[key])
        machines: dict[str, str] = values.get("machine", {})
        env["platform_machine"] = machines.get(env.get("platform_machine", ""), "")
        env["platform_release"] = env["platform_version"] = ""
    return env


def describe_target(target: Target | None) -> str:
    if target is None:
        return "some target"
    return f"Python {target.get('python_full_version', '?')} on {target.get('sys_platform', '?')}"
