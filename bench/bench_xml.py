"""Adding a value to a 1,000-value set, against a bare lxml parse + serialize of the same bytes.

Run: python bench/bench_xml.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import best_of, report

from sfupgrade.files.xmlio import ValueSetDocument, value_set_to_xml
from sfupgrade.model.valueset import CustomValue, ValueSet


def main() -> None:
    values = tuple(CustomValue(f"value_{i}", f"Value number {i}") for i in range(999))
    data = value_set_to_xml(ValueSet("Big", "Big", values=values)).encode()

    def floor() -> bytes:
        return etree.tostring(etree.fromstring(data))

    def ours() -> bytes:
        document = ValueSetDocument(data, "Big", "big.xml")
        edit = document.plan("ctiAction", "CTI Action")
        assert edit is not None
        return document.apply(edit).serialize()

    print(f"value set: 999 values, {len(data):,} bytes")
    report("add a value to a 1,000-value set", best_of(ours), best_of(floor), 2.0)
    relabel = value_set_to_xml(
        ValueSet("Big", "Big", values=(*values, CustomValue("ctiAction", "x")))
    )
    relabel_data = relabel.encode()

    def ours_relabel() -> bytes:
        document = ValueSetDocument(relabel_data, "Big", "big.xml")
        edit = document.plan("ctiAction", "CTI Action")
        assert edit is not None
        return document.apply(edit).serialize()

    report(
        "relabel the last value of a 1,000-value set", best_of(ours_relabel), best_of(floor), 2.0
    )


if __name__ == "__main__":
    main()
