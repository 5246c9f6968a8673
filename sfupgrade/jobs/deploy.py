"""``deploy`` as a library call: choose and validate the content, plan the records, apply them,
prove a re-plan finds nothing.

Kept apart from the Click layer so a CumulusCI task or a script runs the same steps:
:func:`plan_deploy_request` and :func:`apply_deploy_request` are the whole command;
:func:`plan_deploy` and :func:`apply_deploy` the records step alone, for a caller that holds its
own :class:`~sfupgrade.org.recordfile.RecordSet`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sfupgrade.core.errors import FailureError, UsageError
from sfupgrade.model.cti import Content
from sfupgrade.model.plan import Plan, Read, content_folders
from sfupgrade.model.value import Value
from sfupgrade.org.mapping import Mapping, load_mapping
from sfupgrade.org.port import as_port
from sfupgrade.org.recordfile import RecordSet, load_records
from sfupgrade.org.records import apply_records, plan_records

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.core.progress import ProgressFactory
    from sfupgrade.cti.validate import ContentCheck
    from sfupgrade.org.connect import OrgConnection
    from sfupgrade.org.port import OrgPort


class DeployRequest(Value):
    """What to deploy: CTI content (``paths``, else the project in the current directory; the
    release's example flow and action only with ``release``) or a records file; ``mapping`` a
    mapping file (None: the default object and field names)."""

    paths: tuple[Path, ...] = ()
    records: Path | None = None
    release: bool = False
    mapping: Path | None = None
    dry_run: bool = False


class DeployJob(Value, frozen=False):
    """A planned deploy: what the report shows (``plan``) and what applying it needs."""

    plan: Plan
    org: OrgPort
    mapping: Mapping
    records: RecordSet


def _wanted(request: DeployRequest) -> tuple[RecordSet, ContentCheck | None]:
    """The records to deploy and, for CTI content, its validation (findings for the plan)."""
    from sfupgrade.cti.discover import project_content
    from sfupgrade.cti.validate import check_content
    from sfupgrade.files.resources import release_dir

    if request.records is not None:
        if request.paths or request.release:
            raise UsageError("pass CTI content (PATHS, --release) or --records FILE, not both")
        return load_records(request.records), None
    chosen = list(request.paths) or list(project_content(Path(".")))
    if request.release:
        chosen.append(release_dir())
    if not chosen:
        raise UsageError(
            "no CTI content found in .: put flows in ctiFlows/ and actions in ctiActions/ "
            "(see metadata/README.md), pass PATHS, or add --release for the release's "
            "example flow and action"
        )
    checked = check_content(chosen)
    return content_records(checked.content), checked


def plan_deploy_request(
    request: DeployRequest, connect: Callable[[], OrgPort | OrgConnection]
) -> DeployJob:
    """Validate the content, then ``connect()`` and plan: bad input is refused before any
    connection is made, and a validation error is a finding of the plan, which stops
    :func:`apply_deploy_request` before anything is written."""
    records, checked = _wanted(request)
    mapping = load_mapping(request.mapping)
    port = as_port(connect())
    plan = plan_deploy(port, mapping, records)
    if checked is not None:
        checked.into(plan)
    plan.read = Read(
        projects=tuple(str(p) for p in request.paths)
        or (() if request.records is not None else (".",)),
        org=plan.target,
        content=content_folders(checked.content) if checked else (str(request.records),),
    )
    plan.dry_run, plan.command = request.dry_run, "deploy"  # a refused deploy is not a dry run
    return DeployJob(plan, port, mapping, records)


def apply_deploy_request(job: DeployJob, progress: ProgressFactory | None = None) -> Plan:
    """Apply a planned deploy unless it is a dry run or the plan holds errors or failures."""
    plan = job.plan
    if not plan.dry_run and not plan.failed and not plan.errors:
        apply_deploy(job.org, plan, job.mapping, job.records, progress)
    return plan


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
