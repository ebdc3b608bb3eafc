"""``@frozen``: ``@dataclass(frozen=True)`` with a quarter of the definition cost.

``dataclass`` writes six methods per class as source text and compiles each with
``exec`` (about 1 ms a class); a metadata scan defines some 60 classes before it
reads a file, a sixth of its 0.35 s (bench/RESULTS.md). ``@frozen`` lets
``dataclass`` write only what depends on the field list in a way shared code
cannot match (``__init__``, and the ``__setattr__``/``__delattr__`` that make
instances immutable) and gives every class the same three functions below for
``__eq__``, ``__hash__`` and ``__repr__``, driven by per-class ``attrgetter``s.
The behaviour is ``dataclass``'s: equality by class and the fields with
``compare``, a hash of the fields with ``hash`` (default ``compare``), ``repr``
of the fields with ``repr``; a method the class defines itself is kept.
``tests/test_records.py`` checks this against ``dataclass`` on every class.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform  # typing has it from 3.11
else:  # only type checkers read it

    def dataclass_transform(**_: object) -> Any:
        return lambda decorator: decorator


T = TypeVar("T")


def _key(names: list[str]) -> Any:
    """The values of ``names`` as a tuple, as ``dataclass``'s methods compare and hash them."""
    if len(names) > 1:
        return attrgetter(*names)  # not a descriptor: stays a plain callable on the class
    get = attrgetter(*names) if names else None
    return staticmethod(lambda obj: (get(obj),) if get else ())


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        return self._eq_key(self) == other._eq_key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self._hash_key(self))


def _repr(self: Any) -> str:
    values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._repr_names)
    return f"{self.__class__.__qualname__}({values})"


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen(cls: type[T]) -> type[T]:
    """``cls`` as ``@dataclass(frozen=True)`` makes it (see the module's docstring)."""
    own = set(vars(cls))
    if vars(cls).get("__hash__", 0) is None and "__eq__" in own:
        own.discard("__hash__")  # set to None by Python because the class defines __eq__
    made = dataclass(frozen=True, eq=False, repr=False)(cls)
    listed = fields(made)  # type: ignore[arg-type]
    compared = [f.name for f in listed if f.compare]
    hashed = [f.name for f in listed if (f.compare if f.hash is None else f.hash)]
    made._eq_key = _key(compared)  # type: ignore[attr-defined]
    made._hash_key = _key(hashed)  # type: ignore[attr-defined]
    made._repr_names = tuple(f.name for f in listed if f.repr)  # type: ignore[attr-defined]
    for name, method in (("__eq__", _eq), ("__hash__", _hash), ("__repr__", _repr)):
        if name not in own:
            setattr(made, name, method)
    return made
