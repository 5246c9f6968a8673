"""Yes-or-no schema checks compiled to Python source, for the files that are valid.

``validate`` checks every record and action file against its schema; over thousands of files the
interpreter in ``schema.py`` (a function call per value) cost as much as parsing them. Compiling a
schema into one function with the checks inlined answers "valid?" several times faster. It says
nothing about why a file is invalid: for that, ``schema.check`` runs the interpreter, which
words the error. A test holds both to the same verdicts, and both to jsonschema.

Only the subset the shipped schemas use is compiled (the same subset the interpreter reads):
``type``, ``enum``, ``minLength``, ``minimum``, ``properties``, ``required``,
``additionalProperties``, ``items`` and local ``$ref``; anything else is refused at compile time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_EXACT: dict[str, tuple[str, ...]] = {
    "object": ("dict",),
    "array": ("list",),
    "string": ("str",),
    "boolean": ("bool",),
    "integer": ("int",),
    "number": ("int", "float"),
    "null": ("NoneType",),
}
_ANNOTATIONS = {"$schema", "$id", "$defs", "title", "description"}
_KNOWN = _ANNOTATIONS | {
    "$ref",
    "type",
    "enum",
    "minLength",
    "minimum",
    "properties",
    "required",
    "additionalProperties",
    "items",
}


class _Writer:
    """Emits the body of one function; each failed check is ``return False``."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self._names = 0

    def name(self, prefix: str) -> str:
        self._names += 1
        return f"{prefix}{self._names}"

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def node(self, schema: dict[str, Any] | bool, var: str, depth: int) -> None:
        if schema is True:
            return
        if schema is False:
            self.emit(depth, "return False")
            return
        unknown = schema.keys() - _KNOWN
        if unknown:
            raise ValueError(f"schema keyword(s) not supported: {sorted(unknown)}")
        if "$ref" in schema:
            self.node(self.root["$defs"][schema["$ref"].rsplit("/", 1)[1]], var, depth)
            return
        if "type" in schema:
            self._type(schema["type"], var, depth)
        if "enum" in schema:
            constant = self.name("enum")
            self.constants[constant] = list(schema["enum"])
            self.emit(depth, f"if {var} not in {constant}: return False")
        if "minLength" in schema:
            self.emit(depth, f"if type({var}) is str and len({var}) < {int(schema['minLength'])}:")
            self.emit(depth + 1, "return False")
        if "minimum" in schema:
            low = schema["minimum"]
            self.emit(depth, f"if isinstance({var}, (int, float)) and {var} < {low!r}:")
            self.emit(depth + 1, "return False")
        if {"properties", "required", "additionalProperties"} & schema.keys():
            self._object(schema, var, depth)
        if "items" in schema:
            item = self.name("v")
            self.emit(depth, f"if type({var}) is list:")
            self.emit(depth + 1, f"for {item} in {var}:")
            self.node(schema["items"], item, depth + 2)

    def _type(self, names: str | list[str], var: str, depth: int) -> None:
        wanted = [names] if isinstance(names, str) else names
        exact = sorted({t for name in wanted for t in _EXACT[name]})
        test = f"type({var}) not in ({', '.join(exact)},)"
        if "integer" in wanted and "number" not in wanted:
            # JSON has one number type: 1.0 is an integer to JSON Schema (and to jsonschema).
            test += f" and not (type({var}) is float and {var}.is_integer())"
        self.emit(depth, f"if {test}:")
        self.emit(depth + 1, "return False")

    def _object(self, schema: dict[str, Any], var: str, depth: int) -> None:
        self.emit(depth, f"if type({var}) is dict:")
        inner = depth + 1
        for required in schema.get("required", ()):
            self.emit(inner, f"if {required!r} not in {var}: return False")
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        key, value = self.name("k"), self.name("v")
        self.emit(inner, f"for {key}, {value} in {var}.items():")
        keyword = "if"
        for name, sub in properties.items():
            self.emit(inner + 1, f"{keyword} {key} == {name!r}:")
            self.emit(inner + 2, "pass")
            self.node(sub, value, inner + 2)
            keyword = "elif"
        if extra is not True:
            if properties:
                self.emit(inner + 1, "else:")
                self.node(extra, value, inner + 2)
            else:
                self.node(extra, value, inner + 1)
        elif not properties:
            self.emit(inner + 1, "pass")


def compile_schema(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """One function: True for a document the schema accepts, False otherwise."""
    writer = _Writer(schema)
    writer.node(schema, "v0", 1)
    source = "def valid(v0):\n" + "\n".join([*writer.lines, "    return True"]) + "\n"
    namespace: dict[str, Any] = {"NoneType": type(None), **writer.constants}
    exec(compile(source, "<schema>", "exec"), namespace)  # our own schemas, not user input
    valid: Callable[[Any], bool] = namespace["valid"]
    valid.__doc__ = source  # the generated code, for whoever debugs a verdict
    return valid
