"""The main job: one plan over every step of the upgrade, then apply it and prove it is done.

Steps add changes and findings to the same :class:`~sfupgrade.model.plan.Plan`, so one report shows
everything and validation errors stop the whole upgrade before anything is written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sfupgrade.core.errors import FailureError, PartlyAppliedError, SfUpgradeError, UsageError
from sfupgrade.cti.validate import check_content
from sfupgrade.jobs.picklist import apply_file_changes, plan_files_checked
from sfupgrade.model.plan import Plan, Read, content_folders
from sfupgrade.model.value import Value, field, replace
from sfupgrade.model.valueset import INVALID_FILE, PicklistRequest

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.core.progress import ProgressFactory
    from sfupgrade.org.connect import OrgConnection
    from sfupgrade.org.port import OrgPort


def _info(message: str, *args: object) -> None:
    """Log at INFO if logging is in use (``-v``, or a library caller's own set-up).

    Importing ``logging`` just for messages nobody shows would add to every run's start-up.
    """
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.getLogger("sfupgrade.jobs.upgrade").info(message, *args)


class UpgradeRequest(Value):
    """What to upgrade: a local project or an org, with the release's picklist value and CTI
    content.

    ``content`` holds the CTI flows and actions the upgrade validates (and deploys to an org):
    the user's project's, found by ``cti.discover.project_content``, plus the release's example
    content only when the caller asks for it; none by default. With ``org`` set the
    value set in that org is upgraded, the content is deployed there as records, and
    ``project`` is only where the command ran. ``org`` is any :class:`~sfupgrade.org.port.OrgPort`
    (a :class:`~sfupgrade.org.memory.MemoryOrg` for a demo) or a connection, which is reached
    through the Salesforce adapter.
    """

    project: Path
    picklist: PicklistRequest = field(default_factory=PicklistRequest)
    content: tuple[Path, ...] = ()
    org: OrgPort | OrgConnection | None = None
    mapping: Path | None = None  # where CTI records go in the org (None: bundled defaults)

    @property
    def port(self) -> OrgPort | None:
        """The org the upgrade targets, as planners and appliers take it."""
        if self.org is None:
            return None
        from sfupgrade.org.port import as_port

        return as_port(self.org)


def plan_upgrade(request: UpgradeRequest) -> Plan:
    """Plan every step for a local project or an org; reads, writes nothing."""
    port = request.port
    if port is not None:
        from sfupgrade.org.valueset import plan_org_value_set

        plan = Plan(target=port.target)
        change = plan_org_value_set(port, request.picklist)
        plan.extend([change])
        plan.read = Read(org=plan.target, value_sets=(change.name,))
    else:
        plan = Plan(target=str(request.project))
        files = plan_files_checked(request.project, request.picklist)
        plan.extend(files.changes, files.findings)
        plan.checks.append(INVALID_FILE)
        plan.read = Read(projects=(plan.target,), value_sets=(files.file,))
    checked = check_content(request.content)
    plan.read = replace(plan.read, content=content_folders(checked.content))
    content = checked.content
    _info(
        "validated %d flow(s) and %d action(s) from %s",
        len(content.flows),
        len(content.actions),
        ", ".join(str(p) for p in request.content),
    )
    checked.into(plan)
    if port is not None:
        from sfupgrade.jobs.deploy import content_records
        from sfupgrade.org.mapping import load_mapping
        from sfupgrade.org.records import plan_records

        records = content_records(content)
        plan.extend(
            plan_records(
                port,
                load_mapping(request.mapping),
                list(records.flows),
                list(records.actions),
            )
        )
    return plan


def apply_upgrade(
    plan: Plan, request: UpgradeRequest, progress: ProgressFactory | None = None
) -> Plan:
    """Apply a plan without errors, then re-plan: a correct upgrade leaves nothing to do.

    ``progress`` draws a bar for the org's record writes (see :func:`apply_records`). A failure
    before anything was written raises as it is (exit 1: nothing applied); a failure after
    something was written, verification included, is recorded in ``plan.failure`` and raised as
    :class:`PartlyAppliedError` (exit 68), so the caller can still report the plan.
    """
    from sfupgrade.report.common import refusal

    plan.dry_run = False
    if plan.errors:
        raise FailureError(f"{refusal(plan)}. Fix them and rerun")
    try:
        _write(plan, request, progress)
    except SfUpgradeError as exc:
        plan.failure = str(exc)
        if plan.applied:
            raise PartlyAppliedError(f"applied in part, then failed: {exc}") from None
        raise
    if plan.failed:
        return plan  # each failure is in the report (exit 68); a rerun plans what is left
    _info("verifying: planning again must find nothing to do")
    try:
        again = plan_upgrade(request)
    except SfUpgradeError as exc:
        plan.failure = f"verification failed: {exc}"
        raise PartlyAppliedError(f"applied, but {plan.failure}") from None
    if again.pending:
        names = ", ".join(c.name for c in again.pending)
        plan.failure = f"verification failed: still pending after apply: {names}"
        raise PartlyAppliedError(f"applied, but {plan.failure}")
    return plan


def _write(plan: Plan, request: UpgradeRequest, progress: ProgressFactory | None) -> None:
    """Write the plan's changes, setting ``plan.applied`` as soon as anything may be written."""
    port = request.port
    if port is not None:
        from sfupgrade.org.records import apply_records
        from sfupgrade.org.valueset import apply_org_changes

        # The value set first: the flows' source is one of its values.
        apply_org_changes(port, plan.changes)
        plan.applied = any(c.pending and c.component_type == "GlobalValueSet" for c in plan.changes)
        records = [c for c in plan.changes if c.pending and c.component_type != "GlobalValueSet"]
        # From the first record request on, some records may be in the org whatever fails.
        plan.applied = plan.applied or bool(records)
        plan.changes = apply_records(port, plan.changes, progress)
        plan.applied = True
    else:
        _info("writing %d file(s)", len(plan.pending))
        apply_file_changes(plan.changes)  # all files or none
        plan.applied = True


def check_upgrade(plan: Plan, request: UpgradeRequest) -> list[str]:
    """Have the org validate the pending changes without saving them (``--check-only``)."""
    port = request.port
    if port is None:
        raise UsageError("check-only validation needs an org (UpgradeRequest.org)")
    from sfupgrade.org.valueset import check_org_changes

    return check_org_changes(port, plan.changes)
