"""Checking record files against the JSON Schemas shipped in ``sfupgrade/cti/schemas/``.

The schemas are the documented contract for hand-edited files (editors can use them for
completion). jsonschema is not a runtime dependency, so this module interprets the small subset
the shipped schemas use; a test checks it agrees with jsonschema on good and bad documents.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "null": (type(None),),
}


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A shipped schema by file name, e.g. ``ctiAction.schema.json``."""
    text = resources.files("sfupgrade.cti").joinpath("schemas", name).read_text("utf-8")
    return json.loads(text)


def _type_ok(value: Any, names: str | list[str]) -> bool:
    for name in [names] if isinstance(names, str) else names:
        if isinstance(value, _TYPES[name]) and not (
            isinstance(value, bool) and name in ("integer", "number")
        ):
            return True
    return False


def _where(path: str) -> str:
    return path or "the top level"


def first_error(
    value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = ""
) -> str | None:
    """The first way ``value`` breaks ``schema``, as ``<json path>: <problem>``; None if valid."""
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    if "type" in schema and not _type_ok(value, schema["type"]):
        expected = (
            schema["type"] if isinstance(schema["type"], str) else " or ".join(schema["type"])
        )
        return f"{_where(path)}: expected {expected}, found {json.dumps(value)[:40]}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{_where(path)}: must be one of {', '.join(map(json.dumps, schema['enum']))}"
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        return f"{_where(path)}: must not be empty"
    if isinstance(value, int | float) and value < schema.get("minimum", value):
        return f"{_where(path)}: must be at least {schema['minimum']}"
    if isinstance(value, dict):
        return _object_error(value, schema, root, path)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            error = first_error(item, schema["items"], root, f"{path}[{index}]")
            if error:
                return error
    return None


def _object_error(
    value: dict[str, Any], schema: dict[str, Any], root: dict[str, Any], path: str
) -> str | None:
    prefix = f"{path}." if path else ""
    for name in schema.get("required", ()):
        if name not in value:
            return f"{_where(path)}: missing required {name!r}"
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        sub = properties.get(name, extra)
        if sub is False:
            allowed = ", ".join(sorted(properties))
            return f"{prefix}{name}: unknown field (allowed: {allowed})"
        if isinstance(sub, dict):
            error = first_error(item, sub, root, prefix + name)
            if error:
                return error
    return None


def check(value: Any, schema_name: str) -> str | None:
    """Check a parsed document against a shipped schema; the first problem, or None."""
    schema = load_schema(schema_name)
    return first_error(value, schema, schema)
