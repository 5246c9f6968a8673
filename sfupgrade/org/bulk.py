"""Bulk API 2.0 ingest: many records in a handful of calls, whatever their number.

Above :data:`sfupgrade.org.records.BULK_THRESHOLD` records of one kind and operation,
collections would cost ceil(N/200) calls; a Bulk job costs about seven (create, upload, close,
a few polls, two or three result downloads). Results come back as CSV and are matched to the
records sent by name (inserts) or id (updates), so each failure is reported with its record.

Nothing here is resent blindly: job creation, upload and close are single attempts (a lost
answer fails the run, and a rerun re-plans from what the org then holds); polls and result
downloads are reads, retried by the connection as usual.
"""

from __future__ import annotations

import csv
import io
import time
from typing import TYPE_CHECKING, Any

from sfupgrade.org import connect as _connect
from sfupgrade.org.connect import OrgError

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.org.connect import OrgConnection

POLL_FIRST = 2.0
POLL_CAP = 30.0
POLL_LIMIT = 1800.0
_DONE = ("JobComplete", "Failed", "Aborted")


def to_csv(records: list[dict[str, Any]], create: bool) -> str:
    """CSV as Bulk API 2.0 reads it: LF endings, ``#N/A`` to clear a field on update."""
    columns = sorted({k for r in records for k in r if k != "attributes"})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record.get(c), create) for c in columns])
    return buffer.getvalue()


def _cell(value: Any, create: bool) -> str:
    if value is None:
        return "" if create else "#N/A"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _error(text: str) -> dict[str, str]:
    code, _, message = text.partition(":")
    return {"statusCode": code.strip(), "message": message.removesuffix(":--").strip()}


def bulk_write(
    connection: OrgConnection, sobject: str, records: list[dict[str, Any]], key_field: str
) -> list[dict[str, Any]]:
    """Insert (no ``Id``) or update records in one job; one collections-style result each.

    ``key_field`` (the name field) matches insert results to records; updates match by Id.
    """
    create = "Id" not in records[0]
    job = connection.rest(
        "POST",
        "jobs/ingest",
        json={
            "object": sobject,
            "operation": "insert" if create else "update",
            "contentType": "CSV",
            "lineEnding": "LF",
        },
        idempotent=False,
    )
    job_id = job["id"]
    connection.rest_raw("PUT", f"jobs/ingest/{job_id}/batches", to_csv(records, create), "text/csv")
    connection.rest(
        "PATCH", f"jobs/ingest/{job_id}", json={"state": "UploadComplete"}, idempotent=False
    )
    state = _wait(connection, job_id)
    if state["state"] != "JobComplete":
        raise OrgError(
            f"{connection.host}: Bulk API job {job_id} for {sobject} ended {state['state']}: "
            f"{state.get('errorMessage') or 'no message'}; rerun to plan what is left"
        )
    key = key_field if create else "Id"
    outcome: dict[str, dict[str, Any]] = {}
    for row in _rows(connection.rest_raw("GET", f"jobs/ingest/{job_id}/successfulResults/")):
        outcome[row.get(key, "")] = {"success": True, "id": row.get("sf__Id"), "errors": []}
    for row in _rows(connection.rest_raw("GET", f"jobs/ingest/{job_id}/failedResults/")):
        outcome[row.get(key, "")] = {"success": False, "errors": [_error(row["sf__Error"])]}
    not_processed = {
        "success": False,
        "errors": [
            {"statusCode": "NOT_PROCESSED", "message": f"not processed by Bulk API job {job_id}"}
        ],
    }
    return [outcome.get(str(r.get(key, "")), not_processed) for r in records]


def _wait(connection: OrgConnection, job_id: str) -> dict[str, Any]:
    delay, start = POLL_FIRST, time.monotonic()
    waited = 0.0
    while True:
        state = connection.rest("GET", f"jobs/ingest/{job_id}")
        if state.get("state") in _DONE:
            return state
        if waited >= POLL_LIMIT or time.monotonic() - start >= POLL_LIMIT:
            raise OrgError(
                f"{connection.host}: Bulk API job {job_id} still {state.get('state')} after "
                f"{POLL_LIMIT:.0f}s; see Setup > Bulk Data Load Jobs, then rerun (a rerun "
                "plans only what is still missing)"
            )
        _connect._sleep(delay)
        waited += delay
        delay = min(POLL_CAP, delay * 1.5)
