"""The fake org speaks Salesforce's shapes (checked against recorded traffic where present)."""

from __future__ import annotations

import json

import pytest
import requests
from lxml import etree

from tests.fakeorg import TOKEN, URL, FakeOrg
from tests.helpers import shared_fixture

SOAP = f"{URL}/services/Soap/m/62.0"
DATA = f"{URL}/services/data/v62.0"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NS = {
    "s": "http://schemas.xmlsoap.org/soap/envelope/",
    "m": "http://soap.sforce.com/2006/04/metadata",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


def soap(operation: str, inner: str, token: str = TOKEN) -> requests.Response:
    envelope = (
        f'<soapenv:Envelope xmlns:soapenv="{NS["s"]}" xmlns="{NS["m"]}" '
        f'xmlns:xsi="{NS["xsi"]}"><soapenv:Header><SessionHeader><sessionId>{token}</sessionId>'
        f"</SessionHeader></soapenv:Header><soapenv:Body><{operation}>{inner}</{operation}>"
        "</soapenv:Body></soapenv:Envelope>"
    )
    return requests.post(SOAP, data=envelope.encode(), headers={"Content-Type": "text/xml"})


def _shape(element: etree._Element) -> list[str]:
    """Element paths down to the records/result level, namespaces resolved."""
    return [
        etree.QName(e).localname
        for e in element.iter()
        if etree.QName(e).localname in ("Envelope", "Body", "readMetadataResponse", "result")
    ]


def test_read_metadata_is_shaped_like_the_recorded_read(fake_org: FakeOrg) -> None:
    fake_org.add_value_set("AC_CtiScriptSource", [{"fullName": "a", "label": "A"}])
    response = soap(
        "readMetadata", "<type>GlobalValueSet</type><fullNames>AC_CtiScriptSource</fullNames>"
    )
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = etree.fromstring(response.content)
    records = root.find("s:Body/m:readMetadataResponse/m:result/m:records", NS)
    assert records is not None
    assert records.get(f"{{{NS['xsi']}}}type") == "GlobalValueSet"
    assert records.findtext("m:customValue/m:label", namespaces=NS) == "A"
    recorded = etree.parse(
        str(shared_fixture("api", "amp-labs__connectors__read-field-permissions-response.xml"))
    ).getroot()
    assert _shape(root) == _shape(recorded)


def test_update_that_leaves_values_out_deactivates_them(fake_org: FakeOrg) -> None:
    name = fake_org.add_value_set("VS", [{"fullName": "a"}, {"fullName": "b"}])
    inner = (
        f'<metadata xsi:type="GlobalValueSet"><fullName>{name}</fullName>'
        "<customValue><fullName>b</fullName><default>false</default></customValue>"
        "<masterLabel>VS</masterLabel><sorted>false</sorted></metadata>"
    )
    root = etree.fromstring(soap("updateMetadata", inner).content)
    assert root.findtext("s:Body/m:updateMetadataResponse/m:result/m:success", namespaces=NS) == (
        "true"
    )
    values = fake_org.value_set(name).values
    assert [(v["fullName"], v.get("isActive")) for v in values] == [("b", None), ("a", "false")]
    assert [c.operation for c in fake_org.writes] == ["updateMetadata"]


def test_soap_with_a_wrong_session_is_a_fault(fake_org: FakeOrg) -> None:
    response = soap("listMetadata", "<queries><type>GlobalValueSet</type></queries>", "bad")
    assert response.status_code == 500
    assert b"<faultcode>sf:INVALID_SESSION_ID</faultcode>" in response.content


def test_collections_answer_200_with_per_record_results(fake_org: FakeOrg) -> None:
    fake_org.add_object("Obj__c", {"Name": "string"}, unique=("Name",))
    fake_org.lock("Obj__c", "locked")
    records = [{"attributes": {"type": "Obj__c"}, "Name": n} for n in ("ok", "locked", "ok")]
    response = requests.post(
        f"{DATA}/composite/sobjects", json={"allOrNone": False, "records": records}, headers=AUTH
    )
    assert response.status_code == 200
    assert response.headers["Sforce-Limit-Info"].startswith("api-usage=")
    results = response.json()
    assert results[0]["success"] is True and results[0]["errors"] == []
    assert results[1]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    assert results[2]["errors"][0]["statusCode"] == "DUPLICATE_VALUE"
    recorded = json.loads(
        shared_fixture(
            "api", "restforce__restforce__composite_sobjects_success_response.json"
        ).read_text()
    )
    assert set(results[0]) == set(recorded[0])
    failed = json.loads(
        shared_fixture("api", "amp-labs__connectors__partial-but-allOrNone.json").read_text()
    )
    assert set(results[1]) == set(failed[0])
    assert set(results[1]["errors"][0]) == set(failed[0]["errors"][0])


def test_query_pages_and_describe(fake_org: FakeOrg) -> None:
    fake_org.add_object("Obj__c", {"Name": "string"})
    for i in range(2001):
        fake_org.insert("Obj__c", {"Name": f"r{i}"})
    first = requests.get(f"{DATA}/query", params={"q": "SELECT Id, Name FROM Obj__c"}, headers=AUTH)
    body = first.json()
    assert (body["totalSize"], body["done"], len(body["records"])) == (2001, False, 2000)
    rest = requests.get(URL + body["nextRecordsUrl"], headers=AUTH).json()
    assert rest["done"] and [r["Name"] for r in rest["records"]] == ["r2000"]
    missing = requests.get(f"{DATA}/sobjects/Nope__c/describe", headers=AUTH)
    assert missing.status_code == 404 and missing.json()[0]["errorCode"] == "NOT_FOUND"
    bad = requests.get(f"{DATA}/query", params={"q": "SELECT Nope FROM Obj__c"}, headers=AUTH)
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "INVALID_FIELD"


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("unavailable", 503, "SERVER_UNAVAILABLE"),
        ("request_limit", 403, "REQUEST_LIMIT_EXCEEDED"),
        ("invalid_session", 401, "INVALID_SESSION_ID"),
    ],
)
def test_injected_rest_faults(fake_org: FakeOrg, kind: str, status: int, code: str) -> None:
    fake_org.add_object("Obj__c", {"Name": "string"})
    fake_org.inject(kind, on="query")
    url = f"{DATA}/query"
    failed = requests.get(url, params={"q": "SELECT Id FROM Obj__c"}, headers=AUTH)
    assert (failed.status_code, failed.json()[0]["errorCode"]) == (status, code)
    again = requests.get(url, params={"q": "SELECT Id FROM Obj__c"}, headers=AUTH)
    assert again.status_code == 200


def test_injected_timeout_raises_and_unknown_urls_fail(fake_org: FakeOrg) -> None:
    fake_org.inject("timeout")
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{DATA}/query", params={"q": "SELECT Id FROM X"}, headers=AUTH)
    assert fake_org.calls[-1].status == "timeout"
    with pytest.raises(AssertionError, match="unregistered"):
        requests.get(f"{DATA}/limits", headers=AUTH)
    assert fake_org.http.unexpected
    fake_org.http.unexpected.clear()  # expected here; the fixture fails a test that leaves any
