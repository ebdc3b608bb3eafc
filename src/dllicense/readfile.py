"""Bounded file reads sized to the file, not to the bound.

``open(path, "rb").read(limit)`` allocates ``limit`` bytes before it reads:
with a 16 MB bound that is an mmap and page faults per small METADATA file,
which made reading 20,000 distributions four times slower than the reads
themselves (bench/bench_scale.py).
"""

from __future__ import annotations

import os

_CHUNK = 1024 * 1024


def read_bounded(path: str | os.PathLike[str], limit: int) -> tuple[bytes, int]:
    """At most ``limit`` bytes of a file, and its size (``size > limit``: cut short).

    Raises ``OSError`` as ``open`` does. Files whose size the system does not
    report (``/proc``, pipes) are read in chunks up to ``limit + 1`` bytes.
    """
    with open(path, "rb", buffering=0) as handle:
        size = os.fstat(handle.fileno()).st_size
        want = min(size, limit) if size else limit + 1
        data = handle.read(want) or b""
        if len(data) < want:  # a short read: an unsized file, or one that changed meanwhile
            parts = [data]
            got = len(data)
            while got < want:
                chunk = handle.read(min(want - got, _CHUNK))
                if not chunk:
                    break
                parts.append(chunk)
                got += len(chunk)
            data = b"".join(parts)
    return data[:limit], max(size, len(data))
