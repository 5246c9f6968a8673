"""sfupgrade: upgrade Salesforce orgs to the Amazon Connect CTI Adapter's CTI Actions release.

The library API is usable without the CLI (for example from a CumulusCI task); the Click layer in
:mod:`sfupgrade.cli` only parses options, calls it and renders the result.
"""

__version__ = "0.1.0"
