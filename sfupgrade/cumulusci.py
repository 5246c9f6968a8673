"""A CumulusCI task that runs the CTI Actions upgrade on the task's org.

In a project's ``cumulusci.yml``::

    tasks:
      upgrade_cti_actions:
        class_path: sfupgrade.cumulusci.UpgradeCtiActions
        options:
          dry_run: False            # default True: report what would change, change nothing
          mapping: config/cti-mapping.json

It works through the task's own simple-salesforce client (``self.sf``: CumulusCI's login, its
session and the project's API version), with sfupgrade's retry policy and timeouts around each
call, and logs the text report. ``dry_run`` defaults to true because a task dropped into a flow
should show its plan before it is trusted to write; a failed plan (validation errors) or a
partial apply (exit 68 on the command line) fails the task after the report is logged.

Needs the optional extra: ``pip install 'sfupgrade[cumulusci]'``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cumulusci.core.exceptions import CumulusCIFailure, TaskOptionsError
from cumulusci.core.utils import process_bool_arg
from cumulusci.tasks.salesforce import BaseSalesforceApiTask

from sfupgrade.core.errors import SfUpgradeError, UsageError


class UpgradeCtiActions(BaseSalesforceApiTask):
    """Upgrade the org to the CTI Actions release: value set, CTI flows and actions."""

    task_docs = """
    Plans the whole upgrade on the org (the ``ctiAction`` value in the ``AC_CtiScriptSource``
    global value set, then the release's CTI flows and actions as records), logs the report and,
    with ``dry_run: False``, applies it and plans again to prove nothing is left.
    """
    task_options = {  # noqa: RUF012  (CumulusCI's own declaration style)
        "dry_run": {
            "description": "Report what would change and change nothing (default: True).",
            "required": False,
        },
        "mapping": {
            "description": "JSON file mapping CTI flows and actions to the org's objects and "
            "fields (default: sfupgrade's bundled guesses).",
            "required": False,
        },
        "release": {
            "description": "Also deploy the release's example flow and action (Create Callback "
            "Task); never deployed without it (default: False). The repository's own ctiFlows/ "
            "and ctiActions/ are always validated and deployed.",
            "required": False,
        },
        "namespace": {
            "description": "Managed-package namespace of the org's value set, e.g. "
            "amazonconnect (default: found in the org).",
            "required": False,
        },
    }

    def _init_options(self, kwargs: dict[str, Any]) -> None:
        super()._init_options(kwargs)
        self.dry_run = process_bool_arg(self.options.get("dry_run", True))
        mapping = self.options.get("mapping")
        self.mapping = Path(mapping) if mapping else None
        self.namespace = self.options.get("namespace") or None
        self.release = process_bool_arg(self.options.get("release", False))

    def _run_task(self) -> None:
        from sfupgrade.cti.discover import project_content
        from sfupgrade.files.resources import release_dir
        from sfupgrade.jobs.upgrade import UpgradeRequest, apply_upgrade, plan_upgrade
        from sfupgrade.model.valueset import PicklistRequest
        from sfupgrade.org.connect import OrgConnection
        from sfupgrade.org.salesforce import SalesforceOrg
        from sfupgrade.report import render

        try:
            if self.mapping is not None and not self.mapping.is_file():
                raise TaskOptionsError(f"mapping: {self.mapping} is not a file")
            content = project_content(Path("."))
            if self.release:
                content = (*content, release_dir())
            request = UpgradeRequest(
                Path.cwd(),
                PicklistRequest(namespace=self.namespace),
                content,
                org=SalesforceOrg(OrgConnection.from_salesforce(self.sf)),
                mapping=self.mapping,
            )
            plan = plan_upgrade(request)
            if not self.dry_run and not plan.errors:
                plan = apply_upgrade(plan, request)
        except UsageError as exc:
            raise TaskOptionsError(str(exc)) from None
        except SfUpgradeError as exc:
            raise CumulusCIFailure(str(exc)) from None
        for line in render(plan, "text").splitlines():
            self.logger.info(line)
        self.return_values = {"exit_code": plan.exit_code(), "counts": plan.counts()}
        if plan.errors:
            raise CumulusCIFailure(
                f"{len(plan.errors)} validation error(s); nothing applied (see the report)"
            )
        if plan.failed:
            raise CumulusCIFailure(
                f"{len(plan.failed)} change(s) failed (see the report); rerun to finish"
            )
