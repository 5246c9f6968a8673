"""Talking to a Salesforce org: connecting, the value set via the Metadata API, and records.

Nothing here is imported by local commands: ``requests`` is imported inside functions so that
``sfupgrade upgrade PATH`` starts without the network stack (see tests/test_startup_imports.py).
"""
