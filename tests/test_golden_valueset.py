"""Golden files: each case's input, the file after the upgrade, and the exact diff.

Regenerate after an intended change with
``UPDATE_GOLDEN=1 python -m pytest tests/test_golden_valueset.py``
and review the diff of the golden files like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sfupgrade.files.xmlio import ValueSetDocument
from sfupgrade.model.plan import Change, State
from sfupgrade.model.valueset import plan_value

CASES = sorted(p for p in (Path(__file__).parent / "golden" / "valueset").iterdir() if p.is_dir())


def _diff(before: str, after: str) -> str:
    change = Change(
        "GlobalValueSet", "AC_CtiScriptSource", State.CHANGED, "input.xml", "", before, after
    )
    return change.unified_diff()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_case(case: Path) -> None:
    original = (case / "input.xml").read_bytes()
    document = ValueSetDocument(original, "AC_CtiScriptSource", str(case / "input.xml"))
    assert document.serialize() == original  # a no-op round trip is byte-identical
    edit = plan_value(document.value_set, "ctiAction", "CTI Action")
    result = document if edit is None else document.apply(edit)
    after = result.serialize()
    diff = _diff(document.text, result.text)
    if os.environ.get("UPDATE_GOLDEN"):
        (case / "expected.xml").write_bytes(after)
        (case / "expected.diff").write_bytes(diff.encode("utf-8"))
    assert after == (case / "expected.xml").read_bytes()
    assert diff == (case / "expected.diff").read_bytes().decode("utf-8")
    # Every golden output is itself up to date: a second run changes nothing.
    again = ValueSetDocument(after, "AC_CtiScriptSource", "expected.xml")
    assert plan_value(again.value_set, "ctiAction", "CTI Action") is None


def test_every_style_is_covered() -> None:
    names = {c.name for c in CASES}
    assert {"crlf", "tabs", "two-space", "bom", "no-final-newline", "one-line"} <= names
