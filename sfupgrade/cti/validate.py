"""The checks: graph integrity of every flow, and actions against the flows they run.

Pure functions of the model, so the same findings feed ``sfupgrade validate`` and the plan of
``sfupgrade upgrade`` (where any error stops the apply). Finding codes are stable: CI filters
on them.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

from sfupgrade.cti.model import (
    CTI_ACTION_SOURCE,
    START_TYPE,
    Block,
    Content,
    CtiAction,
    CtiFlow,
    Reference,
)
from sfupgrade.cti.refs import LineFinder, locate
from sfupgrade.plan import Finding, FlowSketch, Location, Plan

UNDEFINED_PAYLOAD_KEY = "cti-undefined-payload-key"
MISSING_FLOW = "cti-missing-flow"
FLOW_NOT_CTI_ACTION = "cti-flow-not-cti-action"
DUPLICATE_KEY = "cti-duplicate-key"
INVALID_FORM_KEY = "cti-invalid-form-key"
DUPLICATE_FLOW = "cti-duplicate-flow"
DUPLICATE_ACTION = "cti-duplicate-action"
UNKNOWN_BLOCK = "cti-unknown-block"
DANGLING_PORT = "cti-dangling-port"
DUPLICATE_BLOCK_ID = "cti-duplicate-block-id"
NO_START = "cti-no-start"
MULTIPLE_STARTS = "cti-multiple-starts"
MALFORMED_REFERENCE = "cti-malformed-reference"
UNUSED_PAYLOAD_KEY = "cti-unused-payload-key"
UNREACHABLE_BLOCK = "cti-unreachable-block"
INACTIVE_FLOW = "cti-inactive-flow"

# Every check, found something or not: reports list the ones that passed too (JUnit, SARIF rules).
CHECKS = (
    UNDEFINED_PAYLOAD_KEY,
    MISSING_FLOW,
    FLOW_NOT_CTI_ACTION,
    DUPLICATE_KEY,
    INVALID_FORM_KEY,
    DUPLICATE_FLOW,
    DUPLICATE_ACTION,
    UNKNOWN_BLOCK,
    DANGLING_PORT,
    DUPLICATE_BLOCK_ID,
    NO_START,
    MULTIPLE_STARTS,
    MALFORMED_REFERENCE,
    UNUSED_PAYLOAD_KEY,
    UNREACHABLE_BLOCK,
    INACTIVE_FLOW,
)

# The adapter's form keys become JavaScript property names in `$.payload.<key>` paths.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# Beyond this many candidates a fuzzy match costs more than it helps (it is O(n) per lookup).
_FUZZY_LIMIT = 500


def _bare(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", text).casefold()


class Suggester:
    """Guesses what was meant among known names; built once when asked many times."""

    def __init__(self, candidates: Iterable[str]) -> None:
        self._options = sorted(set(candidates))
        # First hit wins: setdefault over the sorted names keeps the choice stable.
        self._by_fold: list[tuple[Callable[[str], str], dict[str, str]]] = []
        for fold in (str.casefold, _bare):
            index: dict[str, str] = {}
            for option in self._options:
                index.setdefault(fold(option), option)
            self._by_fold.append((fold, index))

    def __call__(self, wanted: str) -> str | None:
        """A case-only difference first, then one of punctuation (``uid12`` vs ``uid-12``),
        then the nearest spelling."""
        for fold, index in self._by_fold:
            key = fold(wanted)
            if key and key in index:
                return index[key]
        if len(self._options) > _FUZZY_LIMIT:
            return None
        near = difflib.get_close_matches(wanted, self._options, n=1, cutoff=0.6)
        return near[0] if near else None


def closest(wanted: str, candidates: Iterable[str]) -> str | None:
    """The best guess at what ``wanted`` was meant to be among ``candidates``, or None."""
    return Suggester(candidates)(wanted)


def _did_you_mean(wanted: str, candidates: Iterable[str] | Suggester) -> str | None:
    guess = (candidates if isinstance(candidates, Suggester) else Suggester(candidates))(wanted)
    return f"did you mean {guess!r}?" if guess else None


def _in_flow(
    flow: CtiFlow, block: str, block_type: str, path: str | None, at: tuple[int, int] | None
) -> Location:
    line, column = at or (None, None)
    return Location(flow.file, line, column, block, block_type, path)


def _at(flow: CtiFlow, ref: Reference) -> Location:
    key = None if ref.path.endswith("]") else ref.path.rsplit(".", 1)[-1]
    at = locate(flow.definition, ref.block, key, ref.text)
    return _in_flow(flow, ref.block, ref.block_type, ref.path, at)


def _at_block(flow: CtiFlow, block: Block, nth: int = 0) -> Location:
    at = locate(flow.definition, block.id, nth=nth)
    return _in_flow(flow, block.id, block.type, None, at)


def check_graph(flow: CtiFlow) -> list[Finding]:
    """Integrity of one flow on its own: ids, ports, start block, references, reachability."""
    findings: list[Finding] = []
    subject = flow.name
    by_id: dict[str, Block] = {}
    occurrences: dict[str, int] = defaultdict(int)
    for block in flow.blocks:
        occurrences[block.id] += 1
        if block.id in by_id:
            findings.append(
                Finding(
                    "error",
                    DUPLICATE_BLOCK_ID,
                    f"flow {flow.name!r}: two blocks have the id {block.id!r}",
                    subject,
                    _at_block(flow, block, occurrences[block.id] - 1),
                    "give each block its own id (the editor does this on re-save)",
                )
            )
        by_id.setdefault(block.id, block)
    ids = by_id.keys()
    for block in flow.blocks:
        for port in block.ports:
            if port.target not in by_id:
                findings.append(
                    Finding(
                        "error",
                        DANGLING_PORT,
                        f"flow {flow.name!r}: port {port.name!r} of block {block.id!r} leads to"
                        f" block {port.target!r}, which does not exist",
                        subject,
                        _in_flow(
                            flow,
                            block.id,
                            block.type,
                            port.name,
                            locate(flow.definition, block.id, port.name, port.target),
                        ),
                        _did_you_mean(port.target, ids),
                    )
                )
    starts = [block for block in flow.blocks if block.type == START_TYPE]
    if not starts:
        findings.append(
            Finding(
                "error",
                NO_START,
                f"flow {flow.name!r} has no {START_TYPE} block, so it never runs",
                subject,
                Location(flow.file, 1),
                f"add a {START_TYPE} block and connect it to the first step",
            )
        )
    for extra in starts[1:]:
        findings.append(
            Finding(
                "error",
                MULTIPLE_STARTS,
                f"flow {flow.name!r} has {len(starts)} {START_TYPE} blocks; a flow has exactly one",
                subject,
                _at_block(flow, extra),
                f"keep one {START_TYPE} block (the first is {starts[0].id!r})",
            )
        )
    for ref in flow.references:
        if ref.kind == "action" and ref.name not in by_id:
            findings.append(
                Finding(
                    "error",
                    UNKNOWN_BLOCK,
                    f"flow {flow.name!r}: {ref.text!r} reads the results of block {ref.name!r},"
                    " which does not exist",
                    subject,
                    _at(flow, ref),
                    _did_you_mean(ref.name, ids),
                )
            )
        elif ref.kind == "malformed":
            findings.append(
                Finding(
                    "error",
                    MALFORMED_REFERENCE,
                    f"flow {flow.name!r}: {ref.text!r} starts with '$' but is not a reference the"
                    " adapter resolves",
                    subject,
                    _at(flow, ref),
                    "write $.payload.<key>, $.actions.<blockId>.results.<field>"
                    " or $.contact.<path>",
                )
            )
    if len(starts) == 1:
        findings.extend(_unreachable(flow, starts[0].id, by_id))
    return findings


def _unreachable(flow: CtiFlow, start: str, by_id: dict[str, Block]) -> Iterator[Finding]:
    seen = {start}
    todo = [start]
    while todo:
        for port in by_id[todo.pop()].ports:
            if port.target in by_id and port.target not in seen:
                seen.add(port.target)
                todo.append(port.target)
    for block in flow.blocks:
        if block.id not in seen:
            yield Finding(
                "warning",
                UNREACHABLE_BLOCK,
                f"flow {flow.name!r}: block {block.id!r} ({block.type}) is never reached from"
                f" the {START_TYPE} block",
                flow.name,
                _at_block(flow, block),
                "connect it or delete it",
            )


def _entry_lines(action: CtiAction) -> dict[str, list[int | None]]:
    """The lines of the payload entries and the form fields, in file order (for findings only).

    Each section is searched forward from its own key, so a payload value equal to a form key
    does not take its line.
    """
    text = action.text or ""
    lines = LineFinder(text)
    lines.find('"payload"')
    payload = [lines.find_value(entry.key, entry.value) for entry in action.payload]
    lines = LineFinder(text)
    lines.find('"form"')
    form = [lines.find_value("key", field.key) for field in action.form_fields]
    return {"payload": payload, "form": form}


def _flow_line(action: CtiAction) -> int | None:
    return LineFinder(action.text or "").find_value("flow", action.flow)


def check_action_record(action: CtiAction) -> list[Finding]:
    """An action on its own: form keys are identifiers and no key is defined twice."""
    form_keys = [field.key for field in action.form_fields]
    keys = [entry.key for entry in action.payload] + form_keys
    if len(set(keys)) == len(keys) and all(map(_IDENTIFIER.match, form_keys)):
        return []  # the usual case, decided without looking up a single line
    findings = []
    seen: set[str] = set()
    lines = _entry_lines(action)
    entries = [("payload", index, entry.key) for index, entry in enumerate(action.payload)]
    entries += [("form", index, key) for index, key in enumerate(form_keys)]
    for where, index, key in entries:
        at = Location(action.file, lines[where][index], path=f"{where}.{key}" if key else where)
        if where == "form" and not _IDENTIFIER.match(key):
            findings.append(
                Finding(
                    "error",
                    INVALID_FORM_KEY,
                    f"action {action.name!r}: form field key {key!r} is "
                    + ("empty" if not key.strip() else "not an identifier"),
                    action.name,
                    at,
                    "use letters, digits and '_', not starting with a digit (e.g. FirstName)",
                )
            )
        if key in seen:
            findings.append(
                Finding(
                    "error",
                    DUPLICATE_KEY,
                    f"action {action.name!r} defines {key!r} twice; payload and form keys share"
                    " one namespace",
                    action.name,
                    at,
                    f"rename or remove one of the two {key!r}",
                )
            )
        seen.add(key)
    return findings


def check_action_flow(
    action: CtiAction, flow: CtiFlow | None, flow_names: Iterable[str] | Suggester = ()
) -> list[Finding]:
    """An action against its flow: it exists, is meant for actions, reads only defined keys."""
    if flow is None:
        return [
            Finding(
                "error",
                MISSING_FLOW,
                f"action {action.name!r} runs flow {action.flow!r}, which does not exist",
                action.name,
                Location(action.file, _flow_line(action), path="flow"),
                _did_you_mean(action.flow, flow_names),
            )
        ]
    findings = []
    if flow.source != CTI_ACTION_SOURCE:
        said = f"source {flow.source!r}" if flow.has_record else "no record file saying its source"
        findings.append(
            Finding(
                "error",
                FLOW_NOT_CTI_ACTION,
                f"action {action.name!r} runs flow {flow.name!r}, which has {said}; only flows"
                f" with source {CTI_ACTION_SOURCE!r} can be run by an action",
                action.name,
                Location(flow.record_file or flow.file, flow.record_line, path="source"),
                f'set "source": "{CTI_ACTION_SOURCE}" in the flow\'s record file',
            )
        )
    elif flow.active is False:
        findings.append(
            Finding(
                "warning",
                INACTIVE_FLOW,
                f"action {action.name!r} runs flow {flow.name!r}, which is inactive",
                action.name,
                Location(flow.record_file, flow.record_line, path="active"),
                'set "active": true in the flow\'s record file',
            )
        )
    defined = action.defined_keys()
    suggest = _key_suggester(flow, defined)
    read: set[str] = set()
    for ref in flow.references:
        if ref.kind != "payload":
            continue
        read.add(ref.name)
        if ref.name not in defined:
            findings.append(
                Finding(
                    "error",
                    UNDEFINED_PAYLOAD_KEY,
                    f"action {action.name!r} does not define payload key {ref.name!r}, which"
                    f" flow {flow.name!r} reads in block {ref.block!r} at {ref.path}",
                    action.name,
                    _at(flow, ref),
                    suggest(ref.name) or f"add {ref.name!r} to the action's payload or form",
                )
            )
    unread = [(key, where) for key, where in defined.items() if key not in read]
    lines = _entry_lines(action) if unread else {}
    for key, (section, index) in unread:
        findings.append(
            Finding(
                "warning",
                UNUSED_PAYLOAD_KEY,
                f"action {action.name!r} defines {key!r}, which flow {flow.name!r} never reads",
                action.name,
                Location(action.file, lines[section][index], path=f"{section}.{key}"),
                _did_you_mean(key, read - defined.keys()),
            )
        )
    return findings


def _key_suggester(flow: CtiFlow, defined: Iterable[str]) -> Callable[[str], str | None]:
    """Suggestions for keys a flow reads but its action lacks.

    A key the action defines but the flow never reads is the likeliest meant one (a rename on
    one side only), so those come first: by spelling, then, when one key is missing and one is
    unused, that one. Only then any defined key by spelling (a case difference first).
    """
    read = {ref.name for ref in flow.references if ref.kind == "payload"}
    keys = list(defined)
    unused = [key for key in keys if key not in read]
    missing = {name for name in read if name not in keys}
    unused_by_spelling, by_spelling = Suggester(unused), Suggester(keys)

    def suggest(name: str) -> str | None:
        guess = unused_by_spelling(name)
        if guess is None and len(unused) == 1 and len(missing) == 1:
            return f"did you mean {unused[0]!r}? (the action defines it; the flow never reads it)"
        guess = guess or by_spelling(name)
        return f"did you mean {guess!r}?" if guess else None

    return suggest


def _duplicate(kind: str, code: str, name: str, file: str | None, other: str | None) -> Finding:
    return Finding(
        "error",
        code,
        f"two {kind}s are named {name!r} (the other is in {other})",
        name,
        Location(file),
        f"rename one: {kind}s are matched by name",
    )


def _duplicates(kind: str, code: str, items: Iterable[tuple[str, str | None]]) -> Iterator[Finding]:
    first: dict[str, str | None] = {}
    for name, file in items:
        if name in first:
            yield _duplicate(kind, code, name, file, first[name])
        first.setdefault(name, file)


class Run:
    """The order-dependent state of one validation: the flow names seen so far and the actions
    still waiting for their flow. Callers that stream flows (``cti.check``) drive it directly."""

    def __init__(self, actions: Sequence[CtiAction]) -> None:
        self.actions = actions
        self._waiting = actions_by_flow(actions)
        self._seen: dict[str, str | None] = {}

    def start(self) -> Iterator[Finding]:
        """Findings of the actions on their own."""
        actions = self.actions
        yield from _duplicates("action", DUPLICATE_ACTION, ((a.name, a.file) for a in actions))
        for action in actions:
            yield from check_action_record(action)

    def claim(self, name: str, file: str | None) -> tuple[Finding | None, list[CtiAction]]:
        """Note a flow by name: a duplicate-name finding, and the actions that run it."""
        duplicate = None
        if name in self._seen:
            duplicate = _duplicate("flow", DUPLICATE_FLOW, name, file, self._seen[name])
        else:
            self._seen[name] = file
        return duplicate, self._waiting.pop(name, [])

    def flow(self, flow: CtiFlow, actions: Iterable[CtiAction]) -> Iterator[Finding]:
        """Findings of one flow: its graph, then each action that runs it."""
        yield from check_graph(flow)
        for action in actions:
            yield from check_action_flow(action, flow)

    def finish(self) -> Iterator[Finding]:
        """Findings of the actions whose flow never came."""
        if self._waiting:
            names = Suggester(self._seen)
            for group in self._waiting.values():
                for action in group:
                    yield from check_action_flow(action, None, names)


def iter_validate(flows: Iterable[CtiFlow], actions: Sequence[CtiAction]) -> Iterator[Finding]:
    """Every finding, taking flows one at a time so a caller can stream them from disk.

    Actions are few and small, so they are held; each flow is checked (graph, then the actions
    that run it) and can be dropped before the next one is read.
    """
    run = Run(actions)
    yield from run.start()
    for flow in flows:
        duplicate, runners = run.claim(flow.name, flow.file)
        if duplicate:
            yield duplicate
        yield from run.flow(flow, runners)
    yield from run.finish()


def validate(content: Content) -> list[Finding]:
    """Every finding for the content: actions on their own, then each flow with its actions."""
    return list(iter_validate(content.flows, content.actions))


def add_to_plan(plan: Plan, content: Content) -> None:
    """Put the findings and the flow pictures into an upgrade plan (its errors stop the apply)."""
    plan.extend(findings=validate(content))
    plan.flows.extend(sketch(flow) for flow in content.flows)
    plan.checks.extend(code for code in CHECKS if code not in plan.checks)


def actions_by_flow(actions: Iterable[CtiAction]) -> dict[str, list[CtiAction]]:
    grouped: dict[str, list[CtiAction]] = defaultdict(list)
    for action in actions:
        grouped[action.flow].append(action)
    return grouped


def sketch(flow: CtiFlow) -> FlowSketch:
    """The flow's graph for a picture in the report (Mermaid), in file order."""
    return FlowSketch(
        name=flow.name,
        file=flow.file,
        blocks=tuple((block.id, block.type) for block in flow.blocks),
        edges=tuple(
            (block.id, port.name, port.target) for block in flow.blocks for port in block.ports
        ),
    )
