"""Licence keys of a GGUF file: ``general.license``, ``general.license.name`` and ``.link``.

Layout (the GGUF spec, github.com/ggml-org/ggml docs/gguf.md): the magic ``GGUF``,
a uint32 version (2 and 3 have 64-bit counts and lengths; 1 had 32-bit ones), a
uint64 tensor count, a uint64 key/value count, then the key/values: a string key
(uint64 length + UTF-8 bytes), a uint32 value type and the value; an array is a
uint32 element type, a uint64 count and the elements. Little-endian, unless the
version only reads as 2 or 3 big-endian (the magic is written the same way in
both; that is how gguf-py's reader tells them apart). Tensor infos and tensor
data follow the key/values and are never read.

Why not the ``gguf`` package's ``GGUFReader`` (gguf 0.19.0): it memory-maps the
whole file itself (``np.memmap(path)``: not through ``readfile``, so no
regular-file check, no bound and nothing journaled), and its constructor parses
every key/value, every tensor info and builds every tensor view before anything
can be asked; there is no header-only mode. This reader reads a growing prefix
through ``read_bounded`` (256 KB, then x4, at most ``MAX_KV_BYTES``), checks every
count and length against the bytes left before using it, skips values it does
not need without decoding them, and stops at the end of the key/values. The tests
write their files with the real ``gguf`` package's ``GGUFWriter``.
"""

from __future__ import annotations

import struct
from pathlib import Path

from dllicense.collect.weights import WeightsError
from dllicense.readfile import read_bounded

MAX_KV_BYTES = 64 * 1024 * 1024  # a 256k-token vocabulary with merges is ~10 MB of key/values
FIRST_READ = 256 * 1024
MAX_DEPTH = 4  # arrays of arrays are allowed; deeper nesting is not plausible
KEYS = {
    "general.license": "license",
    "general.license.name": "license_name",
    "general.license.link": "license_link",
}
# value type -> size of a fixed-size value (the spec's gguf_metadata_value_type)
_FIXED = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9
_TYPE_NAMES = {8: "a string", 9: "an array"} | {t: "a number" for t in _FIXED}


class _Short(Exception):
    """The prefix read so far ends inside the key/values."""


class _Parser:
    def __init__(self, data: bytes, size: int, endian: str) -> None:
        self.data, self.size, self.endian, self.pos = data, size, endian, 24

    def need(self, count: int) -> None:
        if self.pos + count > len(self.data):
            if self.pos + count > self.size:
                raise WeightsError(f"truncated: needs {self.pos + count} bytes, has {self.size}")
            raise _Short

    def number(self, fmt: str) -> int:
        width = struct.calcsize(fmt)
        self.need(width)
        (value,) = struct.unpack_from(self.endian + fmt, self.data, self.pos)
        self.pos += width
        return int(value)

    def string(self, keep: bool) -> str:
        length = self.number("Q")
        if length > self.size - self.pos:
            raise WeightsError(f"string length {length} at byte {self.pos - 8} is past the end")
        self.need(length)
        start, self.pos = self.pos, self.pos + length
        if not keep:
            return ""
        try:
            return self.data[start : self.pos].decode("utf-8")
        except UnicodeDecodeError as error:
            raise WeightsError(f"string at byte {start} is not UTF-8") from error

    def skip_strings(self, count: int) -> None:
        """Skip ``count`` strings (a vocabulary: 100k+ of them) in a tight loop."""
        unpack, data, pos = struct.Struct(self.endian + "Q").unpack_from, self.data, self.pos
        end, need = len(data), 0
        for _ in range(count):
            if pos + 8 > end:
                need = pos + 8
                break
            pos += 8 + unpack(data, pos)[0]
            if pos > end:
                need = pos
                break
        if not need:
            self.pos = pos
            return
        if need > self.size:
            raise WeightsError(f"a string array runs past the end of the {self.size}-byte file")
        raise _Short

    def skip(self, kind: int, depth: int = 0) -> None:
        if kind in _FIXED:
            self.need(_FIXED[kind])
            self.pos += _FIXED[kind]
        elif kind == _STRING:
            self.string(keep=False)
        elif kind == _ARRAY:
            if depth >= MAX_DEPTH:
                raise WeightsError(f"arrays nested deeper than {MAX_DEPTH}")
            inner, count = self.number("I"), self.number("Q")
            least = _FIXED.get(inner, 8 if inner == _STRING else 12)
            if inner not in _FIXED and inner not in (_STRING, _ARRAY):
                raise WeightsError(f"unknown array element type {inner}")
            if count * least > self.size - self.pos:
                raise WeightsError(f"array count {count} at byte {self.pos - 8} is past the end")
            if inner in _FIXED:
                self.need(count * least)
                self.pos += count * least
            elif inner == _STRING:  # a vocabulary: 100k+ strings, skipped in a tight loop
                self.skip_strings(count)
            else:
                for _ in range(count):
                    self.skip(inner, depth + 1)
        else:
            raise WeightsError(f"unknown value type {kind} at byte {self.pos - 4}")


def _header(data: bytes, size: int) -> tuple[str, int]:
    """The byte order and key/value count of a GGUF header."""
    if len(data) < 24 or data[:4] != b"GGUF":
        what = "no GGUF magic" if data[:4] != b"GGUF" or len(data) < 4 else "truncated header"
        raise WeightsError(what)
    for endian in ("<", ">"):
        (version,) = struct.unpack_from(endian + "I", data, 4)
        if version in (2, 3):
            break
    else:
        (version,) = struct.unpack_from("<I", data, 4)
        raise WeightsError(f"GGUF version {version} is not read (2 and 3 are)")
    (kv_count,) = struct.unpack_from(endian + "Q", data, 16)
    if kv_count * 13 > size - 24:  # a key/value takes at least 8 + 1 + 4 bytes
        raise WeightsError(f"key/value count {kv_count} is not plausible for a {size}-byte file")
    return endian, kv_count


def gguf_metadata(path: Path) -> dict[str, str]:
    """The licence keys of a GGUF file's key/values, named as a card names them
    (``license``, ``license_name``, ``license_link``); {} when it has none."""
    bound = FIRST_READ
    while True:
        data, size = read_bounded(path, bound)
        endian, kv_count = _header(data[:24], size)
        try:
            return _licence_keys(_Parser(data, size, endian), kv_count)
        except _Short:
            if bound >= MAX_KV_BYTES:
                raise WeightsError(
                    f"key/values are larger than {MAX_KV_BYTES // (1024 * 1024)} MB"
                ) from None
            bound = min(bound * 4, MAX_KV_BYTES)


def _licence_keys(parser: _Parser, kv_count: int) -> dict[str, str]:
    out: dict[str, str] = {}
    for _ in range(kv_count):
        key = parser.string(keep=True)
        kind = parser.number("I")
        name = KEYS.get(key)
        if name is None:
            parser.skip(kind)
        elif kind != _STRING:
            raise WeightsError(f"{key} is {_TYPE_NAMES.get(kind, 'of an unknown type')}")
        else:
            out[name] = parser.string(keep=True)
    return out


def license_fields(meta: dict[str, str]) -> dict[str, str | list[str]]:
    """The card fields of GGUF licence keys. gguf-py writes a card's list of licences
    joined with "," (gguf/metadata.py ``set_gguf_meta_model``); Hub licence ids have
    no commas, so a comma splits them back into the card's list."""
    out: dict[str, str | list[str]] = dict(meta)
    raw = meta.get("license", "")
    if "," in raw:
        out["license"] = [part.strip() for part in raw.split(",") if part.strip()]
    if not raw:
        out.pop("license", None)
    return out
