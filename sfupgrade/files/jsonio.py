"""The one reader of JSON input files: strict, bounded, and safe on hostile files.

Python's json module silently keeps the last of duplicate keys and accepts NaN/Infinity, both of
which would turn a typo into wrong data in an org. Every input is also treated as hostile: only
regular files are opened (a FIFO would block forever, ``/dev/zero`` never ends), reads stop at
:data:`MAX_BYTES`, and nesting beyond :data:`MAX_DEPTH` is refused with its line and column
instead of a ``RecursionError``. Errors carry file, line and column.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from sfupgrade.core.errors import UsageError

# Documented in metadata/README.md. The largest real flow is well under 1 MiB; a generated fleet
# flow of 150,000 blocks is 55 MB.
MAX_BYTES = 64 * 1024 * 1024
# Real flows nest under 10 levels; Python's parser itself gives up near 1,000.
MAX_DEPTH = 500
# How much of any input value a message quotes (see :func:`quote`).
QUOTE_LIMIT = 200


class JsonInputError(UsageError):
    """A JSON input file is unreadable, malformed or ambiguous."""


def clip(value: object, limit: int = QUOTE_LIMIT) -> str:
    """An input value for a message, cut to ``limit`` characters with an ellipsis and its length.

    Every message that shows a value from a file goes through here (or :func:`quote`), so a
    1 MiB control value never turns a finding into a megabyte of report.
    """
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """:func:`clip`, as a quoted ``repr`` (``'Reason'``), the way messages name values."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # in C; the slow search runs only when a key was lost
    if len(result) != len(pairs):
        seen: set[str] = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise ValueError(f"duplicate key {quote(key)}")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _too_deep(text: str, source: str) -> JsonInputError:
    """The error for a text nested beyond :data:`MAX_DEPTH`, located where it goes past it.

    Only on the error path: a scan of every bracket costs more than the parse.
    """
    depth = 0
    for token in _TOKEN.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                at = token.start()
                line = text.count("\n", 0, at) + 1
                column = at - text.rfind("\n", 0, at)
                return JsonInputError(
                    f"{source}:{line}:{column}: nested deeper than {MAX_DEPTH} levels;"
                    " not a file the CTI Flow editor writes"
                )
        elif mark in "]}":
            depth -= 1
    return JsonInputError(f"{source}: nested too deeply to read; not a file the editor writes")


def loads_strict(text: str, source: str = "<string>") -> Any:
    """Parse JSON, refusing duplicate keys, NaN/Infinity and deep nesting, with one located line."""
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise JsonInputError(
            f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}; fix the file and rerun"
        ) from None
    except RecursionError:
        raise _too_deep(text, source) from None
    except ValueError as exc:
        raise JsonInputError(f"{source}: invalid JSON: {exc}; fix the file and rerun") from None


def read_bytes_bounded(
    path: str | Path, limit: int | None = None, error: type[UsageError] | None = None
) -> bytes:
    """A regular file's bytes, at most ``limit`` of them, or one clear line saying why not.

    Every input file is read through here (JSON, metadata XML, a manifest, a key file), so the
    hostile-file rules live once: opened without blocking and checked with ``fstat`` on the open
    descriptor, so a FIFO, a device or a link to one is refused before a single byte is read.
    ``limit`` defaults to :data:`MAX_BYTES`; ``error`` is the error class the caller's input
    kind raises (default :class:`JsonInputError`).
    """
    limit = MAX_BYTES if limit is None else limit
    error = JsonInputError if error is None else error
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(
                f"{path}: not a regular file ({_kind(info.st_mode)}); only regular files are read"
            )
        # Sized by fstat (a read of the whole limit would allocate it for every small file), and
        # read on the descriptor: a file object per input costs as much as reading it.
        data = _read_up_to(fd, min(info.st_size, limit) + 1)
        if limit >= len(data) > info.st_size:  # it grew while being read
            data += _read_up_to(fd, limit + 1 - len(data))
    finally:
        os.close(fd)
    if len(data) > limit:
        raise error(f"{path}: larger than {_size(limit)}, the limit for this kind of input file")
    return data


def _size(count: int) -> str:
    """A byte limit as people write it (64 MiB, 64 KiB)."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale and count % scale == 0:
            return f"{count // scale} {unit}"
    return f"{count} bytes"


def _read_up_to(fd: int, count: int) -> bytes:
    """Up to ``count`` bytes, fewer only at the end of the file (a read may return less)."""
    chunks = []
    while count > 0:
        chunk = os.read(fd, min(count, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks) if len(chunks) != 1 else chunks[0]


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def read_text_strict(path: str | Path, limit: int | None = None) -> str:
    """A UTF-8 text file (a BOM allowed), bounded as :func:`read_bytes_bounded`."""
    data = read_bytes_bounded(path, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JsonInputError(
            f"{path}: not UTF-8 (byte {exc.start}); save the file as UTF-8 and rerun"
        ) from None


def load_strict(path: str | Path) -> Any:
    """Read and parse a UTF-8 JSON file strictly (see :func:`loads_strict`)."""
    return loads_strict(read_text_strict(path), str(path))
