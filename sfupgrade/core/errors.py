"""One exception tree, so the CLI can turn any domain error into one line and an exit code.

A :class:`UsageError` is the user's to fix (bad option, missing file, malformed input) and exits 2;
a :class:`FailureError` means the work could not be done (validation errors, an API failure) and
exits 1, which promises that nothing was applied; :class:`PartlyAppliedError` is the failure after
something was written, exit 68. Messages are built by the raiser from structured fields and must
never contain a secret. ``actions`` are the fixes to suggest, as the sf CLI's error ``actions``.
"""

from __future__ import annotations


class SfUpgradeError(Exception):
    """Base class of every error sfupgrade raises on purpose."""

    exit_code = 1

    def __init__(self, message: str = "", *, actions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.actions = tuple(actions)


class UsageError(SfUpgradeError):
    """The input or the invocation is wrong; the user can fix it."""

    exit_code = 2


class FailureError(SfUpgradeError):
    """The work could not be done although the invocation was right."""

    exit_code = 1


class MetadataXmlError(UsageError):
    """A metadata file is not well-formed, hostile, or not the expected type."""


class ValueSetError(UsageError):
    """A value set breaks a Salesforce rule (duplicates, limits, lengths)."""


class ProjectError(UsageError):
    """A project layout could not be read or the component was not found in it."""


class ConcurrentModificationError(FailureError):
    """A file changed on disk between reading it and writing it."""


class WriteError(FailureError):
    """A file could not be written; the original is left as it was."""


class PartlyAppliedError(FailureError):
    """The run wrote something (a file, the value set, records) and then failed: exit 68.

    Exit 1 means nothing was applied; a caller that sees 68 knows the target changed and that
    a rerun plans what is left.
    """

    exit_code = 68
