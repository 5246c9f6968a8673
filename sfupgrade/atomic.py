"""Writing files so that a failed or interrupted run leaves every original intact.

Each file is written to a temporary file in its own directory (same file system, so the rename
is atomic), flushed and fsynced, given the original's mode, and renamed over the original only
after checking that nobody changed the original since it was read. A group of files is staged
completely before the first rename, so an error while staging changes nothing at all.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sfupgrade.errors import ConcurrentModificationError, WriteError


@dataclass(frozen=True)
class FileWrite:
    """Replace ``path``'s content ``expected`` (as read when planning) by ``data``."""

    path: Path
    expected: bytes
    data: bytes


def _target(path: Path) -> Path:
    """Write through a symlink to the file it names, so the link itself stays a link."""
    return Path(os.path.realpath(path))


def _check_unchanged(write: FileWrite) -> None:
    try:
        current = write.path.read_bytes()
    except OSError as exc:
        raise ConcurrentModificationError(
            f"{write.path}: cannot be read again before writing ({exc.strerror}); nothing written"
        ) from None
    if current != write.expected:
        raise ConcurrentModificationError(
            f"{write.path}: changed on disk since it was read; nothing written, rerun to plan again"
        )


def _stage(write: FileWrite) -> Path:
    target = _target(write.path)
    mode = stat.S_IMODE(target.stat().st_mode)
    if not mode & 0o222:
        raise WriteError(
            f"{write.path}: file is read-only; make it writable (chmod u+w) and rerun; "
            "nothing written"
        )
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(write.data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise WriteError(
            f"{write.path}: cannot write ({exc.strerror}); the original is unchanged"
        ) from None
    return temp


def write_files(writes: Sequence[FileWrite]) -> None:
    """Apply all writes or none: every check and every temporary file comes before any rename."""
    for write in writes:
        _check_unchanged(write)
    staged: list[tuple[Path, Path]] = []
    try:
        for write in writes:
            staged.append((_stage(write), _target(write.path)))
        for write in writes:
            _check_unchanged(write)
    except BaseException:
        for temp, _ in staged:
            with contextlib.suppress(OSError):
                temp.unlink()
        raise
    for temp, target in staged:
        os.replace(temp, target)
        _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable; some file systems refuse, which is harmless."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
