"""The Salesforce adapter: :class:`~sfupgrade.org.port.OrgPort` over an
:class:`~sfupgrade.org.connect.OrgConnection`.

Each operation is one wire call or a few: value sets through the Metadata API (``listMetadata``,
``readMetadata``, ``updateMetadata``; the XML in :mod:`sfupgrade.org.valueset`), the check-only
deploy (:mod:`sfupgrade.org.checkonly`), describe and SOQL over REST, writes through sObject
Collections or Bulk API 2.0 CSV (:mod:`sfupgrade.org.bulk`). Timeouts, retries, session renewal
and the redacting log are the connection's.

Queries that carry names (the recovery after a lost create) are split so that each URI stays
under :data:`URI_BUDGET`: Salesforce answers 414 to a URI over 16,384 bytes, and 431 when URI
and headers together pass it (help.salesforce.com, article 000386264).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus
from xml.sax.saxutils import escape

from sfupgrade.files.xmlio import MD_NS
from sfupgrade.org.connect import OrgError
from sfupgrade.org.port import Record, SaveResult

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.model.valueset import ValueSet
    from sfupgrade.org.connect import OrgConnection

URI_BUDGET = 16384 - 4096  # bytes of URI; the rest of Salesforce's 16,384 is left to headers
_M = f"{{{MD_NS}}}"


def soql_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class SalesforceOrg:
    """A real org, reached through ``connection``."""

    def __init__(self, connection: OrgConnection) -> None:
        self.connection = connection

    def __repr__(self) -> str:
        return f"SalesforceOrg({self.connection!r})"

    @property
    def target(self) -> str:
        return self.connection.target

    @property
    def host(self) -> str:
        return self.connection.host

    # -- value sets ------------------------------------------------------------------------

    def value_set_names(self) -> list[str]:
        # asOfVersion is required by the WSDL: the version every other call of the run speaks.
        body = (
            "<queries><type>GlobalValueSet</type></queries>"
            f"<asOfVersion>{escape(self.connection.api_version)}</asOfVersion>"
        )
        result = self.connection.metadata_call("listMetadata", body)
        return [(r.findtext(f"{_M}fullName") or "").strip() for r in result.findall(f"{_M}result")]

    def read_value_set(self, full_name: str) -> ValueSet | None:
        from sfupgrade.org.valueset import COMPONENT, value_set_of

        body = f"<type>{COMPONENT}</type><fullNames>{escape(full_name)}</fullNames>"
        result = self.connection.metadata_call("readMetadata", body)
        record = result.find(f"{_M}result/{_M}records")
        if record is None or record.find(f"{_M}fullName") is None:
            return None
        return value_set_of(record, full_name, f"{self.host} {full_name}")

    def write_value_set(self, full_name: str, value_set: ValueSet) -> list[str]:
        from sfupgrade.org.valueset import metadata_xml, save_errors

        body = metadata_xml(full_name, value_set)
        return save_errors(self.connection.metadata_call("updateMetadata", body))

    def check_value_set(self, full_name: str, value_set: ValueSet) -> str:
        from sfupgrade.org.checkonly import check_only

        return check_only(self.connection, full_name, value_set)

    # -- records ---------------------------------------------------------------------------

    def sobjects(self) -> dict[str, str]:
        described = self.connection.rest("GET", "sobjects")
        objects = described.get("sobjects") if isinstance(described, dict) else None
        if not isinstance(objects, list):
            raise OrgError(f"{self.host}: the global describe lists no sObjects")
        return {
            o["name"]: str(o.get("label") or o["name"])
            for o in objects
            if isinstance(o, dict) and isinstance(o.get("name"), str)
        }

    def describe(self, sobject: str) -> dict[str, dict[str, Any]]:
        try:
            described = self.connection.rest("GET", f"sobjects/{sobject}/describe")
        except OrgError as exc:
            if exc.code != "NOT_FOUND":
                raise
            return {}
        return {f["name"]: f for f in described.get("fields", []) if isinstance(f, dict)}

    def query(self, sobject: str, fields: list[str]) -> list[Record]:
        return self._query_all(f"SELECT Id, {', '.join(fields)} FROM {sobject}")

    def query_named(self, sobject: str, name_field: str, names: list[str]) -> list[Record]:
        """In as many queries as keep every URI within :data:`URI_BUDGET` (a query holds at
        least one name). Sizes are counted as sent: in ``?q=``, form-encoded piece by piece."""
        head = f"SELECT Id, {name_field} FROM {sobject}"
        fixed = len(self.connection.rest_url("query")) + len(
            "?q=" + quote_plus(f"{head} WHERE {name_field} IN ()")
        )
        comma = len(quote_plus(", "))
        chunks: list[list[str]] = [[]]
        size = fixed
        for name in names:
            quoted = soql_quote(name)
            cost = len(quote_plus(quoted)) + (comma if chunks[-1] else 0)
            if chunks[-1] and size + cost > URI_BUDGET:
                chunks.append([])
                size, cost = fixed, cost - comma
            chunks[-1].append(quoted)
            size += cost
        rows: list[Record] = []
        for chunk in chunks:
            if chunk:
                rows += self._query_all(f"{head} WHERE {name_field} IN ({', '.join(chunk)})")
        return rows

    def _query_all(self, soql: str) -> list[Record]:
        """Every row of a query, following ``nextRecordsUrl`` (2,000 rows a page)."""
        page = self.connection.rest("GET", "query", params={"q": soql})
        rows = [_row(r) for r in page.get("records", [])]
        while not page.get("done", True) and page.get("nextRecordsUrl"):
            page = self.connection.rest("GET", page["nextRecordsUrl"])
            rows += [_row(r) for r in page.get("records", [])]
        return rows

    def save(self, sobject: str, records: list[Record], create: bool) -> list[SaveResult]:
        """One sObject Collections call; a create is sent once (its answer may be lost)."""
        body = {"allOrNone": False, "records": [_typed(sobject, r) for r in records]}
        results = self.connection.rest(
            "POST" if create else "PATCH", "composite/sobjects", json=body, idempotent=not create
        )
        if not isinstance(results, list) or len(results) != len(records):
            raise OrgError(
                f"{self.host}: composite/sobjects answered {type(results).__name__}, "
                f"not {len(records)} results"
            )
        return [saved(r) for r in results]

    def save_bulk(
        self, sobject: str, records: list[Record], create: bool, name_field: str
    ) -> list[SaveResult]:
        from sfupgrade.org.bulk import bulk_write

        typed = [_typed(sobject, r) for r in records]
        return [saved(r) for r in bulk_write(self.connection, sobject, typed, name_field)]

    def backoff(self, attempt: int) -> None:
        from sfupgrade.org import polling

        polling.pause(self.connection.retry.delay(attempt))


def _typed(sobject: str, record: Record) -> dict[str, Any]:
    return {"attributes": {"type": sobject}, **record}


def _row(row: dict[str, Any]) -> Record:
    return {k: v for k, v in row.items() if k != "attributes"}


def saved(result: dict[str, Any]) -> SaveResult:
    """A collections-style result (``success``, ``id``, ``errors``) as a :class:`SaveResult`."""
    errors = tuple(
        (str(e.get("statusCode", "")), str(e.get("message", "")))
        for e in result.get("errors") or []
        if isinstance(e, dict)
    )
    return SaveResult(bool(result.get("success")), result.get("id"), errors)
