"""Every SOAP body the org layer sends validates against the Metadata API WSDL's schema.

The WSDL is Salesforce's ``metadata.wsdl`` as simple-salesforce ships it (a test dependency);
without it the test is skipped. One documented departure is allowed: ``DeployOptions`` has no
``testLevel`` (see :mod:`sfupgrade.org.checkonly`: production refuses ``NoTestRun`` and
Salesforce's documented default, with none given, runs no tests for a package without Apex).
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from sfupgrade.cli import cli
from tests.fakeorg import URL, FakeOrg

XSD = "http://www.w3.org/2001/XMLSchema"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
OPERATIONS = {"listMetadata", "readMetadata", "updateMetadata", "deploy", "checkDeployStatus"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def wsdl_path() -> Path | None:
    spec = importlib.util.find_spec("simple_salesforce")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "metadata.wsdl"
    return path if path.is_file() else None


@functools.cache
def metadata_schema() -> etree.XMLSchema:
    path = wsdl_path()
    if path is None:
        pytest.skip("simple-salesforce's metadata.wsdl is not installed (pip install -e '.[test]')")
    root = etree.parse(str(path), _PARSER).getroot()
    found = root.find(f".//{{{XSD}}}schema")
    assert found is not None, f"{path}: no xsd:schema"
    # A document of its own, with the prefixes (tns:, xsd:) the WSDL declares above it.
    schema = etree.Element(found.tag, dict(found.attrib), nsmap={**root.nsmap, **found.nsmap})
    schema.extend(found)
    # The one departure the org layer makes on purpose (see the module docstring).
    level = schema.find(
        f"{{{XSD}}}complexType[@name='DeployOptions']/{{{XSD}}}sequence/"
        f"{{{XSD}}}element[@name='testLevel']"
    )
    assert level is not None, "the WSDL's DeployOptions has no testLevel any more"
    level.set("minOccurs", "0")
    return etree.XMLSchema(schema)


def problems(body: bytes) -> list[str]:
    envelope = etree.fromstring(body, _PARSER)
    soap_body = envelope.find(f"{{{SOAP_ENV}}}Body")
    assert soap_body is not None and len(soap_body) == 1
    schema = metadata_schema()
    if schema.validate(etree.ElementTree(soap_body[0])):
        return []
    return [str(error) for error in schema.error_log]


def run(*args: str) -> None:
    result = CliRunner().invoke(cli, [*args, "--instance-url", URL])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("sandbox", [True, False])
def test_every_soap_body_validates_against_the_wsdl(fake_org: FakeOrg, sandbox: bool) -> None:
    """Issue 12, fix 4: listMetadata's asOfVersion, DeployOptions' required booleans."""
    metadata_schema()  # skips before any request when the WSDL is absent
    fake_org.metadata.sandbox = sandbox
    values = [{"fullName": "voiceContact", "label": "Voice Contact", "color": "#FF0000"}]
    fake_org.add_value_set("AC_CtiScriptSource", values, namespace="amazonconnect")
    run("picklist", "add", "--check-only")
    run("picklist", "add")
    sent = [c for c in fake_org.calls if "/Soap/" in c.path]
    found = {}
    for call in sent:
        found.setdefault(call.operation, []).extend(problems(call.body))
    assert set(found) == OPERATIONS
    assert {op: errors for op, errors in found.items() if errors} == {}


def test_the_schema_catches_what_the_wsdl_requires() -> None:
    """The check can fail: a listMetadata without asOfVersion is refused."""
    envelope = (
        f'<e:Envelope xmlns:e="{SOAP_ENV}" xmlns="http://soap.sforce.com/2006/04/metadata">'
        "<e:Body><listMetadata><queries><type>GlobalValueSet</type></queries></listMetadata>"
        "</e:Body></e:Envelope>"
    )
    errors = problems(envelope.encode())
    assert errors and "asOfVersion" in errors[0]
