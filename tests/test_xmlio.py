"""Metadata XML: safe parsing, byte-faithful round trips and minimal edits on real files."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from lxml import etree

from sfupgrade.core.errors import MetadataXmlError, ValueSetError
from sfupgrade.files.xmlio import MD_NS, ValueSetDocument, parse_xml, value_set_to_xml
from sfupgrade.model.valueset import CustomValue, ValueSet, plan_value
from tests.helpers import salesforce_value_set, shared_fixture


def _fixture_files(folder: str) -> list[Path]:
    return sorted(p for p in shared_fixture("metadata", folder).iterdir() if p.is_file())


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0))
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    return added, removed


def test_every_real_value_set_round_trips_and_takes_the_edit_alone() -> None:
    files = _fixture_files("gvs")
    assert len(files) >= 30
    for path in files:
        original = path.read_bytes()
        document = ValueSetDocument.from_path(path)
        assert document.serialize() == original, path
        edited = document.apply(plan_value(document.value_set, "ctiAction", "CTI Action"))
        added, removed = _changed_lines(document.text, edited.text)
        assert removed == [], path
        # difflib may align the block one line either way; the added lines are the same set.
        assert sorted(line.strip() for line in added) == sorted(
            [
                "<customValue>",
                "<fullName>ctiAction</fullName>",
                "<default>false</default>",
                "<label>CTI Action</label>",
                "</customValue>",
            ]
        ), path
        # The new value is indented like the values before it.
        lines = document.text.splitlines()
        sibling = next(line for line in lines if "<customValue>" in line)
        new = next(line for line in added if "<customValue>" in line)
        assert new.split("<")[0] == sibling.split("<")[0], path
        assert edited.value_set.values[:-1] == document.value_set.values
        # Adding then removing the value gives back the very same bytes.
        assert edited.without_value("ctiAction").serialize() == original, path


def test_every_real_metadata_file_parses_safely_and_non_value_sets_are_refused() -> None:
    for path in _fixture_files("other-xml"):
        root = parse_xml(path.read_bytes(), str(path))
        assert etree.QName(root).namespace in (MD_NS, None), path
        if "globalValueSet" in path.name:
            continue
        with pytest.raises(MetadataXmlError, match="expected <GlobalValueSet>"):
            ValueSetDocument.from_path(path)


XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE GlobalValueSet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<GlobalValueSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <customValue><fullName>&xxe;</fullName><default>false</default></customValue>
    <masterLabel>X</masterLabel><sorted>false</sorted>
</GlobalValueSet>
"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<GlobalValueSet xmlns="http://soap.sforce.com/2006/04/metadata"><masterLabel>&lol3;</masterLabel>
</GlobalValueSet>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE GlobalValueSet SYSTEM "http://example.invalid/evil.dtd">
<GlobalValueSet xmlns="http://soap.sforce.com/2006/04/metadata"><masterLabel>X</masterLabel>
</GlobalValueSet>
"""


@pytest.mark.parametrize("data", [XXE, LAUGHS, EXTERNAL_DTD], ids=["xxe", "laughs", "dtd"])
def test_hostile_documents_are_refused(data: bytes) -> None:
    with pytest.raises(MetadataXmlError, match="DOCTYPE") as info:
        ValueSetDocument(data, "X", "evil.xml")
    assert "root:" not in str(info.value)


def test_undeclared_entity_is_a_located_syntax_error() -> None:
    data = salesforce_value_set([("a", "&custom;")]).encode()
    with pytest.raises(MetadataXmlError, match=r"^x.xml:6:\d+: malformed XML: .*custom"):
        ValueSetDocument(data, "X", "x.xml")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"<GlobalValueSet xmlns='http://soap.sforce.com/2006/04/metadata'><customValue>",
            "malformed",
        ),
        (b"<CustomField xmlns='http://soap.sforce.com/2006/04/metadata'/>", "<CustomField>"),
        (b"<GlobalValueSet xmlns='urn:other'/>", "urn:other"),
        (b"<GlobalValueSet/>", "no namespace"),
        (b"\xff\xfe<\x00", "malformed|UTF-8"),
        (
            salesforce_value_set([("a", "A")]).replace("<default>false", "<default>yes").encode(),
            "must be true or false",
        ),
        (
            salesforce_value_set([("a", "A")]).replace("<fullName>a</fullName>", "").encode(),
            "no <fullName>",
        ),
        (
            '<?xml version="1.0" encoding="ISO-8859-1"?><GlobalValueSet '
            'xmlns="http://soap.sforce.com/2006/04/metadata"><masterLabel>\u00e9</masterLabel>'
            "</GlobalValueSet>".encode("latin-1"),
            "UTF-8",
        ),
    ],
    ids=[
        "truncated",
        "wrong-root",
        "wrong-ns",
        "no-ns",
        "utf16",
        "bad-bool",
        "no-fullname",
        "latin1",
    ],
)
def test_broken_documents_give_one_clear_line(data: bytes, message: str) -> None:
    with pytest.raises(MetadataXmlError, match=message) as info:
        ValueSetDocument(data, "X", "broken.xml")
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("broken.xml")


def test_limits_and_duplicates_are_refused() -> None:
    dup = ValueSetDocument(salesforce_value_set([("a", "A"), ("a", "B")]).encode(), "X", "d.xml")
    with pytest.raises(ValueSetError, match="duplicate fullName 'a'"):
        plan_value(dup.value_set, "ctiAction", "CTI Action")
    full = ValueSet("X", "X", values=tuple(CustomValue(f"v{i}") for i in range(1000)))
    with pytest.raises(ValueSetError, match="limit"):
        plan_value(full, "ctiAction", "CTI Action")
    # ... but a full set that already has the value is fine: nothing to add.
    assert plan_value(full, "v3", "v3") is None
    with pytest.raises(ValueSetError, match="255"):
        plan_value(ValueSet("X", "X"), "x" * 256, "Label")
    with pytest.raises(ValueSetError, match="255"):
        plan_value(ValueSet("X", "X"), "x", "L" * 256)


def test_value_set_to_xml_is_what_the_reader_reads_back() -> None:
    vs = ValueSet(
        "AC_CtiScriptSource",
        "CTI Script Source",
        sorted=True,
        description='Tom\'s "set" & <more>',
        values=(
            CustomValue("a", "A & B", default=True, color="#FF0000", description="d"),
            CustomValue("b", None, is_active=False),
        ),
    )
    text = value_set_to_xml(vs)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    assert "&apos;" in text and "&quot;" in text and text.endswith("</GlobalValueSet>\n")
    assert ValueSetDocument(text.encode(), vs.name, "x").value_set == vs


def test_quotes_follow_the_files_own_habit() -> None:
    bare = salesforce_value_set([("a", "Tom's")]).encode()
    document = ValueSetDocument(bare, "X", "x")
    edited = document.apply(plan_value(document.value_set, "b", 'Jerry\'s "best"'))
    assert '<label>Jerry\'s "best"</label>' in edited.text
    escaped = salesforce_value_set([("a", "Tom&apos;s")]).encode()
    document = ValueSetDocument(escaped, "X", "x")
    edited = document.apply(plan_value(document.value_set, "b", "Jerry's"))
    assert "<label>Jerry&apos;s</label>" in edited.text


_MD = "http://soap.sforce.com/2006/04/metadata"
_PREFIXED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<md:GlobalValueSet xmlns:md="{_MD}">\n'
    "    <md:customValue>\n        <md:fullName>a</md:fullName>\n"
    "        <md:default>false</md:default>\n        <md:label>A</md:label>\n"
    "    </md:customValue>\n    <md:masterLabel>X</md:masterLabel>\n"
    "</md:GlobalValueSet>\n"
)


def test_a_value_added_to_a_prefixed_file_takes_the_files_prefix() -> None:
    document = ValueSetDocument(_PREFIXED.encode(), "AC_CtiScriptSource", "set.xml")
    edit = document.plan("ctiAction", "CTI Action")
    assert edit is not None
    edited = document.apply(edit)
    added = (
        "    <md:customValue>\n        <md:fullName>ctiAction</md:fullName>\n"
        "        <md:default>false</md:default>\n        <md:label>CTI Action</md:label>\n"
        "    </md:customValue>\n"
    )
    anchor = "    <md:masterLabel>"
    assert edited.text == _PREFIXED.replace(anchor, added + anchor)
    reread = ValueSetDocument(edited.data, "AC_CtiScriptSource", "set.xml").value_set
    assert [(v.full_name, v.label) for v in reread.values] == [
        ("a", "A"),
        ("ctiAction", "CTI Action"),
    ]


def _relabelled(text: str) -> str:
    """The file after the upgrade's edit, which must be a relabel of its ctiAction value."""
    document = ValueSetDocument(text.encode(), "AC_CtiScriptSource", "set.xml")
    edit = document.plan("ctiAction", "CTI Action")
    assert edit is not None and edit.kind == "relabel"
    return document.apply(edit).text


def test_a_commented_out_lookalike_is_not_the_value_edited() -> None:
    text = (
        f'<GlobalValueSet xmlns="{_MD}">\n'
        "    <!-- <customValue><fullName>ctiAction</fullName><label>Old</label></customValue> -->\n"
        "    <customValue>\n        <fullName>ctiAction</fullName>\n"
        "        <default>false</default>\n        <label>Wrong</label>\n    </customValue>\n"
        "    <masterLabel>X</masterLabel>\n</GlobalValueSet>\n"
    )
    assert _relabelled(text) == text.replace("<label>Wrong</label>", "<label>CTI Action</label>")


@pytest.mark.parametrize(
    "declaration", ["", '<?xml version="1.0" encoding="UTF-8"?>\n', "\ufeff<?xml version='1.0'?>"]
)
@pytest.mark.parametrize("aside", ["<?keep </customValue>?>", "<!-- </customValue> -->"])
def test_a_closing_tag_in_a_comment_or_instruction_is_not_the_value_edited(
    declaration: str, aside: str
) -> None:
    text = (
        f'{declaration}<GlobalValueSet xmlns="{_MD}">\n'
        "    <customValue>\n        <fullName>ctiAction</fullName>\n"
        "        <default>false</default>\n        <label>Wrong? No!</label>\n    </customValue>\n"
        f"    {aside}\n"
        "    <masterLabel>X</masterLabel>\n</GlobalValueSet>\n"
    )
    assert _relabelled(text) == text.replace(
        "<label>Wrong? No!</label>", "<label>CTI Action</label>"
    )


def test_question_and_exclamation_marks_in_labels_keep_the_plain_edit_faithful() -> None:
    values = tuple(CustomValue(f"v{i}", f"Why? {i}!") for i in range(5))
    text = value_set_to_xml(ValueSet("AC_CtiScriptSource", "X", values=values))
    document = ValueSetDocument(text.encode(), "AC_CtiScriptSource", "set.xml")
    edit = document.plan("ctiAction", "CTI Action")
    assert edit is not None and edit.kind == "add"
    added, removed = _changed_lines(text, document.apply(edit).text)
    assert removed == [] and "".join(added).count("<fullName>ctiAction</fullName>") == 1
