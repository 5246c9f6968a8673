"""File names for records pulled from an org: one rule, safe on every OS, never two alike.

Every character other than ASCII letters, digits, ``-`` and ``_`` becomes ``_`` (``Create
Callback Task`` -> ``Create_Callback_Task``; no ``/``, ``..``, NUL or dot can survive), an empty
result is ``_``, a Windows device name (``CON``, ``COM1``, ...) gets a trailing ``_``, and a stem
is cut at :data:`MAX_STEM` characters. Where that gives two records one name (ignoring case, as
macOS and Windows do), or a name a local file already holds, or a name was cut, the name gets
``-<8 hex digits of the SHA-256 of the record name>``; a name that is already safe keeps its own
stem before one that was made safe. Documented in ``metadata/README.md``.
"""

from __future__ import annotations

import hashlib
import re

MAX_STEM = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
)


def safe_stem(name: str) -> str:
    """A file stem for a record name, valid and inert on every OS (rule in the docstring)."""
    stem = _UNSAFE.sub("_", name) or "_"
    if stem.upper() in _DEVICES:
        stem += "_"
    return stem[:MAX_STEM]


def _hashed(name: str, stem: str, length: int) -> str:
    return f"{stem}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:length]}"


def assign_stems(names: list[str], claimed: set[str] | None = None) -> dict[str, str]:
    """Distinct stems for ``names`` (case-insensitively distinct from ``claimed`` too)."""
    taken = {c.casefold() for c in claimed or ()}
    stems: dict[str, str] = {}
    # Names that are already safe come first, so they keep their own stem.
    for name in sorted(names, key=lambda n: (safe_stem(n) != n, n)):
        stem = safe_stem(name)
        tries = [_hashed(name, stem, n) for n in (8, 16, 64)]
        candidate = stem if len(name) <= MAX_STEM else tries.pop(0)
        count = 1
        while candidate.casefold() in taken:
            candidate = tries.pop(0) if tries else f"{_hashed(name, stem, 64)}-{count}"
            count += 1
        taken.add(candidate.casefold())
        stems[name] = candidate
    return stems
