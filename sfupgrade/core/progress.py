"""A progress bar on stderr for org work that takes more than a moment.

It draws only for a person watching: never when stderr is not a terminal (CI logs, pipes) or
with --quiet, and not at all for work that ends before ``delay`` seconds, so quick runs stay
clean. stdout is never touched, so reports piped elsewhere are unaffected.

Log lines (-v, -vv, warnings) share stderr with the bar; :func:`interrupted` lets them through
without landing in the middle of the bar's line (see there for why).
"""

from __future__ import annotations

import contextlib
import functools
import sys
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TextIO

DELAY = 0.5  # seconds of work before the bar first appears
INTERVAL = 0.1  # seconds between redraws

# The bar whose line is the last one on its stream, cursor at its end: drawn and not yet closed.
# Bars do not nest (each redraws the same line), so one is enough.
_on_screen: Progress | None = None


class Progress:
    """``label [#########...........] 120/400`` redrawn in place with carriage returns."""

    def __init__(
        self,
        total: int | None,
        label: str,
        *,
        stream: TextIO | None = None,
        quiet: bool = False,
        width: int = 30,
        delay: float | None = None,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = not quiet and _is_terminal(self._stream)
        self._width = width
        self._clock = clock
        self._start = clock()
        self._delay = DELAY if delay is None else delay
        self._interval = INTERVAL if interval is None else interval
        self._drawn_at: float | None = None

    def line(self) -> str:
        """The bar as text (without the carriage return), e.g. for tests and logs."""
        if not self.total:
            return f"{self.label} {self.done}"
        filled = min(self._width, self._width * self.done // self.total)
        bar = "#" * filled + "." * (self._width - filled)
        return f"{self.label} [{bar}] {self.done}/{self.total}"

    def _draw(self) -> None:
        global _on_screen
        self._stream.write("\r" + self.line() + "\x1b[K")
        self._stream.flush()
        self._drawn_at = self._clock()
        _on_screen = self

    def advance(self, count: int = 1) -> None:
        """Record ``count`` more items done, redrawing at most every ``interval`` seconds."""
        self.done += count
        if not self.enabled:
            return
        now = self._clock()
        if self._drawn_at is None:
            if now - self._start >= self._delay:
                self._draw()
        elif now - self._drawn_at >= self._interval:
            self._draw()

    def close(self) -> None:
        """Leave the final counts on their own line, if the bar was ever shown."""
        global _on_screen
        if self.enabled and self._drawn_at is not None:
            self._draw()
            self._stream.write("\n")
            self._stream.flush()
        if _on_screen is self:
            _on_screen = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@contextlib.contextmanager
def interrupted(stream: TextIO) -> Iterator[None]:
    """Write whole lines to ``stream`` around a bar shown there: cleared first, redrawn after.

    The bar is a line without a newline, redrawn in place; a log record written meanwhile would
    continue that line (``label [###...] 1/2sfupgrade: INFO: ...``). So the bar's line is cleared
    (``\\r`` and clear-to-end) for the record to start at column 0, and the bar is drawn again
    below it at once, as tqdm's ``write`` does. This was chosen over hiding the bar
    under -v because it is the more robust of the two: warnings show at every verbosity, so they
    would still meet the bar, and -v users keep their bar. Nothing is written when no bar is on
    ``stream`` (not a terminal, --quiet, quick work, or the bar closed).
    """
    bar = _on_screen
    if bar is None or bar._stream is not stream:
        yield
        return
    stream.write("\r\x1b[K")
    try:
        yield
    finally:
        bar._draw()


ProgressFactory = Callable[[int | None, str], Progress]
"""What library calls that take a while accept: called with (total, label) for each bar."""


def terminal_progress(quiet: bool) -> ProgressFactory:
    """Bars on stderr for a command's org work, or none with --quiet."""
    return functools.partial(Progress, quiet=quiet)


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
