"""The progress bar draws on a terminal only, late enough not to flicker on quick work."""

from __future__ import annotations

import io

from sfupgrade.progress import Progress


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
