"""A progress bar on stderr for org work that takes more than a moment.

It draws only for a person watching: never when stderr is not a terminal (CI logs, pipes) or
with --quiet, and not at all for work that ends before ``delay`` seconds, so quick runs stay
clean. stdout is never touched, so reports piped elsewhere are unaffected.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO


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
        delay: float = 0.5,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        isatty = getattr(self._stream, "isatty", None)
        self.enabled = not quiet and bool(isatty and isatty())
        self._width = width
        self._clock = clock
        self._start = clock()
        self._delay = delay
        self._interval = interval
        self._drawn_at: float | None = None

    def line(self) -> str:
        """The bar as text (without the carriage return), e.g. for tests and logs."""
        if not self.total:
            return f"{self.label} {self.done}"
        filled = min(self._width, self._width * self.done // self.total)
        bar = "#" * filled + "." * (self._width - filled)
        return f"{self.label} [{bar}] {self.done}/{self.total}"

    def _draw(self) -> None:
        self._stream.write("\r" + self.line() + "\x1b[K")
        self._stream.flush()
        self._drawn_at = self._clock()

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
        if self.enabled and self._drawn_at is not None:
            self._draw()
            self._stream.write("\n")
            self._stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
