"""An org whose CTI objects and fields are named unlike the bundled defaults, for discover/pull.

No namespace, other API names, labels an admin chose: what `sfupgrade mapping discover` must
work out. ``EXPECTED`` is where each model field really is, and how discover can know it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.fakeorg import FakeOrg

FLOW_OBJECT = "Cti_Flow_Record__c"
ACTION_OBJECT = "Ccp_Button__c"

# model field -> (API name, type, label, how discover finds it)
FLOW_FIELDS = {
    "name": ("Name", "string", "Flow Name", "found"),
    "source": ("Source__c", "picklist", "Source", "found"),  # the default, without namespace
    "event": ("Trigger__c", "string", "Event", "guessed"),
    "active": ("Enabled__c", "boolean", "Active", "guessed"),
    "description": ("Notes__c", "textarea", "Description", "guessed"),
    "definition": ("Body__c", "textarea", "Flow JSON", "guessed"),
}
ACTION_FIELDS = {
    "name": ("Name", "string", "Button Name", "found"),
    "flow": ("Runs__c", f"reference:{FLOW_OBJECT}", "Runs", "guessed"),  # the only lookup
    "order": ("Order__c", "double", "Position", "found"),
    "payload": ("Hardcoded__c", "textarea", "Payload", "guessed"),
    "form": ("Inputs__c", "textarea", "Form Definition", "guessed"),
}


def add_renamed_cti_objects(org: FakeOrg, *, drop: str | None = None) -> None:
    """Both objects (``drop``: leave out one model field, ``flow.X`` or ``action.X``), and
    an unrelated object with a lookup and text fields, to be passed over."""
    org.add_object("Account", {"Name": "string", "Description": "textarea"}, label="Account")
    for kind, name, label, fields in (
        ("flow", FLOW_OBJECT, "CTI Flow", FLOW_FIELDS),
        ("action", ACTION_OBJECT, "CTI Action", ACTION_FIELDS),
    ):
        kept = {f: spec for f, spec in fields.items() if drop != f"{kind}.{f}"}
        org.add_object(
            name,
            {api: kind_ for api, kind_, _, _ in kept.values()}
            | {"Owner_Note__c": "textarea", "Account__c": "reference:Account"},
            unique=("Name",),
            label=label,
            labels={api: lab for api, _, lab, _ in kept.values()},
        )
