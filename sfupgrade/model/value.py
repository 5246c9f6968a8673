"""The base of every immutable value sfupgrade passes around (findings, locations, CTI blocks,
value sets, requests): equal only to a value of its own type, hashable, never iterable.

Each value class is ``@dataclass(frozen=True, slots=True, repr=False, eq=False)`` over
:class:`Value`: the dataclass writes ``__init__`` (typed, keyword or positional, frozen), and
equality, hashing and ``repr`` are written here once. Why not let the dataclass write them too:
on Python 3.11 every generated method is compiled when the class is defined, and the ~40 value
classes defined by a command's imports would then cost its start-up some 25 ms; written once
here, they cost nothing per class. Fields declared ``field(compare=False)`` are left out of
equality and hashing, as a dataclass would leave them out.

Named tuples were used before, and compared equal across types
(``Port("a", "b") == PayloadEntry("a", "b")``), unpacked and indexed; a value here does neither.
"""

from __future__ import annotations

import dataclasses

# Each value class's compared field names, found on first comparison (a class is never changed).
_COMPARED: dict[type, tuple[str, ...]] = {}


def _compared(cls: type) -> tuple[str, ...]:
    names = _COMPARED.get(cls)
    if names is None:
        names = _COMPARED[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.compare)
    return names


class Value:
    """Equality, hashing and ``repr`` for a frozen, slotted dataclass (see the module)."""

    __slots__ = ()

    def _key(self) -> tuple[object, ...]:
        return tuple([getattr(self, name) for name in _compared(type(self))])

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Value)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __repr__(self) -> str:
        fields = dataclasses.fields(self)  # type: ignore[arg-type]  # a dataclass's instance
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields if f.repr)
        return f"{type(self).__qualname__}({shown})"
