"""The org as the planners and appliers see it: :class:`OrgPort`, in model terms.

Planning and applying (the value set, CTI records, deploy, pull, mapping discover, the org side
of ``upgrade``) are functions over this interface and nothing else, so they run the same against
a real org (:class:`sfupgrade.org.salesforce.SalesforceOrg`, over an
:class:`~sfupgrade.org.connect.OrgConnection`) and against one held in memory
(:class:`sfupgrade.org.memory.MemoryOrg`, for tests and dry-run demos). How a call travels (SOAP
envelopes, REST paths, Bulk CSV, URI limits, retries) is the adapter's business; what the org
*does* with a write (a checkbox is never null, an empty text is stored as null, a whole-set
update deactivates the values it leaves out) is Salesforce's, and every implementation behaves
so.

Records are plain dicts of sObject field API names to values; an update's carries ``"Id"``.
Failures of a request as a whole raise :class:`~sfupgrade.org.connect.OrgError` (its
``UnavailableError`` when an answer was lost: a create may then have happened or not).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from sfupgrade.model.value import Value

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.model.valueset import ValueSet
    from sfupgrade.org.connect import OrgConnection

Record = dict[str, Any]
BATCH_SIZE = 200  # records one create/update call takes (sObject Collections' limit)


class SaveResult(Value):
    """One record's outcome of a write: its id when saved, else Salesforce's errors."""

    ok: bool
    id: str | None = None
    errors: tuple[tuple[str, str], ...] = ()  # (status code, message)


class OrgPort(Protocol):
    """What planning and applying need of an org."""

    @property
    def target(self) -> str:
        """How reports name the org: ``org:<host>``."""
        ...

    @property
    def host(self) -> str:
        """How one-line errors name the org."""
        ...

    # -- the global value set (read and written whole) ------------------------------------

    def value_set_names(self) -> list[str]:
        """The full names of every global value set in the org."""
        ...

    def read_value_set(self, full_name: str) -> ValueSet | None:
        """The set as the org holds it, checked like a file; None when there is none."""
        ...

    def write_value_set(self, full_name: str, value_set: ValueSet) -> list[str]:
        """Replace the whole set (values left out are deactivated); the org's errors as
        ``CODE: message`` lines, empty when it saved."""
        ...

    def check_value_set(self, full_name: str, value_set: ValueSet) -> str:
        """Have the org validate writing ``value_set`` without saving it; the id it gave the
        check, :class:`~sfupgrade.org.connect.OrgError` when it refused."""
        ...

    # -- records -------------------------------------------------------------------------

    def sobjects(self) -> dict[str, str]:
        """Every sObject the org lists: API name -> label."""
        ...

    def describe(self, sobject: str) -> dict[str, dict[str, Any]]:
        """The sObject's fields by API name (as Salesforce describes them); empty when the
        org has no such object."""
        ...

    def query(self, sobject: str, fields: list[str]) -> list[Record]:
        """Every record of ``sobject``, each with ``Id`` and ``fields``."""
        ...

    def query_named(self, sobject: str, name_field: str, names: list[str]) -> list[Record]:
        """``Id`` and ``name_field`` of the records holding one of ``names`` (asked after a
        lost create answer, before anything is sent again)."""
        ...

    def save(self, sobject: str, records: list[Record], create: bool) -> list[SaveResult]:
        """Create (no ``Id``) or update up to :data:`BATCH_SIZE` records, each saved or
        failed on its own; one result per record, in order."""
        ...

    def save_bulk(
        self, sobject: str, records: list[Record], create: bool, name_field: str
    ) -> list[SaveResult]:
        """Like :meth:`save` for any number of records, in as few requests as the org allows;
        ``name_field`` tells created records apart. A field a record leaves out is kept."""
        ...

    def backoff(self, attempt: int) -> None:
        """Wait before sending locked records again (``attempt`` counts from 0)."""
        ...


def as_port(org: OrgPort | OrgConnection) -> OrgPort:
    """The port for what a library caller holds: a port as it is, a connection (from
    :func:`~sfupgrade.org.connect.connect` or ``connect_from``) behind the Salesforce adapter."""
    from sfupgrade.org.connect import OrgConnection

    if isinstance(org, OrgConnection):
        from sfupgrade.org.salesforce import SalesforceOrg

        return SalesforceOrg(org)
    return org
