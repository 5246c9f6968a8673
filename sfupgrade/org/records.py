"""CTI flow and action records in an org: plan Created/Changed/Unchanged, apply in batches.

Desired records are plain dicts (see :mod:`sfupgrade.org.recordfile`): flows ``{name, source,
event, active, description, definition}`` (definition a JSON string), actions ``{name, flow,
order, payload, form}`` (flow by name, payload and form dicts). Records are matched by name.

Applying sends sObject Collections calls of up to 200 records, flows before the actions that
look them up (a created flow's id is known only then). Collections answer 200 with per-record
results: each failure becomes a Failed change carrying its error, and the run exits 68 when
others succeeded. ``UNABLE_TO_LOCK_ROW`` records are sent again after a pause; other failures are
not. A create whose answer was lost (timeout, connection error) is never resent blindly: the
names are queried first and only the absent ones are created again. Any other request failure
stops the run; what was not yet sent is reported Failed, and a rerun plans only what is left.

Above :data:`BULK_THRESHOLD` (2,000, Salesforce's advice) records of one kind and operation,
one Bulk API 2.0 job replaces ceil(N/200) collections calls (see :mod:`sfupgrade.org.bulk`).

What is sent is what the org stores, so that a plan converges (apply, re-plan, nothing left):
a checkbox is never null in Salesforce (a missing ``active`` is false) and a text field stores
an empty string as null, so :func:`normalise` makes both sides of every comparison, and every
value sent, follow those rules.

Planning and applying are functions over the org's port (:class:`~sfupgrade.org.port.OrgPort`):
how records are queried and sent (SOQL, Collections, Bulk CSV, URI limits) is the adapter's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sfupgrade.model.plan import Change, FieldDiff, State
from sfupgrade.model.value import Value, replace
from sfupgrade.model.writes import RecordWrite
from sfupgrade.org.connect import OrgError, UnavailableError
from sfupgrade.org.mapping import Mapping, ObjectMapping, check_mapping
from sfupgrade.org.port import BATCH_SIZE, Record, SaveResult, as_port

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.core.progress import Progress, ProgressFactory
    from sfupgrade.org.connect import OrgConnection
    from sfupgrade.org.port import OrgPort

log = logging.getLogger("sfupgrade.org")

BULK_THRESHOLD = 2000  # records of one kind and operation; above it, one Bulk API 2.0 job
LOCK_RETRIES = 3
TYPES = {"flow": "CtiFlow", "action": "CtiAction"}
_JSON_FIELDS = {"flow": ("definition",), "action": ("payload", "form")}
_CHECKBOXES = {"flow": ("active",), "action": ()}


# -- reading the org -------------------------------------------------------------------------


def existing_records(org: OrgPort, om: ObjectMapping) -> dict[Any, list[dict[str, Any]]]:
    """The org's records of one kind by name (a list: a name may be held twice; a record
    without one is under None)."""
    by_name: dict[Any, list[dict[str, Any]]] = {}
    for row in org.query(om.object, [api for _, api in om.fields]):
        by_name.setdefault(row.get(om.field("name")), []).append(row)
    return by_name


# -- comparing -------------------------------------------------------------------------------


def normalise(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record as the org will store it: a missing or null checkbox is false, an empty
    string is null; an action's payload and form as the CTI loader reads them (its defaults
    spelled out). Applied to what is planned (and so sent) and to what the org gave back, so an
    action an admin built with the defaults left out compares equal to its pulled file."""
    stored = {k: None if v == "" else v for k, v in record.items()}
    for field in _CHECKBOXES[kind]:
        if stored.get(field) is None:
            stored[field] = False
    if kind == "action":
        stored = _as_loaded(stored)
    return stored


def _as_loaded(action: dict[str, Any]) -> dict[str, Any]:
    """The action's order, payload and form as :func:`loaded_action` reads them (a missing one
    takes the loader's default); as they stand when the loader would refuse them (then they
    differ from anything a file can hold)."""
    raw = {"name": action.get("name"), "flow": action.get("flow")}
    for field in ("payload", "form"):
        value = _as_json(action.get(field))
        if value is not None:
            raw[field] = value
    try:
        loaded = loaded_action(raw)
    except ValueError:
        return action
    order = loaded["order"] if action.get("order") is None else action["order"]
    return action | {"order": order, "payload": loaded["payload"], "form": loaded["form"]}


def loaded_action(raw: dict[str, Any]) -> dict[str, Any]:
    """An action's record fields as ``cti.load`` reads them from an action file's ``raw``
    JSON: the model built with the loader's own form reading and the model's defaults (no
    payload: empty; no form: none); ValueError with the schema's problem when a file could not
    hold ``raw``. Pull writes these fields and planning compares them, so both agree."""
    from sfupgrade.cti.load import ACTION_SCHEMA, read_form
    from sfupgrade.cti.schema import check
    from sfupgrade.model.cti import CtiAction, PayloadEntry

    problem = check(raw, ACTION_SCHEMA)
    if problem:
        raise ValueError(problem)
    parts: dict[str, Any] = {}
    if "payload" in raw:
        parts["payload"] = tuple(PayloadEntry(k, v) for k, v in raw["payload"].items())
    if "form" in raw:
        parts["form"] = read_form(raw["form"])
    return CtiAction(raw["name"], raw["flow"], raw.get("order", 0), **parts).record_fields()


def _same(kind: str, field: str, before: Any, after: Any) -> bool:
    """Compares normalised values."""
    if field in _JSON_FIELDS[kind]:
        return bool(_as_json(before) == _as_json(after))
    if field == "order" and before is not None and after is not None:
        return float(before) == float(after)
    return bool(before == after)


def _as_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def to_sobject(kind: str, om: ObjectMapping, record: dict[str, Any]) -> dict[str, Any]:
    """Model fields to sObject fields; JSON fields as canonical text; the flow lookup left out."""
    values = {}
    for model_field, api in om.fields:
        if kind == "action" and model_field == "flow":
            continue
        value = record.get(model_field)
        if model_field in _JSON_FIELDS[kind] and not isinstance(value, str) and value is not None:
            value = json.dumps(value, sort_keys=True, ensure_ascii=False)
        values[api] = value
    return values


def _model_view(kind: str, om: ObjectMapping, row: dict[str, Any], flows_by_id: dict) -> dict:
    view = {field: row.get(api) for field, api in om.fields}
    if kind == "action":
        view["flow"] = flows_by_id.get(row.get(om.field("flow")))
    return normalise(kind, view)


# -- planning --------------------------------------------------------------------------------


def plan_records(
    org: OrgPort | OrgConnection,
    mapping: Mapping,
    flows: list[dict[str, Any]],
    actions: list[dict[str, Any]],
) -> list[Change]:
    """Describe-check the mapping, query what exists, and plan each record; writes nothing."""
    port = as_port(org)
    check_mapping(port, mapping)
    flows = [normalise("flow", f) for f in flows]
    actions = [normalise("action", a) for a in actions]
    org_flows = existing_records(port, mapping.flow)
    org_actions = existing_records(port, mapping.action) if actions else {}
    flow_ids = {name: rows[0]["Id"] for name, rows in org_flows.items() if len(rows) == 1}
    flows_by_id = {fid: name for name, fid in flow_ids.items()}
    target = port.target
    changes = [_plan_one("flow", mapping.flow, f, org_flows, {}, target) for f in flows]
    desired_flows = {f["name"] for f in flows}
    for action in actions:
        flow = action.get("flow")
        if flow not in flow_ids and flow not in desired_flows:
            changes.append(
                Change(
                    TYPES["action"],
                    action["name"],
                    State.FAILED,
                    target,
                    error=f"its CTI flow {flow!r} is neither in the org nor in the records",
                )
            )
            continue
        change = _plan_one("action", mapping.action, action, org_actions, flows_by_id, target)
        if isinstance(change.operation, RecordWrite):
            op = replace(change.operation, flow_name=flow, flow_id=flow_ids.get(flow))
            change = replace(change, operation=op)
        changes.append(change)
    return changes


def _plan_one(
    kind: str,
    om: ObjectMapping,
    record: dict[str, Any],
    existing: dict[str, list[dict[str, Any]]],
    flows_by_id: dict[str, str],
    target: str,
) -> Change:
    name = record["name"]
    rows = existing.get(name, [])
    row = rows[0] if rows else None
    ctype = TYPES[kind]
    values = tuple(to_sobject(kind, om, record).items())
    name_field = om.field("name")
    lookup = om.field("flow") if kind == "action" else None
    if len(rows) > 1:
        return Change(
            ctype,
            name,
            State.FAILED,
            target,
            error=f"several {om.object} records are named {name!r}; delete the extras",
        )
    if row is None:
        diffs = tuple(FieldDiff(f, None, record.get(f)) for f, _ in om.fields)
        write = RecordWrite(kind, om.object, None, values, name_field, lookup)
        return Change(
            ctype,
            name,
            State.CREATED,
            target,
            summary=f"create {om.object}",
            fields=diffs,
            operation=write,
        )
    current = _model_view(kind, om, row, flows_by_id)
    diffs = tuple(
        FieldDiff(f, current.get(f), record.get(f))
        for f, _ in om.fields
        if not _same(kind, f, current.get(f), record.get(f))
    )
    if not diffs:
        return Change(ctype, name, State.UNCHANGED, target, summary="up to date")
    changed = {om.field(d.field) for d in diffs}
    if lookup not in changed:
        lookup = None
    kept = tuple((k, v) for k, v in values if k in changed)
    write = RecordWrite(kind, om.object, row["Id"], kept, name_field, lookup)
    return Change(
        ctype,
        name,
        State.CHANGED,
        target,
        summary=f"update {', '.join(d.field for d in diffs)}",
        fields=diffs,
        operation=write,
    )


# -- applying --------------------------------------------------------------------------------


def _chunks(items: list[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _record(write: RecordWrite, flow_id: str | None) -> Record:
    record: Record = dict(write.values)
    if write.record_id:
        record["Id"] = write.record_id
    if write.lookup_field:
        record[write.lookup_field] = flow_id
    return record


class _Pending(Value):
    """A pending change and its write (the change's operation, as the applier's type)."""

    change: Change
    write: RecordWrite


class _Applier:
    """One apply run: sends batches, records each change's outcome."""

    def __init__(self, org: OrgPort, progress: ProgressFactory | None) -> None:
        self.org = org
        self.outcome: dict[int, Change] = {}
        self.created_flows: dict[str, str] = {}
        self._progress = progress
        self._bar: Progress | None = None

    def run(self, changes: list[Change]) -> list[Change]:
        pending = [
            _Pending(c, c.operation)
            for c in changes
            if c.pending and isinstance(c.operation, RecordWrite)
        ]
        if pending and self._progress is not None:
            self._bar = self._progress(len(pending), "Writing CTI records")
        try:
            for kind in ("flow", "action"):
                of_kind = [p for p in pending if p.write.kind == kind]
                for create in (True, False):
                    self._send_all([p for p in of_kind if p.write.create is create], create)
        except OrgError as exc:
            for p in pending:
                self.outcome.setdefault(id(p.change), _failed(p.change, f"not sent: {exc}"))
        finally:
            if self._bar is not None:
                self._bar.close()
        return [self.outcome.get(id(c), c) for c in changes]

    def _settle(self, change: Change, outcome: Change) -> None:
        """A record's final outcome (written or failed): it counts on the progress bar."""
        self.outcome[id(change)] = outcome
        if self._bar is not None:
            self._bar.advance()

    def _flow_id(self, write: RecordWrite) -> str | None:
        if write.flow_name is None:
            return None
        return write.flow_id or self.created_flows.get(write.flow_name)

    def _records(self, pending: list[_Pending]) -> list[Record]:
        return [_record(p.write, self._flow_id(p.write)) for p in pending]

    def _send_all(self, pending: list[_Pending], create: bool) -> None:
        ready = []
        for p in pending:
            if p.write.lookup_field and self._flow_id(p.write) is None:
                self._settle(
                    p.change,
                    _failed(p.change, f"its CTI flow {p.write.flow_name!r} was not created"),
                )
            else:
                ready.append(p)
        if len(ready) > BULK_THRESHOLD:
            self._send_bulk(ready, create)
            return
        for batch in _chunks(ready):
            self._send_batch(batch, create)

    def _send_batch(self, batch: list[_Pending], create: bool) -> None:
        pending = batch
        for round_ in range(LOCK_RETRIES + 1):
            results = self._save(pending, create)
            pending = self._take(pending, results, retry_locks=round_ < LOCK_RETRIES)
            if not pending:
                return
            self.org.backoff(round_)

    def _send_bulk(self, pending: list[_Pending], create: bool) -> None:
        """One Bulk job (or a few); its locked rows go round again in batches."""
        write = pending[0].write
        results = self.org.save_bulk(
            write.sobject, self._records(pending), create, write.name_field
        )
        for batch in _chunks(self._take(pending, results, retry_locks=True)):
            self._send_batch(batch, create)

    def _take(
        self, pending: list[_Pending], results: list[SaveResult], retry_locks: bool
    ) -> list[_Pending]:
        """Record each result; the writes to send again (locked rows) come back."""
        locked = []
        for p, result in zip(pending, results, strict=True):
            if result.ok:
                self._done(p, result.id)
            elif retry_locks and any(code == "UNABLE_TO_LOCK_ROW" for code, _ in result.errors):
                locked.append(p)
            else:
                text = "; ".join(f"{code}: {msg}" for code, msg in result.errors) or "failed"
                self._settle(p.change, _failed(p.change, text))
        return locked

    def _save(self, batch: list[_Pending], create: bool) -> list[SaveResult]:
        try:
            return self.org.save(batch[0].write.sobject, self._records(batch), create)
        except UnavailableError:
            if not create:
                raise
            return self._recover_creates(batch)

    def _recover_creates(self, batch: list[_Pending]) -> list[SaveResult]:
        """The answer to a create was lost: see what exists, create only the rest, once."""
        write = batch[0].write
        name_field = write.name_field
        rows = self.org.query_named(write.sobject, name_field, [p.change.name for p in batch])
        found = {row[name_field]: row["Id"] for row in rows}
        missing = [p for p in batch if p.change.name not in found]
        log.info(
            "create answer lost: %d of %d already created", len(batch) - len(missing), len(batch)
        )
        resent: dict[int, SaveResult] = {}
        if missing:
            answer = self.org.save(write.sobject, self._records(missing), create=True)
            resent = {id(p.change): r for p, r in zip(missing, answer, strict=True)}
        return [resent.get(id(p.change)) or SaveResult(True, found[p.change.name]) for p in batch]

    def _done(self, p: _Pending, record_id: str | None) -> None:
        if p.write.kind == "flow" and record_id:
            self.created_flows[p.change.name] = record_id
        self._settle(p.change, p.change)


def _failed(change: Change, error: str) -> Change:
    return replace(change, state=State.FAILED, error=error)


def apply_records(
    org: OrgPort | OrgConnection, changes: list[Change], progress: ProgressFactory | None = None
) -> list[Change]:
    """Apply the pending record changes; the same list with failures marked Failed.

    ``progress`` (e.g. :func:`sfupgrade.core.progress.terminal_progress`) gets one bar counting the
    records settled, written or failed, batch by batch; without it nothing is drawn.
    """
    return _Applier(as_port(org), progress).run(changes)
