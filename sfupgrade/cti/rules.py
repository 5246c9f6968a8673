"""Every check of CTI content, each stated once and listed in one registry (:data:`RULES`).

A rule is a code (stable: CI filters on it), a severity, a one-line summary and a help text
(reports show them as rule metadata; ``metadata/README.md`` lists the codes, and a test holds
the two together), the scope it looks at, and the function that looks. The runner
(``cti.validate``) calls each rule on its scope; callers never call a check directly, so a
rule added here is reported by ``validate``, ``upgrade`` and ``deploy`` alike.

A check yields :class:`Hit`\\ s (message, subject, location, suggestion); the runner makes
them findings with the rule's code and severity.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Literal

from sfupgrade.cti.refs import LineFinder, Locator
from sfupgrade.cti.sidecar import add_hint
from sfupgrade.files.jsonio import quote
from sfupgrade.model.cti import (
    CTI_ACTION_SOURCE,
    START_TYPE,
    Block,
    Content,
    CtiAction,
    CtiFlow,
    Reference,
)
from sfupgrade.model.plan import Location, Severity
from sfupgrade.model.value import Value

# What a check is given: ``content`` all flows and actions; ``action`` one action; ``flow`` one
# flow; ``run`` one action and the flow it runs.
Scope = Literal["content", "action", "flow", "run"]


class Hit(Value):
    """What a check found; the runner adds the rule's code and severity to make a finding."""

    message: str
    subject: str
    location: Location
    suggestion: str | None = None


class Rule(Value):
    """A registered rule: its stable code, what it checks, and how its findings read."""

    code: str
    severity: Severity
    scope: Scope
    summary: str  # one line, for rule lists (SARIF shortDescription)
    help: str  # what it means and how to fix it (SARIF help)
    check: Callable[..., Iterable[Hit]]


RULES: list[Rule] = []


def register(rule: Rule) -> Rule:
    """Add a rule to the registry (codes are unique)."""
    if any(known.code == rule.code for known in RULES):
        raise ValueError(f"rule {rule.code} is registered already")
    RULES.append(rule)
    return rule


def unregister(code: str) -> None:
    RULES[:] = [rule for rule in RULES if rule.code != code]


def rule(
    code: str, severity: Severity, scope: Scope, summary: str, help: str
) -> Callable[[Callable[..., Iterable[Hit]]], Callable[..., Iterable[Hit]]]:
    """Register the decorated function as the check of a rule."""

    def decorate(check: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
        register(Rule(code, severity, scope, summary, help, check))
        return check

    return decorate


# --- suggestions ------------------------------------------------------------------------------

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
        if len(self._options) > _FUZZY_LIMIT or len(wanted) > 200:
            return None
        import difflib  # only for a name that is wrong: not at every start

        near = difflib.get_close_matches(wanted, self._options, n=1, cutoff=0.6)
        return near[0] if near else None


def closest(wanted: str, candidates: Iterable[str]) -> str | None:
    """The best guess at what ``wanted`` was meant to be among ``candidates``, or None."""
    return Suggester(candidates)(wanted)


def _did_you_mean(wanted: str, candidates: Iterable[str] | Suggester) -> str | None:
    guess = (candidates if isinstance(candidates, Suggester) else Suggester(candidates))(wanted)
    return f"did you mean {quote(guess)}?" if guess else None


# --- where findings point ---------------------------------------------------------------------


def _in_flow(
    flow: CtiFlow, block: str, block_type: str, path: str | None, at: tuple[int, int] | None
) -> Location:
    line, column = at or (None, None)
    return Location(flow.file, line, column, block, block_type, path)


def _at(flow: CtiFlow, ref: Reference, where: Locator) -> Location:
    key = None if ref.path.endswith("]") else ref.path.rsplit(".", 1)[-1]
    at = where.value(ref.block, key, ref.text)
    return _in_flow(flow, ref.block, ref.block_type, ref.path, at)


def _at_block(flow: CtiFlow, block: Block, where: Locator, nth: int = 0) -> Location:
    return _in_flow(flow, block.id, block.type, None, where.block(block.id, nth))


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


def _by_id(flow: CtiFlow) -> dict[str, Block]:
    """Blocks by id, the first of a repeated id winning (as the editor would run it)."""
    blocks = flow.blocks
    by_id = dict(zip([block.id for block in blocks], blocks, strict=True))  # built in C
    if len(by_id) != len(blocks):  # a repeated id: the last won, so let the first win
        by_id = {}
        for block in blocks:
            by_id.setdefault(block.id, block)
    return by_id


def _starts(flow: CtiFlow) -> list[Block]:
    return [block for block in flow.blocks if block.type == START_TYPE]


_NO_RESULTS = frozenset({START_TYPE, "SE_End"})


def _block_suggestion(flow: CtiFlow, wanted: str, reader: str) -> str | None:
    """A block whose results exist for ``$.actions.<wanted>``: one upstream of the block that
    reads it first, then any that has results; never a start or end block."""
    by_id = _by_id(flow)
    feeding: dict[str, list[str]] = defaultdict(list)
    for block in flow.blocks:
        for port in block.ports:
            feeding[port.target].append(block.id)
    upstream: set[str] = set()
    todo = [reader]
    while todo:
        for source in feeding.get(todo.pop(), ()):
            if source not in upstream:
                upstream.add(source)
                todo.append(source)
    producing = [i for i, block in by_id.items() if block.type not in _NO_RESULTS]
    for candidates in ([i for i in producing if i in upstream], producing):
        hint = _did_you_mean(wanted, candidates)
        if hint:
            return hint
    return None


# --- graph rules: one flow on its own ---------------------------------------------------------


@rule(
    "cti-duplicate-block-id",
    "error",
    "flow",
    "Two blocks of a flow share an id.",
    "Block ids tie ports and $.actions.<id> references to blocks, so they must be unique within"
    " a flow. Re-save the flow in the CTI Flow editor, which gives each block its own id.",
)
def duplicate_block_ids(flow: CtiFlow) -> Iterator[Hit]:
    if len(_by_id(flow)) == len(flow.blocks):
        return
    seen: dict[str, int] = defaultdict(int)
    where = Locator(flow.definition)
    for block in flow.blocks:
        seen[block.id] += 1
        if seen[block.id] > 1:
            yield Hit(
                f"flow {quote(flow.name)}: two blocks have the id {quote(block.id)}",
                flow.name,
                _at_block(flow, block, where, seen[block.id] - 1),
                "give each block its own id (the editor does this on re-save)",
            )


@rule(
    "cti-dangling-port",
    "error",
    "flow",
    "A port leads to a block the flow does not have.",
    "Each port of a block names the block the flow continues at; a port naming a missing block"
    " ends the flow there. Connect the port to an existing block or remove it.",
)
def dangling_ports(flow: CtiFlow) -> Iterator[Hit]:
    by_id = _by_id(flow)
    where = Locator(flow.definition)
    for block in flow.blocks:
        for port in block.ports:
            if port.target not in by_id:
                yield Hit(
                    f"flow {quote(flow.name)}: port {quote(port.name)} of block"
                    f" {quote(block.id)} leads to block {quote(port.target)}, which does not exist",
                    flow.name,
                    _in_flow(
                        flow,
                        block.id,
                        block.type,
                        port.name,
                        where.value(block.id, port.name, port.target),
                    ),
                    _did_you_mean(port.target, by_id),
                )


@rule(
    "cti-no-start",
    "error",
    "flow",
    f"A flow has no {START_TYPE} block.",
    f"A flow runs from its {START_TYPE} block; without one it never runs. Add a {START_TYPE}"
    " block and connect it to the first step.",
)
def no_start(flow: CtiFlow) -> Iterator[Hit]:
    if not _starts(flow):
        yield Hit(
            f"flow {quote(flow.name)} has no {START_TYPE} block, so it never runs",
            flow.name,
            Location(flow.file, 1),
            f"add a {START_TYPE} block and connect it to the first step",
        )


@rule(
    "cti-multiple-starts",
    "error",
    "flow",
    f"A flow has more than one {START_TYPE} block.",
    f"A flow has exactly one {START_TYPE} block; keep one and delete the others.",
)
def multiple_starts(flow: CtiFlow) -> Iterator[Hit]:
    starts = _starts(flow)
    where = Locator(flow.definition)
    for extra in starts[1:]:
        yield Hit(
            f"flow {quote(flow.name)} has {len(starts)} {START_TYPE} blocks; a flow has exactly"
            " one",
            flow.name,
            _at_block(flow, extra, where),
            f"keep one {START_TYPE} block (the first is {quote(starts[0].id)})",
        )


@rule(
    "cti-unknown-block",
    "error",
    "flow",
    "A reference reads the results of a block the flow does not have.",
    "$.actions.<blockId>.results... reads what an earlier block produced; the id must be a block"
    " of the same flow. The suggestion names a block upstream whose results exist.",
)
def unknown_blocks(flow: CtiFlow) -> Iterator[Hit]:
    by_id = _by_id(flow)
    where = Locator(flow.definition)
    for ref in flow.references:
        if ref.kind == "action" and ref.name not in by_id:
            yield Hit(
                f"flow {quote(flow.name)}: {quote(ref.text)} reads the results of block"
                f" {quote(ref.name)}, which does not exist",
                flow.name,
                _at(flow, ref, where),
                _block_suggestion(flow, ref.name, ref.block),
            )


@rule(
    "cti-malformed-reference",
    "error",
    "flow",
    "A control starts with '$' but is no reference the adapter resolves.",
    "The adapter resolves $.payload.<key>, $.actions.<blockId>.results[.<field>...] and"
    " $.contact.<path>; any other string starting with '$' is passed on as a literal, almost"
    " always by mistake.",
)
def malformed_references(flow: CtiFlow) -> Iterator[Hit]:
    where = Locator(flow.definition)
    for ref in flow.references:
        if ref.kind == "malformed":
            yield Hit(
                f"flow {quote(flow.name)}: {quote(ref.text)} starts with '$' but is not a"
                " reference the adapter resolves",
                flow.name,
                _at(flow, ref, where),
                "write $.payload.<key>, $.actions.<blockId>.results.<field> or $.contact.<path>",
            )


@rule(
    "cti-unreachable-block",
    "warning",
    "flow",
    f"No path from the {START_TYPE} block reaches a block.",
    "A block no port leads to never runs. Connect it, or delete it.",
)
def unreachable_blocks(flow: CtiFlow) -> Iterator[Hit]:
    starts = _starts(flow)
    if len(starts) != 1:
        return
    by_id = _by_id(flow)
    seen = {starts[0].id}
    todo = [starts[0].id]
    while todo:
        for port in by_id[todo.pop()].ports:
            if port.target in by_id and port.target not in seen:
                seen.add(port.target)
                todo.append(port.target)
    where = Locator(flow.definition)
    for block in flow.blocks:
        if block.id not in seen:
            yield Hit(
                f"flow {quote(flow.name)}: block {quote(block.id)} ({block.type}) is never"
                f" reached from the {START_TYPE} block",
                flow.name,
                _at_block(flow, block, where),
                "connect it or delete it",
            )


# --- action rules: one action on its own ------------------------------------------------------

# The adapter's form keys become JavaScript property names in `$.payload.<key>` paths.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _entries(action: CtiAction) -> Iterator[tuple[str, str, Location]]:
    lines = _entry_lines(action)
    keys = [("payload", entry.key) for entry in action.payload]
    keys += [("form", field.key) for field in action.form_fields]
    counters = {"payload": 0, "form": 0}
    for section, key in keys:
        line = lines[section][counters[section]]
        counters[section] += 1
        yield section, key, Location(action.file, line, path=f"{section}.{key}" if key else section)


@rule(
    "cti-invalid-form-key",
    "error",
    "action",
    "A form field key is empty or not an identifier.",
    "The flow reads a form field as $.payload.<key>, so its key is an identifier: letters,"
    " digits and '_', not starting with a digit.",
)
def invalid_form_keys(action: CtiAction) -> Iterator[Hit]:
    if all(_IDENTIFIER.match(field.key) for field in action.form_fields):
        return
    for section, key, at in _entries(action):
        if section == "form" and not _IDENTIFIER.match(key):
            word = "empty" if not key.strip() else "not an identifier"
            yield Hit(
                f"action {quote(action.name)}: form field key {quote(key)} is {word}",
                action.name,
                at,
                "use letters, digits and '_', not starting with a digit (e.g. FirstName)",
            )


@rule(
    "cti-duplicate-key",
    "error",
    "action",
    "An action defines a key twice.",
    "Hardcoded payload keys and form field keys share one namespace ($.payload.<key>); each key"
    " is defined once.",
)
def duplicate_keys(action: CtiAction) -> Iterator[Hit]:
    keys = [entry.key for entry in action.payload] + [f.key for f in action.form_fields]
    if len(set(keys)) == len(keys):
        return
    seen: set[str] = set()
    for _, key, at in _entries(action):
        if key in seen:
            yield Hit(
                f"action {quote(action.name)} defines {quote(key)} twice; payload and form keys"
                " share one namespace",
                action.name,
                at,
                f"rename or remove one of the two {quote(key)}",
            )
        seen.add(key)


# --- content rules: names across files --------------------------------------------------------


def _duplicates(kind: str, items: Iterable[tuple[str, str | None]]) -> Iterator[Hit]:
    first: dict[str, str | None] = {}
    for name, file in items:
        if name in first:
            yield Hit(
                f"two {kind}s are named {quote(name)} (the other is in {first[name]})",
                name,
                Location(file),
                f"rename one: {kind}s are matched by name",
            )
        first.setdefault(name, file)


@rule(
    "cti-duplicate-action",
    "error",
    "content",
    "Two actions share a name.",
    "Actions are matched to org records by name; give each its own.",
)
def duplicate_actions(content: Content) -> Iterator[Hit]:
    return _duplicates("action", ((a.name, a.file) for a in content.actions))


@rule(
    "cti-duplicate-flow",
    "error",
    "content",
    "Two flows share a name.",
    "Actions run flows by name, and flows are matched to org records by name; give each its own.",
)
def duplicate_flows(content: Content) -> Iterator[Hit]:
    return _duplicates("flow", ((f.name, f.file) for f in content.flows))


# --- run rules: an action against the flow it runs --------------------------------------------


def _flow_line(action: CtiAction) -> int | None:
    return LineFinder(action.text or "").find_value("flow", action.flow)


@rule(
    "cti-missing-flow",
    "error",
    "content",
    "An action runs a flow that does not exist.",
    "An action's 'flow' names a CTI flow by its name. Add the flow (a file downloaded from the"
    " CTI Flow editor: sfupgrade flow add FILE --name NAME) or correct the name.",
)
def missing_flows(content: Content) -> Iterator[Hit]:
    names = {flow.name for flow in content.flows}
    waiting = [action for action in content.actions if action.flow not in names]
    if not waiting:
        return
    # A downloaded file without a record whose name is close is the likely meant one: give it
    # a record under the action's name, rather than renaming the action after the file.
    files = {f.name: f.file for f in content.flows if f.file and not f.has_record}
    unrecorded, every = Suggester(files), Suggester(names)
    for action in waiting:
        guess = unrecorded(action.flow)
        hint: str | None
        if guess is not None:
            hint = add_hint(files[guess] or guess, action.flow)
        else:
            hint = _did_you_mean(action.flow, every)
        yield Hit(
            f"action {quote(action.name)} runs flow {quote(action.flow)}, which does not exist",
            action.name,
            Location(action.file, _flow_line(action), path="flow"),
            hint,
        )


@rule(
    "cti-flow-not-cti-action",
    "error",
    "run",
    f"An action runs a flow whose source is not {CTI_ACTION_SOURCE}.",
    f"Only flows with source {CTI_ACTION_SOURCE} can be run by an action. A downloaded flow gets"
    " its record with: sfupgrade flow add FILE --name NAME.",
)
def flow_not_cti_action(action: CtiAction, flow: CtiFlow) -> Iterator[Hit]:
    if flow.source == CTI_ACTION_SOURCE:
        return
    if flow.has_record:
        said = f"source {quote(flow.source)}"
        hint = f'set "source": "{CTI_ACTION_SOURCE}" in {flow.record_file}'
    else:
        said = "no record file saying its source"
        hint = add_hint(flow.file or flow.name, flow.name)
    yield Hit(
        f"action {quote(action.name)} runs flow {quote(flow.name)}, which has {said}; only flows"
        f" with source {CTI_ACTION_SOURCE!r} can be run by an action",
        action.name,
        Location(flow.record_file or flow.file, flow.record_line, path="source"),
        hint,
    )


@rule(
    "cti-inactive-flow",
    "warning",
    "run",
    "An action runs an inactive flow.",
    'The adapter does not run an inactive flow: set "active": true in the flow\'s record.',
)
def inactive_flow(action: CtiAction, flow: CtiFlow) -> Iterator[Hit]:
    if flow.source == CTI_ACTION_SOURCE and flow.active is False:
        yield Hit(
            f"action {quote(action.name)} runs flow {quote(flow.name)}, which is inactive",
            action.name,
            Location(flow.record_file, flow.record_line, path="active"),
            f'set "active": true in {flow.record_file}',
        )


def _read_keys(flow: CtiFlow) -> dict[str, Reference]:
    """Each payload key the flow reads, with its first reference."""
    read: dict[str, Reference] = {}
    for ref in flow.references:
        if ref.kind == "payload":
            read.setdefault(ref.name, ref)
    return read


@rule(
    "cti-undefined-payload-key",
    "error",
    "run",
    "The flow reads a payload key the action running it does not define.",
    "A flow reads the action's data as $.payload.<key>; a key the action defines neither in"
    " 'payload' nor in 'form' is empty when the flow runs. Keys the action defines but the flow"
    " never reads are suggested first (a rename on one side only).",
)
def undefined_payload_keys(action: CtiAction, flow: CtiFlow) -> Iterator[Hit]:
    defined = action.defined_keys()
    read = _read_keys(flow)
    missing = [name for name in read if name not in defined]
    if not missing:  # the usual case: nothing to suggest, so no suggester is built
        return
    unused = [key for key in defined if key not in read]
    unused_by_spelling, by_spelling = Suggester(unused), Suggester(defined)
    where = Locator(flow.definition)
    for ref in flow.references:
        if ref.kind != "payload" or ref.name in defined:
            continue
        guess = unused_by_spelling(ref.name)
        hint: str | None
        if guess is None and len(unused) == 1 and len(missing) == 1:
            hint = (
                f"did you mean {quote(unused[0])}? (the action defines it; the flow never reads it)"
            )
        else:
            guess = guess or by_spelling(ref.name)
            hint = f"did you mean {quote(guess)}?" if guess else None
        yield Hit(
            f"action {quote(action.name)} does not define payload key {quote(ref.name)}, which"
            f" flow {quote(flow.name)} reads in block {quote(ref.block)} at {ref.path}",
            action.name,
            _at(flow, ref, where),
            hint or f"add {quote(ref.name)} to the action's payload or form",
        )


@rule(
    "cti-unused-payload-key",
    "warning",
    "run",
    "The action defines a key its flow never reads.",
    "A key the flow never reads is either left over or misspelt in the flow; when the flow reads"
    " a close key the action lacks, the suggestion is to fix the flow's reference.",
)
def unused_payload_keys(action: CtiAction, flow: CtiFlow) -> Iterator[Hit]:
    defined = action.defined_keys()
    read = _read_keys(flow)
    unread = [(key, where) for key, where in defined.items() if key not in read]
    if not unread:
        return
    lines = _entry_lines(action)
    misspelt = Suggester(name for name in read if name not in defined)
    for key, (section, index) in unread:
        typo = misspelt(key)
        hint = None
        if typo is not None:
            ref = read[typo]
            hint = (
                f"if the flow means {quote(key)}, change {quote('$.payload.' + typo)} to"
                f" {quote('$.payload.' + key)} in block {quote(ref.block)} ({ref.path}) of"
                f" {flow.file}"
            )
        yield Hit(
            f"action {quote(action.name)} defines {quote(key)}, which flow {quote(flow.name)}"
            " never reads",
            action.name,
            Location(action.file, lines[section][index], path=f"{section}.{key}"),
            hint,
        )


def codes() -> tuple[str, ...]:
    """Every registered rule's code, in registry order."""
    return tuple(rule.code for rule in RULES)


def by_scope(scope: Scope) -> list[Rule]:
    return [rule for rule in RULES if rule.scope == scope]
