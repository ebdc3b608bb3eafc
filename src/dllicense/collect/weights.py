"""Licence metadata written into weight files: the safetensors ``__metadata__`` header.

(GGUF files: ``dllicense.collect.ggufheader``.)

A safetensors file starts with an 8-byte little-endian header length and a JSON
header; its ``__metadata__`` is a string-to-string map where exporters record
provenance (``license``, ``license_name``, ``license_link``; Stability AI's
ModelSpec uses ``modelspec.license``). Only the header is read (bounded),
never the tensors.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

from dllicense.readfile import read_bounded

MAX_HEADER = 16 * 1024 * 1024
LICENSE_KEYS = ("license", "modelspec.license", "license_name", "license_link")
MAX_FILES = 8  # weight files of one model folder whose headers are read
SUFFIXES = (".safetensors", ".gguf")  # GGUF: dllicense.collect.ggufheader


class WeightsError(ValueError):
    """The file is not a readable safetensors file."""


def safetensors_metadata(path: Path) -> dict[str, str]:
    """The ``__metadata__`` map of a safetensors file ({} when it has none)."""
    head, size = read_bounded(path, 8)
    if len(head) < 8:
        raise WeightsError("shorter than a safetensors header")
    (length,) = struct.unpack("<Q", head)
    if length > MAX_HEADER or length + 8 > size:
        raise WeightsError(f"header length {length} is not plausible for a {size}-byte file")
    data, _ = read_bounded(path, 8 + length)
    try:
        header = json.loads(data[8:].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise WeightsError(f"header is not JSON ({type(error).__name__})") from error
    if not isinstance(header, dict):
        raise WeightsError("header is not a JSON object")
    meta = header.get("__metadata__") or {}
    if not isinstance(meta, dict):
        raise WeightsError("__metadata__ is not an object")
    return {str(k): str(v) for k, v in meta.items()}


def license_fields(meta: dict[str, str]) -> dict[str, str]:
    """The licence fields of a ``__metadata__`` map, as a card's front matter names them."""
    out = {}
    if meta.get("license") or meta.get("modelspec.license"):
        out["license"] = meta.get("license") or meta["modelspec.license"]
    for key in ("license_name", "license_link"):
        if meta.get(key):
            out[key] = meta[key]
    return out
