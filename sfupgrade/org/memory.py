"""An org held in memory: :class:`~sfupgrade.org.port.OrgPort` without a network.

For the planner and applier tests, and for a library user's dry-run demo (plan an upgrade
against an org built in a few lines). It keeps what Salesforce does with what it is sent, where
a plan's convergence depends on it:

- a whole-set value-set update deactivates the values it leaves out (they stay, inactive);
- a checkbox is never null: a record created without it holds its default (false), and a write
  of null to it is refused for that record;
- a text field stores ``""`` as null;
- a field or object the describe does not know fails the whole request; a unique field refuses
  a second record holding its value (DUPLICATE_VALUE); at most :data:`BATCH_SIZE` records a
  :meth:`~MemoryOrg.save`;
- a field an update leaves out keeps its value.

Faults a test can ask for: locked records (:meth:`MemoryOrg.lock`), create answers that are
lost after the records were created (:attr:`MemoryOrg.lost_answers`), a value-set save the org
refuses (:attr:`MemoryOrg.save_error`), a check-only validation it fails
(:attr:`MemoryOrg.check_problem`). Wire-level behaviour (Bulk CSV's ``#N/A``, URI limits,
SOAP faults, retries) is the Salesforce adapter's and is tested against the HTTP fake org.
"""

from __future__ import annotations

from typing import Any

from sfupgrade.model.value import Value, field, replace
from sfupgrade.model.valueset import ValueSet
from sfupgrade.org.connect import OrgError, UnavailableError
from sfupgrade.org.port import BATCH_SIZE, Record, SaveResult

_TEXT = frozenset({"string", "textarea", "picklist", "multipicklist", "email", "phone", "url"})


class MemoryObject(Value, frozen=False):
    """One sObject: its describe (fields by API name) and its records by id."""

    name: str
    label: str
    fields: dict[str, dict[str, Any]]
    prefix: str
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    locks: dict[str, int] = field(default_factory=dict)  # unique value -> failures left


class MemoryOrg:
    """An org in memory; see the module docstring for what it keeps of Salesforce's rules.

    ``log`` lists every call as ``(operation, what, count)`` so a test can tell what was read
    and written.
    """

    def __init__(self, host: str = "memory.example") -> None:
        self._host = host
        self.value_sets: dict[str, ValueSet] = {}
        self.objects: dict[str, MemoryObject] = {}
        self.log: list[tuple[str, str, int]] = []
        self.lost_answers = 0  # the next creates are applied, then their answer is lost
        self.save_error: str | None = None  # the next value-set write is refused with this
        self.check_problem: str | None = None  # check-only validations fail with this
        self.checked: list[tuple[str, ValueSet]] = []
        self._next_id = 1

    def __repr__(self) -> str:
        return f"MemoryOrg({self._host!r})"

    @property
    def target(self) -> str:
        return f"org:{self._host}"

    @property
    def host(self) -> str:
        return self._host

    @property
    def writes(self) -> list[tuple[str, str, int]]:
        return [entry for entry in self.log if entry[0] in ("write_value_set", "save")]

    # -- building the org ------------------------------------------------------------------

    def add_value_set(self, value_set: ValueSet, namespace: str | None = None) -> str:
        """Hold ``value_set`` (under ``namespace__name`` with a namespace); its full name."""
        full_name = f"{namespace}__{value_set.name}" if namespace else value_set.name
        self.value_sets[full_name] = replace(value_set, name=full_name)
        return full_name

    def add_object(
        self,
        name: str,
        fields: dict[str, str],
        unique: tuple[str, ...] = (),
        label: str | None = None,
        labels: dict[str, str] | None = None,
    ) -> None:
        """An sObject with ``fields`` API name -> type (``string``, ``boolean``, ``double``,
        ``textarea``, ``reference:Target__c``, ...); ``unique`` fields refuse duplicates;
        ``label`` and ``labels`` (field -> label) as Setup shows them, else made from names."""
        described: dict[str, dict[str, Any]] = {
            "Id": {
                "name": "Id",
                "label": "Record ID",
                "type": "id",
                "unique": True,
                "referenceTo": [],
            }
        }
        for api, kind in fields.items():
            kind, _, target = kind.partition(":")
            described[api] = {
                "name": api,
                "label": (labels or {}).get(api) or _label(api),
                "type": kind,
                "nillable": kind != "boolean",
                "defaultValue": False if kind == "boolean" else None,
                "unique": api in unique,
                "referenceTo": [target] if target else [],
            }
        prefix = f"m{len(self.objects):02d}"
        self.objects[name] = MemoryObject(name, label or _label(name), described, prefix)

    def insert(self, sobject: str, values: dict[str, Any]) -> str:
        """Store a record as an admin would have made it (no rule but the stored values')."""
        obj = self.objects[sobject]
        record_id = f"{obj.prefix}{self._next_id:013d}"
        self._next_id += 1
        defaults = {f: d["defaultValue"] for f, d in obj.fields.items() if f != "Id"}
        obj.records[record_id] = defaults | _stored(obj, values)
        return record_id

    def records(self, sobject: str) -> dict[str, dict[str, Any]]:
        return self.objects[sobject].records

    def lock(self, sobject: str, unique_value: str, times: int = 1) -> None:
        """Writes of the record whose unique field holds ``unique_value`` fail with
        UNABLE_TO_LOCK_ROW ``times`` times."""
        self.objects[sobject].locks[unique_value] = times

    # -- value sets --------------------------------------------------------------------------

    def value_set_names(self) -> list[str]:
        self.log.append(("value_set_names", "GlobalValueSet", 0))
        return list(self.value_sets)

    def read_value_set(self, full_name: str) -> ValueSet | None:
        self.log.append(("read_value_set", full_name, 0))
        return self.value_sets.get(full_name)

    def write_value_set(self, full_name: str, value_set: ValueSet) -> list[str]:
        self.log.append(("write_value_set", full_name, len(value_set.values)))
        if self.save_error is not None:
            error, self.save_error = self.save_error, None
            return [error]
        old = self.value_sets.get(full_name)
        if old is None:
            return [f"INVALID_CROSS_REFERENCE_KEY: no GlobalValueSet {full_name}"]
        written = {v.full_name for v in value_set.values}
        left_out = tuple(
            replace(v, is_active=False) for v in old.values if v.full_name not in written
        )
        self.value_sets[full_name] = replace(
            value_set, name=full_name, values=(*value_set.values, *left_out)
        )
        return []

    def check_value_set(self, full_name: str, value_set: ValueSet) -> str:
        self.log.append(("check_value_set", full_name, len(value_set.values)))
        problem = self.check_problem
        if full_name not in self.value_sets:
            problem = "no such GlobalValueSet"
        check_id = f"0Af{len(self.checked):015d}"
        if problem:
            raise OrgError(
                f"{self.host}: check-only deploy {check_id} of {full_name} Failed: "
                f"{full_name}: {problem}; nothing was saved"
            )
        self.checked.append((full_name, value_set))
        return check_id

    # -- records ----------------------------------------------------------------------------

    def sobjects(self) -> dict[str, str]:
        self.log.append(("sobjects", "", 0))
        return {name: obj.label for name, obj in self.objects.items()}

    def describe(self, sobject: str) -> dict[str, dict[str, Any]]:
        self.log.append(("describe", sobject, 0))
        obj = self.objects.get(sobject)
        return {} if obj is None else {k: dict(v) for k, v in obj.fields.items()}

    def query(self, sobject: str, fields: list[str]) -> list[Record]:
        self.log.append(("query", sobject, 0))
        obj = self._object(sobject, ["Id", *fields])
        return [
            {"Id": rid, **{f: record.get(f) for f in fields}} for rid, record in obj.records.items()
        ]

    def query_named(self, sobject: str, name_field: str, names: list[str]) -> list[Record]:
        self.log.append(("query_named", sobject, len(names)))
        obj = self._object(sobject, ["Id", name_field])
        wanted = set(names)
        return [
            {"Id": rid, name_field: record.get(name_field)}
            for rid, record in obj.records.items()
            if record.get(name_field) in wanted
        ]

    def save(self, sobject: str, records: list[Record], create: bool) -> list[SaveResult]:
        if len(records) > BATCH_SIZE:
            raise OrgError(
                f"{self.host}: more than {BATCH_SIZE} records in one request", "EXCEEDED_ID_LIMIT"
            )
        results = self._save("save", sobject, records, create)
        if create and self.lost_answers > 0:
            self.lost_answers -= 1
            raise UnavailableError(f"{self.host}: the answer to a create was lost")
        return results

    def save_bulk(
        self, sobject: str, records: list[Record], create: bool, name_field: str
    ) -> list[SaveResult]:
        del name_field  # results are matched to records here by position
        return self._save("save_bulk", sobject, records, create)

    def backoff(self, attempt: int) -> None:
        self.log.append(("backoff", "", attempt))

    # -- the rules ----------------------------------------------------------------------------

    def _object(self, sobject: str, fields: list[str]) -> MemoryObject:
        obj = self.objects.get(sobject)
        if obj is None:
            raise OrgError(
                f"{self.host}: sObject type {sobject!r} is not supported", "INVALID_TYPE"
            )
        unknown = [f for f in fields if f not in obj.fields]
        if unknown:
            raise OrgError(
                f"{self.host}: no such column {unknown[0]!r} on {sobject}", "INVALID_FIELD"
            )
        return obj

    def _save(
        self, operation: str, sobject: str, records: list[Record], create: bool
    ) -> list[SaveResult]:
        self.log.append((operation, sobject, len(records)))
        obj = self._object(sobject, [k for r in records for k in r])
        return [self._save_one(obj, dict(r), create) for r in records]

    def _save_one(self, obj: MemoryObject, record: Record, create: bool) -> SaveResult:
        record_id = record.pop("Id", None)
        nulled = [k for k, v in record.items() if v is None and obj.fields[k]["type"] == "boolean"]
        if nulled:
            message = f"{nulled[0]}: value not of required type: null"
            return SaveResult(False, None, (("INVALID_TYPE_ON_FIELD_IN_RECORD", message),))
        if not create and record_id not in obj.records:
            return SaveResult(False, None, (("INVALID_CROSS_REFERENCE_KEY", "invalid id"),))
        values = _stored(obj, record)
        merged = ({} if create else obj.records[record_id]) | values
        for api, described in obj.fields.items():
            if api == "Id" or not described["unique"] or merged.get(api) is None:
                continue
            key = str(merged[api])
            if obj.locks.get(key, 0) > 0:
                obj.locks[key] -= 1
                return SaveResult(False, None, (("UNABLE_TO_LOCK_ROW", "unable to lock"),))
            holder = next((i for i, r in obj.records.items() if r.get(api) == merged[api]), None)
            if holder is not None and holder != record_id:
                return SaveResult(False, None, (("DUPLICATE_VALUE", f"duplicate {api}"),))
        if create:
            return SaveResult(True, self.insert(obj.name, values))
        obj.records[record_id] = merged
        return SaveResult(True, record_id)


def _stored(obj: MemoryObject, values: dict[str, Any]) -> dict[str, Any]:
    """An empty string in a text field is stored as null."""
    return {k: None if v == "" and obj.fields[k]["type"] in _TEXT else v for k, v in values.items()}


def _label(api_name: str) -> str:
    """A label as Setup derives one: namespace and suffix dropped, underscores as spaces."""
    return api_name.removesuffix("__c").rpartition("__")[2].replace("_", " ")
