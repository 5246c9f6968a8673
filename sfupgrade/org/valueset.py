"""The picklist step on an org: read the global value set, plan, write the whole set, verify.

Planning uses the same rules as for files (:func:`sfupgrade.valueset.plan_value`) on the set read
with ``readMetadata``; the change shows the org's current set and the merged one as Salesforce
XML, and its operation holds exactly the merged set, so applying sends what the dry run showed.
Salesforce deactivates every value an update leaves out, so the update always carries every
value (colours, descriptions, defaults and active flags as read), is preceded by a re-read that
refuses to overwrite a set changed since planning, and is followed by a read-back that must
equal the merged set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from lxml import etree

from sfupgrade.errors import FailureError
from sfupgrade.org.connect import OrgError
from sfupgrade.picklist import PicklistRequest
from sfupgrade.plan import Change, State
from sfupgrade.valueset import ValueSet, merge, plan_value
from sfupgrade.xmlio import MD_NS, ValueSetDocument, parse_xml, value_set_to_xml

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.org.connect import OrgConnection

COMPONENT = "GlobalValueSet"


class ValueSetNotFoundError(FailureError):
    """The org has no value set of the wanted name (is the CTI Adapter installed?)."""


@dataclass(frozen=True)
class OrgValueSetWrite:
    """What applying needs: where, the set as planned from, and the whole set to write."""

    connection: OrgConnection
    full_name: str
    before: ValueSet
    after: ValueSet


def org_target(connection: OrgConnection) -> str:
    return connection.target


def find_full_name(connection: OrgConnection, name: str, namespace: str | None = None) -> str:
    """The set's full name in the org: ``name``, or ``ns__name`` of the one installed package.

    With ``namespace`` given nothing is listed (one request fewer, and no guessing).
    """
    if namespace:
        return f"{namespace}__{name}"
    # asOfVersion is required by the WSDL: the version every other call of the run speaks.
    body = (
        "<queries><type>GlobalValueSet</type></queries>"
        f"<asOfVersion>{escape(connection.api_version)}</asOfVersion>"
    )
    result = connection.metadata_call("listMetadata", body)
    names = [
        (r.findtext(f"{{{MD_NS}}}fullName") or "").strip()
        for r in result.findall(f"{{{MD_NS}}}result")
    ]
    if name in names:
        return name
    namespaced = sorted(n for n in names if n.endswith(f"__{name}"))
    if len(namespaced) == 1:
        return namespaced[0]
    if namespaced:
        raise ValueSetNotFoundError(
            f"{connection.host}: several value sets end in {name} ({', '.join(namespaced)}); "
            "pass --namespace to choose one"
        )
    raise ValueSetNotFoundError(
        f"{connection.host}: no global value set {name} (nor ns__{name}) in the org; is the "
        "Amazon Connect CTI Adapter installed? Check --value-set and --namespace"
    )


def read_value_set(connection: OrgConnection, full_name: str) -> ValueSet:
    """The set as the org holds it, read with ``readMetadata`` and checked like a file."""
    body = f"<type>{COMPONENT}</type><fullNames>{escape(full_name)}</fullNames>"
    result = connection.metadata_call("readMetadata", body)
    record = result.find(f"{{{MD_NS}}}result/{{{MD_NS}}}records")
    if record is None or record.find(f"{{{MD_NS}}}fullName") is None:
        raise ValueSetNotFoundError(
            f"{connection.host}: readMetadata found no {COMPONENT} {full_name}; check "
            "--value-set and --namespace"
        )
    # Rebuild the record as a GlobalValueSet document, so the file reader's checks apply.
    document = etree.Element(f"{{{MD_NS}}}{COMPONENT}", nsmap={None: MD_NS})
    for child in record:
        if etree.QName(child).localname != "fullName":
            document.append(child)
    data = etree.tostring(document, encoding="UTF-8", xml_declaration=True)
    return ValueSetDocument(data, full_name, f"{connection.host} {full_name}").value_set


def plan_org_value_set(connection: OrgConnection, request: PicklistRequest) -> Change:
    """Plan the value-set edit in the org: reads only."""
    full_name = find_full_name(connection, request.value_set, request.namespace)
    current = read_value_set(connection, full_name)
    source = f"{org_target(connection)} {full_name}"
    edit = plan_value(current, request.value, request.label, source)
    if edit is None:
        return Change(
            component_type=COMPONENT,
            name=full_name,
            state=State.UNCHANGED,
            target=org_target(connection),
            summary=f"{request.value} ({request.label!r}) present and active",
        )
    merged = merge(current, edit)
    return Change(
        component_type=COMPONENT,
        name=full_name,
        state=State.CHANGED,
        target=org_target(connection),
        summary=edit.summary,
        before_text=value_set_to_xml(current),
        after_text=value_set_to_xml(merged),
        operation=OrgValueSetWrite(connection, full_name, current, merged),
    )


def metadata_xml(full_name: str, vs: ValueSet) -> str:
    """The ``<metadata>`` element of an update: the whole set, in the schema's element order."""
    root = parse_xml(value_set_to_xml(vs).encode(), full_name)
    inner = "".join(etree.tostring(child, encoding="unicode", with_tail=False) for child in root)
    return (
        f'<metadata xsi:type="{COMPONENT}"><fullName>{escape(full_name)}</fullName>'
        f"{inner}</metadata>"
    )


def _save_errors(result: etree._Element) -> list[str]:
    errors = []
    for save in result.findall(f"{{{MD_NS}}}result"):
        if (save.findtext(f"{{{MD_NS}}}success") or "").strip() == "true":
            continue
        for error in save.findall(f"{{{MD_NS}}}errors") or [save]:
            code = error.findtext(f"{{{MD_NS}}}statusCode") or "UNKNOWN"
            message = " ".join((error.findtext(f"{{{MD_NS}}}message") or "").split())
            errors.append(f"{code}: {message}")
    if not result.findall(f"{{{MD_NS}}}result"):
        errors.append("no SaveResult in the answer")
    return errors


def _comparable(vs: ValueSet) -> tuple:
    """What Salesforce guarantees to keep: values in order with label, default, active, colour."""
    return tuple(
        (v.full_name, v.shown_label, v.default, v.active, v.color, v.description or None)
        for v in vs.values
    )


def apply_org_value_set(write: OrgValueSetWrite) -> None:
    """Write the whole merged set, check the SaveResult, read it back and compare."""
    conn, full_name = write.connection, write.full_name
    now = read_value_set(conn, full_name)
    if _comparable(now) != _comparable(write.before):
        raise OrgError(
            f"{conn.host}: {full_name} changed in the org since it was planned; nothing "
            "written. Rerun to plan against the current set"
        )
    result = conn.metadata_call("updateMetadata", metadata_xml(full_name, write.after))
    errors = _save_errors(result)
    if errors:
        raise OrgError(
            f"{conn.host}: updateMetadata of {full_name} failed ({'; '.join(errors)}); "
            "Salesforce saved nothing. Fix the cause and rerun"
        )
    if _comparable(read_value_set(conn, full_name)) != _comparable(write.after):
        raise OrgError(
            f"{conn.host}: {full_name} read back differs from what was written; check it in "
            "Setup > Picklist Value Sets and rerun"
        )


def apply_org_changes(changes: Iterable[Change]) -> None:
    """Apply every pending value-set change of a plan that targets an org."""
    for change in changes:
        if change.pending and isinstance(change.operation, OrgValueSetWrite):
            apply_org_value_set(change.operation)


def check_org_changes(changes: Iterable[Change]) -> list[str]:
    """Have the org validate every pending value-set change without saving (``--check-only``).

    Returns the check-only deploy ids, which the sf CLI can show again.
    """
    from sfupgrade.org.checkonly import check_only

    return [
        check_only(change.operation)
        for change in changes
        if change.pending and isinstance(change.operation, OrgValueSetWrite)
    ]
