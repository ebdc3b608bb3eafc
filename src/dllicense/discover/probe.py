"""Ask a ``--python`` interpreter for its ``sys.path`` and marker values.

That is a Python start-up of its own (20-45 ms here). ``start`` launches it as soon as
the CLI knows a scan will run, before the scan's own modules load, so the two overlap;
``ask_interpreter`` then takes the answer of the one started (or starts it).
"""

from __future__ import annotations

import contextlib
import subprocess

# Printed by the target interpreter: its sys.path and PEP 508 marker values.
_PROBE = """
import json, os, platform, sys
impl = sys.implementation
v = impl.version
iv = "%d.%d.%d" % (v.major, v.minor, v.micro)
if v.releaselevel != "final":
    iv += v.releaselevel[0] + str(v.serial)
print(json.dumps({"path": [p for p in sys.path if p and os.path.isdir(p)], "markers": {
    "implementation_name": impl.name, "implementation_version": iv,
    "os_name": os.name, "platform_machine": platform.machine(),
    "platform_release": platform.release(), "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform}}))
"""

TIMEOUT_S = 60
_STARTED: dict[str, subprocess.Popen[str]] = {}


def _launch(python: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [python, "-I", "-c", _PROBE],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def start(python: str) -> None:
    """Start asking ``python`` now; a failure to start is reported by ``ask_interpreter``."""
    if python not in _STARTED:
        with contextlib.suppress(OSError, ValueError):  # ask_interpreter reports it
            _STARTED[python] = _launch(python)


def ask_interpreter(python: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the probe run by ``python``.

    Raises ``OSError`` (or ``ValueError``) when it cannot be started and
    ``subprocess.TimeoutExpired`` after ``TIMEOUT_S`` (the process is killed)."""
    process = _STARTED.pop(python, None) or _launch(python)
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return process.returncode, stdout, stderr
