"""A quick proof that a flow has nothing to report, so the full checks can skip it.

Validating thousands of flows spends most of its time building the model (blocks, ports,
references with their control paths) that only a finding needs. This pass reads the parsed
file directly and answers one question: could the full checks find anything here? It may answer
"maybe" for a clean flow (the full checks then run and find nothing), but it must never answer
"clean" for a flow with a finding: the tests hold it to ``check_graph`` and
``check_action_flow`` on real, generated and mutated flows.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sfupgrade.cti.model import CTI_ACTION_SOURCE, START_TYPE, CtiAction
from sfupgrade.cti.refs import parse_reference

# Sets of exact types, tested with one C-level pass (``issuperset(map(type, values))``).
_NUMBERS = frozenset({int, float})  # bool is an int subclass but not a number here
_ONLY_STR = frozenset({str})
_ONLY_DICT = frozenset({dict})
_MAPS = frozenset({dict, type(None)})
_LISTS = frozenset({list, type(None)})
_FLAT = frozenset({str, int, float, bool, type(None)})


@lru_cache(maxsize=4096)  # flows share their payload keys, so most lookups hit
def _reference(text: str) -> tuple[str, str]:
    kind, name, _ = parse_reference(text)
    return kind, name


def _dollars(value: dict[str, Any] | list[Any], out: list[str]) -> None:
    """Every ``$``-string among the values, nested maps and lists included (keys are not read)."""
    for item in value.values() if type(value) is dict else value:
        kind = type(item)
        if kind is str:
            if item[:1] == "$":
                out.append(item)
        elif kind is dict or kind is list:
            _dollars(item, out)


def _references(controls: list[Any]) -> list[str] | None:
    """The ``$``-strings of all the blocks' controls, or None where a control is not a map."""
    if not _MAPS.issuperset(map(type, controls)):
        return None
    values = [value for each in controls if each for value in each.values()]
    if _FLAT.issuperset(map(type, values)):  # the usual case: no nested maps or lists
        return [value for value in values if type(value) is str and value[:1] == "$"]
    strings: list[str] = []
    for each in controls:
        if each:
            _dollars(each, strings)
    return strings


def _graph(blocks: Any) -> tuple[dict[str, Any], str, list[str]] | None:
    """For a flow whose blocks follow the schema, with unique ids and exactly one start: each
    block id with its ports, the start block's id and the ``$``-strings; None otherwise.

    Column by column (every id, then every type...), so each test is one C-level pass over
    the blocks rather than a dozen Python steps per block.
    """
    if type(blocks) is not list or not _ONLY_DICT.issuperset(map(type, blocks)):
        return None
    ids = [raw.get("id") for raw in blocks]
    types = [raw.get("type") for raw in blocks]
    if not (_ONLY_STR.issuperset(map(type, ids)) and _ONLY_STR.issuperset(map(type, types))):
        return None
    if "" in types or types.count(START_TYPE) != 1:
        return None
    ports = [raw.get("ports") for raw in blocks]
    ports_of = dict(zip(ids, ports, strict=True))
    if len(ports_of) != len(ids):  # an id used twice
        return None
    metas = [raw.get("meta") for raw in blocks]
    positions = [raw.get("position") for raw in blocks]
    if not (
        _MAPS.issuperset(map(type, ports))
        and _MAPS.issuperset(map(type, metas))
        and _LISTS.issuperset(map(type, positions))
    ):
        return None
    targets = [target for each in ports if each for target in each.values()]
    coordinates = [value for each in positions if each for value in each]
    if not (
        _ONLY_STR.issuperset(map(type, targets)) and _NUMBERS.issuperset(map(type, coordinates))
    ):
        return None
    strings = _references([raw.get("controls") for raw in blocks])
    if strings is None:
        return None
    return ports_of, ids[types.index(START_TYPE)], strings


def _all_reached(ports_of: dict[str, Any], start: str) -> bool:
    """Every port leads to a block, and every block is reached from the start."""
    seen = {start}
    todo = [start]
    while todo:
        ports = ports_of[todo.pop()]
        if ports:
            for target in ports.values():
                if target not in seen:
                    if target not in ports_of:
                        return False
                    seen.add(target)
                    todo.append(target)
    return len(seen) == len(ports_of)


def is_clean(
    data: dict[str, Any], fields: dict[str, Any] | None, actions: Iterable[CtiAction]
) -> bool:
    """True only if the full checks would find nothing in this flow or the actions that run it.

    ``data`` is the parsed flow file, ``fields`` its record (None without one), ``actions``
    the actions that name it.
    """
    graph = _graph(data.get("actions"))
    if graph is None or type(data.get("name", "")) is not str:
        return False
    ports_of, start, strings = graph
    if not _all_reached(ports_of, start):
        return False
    read: set[str] = set()
    for text in strings:
        kind, name = _reference(text)
        if kind == "payload":
            read.add(name)
        elif kind == "malformed" or (kind == "action" and name not in ports_of):
            return False
    for action in actions:
        if fields is None or fields.get("source") != CTI_ACTION_SOURCE:
            return False
        if fields.get("active") is False:
            return False
        # Equal sets: no key read that the action lacks, and none it defines left unread.
        if action.defined_keys().keys() != read:
            return False
    return True
