"""Bulk API 2.0 ingest: many records in a handful of calls, whatever their number.

Above :data:`sfupgrade.org.records.BULK_THRESHOLD` records of one kind and operation,
collections would cost ceil(N/200) calls; a Bulk job costs about seven (create, upload, close,
a few polls, two or three result downloads). Results come back as CSV and are matched to the
records sent by name (inserts) or id (updates), so each failure is reported with its record.

The CSV says what each record changes and nothing else ("Valid CSV Record Rows", Bulk API 2.0
and Bulk API Developer Guide: "Empty field values are ignored when you update records. To set a
field value to null, use a field value of #N/A"). A job has one column per field that any of its
records changes, so a record that keeps a field gets an empty cell there; ``#N/A`` is written
only where the record itself holds ``None``, i.e. the plan clears that field. (simple-salesforce's
bulk2 writes None as an empty cell, so it cannot clear a field on update.)

One upload holds at most 100 MB of CSV ("Upload Job Data": at most 150 MB of base64 encoded
content, "upload data that does not exceed 100 MB"): larger sets are split into several jobs,
one after the other, each complete before the next is created. A single record larger than a job
(Salesforce allows 400,000 characters a record, so none is) is refused before anything is sent.

Nothing here is resent blindly: job creation, upload and close are single attempts (a lost
answer fails the run, and a rerun re-plans from what the org then holds); polls and result
downloads are reads, retried by the connection as usual.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sfupgrade.org.connect import OrgError
from sfupgrade.org.polling import poll

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.org.connect import OrgConnection

MAX_UPLOAD_BYTES = 100_000_000  # CSV bytes per job upload, before Salesforce's base64
POLL_FIRST = 2.0
POLL_CAP = 30.0
POLL_LIMIT = 1800.0
_DONE = ("JobComplete", "Failed", "Aborted")


def to_csv(records: list[dict[str, Any]], create: bool) -> str:
    """CSV as Bulk API 2.0 reads it: LF endings; a field a record leaves out is an empty cell
    (unchanged on update), one it holds as ``None`` is ``#N/A`` on update (cleared)."""
    columns = _columns(records)
    return "".join([_line(columns), *(_line(_row(r, columns, create)) for r in records)])


def csv_uploads(
    records: list[dict[str, Any]], create: bool, key_field: str, limit: int | None = None
) -> Iterator[tuple[list[dict[str, Any]], str]]:
    """The records cut into uploads of at most ``limit`` bytes of CSV (header included), each
    with its CSV; :class:`OrgError` for a record that fits in none (``key_field`` names it)."""
    limit = MAX_UPLOAD_BYTES if limit is None else limit
    columns = _columns(records)
    header = _line(columns)
    lines = [_line(_row(r, columns, create)) for r in records]
    for record, line in zip(records, lines, strict=True):
        if len((header + line).encode()) > limit:
            name = record.get(key_field) or record.get("Id") or "a record"
            raise OrgError(
                f"{name}: {len(line.encode()):,} bytes of CSV, more than a Bulk API job upload "
                f"holds ({limit:,} bytes); shorten its fields"
            )
    start, size = 0, len(header.encode())
    for i, line in enumerate(lines):
        grown = size + len(line.encode())
        if grown > limit:
            yield records[start:i], header + "".join(lines[start:i])
            start, grown = i, len(header.encode()) + len(line.encode())
        size = grown
    if start < len(records):
        yield records[start:], header + "".join(lines[start:])


def _columns(records: list[dict[str, Any]]) -> list[str]:
    return sorted({k for r in records for k in r if k != "attributes"})


def _row(record: dict[str, Any], columns: list[str], create: bool) -> list[str]:
    return [_cell(record[c], create) if c in record else "" for c in columns]


def _line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
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
    """Insert (no ``Id``) or update records in as few jobs as the upload limit allows; one
    collections-style result each.

    ``key_field`` (the name field) matches insert results to records; updates match by Id.
    """
    create = "Id" not in records[0]
    results: list[dict[str, Any]] = []
    for part, text in list(csv_uploads(records, create, key_field)):  # all checked first
        results.extend(_job(connection, sobject, part, text, create, key_field))
    return results


def _job(
    connection: OrgConnection,
    sobject: str,
    records: list[dict[str, Any]],
    text: str,
    create: bool,
    key_field: str,
) -> list[dict[str, Any]]:
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
    connection.rest_raw("PUT", f"jobs/ingest/{job_id}/batches", text, "text/csv")
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
    def gave_up(state: dict[str, Any]) -> OrgError:
        return OrgError(
            f"{connection.host}: Bulk API job {job_id} still {state.get('state')} after "
            f"{POLL_LIMIT:.0f}s; see Setup > Bulk Data Load Jobs, then rerun (a rerun "
            "plans only what is still missing)"
        )

    return poll(
        lambda: connection.rest("GET", f"jobs/ingest/{job_id}"),
        lambda state: state.get("state") in _DONE,
        first=POLL_FIRST,
        cap=POLL_CAP,
        limit=POLL_LIMIT,
        gave_up=gave_up,
    )
