"""The progress bar draws on a terminal only, late enough not to flicker, and lets log lines by."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from sfupgrade.core.logs import configure
from sfupgrade.core.progress import Progress
from tests.helpers import terminal_screen


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bar_shows_counts_after_the_delay_and_ends_with_a_newline() -> None:
    stream, clock = _Tty(), _Clock()
    with Progress(400, "Upserting CTI actions", stream=stream, width=10, clock=clock) as bar:
        bar.advance(100)  # before the delay: nothing yet
        assert stream.getvalue() == ""
        clock.now += 1
        bar.advance(100)
    frames = stream.getvalue()
    assert frames == (
        "\rUpserting CTI actions [#####.....] 200/400\x1b[K"
        "\rUpserting CTI actions [#####.....] 200/400\x1b[K\n"
    )


def test_redraws_are_throttled() -> None:
    stream, clock = _Tty(), _Clock()
    bar = Progress(1000, "x", stream=stream, clock=clock, delay=0, interval=0.1)
    for _ in range(50):
        bar.advance()
    clock.now += 0.2
    bar.advance()
    assert stream.getvalue().count("\r") == 2
    assert bar.line().endswith(" 51/1000")


def test_silent_when_stderr_is_not_a_terminal() -> None:
    stream, clock = io.StringIO(), _Clock()
    with Progress(10, "x", stream=stream, clock=clock, delay=0) as bar:
        clock.now += 5
        bar.advance(10)
    assert stream.getvalue() == ""
    assert bar.done == 10


def test_silent_with_quiet() -> None:
    stream, clock = _Tty(), _Clock()
    with Progress(10, "x", stream=stream, quiet=True, clock=clock, delay=0) as bar:
        clock.now += 5
        bar.advance(10)
    assert stream.getvalue() == ""


def test_quick_work_leaves_no_trace() -> None:
    stream = _Tty()
    with Progress(3, "x", stream=stream, clock=_Clock()) as bar:
        bar.advance(3)
    assert stream.getvalue() == ""


def test_unknown_total_shows_a_count() -> None:
    bar = Progress(None, "Reading records", stream=io.StringIO())
    bar.advance(7)
    assert bar.line() == "Reading records 7"
    over = Progress(2, "x", stream=io.StringIO(), width=4)
    over.advance(5)
    assert over.line() == "x [####] 5/2"


# Log lines share stderr with the bar (sfupgrade.core.logs): each starts at column 0, on its own.


class _RecordingTty(_Tty):
    """A terminal's stream that also keeps each write, to see what preceded a log record."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


@pytest.fixture
def log() -> Iterator[logging.Logger]:
    """The org layer's logger; our handler is taken out again afterwards."""
    root = logging.getLogger("sfupgrade")
    handlers, level, propagate = root.handlers[:], root.level, root.propagate
    yield logging.getLogger("sfupgrade.org")
    root.handlers[:] = handlers
    root.setLevel(level)
    root.propagate = propagate


def test_a_log_line_clears_the_bar_and_the_bar_is_drawn_again_below_it(log) -> None:
    stream = _RecordingTty()
    configure(1, stream=stream)
    bar = Progress(2, "Writing CTI records", stream=stream, width=10, clock=_Clock(), delay=0)
    bar.advance()
    log.info("sent 200 record(s)")
    assert terminal_screen(stream.getvalue()) == [
        "sfupgrade: INFO: sent 200 record(s)",
        "Writing CTI records [#####.....] 1/2",
    ]
    record = next(i for i, text in enumerate(stream.writes) if "sfupgrade:" in text)
    assert stream.writes[record].startswith("sfupgrade: INFO:")
    assert stream.writes[record - 1] == "\r\x1b[K"
    assert "Writing CTI records" not in stream.writes[record]

    bar.advance()
    log.warning("a warning shows at every verbosity")
    bar.close()
    assert terminal_screen(stream.getvalue()) == [
        "sfupgrade: INFO: sent 200 record(s)",
        "sfupgrade: WARNING: a warning shows at every verbosity",
        "Writing CTI records [##########] 2/2",
        "",
    ]


def test_log_lines_are_untouched_without_a_bar_on_their_stream(log) -> None:
    other, stream = _Tty(), _Tty()
    configure(1, stream=stream)
    log.info("before")  # no bar yet
    hidden = Progress(2, "x", stream=stream, clock=_Clock())  # before its delay: not drawn
    hidden.advance()
    log.info("hidden")
    elsewhere = Progress(2, "y", stream=other, clock=_Clock(), delay=0)
    elsewhere.advance()
    log.info("elsewhere")  # a bar on another stream is not this stream's business
    elsewhere.close()
    shown = Progress(2, "z", stream=stream, clock=_Clock(), delay=0)
    shown.advance()
    shown.close()
    log.info("after")  # the bar's final line is finished: nothing to clear
    assert stream.getvalue() == (
        "sfupgrade: INFO: before\n"
        "sfupgrade: INFO: hidden\n"
        "sfupgrade: INFO: elsewhere\n"
        "\rz [###############...............] 1/2\x1b[K"
        "\rz [###############...............] 1/2\x1b[K\n"
        "sfupgrade: INFO: after\n"
    )
