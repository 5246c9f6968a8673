"""What each finding code means, for reports that describe their rules (SARIF's ``rules``).

:func:`finding_rules` is the one door the report layer uses: it reads the codes, summaries and
help texts from the rule registry (``sfupgrade.cti.rules``), where each rule is described once,
and the value set file's one finding from ``sfupgrade.jobs.picklist``, where that file is checked.
The finding-code table users read (``metadata/README.md``) is checked against it by a test.
"""

from __future__ import annotations

from sfupgrade.model.value import Value

# Where the adapter documents CTI flows and actions, and Salesforce its global value sets.
CTI_HELP_URI = "https://amazon-connect.github.io/amazon-connect-salesforce-cti/"
VALUE_SET_HELP_URI = (
    "https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/"
    "meta_globalvalueset.htm"
)
TABLE_SECTION = "metadata/README.md, section Findings"


class Rule(Value):
    """One finding code described: a summary line, the severity, and where to read more."""

    code: str
    severity: str | None  # None: a code no table describes
    summary: str  # one line
    help_uri: str
    help: str = ""  # what it means and how to fix it

    @property
    def summary_text(self) -> str:
        """The summary without Markdown code marks, for plain-text fields."""
        return self.summary.replace("`", "")


def _help_uri(code: str) -> str:
    return VALUE_SET_HELP_URI if code.startswith(("valueset-", "picklist-")) else CTI_HELP_URI


def finding_rules() -> dict[str, Rule]:
    """Every registered finding code (in registry order) with its summary and help.

    Read from the rule registry each time (it is a few dozen entries): a rule registered at run
    time, by a test or a plug-in, is described like the shipped ones.
    """
    from sfupgrade.cti.rules import RULES
    from sfupgrade.model.valueset import INVALID_FILE, INVALID_FILE_HELP, INVALID_FILE_SUMMARY

    rules = {
        rule.code: Rule(rule.code, rule.severity, rule.summary, _help_uri(rule.code), rule.help)
        for rule in RULES
    }
    value_set = Rule(
        INVALID_FILE, "error", INVALID_FILE_SUMMARY, _help_uri(INVALID_FILE), INVALID_FILE_HELP
    )
    return {**rules, INVALID_FILE: value_set}


def rule_for(code: str) -> Rule:
    """The rule of ``code``; a code no table describes still gets a rule that names it."""
    return finding_rules().get(code) or Rule(code, None, code, _help_uri(code))
