"""``--check-only``: have Salesforce validate the merged value set without saving it.

``updateMetadata`` has no dry-run mode, so validation is a Metadata API ``deploy`` of a small
zip (``package.xml`` and the whole merged set) with ``checkOnly=true``, then ``checkDeployStatus``
polled until done (:func:`sfupgrade.org.polling.poll`). A poll that runs out of time never
resubmits the deploy (it may still be running): the error names its id so the user can follow it
with the sf CLI.

``DeployOptions`` carries every boolean the Metadata API WSDL requires, in its order, and no
``testLevel``. A production org (``Organization.IsSandbox`` false, Developer Edition included)
refuses ``NoTestRun`` ("INVALID_OPERATION: testLevel of NoTestRun cannot be used in production
organizations"), and the only levels it accepts run Apex tests, which a value set does not need.
Left out, the org chooses: "If your package doesn't contain Apex components, no tests are run by
default" in production, and none by default in a sandbox (Metadata API Developer Guide, "Running
Tests in a Deployment"). The WSDL lists ``testLevel`` without ``minOccurs="0"``; Salesforce's
documented default is what is relied on here, the one place a body leaves the WSDL's letter (the
WSDL test in tests/test_org_wsdl.py says so too). The sf CLI leaves it out likewise unless asked.
"""

from __future__ import annotations

import base64
import io
import zipfile
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from sfupgrade.files.xmlio import MD_NS, value_set_to_xml
from sfupgrade.org.connect import OrgError
from sfupgrade.org.polling import poll

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

    from sfupgrade.model.valueset import ValueSet
    from sfupgrade.org.connect import OrgConnection

POLL_FIRST = 1.0
POLL_CAP = 10.0
POLL_LIMIT = 600.0  # seconds of polling before giving up on watching (not on the deploy)
_M = f"{{{MD_NS}}}"
# In the WSDL's order; no testLevel (see the module docstring), no runTests.
DEPLOY_OPTIONS = (
    ("allowMissingFiles", False),
    ("autoUpdatePackage", False),
    ("checkOnly", True),
    ("ignoreWarnings", False),
    ("performRetrieve", False),
    ("purgeOnDelete", False),
    ("rollbackOnError", True),
    ("singlePackage", True),
)


def package_zip(full_name: str, xml: str, api_version: str) -> bytes:
    """A Metadata API format zip holding one global value set."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Package xmlns="{MD_NS}">\n'
        f"    <types>\n        <members>{escape(full_name)}</members>\n"
        "        <name>GlobalValueSet</name>\n    </types>\n"
        f"    <version>{api_version}</version>\n</Package>\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("package.xml", manifest)
        archive.writestr(f"globalValueSets/{full_name}.globalValueSet", xml)
    return buffer.getvalue()


def _problems(result: etree._Element) -> list[str]:
    """Component failures, as the current API reports them (details) or older ones (messages)."""
    failures = result.findall(f"{_M}details/{_M}componentFailures")
    failures += [
        m for m in result.findall(f"{_M}messages") if m.findtext(f"{_M}success") == "false"
    ]
    out = []
    for failure in failures:
        name = failure.findtext(f"{_M}fullName") or failure.findtext(f"{_M}fileName") or "?"
        problem = " ".join((failure.findtext(f"{_M}problem") or "").split())
        out.append(f"{name}: {problem}")
    error = result.findtext(f"{_M}errorMessage")
    if error:
        out.append(" ".join(error.split()))
    return out


def deploy_options() -> str:
    """The ``<DeployOptions>`` of a check-only deploy."""
    inner = "".join(f"<{k}>{'true' if v else 'false'}</{k}>" for k, v in DEPLOY_OPTIONS)
    return f"<DeployOptions>{inner}</DeployOptions>"


def check_only(conn: OrgConnection, full_name: str, value_set: ValueSet) -> str:
    """Validate the set in the org; the deploy id on success, :class:`OrgError` if not."""
    data = package_zip(full_name, value_set_to_xml(value_set), conn.api_version)
    body = f"<ZipFile>{base64.b64encode(data).decode()}</ZipFile>{deploy_options()}"
    deploy_id = conn.metadata_call("deploy", body).findtext(f"{_M}result/{_M}id")
    if not deploy_id:
        raise OrgError(f"{conn.host}: deploy answered without an id; nothing was validated")

    def status() -> etree._Element:
        answer = conn.metadata_call(
            "checkDeployStatus",
            f"<asyncProcessId>{escape(deploy_id)}</asyncProcessId><includeDetails>true"
            "</includeDetails>",
        )
        result = answer.find(f"{_M}result")
        if result is None:
            raise OrgError(f"{conn.host}: checkDeployStatus of {deploy_id} gave no result")
        return result

    def finished(result: etree._Element) -> bool:
        done = result.findtext(f"{_M}done")
        return done == "true" or (done is None and result.find(f"{_M}success") is not None)

    def gave_up(_result: etree._Element) -> OrgError:
        return OrgError(
            f"{conn.host}: check-only deploy {deploy_id} still running after "
            f"{POLL_LIMIT:.0f}s; follow it with `sf project deploy report --job-id "
            f"{deploy_id}` (it was not resubmitted)"
        )

    result = poll(
        status, finished, first=POLL_FIRST, cap=POLL_CAP, limit=POLL_LIMIT, gave_up=gave_up
    )
    if result.findtext(f"{_M}success") != "true":
        state = result.findtext(f"{_M}status") or "Failed"
        problems = "; ".join(_problems(result)) or "no details given"
        raise OrgError(
            f"{conn.host}: check-only deploy {deploy_id} of {full_name} {state}: "
            f"{problems}; nothing was saved"
        )
    return deploy_id
