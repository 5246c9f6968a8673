"""Waiting for the org's asynchronous work: Bulk API 2.0 jobs and check-only deploys.

Both are submitted once and then read until done. The reads are safe to repeat (the connection
retries them as usual); the wait grows geometrically from ``first`` up to ``cap`` seconds, and
after ``limit`` seconds the caller's error is raised. Giving up on watching never resubmits the
work: it may still be running, and the caller's error says how to follow it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
GROWTH = 1.5


def pause(seconds: float) -> None:
    """Every wait of the org layer (a retry's back-off, a poll's interval) goes through here, so
    tests replace this one function and run retries and polls without waiting."""
    time.sleep(seconds)


def poll(
    read: Callable[[], T],
    done: Callable[[T], bool],
    *,
    first: float,
    cap: float,
    limit: float,
    gave_up: Callable[[T], Exception],
) -> T:
    """``read()`` until ``done`` says so; its last answer, or ``gave_up(last)`` raised.

    Time is counted both as the delays slept and on the monotonic clock, so a test that skips
    the sleeps still reaches the limit.
    """
    delay, waited, start = first, 0.0, time.monotonic()
    while True:
        answer = read()
        if done(answer):
            return answer
        if waited >= limit or time.monotonic() - start >= limit:
            raise gave_up(answer)
        pause(delay)
        waited += delay
        delay = min(cap, delay * GROWTH)
