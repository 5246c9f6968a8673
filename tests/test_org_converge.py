"""Every plan converges: apply any records, then any others over them, re-plan, nothing left.

Records come as ``CtiFlow.record_fields()`` gives them (``active`` may be None, text may be
empty), written through sObject Collections and through Bulk API 2.0 jobs, into a fake org that
stores values as Salesforce does (see tests/fakeorg/rest.py).
"""

from __future__ import annotations

import json

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfupgrade.jobs.deploy import apply_deploy, plan_deploy
from sfupgrade.model.plan import State
from sfupgrade.org import records
from sfupgrade.org.connect import connect
from sfupgrade.org.mapping import load_mapping
from sfupgrade.org.options import OrgOptions
from sfupgrade.org.recordfile import RecordSet
from tests.fakeorg import URL, FakeOrg
from tests.fakeorg.cti import FLOW, add_cti_objects

text = st.sampled_from(["", "x", "onCtiAction", "  "]) | st.none()
flow_fields = st.fixed_dictionaries(
    {
        "source": st.sampled_from(["ctiAction", "CTI Action", ""]) | st.none(),
        "event": text,
        "active": st.booleans() | st.none(),
        "description": text,
        "definition": st.sampled_from(["", '{"a": 1}', '{"b": [2]}']) | st.none(),
    }
)


def flows(fields: list[dict]) -> RecordSet:
    return RecordSet(tuple({"name": f"F{i}", **f} for i, f in enumerate(fields)), ())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.lists(flow_fields, min_size=3, max_size=3),
    second=st.lists(flow_fields, min_size=3, max_size=3),
    bulk=st.booleans(),
)
def test_apply_then_replan_finds_nothing(
    fake_org: FakeOrg, monkeypatch: pytest.MonkeyPatch, first, second, bulk: bool
) -> None:
    del fake_org  # its environment and instant retries, with a fresh org per example
    monkeypatch.setattr(records, "BULK_THRESHOLD", 1 if bulk else 2000)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        org = FakeOrg(mock)
        add_cti_objects(org)
        connection = connect(OrgOptions(instance_url=URL))
        mapping = load_mapping()
        for wanted in (flows(first), flows(second)):
            planned = plan_deploy(connection, mapping, wanted)
            plan = apply_deploy(connection, planned, mapping, wanted)
            assert not plan.failed, [c.error for c in plan.changes if c.error]
            again = plan_deploy(connection, mapping, wanted)
            assert {c.state for c in again.changes} == {State.UNCHANGED}
        for row in org.records(FLOW).values():
            assert isinstance(row["amazonconnect__Active__c"], bool)
            assert "" not in row.values()
        stored = {r["Name"]: r for r in org.records(FLOW).values()}
        for i, fields in enumerate(second):
            want = fields["definition"] or None
            got = stored[f"F{i}"]["amazonconnect__Script__c"]
            assert (json.loads(got) if got else None) == (json.loads(want) if want else None)
    assert not org.http.unexpected, org.http.unexpected
