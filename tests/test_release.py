"""The release's version, the tag the docs tell users to install, and the changelog agree.

A copied workflow, pre-commit config or `uses:` line that names a tag other than the release's
would install nothing (or something else); these tests fail when one of them is left behind.
"""

from __future__ import annotations

import re

import yaml

import sfupgrade
from tests.helpers import REPO

# Every place users copy a tag from.
TAGGED_DOCS = (
    "README.md",
    "docs/ci.md",
    "docs/orgs.md",
    "action.yml",
    "docs/ci/github-actions.yml",
    ".pre-commit-hooks.yaml",
)
_TAG = re.compile(r"(?:sfupgrade@|rev: )v(\d+\.\d+\.\d+\S*?)\b")


def test_every_tag_the_docs_name_is_the_version() -> None:
    found = {}
    for name in TAGGED_DOCS:
        tags = _TAG.findall((REPO / name).read_text(encoding="utf-8"))
        found[name] = set(tags)
    assert all(found.values()), f"no tag named in {[n for n, t in found.items() if not t]}"
    assert {tag for tags in found.values() for tag in tags} == {sfupgrade.__version__}, found


def test_the_newest_changelog_entry_is_the_version() -> None:
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", text, flags=re.MULTILINE)
    assert versions, "CHANGELOG.md has no '## [x.y.z]' entry"
    assert versions[0] == sfupgrade.__version__
    assert f"`v{sfupgrade.__version__}`" in text.split("\n## ")[1]


def test_the_license_file_is_the_apache_license_pyproject_names() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = "Apache-2.0"' in pyproject
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_no_install_goes_through_a_package_index() -> None:
    for name in (*TAGGED_DOCS, "docs/ci/github-actions.yml"):
        text = (REPO / name).read_text(encoding="utf-8")
        # A PEP 508 direct reference (`sfupgrade[extra] @ git+https://…`) names no index.
        from_index = r"pip install\s+['\"]?sfupgrade\b(?!(\[[^\]]*\])?\s*@\s*git\+)"
        assert not re.search(from_index, text), name
    workflow = (REPO / "docs/ci/github-actions.yml").read_text(encoding="utf-8")
    assert "git+https://github.com/<owner>/sfupgrade@v" in workflow


def test_the_action_installs_its_own_checkout_and_keeps_inputs_out_of_scripts() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert {"path", "reports", "target-org", "instance-url", "access-token"} <= set(
        action["inputs"]
    )
    scripts = [step["run"] for step in action["runs"]["steps"] if "run" in step]
    assert any('pip install --quiet "$GITHUB_ACTION_PATH"' in s for s in scripts)
    for script in scripts:
        # An input interpolated into a script is code injection, and a token there is in argv.
        assert "${{" not in script, script
    run = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    assert run["env"]["SF_ACCESS_TOKEN"] == "${{ inputs.access-token }}"
    assert "ACCESS_TOKEN" not in run["run"]
