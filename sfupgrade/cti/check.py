"""Validating files straight from disk, one flow at a time, on every core for large inputs.

For a CI job over thousands of flows: memory holds the actions and the findings, never every
flow's text at once. Each flow is first screened (``cti.screen``); only a flow that may have a
finding is turned into the model and checked in full, so the findings are those of
``load_content`` + ``validate``, at a fraction of the cost.

Reading an action, and reading and screening a flow, depend on nothing but the file, so above a
few thousand files they run in worker processes (``jobs``). Everything with an order (names seen,
duplicates, findings, errors) stays in this process, which takes the workers' verdicts in file
order and checks the flows they did not call clean itself: the result is the same, whatever
``jobs`` is.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from sfupgrade.cti.load import (
    Discovery,
    FlowFile,
    discover,
    load_action,
    read_flow,
    read_record,
)
from sfupgrade.cti.model import CtiAction, CtiFlow
from sfupgrade.cti.screen import actions_agree, payload_read
from sfupgrade.cti.validate import CHECKS, Run, sketch
from sfupgrade.errors import UsageError
from sfupgrade.plan import Finding, Plan

# Below this many files, starting processes costs more than it saves.
PARALLEL_FROM = 2_000
# Flows per task sent to a worker: large enough that passing them costs little.
_CHUNK = 200


@dataclass(frozen=True)
class Checked:
    """How much was read, for the summary line."""

    flows: int
    actions: int


class Verdict(NamedTuple):
    """What a worker learned of one flow: enough to take it in order, or the error to raise."""

    graph: str
    record: str | None
    name: str
    read: frozenset[str] | None  # the payload keys it reads; None: check it in full
    source: str | None = None
    active: bool | None = None
    error: UsageError | None = None


def _screened(file: FlowFile) -> Verdict:
    colons = None if file.strict else file.text.count(":")
    fields = file.fields or {}
    read = payload_read(file.data, colons)
    return Verdict(
        file.graph, file.record, file.name, read, fields.get("source"), fields.get("active")
    )


def _screen_record(record: str) -> Verdict:
    try:
        graph, fields = read_record(record, fast=True)
        return _screened(read_flow(graph, fields, record, strict=False))
    except UsageError as exc:
        return Verdict("", record, "", None, error=exc)


def _screen_graph(graph: str) -> Verdict:
    try:
        return _screened(read_flow(graph, None, None, strict=False))
    except UsageError as exc:
        return Verdict(graph, None, "", None, error=exc)


def _load_action(path: str) -> CtiAction | UsageError:
    try:
        return load_action(path)
    except UsageError as exc:
        return exc


Mapper = Callable[[Callable[[str], Any], Sequence[str]], Iterable[Any]]


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def _mapper(jobs: int, files: int) -> Iterator[Mapper]:
    """``map`` in file order: in this process, or over ``jobs`` worker processes."""
    if jobs <= 1 or files < PARALLEL_FROM:
        yield map
        return
    import multiprocessing

    with multiprocessing.get_context().Pool(jobs) as pool:
        yield lambda task, items: pool.imap(task, items, chunksize=_CHUNK)


def _verdicts(found: Discovery, map_: Mapper) -> Iterator[Verdict]:
    """Every flow's verdict in the order ``load.read_flows`` reads them."""
    paired: set[str] = set()
    for verdict in map_(_screen_record, found.records):
        if verdict.error is None:
            paired.add(found.key(verdict.graph))
        yield verdict
    graphs = [graph for graph in found.graphs if found.key(graph) not in paired]
    yield from map_(_screen_graph, graphs)


def check_into_plan(plan: Plan, paths: Sequence[Path], jobs: int | None = None) -> Checked:
    """Stream the content under ``paths`` into ``plan``: its findings, and a picture (sketch)
    of each flow a finding points at; other flows are dropped as soon as they are checked.

    ``jobs``: processes to read and screen files with (default: every core; 1 for none).
    """
    found = discover(paths)
    files = len(found.actions) + len(found.records) + len(found.graphs)
    with _mapper(default_jobs() if jobs is None else jobs, files) as map_:
        actions = []
        for loaded in map_(_load_action, found.actions):
            if isinstance(loaded, UsageError):
                raise loaded
            actions.append(loaded)
        run = Run(actions)
        plan.findings.extend(run.start())
        count = 0
        for verdict in _verdicts(found, map_):
            if verdict.error is not None:
                raise verdict.error
            count += 1
            duplicate, runners = run.claim(verdict.name, verdict.graph)
            read = verdict.read
            clean = read is not None and actions_agree(
                read, verdict.source, verdict.active, runners
            )
            if duplicate is None and clean:
                continue
            _check_in_full(plan, run, verdict, duplicate, runners)
    plan.findings.extend(run.finish())
    plan.checks.extend(code for code in CHECKS if code not in plan.checks)
    return Checked(count, len(actions))


def _check_in_full(
    plan: Plan, run: Run, verdict: Verdict, duplicate: Finding | None, runners: list[Any]
) -> None:
    """A flow the screen did not call clean (or a second flow of one name), read again here."""
    fields = read_record(verdict.record)[1] if verdict.record else None
    flow = read_flow(verdict.graph, fields, verdict.record, strict=True).build()
    findings = [duplicate] if duplicate else []
    findings += run.flow(flow, runners)
    plan.findings += findings
    if any(_points_at(finding, flow) for finding in findings):
        plan.flows.append(sketch(flow))


def _points_at(finding: Finding, flow: CtiFlow) -> bool:
    where = finding.location.file
    if where is not None:
        return where in (flow.file, flow.record_file)
    return finding.subject == flow.name
