"""Salesforce metadata XML, read safely and written back faithfully.

lxml answers *what* a file says (safely: no DTD, no entities, no network) but cannot write a
file back byte for byte: it changes the declaration's quotes, drops ``&apos;``/``&quot;``,
CRLF and the final newline. So a document keeps its original text, and an edit is a splice of
that text at offsets found by a small tokenizer: untouched files come back identical, and an edit
changes only the lines it must, in the file's own indentation, line endings and escaping.
Every edit is verified before it can be written (the located text and the new text are parsed
and compared with the value the tree holds and the value intended), so a splice that went wrong
is an error, never a file on disk.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict, cast

from lxml import etree

from sfupgrade.core.errors import MetadataXmlError
from sfupgrade.files.jsonio import read_bytes_bounded
from sfupgrade.files.project import value_set_name
from sfupgrade.files.xmlspans import (
    Node,
    leading_ws,
    root_start_tag,
    scan,
    trailing_ws,
    value_node,
)
from sfupgrade.model.valueset import (
    CustomValue,
    ValueEdit,
    ValueSet,
    check_names,
    check_request,
    decide,
    edited_value,
    merge,
)

MD_NS = "http://soap.sforce.com/2006/04/metadata"
_CV_ORDER = ("fullName", "color", "default", "description", "isActive", "label")


class _ParserOptions(TypedDict):
    resolve_entities: bool
    no_network: bool
    load_dtd: bool
    dtd_validation: bool
    huge_tree: bool
    remove_comments: bool
    remove_pis: bool


_PARSER_OPTIONS: _ParserOptions = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": False,
    "remove_pis": False,
}


def parse_xml(data: bytes, source: str) -> etree._Element:
    """Parse untrusted metadata bytes; anything with a DOCTYPE or entity is refused."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise MetadataXmlError(
            f"{source}: a DOCTYPE or ENTITY declaration is not allowed in Salesforce metadata "
            "(refused for safety: it can read local files or expand without bound); remove it"
        )
    try:
        root = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        line, col = exc.position
        raise MetadataXmlError(
            f"{source}:{line}:{col}: malformed XML: {exc.msg}; fix the file and rerun"
        ) from None
    docinfo = root.getroottree().docinfo
    doctype = docinfo.doctype  # type: ignore[union-attr]  # lxml-stubs' DocInfo lacks it
    if doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise MetadataXmlError(f"{source}: a DOCTYPE is not allowed in Salesforce metadata")
    return root


def _decode(data: bytes, source: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MetadataXmlError(
            f"{source}: not UTF-8 (invalid byte at offset {exc.start}); Salesforce metadata is "
            "UTF-8, re-save the file as UTF-8"
        ) from None
    declared = re.match(r"\ufeff?<\?xml[^>]*encoding=[\"']([^\"']+)", text)
    if declared and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise MetadataXmlError(
            f"{source}: declares encoding {declared.group(1)!r}; Salesforce metadata must be UTF-8"
        )
    return text


# Full tag names of the metadata namespace, looked up by dict instead of parsed per element:
# reading a 1,000-value set is on every command's path.
_TAGS = {f"{{{MD_NS}}}{name}": name for name in (*_CV_ORDER, "masterLabel", "sorted")}


def _bool(text: str | None, element: etree._Element, name: str, source: str) -> bool:
    value = (text or "").strip()
    if value == "false":
        return False
    if value == "true":
        return True
    raise MetadataXmlError(
        f"{source}:{element.sourceline}: <{name}> must be true or false, not {value!r}"
    )


def _value_from(element: etree._Element, source: str) -> CustomValue:
    fields: dict[str, str | None] = {}
    for child in element:
        name = _TAGS.get(child.tag)
        if name is not None:
            fields[name] = child.text
    if "fullName" not in fields:
        raise MetadataXmlError(
            f"{source}:{element.sourceline}: a <customValue> has no <fullName>; add one"
        )
    default, is_active = fields.get("default"), fields.get("isActive")
    return CustomValue(
        full_name=(fields["fullName"] or "").strip(),
        label=None if "label" not in fields else fields["label"] or "",
        default=False if default is None else _bool(default, element, "default", source),
        is_active=None if is_active is None else _bool(is_active, element, "isActive", source),
        color=fields.get("color"),
        description=None if "description" not in fields else fields["description"] or "",
    )


def _xpath(expression: str) -> etree.XPath:
    return etree.XPath(expression, namespaces={"m": MD_NS}, smart_strings=False)


# What each XPath below returns (an XPath's result type depends on its expression, so lxml's
# stubs can only say "any XPath object"; with smart_strings=False a text() result is a str).
_Elements = Callable[[etree._Element], list[etree._Element]]
_Texts = Callable[[etree._Element], list[str]]
_Number = Callable[[etree._Element], float]

# Compiled once: they let a large set be checked and planned without building every value
# (lxml evaluates them in C), which keeps local commands as fast as a bare parse allows.
_VALUES = cast(_Elements, _xpath("m:customValue"))
_NAMES = cast(_Texts, _xpath("m:customValue/m:fullName/text()"))
_NAME_ELEMENTS = cast(_Number, _xpath("count(m:customValue/m:fullName)"))
_LABELS = cast(_Texts, _xpath("m:customValue/m:label/text()"))
_BOOLEANS = cast(_Texts, _xpath("m:customValue/m:default/text() | m:customValue/m:isActive/text()"))


class ValueSetDocument:
    """A GlobalValueSet file: its original bytes, its meaning, and faithful edits of it."""

    def __init__(
        self, data: bytes, name: str, source: str, *, _names: list[str] | None = None
    ) -> None:
        self.data = data
        self.name = name
        self.source = source
        self.text = _decode(data, source)
        self._model: ValueSet | None = None
        self._tree: etree._Element | None = None
        self._value_elements: list[etree._Element] | None = None
        if _names is None:
            self._check_root()
            self._names = self._fast_names()
        else:
            # An edit already verified: the tree is parsed only if someone asks for it.
            self._names = _names

    @property
    def _root(self) -> etree._Element:
        if self._tree is None:
            self._tree = parse_xml(self.data, self.source)
        return self._tree

    @property
    def _elements(self) -> list[etree._Element]:
        if self._value_elements is None:
            self._value_elements = _VALUES(self._root)
        return self._value_elements

    @classmethod
    def from_path(cls, path: Path) -> ValueSetDocument:
        data = read_bytes_bounded(path, error=MetadataXmlError)
        return cls(data, value_set_name(path), str(path))

    @property
    def value_set(self) -> ValueSet:
        """The whole set as values; built on first use, since planning does not need it."""
        if self._model is None:
            self._model = self._read_model()
        return self._model

    def _fast_names(self) -> list[str]:
        """Every value's fullName in order, checked for the shape the model reader insists on."""
        names: list[str] = _NAMES(self._root)
        booleans = {text.strip() for text in set(_BOOLEANS(self._root))}
        if len(names) == len(self._elements) == int(_NAME_ELEMENTS(self._root)) and booleans <= {
            "true",
            "false",
        }:
            return [n.strip() for n in names]
        # Something is off (an empty or missing fullName, a bad boolean): the full reader
        # finds it and says where, or reads an unusual but valid file correctly.
        return [v.full_name for v in self.value_set.values]

    def plan(self, full_name: str, label: str) -> ValueEdit | None:
        """:func:`~sfupgrade.model.valueset.plan_value` for this file, without reading every
        value."""
        check_request(full_name, label)
        labels = _LABELS(self._root)
        check_names(self._names, labels, self.source)
        current = None
        if full_name in self._names:
            current = _value_from(self._elements[self._names.index(full_name)], self.source)
        return decide(current, len(self._names), full_name, label, self.source)

    def _check_root(self) -> None:
        qname = etree.QName(self._root.tag)
        if qname.localname != "GlobalValueSet":
            raise MetadataXmlError(
                f"{self.source}: root element is <{qname.localname}>, expected <GlobalValueSet>; "
                "is this the right file?"
            )
        if qname.namespace != MD_NS:
            found = qname.namespace or "no namespace"
            raise MetadataXmlError(
                f'{self.source}: root element is in {found}, expected xmlns="{MD_NS}"'
            )

    def _read_model(self) -> ValueSet:
        values = []
        top: dict[str, etree._Element] = {}
        value_tag = f"{{{MD_NS}}}customValue"
        for child in self._root:
            if child.tag == value_tag:
                values.append(_value_from(child, self.source))
            elif (name := _TAGS.get(child.tag)) is not None:
                top[name] = child
        sorted_ = top.get("sorted")
        description = top.get("description")
        return ValueSet(
            name=self.name,
            master_label=(top["masterLabel"].text or "") if "masterLabel" in top else self.name,
            sorted=False
            if sorted_ is None
            else _bool(sorted_.text, sorted_, "sorted", self.source),
            description=None if description is None else description.text or "",
            values=tuple(values),
        )

    # -- editing -------------------------------------------------------------------------------

    def apply(self, edit: ValueEdit) -> ValueSetDocument:
        """Return the document with ``edit`` spliced in; ``self`` is left as it was.

        One path for every edit and every file: find where the edit goes (the value it changes,
        the last value a new one follows, or the set's start when it has none), splice the new
        text in, and verify the splice before anything can be written: the located text must
        read as the value the tree has at that place, and the new text as the intended value,
        each parsed inside the file's own root start tag (so prefixes and namespaces resolve as
        in the file). Outside the splice the text is the original's, so this proves the whole
        file without reparsing it, which would double the cost on a large set.
        """
        count = len(self._names)
        text = self.text
        current: CustomValue | None = None
        located: tuple[str, CustomValue] | None = None  # the original text and what it means
        if edit.kind == "add" and count == 0:
            start, end, replacement, fragment = self._first_value(edit)
        else:
            index = count - 1 if edit.kind == "add" else self._names.index(edit.full_name)
            node = value_node(text, index, count)
            scanned = scan(text, self.source, node.start, node.end)
            at_index = _value_from(self._elements[index], self.source)
            located = (text[node.start : node.end], at_index)
            if edit.kind == "add":
                outer, fragment = self._new_value_after(scanned, edit)
                start = end = node.end
                replacement = outer + fragment
            else:
                current = at_index
                fragment = self._edit_value(scanned, edit)
                start, end, replacement = node.start, node.end, fragment
        if (located is not None and self._fragment_value(located[0]) != located[1]) or (
            self._fragment_value(fragment) != edited_value(current, edit)
        ):
            raise MetadataXmlError(
                f"{self.source}: the edit did not produce the intended value set; file left "
                "unchanged (please report this with the file)"
            )
        new_text = text[:start] + replacement + text[end:]
        names = self._names if current is not None else [*self._names, edit.full_name]
        edited = ValueSetDocument(new_text.encode("utf-8"), self.name, self.source, _names=names)
        if self._model is not None:
            edited._model = merge(self._model, edit)
        return edited

    def _fragment_value(self, fragment: str) -> CustomValue:
        """What one value's text means, read inside the file's own root start tag."""
        tag, name = root_start_tag(self.text)
        wrapped = f"{tag}{fragment}</{name}>"
        try:
            element = parse_xml(wrapped.encode("utf-8"), self.source)[0]
        except (MetadataXmlError, IndexError):
            raise MetadataXmlError(
                f"{self.source}: the edit could not be verified; file left unchanged (please "
                "report this with the file)"
            ) from None
        return _value_from(element, self.source)

    def serialize(self) -> bytes:
        """The document's bytes: the original text with any edits, in the original encoding."""
        return self.text.encode("utf-8")

    def without_value(self, full_name: str) -> ValueSetDocument:
        """The document with one value and its line taken out (the inverse of adding it).

        Used to prove edits are exact: adding a value then removing it gives back the file.
        """
        names = [v.full_name for v in self.value_set.values]
        if full_name not in names:
            raise MetadataXmlError(f"{self.source}: no value {full_name!r} to remove")
        node = value_node(self.text, names.index(full_name), len(names))
        start = node.start - len(leading_ws(self.text, node.start))
        if names.index(full_name) == 0:
            # The first value keeps the whitespace before it; the next one's goes instead.
            start, end = node.start, node.end + len(trailing_ws(self.text, node.end))
        else:
            end = node.end
        text = self.text[:start] + self.text[end:]
        values = tuple(v for v in self.value_set.values if v.full_name != full_name)
        model = ValueSet(
            self.value_set.name,
            self.value_set.master_label,
            self.value_set.sorted,
            self.value_set.description,
            values,
        )
        document = ValueSetDocument(text.encode("utf-8"), self.name, self.source)
        if document.value_set != model:
            raise MetadataXmlError(f"{self.source}: removing {full_name!r} went wrong")
        return document

    def _escape(self, value: str) -> str:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if ("'" in value or '"' in value) and self._escapes_quotes():
            value = value.replace("'", "&apos;").replace('"', "&quot;")
        return value

    def _escapes_quotes(self) -> bool:
        """Salesforce writes &apos;/&quot;; keep a file's own habit where it shows one."""
        if "&apos;" in self.text or "&quot;" in self.text:
            return True
        body = re.sub(r"<[^>]*>", "", self.text)
        return not ("'" in body or '"' in body)

    def _newline(self) -> str:
        match = re.search(r"\r\n|\n|\r", self.text)
        return match.group(0) if match else ""

    def _new_value_after(self, sibling: Node, edit: ValueEdit) -> tuple[str, str]:
        """The whitespace and text of a new value that goes after ``sibling``, styled like it."""
        text = self.text
        outer = leading_ws(text, sibling.start)
        if sibling.children:
            inner = leading_ws(text, sibling.children[0].start)
            closing = text[sibling.children[-1].end : sibling.inner_end]
        else:
            inner, closing = outer, outer
        return outer, self._render_value(edit, inner, closing)

    def _first_value(self, edit: ValueEdit) -> tuple[int, int, str, str]:
        """Where the first value of an empty set goes (before the set's other children, as the
        schema orders), as ``(start, end, replacement, value text)``."""
        text = self.text
        root = scan(text, self.source)
        if root.children:
            anchor = root.children[0].start
            outer = leading_ws(text, anchor)
            indent = outer.lstrip("\r\n")
            inner = outer + (indent or ("    " if self._newline() else ""))
            fragment = self._render_value(edit, inner, outer)
            return anchor, anchor, fragment + outer, fragment
        # An empty set: Salesforce's own layout (a one-line file stays on one line).
        newline = self._newline()
        unit = "    " if newline else ""
        fragment = self._render_value(edit, newline + unit * 2, newline + unit)
        content = newline + unit + fragment + newline
        if root.inner_start == root.end:  # <GlobalValueSet .../>: open it up
            start_tag = root_start_tag(text)[0]  # opened
            return root.start, root.end, f"{start_tag}{content}</{root.name}>", fragment
        anchor = root.inner_end - len(leading_ws(text, root.inner_end))
        return anchor, root.inner_end, content, fragment

    def _render_value(self, edit: ValueEdit, inner: str, closing: str) -> str:
        # The set's own namespace prefix (``md:`` in a file written that way), so the new value
        # is in the metadata namespace whichever way the file binds it.
        prefix = root_start_tag(self.text)[1].rpartition(":")[0]
        p = f"{prefix}:" if prefix else ""
        children = (
            f"<{p}fullName>{self._escape(edit.full_name)}</{p}fullName>",
            f"<{p}default>false</{p}default>",
            f"<{p}label>{self._escape(edit.label)}</{p}label>",
        )
        body = "".join(inner + c for c in children)
        return f"<{p}customValue>{body}{closing}</{p}customValue>"

    def _edit_value(self, node: Node, edit: ValueEdit) -> str:
        """The value's own text with the edit made (offsets in ``node`` are the file's)."""
        text = self.text
        splices: list[tuple[int, int, str]] = []
        children = {c.local: c for c in node.children}
        if "activate" in edit.kind:
            active = children["isActive"]
            splices.append((active.start, active.end, f"<{active.name}>true</{active.name}>"))
        if "relabel" in edit.kind:
            label_text = f"{self._escape(edit.label)}"
            if "label" in children:
                label = children["label"]
                splices.append(
                    (label.start, label.end, f"<{label.name}>{label_text}</{label.name}>")
                )
            else:
                before = [c for c in node.children if c.local in _CV_ORDER[:5]]
                after = before[-1] if before else None
                at = after.end if after else node.inner_start
                sep = leading_ws(text, after.start) if after else ""
                prefix = node.name.rpartition(":")[0]
                tag = f"{prefix}:label" if prefix else "label"
                splices.append((at, at, f"{sep}<{tag}>{label_text}</{tag}>"))
        for start, end, replacement in sorted(splices, reverse=True):
            text = text[:start] + replacement + text[end:]
        grown = len(text) - len(self.text)
        return text[node.start : node.end + grown]


def _element(name: str, value: str) -> str:
    escaped = (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("'", "&apos;")
        .replace('"', "&quot;")
    )
    return f"<{name}>{escaped}</{name}>"


def value_set_to_xml(vs: ValueSet) -> str:
    """The set as Salesforce itself writes it, for org diffs and deploys (schema element order)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<GlobalValueSet xmlns="{MD_NS}">']
    for value in vs.values:
        lines.append("    <customValue>")
        lines.append("        " + _element("fullName", value.full_name))
        if value.color is not None:
            lines.append("        " + _element("color", value.color))
        lines.append("        " + _element("default", "true" if value.default else "false"))
        if value.description is not None:
            lines.append("        " + _element("description", value.description))
        if value.is_active is not None:
            lines.append("        " + _element("isActive", "true" if value.is_active else "false"))
        if value.label is not None:
            lines.append("        " + _element("label", value.label))
        lines.append("    </customValue>")
    if vs.description is not None:
        lines.append("    " + _element("description", vs.description))
    lines.append("    " + _element("masterLabel", vs.master_label))
    lines.append("    " + _element("sorted", "true" if vs.sorted else "false"))
    lines.append("</GlobalValueSet>")
    return "\n".join(lines) + "\n"


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TYPES = re.compile(r"<types>(.*?)</types>", re.DOTALL)


def package_members(data: bytes, source: str, type_name: str) -> set[str]:
    """The ``<members>`` a package.xml lists for metadata type ``type_name`` (``*`` included).

    Elements are matched by local name: a hand-written manifest without the metadata namespace
    is still a manifest to the CLI.
    """
    root = parse_xml(data, source)
    if etree.QName(root).localname != "Package":
        raise MetadataXmlError(f"{source}: not a package manifest (root is not <Package>)")
    members: set[str] = set()
    for types in cast(list[etree._Element], root.xpath("*[local-name()='types']")):
        names = cast(list[str], types.xpath("*[local-name()='name']/text()"))
        if names and names[0].strip() == type_name:
            texts = cast(list[str], types.xpath("*[local-name()='members']/text()"))
            members |= {m.strip() for m in texts}
    return members


def add_package_member(data: bytes, source: str, type_name: str, member: str) -> bytes | None:
    """``data`` (a package.xml) with ``member`` listed under ``type_name``, or None if it is.

    A splice like the value set's: one ``<members>`` line before the type's ``<name>``, or a
    new ``<types>`` block before ``<version>`` (else before ``</Package>``), in the file's own
    indentation and line endings; everything else stays byte for byte. The result is parsed
    again and must list exactly one member more.
    """
    before = package_members(data, source, type_name)
    if member in before or "*" in before:
        return None
    text = _decode(data, source)
    # Offsets are found in a copy whose comments are blanked out, so a commented-out <types>
    # is never edited.
    masked = _COMMENT.sub(lambda m: " " * len(m.group()), text)
    found_newline = re.search(r"\r\n|\n|\r", text)
    newline = found_newline.group(0) if found_newline else "\n"
    escaped = member.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    line = f"<members>{escaped}</members>"
    for block in _TYPES.finditer(masked):
        name = re.search(r"<name>\s*([^<]*?)\s*</name>", block.group(1))
        if name and name.group(1) == type_name:
            at = block.start(1) + name.start()
            indent = _line_indent(text, at)
            if indent is None:  # <name> shares its line: the member goes just before it
                spliced = text[:at] + line + text[at:]
            else:
                start = at - len(indent)
                spliced = text[:start] + f"{indent}{line}{newline}" + text[start:]
            break
    else:
        anchor = re.search(r"<version>|</Package>", masked)
        empty = re.search(r"<Package\b[^>]*?(/>)", masked)
        if anchor is None and empty is not None:  # <Package/>: open it up around the block
            at = empty.start(1)
            opened = f"><types>{line}<name>{type_name}</name></types></Package>"
            return _checked(
                text[:at] + opened + text[empty.end(1) :], source, type_name, before, member
            )
        if anchor is None:
            raise MetadataXmlError(f"{source}: no </Package> to add a <types> block before")
        at = anchor.start()
        indent = _line_indent(text, at)
        if indent is None:  # a one-line manifest stays on one line
            spliced = text[:at] + f"<types>{line}<name>{type_name}</name></types>" + text[at:]
        else:
            child_ws = re.search(r"^([ \t]+)<", masked, re.MULTILINE)
            step = child_ws.group(1) if child_ws else "    "
            child = indent if anchor.group() == "<version>" else indent + step
            inner_ws = re.search(r"^([ \t]+)<(?:members|name)>", masked, re.MULTILINE)
            inner = inner_ws.group(1) if inner_ws else child + step
            start = at - len(indent)
            new_block = (
                f"{child}<types>{newline}{inner}{line}{newline}{inner}<name>{type_name}</name>"
                f"{newline}{child}</types>{newline}"
            )
            spliced = text[:start] + new_block + text[start:]
    return _checked(spliced, source, type_name, before, member)


def _checked(text: str, source: str, type_name: str, before: set[str], member: str) -> bytes:
    """The edited manifest's bytes, after proving it lists exactly one member more."""
    result = text.encode("utf-8")
    if package_members(result, source, type_name) != before | {member}:
        raise MetadataXmlError(
            f"{source}: adding {type_name} member {member} did not give the expected manifest; "
            f"add '<members>{member}</members>' under <name>{type_name}</name> by hand"
        )
    return result


def _line_indent(text: str, position: int) -> str | None:
    """The blanks before ``position`` on its line, or None when other text precedes it."""
    start = position
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    if start == 0 or text[start - 1] in "\r\n":
        return text[start:position]
    return None
