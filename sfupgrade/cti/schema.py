"""Checking record files against the JSON Schemas shipped in ``sfupgrade/cti/schemas/``.

The schemas are the documented contract for hand-edited files (editors can use them for
completion). jsonschema is not a runtime dependency, so this module interprets the small subset
the shipped schemas use; a test checks it agrees with jsonschema on good and bad documents.
A :class:`Schema` is compiled once per reader (``cti.load``), not per document.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sfupgrade.files.jsonio import clip, quote
from sfupgrade.files.resources import PACKAGE_DIR

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "null": (type(None),),
}


def load_schema(name: str) -> dict[str, Any]:
    """A shipped schema by file name, e.g. ``ctiAction.schema.json``."""
    text = (PACKAGE_DIR / "cti" / "schemas" / name).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)  # every shipped schema is a JSON object
    return schema


# A check returns None, or (path, problem): the path is built on the way back up, only for a
# document that fails, so a valid file costs no string building at all.
Problem = tuple[str, str]
Check = Callable[[Any], "Problem | None"]


def _where(path: str) -> str:
    # A path holds the file's own keys: an unknown field may be a megabyte long.
    return (path if len(path) <= 200 else quote(path)) if path else "the top level"


def _under(parent: str, problem: Problem) -> Problem:
    path, text = problem
    if not path:
        return parent, text
    return (parent + path if path[0] == "[" else f"{parent}.{path}"), text


def _type_check(names: str | list[str]) -> Check:
    wanted = [names] if isinstance(names, str) else names
    types = tuple(t for name in wanted for t in _TYPES[name])
    numeric = bool({"integer", "number"} & set(wanted)) and "boolean" not in wanted
    expected = " or ".join(wanted)
    integral = "integer" in wanted

    def check_type(value: Any) -> Problem | None:
        if isinstance(value, types) and not (numeric and isinstance(value, bool)):
            return None
        # JSON has one number type: 1.0 is an integer to JSON Schema (and to jsonschema).
        if integral and isinstance(value, float) and value.is_integer():
            return None
        return "", f"expected {expected}, found {_brief(value)}"

    # The exact types that pass (JSON gives exact types: bool is not an int here), so callers
    # can pass a value with a set lookup instead of a call.
    check_type.exact = frozenset(_EXACT[name] for name in wanted)  # type: ignore[attr-defined]
    return check_type


_EXACT = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": float,
    "null": type(None),
}


def _exact(check: Check | None) -> frozenset[type]:
    exact: frozenset[type] = getattr(check, "exact", frozenset())
    return exact | {int} if float in exact else exact  # a number may be an int


def _brief(value: Any) -> str:
    if isinstance(value, dict | list):
        return "an object" if isinstance(value, dict) else "an array"
    return clip(json.dumps(value, ensure_ascii=False), 40)


def _object_check(schema: dict[str, Any], compile_: Callable[[Any], Check]) -> Check:
    required = tuple(schema.get("required", ()))
    properties = {name: compile_(sub) for name, sub in schema.get("properties", {}).items()}
    extra = schema.get("additionalProperties", True)
    extra_check = compile_(extra) if isinstance(extra, dict) else None
    allowed = ", ".join(sorted(properties))
    passing = {name: _exact(check) for name, check in properties.items()}
    extra_passing = _exact(extra_check) if not properties else None

    def check_object(value: Any) -> Problem | None:
        if not isinstance(value, dict):
            return None
        for name in required:
            if name not in value:
                return "", f"missing required {name!r}"
        if extra_passing and extra_passing.issuperset(map(type, value.values())):
            return None
        for name, item in value.items():
            if type(item) in passing.get(name, ()):
                continue
            sub = properties.get(name, extra_check)
            if sub is None:
                if extra is False:
                    return name, f"unknown field (allowed: {allowed})"
                continue
            problem = sub(item)
            if problem:
                return _under(name, problem)
        return None

    return check_object


def _items_check(item: Check) -> Check:
    passing = _exact(item)

    def check_items(value: Any) -> Problem | None:
        if isinstance(value, list) and not (passing and passing.issuperset(map(type, value))):
            for index, element in enumerate(value):
                problem = item(element)
                if problem:
                    return _under(f"[{index}]", problem)
        return None

    return check_items


def _compile(schema: dict[str, Any], root: dict[str, Any]) -> Check:
    """Turn a schema node into one function, so checking a file costs a few calls per value."""
    if "$ref" in schema:
        return _compile(root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root)
    checks: list[Check] = []
    if "type" in schema:
        checks.append(_type_check(schema["type"]))
    if "enum" in schema:
        enum = schema["enum"]
        listed = ", ".join(map(json.dumps, enum))
        checks.append(lambda v: None if v in enum else ("", f"must be one of {listed}"))
    if "minLength" in schema:
        least = schema["minLength"]
        checks.append(
            lambda v: ("", "must not be empty") if isinstance(v, str) and len(v) < least else None
        )
    if "minimum" in schema:
        low = schema["minimum"]
        checks.append(
            lambda v: (
                ("", f"must be at least {low}") if isinstance(v, int | float) and v < low else None
            )
        )
    if {"properties", "required", "additionalProperties"} & schema.keys():
        checks.append(_object_check(schema, lambda sub: _compile(sub, root)))
    if "items" in schema:
        checks.append(_items_check(_compile(schema["items"], root)))
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:  # the usual pair: a type, then its fields, items or length
        first, second = checks
        exact = _exact(first)
        if exact:  # a value of a passing type goes straight to the second check
            return lambda value: (
                second(value) if type(value) in exact else first(value) or second(value)
            )
        return lambda value: first(value) or second(value)

    def check_all(value: Any) -> Problem | None:
        for one in checks:
            problem = one(value)
            if problem:
                return problem
        return None

    return check_all


class Schema:
    """One shipped schema, compiled: ``check(document)`` gives the first problem, or None."""

    def __init__(self, name: str) -> None:
        self.name = name
        schema = load_schema(name)
        self._check = _compile(schema, schema)

    def check(self, value: Any) -> str | None:
        problem = self._check(value)
        return f"{_where(problem[0])}: {problem[1]}" if problem else None


def check(value: Any, schema_name: str) -> str | None:
    """Check one document against a shipped schema (compiling it: for a single document)."""
    return Schema(schema_name).check(value)
