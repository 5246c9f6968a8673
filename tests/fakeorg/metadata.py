"""The fake org's Metadata API (SOAP): listMetadata, readMetadata, updateMetadata of value sets.

Value sets are kept as Salesforce keeps them: an ordered list of values, each an ordered list
of (element, text). An update behaves like the real one: values missing from the written set
are not deleted but deactivated, which is exactly the damage a partial write does.

Deploys behave as the org type says. An org is production unless made a sandbox
(``MetadataApi.sandbox``; Developer Edition orgs are production too, ``Organization.IsSandbox``
false), and a production org refuses ``testLevel`` ``NoTestRun``, check-only included, with the
fault ``INVALID_OPERATION: testLevel of NoTestRun cannot be used in production organizations``
(the message users report, e.g. Illuminated Cloud issue 1357). Without a test level the org
chooses: "When no test level is specified in the deployment options, the default test execution
behavior depends on the contents of your deployment package ... If your package doesn't contain
Apex components, no tests are run by default" (Metadata API Developer Guide, "Running Tests in a
Deployment"); in a sandbox "by default, no tests are run" ("Run the Same Tests in Sandbox and
Production Deployments").
"""

from __future__ import annotations

import base64
import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from lxml import etree

from tests.fakeorg.core import MD_NS, SOAP_ENV, Reply, soap_fault, xml_reply

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_CV_ORDER = ("fullName", "color", "default", "description", "isActive", "label")


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def operation_of(body: bytes) -> str:
    root = etree.fromstring(body, _PARSER)
    soap_body = root.find(f"{{{SOAP_ENV}}}Body")
    assert soap_body is not None and len(soap_body), "fake org: SOAP request without a body"
    return _local(soap_body[0])


@dataclass
class StoredValueSet:
    master_label: str
    sorted: bool = False
    description: str | None = None
    values: list[dict[str, str]] = field(default_factory=list)


class MetadataApi:
    """State and handlers for the GlobalValueSet calls."""

    def __init__(self) -> None:
        self.value_sets: dict[str, StoredValueSet] = {}
        self.namespaces: dict[str, str] = {}  # full name -> namespace prefix
        self.deploys: dict[str, dict[str, object]] = {}
        self.deploy_polls = 1  # InProgress answers before a deploy is done
        self.deploy_problem: str | None = None  # a component failure to report
        self.deployed_zips: list[bytes] = []
        self.sandbox = False  # Organization.IsSandbox: a production org unless set

    def add_value_set(
        self,
        name: str,
        values: list[dict[str, str]],
        *,
        master_label: str | None = None,
        namespace: str | None = None,
    ) -> str:
        full_name = f"{namespace}__{name}" if namespace else name
        clean = [{k: v for k, v in value.items() if v is not None} for value in values]
        for value in clean:
            value.setdefault("default", "false")
        self.value_sets[full_name] = StoredValueSet(master_label or name, values=clean)
        if namespace:
            self.namespaces[full_name] = namespace
        return full_name

    # -- handlers ----------------------------------------------------------------------------

    def handle(self, *, body: bytes, operation: str, fault, **_: object) -> Reply:
        root = etree.fromstring(body, _PARSER)
        call = root.find(f"{{{SOAP_ENV}}}Body")[0]  # type: ignore[index]
        if operation == "listMetadata":
            return self._list(call)
        if operation == "readMetadata":
            return self._read(call)
        if operation == "updateMetadata":
            return self._update(call, failed=fault is not None and fault.kind == "failed_save")
        if operation == "deploy":
            return self._deploy(call)
        if operation == "checkDeployStatus":
            return self._check_deploy(call)
        return soap_fault("INVALID_OPERATION", f"fake org does not implement {operation}")

    def _list(self, call: etree._Element) -> Reply:
        types = [t.text for t in call.iter(f"{{{MD_NS}}}type")]
        if types != ["GlobalValueSet"]:
            return soap_fault("INVALID_TYPE", f"fake org lists GlobalValueSet only, not {types}")
        results = "".join(
            "<result><createdById>005000000000001AAA</createdById>"
            f"<fileName>globalValueSets/{escape(name)}.globalValueSet</fileName>"
            f"<fullName>{escape(name)}</fullName><id>0Nt000000000001AAA</id>"
            f"<namespacePrefix>{escape(self.namespaces.get(name, ''))}</namespacePrefix>"
            "<type>GlobalValueSet</type></result>"
            for name in self.value_sets
        )
        return xml_reply(200, f"<listMetadataResponse>{results}</listMetadataResponse>")

    def _read(self, call: etree._Element) -> Reply:
        kind = call.findtext(f"{{{MD_NS}}}type")
        if kind != "GlobalValueSet":
            return soap_fault("INVALID_TYPE", f"fake org reads GlobalValueSet only, not {kind}")
        records = []
        for name in (n.text or "" for n in call.iter(f"{{{MD_NS}}}fullNames")):
            stored = self.value_sets.get(name)
            if stored is None:
                records.append('<records xsi:nil="true"/>')
                continue
            records.append(
                f'<records xsi:type="GlobalValueSet">{_record_xml(name, stored)}</records>'
            )
        return xml_reply(
            200, f"<readMetadataResponse><result>{''.join(records)}</result></readMetadataResponse>"
        )

    def _update(self, call: etree._Element, *, failed: bool) -> Reply:
        results = []
        for metadata in call.iter(f"{{{MD_NS}}}metadata"):
            name = metadata.findtext(f"{{{MD_NS}}}fullName") or ""
            if failed:
                results.append(_save_result(name, "FIELD_INTEGRITY_EXCEPTION", "Injected failure"))
                continue
            if name not in self.value_sets:
                results.append(
                    _save_result(name, "INVALID_CROSS_REFERENCE_KEY", f"no GlobalValueSet {name}")
                )
                continue
            self.value_sets[name] = _merged(self.value_sets[name], metadata)
            results.append(
                f"<result><fullName>{escape(name)}</fullName><success>true</success></result>"
            )
        return xml_reply(
            200, f"<updateMetadataResponse>{''.join(results)}</updateMetadataResponse>"
        )

    def _deploy(self, call: etree._Element) -> Reply:
        """Check-only deploys: validated, never saved (the fake refuses real ones)."""
        if call.findtext(f"{{{MD_NS}}}DeployOptions/{{{MD_NS}}}checkOnly") != "true":
            return soap_fault("INVALID_OPERATION", "fake org takes check-only deploys only")
        test_level = call.findtext(f"{{{MD_NS}}}DeployOptions/{{{MD_NS}}}testLevel")
        if test_level == "NoTestRun" and not self.sandbox:
            message = "testLevel of NoTestRun cannot be used in production organizations"
            return soap_fault("INVALID_OPERATION", message)
        data = base64.b64decode(call.findtext(f"{{{MD_NS}}}ZipFile") or "")
        self.deployed_zips.append(data)
        problems = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            manifest = etree.fromstring(archive.read("package.xml"), _PARSER)
            for member in manifest.iter(f"{{{MD_NS}}}members"):
                path = f"globalValueSets/{member.text}.globalValueSet"
                if path not in names:
                    problems.append((member.text, f"{path} not found in the zip"))
                elif member.text not in self.value_sets:
                    problems.append((member.text, "no such GlobalValueSet"))
                else:
                    etree.fromstring(archive.read(path), _PARSER)  # must be well-formed
        if self.deploy_problem:
            problems.append((manifest.findtext(f".//{{{MD_NS}}}members"), self.deploy_problem))
        deploy_id = f"0Af{len(self.deploys):015d}"
        self.deploys[deploy_id] = {"polls": self.deploy_polls, "problems": problems}
        return xml_reply(
            200,
            f"<deployResponse><result><done>false</done><id>{deploy_id}</id>"
            "<state>Queued</state></result></deployResponse>",
        )

    def _check_deploy(self, call: etree._Element) -> Reply:
        deploy_id = call.findtext(f"{{{MD_NS}}}asyncProcessId") or ""
        job = self.deploys.get(deploy_id)
        if job is None:
            return soap_fault("INVALID_ID_FIELD", f"no deploy {deploy_id}")
        if job["polls"]:
            job["polls"] -= 1  # type: ignore[operator]
            body = (
                f"<result><checkOnly>true</checkOnly><done>false</done><id>{deploy_id}</id>"
                "<status>InProgress</status><success>false</success></result>"
            )
        else:
            problems = job["problems"]
            failures = "".join(
                f"<componentFailures><componentType>GlobalValueSet</componentType>"
                f"<fullName>{escape(name or '')}</fullName><problem>{escape(text)}</problem>"
                "<problemType>Error</problemType><success>false</success></componentFailures>"
                for name, text in problems  # type: ignore[attr-defined]
            )
            ok = "false" if problems else "true"
            status = "Failed" if problems else "Succeeded"
            body = (
                f"<result><checkOnly>true</checkOnly><details>{failures}</details>"
                f"<done>true</done><id>{deploy_id}</id>"
                f"<numberComponentErrors>{len(problems)}</numberComponentErrors>"  # type: ignore[arg-type]
                f"<status>{status}</status><success>{ok}</success></result>"
            )
        return xml_reply(200, f"<checkDeployStatusResponse>{body}</checkDeployStatusResponse>")


def _save_result(name: str, code: str, message: str) -> str:
    return (
        f"<result><errors><message>{escape(message)}</message><statusCode>{code}</statusCode>"
        f"</errors><fullName>{escape(name)}</fullName><success>false</success></result>"
    )


def _merged(old: StoredValueSet, metadata: etree._Element) -> StoredValueSet:
    """What Salesforce keeps after an update: values left out are deactivated, not deleted."""
    values = []
    for element in metadata.findall(f"{{{MD_NS}}}customValue"):
        values.append({_local(child): child.text or "" for child in element})
    written = {v.get("fullName") for v in values}
    for value in old.values:
        if value["fullName"] not in written:
            values.append({**value, "isActive": "false"})
    sorted_text = metadata.findtext(f"{{{MD_NS}}}sorted")
    return StoredValueSet(
        master_label=metadata.findtext(f"{{{MD_NS}}}masterLabel") or old.master_label,
        sorted=sorted_text == "true" if sorted_text is not None else old.sorted,
        description=metadata.findtext(f"{{{MD_NS}}}description"),
        values=values,
    )


def _record_xml(name: str, stored: StoredValueSet) -> str:
    parts = [f"<fullName>{escape(name)}</fullName>"]
    for value in stored.values:
        inner = "".join(f"<{tag}>{escape(value[tag])}</{tag}>" for tag in _CV_ORDER if tag in value)
        parts.append(f"<customValue>{inner}</customValue>")
    if stored.description is not None:
        parts.append(f"<description>{escape(stored.description)}</description>")
    parts.append(f"<masterLabel>{escape(stored.master_label)}</masterLabel>")
    parts.append(f"<sorted>{'true' if stored.sorted else 'false'}</sorted>")
    return "".join(parts)
