"""Round-trip properties over generated value sets in every formatting style seen in real files."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfupgrade.files.xmlio import MD_NS, ValueSetDocument
from sfupgrade.model.valueset import CustomValue, merge

NAME = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N"), include_characters="_-"),
    min_size=1,
    max_size=20,
)
# Markup characters are drawn often on purpose: escaping is where a writer goes wrong.
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("aZ9 '\"&<>\u00e9\u2013")),
        # U+FFFE and U+FFFF are not XML characters (XML 1.0 "Char"): no value set can hold them.
        st.characters(
            codec="utf-8",
            exclude_categories=("Cs", "Cc", "Zl", "Zp"),
            exclude_characters="\ufffe\uffff",
        ),
    ),
    min_size=1,
    max_size=30,
).filter(lambda t: t.strip() == t)

STYLE = st.fixed_dictionaries(
    {
        "indent": st.sampled_from(["    ", "  ", "\t"]),
        "newline": st.sampled_from(["\n", "\r\n"]),
        "final_newline": st.booleans(),
        "declaration": st.sampled_from(
            ['<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0' encoding='UTF-8'?>", ""]
        ),
        "escape_quotes": st.booleans(),
        "bom": st.booleans(),
        "comment": st.booleans(),
    }
)

VALUE = st.builds(
    CustomValue,
    full_name=NAME,
    label=st.one_of(st.none(), TEXT),
    default=st.booleans(),
    is_active=st.sampled_from([None, True, False]),
    color=st.none(),  # the renderer below writes neither
    description=st.none(),
)


def _escape(text: str, quotes: bool) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("'", "&apos;").replace('"', "&quot;") if quotes else text


def render(values: list[CustomValue], style: dict) -> bytes:
    """Write a value set the way a person or a tool might have, in the given style."""
    nl, ind, q = style["newline"], style["indent"], style["escape_quotes"]
    lines = [style["declaration"]] if style["declaration"] else []
    if style["comment"]:
        lines.append("<!-- maintained by hand -->")
    lines.append(f'<GlobalValueSet xmlns="{MD_NS}">')
    for value in values:
        lines.append(f"{ind}<customValue>")
        lines.append(f"{ind * 2}<fullName>{_escape(value.full_name, q)}</fullName>")
        lines.append(f"{ind * 2}<default>{str(value.default).lower()}</default>")
        if value.is_active is not None:
            lines.append(f"{ind * 2}<isActive>{str(value.is_active).lower()}</isActive>")
        if value.label is not None:
            lines.append(f"{ind * 2}<label>{_escape(value.label, q)}</label>")
        lines.append(f"{ind}</customValue>")
    lines += [f"{ind}<masterLabel>Set</masterLabel>", f"{ind}<sorted>false</sorted>"]
    lines.append("</GlobalValueSet>")
    text = nl.join(lines) + (nl if style["final_newline"] else "")
    return (("\ufeff" if style["bom"] else "") + text).encode("utf-8")


def expected_style(values: list[CustomValue], style: dict) -> dict:
    """A file without quotes shows no habit; then the tool writes Salesforce's &apos;/&quot;."""
    texts = [v.full_name for v in values] + [v.label for v in values if v.label]
    has_quotes = any("'" in t or '"' in t for t in texts)
    return dict(style, escape_quotes=style["escape_quotes"] or not has_quotes)


VALUES = st.lists(VALUE, max_size=8, unique_by=lambda v: v.full_name)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(values=VALUES, style=STYLE)
def test_no_op_round_trip_is_byte_identical(values, style) -> None:
    data = render(values, style)
    document = ValueSetDocument(data, "Set", "set.xml")
    assert document.serialize() == data
    assert document.value_set.values == tuple(values)


@SETTINGS
@given(values=VALUES, style=STYLE, name=NAME, label=TEXT)
def test_add_then_remove_gives_back_the_original(values, style, name, label) -> None:
    if any(v.full_name == name for v in values):
        return
    data = render(values, style)
    document = ValueSetDocument(data, "Set", "set.xml")
    edit = document.plan(name, label)
    assert edit is not None and edit.kind == "add"
    added = document.apply(edit)
    assert added.value_set == merge(document.value_set, edit)
    # The file is exactly what the same hand would have written with the value in it.
    new = CustomValue(name, label)
    assert added.serialize() == render([*values, new], expected_style(values, style))
    assert added.without_value(name).serialize() == data


@SETTINGS
@given(values=VALUES, style=STYLE, pick=st.integers(min_value=0), label=TEXT)
def test_applying_twice_equals_applying_once(values, style, pick, label) -> None:
    data = render(values, style)
    document = ValueSetDocument(data, "Set", "set.xml")
    name = values[pick % len(values)].full_name if values else "ctiAction"
    edit = document.plan(name, label)
    once = document if edit is None else document.apply(edit)
    expected = document.value_set if edit is None else merge(document.value_set, edit)
    assert once.value_set == expected
    # The file is exactly what the same hand would have written with the edit made.
    assert once.serialize() == render(list(expected.values), expected_style(values, style))
    again = ValueSetDocument(once.serialize(), "Set", "set.xml")
    assert again.plan(name, label) is None
    # Only the edited value differs from the original.
    assert len(again.value_set.values) == len(expected.values)
    for before, after in zip(document.value_set.values, again.value_set.values, strict=False):
        assert before == after or before.full_name == name
