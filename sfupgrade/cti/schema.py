"""Checking record files against the JSON Schemas shipped in ``sfupgrade/cti/schemas/``.

The schemas are the documented contract for hand-edited files (editors can use them for
completion). jsonschema is not a runtime dependency, so this module interprets the small subset
the shipped schemas use; a test checks it agrees with jsonschema on good and bad documents.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from sfupgrade.cti.schemacode import compile_schema

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
    text = (resources.files("sfupgrade.cti") / "schemas" / name).read_text("utf-8")
    return json.loads(text)


# A check returns None, or (path, problem): the path is built on the way back up, only for a
# document that fails, so a valid file costs no string building at all.
Problem = tuple[str, str]
Check = Callable[[Any], "Problem | None"]


def _where(path: str) -> str:
    return path or "the top level"


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
        return "", f"expected {expected}, found {json.dumps(value)[:40]}"

    return check_type


def _object_check(schema: dict[str, Any], compile_: Callable[[Any], Check]) -> Check:
    required = tuple(schema.get("required", ()))
    properties = {name: compile_(sub) for name, sub in schema.get("properties", {}).items()}
    extra = schema.get("additionalProperties", True)
    extra_check = compile_(extra) if isinstance(extra, dict) else None
    allowed = ", ".join(sorted(properties))

    def check_object(value: Any) -> Problem | None:
        if not isinstance(value, dict):
            return None
        for name in required:
            if name not in value:
                return "", f"missing required {name!r}"
        for name, item in value.items():
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
    def check_items(value: Any) -> Problem | None:
        if isinstance(value, list):
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
    if len(checks) == 2:  # the usual pair: a type, then its fields or its length
        first, second = checks
        return lambda value: first(value) or second(value)

    def check_all(value: Any) -> Problem | None:
        for one in checks:
            problem = one(value)
            if problem:
                return problem
        return None

    return check_all


@cache
def _checker(schema_name: str) -> Check:
    schema = load_schema(schema_name)
    return _compile(schema, schema)


@cache
def validator(schema_name: str) -> Callable[[Any], bool]:
    """The compiled yes-or-no check of a shipped schema (see ``schemacode``)."""
    return compile_schema(load_schema(schema_name))


# Compiling a schema costs about a millisecond: worth it from a few dozen documents on, not
# for the handful a small project has (start-up counts there).
_COMPILE_AFTER = 32
_seen: dict[str, int] = {}


def check(value: Any, schema_name: str) -> str | None:
    """Check a parsed document against a shipped schema; the first problem, or None."""
    seen = _seen[schema_name] = _seen.get(schema_name, 0) + 1
    compiled = seen > _COMPILE_AFTER
    if compiled and validator(schema_name)(value):
        return None
    problem = _checker(schema_name)(value)
    if problem:
        return f"{_where(problem[0])}: {problem[1]}"
    # Both say no in practice (a test holds them to it); never let a disagreement pass silently.
    return "does not follow the schema" if compiled else None
