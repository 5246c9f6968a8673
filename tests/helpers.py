"""Test helpers shared by several test modules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"


def shared_fixture(*parts: str) -> Path:
    """A file from ../shared/fixtures, or skip: a user's clone has no ../shared."""
    path = SHARED_FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared fixtures not present ({path}); they come with CI's checkout only")
    return path


def salesforce_value_set(values: list[tuple[str, str]], name: str = "AC_CtiScriptSource") -> str:
    """A value set written the way Salesforce writes one (4 spaces, LF, final newline)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<GlobalValueSet xmlns="http://soap.sforce.com/2006/04/metadata">',
    ]
    for full_name, label in values:
        lines += [
            "    <customValue>",
            f"        <fullName>{full_name}</fullName>",
            "        <default>false</default>",
            f"        <label>{label}</label>",
            "    </customValue>",
        ]
    lines += [
        f"    <masterLabel>{name}</masterLabel>",
        "    <sorted>false</sorted>",
        "</GlobalValueSet>",
    ]
    return "\n".join(lines) + "\n"


def terminal_screen(written: str) -> list[str]:
    """The lines a terminal shows after ``written``, obeying \\r, \\n and clear-to-end."""
    lines, column = [""], 0
    for token in re.findall(r"\x1b\[K|\r|\n|[^\r\n\x1b]+", written):
        if token == "\r":
            column = 0
        elif token == "\n":
            lines.append("")
            column = 0
        elif token == "\x1b[K":
            lines[-1] = lines[-1][:column]
        else:
            line = lines[-1]
            lines[-1] = line[:column] + token + line[column + len(token) :]
            column += len(token)
    return lines
