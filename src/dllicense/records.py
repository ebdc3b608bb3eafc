"""``@frozen``: ``@dataclass(frozen=True)`` without compiling code for classes never made.

``dataclass`` writes six methods per class as source text and compiles each with
``exec`` (0.1-0.2 ms each); a metadata scan defines some 60 classes before it reads
a file, and makes instances of fewer than half of them. ``@frozen`` lets
``dataclass`` collect the fields and write nothing, gives every class the same
functions for ``__eq__``, ``__hash__`` and ``__repr__`` (driven by per-class
``attrgetter``s) and for ``__setattr__``/``__delattr__`` (which always refuse),
and writes a class's ``__init__`` when its first instance is made: 16 -> 3 ms for
the 28 classes of ``models`` (bench/RESULTS.md, branch meta19). The behaviour is
``dataclass(frozen=True)``'s: equality by class and the fields with ``compare``, a
hash of the fields with ``hash`` (default ``compare``), ``repr`` of the fields with
``repr``, the same ``__init__`` parameters and defaults; a method the class defines
itself is kept. Not supported (refused when the class is made): ``init=False`` and
``kw_only`` fields, ``__post_init__``. One difference: a plain subclass of a frozen
class cannot set attributes of its own either. ``tests/test_records.py`` checks this
against ``dataclass`` on every class shape the code uses.
"""

from __future__ import annotations

from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, field, fields
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


def _setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


class _Factory:
    """The default of a parameter whose field has a ``default_factory``, shown as dataclass does."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def _write_init(cls: type, listed: tuple[Field[Any], ...]) -> Any:
    """The ``__init__`` that ``dataclass(frozen=True)`` writes for ``cls``."""
    params, lines = ["self"], []
    scope: dict[str, Any] = {"__set": object.__setattr__, "__factory": _FACTORY}
    for f in listed:
        value = f.name
        if f.default is not MISSING:
            scope[f"__default_{f.name}"] = f.default
            params.append(f"{f.name}=__default_{f.name}")
        elif f.default_factory is not MISSING:
            scope[f"__factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=__factory")
            value = f"__factory_{f.name}() if {f.name} is __factory else {f.name}"
        else:
            params.append(f.name)
        lines.append(f"  __set(self, {f.name!r}, {value})")
    source = f"def __init__({', '.join(params)}):\n" + ("\n".join(lines) or "  pass") + "\n"
    exec(source, scope)  # our own field names, as dataclass does
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _first_init(cls: type, listed: tuple[Field[Any], ...]) -> Any:
    """An ``__init__`` that writes the real one on first use, puts it on ``cls`` and calls it."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init = _write_init(cls, listed)
        cls.__init__ = init  # type: ignore[misc]
        init(self, *args, **kwargs)

    return __init__


def _repr(self: Any) -> str:
    values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._repr_names)
    return f"{self.__class__.__qualname__}({values})"


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen(cls: type[T]) -> type[T]:
    """``cls`` as ``@dataclass(frozen=True)`` makes it (see the module's docstring)."""
    own = set(vars(cls))
    if vars(cls).get("__hash__", 0) is None and "__eq__" in own:
        own.discard("__hash__")  # set to None by Python because the class defines __eq__
    documented = bool(cls.__doc__)
    if not documented:  # else dataclass asks inspect.signature for one (1-3 ms in all)
        cls.__doc__ = cls.__name__
    made = dataclass(init=False, eq=False, repr=False)(cls)
    listed = fields(made)  # type: ignore[arg-type]
    if not documented:  # the docstring dataclass writes, without the annotations
        made.__doc__ = f"{cls.__name__}({', '.join(f.name for f in listed)})"
    if any(not f.init or f.kw_only is True for f in listed) or "__post_init__" in own:
        raise TypeError(f"@frozen does not write init=False, kw_only or __post_init__: {cls}")
    compared = [f.name for f in listed if f.compare]
    hashed = [f.name for f in listed if (f.compare if f.hash is None else f.hash)]
    made._eq_key = _key(compared)  # type: ignore[attr-defined]
    made._hash_key = _key(hashed)  # type: ignore[attr-defined]
    made._repr_names = tuple(f.name for f in listed if f.repr)  # type: ignore[attr-defined]
    methods = {"__eq__": _eq, "__hash__": _hash, "__repr__": _repr}
    methods |= {"__init__": _first_init(made, listed), "__setattr__": _setattr}
    methods["__delattr__"] = _delattr
    for name, method in methods.items():
        if name not in own:
            setattr(made, name, method)
    return made
