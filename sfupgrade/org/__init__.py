"""Talking to a Salesforce org: the value set via the Metadata API, and CTI records.

**The org behind a port.** Planners and appliers are functions over one interface,
:class:`sfupgrade.org.port.OrgPort`, named by what they need and in model terms (a
:class:`~sfupgrade.model.valueset.ValueSet`, record dicts, :class:`~sfupgrade.org.port.SaveResult`):
find, read and write the whole value set, a check-only validation of it, describe an sObject,
list the sObjects, query records (all of a kind, or those named, as asked after a lost create
answer), write records (a batch of up to 200, or any number in bulk) and back off before a
retry. A plan holds no live connection: its operations (:data:`sfupgrade.model.plan.Operation`) are
plain data and the appliers take the port as an argument.

- :mod:`~sfupgrade.org.valueset` (the picklist step), :mod:`~sfupgrade.org.records` (CTI records:
  compare, batch, lock retries, lost-create recovery), :mod:`~sfupgrade.jobs.deploy`,
  :mod:`~sfupgrade.org.pull`, :mod:`~sfupgrade.org.mapping` (the describe check) and
  :mod:`~sfupgrade.org.discover` plan and apply over the port; so does the org side of
  :mod:`sfupgrade.jobs.upgrade`.
- :class:`sfupgrade.org.salesforce.SalesforceOrg` is the port over an
  :class:`~sfupgrade.org.connect.OrgConnection`; the wire stays where it was: the connection
  (:mod:`~sfupgrade.org.connect`: logins through simple-salesforce, timeouts, retries, session
  renewal, the redacting log, the hand-written SOAP envelopes), the value set's Metadata API XML
  (:mod:`~sfupgrade.org.valueset`), the check-only deploy (:mod:`~sfupgrade.org.checkonly`), Bulk
  API 2.0 CSV (:mod:`~sfupgrade.org.bulk`). Bulk jobs and check-only deploys are watched by one
  helper, :func:`sfupgrade.org.polling.poll`. :func:`~sfupgrade.org.connect.connect_org` is how
  the commands get one.
- :class:`sfupgrade.org.memory.MemoryOrg` is the port in memory, storing values as Salesforce
  does; the planner and applier tests run against it, and a library user may plan against it
  for a demo. The HTTP-level fake org (``tests/fakeorg/``) stays for the adapter's wire tests.

Library entry points (``plan_deploy``, ``plan_records``, ``plan_pull``, ``discover_mapping``,
``UpgradeRequest.org``, ...) take a port, or a connection (from ``connect`` or ``connect_from``),
which :func:`~sfupgrade.org.port.as_port` puts behind the Salesforce adapter.

Nothing here is imported by local commands: ``requests`` is imported inside functions so that
``sfupgrade upgrade PATH`` starts without the network stack (see tests/test_startup_imports.py).
"""
