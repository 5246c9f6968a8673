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
from collections.abc import Sequence
from pathlib import Path

from sfupgrade.core.errors import ConcurrentModificationError, WriteError
from sfupgrade.model.writes import FileWrite


def _target(path: Path) -> Path:
    """Write through a symlink to the file it names, so the link itself stays a link."""
    return Path(os.path.realpath(path))


def _check_unchanged(write: FileWrite) -> None:
    if write.expected is None:
        if os.path.lexists(write.path):
            raise ConcurrentModificationError(
                f"{write.path}: created on disk since the run began; nothing written, rerun"
            )
        return
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


def _new_file_mode() -> int:
    """What open() would give a new file under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_temp(target: Path, data: bytes, mode: int) -> Path:
    """``data`` in a durable temporary file beside ``target``, ready to be renamed over it."""
    import tempfile  # only when writing: dry runs and plans never pay for it

    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return temp


def _stage(write: FileWrite) -> Path:
    target = _target(write.path)
    mode = _new_file_mode() if write.expected is None else stat.S_IMODE(target.stat().st_mode)
    if write.expected is not None and not mode & 0o222:
        raise WriteError(
            f"{write.path}: file is read-only; make it writable (chmod u+w) and rerun; "
            "nothing written"
        )
    try:
        return _write_temp(target, write.data, mode)
    except OSError as exc:
        raise WriteError(
            f"{write.path}: cannot write ({exc.strerror}); the original is unchanged"
        ) from None


def replace_file(path: Path, data: bytes) -> None:
    """Create or replace an output file (a report) atomically, keeping an existing file's mode.

    Readers see the old content or the new, never half. Special files (``/dev/stdout``, a FIFO)
    are written in place, since a rename would replace the device rather than write to it.
    Raises OSError; callers say what the file was for.
    """
    if path.exists() and not path.is_file():
        with path.open("wb") as handle:
            handle.write(data)
        return
    target = _target(path)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _new_file_mode()
    temp = _write_temp(target, data, mode)
    try:
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def write_files(writes: Sequence[FileWrite]) -> None:
    """Apply all writes or none: every check and every temporary file comes before any rename."""
    for write in writes:
        _check_unchanged(write)
    staged: list[tuple[Path, Path]] = []
    renamed = 0
    try:
        for write in writes:
            staged.append((_stage(write), _target(write.path)))
        for write in writes:
            _check_unchanged(write)
        for temp, target in staged:
            os.replace(temp, target)
            renamed += 1
            _fsync_dir(target.parent)
    except BaseException:
        # Interrupted (an error, Ctrl-C, a kill signal turned exception): whatever was not
        # renamed yet must not linger beside the originals as a hidden temporary file.
        for temp, _ in staged[renamed:]:
            with contextlib.suppress(OSError):
                temp.unlink()
        raise


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable; some file systems refuse, which is harmless."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
