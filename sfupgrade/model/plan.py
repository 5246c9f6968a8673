"""The plan: what an upgrade would change and what validation found, as plain values.

Everything downstream (renderers, appliers, exit codes) is a function of a :class:`Plan`, so the
dry-run report and the real run cannot disagree: the real run applies exactly the changes shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from sfupgrade.model.value import Value, field

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.model.cti import Content
    from sfupgrade.model.writes import Operation

Severity = Literal["error", "warning"]


class State(StrEnum):
    """Per-component states, named as the sf CLI names them so users recognise them."""

    CREATED = "Created"
    CHANGED = "Changed"
    UNCHANGED = "Unchanged"
    FAILED = "Failed"


class Location(Value):
    """Where a finding points: a file (and line), or a block and control path inside a CTI flow."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    block: str | None = None
    block_type: str | None = None
    path: str | None = None

    def describe(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        if self.block is not None:
            kind = f" ({self.block_type})" if self.block_type else ""
            parts.append(f"block {self.block}{kind}")
        if self.path:
            parts.append(self.path)
        return ", ".join(parts)


class Finding(Value):
    """A validation result. ``code`` is stable across releases so CI can filter on it."""

    severity: Severity
    code: str
    message: str
    subject: str = ""
    location: Location = Location()
    suggestion: str | None = None


class FieldDiff(Value):
    """One field of a record that the plan changes."""

    field: str
    before: Any
    after: Any


class Change(Value):
    """One component the plan creates, changes or leaves alone.

    ``before_text``/``after_text`` hold the component as text (XML for value sets) when a line
    diff is the best way to show it; ``fields`` hold per-field diffs for records. ``operation``
    is the applier's own instruction (not compared, not rendered), so applying needs no
    re-planning; each applier takes the operations of its own kind.
    """

    component_type: str
    name: str
    state: State
    target: str
    summary: str = ""
    before_text: str | None = None
    after_text: str | None = None
    fields: tuple[FieldDiff, ...] = ()
    error: str | None = None
    operation: Operation | None = field(default=None, compare=False, repr=False)

    @property
    def pending(self) -> bool:
        return self.state in (State.CREATED, State.CHANGED)

    def unified_diff(self, context: int = 3) -> str:
        """The text change as a unified diff, labelled a/ and b/ like git so reviewers know it."""
        if self.before_text is None and self.after_text is None:
            return ""
        import difflib  # only when a diff is shown

        before = (self.before_text or "").splitlines(keepends=True)
        after = (self.after_text or "").splitlines(keepends=True)
        # git's a/ b/ prefixes, which reviewers know, fit relative paths only.
        old, new = f"a/{self.target}", f"b/{self.target}"
        if self.target.startswith("/") or ":" in self.target:
            old = new = self.target
        lines = difflib.unified_diff(before, after, fromfile=old, tofile=new, n=context)
        out = []
        for line in lines:
            # A last line without a newline would glue onto the next diff line otherwise.
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)


# Mermaid draws at most 500 edges at its defaults (``maxEdges``), which GitHub keeps: a larger
# flow's picture would be an error box in the pull request, so its sketch holds only its size.
PICTURE_MAX_EDGES = 500


class FlowSketch(Value):
    """A CTI flow's graph, reduced to what a picture needs (Mermaid in Markdown reports).

    Kept in the plan so renderers stay pure: they never reopen flow files. A flow with more
    than :data:`PICTURE_MAX_EDGES` edges has no blocks or edges here, and ``too_large`` says
    how many it has.
    """

    name: str
    file: str | None
    blocks: tuple[tuple[str, str], ...]  # (block id, block type), in file order
    edges: tuple[tuple[str, str, str], ...]  # (from block id, port name, to block id)
    too_large: tuple[int, int] | None = None  # (blocks, edges) of a flow not drawn


class Read(Value):
    """What a run read, named on the first line of every report (``report.common.read_from``).

    A clean report of the wrong project looks just like success; naming the project, the value
    set and the CTI content read lets a reader (and a pipeline) see that the right ones were.
    ``None`` means the command does not read that kind of input; an empty tuple that it looked
    and found none.
    """

    projects: tuple[str, ...] = ()  # the projects or folders given (none: an org run)
    org: str | None = None  # the org read from, if any
    value_sets: tuple[str, ...] | None = None  # value set files, or full names in the org
    content: tuple[str, ...] | None = None  # CTI content folders (or a --records file)


def content_folders(content: Content) -> tuple[str, ...]:
    """The folders CTI content was read from (its flows, their records, its actions), each
    once in first-seen order, for :attr:`Read.content`; empty when there was none."""
    files = [f for flow in content.flows for f in (flow.file, flow.record_file)]
    files += [action.file for action in content.actions]
    return tuple(dict.fromkeys(os.path.dirname(f) or "." for f in files if f))


class Plan(Value, frozen=False):
    """An ordered list of changes plus validation findings for one target."""

    target: str
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    flows: list[FlowSketch] = field(default_factory=list)
    dry_run: bool = True
    applied: bool = False
    # Codes of the validation checks that ran, findings or not: JUnit shows a passing test case
    # for each, so a green report proves the check ran rather than that it was skipped.
    checks: list[str] = field(default_factory=list)
    # A plan that only validates (sfupgrade validate) changes nothing by design; reports say so
    # instead of calling it a dry run, and a deploy with nothing to write is still a deploy.
    validation_only: bool = False
    # What the run was ("upgrade", "deploy"), for the words a refused or failed run is told in.
    command: str = "upgrade"
    # Why applying or verifying failed (None: it did not fail); with ``applied`` it is exit 68.
    failure: str | None = None
    # What the run read (the first line of every report says it).
    read: Read = field(default_factory=Read)

    def extend(self, changes: Iterable[Change] = (), findings: Iterable[Finding] = ()) -> None:
        self.changes.extend(changes)
        self.findings.extend(findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.pending]

    @property
    def failed(self) -> list[Change]:
        return [c for c in self.changes if c.state is State.FAILED]

    def counts(self) -> dict[str, int]:
        """Totals for summary tables, in one fixed order so every format lists them alike."""
        counts = {s.value: 0 for s in State}
        for change in self.changes:
            counts[change.state.value] += 1
        counts["errors"] = len(self.errors)
        counts["warnings"] = len(self.warnings)
        return counts

    def exit_code(self, detailed: bool = False) -> int:
        """The exit code CI relies on (see the README): 0, 1, 3 or 68.

        1 always means nothing was applied; 68 that something was, and then something failed.
        """
        if self.failure is not None:
            return 68 if self.applied else 1
        if self.errors:
            return 1
        if self.failed:
            succeeded = any(c.state in (State.CREATED, State.CHANGED) for c in self.changes)
            return 68 if self.applied and succeeded else 1
        if self.dry_run and detailed and self.pending:
            return 3
        return 0
