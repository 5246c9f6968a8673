"""What each finding code means, for reports that describe their rules (SARIF's ``rules``).

:func:`finding_rules` is the one door the report layer uses. Today it reads the codes from
``sfupgrade.cti.validate.CHECKS`` and their meaning from the finding-code table users read
(``metadata/README.md``, shipped with the release content), so a rule is described in one place;
when the rule registry lands, only this function changes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

# Where the adapter documents CTI flows and actions, and Salesforce its global value sets.
CTI_HELP_URI = "https://amazon-connect.github.io/amazon-connect-salesforce-cti/"
VALUE_SET_HELP_URI = (
    "https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/"
    "meta_globalvalueset.htm"
)
TABLE_SECTION = "metadata/README.md, section Findings"

_ROW = re.compile(r"^\|\s*(`[^|]+`)\s*\|\s*(error|warning)\s*\|\s*(.+?)\s*\|\s*$")


class Rule(NamedTuple):
    """One finding code described: a summary line, the severity, and where to read more."""

    code: str
    severity: str | None  # None: a code no table describes
    summary: str  # Markdown, as written in the table
    help_uri: str

    @property
    def summary_text(self) -> str:
        """The summary without Markdown code marks, for plain-text fields."""
        return self.summary.replace("`", "")


def _help_uri(code: str) -> str:
    return VALUE_SET_HELP_URI if code.startswith(("valueset-", "picklist-")) else CTI_HELP_URI


@lru_cache(maxsize=1)
def finding_rules() -> dict[str, Rule]:
    """Every known finding code (in check order) with its description from the table."""
    from sfupgrade.cti.validate import CHECKS
    from sfupgrade.resources import release_dir

    described: dict[str, tuple[str, str]] = {}
    table = release_dir() / "README.md"
    text = table.read_text(encoding="utf-8") if table.is_file() else ""
    for line in text.splitlines():
        match = _ROW.match(line)
        if match:
            for code in re.findall(r"`([^`]+)`", match.group(1)):
                described[code] = (match.group(2), match.group(3))
    rules = {}
    for code in CHECKS:
        severity, summary = described.get(code, (None, code))
        rules[code] = Rule(code, severity, summary, _help_uri(code))
    return rules


def rule_for(code: str) -> Rule:
    """The rule of ``code``; a code no table describes still gets a rule that names it."""
    return finding_rules().get(code) or Rule(code, None, code, _help_uri(code))
