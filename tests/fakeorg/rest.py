"""The fake org's REST API: describe, SOQL query (paged), and sObject Collections writes.

Collections answer 200 with one result per record, failed ones included, as Salesforce does;
fields are checked against the describe (an unknown one fails the whole request with 400
INVALID_FIELD); a unique field refuses a second record with DUPLICATE_VALUE, so a create that
is blindly repeated shows up; chosen records fail with UNABLE_TO_LOCK_ROW a set number of times.

Values are stored as Salesforce stores them:

- A checkbox is never null: describe reports it ``nillable: false`` with ``defaultValue``
  false, a record created without it holds false, and a write of null is refused for that
  record (Salesforce2Sql issue 195: "Salesforce does not allow pushing Null to checkbox
  fields"; Jetstream pull request 840 sets checkboxes to false "instead of null (which fails)").
  The error code the fake gives, ``INVALID_TYPE_ON_FIELD_IN_RECORD``, is its own choice.
- A text field holds no empty string: ``""`` is stored, and read back, as null ("Salesforce
  does not have the concept of NULL. A text field can be blank/empty but not NULL", Speediful's
  notes on the Salesforce APIs; formula ``ISNULL`` help: "Text fields are never null").

Bulk API 2.0 ingest CSV, as "Prepare CSV Files" / "Valid CSV Record Rows" (Bulk API 2.0 and
Bulk API Developer Guide) say: "Empty field values are ignored when you update records. To set
a field value to null, use a field value of #N/A." An upload may hold at most 150 MB once base64
encoded ("Upload Job Data": "A request can provide CSV data that does not in total exceed 150 MB
of base64 encoded content ... upload data that does not exceed 100 MB"); the fake refuses a
larger one with 400 (the exact code a real org gives is not documented; the fake's is its own).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakeorg.core import Reply, json_reply

PAGE = 2000
MAX_COLLECTION = 200
MAX_UPLOAD_BASE64 = 150 * 1024 * 1024  # bytes of base64-encoded CSV per job upload
_TEXT = ("string", "textarea", "picklist", "multipicklist", "email", "phone", "url")
_SOQL = re.compile(
    r"SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<object>\w+)"
    r"(?:\s+WHERE\s+(?P<where>\w+)\s+IN\s*\((?P<values>.*)\))?\s*$",
    re.I | re.S,
)


@dataclass
class SObject:
    name: str
    fields: dict[str, dict[str, Any]]
    prefix: str
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    locks: dict[str, int] = field(default_factory=dict)  # unique value -> failures left

    unique: dict[str, dict[Any, str]] = field(default_factory=dict)  # field -> value -> id
    label: str = ""

    def holder(self, field_name: str, value: Any) -> str | None:
        return self.unique.get(field_name, {}).get(value)

    def store(self, record_id: str, values: dict[str, Any]) -> None:
        """Keep a record and the unique-field index (a scan would make 10,000 records slow)."""
        old = self.records.get(record_id, {})
        for name, index in self.unique.items():
            if index.get(old.get(name)) == record_id:
                del index[old[name]]
            if values.get(name) is not None:
                index[values[name]] = record_id
        self.records[record_id] = values


class RestApi:
    """State and handlers for describe, query and collections."""

    def __init__(self, usage) -> None:
        self._usage = usage
        self.objects: dict[str, SObject] = {}
        self._cursors: dict[str, list[dict[str, Any]]] = {}
        self._next_id = 1

    def reply(self, status: int, body: Any) -> Reply:
        return json_reply(status, body, self._usage())

    def add_object(
        self,
        name: str,
        fields: dict[str, str],
        unique: tuple[str, ...] = (),
        label: str | None = None,
        labels: dict[str, str] | None = None,
    ) -> None:
        """An sObject with ``fields`` name -> type ("string", "boolean", "reference:Obj", ...);
        ``label`` and ``labels`` (field -> label) as Setup shows them, else made from the names."""
        described = {
            "Id": {
                "name": "Id",
                "label": "Record ID",
                "type": "id",
                "createable": False,
                "updateable": False,
            }
        }
        for field_name, kind in fields.items():
            kind, _, target = kind.partition(":")
            described[field_name] = {
                "name": field_name,
                "type": kind,
                "label": (labels or {}).get(field_name) or _label(field_name),
                "createable": True,
                "updateable": True,
                "nillable": kind != "boolean",
                "defaultValue": False if kind == "boolean" else None,
                "unique": field_name in unique,
                "referenceTo": [target] if target else [],
            }
        prefix = f"a{len(self.objects):02d}"
        self.objects[name] = SObject(
            name, described, prefix, unique={u: {} for u in unique}, label=label or _label(name)
        )

    def insert(self, name: str, values: dict[str, Any]) -> str:
        obj = self.objects[name]
        record_id = f"{obj.prefix}{self._next_id:012d}AAA"
        self._next_id += 1
        defaults = {f: d["defaultValue"] for f, d in obj.fields.items() if f != "Id"}
        obj.store(record_id, defaults | _as_stored(obj, values))
        return record_id

    # -- handlers ----------------------------------------------------------------------------

    def describe_global(self, **_: object) -> Reply:
        """``GET sobjects``: every object by name and label, as the global describe lists them."""
        sobjects = [
            {
                "name": obj.name,
                "label": obj.label,
                "custom": obj.name.endswith("__c"),
                "keyPrefix": obj.prefix,
                "queryable": True,
                "createable": True,
                "updateable": True,
                "urls": {"describe": f"/services/data/v62.0/sobjects/{obj.name}/describe"},
            }
            for obj in self.objects.values()
        ]
        return self.reply(200, {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects})

    def describe(self, *, match: re.Match[str], **_: object) -> Reply:
        obj = self.objects.get(match.group("object"))
        if obj is None:
            return self.reply(
                404,
                [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}],
            )
        return self.reply(
            200,
            {
                "name": obj.name,
                "label": obj.label,
                "custom": obj.name.endswith("__c"),
                "createable": True,
                "updateable": True,
                "queryable": True,
                "fields": list(obj.fields.values()),
            },
        )

    def query(self, *, query: dict[str, list[str]], **_: object) -> Reply:
        soql = (query.get("q") or [""])[0]
        parsed = _SOQL.match(soql)
        if parsed is None:
            return self.reply(400, [{"errorCode": "MALFORMED_QUERY", "message": soql[:80]}])
        obj = self.objects.get(parsed.group("object"))
        if obj is None:
            message = f"sObject type '{parsed.group('object')}' is not supported."
            return self.reply(400, [{"errorCode": "INVALID_TYPE", "message": message}])
        names = [f.strip() for f in parsed.group("fields").split(",")]
        for name in [*names, parsed.group("where") or "Id"]:
            if name not in obj.fields:
                message = f"No such column '{name}' on entity '{obj.name}'."
                return self.reply(400, [{"errorCode": "INVALID_FIELD", "message": message}])
        rows = []
        wanted = None
        if parsed.group("where"):
            quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", parsed.group("values"))
            wanted = {re.sub(r"\\(.)", r"\1", v) for v in quoted}
        for record_id, record in obj.records.items():
            full = {"Id": record_id, **record}
            if wanted is not None and full.get(parsed.group("where")) not in wanted:
                continue
            row = {
                "attributes": {
                    "type": obj.name,
                    "url": f"/services/data/v62.0/sobjects/{obj.name}/{record_id}",
                }
            }
            row.update({n: full.get(n) for n in names})
            rows.append(row)
        return self._page(rows, 0)

    def query_more(self, *, match: re.Match[str], **_: object) -> Reply:
        locator, _, start = match.group("locator").rpartition("-")
        rows = self._cursors.get(locator)
        if rows is None:
            return self.reply(400, [{"errorCode": "INVALID_QUERY_LOCATOR", "message": locator}])
        return self._page(rows, int(start), locator)

    def _page(self, rows: list[dict[str, Any]], start: int, locator: str = "") -> Reply:
        body: dict[str, Any] = {
            "totalSize": len(rows),
            "done": True,
            "records": rows[start : start + PAGE],
        }
        if start + PAGE < len(rows):
            locator = locator or f"01gFAKE{len(self._cursors):08d}"
            self._cursors[locator] = rows
            body["done"] = False
            body["nextRecordsUrl"] = f"/services/data/v62.0/query/{locator}-{start + PAGE}"
        return self.reply(200, body)

    def collection(self, *, body: bytes, operation: str, **_: object) -> Reply:
        payload = json.loads(body)
        records = payload.get("records", [])
        if len(records) > MAX_COLLECTION:
            message = f"Maximum number of records ({MAX_COLLECTION}) exceeded"
            return self.reply(400, [{"errorCode": "EXCEEDED_ID_LIMIT", "message": message}])
        for record in records:
            obj = self.objects.get(record.get("attributes", {}).get("type", ""))
            if obj is None:
                return self.reply(400, [{"errorCode": "INVALID_TYPE", "message": "bad type"}])
            for name in record:
                if name not in ("attributes", "Id") and name not in obj.fields:
                    message = f"No such column '{name}' on sobject of type {obj.name}"
                    return self.reply(400, [{"errorCode": "INVALID_FIELD", "message": message}])
        create = operation == "composite_create"
        results = [self._write(record, create) for record in records]
        return self.reply(200, results)

    def _write(self, record: dict[str, Any], create: bool) -> dict[str, Any]:
        obj = self.objects[record["attributes"]["type"]]
        values = {k: v for k, v in record.items() if k not in ("attributes", "Id")}
        nulled = [k for k, v in values.items() if v is None and obj.fields[k]["type"] == "boolean"]
        if nulled:
            return _failed(
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"{nulled[0]}: value not of required type: null (a checkbox is true or false)",
                nulled,
            )
        values = _as_stored(obj, values)
        record_id = record.get("Id")
        current = {} if create else obj.records.get(record_id or "", {})
        merged = current | values
        for name in obj.unique:
            if merged.get(name) is None:
                continue
            key = str(merged[name])
            if obj.locks.get(key, 0) > 0:
                obj.locks[key] -= 1
                return _failed(
                    "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record", []
                )
            holder = obj.holder(name, merged[name])
            if holder is not None and holder != record_id:
                return _failed(
                    "DUPLICATE_VALUE",
                    f"duplicate value found: {name} duplicates value on record with id: x",
                    [name],
                )
        if create:
            return {"id": self.insert(obj.name, values), "success": True, "errors": []}
        if record_id not in obj.records:
            return _failed("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
        obj.store(record_id, merged)
        return {"id": record_id, "success": True, "errors": []}


def _as_stored(obj: SObject, values: dict[str, Any]) -> dict[str, Any]:
    """An empty string in a text field is stored as null."""
    return {k: None if v == "" and obj.fields[k]["type"] in _TEXT else v for k, v in values.items()}


def _label(api_name: str) -> str:
    """A label as Setup derives one: namespace and suffix dropped, underscores as spaces."""
    base = api_name.removesuffix("__c")
    return base.rpartition("__")[2].replace("_", " ")


def _failed(code: str, message: str, fields: list[str]) -> dict[str, Any]:
    return {
        "success": False,
        "errors": [{"statusCode": code, "message": message, "fields": fields}],
    }


class BulkApi:
    """Bulk API 2.0 ingest jobs: create, upload CSV, close, poll, download results as CSV."""

    def __init__(self, rest: RestApi) -> None:
        self.rest = rest
        self.jobs: dict[str, dict[str, Any]] = {}
        self.polls = 1  # InProgress answers before a closed job is complete
        self.max_upload_base64 = MAX_UPLOAD_BASE64

    def _info(self, job_id: str) -> dict[str, Any]:
        job = self.jobs[job_id]
        return {
            "id": job_id,
            "object": job["object"],
            "operation": job["operation"],
            "state": job["state"],
            "contentType": "CSV",
            "lineEnding": "LF",
            "apiVersion": 62.0,
            "numberRecordsProcessed": len(job["done"]),
            "numberRecordsFailed": len(job["failed"]),
        }

    def create(self, *, body: bytes, **_: object) -> Reply:
        spec = json.loads(body)
        if spec.get("object") not in self.rest.objects or spec.get("contentType") != "CSV":
            return self.rest.reply(400, [{"errorCode": "INVALIDJOB", "message": "bad job"}])
        job_id = f"750{len(self.jobs):015d}"
        self.jobs[job_id] = {
            "object": spec["object"],
            "operation": spec["operation"],
            "state": "Open",
            "csv": "",
            "done": [],
            "failed": [],
            "polls": 0,
        }
        return self.rest.reply(200, self._info(job_id))

    def upload(self, *, body: bytes, match: re.Match[str], **_: object) -> Reply:
        job = self.jobs[match.group("job")]
        assert job["state"] == "Open" and not job["csv"], "fake org: one upload per job"
        if len(base64.b64encode(body)) > self.max_upload_base64:
            message = "the upload exceeds 150 MB of base64 encoded content; split the data"
            return self.rest.reply(400, [{"errorCode": "CLIENTINPUTERROR", "message": message}])
        job["csv"] = body.decode("utf-8")
        return 201, {"Sforce-Limit-Info": self.rest._usage()}, ""

    def close(self, *, body: bytes, match: re.Match[str], **_: object) -> Reply:
        job_id = match.group("job")
        job = self.jobs[job_id]
        assert json.loads(body) == {"state": "UploadComplete"} and job["state"] == "Open"
        job["state"], job["polls"] = "UploadComplete", self.polls
        obj = self.rest.objects[job["object"]]
        create = job["operation"] == "insert"
        for row in csv.DictReader(io.StringIO(job["csv"])):
            record: dict[str, Any] = {"attributes": {"type": obj.name}}
            for name, text in row.items():
                if text == "":  # unchanged on update; on insert, the field's default
                    continue
                record[name] = _typed(obj.fields[name]["type"], text)
            result = self.rest._write(record, create)
            if result["success"]:
                job["done"].append(
                    {"sf__Id": result["id"], "sf__Created": str(create).lower(), **row}
                )
            else:
                error = result["errors"][0]
                job["failed"].append(
                    {
                        "sf__Id": row.get("Id", ""),
                        "sf__Error": f"{error['statusCode']}:{error['message']}:--",
                        **row,
                    }
                )
        return self.rest.reply(200, self._info(job_id))

    def status(self, *, match: re.Match[str], **_: object) -> Reply:
        job_id = match.group("job")
        job = self.jobs[job_id]
        if job["state"] in ("UploadComplete", "InProgress"):
            if job["polls"]:
                job["polls"] -= 1
                job["state"] = "InProgress"
            else:
                job["state"] = "JobComplete"
        return self.rest.reply(200, self._info(job_id))

    def results(self, *, match: re.Match[str], **_: object) -> Reply:
        job = self.jobs[match.group("job")]
        rows = job["done"] if match.group("kind") == "successfulResults" else job["failed"]
        if match.group("kind") == "unprocessedrecords":
            rows = []
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        headers = {"Content-Type": "text/csv", "Sforce-Limit-Info": self.rest._usage()}
        return 200, headers, buffer.getvalue()


def _typed(kind: str, text: str) -> Any:
    if text == "#N/A":
        return None
    if kind == "boolean":
        return text == "true"
    if kind in ("double", "int", "currency", "percent"):
        return float(text)
    return text
