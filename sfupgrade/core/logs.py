"""Diagnostics on stderr for -v (what happens) and -vv (every request), never with a secret.

Every record passes a filter that masks token-shaped strings and every token this process has
been given (registered by the org layer when it logs in), so a debug log can be pasted into a
bug report as it is.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from sfupgrade.core.progress import interrupted
from sfupgrade.core.redact import redact_text

_secrets: set[str] = set()
_LOGGER = "sfupgrade"


def register_secret(secret: str | None) -> None:
    """Mask ``secret`` wherever it would appear in a log line from now on.

    Also makes sure a redacting handler is in place, so that nothing the org layer logs can
    reach Python's default last-resort handler unmasked, whatever the caller configured.
    """
    if secret:
        _secrets.add(secret)
    logger = logging.getLogger(_LOGGER)
    if not any(isinstance(h, _Handler) for h in logger.handlers):
        configure(0)


class _Redacting(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage(), _secrets)
        record.args = None
        if record.exc_info:
            # A traceback may quote a request; keep only its last line, masked.
            record.msg += " (" + redact_text(repr(record.exc_info[1]), _secrets) + ")"
            record.exc_info = None
        return True


class _Handler(logging.StreamHandler):
    """Ours, so configuring twice (tests, library users) replaces it; writes around a progress bar.

    A record for the stream a bar is drawn on clears the bar's line first and has the bar redrawn
    below it (:func:`sfupgrade.core.progress.interrupted`): the record starts at column 0 on its
    own.
    """

    def emit(self, record: logging.LogRecord) -> None:
        with interrupted(self.stream):
            super().emit(record)


def configure(verbose: int, stream: TextIO | None = None) -> None:
    """0: warnings only; 1 (-v): what the run does; 2 or more (-vv): every request too."""
    logger = logging.getLogger(_LOGGER)
    for handler in [h for h in logger.handlers if isinstance(h, _Handler)]:
        logger.removeHandler(handler)
    handler = _Handler(stream if stream is not None else sys.stderr)
    handler.addFilter(_Redacting())
    handler.setFormatter(logging.Formatter("sfupgrade: %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
