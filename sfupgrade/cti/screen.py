"""A quick proof that a flow has nothing to report, so the full checks can skip it.

Validating thousands of flows spends most of its time building the model (blocks, ports,
references with their control paths) that only a finding needs. This pass reads the parsed
file directly and answers one question: could the full checks find anything here? It may answer
"maybe" for a clean flow (the full checks then run and find nothing), but it must never answer
"clean" for a flow with a finding: the tests hold ``payload_read`` + ``actions_agree`` to
``check_graph`` and ``check_action_flow`` on real, generated and mutated flows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sfupgrade.cti.model import CTI_ACTION_SOURCE, START_TYPE, CtiAction
from sfupgrade.cti.refs import parse_reference

# Sets of exact types, tested with one C-level pass (``issuperset(map(type, values))``).
_NUMBERS = frozenset({int, float})  # bool is an int subclass but not a number here
_ONLY_STR = frozenset({str})


# Flows share their payload keys and, written by one editor, their block ids ("uid-3"): most
# references recur. A plain dict is the cheapest cache; it stops growing at a bound.
_KNOWN: dict[str, tuple[str, str]] = {}
_KNOWN_LIMIT = 20_000


def _reference(text: str) -> tuple[str, str]:
    known = _KNOWN.get(text)
    if known is None:
        kind, name, _ = parse_reference(text)
        known = kind, name
        if len(_KNOWN) < _KNOWN_LIMIT:
            _KNOWN[text] = known
    return known


def _dollars(value: dict[str, Any] | list[Any], out: list[str]) -> int:
    """Append every ``$``-string among the values, nested maps and lists included (keys are not
    read); return how many keys the nested maps hold."""
    keys = 0
    for item in value.values() if type(value) is dict else value:
        kind = type(item)
        if kind is str:
            if item[:1] == "$":
                out.append(item)
        elif kind is dict:
            keys += len(item) + _dollars(item, out)
        elif kind is list:
            keys += _dollars(item, out)
    return keys


def _graph(blocks: Any) -> tuple[dict[str, Any], str, list[str], int] | None:
    """For a flow whose blocks follow the schema, with unique ids and exactly one start: each
    block id with its ports, the start block's id, the ``$``-strings and how many keys the
    blocks' maps hold (those it walks; see ``payload_read``); None otherwise.

    The same rules as ``load._block``, in as few Python steps per block as they allow.
    """
    if type(blocks) is not list:
        return None
    ports_of: dict[str, Any] = {}
    start = None
    strings: list[str] = []
    keys = 0
    for raw in blocks:
        if type(raw) is not dict:
            return None
        keys += len(raw)
        get = raw.get
        block_id = get("id")
        block_type = get("type")
        if type(block_id) is not str or type(block_type) is not str or not block_type:
            return None
        if block_id in ports_of:
            return None
        ports = get("ports")
        if ports is not None:
            if type(ports) is not dict:
                return None
            if ports and not _ONLY_STR.issuperset(map(type, ports.values())):
                return None
            keys += len(ports)
        position = get("position")
        if position is not None:
            if type(position) is not list:
                return None
            if position and not _NUMBERS.issuperset(map(type, position)):
                return None
        meta = get("meta")
        if meta is not None:
            if type(meta) is not dict:
                return None
            keys += len(meta)
        controls = get("controls")
        if controls is not None:
            if type(controls) is not dict:
                return None
            if controls:
                keys += len(controls) + _dollars(controls, strings)
        if block_type == START_TYPE:
            if start is not None:
                return None
            start = block_id
        ports_of[block_id] = ports
    return (ports_of, start, strings, keys) if start is not None else None


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


def payload_read(data: dict[str, Any], colons: int | None = None) -> frozenset[str] | None:
    """The payload keys a flow reads, if its graph is certainly clean on its own; else None.

    ``data`` is the parsed flow file. ``colons``, the number of ``:`` in the file's text, is
    given when ``data`` was parsed keeping the last of repeated keys: it proves there were none.
    Every key in JSON is followed by its own colon, so the text holds at least as many colons as
    keys, and a repeated key leaves the parsed maps one key short. Keys counted == colons
    therefore means no key was repeated (and no string holds a colon); anything else is "maybe".
    """
    graph = _graph(data.get("actions"))
    if graph is None or type(data.get("name", "")) is not str:
        return None
    ports_of, start, strings, keys = graph
    if colons is not None and keys + len(data) != colons:
        return None
    if not _all_reached(ports_of, start):
        return None
    read: set[str] = set()
    for text in set(strings):
        kind, name = _reference(text)
        if kind == "payload":
            read.add(name)
        elif kind == "malformed" or (kind == "action" and name not in ports_of):
            return None
    return frozenset(read)


def actions_agree(
    read: frozenset[str], source: str | None, active: bool | None, actions: Iterable[CtiAction]
) -> bool:
    """True only if running this flow (record ``source``/``active``; None without a record)
    from these actions gives no finding: it is meant for actions, active, and each action
    defines exactly the keys it reads."""
    for action in actions:
        if source != CTI_ACTION_SOURCE or active is False:
            return False
        # Equal sets: no key read that the action lacks, and none it defines left unread.
        if action.defined_keys().keys() != read:
            return False
    return True
