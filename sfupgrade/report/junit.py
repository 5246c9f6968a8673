"""JUnit XML, so CI systems list validation checks and components as test cases.

Two suites: ``sfupgrade.checks`` has one test case per finding (a failure for an error, a pass
with the text in ``system-out`` for a warning) and one passing test case per check that ran
without findings; ``sfupgrade.components`` has one test case per component, a failure when the
component is Failed. The output validates against the widely used Surefire/Jenkins ``junit-10.xsd``.
"""

from __future__ import annotations

import re

from lxml import etree

from sfupgrade.model.plan import Change, Finding, Plan, State
from sfupgrade.report.common import check_codes, finding_where, read_from
from sfupgrade.report.safe import escape_controls

# Non-characters XML 1.0 cannot carry; a report must not fail because a record holds one.
_NOT_XML = re.compile("[\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text XML can carry, control characters shown escaped (XML 1.0 forbids most of them)."""
    return _NOT_XML.sub("\ufffd", escape_controls(text, keep="\n\t"))


def _element(
    parent: etree._Element, tag: str, text: str | None = None, **attrs: str
) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: _xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def _suite(root: etree._Element, name: str, read: str) -> etree._Element:
    suite = _element(root, "testsuite", name=name, tests="0", failures="0", errors="0", skipped="0")
    if read:  # what the run read, as every report's first line says it
        properties = _element(suite, "properties")
        _element(properties, "property", name="read", value=read)
    return suite


def _finding_case(suite: etree._Element, finding: Finding) -> None:
    where = finding_where(finding)
    # Code, subject and place: unique enough that two findings never share a test case name.
    name = " ".join(p for p in (finding.code, finding.subject) if p)
    if finding.location.describe():
        name += f" ({finding.location.describe()})"
    case = _element(suite, "testcase", classname=f"sfupgrade.checks.{finding.code}", name=name)
    body = "\n".join(
        part
        for part in (
            finding.message,
            where and f"at {where}",
            finding.suggestion and f"fix: {finding.suggestion}",
        )
        if part
    )
    if finding.severity == "error":
        _element(case, "failure", body, type=finding.code, message=finding.message)
    else:
        _element(case, "system-out", f"warning: {body}")


def _component_case(suite: etree._Element, change: Change) -> None:
    case = _element(
        suite,
        "testcase",
        classname=f"sfupgrade.components.{change.component_type}",
        name=change.name,
    )
    if change.state is State.FAILED:
        message = change.error or "failed"
        _element(case, "failure", f"{change.target}: {message}", type="Failed", message=message)
    else:
        text = f"{change.state.value}: {change.summary}" if change.summary else change.state.value
        _element(case, "system-out", text)


def _count(suite: etree._Element) -> tuple[int, int]:
    tests = len(suite.findall("testcase"))
    failures = len(suite.findall("testcase/failure"))
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    return tests, failures


def render(plan: Plan) -> str:
    """The plan as a JUnit ``<testsuites>`` document (UTF-8, with declaration)."""
    root = etree.Element("testsuites", name="sfupgrade")
    read = read_from(plan)
    checks = _suite(root, "sfupgrade.checks", read)
    found = {f.code for f in plan.findings}
    for code in check_codes(plan):
        if code not in found:
            _element(checks, "testcase", classname=f"sfupgrade.checks.{code}", name=code)
    for finding in plan.findings:
        _finding_case(checks, finding)
    components = _suite(root, "sfupgrade.components", read)
    for change in plan.changes:
        _component_case(components, change)
    totals = [_count(checks), _count(components)]
    root.set("tests", str(sum(t for t, _ in totals)))
    root.set("failures", str(sum(f for _, f in totals)))
    root.set("errors", "0")
    body = etree.tostring(root, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body
