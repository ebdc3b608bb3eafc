"""``@frozen`` behaves as ``@dataclass(frozen=True)``: equality, hash, repr, immutability,
``replace``, pickling, on classes of every shape the code uses."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from dllicense import models
from dllicense.records import frozen


def _shapes(decorate: Callable[[type], type]) -> dict[str, type]:
    """The same class definitions, made by ``decorate``."""

    class Empty:
        pass

    class One:
        name: str

    class Many:
        name: str
        version: str = ""
        extras: tuple[str, ...] = ()
        size: float = 0.0

    class Options:
        name: str
        secret: str = field(default="", repr=False)
        cache: dict[str, int] = field(default_factory=dict, compare=False)
        note: str = field(default="", hash=False)

    class OwnRepr:
        name: str

        def __repr__(self) -> str:
            return f"<{self.name}>"

    class OwnEq:
        name: str
        case: str = ""

        def __eq__(self, other: object) -> bool:
            return isinstance(other, OwnEq) and self.name.lower() == other.name.lower()

    classes = [Empty, One, Many, Options, OwnRepr, OwnEq]
    made = {c.__name__: decorate(c) for c in classes}

    class Child(made["Many"]):  # type: ignore[misc,valid-type]
        extra: str = ""

    made["Child"] = decorate(Child)
    return made


ARGS: dict[str, list[tuple[Any, ...]]] = {
    "Empty": [()],
    "One": [("a",), ("b",), (float("nan"),)],
    "Many": [("a",), ("a", "1", ("x",), 1.5), ("a", "1", ("x",), 2.5)],
    "Options": [("a", "s", {"k": 1}, "n1"), ("a", "t", {}, "n2"), ("b",)],
    "OwnRepr": [("a",), ("b",)],
    "OwnEq": [("A", "x"), ("a", "y"), ("b",)],
    "Child": [("a",), ("a", "1", (), 0.0, "e"), ("a", "1", (), 0.0, "f")],
}


def _behaviour(cls: type, rows: list[tuple[Any, ...]]) -> list[Any]:
    """What the class does with these constructor arguments, in plain values."""
    objects = [cls(*row) for row in rows]
    out: list[Any] = [repr(o).replace(cls.__qualname__, "X") for o in objects]
    for a in objects:
        for b in objects:
            out.append(a == b)
            out.append(a != b)
            if a == b and a.__hash__ is not None and b.__hash__ is not None:
                out.append(hash(a) == hash(b))
        out.append(a == object())
        out.append(a.__hash__ is None)
        if a.__hash__ is not None:
            out.append(hash(a) == hash(cls(*rows[objects.index(a)])))
    return out


@pytest.mark.parametrize("name", sorted(ARGS))
def test_frozen_behaves_as_a_frozen_dataclass(name: str) -> None:
    ours = _shapes(frozen)[name]
    theirs = _shapes(dataclass(frozen=True))[name]
    assert _behaviour(ours, ARGS[name]) == _behaviour(theirs, ARGS[name])
    assert [f.name for f in dataclasses.fields(ours)] == [
        f.name for f in dataclasses.fields(theirs)
    ]
    assert ours.__match_args__ == theirs.__match_args__  # type: ignore[attr-defined]


def test_frozen_instances_are_immutable_and_replace_and_pickle_work() -> None:
    many = _shapes(frozen)["Many"]
    item = many("a", "1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.name = "b"
    with pytest.raises(dataclasses.FrozenInstanceError):
        del item.version
    changed = dataclasses.replace(item, version="2")
    assert (changed.name, changed.version) == ("a", "2") and changed != item
    assert dataclasses.asdict(changed)["version"] == "2"


def test_the_models_are_frozen_records() -> None:
    """The stage models are made by ``@frozen``: equal by value, hashable, immutable, picklable
    (the process pool sends them back), and their repr names every field shown."""
    evidence = models.Evidence("license-expression", "METADATA", "MIT", "MIT")
    twin = models.Evidence("license-expression", "METADATA", "MIT", "MIT")
    other = dataclasses.replace(evidence, expression="BSD-3-Clause")
    assert evidence == twin and hash(evidence) == hash(twin) and evidence != other
    assert len({evidence, twin, other}) == 2
    assert pickle.loads(pickle.dumps(evidence)) == evidence
    with pytest.raises(dataclasses.FrozenInstanceError):
        evidence.expression = "GPL-3.0-only"  # type: ignore[misc]
    assert repr(evidence).startswith("Evidence(kind='license-expression', source='METADATA'")
    assert all(
        "_eq_key" in vars(cls)
        for cls in vars(models).values()
        if isinstance(cls, type)
        and dataclasses.is_dataclass(cls)
        and cls.__module__ == models.__name__
    )


def _parameters(cls: type) -> list[tuple[str, Any, str]]:
    """``cls.__init__``'s parameters: names, kinds and defaults (annotations left out)."""
    listed = inspect.signature(cls.__init__).parameters.values()  # type: ignore[misc]
    return [(p.name, p.kind, repr(p.default)) for p in listed]


@pytest.mark.parametrize("name", sorted(ARGS))
def test_the_init_written_on_first_use_has_dataclass_parameters(name: str) -> None:
    """Same parameters, defaults and errors as dataclass's ``__init__``, once written."""
    ours = _shapes(frozen)[name]
    theirs = _shapes(dataclass(frozen=True))[name]
    first = ours(*ARGS[name][0])  # writes the class's __init__
    assert first == ours(*ARGS[name][0])
    assert _parameters(ours) == _parameters(theirs)
    too_many = (*ARGS[name][-1], "x", "y", "z", "w", "v", "u")
    for args, kwargs in (((), {}), (too_many, {}), ((), {"nope": 1})):
        assert _outcome(ours, args, kwargs) == _outcome(theirs, args, kwargs)


def _outcome(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The error ``cls(*args, **kwargs)`` raises, as dataclass's would word it, or "made"."""
    try:
        cls(*args, **kwargs)
    except TypeError as error:
        return str(error).replace("__create_fn__.<locals>.", "")
    return "made"


def test_a_default_factory_gives_each_instance_its_own_value() -> None:
    options = _shapes(frozen)["Options"]
    a, b = options("a"), options("b")
    assert a.cache == {} and a.cache is not b.cache


@pytest.mark.parametrize(
    "body",
    [
        "name: str = field(default='', init=False)",
        "name: str = field(default='', kw_only=True)",
        "name: str = ''\n    def __post_init__(self) -> None: pass",
    ],
)
def test_what_frozen_does_not_write_is_refused(body: str) -> None:
    scope: dict[str, Any] = {"field": field}
    exec(f"class Odd:\n    {body}", scope)
    with pytest.raises(TypeError, match="@frozen does not write"):
        frozen(scope["Odd"])


def test_a_class_keeps_its_docstring_or_gets_its_fields_listed() -> None:
    """dataclass writes "Name(field: type, ...)" by asking ``inspect.signature``; ``@frozen``
    writes the names alone without asking, and keeps a docstring the class has."""
    assert _shapes(frozen)["Many"].__doc__ == "Many(name, version, extras, size)"
    assert _shapes(frozen)["Empty"].__doc__ == "Empty()"
    assert models.Evidence.__doc__ and not models.Evidence.__doc__.startswith("Evidence(")
