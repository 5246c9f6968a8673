"""The picklist step on an org: read the global value set, plan, write the whole set, verify.

Planning uses the same rules as for files (:func:`sfupgrade.model.valueset.plan_value`) on the
set the org holds (:meth:`~sfupgrade.org.port.OrgPort.read_value_set`); the change shows the org's
current set and the merged one as Salesforce XML, and its operation holds exactly the merged
set, so applying sends what the dry run showed. Salesforce deactivates every value an update
leaves out, so the update always carries every value (colours, descriptions, defaults and active
flags as read), is preceded by a re-read that refuses to overwrite a set changed since planning,
and is followed by a read-back that must equal the merged set.

Planner and appliers are functions over the port; the Metadata API XML the Salesforce adapter
sends and reads (``readMetadata`` records, ``updateMetadata`` bodies, SaveResults) is here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from lxml import etree

from sfupgrade.core.errors import FailureError
from sfupgrade.files.xmlio import MD_NS, ValueSetDocument, parse_xml, value_set_to_xml
from sfupgrade.model.plan import Change, State
from sfupgrade.model.valueset import PicklistRequest, ValueSet, merge, plan_value
from sfupgrade.model.writes import OrgValueSetWrite
from sfupgrade.org.connect import OrgError

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.org.connect import OrgConnection
    from sfupgrade.org.port import OrgPort

COMPONENT = "GlobalValueSet"


class ValueSetNotFoundError(FailureError):
    """The org has no value set of the wanted name (is the CTI Adapter installed?)."""


def org_target(org: OrgPort | OrgConnection) -> str:
    return org.target


def find_full_name(org: OrgPort, name: str, namespace: str | None = None) -> str:
    """The set's full name in the org: ``name``, or ``ns__name`` of the one installed package.

    With ``namespace`` given nothing is listed (one request fewer, and no guessing).
    """
    if namespace:
        return f"{namespace}__{name}"
    names = org.value_set_names()
    if name in names:
        return name
    namespaced = sorted(n for n in names if n.endswith(f"__{name}"))
    if len(namespaced) == 1:
        return namespaced[0]
    if namespaced:
        raise ValueSetNotFoundError(
            f"{org.host}: several value sets end in {name} ({', '.join(namespaced)}); "
            "pass --namespace to choose one"
        )
    raise ValueSetNotFoundError(
        f"{org.host}: no global value set {name} (nor ns__{name}) in the org; is the "
        "Amazon Connect CTI Adapter installed? Check --value-set and --namespace"
    )


def read_value_set(org: OrgPort, full_name: str) -> ValueSet:
    """The set as the org holds it, or :class:`ValueSetNotFoundError`."""
    found = org.read_value_set(full_name)
    if found is None:
        raise ValueSetNotFoundError(
            f"{org.host}: readMetadata found no {COMPONENT} {full_name}; check "
            "--value-set and --namespace"
        )
    return found


def value_set_of(record: etree._Element, full_name: str, source: str) -> ValueSet:
    """A ``readMetadata`` record as a set, checked like a file: the record is rebuilt as a
    GlobalValueSet document, so the file reader's checks apply."""
    # lxml-stubs types nsmap keys as str, but None is lxml's key for the default namespace.
    default_ns = {None: MD_NS}
    document = etree.Element(f"{{{MD_NS}}}{COMPONENT}", nsmap=default_ns)  # type: ignore[arg-type]
    for child in record:
        if etree.QName(child).localname != "fullName":
            document.append(child)
    data = etree.tostring(document, encoding="UTF-8", xml_declaration=True)
    return ValueSetDocument(data, full_name, source).value_set


def plan_org_value_set(org: OrgPort | OrgConnection, request: PicklistRequest) -> Change:
    """Plan the value-set edit in the org: reads only."""
    from sfupgrade.org.port import as_port

    port = as_port(org)
    full_name = find_full_name(port, request.value_set, request.namespace)
    current = read_value_set(port, full_name)
    source = f"{port.target} {full_name}"
    edit = plan_value(current, request.value, request.label, source)
    if edit is None:
        return Change(
            component_type=COMPONENT,
            name=full_name,
            state=State.UNCHANGED,
            target=port.target,
            summary=f"{request.value} ({request.label!r}) present and active",
        )
    merged = merge(current, edit)
    return Change(
        component_type=COMPONENT,
        name=full_name,
        state=State.CHANGED,
        target=port.target,
        summary=edit.summary,
        before_text=value_set_to_xml(current),
        after_text=value_set_to_xml(merged),
        operation=OrgValueSetWrite(full_name, current, merged),
    )


def metadata_xml(full_name: str, vs: ValueSet) -> str:
    """The ``<metadata>`` element of an update: the whole set, in the schema's element order."""
    root = parse_xml(value_set_to_xml(vs).encode(), full_name)
    inner = "".join(etree.tostring(child, encoding="unicode", with_tail=False) for child in root)
    return (
        f'<metadata xsi:type="{COMPONENT}"><fullName>{escape(full_name)}</fullName>'
        f"{inner}</metadata>"
    )


def save_errors(result: etree._Element) -> list[str]:
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


def apply_org_value_set(org: OrgPort, write: OrgValueSetWrite) -> None:
    """Write the whole merged set, check the org saved it, read it back and compare."""
    full_name = write.full_name
    now = read_value_set(org, full_name)
    if _comparable(now) != _comparable(write.before):
        raise OrgError(
            f"{org.host}: {full_name} changed in the org since it was planned; nothing "
            "written. Rerun to plan against the current set"
        )
    errors = org.write_value_set(full_name, write.after)
    if errors:
        raise OrgError(
            f"{org.host}: updateMetadata of {full_name} failed ({'; '.join(errors)}); "
            "Salesforce saved nothing. Fix the cause and rerun"
        )
    if _comparable(read_value_set(org, full_name)) != _comparable(write.after):
        raise OrgError(
            f"{org.host}: {full_name} read back differs from what was written; check it in "
            "Setup > Picklist Value Sets and rerun"
        )


def value_set_writes(changes: Iterable[Change]) -> list[OrgValueSetWrite]:
    """The pending value-set writes of a plan, in plan order."""
    return [c.operation for c in changes if c.pending and isinstance(c.operation, OrgValueSetWrite)]


def apply_org_changes(org: OrgPort | OrgConnection, changes: Iterable[Change]) -> None:
    """Apply every pending value-set change of a plan that targets an org."""
    from sfupgrade.org.port import as_port

    port = as_port(org)
    for write in value_set_writes(changes):
        apply_org_value_set(port, write)


def check_org_changes(org: OrgPort | OrgConnection, changes: Iterable[Change]) -> list[str]:
    """Have the org validate every pending value-set change without saving (``--check-only``).

    Returns the ids the org gave the checks (check-only deploys, which the sf CLI can show).
    """
    from sfupgrade.org.port import as_port

    port = as_port(org)
    return [port.check_value_set(w.full_name, w.after) for w in value_set_writes(changes)]
