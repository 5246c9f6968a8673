"""Bugs `mypy sfupgrade` found: each test failed before its fix."""

from __future__ import annotations

import json
from types import MappingProxyType

import pytest

from sfupgrade.core.errors import ProjectError
from sfupgrade.cti.refs import extract
from sfupgrade.files.project import read_project
from sfupgrade.model.cti import Block


def test_extract_reads_a_read_only_mapping_as_a_map() -> None:
    # A Block's controls are a Mapping (default MappingProxyType); extract walked a non-dict
    # mapping as a list, so it saw the keys and missed every reference.
    block = Block("b1", "SetAttributes", MappingProxyType({"text": "$.Attributes.x"}))
    found = extract(block.controls, block.id, block.type)
    assert [(r.text, r.path) for r in found] == [("$.Attributes.x", "text")]


@pytest.mark.parametrize("path", [5, ["force-app"], {"a": 1}])
def test_a_package_directory_path_that_is_no_string_is_a_project_error(
    tmp_path, path: object
) -> None:
    # It reached `root / path` and raised TypeError (a crash, not a one-line error).
    (tmp_path / "sfdx-project.json").write_text(
        json.dumps({"packageDirectories": [{"path": path}]}), "utf-8"
    )
    with pytest.raises(ProjectError, match=r"packageDirectories\[\]\.path must be a string"):
        read_project(tmp_path)


def test_package_directories_that_is_no_array_is_a_project_error(tmp_path) -> None:
    (tmp_path / "sfdx-project.json").write_text(json.dumps({"packageDirectories": 3}), "utf-8")
    with pytest.raises(ProjectError, match="packageDirectories must be an array"):
        read_project(tmp_path)
