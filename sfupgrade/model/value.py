"""The base of every immutable value sfupgrade passes around (findings, locations, CTI blocks,
value sets, requests): equal only to a value of its own type, hashable, never iterable.

A value class subclasses :class:`Value` and declares its fields as a dataclass would, with
annotations, defaults and :func:`field` (``default``, ``default_factory``, ``compare``,
``repr``); it gets ``__slots__``, a typed ``__init__`` (keyword or positional) and frozen
attributes, and mypy reads it as a frozen dataclass (:func:`typing.dataclass_transform`).
Equality, hashing and ``repr`` are written here once. Fields declared ``field(compare=False)``
are left out of equality and hashing, as a dataclass would leave them out. The few records that
are filled in as a job runs (a plan, a discovery) say ``class Plan(Value, frozen=False)``: they
take assignment and have no hash, as a mutable dataclass has none.

Why not ``@dataclass``: on Python 3.11 a dataclass compiles its ``__init__``, ``__repr__``,
``__eq__`` (and, frozen, ``__setattr__`` and ``__delattr__``) with ``exec`` when the class is
defined, and rebuilds the class for its slots, some 0.8 ms a class; the ~50 classes a command's
imports define, and the ``dataclasses`` module itself, cost its start-up tens of milliseconds.
Here the class gets its slots as it is made, frozenness is written once below, and ``__init__``
(the same code a dataclass writes) is compiled the first time the class is built, so only the
classes a run uses pay for it and building a value costs what it did.

Named tuples were used before, and compared equal across types
(``Port("a", "b") == PayloadEntry("a", "b")``), unpacked and indexed; a value here does neither.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType
from typing import Any, TypeVar, dataclass_transform

_V = TypeVar("_V", bound="Value")

# "No default given" (a field without one must be passed to __init__).
MISSING: Any = type("MissingType", (), {"__repr__": lambda self: "MISSING"})()
# The marker for "no default" in a generated __init__ (a default_factory's field, then built).
_FACTORY = object()


class FrozenError(AttributeError):
    """An assignment to a field of a frozen value (as dataclasses' FrozenInstanceError)."""


class _Spec:
    """What :func:`field` declares, read when the class is made."""

    __slots__ = ("compare", "default", "factory", "repr")

    def __init__(
        self, default: object, factory: Callable[[], object] | None, compare: bool, repr: bool
    ) -> None:
        self.default, self.factory, self.compare, self.repr = default, factory, compare, repr


def field(
    *,
    default: Any = MISSING,
    default_factory: Callable[[], Any] | None = None,
    compare: bool = True,
    repr: bool = True,
) -> Any:
    """A field with a default (or a factory for one) or left out of equality or ``repr``, as
    :func:`dataclasses.field` declares one of a dataclass."""
    if default is not MISSING and default_factory is not None:
        raise TypeError("a field takes default or default_factory, not both")
    return _Spec(default, default_factory, compare, repr)


class _Field:
    """One declared field of a value class: its name and what ``__init__`` and the dunders need."""

    __slots__ = ("compare", "default", "factory", "name", "repr")

    def __init__(self, name: str, declared: object) -> None:
        self.name = name
        self.default: object = declared
        self.factory: Callable[[], object] | None = None
        self.compare = self.repr = True
        if isinstance(declared, _Spec):
            self.default, self.factory = declared.default, declared.factory
            self.compare, self.repr = declared.compare, declared.repr


def _init_source(fields: tuple[_Field, ...]) -> tuple[str, dict[str, object]]:
    """The source of a frozen ``__init__`` for these fields and the names its defaults read."""
    names: dict[str, object] = {"_set": object.__setattr__, "_FACTORY": _FACTORY}
    params, body = ["self"], []
    for f in fields:
        value = f.name
        if f.factory is not None:
            names[f"_factory_{f.name}"] = f.factory
            params.append(f"{f.name}=_FACTORY")
            value = f"_factory_{f.name}() if {f.name} is _FACTORY else {f.name}"
        elif f.default is not MISSING:
            names[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        else:
            params.append(f.name)
        body.append(f"    _set(self, {f.name!r}, {value})")
    return f"def __init__({', '.join(params)}) -> None:\n" + "\n".join(body or ["    pass"]), names


def _first_init(self: Value, *args: Any, **kwargs: Any) -> None:
    """Every value class's ``__init__`` until its first value: compiles the real one, puts it
    on the class (so later values go straight to it) and builds this value with it."""
    cls = type(self)
    source, names = _init_source(cls._fields)
    exec(source, names)  # our own source, from the class's field names
    init = names["__init__"]
    assert isinstance(init, FunctionType)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[method-assign]  # compiled once, then kept
    init(self, *args, **kwargs)


class _ValueType(type):
    """Makes a value class: its fields from the annotations, slots for them, and no class
    attribute left for a default (a slot and a class attribute cannot share a name)."""

    def __new__(
        mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], frozen: bool = True
    ) -> _ValueType:
        if not bases:  # Value itself: its annotations are the attributes below, not fields
            return super().__new__(mcs, name, bases, namespace)
        inherited: tuple[_Field, ...] = ()
        for base in bases:
            inherited = getattr(base, "_fields", inherited)
        own = tuple(
            _Field(field_name, namespace.pop(field_name, MISSING))
            for field_name in namespace.get("__annotations__", {})
        )
        fields = inherited + own
        defaulted = [f.default is not MISSING or f.factory is not None for f in fields]
        if defaulted != sorted(defaulted):
            raise TypeError(f"{name}: a field without a default follows one with a default")
        namespace["__slots__"] = tuple(f.name for f in own)
        namespace["_fields"] = fields
        namespace["_compared"] = tuple(f.name for f in fields if f.compare)
        namespace["_shown"] = tuple(f.name for f in fields if f.repr)
        namespace.setdefault("__init__", _first_init)
        if not frozen:  # filled in as a job runs: assignable, and so without a hash
            namespace.update(
                __setattr__=object.__setattr__, __delattr__=object.__delattr__, __hash__=None
            )
        return super().__new__(mcs, name, bases, namespace)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Value(metaclass=_ValueType):
    """Equality, hashing, ``repr`` and frozenness for every value class (see the module)."""

    __slots__ = ()
    _fields: tuple[_Field, ...]
    _compared: tuple[str, ...]
    _shown: tuple[str, ...]

    def _key(self) -> tuple[object, ...]:
        return tuple([getattr(self, name) for name in self._compared])

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Value)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenError(f"cannot delete field {name!r}")

    def __setstate__(self, state: tuple[None, dict[str, object]]) -> None:
        """Restores a copied or unpickled value, whose slots the frozen ``__setattr__`` refuses."""
        for name, value in state[1].items():
            object.__setattr__(self, name, value)


def replace(value: _V, /, **changes: Any) -> _V:
    """A copy of ``value`` with the fields named in ``changes`` changed, as
    :func:`dataclasses.replace` makes one of a dataclass."""
    for f in value._fields:
        if f.name not in changes:
            changes[f.name] = getattr(value, f.name)
    return type(value)(**changes)


def field_names(value: Value) -> tuple[str, ...]:
    """The names of ``value``'s fields, in declaration order."""
    return tuple(f.name for f in value._fields)
