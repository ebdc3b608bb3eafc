"""Licence ids and expression terms compared the way classification needs: vague family
placeholders, GNU "-only"/"-or-later" of one licence, related ids, exceptions, and the
top-level terms of an expression."""

from __future__ import annotations

import re

from dllicense.licenses.spdx import VAGUE_PREFIX, license_keys, related_licences, replace_key

# Which SPDX ids a vague family placeholder stands for (prefixes of the ids).
FAMILY_PREFIXES = {
    "BSD": ("BSD-", "0BSD"),
    "GPL": ("GPL-",),
    "LGPL": ("LGPL-",),
    "AGPL": ("AGPL-",),
    "Artistic": ("Artistic-",),
    "proprietary": ("LicenseRef-",),
    "public-domain": ("Unlicense", "CC0-1.0", "CC-PDDC", "LicenseRef-scancode-public-domain"),
}
PUBLIC_DOMAIN = "LicenseRef-dllicense-public-domain"  # "Public Domain": which dedication?
GNU = re.compile(r"^((?:L|A)?GPL)-(\d\.\d)-(only|or-later)$")


# scancode's catch-all ids say no more than a family placeholder does
GENERIC = frozenset(
    {
        "LicenseRef-scancode-proprietary-license",
        "LicenseRef-scancode-commercial-license",
        "LicenseRef-scancode-unknown-license-reference",
        "LicenseRef-scancode-free-unknown",
        "LicenseRef-scancode-other-permissive",
        "LicenseRef-scancode-other-copyleft",
    }
)


def of_family(key: str, prefixes: tuple[str, ...]) -> bool:
    """Is ``key`` one licence of a vague family (``BSD-3-Clause`` of "BSD", by the family's
    ``FAMILY_PREFIXES``): not a placeholder, not one of scancode's catch-all ids."""
    return (
        key.startswith(prefixes)
        and VAGUE_PREFIX not in key
        and key != PUBLIC_DOMAIN
        and key not in GENERIC
    )


def families(expression: str) -> set[str]:
    """The vague families named in an expression ("BSD" for the BSD placeholder)."""
    keys = license_keys(expression)
    found = {k.removeprefix(VAGUE_PREFIX) for k in keys if VAGUE_PREFIX in k}
    return found | ({"public-domain"} if PUBLIC_DOMAIN in keys else set())


def placeholder(family: str) -> str:
    return PUBLIC_DOMAIN if family == "public-domain" else f"{VAGUE_PREFIX}{family}"


def specific_families(expression: str) -> set[str]:
    return {
        family
        for family, prefixes in FAMILY_PREFIXES.items()
        for key in license_keys(expression)
        if VAGUE_PREFIX not in key and key != PUBLIC_DOMAIN and key.startswith(prefixes)
    }


def refines(vague: str, specific: str) -> bool:
    """Does ``specific`` name, where ``vague`` has a family placeholder, licences of that
    family, and is otherwise ``vague`` (``LicenseRef-dllicense-unspecified-BSD AND MIT``
    read as ``BSD-3-Clause AND MIT`` once the licence file was read)?"""
    named = families(vague)
    if not named or vague == specific:
        return False
    general = specific
    for key in license_keys(specific):
        for family in named:
            if of_family(key, FAMILY_PREFIXES.get(family, ())):
                general = replace_key(general, key, placeholder(family))
    return general == vague


def is_exception(key: str) -> bool:
    from license_expression import ExpressionError

    from dllicense.licenses.spdx import licensing

    try:
        symbol = licensing().known_symbols.get(key)
    except ExpressionError:
        return False
    return bool(symbol is not None and getattr(symbol, "is_exception", False)) or (
        "exception" in key.lower()
    )


def overlap(a: set[str], b: set[str]) -> bool:
    """Do two sets of licence ids share a licence (GNU version nuances and related ids count)?"""
    related = related_licences()
    return any(
        x == y
        or same_gnu({x}, {y})
        or related.get(x, x) == related.get(y, y)
        or lgpl3_text(x, y)
        or lgpl3_text(y, x)
        for x in a
        for y in b
    )


def lgpl3_text(gpl: str, lgpl: str) -> bool:
    """LGPL-3.0 is GPL-3.0 plus additional permissions: its packages ship both texts."""
    return gpl.startswith("GPL-3.0") and lgpl.startswith("LGPL-3.0")


def same_gnu(a: set[str], b: set[str]) -> bool:
    """One GNU licence named twice, once as "-only" and once as "-or-later" of an older version."""
    if len(a) != 1 or len(b) != 1:
        return False
    x, y = GNU.match(next(iter(a))), GNU.match(next(iter(b)))
    if not (x and y and x.group(1) == y.group(1)):
        return False
    low, high = sorted((x, y), key=lambda m: m.group(2))
    return low.group(2) == high.group(2) or low.group(3) == "or-later"


def terms(expression: str) -> list[str]:
    """Top-level AND/OR operands of an expression, as written ("X WITH Y" stays whole)."""
    return [t.strip("() ") for t in re.split(r"\s+(?:AND|OR)\s+", expression) if t.strip("() ")]


def wrap(expression: str) -> str:
    return f"({expression})" if " OR " in expression or " AND " in expression else expression
