"""Strict JSON reading: hand-edited record files must fail loudly, not half-load.

Python's json module silently keeps the last of duplicate keys and accepts NaN/Infinity, both of
which would turn a typo into wrong data in an org. Errors carry file, line and column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sfupgrade.errors import UsageError


class JsonInputError(UsageError):
    """A JSON input file is unreadable, malformed or ambiguous."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # in C; the slow search runs only when a key was lost
    if len(result) != len(pairs):
        seen: set[str] = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise ValueError(f"duplicate key {key!r}")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# One decoder for every file: json.loads would build a new one per call when given hooks.
_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
# Without the pairs hook the C scanner builds the dicts itself, several times faster.
_KEEP_LAST = json.JSONDecoder(parse_constant=_no_constants)
_SPACE = json.decoder.WHITESPACE.match


def _decode(decoder: json.JSONDecoder, text: str, source: str) -> Any:
    # The scanner straight away: decode() costs two more calls per file, and validate reads
    # tens of thousands. Anything unusual goes through decode(), which words the error.
    try:
        value, end = decoder.scan_once(text, _SPACE(text, 0).end())
        if _SPACE(text, end).end() == len(text):
            return value
    except (StopIteration, ValueError):
        pass
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise JsonInputError(
            f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}; fix the file and rerun"
        ) from None
    except ValueError as exc:
        raise JsonInputError(f"{source}: invalid JSON: {exc}; fix the file and rerun") from None


def loads_strict(text: str, source: str = "<string>") -> Any:
    """Parse JSON, refusing duplicate keys and NaN/Infinity, with a one-line located error."""
    return _decode(_DECODER, text, source)


def loads_keeping_last(text: str, source: str = "<string>") -> Any:
    """Like :func:`loads_strict`, but where a key repeats the last one is kept, unreported.

    Only for a caller that proves the absence of repeats another way before trusting the data
    (``cti.screen`` compares the keys it counts with the colons in the text), and reads the file
    with :func:`loads_strict` when it cannot.

    orjson parses it, two to three times faster than the json module: over thousands of flow
    files, parsing is most of the work. Whatever orjson refuses (NaN, a lone surrogate, a number
    out of a double's range) goes to the json module, which words the error or accepts it as
    :func:`loads_strict` would. orjson reads integers beyond 64 bits as floats: callers use
    this data to screen, never to write.
    """
    import orjson  # not at start-up: only validate reads flow files by the thousand

    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return _decode(_KEEP_LAST, text, source)


def read_text_strict(path: str | Path) -> str:
    """A UTF-8 text file (a BOM allowed), or one clear line saying why it cannot be read."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as exc:
        raise JsonInputError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JsonInputError(
            f"{path}: not UTF-8 (byte {exc.start}); save the file as UTF-8 and rerun"
        ) from None


def load_strict(path: str | Path) -> Any:
    """Read and parse a UTF-8 JSON file strictly (see :func:`loads_strict`)."""
    return loads_strict(read_text_strict(path), str(path))
