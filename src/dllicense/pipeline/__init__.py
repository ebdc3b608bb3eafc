"""``scan(options) -> ScanResult``: discover -> resolve -> collect -> classify -> evaluate.

Never prints and never exits; bad input becomes findings, or a
``DllicenseError`` when nothing can be scanned at all.
"""

from __future__ import annotations

from dllicense.pipeline.options import ScanOptions
from dllicense.pipeline.scan import scan

__all__ = ["ScanOptions", "scan"]
