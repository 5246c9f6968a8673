"""JUnit and SARIF outputs validate against the schemas the consuming tools use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from sfupgrade.model.plan import Change, Finding, Location, Plan, State
from sfupgrade.report import render
from tests.report_plans import PLANS

SCHEMAS = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "schemas"


def _schema_file(name: str) -> Path:
    path = SCHEMAS / name
    if not path.exists():
        pytest.skip(f"{path} absent: the shared fixtures come with CI's checkout only")
    return path


@pytest.fixture(scope="module")
def junit_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_schema_file("junit-10.xsd"))))


@pytest.fixture(scope="module")
def sarif_validator():
    import jsonschema

    schema = json.loads(_schema_file("sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def _awkward_plan() -> Plan:
    """Text that XML and JSON must carry: control characters, quotes, markup, non-ASCII."""
    return Plan(
        target="proj",
        changes=[
            Change("CtiAction", 'Ünïcode <"&">', State.FAILED, "obj", error="bad\x01byte\x1f"),
        ],
        findings=[
            Finding("error", "CTI002", "nul \x00 here ]]> <x/>", subject="s", location=Location()),
            Finding("warning", "CTI009", "no place at all"),
        ],
    )


ALL_PLANS = {**PLANS, "awkward": _awkward_plan}


@pytest.mark.parametrize("name", ALL_PLANS)
def test_junit_validates_against_the_xsd(name: str, junit_schema: etree.XMLSchema) -> None:
    document = etree.fromstring(render(ALL_PLANS[name](), "junit").encode("utf-8"))
    assert junit_schema.validate(document), junit_schema.error_log


@pytest.mark.parametrize("name", ALL_PLANS)
def test_sarif_validates_against_the_2_1_0_schema(name: str, sarif_validator) -> None:
    log = json.loads(render(ALL_PLANS[name](), "sarif"))
    errors = [e.message for e in sarif_validator.iter_errors(log)]
    assert errors == []


def test_junit_counts_failures_for_errors_and_failed_components() -> None:
    plan = PLANS["validation"]()
    plan.changes.append(Change("CtiAction", "X", State.FAILED, "obj", error="DUPLICATE_VALUE"))
    root = etree.fromstring(render(plan, "junit").encode("utf-8"))
    assert root.get("failures") == "2"
    assert root.get("tests") == str(len(root.findall("testsuite/testcase")))
    failures = root.findall("testsuite/testcase/failure")
    assert [f.get("type") for f in failures] == ["CTI002", "Failed"]
    # The warning is a passing test case that still carries its text.
    (warning,) = root.xpath("//testcase[starts-with(@name, 'CTI003')]")
    assert warning.find("failure") is None
    assert "never read" in warning.findtext("system-out")


def test_junit_has_a_passing_case_per_check_without_findings() -> None:
    root = etree.fromstring(render(PLANS["clean"](), "junit").encode("utf-8"))
    checks = root.find("testsuite[@name='sfupgrade.checks']")
    assert [c.get("name") for c in checks.findall("testcase")] == ["CTI001", "CTI002", "CTI003"]
    assert checks.get("failures") == "0"


def test_junit_shows_characters_xml_cannot_carry_escaped() -> None:
    root = etree.fromstring(render(_awkward_plan(), "junit").encode("utf-8"))
    failure = root.find(".//testcase[@name='CTI002 s']/failure")
    assert failure.get("message") == "nul \\x00 here ]]> <x/>"


def test_sarif_points_at_file_line_and_column_with_rule_ids_from_codes() -> None:
    log = json.loads(render(PLANS["validation"](), "sarif"))
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["CTI001", "CTI002", "CTI003"]
    error = run["results"][0]
    assert error["ruleId"] == "CTI002"
    assert run["tool"]["driver"]["rules"][error["ruleIndex"]]["id"] == "CTI002"
    physical = error["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "cti-flows/Create%20Callback%20Task.json"
    assert physical["region"] == {"startLine": 41, "startColumn": 27}
    assert error["locations"][0]["logicalLocations"][0]["name"] == "uid-24"
    assert [r["level"] for r in run["results"]] == ["error", "warning"]


def test_sarif_leaves_out_components_and_places_it_does_not_know() -> None:
    log = json.loads(render(_awkward_plan(), "sarif"))
    results = log["runs"][0]["results"]
    assert len(results) == 2  # the Failed component is no code-scanning result
    assert all("locations" not in r for r in results)


def test_the_validators_reject_broken_reports(junit_schema, sarif_validator) -> None:
    """Guards the tests above: a validator that accepts anything would prove nothing."""
    root = etree.fromstring(render(PLANS["validation"](), "junit").encode("utf-8"))
    del root.find("testsuite").attrib["tests"]
    assert not junit_schema.validate(root)
    log = json.loads(render(PLANS["validation"](), "sarif"))
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(sarif_validator.iter_errors(log))
