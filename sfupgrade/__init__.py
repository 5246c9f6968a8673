"""sfupgrade: upgrade Salesforce orgs to the Amazon Connect CTI Adapter's CTI Actions release.

The folders are the layers, top to bottom; a module imports from its own layer and those below
it, never above (the contract is ``[tool.importlinter]`` in pyproject.toml, checked in CI):

- :mod:`sfupgrade.cli` (the Click commands) and :mod:`sfupgrade.cumulusci` (the CumulusCI task):
  parse options, call one job, render. Neither holds a rule.
- :mod:`sfupgrade.jobs`: upgrade, deploy, validate and the picklist step as library functions,
  usable without the CLI.
- :mod:`sfupgrade.report`: every report format, each a pure function of one plan.
- :mod:`sfupgrade.org`: the org adapter (a port, its Salesforce and in-memory implementations,
  and the planners and appliers over it).
- :mod:`sfupgrade.cti`: CTI content found in a project, read strictly, and checked by the rules.
- :mod:`sfupgrade.files`: bounded reads, strict JSON, faithful metadata XML, atomic writes, the
  project's layout.
- :mod:`sfupgrade.model`: plain values (the plan, a value set and its edit, CTI content, the
  operations a plan applies).
- :mod:`sfupgrade.core`: the error tree, redaction, logging and progress, usable by every layer.
"""

__version__ = "0.1.0"
