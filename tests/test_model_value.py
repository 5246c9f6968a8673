"""The value base every model type is built on: what a value equals, refuses and copies to."""

from __future__ import annotations

import copy
import pickle

import pytest

from sfupgrade.model.cti import PayloadEntry, Port
from sfupgrade.model.value import FrozenError, Value, field, field_names, replace


class Pair(Value):
    left: str
    right: int = 0
    tags: tuple[str, ...] = ()
    seen: list[str] = field(default_factory=list, compare=False)
    note: str = field(default="", compare=False, repr=False)


class Record(Value, frozen=False):
    name: str
    items: list[int] = field(default_factory=list)


def test_values_of_different_types_never_compare_equal() -> None:
    assert Port("a", "b") != PayloadEntry("a", "b")
    assert Port("a", "b") == Port("a", "b")
    assert len({Port("a", "b"), Port("a", "b"), PayloadEntry("a", "b")}) == 2


def test_a_value_is_frozen_and_not_iterable() -> None:
    pair = Pair("x", 1)
    with pytest.raises(FrozenError):
        pair.left = "y"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del pair.right
    with pytest.raises(TypeError):
        iter(pair)  # type: ignore[call-overload]
    with pytest.raises(AttributeError):
        pair.other = 1


def test_defaults_factories_and_fields_left_out_of_equality() -> None:
    first, second = Pair("x"), Pair(left="x")
    assert first == second and first.seen is not second.seen  # a new list per value
    assert Pair("x", note="a") == Pair("x", note="b")
    assert hash(Pair("x", note="a")) == hash(Pair("x", note="b"))
    assert repr(Pair("x", 2)) == "Pair(left='x', right=2, tags=(), seen=[])"
    with pytest.raises(TypeError):
        Pair()  # type: ignore[call-arg]


def test_replace_copy_and_pickle_keep_every_field() -> None:
    pair = Pair("x", 2, ("t",), ["s"], note="n")
    changed = replace(pair, right=3)
    assert (changed.left, changed.right, changed.tags, changed.note) == ("x", 3, ("t",), "n")
    assert field_names(pair) == ("left", "right", "tags", "seen", "note")
    for twin in (copy.copy(pair), copy.deepcopy(pair), pickle.loads(pickle.dumps(pair))):
        assert twin == pair and (twin.seen, twin.note) == (["s"], "n")


def test_a_mutable_record_takes_assignment_and_has_no_hash() -> None:
    record = Record("a")
    record.items.append(1)
    record.name = "b"
    assert record == Record("b", [1])
    with pytest.raises(AttributeError):  # slots: no attribute beyond the declared fields
        record.other = 1
    with pytest.raises(TypeError):
        hash(record)


def test_declarations_a_dataclass_would_refuse_are_refused() -> None:
    with pytest.raises(TypeError, match="not both"):
        field(default=1, default_factory=list)
    with pytest.raises(TypeError, match="without a default follows"):

        class Wrong(Value):
            first: int = 0
            second: str  # type: ignore[misc]
