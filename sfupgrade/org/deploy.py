"""``deploy`` as a library call: plan the records, apply them, prove a re-plan finds nothing.

Kept apart from the Click layer so a CumulusCI task or a script can run the same steps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sfupgrade.cti.model import Content
from sfupgrade.errors import FailureError
from sfupgrade.org.mapping import Mapping
from sfupgrade.org.port import as_port
from sfupgrade.org.recordfile import RecordSet
from sfupgrade.org.records import apply_records, plan_records
from sfupgrade.plan import Plan

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.org.connect import OrgConnection
    from sfupgrade.org.port import OrgPort
    from sfupgrade.progress import ProgressFactory


def content_records(content: Content) -> RecordSet:
    """The records the release content stands for; a flow without its record file has no
    source or event to deploy, so it is validated but not deployed. The fields are
    ``record_fields()`` as given (``active`` may be None, text empty): planning normalises them
    to what the org stores (:func:`sfupgrade.org.records.normalise`)."""
    flows = tuple(f.record_fields() for f in content.flows if f.has_record)
    return RecordSet(flows, tuple(a.record_fields() for a in content.actions))


def plan_deploy(org: OrgPort | OrgConnection, mapping: Mapping, records: RecordSet) -> Plan:
    """Reads the org (describe, queries); writes nothing."""
    port = as_port(org)
    plan = Plan(target=port.target)
    plan.extend(plan_records(port, mapping, list(records.flows), list(records.actions)))
    return plan


def apply_deploy(
    org: OrgPort | OrgConnection,
    plan: Plan,
    mapping: Mapping,
    records: RecordSet,
    progress: ProgressFactory | None = None,
) -> Plan:
    """Apply the plan; when every record succeeded, re-plan and insist nothing is left."""
    port = as_port(org)
    plan.changes = apply_records(port, plan.changes, progress)
    plan.dry_run = False
    plan.applied = True
    if plan.failed:
        return plan  # the report lists each failure; a rerun plans only what is left
    again = plan_deploy(port, mapping, records)
    if again.pending:
        names = ", ".join(c.name for c in again.pending[:5])
        raise FailureError(f"verification failed: still pending after apply: {names}")
    return plan
