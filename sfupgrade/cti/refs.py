"""Finding the ``$``-references in a flow's controls, and where they are in the file.

The adapter resolves ``$.payload.<key>``, ``$.actions.<blockId>.results...`` and
``$.contact.<path>``; any other string that starts with ``$`` is almost certainly a typo that
the adapter would pass on as a literal, so it is reported as malformed rather than ignored.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from sfupgrade.cti.model import Reference, RefKind

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

    def find_pattern(self, pattern: re.Pattern[str]) -> int | None:
        match = pattern.search(self._text, self._pos)
        return None if match is None else self._move(match.start(), match.end())

    def find_value(self, key: str, value: str) -> int | None:
        """The line of ``"key": "value"``: the key first, so an equal string earlier is skipped."""
        if self.find(json_literal(key)) is None:
            return None
        return self.find(json_literal(value))


def _collect(value: dict[str, Any] | list[Any], path: str, out: list[tuple[str, str]]) -> None:
    """Append (control path, string) for every ``$``-string, nested maps and lists included.

    Appends rather than yields: this runs for every control of every flow, and a generator per
    nested map costs more than the walk itself.
    """
    if isinstance(value, dict):
        prefix = path + "." if path else ""
        for key, item in value.items():
            if isinstance(item, str):
                if item.startswith("$"):
                    out.append((prefix + key, item))
            elif isinstance(item, dict | list):
                _collect(item, prefix + key, out)
    else:
        for index, item in enumerate(value):
            if isinstance(item, str):
                if item.startswith("$"):
                    out.append((f"{path}[{index}]", item))
            elif isinstance(item, dict | list):
                _collect(item, f"{path}[{index}]", out)


def extract(controls: dict[str, Any], block: str, block_type: str) -> list[Reference]:
    """Every reference in one block's controls, with its control path."""
    strings: list[tuple[str, str]] = []
    _collect(controls, "", strings)
    found = []
    for path, text in strings:
        kind, name, rest = parse_reference(text)
        found.append(Reference(kind, text, name, rest, block, block_type, path))
    return found


@cache
def _id_pattern(literal: str) -> re.Pattern[str]:
    return re.compile(r'"id"\s*:\s*' + re.escape(literal))


def locate(
    text: str, block: str, key: str | None = None, value: str | None = None, nth: int = 0
) -> tuple[int, int] | None:
    """(line, column) of block ``block`` (its ``nth`` occurrence) or of ``"key": "value"`` in it.

    Only called for what is reported, so the common case (no findings) never pays for lines.
    """
    finder = LineFinder(text)
    line = None
    for _ in range(nth + 1):
        line = finder.find_pattern(_id_pattern(json_literal(block)))
        if line is None:
            return None
    block_at = (line, finder.column)
    if value is None:
        return block_at
    found = finder.find_value(key, value) if key else finder.find(json_literal(value))
    return (found, finder.column) if found else block_at
