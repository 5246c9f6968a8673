"""Finding the ``$``-references in a flow's controls, and where they are in the file.

The adapter resolves ``$.payload.<key>``, ``$.actions.<blockId>.results...`` and
``$.contact.<path>``; any other string that starts with ``$`` is almost certainly a typo that
the adapter would pass on as a literal, so it is reported as malformed rather than ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sfupgrade.cti.discover import CtiContentError
from sfupgrade.files.jsonio import MAX_DEPTH, quote
from sfupgrade.model.cti import Block, Reference, RefKind

_PAYLOAD = "$.payload."
_ACTIONS = "$.actions."
_CONTACT = "$.contact."
_RESULTS = ".results"
# A payload key ends where the next step of a path begins.
_KEY_END = re.compile(r"[.\[]")
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


def parse_reference(text: str) -> tuple[RefKind, str, str]:
    """Split a ``$``-string into (kind, name, rest); ``malformed`` when it fits no form."""
    if text.startswith(_PAYLOAD):
        tail = text[len(_PAYLOAD) :]
        match = _KEY_END.search(tail)
        key, rest = (tail[: match.start()], tail[match.start() :]) if match else (tail, "")
        if key:
            return "payload", key, rest
    elif text.startswith(_ACTIONS):
        tail = text[len(_ACTIONS) :]
        # Block ids are any string (`uid-3`, `0`, `uid-NaN`), so cut at `.results`, not a pattern.
        cut = tail.find(_RESULTS)
        if cut > 0:
            rest = tail[cut + len(_RESULTS) :]
            if rest == "" or (rest[0] in ".[" and len(rest) > 1):
                return "action", tail[:cut], rest.lstrip(".")
    elif text.startswith(_CONTACT):
        path = text[len(_CONTACT) :]
        if path:
            return "contact", path, ""
    return "malformed", text, ""


def json_literal(text: str) -> str:
    """How a string most likely appears in a JSON file, to find its line cheaply."""
    if _NEEDS_ESCAPE.search(text):
        return json.dumps(text, ensure_ascii=False)
    return '"' + text + '"'


_JSON_SPACE = " \t\r\n"


def _key_before(text: str, at: int, key: str) -> int | None:
    """Where ``key`` starts if ``text[at:]`` is the value of that key (``key : value``)."""
    end = at
    while end and text[end - 1] in _JSON_SPACE:
        end -= 1
    if not end or text[end - 1] != ":":
        return None
    end -= 1
    while end and text[end - 1] in _JSON_SPACE:
        end -= 1
    start = end - len(key)
    return start if start >= 0 and text.startswith(key, start) else None


class LineFinder:
    """Finds the lines of strings in a JSON text by searching forward from the last hit.

    The parsed document is walked in file order (dicts keep it), so a forward search lands on
    the value being walked; this costs one C-level scan of the file, not a second parser.
    """

    __slots__ = ("_line", "_pos", "_text", "column")

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line = 1
        self.column = 1  # of the last hit, 1-based: minified flow files are one long line

    def _move(self, start: int, end: int) -> int:
        self._line += self._text.count("\n", self._pos, start)
        self.column = start - self._text.rfind("\n", 0, start)
        self._pos = end
        return self._line

    def find(self, needle: str) -> int | None:
        at = self._text.find(needle, self._pos)
        return None if at < 0 else self._move(at, at + len(needle))

    def find_keyed(self, key: str, value: str) -> int | None:
        """The line of the next ``key: value`` pair (both JSON literals), found by its value;
        the column is the key's.

        By the value, because it is the rarer text: every block has an ``"id"``, and one id's
        value occurs only where the block is and where a port leads to it, so the search runs
        in C from one candidate to the next instead of stopping at each block.
        """
        text = self._text
        at = text.find(value, self._pos)
        while at >= 0:
            start = _key_before(text, at, key)
            if start is not None:
                return self._move(start, at + len(value))
            at = text.find(value, at + 1)
        return None

    def find_value(self, key: str, value: str) -> int | None:
        """The line of ``"key": "value"``: the key first, so an equal string earlier is skipped."""
        if self.find(json_literal(key)) is None:
            return None
        return self.find(json_literal(value))


def _collect(
    value: dict[str, Any] | list[Any], path: str, out: list[tuple[str, str]], depth: int = 1
) -> None:
    """Append (control path, string) for every ``$``-string, nested maps and lists included.

    Appends rather than yields: this runs for every control of every flow, and a generator per
    nested map costs more than the walk itself. Refuses nesting past ``jsonio.MAX_DEPTH``,
    which the parser alone does not bound exactly.
    """
    if depth > MAX_DEPTH:
        raise RecursionError
    depth += 1
    if isinstance(value, dict):
        prefix = path + "." if path else ""
        for key, item in value.items():
            if isinstance(item, str):
                if item.startswith("$"):
                    out.append((prefix + key, item))
            elif isinstance(item, dict | list):
                _collect(item, prefix + key, out, depth)
    else:
        for index, item in enumerate(value):
            if isinstance(item, str):
                if item.startswith("$"):
                    out.append((f"{path}[{index}]", item))
            elif isinstance(item, dict | list):
                _collect(item, f"{path}[{index}]", out, depth)


def flow_references(blocks: Iterable[Block], source: str = "<flow>") -> list[Reference]:
    """Every reference in the controls of a flow's blocks, in file order, with control paths.

    One call per flow rather than per block: a fleet export holds tens of thousands of blocks,
    most of them with a control or two, and the per-call set-up cost as much as their walk.
    """
    found: list[Reference] = []
    strings: list[tuple[str, str]] = []
    block = None
    try:
        for block in blocks:
            controls = block.controls
            if not controls:
                continue
            # _collect walks a dict as a map and anything else as a list; a Block's controls
            # may be any mapping (its default is a read-only MappingProxyType).
            _collect(controls if isinstance(controls, dict) else dict(controls), "", strings)
            for path, text in strings:
                kind, name, rest = parse_reference(text)
                found.append(Reference(kind, text, name, rest, block.id, block.type, path))
            strings.clear()
    except RecursionError:
        assert block is not None  # only a block's controls are walked
        raise CtiContentError(
            f"{source}: block {quote(block.id)}: controls nested deeper than {MAX_DEPTH} levels;"
            " not a file the CTI Flow editor writes"
        ) from None
    return found


def extract(
    controls: Mapping[str, Any], block: str, block_type: str, source: str = "<flow>"
) -> list[Reference]:
    """Every reference in one block's controls (see :func:`flow_references`)."""
    return flow_references([Block(block, block_type, controls)], source)


class Locator:
    """(line, column) of blocks and of values inside them, for one flow's findings.

    Findings come in file order (blocks in order, controls in order), so each search goes
    forward from the last hit: locating every block of a 150,000-block flow costs one scan of
    the text, not one per finding. A request behind the last hit starts again from the top.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._finder = LineFinder(text)
        self._block: tuple[str, int] | None = ("", 0)  # (id, nth) the finder is inside of

    @staticmethod
    def _find_block(finder: LineFinder, literal: str) -> tuple[int, int] | None:
        line = finder.find_keyed('"id"', literal)
        return None if line is None else (line, finder.column)

    def block(self, block: str, nth: int = 0) -> tuple[int, int] | None:
        """Where block ``block`` (its ``nth`` occurrence) starts: its ``"id"``."""
        literal = json_literal(block)
        forward = not nth and self._block is not None and self._block[0] != block
        for finder in ([self._finder] if forward else []) + [None]:
            finder = finder or LineFinder(self._text)
            at = None
            for _ in range(nth + 1):
                at = self._find_block(finder, literal)
                if at is None:
                    break
            if at is not None:
                self._finder, self._block = finder, (block, nth)
                return at
        return None

    def value(self, block: str, key: str | None, value: str) -> tuple[int, int] | None:
        """Where ``"key": "value"`` (or the value alone) is inside block ``block``."""
        if self._block != (block, 0):
            at = self.block(block)
            if at is None:
                return None
        finder = self._finder
        found = finder.find_value(key, value) if key else finder.find(json_literal(value))
        if found is not None:
            return found, finder.column
        self._block = None  # searched past the block: locate it again from the top
        at = self.block(block)
        if at is None:
            return None
        finder = self._finder
        found = finder.find_value(key, value) if key else finder.find(json_literal(value))
        return (found, finder.column) if found else at


def locate(
    text: str, block: str, key: str | None = None, value: str | None = None, nth: int = 0
) -> tuple[int, int] | None:
    """(line, column) of block ``block`` (its ``nth`` occurrence) or of ``"key": "value"`` in it.

    Only called for what is reported, so the common case (no findings) never pays for lines.
    """
    locator = Locator(text)
    if value is None:
        return locator.block(block, nth)
    return locator.value(block, key, value)
