"""The CTI Adapter's objects as the bundled default mapping guesses them, for a fake org."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.fakeorg import FakeOrg

FLOW = "amazonconnect__AC_CtiScript__c"
ACTION = "amazonconnect__AC_CtiAction__c"


def add_cti_objects(org: FakeOrg, *, drop: str | None = None, unique_names: bool = True) -> None:
    """Add both objects; ``drop`` leaves out one field (``Object.Field``) or a whole object.

    Without ``unique_names`` the org, like a real one whose Name is a plain field, stores a
    second record of the same name: a duplicate is saved rather than refused."""
    flow_fields = {
        "Name": "string",
        "amazonconnect__Source__c": "picklist",
        "amazonconnect__Event__c": "string",
        "amazonconnect__Active__c": "boolean",
        "amazonconnect__Description__c": "textarea",
        "amazonconnect__Script__c": "textarea",
    }
    action_fields = {
        "Name": "string",
        "amazonconnect__CtiScript__c": f"reference:{FLOW}",
        "amazonconnect__Order__c": "double",
        "amazonconnect__Payload__c": "textarea",
        "amazonconnect__Form__c": "textarea",
    }
    for name, fields in ((FLOW, flow_fields), (ACTION, action_fields)):
        if drop == name:
            continue
        kept = {f: t for f, t in fields.items() if drop != f"{name}.{f}"}
        org.add_object(name, kept, unique=("Name",) if unique_names else ())


def flow(name: str, **overrides: object) -> dict[str, object]:
    record = {
        "name": name,
        "source": "CTI Action",
        "event": "onCtiAction",
        "active": True,
        "description": f"{name} flow",
        "definition": {"actions": [{"id": "1", "type": "Start"}]},
    }
    return record | overrides


def action(name: str, flow_name: str, **overrides: object) -> dict[str, object]:
    record = {
        "name": name,
        "flow": flow_name,
        "order": 1,
        "payload": {"subject": "Callback"},
        "form": {"title": "Callback", "fields": [{"name": "firstName", "type": "Text"}]},
    }
    return record | overrides
