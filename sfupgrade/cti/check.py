"""Validating files straight from disk, one flow at a time, on every core for large inputs.

For a CI job over thousands of flows: memory holds the actions and the findings, never every
flow's text at once. Each flow is first screened (``cti.screen``); only a flow that may have a
finding is turned into the model and checked in full, so the findings are those of
``load_content`` + ``validate``, at a fraction of the cost.

Reading and screening a flow depends on nothing but the flow and the actions, so above a few
thousand flows it runs in worker processes (``jobs``). Everything with an order (names seen,
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
from sfupgrade.cti.screen import is_clean
from sfupgrade.cti.validate import CHECKS, Run, actions_by_flow, sketch
from sfupgrade.errors import UsageError
from sfupgrade.plan import Finding, Plan

# Below this many flow files, starting processes costs more than it saves.
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
    clean: bool
    error: UsageError | None = None


Runners = dict[str, list[CtiAction]]  # the actions by the flow they run
# A worker process's copy, given once when it starts rather than with every task.
_WORKER_RUNNERS: Runners = {}


def _start_worker(runners: Runners) -> None:
    _WORKER_RUNNERS.update(runners)


def _screened(file: FlowFile, runners: Runners) -> Verdict:
    colons = None if file.strict else file.text.count(":")
    clean = is_clean(file.data, file.fields, runners.get(file.name, ()), colons)
    return Verdict(file.graph, file.record, file.name, clean)


def _screen_record(record: str, runners: Runners | None = None) -> Verdict:
    try:
        graph, fields = read_record(record)
        file = read_flow(graph, fields, record, strict=False)
        return _screened(file, _WORKER_RUNNERS if runners is None else runners)
    except UsageError as exc:
        return Verdict("", record, "", False, exc)


def _screen_graph(graph: str, runners: Runners | None = None) -> Verdict:
    try:
        file = read_flow(graph, None, None, strict=False)
        return _screened(file, _WORKER_RUNNERS if runners is None else runners)
    except UsageError as exc:
        return Verdict(graph, None, "", False, exc)


Task = Callable[[str, Runners | None], Verdict]
Mapper = Callable[[Task, Sequence[str]], Iterable[Verdict]]


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def _mapper(jobs: int, flows: int, runners: Runners) -> Iterator[Mapper]:
    """``map`` in file order: in this process, or over ``jobs`` worker processes."""
    if jobs <= 1 or flows < PARALLEL_FROM:
        yield lambda task, items: (task(item, runners) for item in items)
        return
    import multiprocessing

    with multiprocessing.get_context().Pool(jobs, _start_worker, (runners,)) as pool:
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

    ``jobs``: processes to read and screen flows with (default: every core; 1 for none).
    """
    found = discover(paths)
    actions = [load_action(path) for path in found.actions]
    run = Run(actions)
    plan.findings.extend(run.start())
    count = 0
    flows = len(found.records) + len(found.graphs)
    jobs = default_jobs() if jobs is None else jobs
    with _mapper(jobs, flows, dict(actions_by_flow(actions))) as map_:
        for verdict in _verdicts(found, map_):
            if verdict.error is not None:
                raise verdict.error
            count += 1
            duplicate, runners = run.claim(verdict.name, verdict.graph)
            if duplicate is None and verdict.clean:
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
