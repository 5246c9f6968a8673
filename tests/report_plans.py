"""Hand-built plans that the report tests render: one per situation a user meets.

Built here rather than by the planner so the report tests pin the formats alone, and so each
situation (clean, value set needed, validation errors, record changes) exists even before the
planner can produce it.
"""

from __future__ import annotations

from sfupgrade.model.plan import Change, FieldDiff, Finding, FlowSketch, Location, Plan, Read, State
from sfupgrade.model.value import replace

VALUE_SET_FILE = "force-app/main/default/globalValueSets/AC_CtiScriptSource.globalValueSet-meta.xml"
FLOW_FILE = "cti-flows/Create Callback Task.json"
# What each run read (the first line of every report names it).
PROJECT_READ = Read(
    projects=("my-project",), value_sets=(VALUE_SET_FILE,), content=("cti-flows", "cti-actions")
)
ORG_READ = Read(
    org="https://example.my.salesforce.com",
    value_sets=("AC_CtiScriptSource",),
    content=("cti-flows", "cti-actions"),
)

_VALUE_SET_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<GlobalValueSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <customValue>
        <fullName>clickToDial</fullName>
        <default>false</default>
        <label>Click to Dial</label>
    </customValue>
    <customValue>
        <fullName>voiceContact</fullName>
        <default>false</default>
        <label>Voice Contact</label>
    </customValue>
    <customValue>
        <fullName>chatContact</fullName>
        <default>false</default>
        <label>Chat Contact</label>
    </customValue>
"""
_VALUE_SET_ADDED = """    <customValue>
        <fullName>ctiAction</fullName>
        <default>false</default>
        <label>CTI Action</label>
    </customValue>
"""
_VALUE_SET_TAIL = """    <description>Where a CTI Flow is started from</description>
    <masterLabel>AC_CtiScriptSource</masterLabel>
    <sorted>false</sorted>
</GlobalValueSet>
"""
VALUE_SET_BEFORE = _VALUE_SET_HEAD + _VALUE_SET_TAIL
VALUE_SET_AFTER = _VALUE_SET_HEAD + _VALUE_SET_ADDED + _VALUE_SET_TAIL

CHECKS = ["CTI001", "CTI002", "CTI003"]

CALLBACK_FLOW = FlowSketch(
    name="Create Callback Task",
    file=FLOW_FILE,
    blocks=(
        ("uid-1", "SE_GetContactProperties"),
        ("uid-3", "SE_CoreTruthy"),
        ("uid-24", "SF_CreateTask"),
        ("uid-26", "SF_CreateTask"),
    ),
    edges=(
        ("uid-1", "done", "uid-3"),
        ("uid-3", "true", "uid-24"),
        ("uid-3", "false", "uid-26"),
    ),
)
SCREENPOP_FLOW = FlowSketch(
    name="Screenpop Case",
    file="cti-flows/Screenpop Case.json",
    blocks=(("uid-1", "SF_Search"), ("uid-2", "SF_ScreenPop")),
    edges=(("uid-1", "success", "uid-2"),),
)


def _value_set(state: State) -> Change:
    pending = state is State.CHANGED
    return Change(
        component_type="GlobalValueSet",
        name="AC_CtiScriptSource",
        state=state,
        target=VALUE_SET_FILE,
        summary="add ctiAction (CTI Action)" if pending else "ctiAction ('CTI Action') present",
        before_text=VALUE_SET_BEFORE if pending else None,
        after_text=VALUE_SET_AFTER if pending else None,
    )


def clean_plan() -> Plan:
    """Everything already upgraded and valid."""
    return Plan(
        target="my-project",
        changes=[
            _value_set(State.UNCHANGED),
            Change(
                "CtiFlow",
                "Create Callback Task",
                State.UNCHANGED,
                "AC_CtiScript__c",
                summary="up to date",
            ),
        ],
        flows=[CALLBACK_FLOW],
        checks=list(CHECKS),
        read=PROJECT_READ,
    )


def value_set_plan() -> Plan:
    """A pre-release project: only the picklist value is missing (no CTI content of its own)."""
    return Plan(
        target="my-project",
        changes=[_value_set(State.CHANGED)],
        checks=list(CHECKS),
        read=replace(PROJECT_READ, content=()),
    )


def validation_plan() -> Plan:
    """A flow that reads payload keys its CTI Action does not send (errors stop the upgrade)."""
    return Plan(
        target="my-project",
        changes=[_value_set(State.CHANGED)],
        findings=[
            Finding(
                severity="error",
                code="CTI002",
                message="reads $.payload.CallbackNumber, which action 'Create Callback Task' "
                "does not send",
                subject="Create Callback Task",
                location=Location(
                    file=FLOW_FILE,
                    line=41,
                    column=27,
                    block="uid-24",
                    block_type="SF_CreateTask",
                    path="uid-1 > uid-3 (true) > uid-24",
                ),
                suggestion="use $.payload.CallbackPhone, or add CallbackNumber to the action's "
                "form",
            ),
            Finding(
                severity="warning",
                code="CTI003",
                message="form field 'LastName' is never read by the flow",
                subject="Create Callback Task",
                location=Location(file="cti-actions/Create Callback Task.json", line=12),
            ),
        ],
        flows=[CALLBACK_FLOW, SCREENPOP_FLOW],
        checks=list(CHECKS),
        dry_run=False,
        read=PROJECT_READ,
    )


def records_plan() -> Plan:
    """An applied run against an org: one record created, one changed, one failed (exit 68)."""
    return Plan(
        target="https://example.my.salesforce.com",
        changes=[
            _value_set(State.UNCHANGED),
            Change(
                component_type="CtiFlow",
                name="Create Callback Task",
                state=State.CREATED,
                target="amazonconnect__AC_CtiScript__c",
                summary="new CTI flow",
                fields=(
                    FieldDiff("Name", None, "Create Callback Task"),
                    FieldDiff("amazonconnect__Source__c", None, "ctiAction"),
                    FieldDiff("amazonconnect__Active__c", None, True),
                ),
            ),
            Change(
                component_type="CtiAction",
                name="Create Callback Task",
                state=State.CHANGED,
                target="amazonconnect__AC_CtiAction__c",
                summary="2 field(s) changed",
                fields=(
                    FieldDiff("amazonconnect__Order__c", 1, 2),
                    FieldDiff(
                        "amazonconnect__Payload__c",
                        {"SubjectPrepend": "Call"},
                        {"SubjectPrepend": "Callback"},
                    ),
                ),
            ),
            Change(
                component_type="CtiAction",
                name="Start Recording",
                state=State.FAILED,
                target="amazonconnect__AC_CtiAction__c",
                summary="new CTI action",
                fields=(FieldDiff("amazonconnect__Order__c", None, 3),),
                error="UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record",
            ),
        ],
        flows=[CALLBACK_FLOW],
        checks=list(CHECKS),
        dry_run=False,
        applied=True,
        read=ORG_READ,
    )


PLANS = {
    "clean": clean_plan,
    "value-set": value_set_plan,
    "validation": validation_plan,
    "records": records_plan,
}
