"""The knowledge base: licence traits and deep learning frameworks, as data files.

Data (shipped inside this package, read lazily with ``importlib.resources``):

- ``licenses.generated.json``: one record per SPDX id of the licence list
  pinned by license-expression (``scripts/gen_license_traits.py``);
- ``licenses.curated.toml``: hand-checked records overriding them, each trait
  with the clause that decides it, plus the generator's rules;
- ``licenserefs.toml``: licences without an SPDX id (``LicenseRef-...``);
- ``frameworks.toml``: frameworks with names per ecosystem and a licence per
  PEP 440 version range;
- ``vocabulary.toml``: allowed trait values and their meanings;
- ``schemas/``: JSON Schemas of those files.
"""

from __future__ import annotations

from dllicense.knowledge._resources import KnowledgeError, meaning, vocabulary
from dllicense.knowledge.frameworks import (
    BundledComponent,
    Framework,
    FrameworkLicense,
    LicenseChange,
    framework_by_key,
    framework_for,
    framework_license,
    frameworks,
    license_changes_between,
)
from dllicense.knowledge.traits import (
    LicenseRecord,
    all_license_keys,
    canonical_license_key,
    huggingface_license_key,
    known_license,
    license_expression_version,
    license_record,
    license_traits,
    traits_of_expression,
)

__all__ = [
    "BundledComponent",
    "Framework",
    "FrameworkLicense",
    "KnowledgeError",
    "LicenseChange",
    "LicenseRecord",
    "all_license_keys",
    "canonical_license_key",
    "framework_by_key",
    "framework_for",
    "framework_license",
    "frameworks",
    "huggingface_license_key",
    "known_license",
    "license_changes_between",
    "license_expression_version",
    "license_record",
    "license_traits",
    "meaning",
    "traits_of_expression",
    "vocabulary",
]
