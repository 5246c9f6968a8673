"""A Salesforce DX repository as a CI user has one, with known errors, and the fix for each.

The copied CI (the pre-commit hook, the example workflow, the composite action) is proven on
this project: it must fail naming each error in :data:`KNOWN_ERRORS`, and pass once
:func:`fix_project` has repaired them. The layout is what ``sf project generate`` writes,
plus the CTI content where metadata/README.md says it lives; the content is the release's own
(metadata/), copied at test time and then broken on purpose.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import NamedTuple

from sfupgrade.files.resources import example_project_dir, release_dir

DEFAULT = Path("force-app", "main", "default")
VALUE_SET = DEFAULT / "globalValueSets" / "AC_CtiScriptSource.globalValueSet-meta.xml"
FLOW = DEFAULT / "ctiFlows" / "Create_Callback_Task.json"
TYPO_ACTION = DEFAULT / "ctiActions" / "Callback_From_Form.ctiAction.json"

# The flow reads this key, which its action defines under another name (CallbackPhone).
UNDEFINED_KEY = "$.payload.CallbackNumber"
# The second action names its flow with a typo.
MISSPELT_FLOW = "Create Callback Tsk"

# As `sf project generate` writes them (trimmed to what a reader of the project might trip on).
SFDX_PROJECT = {
    "packageDirectories": [{"path": "force-app", "default": True}],
    "name": "cti-org",
    "namespace": "",
    "sfdcLoginUrl": "https://login.salesforce.com",
    "sourceApiVersion": "62.0",
}
PACKAGE_JSON = {
    "name": "salesforce-app",
    "private": True,
    "version": "1.0.0",
    "description": "Salesforce App",
    "scripts": {"lint": "eslint **/{aura,lwc}/**/*.js", "test": "npm run test:unit"},
    "devDependencies": {"@salesforce/sfdx-lwc-jest": "^5.1.0", "prettier": "^3.1.0"},
}
VSCODE_SETTINGS = {
    "search.exclude": {"**/node_modules": True, "**/bower_components": True, "**/.sfdx": True},
    "salesforcedx-vscode-core.show-cli-success-msg": False,
}
JSCONFIG = {
    "compilerOptions": {"experimentalDecorators": True, "baseUrl": ".", "paths": {"c/*": ["*"]}},
    "include": ["**/*", "../../../../.sfdx/typings/lwc/**/*.d.ts"],
    "typeAcquisition": {"include": ["jest"]},
}
FORCEIGNORE = """\
# List files or directories below to ignore them when running sf project deploy / retrieve
package.xml

# LWC configuration files
**/jsconfig.json
**/.eslintrc.json

# LWC Jest
**/__tests__/**

# CTI content is deployed by sfupgrade, not by sf (metadata/README.md)
**/ctiFlows/**
**/ctiActions/**
"""


class KnownError(NamedTuple):
    """One error the project holds: its finding code, file (from the project root) and line."""

    code: str
    file: str
    line: int | None

    def under(self, prefix: str) -> KnownError:
        """The same error with its file as seen from a directory ``prefix`` above the project."""
        return self._replace(file=f"{prefix}/{self.file}" if prefix else self.file)


def _write_json(path: Path, data: object, indent: int = 2) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=indent) + "\n", encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    lines = [n for n, text in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in text]
    assert len(lines) == 1, (path, needle, lines)
    return lines[0]


def _set_flow_control(root: Path, block: str, control: str, value: str) -> None:
    path = root / FLOW
    graph = json.loads(path.read_text("utf-8"))
    (target,) = [b for b in graph["actions"] if b["id"] == block]
    target["controls"][control] = value
    _write_json(path, graph, indent=4)


def _typo_action(flow: str) -> dict:
    """A second action running the callback flow from its own form (same keys)."""
    release = json.loads(
        (release_dir() / "ctiActions/Create_Callback_Task.ctiAction.json").read_text()
    )
    return dict(release, name="Callback From Form", flow=flow, order=2)


def broken_project(root: Path) -> list[KnownError]:
    """Write the project with its three known errors under ``root``; return them."""
    _write_json(root / "sfdx-project.json", SFDX_PROJECT)
    _write_json(root / "package.json", PACKAGE_JSON)
    _write_json(root / ".vscode" / "settings.json", VSCODE_SETTINGS)
    (root / ".forceignore").write_text(FORCEIGNORE, encoding="utf-8")
    _write_json(root / DEFAULT / "lwc" / "x" / "jsconfig.json", JSCONFIG)
    for folder in ("ctiFlows", "ctiActions"):
        shutil.copytree(release_dir() / folder, root / DEFAULT / folder)
    _set_flow_control(root, "uid-4", "value", UNDEFINED_KEY)
    _write_json(root / TYPO_ACTION, _typo_action(MISSPELT_FLOW))
    (root / VALUE_SET).parent.mkdir(parents=True)
    (root / VALUE_SET).write_text("<broken\n", encoding="utf-8")
    return [
        KnownError("valueset-invalid", VALUE_SET.as_posix(), 2),
        KnownError(
            "cti-missing-flow", TYPO_ACTION.as_posix(), _line_of(root / TYPO_ACTION, '"flow"')
        ),
        KnownError(
            "cti-undefined-payload-key", FLOW.as_posix(), _line_of(root / FLOW, UNDEFINED_KEY)
        ),
    ]


def fix_project(root: Path) -> None:
    """Repair every known error: the key the action defines, the flow's name, a valid set.

    The value set is the pre-release org's (no ``ctiAction`` yet): valid, with the upgrade
    still to do, as in a repository that adopts the CTI Actions release.
    """
    _set_flow_control(root, "uid-4", "value", "$.payload.CallbackPhone")
    _write_json(root / TYPO_ACTION, _typo_action("Create Callback Task"))
    shutil.copyfile(example_project_dir() / VALUE_SET, root / VALUE_SET)
