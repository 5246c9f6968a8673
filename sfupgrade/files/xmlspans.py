"""Where elements are in a metadata file's text, so edits can be spliced in without reserializing.

lxml tells what a file means but not where its elements start and end in the original text. A
small tokenizer finds those extents; it runs only on what an edit touches (one value, or the
whole file in rare layouts), after lxml has vouched that the document is well-formed and safe.
"""

from __future__ import annotations

import re

from sfupgrade.core.errors import MetadataXmlError
from sfupgrade.model.value import Value, field

# What cannot contain markup, skipped by both tokenizers. Each pattern is compiled on its first use
# (re keeps it): most runs locate values by plain string search and never tokenize at all.
_SKIPPED = r"<!--.*?--> | <!\[CDATA\[.*?\]\]> | <\?.*?\?>"
_TOKEN = rf"""(?sx) {_SKIPPED}
      | <!(?P<decl>[A-Za-z]+)
      | </(?P<end>[^\s>]+)\s*>
      | <(?P<start>[^\s/>!?]+)(?:[^>"']|"[^"]*"|'[^']*')*?(?P<empty>/?)>"""


class Node(Value, frozen=False):
    """An element's extent in the original text: ``start``..``end`` covers the tags too."""

    name: str
    start: int
    inner_start: int
    inner_end: int = -1
    end: int = -1
    children: list[Node] = field(default_factory=list)

    @property
    def local(self) -> str:
        return self.name.rpartition(":")[2]


# Only the set's own values and what cannot contain markup; values are never nested, so one pass
# over these tokens finds every value without tokenizing the thousands of elements inside them.
_VALUE_TOKEN = rf"""(?sx) {_SKIPPED}
      | <(?P<close>/?)(?P<name>(?:[^\s/>!?:]+:)?customValue)\b[^>]*?(?P<empty>/?)>"""


def _is_plain(text: str) -> bool:
    """No comments, CDATA, processing instructions or prefixes: every customValue tag is real.

    "<!" and "<?" are first looked for by their second character alone: "<" starts every tag,
    which makes a two-character search a hundred times slower than a one-character one (a
    tenth of an edit's time on a 1,000-value set). The declaration's own "?" is skipped.
    """
    after = 5  # "<?xml" at the start (after a byte order mark) is the declaration itself
    if "<?xml" in text[:6]:
        after = max(after, text.find("?>") + 2)  # its values cannot hold "?>": it ends here
    return (
        ("!" not in text or "<!" not in text)
        and (text.find("?", after) == -1 or text.find("<?", after) == -1)
        and ":customValue" not in text
    )


def root_start_tag(text: str) -> tuple[str, str]:
    """The root element's start tag as written (a self-closing one opened) and its name."""
    for match in re.compile(_TOKEN).finditer(text):
        name = match.group("start")
        if name is not None:
            tag = match.group(0)
            return (tag[:-2].rstrip() + ">" if match.group("empty") else tag), name
    raise MetadataXmlError("malformed XML: no root element")


def value_node(text: str, index: int, count: int) -> Node:
    """The extent of the ``index``-th of ``count`` values; children are scanned when edited.

    One locator: plain string search where every ``<customValue`` in the text is a value's
    tag, else the tokenizer, which skips comments, CDATA and processing instructions.
    """
    if not _is_plain(text) or text.count("<customValue") != count:
        return _value_nodes_tokenized(text)[index]
    # Plain string search is several times faster than tokenizing, and the last value (where
    # a new one is added) is found from the end without looking at the others.
    if index == count - 1:
        end = text.rfind("</customValue")
        start = text.rfind("<customValue", 0, end)
    else:
        start = -1
        for _ in range(index + 1):
            start = text.find("<customValue", start + 1)
        end = text.find("</customValue", start)
    close = text.find(">", start)
    if text[close - 1] == "/":
        return Node("customValue", start, close + 1, close + 1, close + 1)
    return Node("customValue", start, close + 1, end, text.find(">", end) + 1)


def _value_nodes_tokenized(text: str) -> list[Node]:
    """Every value's extent, skipping comments, CDATA and processing instructions."""
    nodes: list[Node] = []
    open_node: Node | None = None
    for match in re.compile(_VALUE_TOKEN).finditer(text):
        name = match.group("name")
        if name is None:
            continue
        if match.group("close"):
            if open_node is not None:
                open_node.inner_end, open_node.end = match.start(), match.end()
                nodes.append(open_node)
                open_node = None
        elif match.group("empty"):
            nodes.append(Node(name, match.start(), match.end(), match.end(), match.end()))
        else:
            open_node = Node(name, match.start(), match.end())
    return nodes


def scan(text: str, source: str, pos: int = 0, endpos: int | None = None) -> Node:
    """Find the extent of every element in ``text[pos:endpos]`` (lxml checked well-formedness)."""
    stack: list[Node] = []
    root: Node | None = None
    for match in re.compile(_TOKEN).finditer(text, pos, len(text) if endpos is None else endpos):
        if match.group("decl") is not None:
            raise MetadataXmlError(
                f"{source}: a <!{match.group('decl')}> declaration is not allowed in Salesforce "
                "metadata (DTDs and entities are refused for safety); remove it"
            )
        start_name = match.group("start")
        if start_name is not None:
            node = Node(start_name, match.start(), match.end())
            if stack:
                stack[-1].children.append(node)
            elif root is None:
                root = node
            if match.group("empty"):
                node.inner_end, node.end = match.end(), match.end()
            else:
                stack.append(node)
        elif match.group("end") is not None and stack:
            node = stack.pop()
            node.inner_end, node.end = match.start(), match.end()
    if root is None or stack:
        raise MetadataXmlError(f"{source}: malformed XML: unbalanced tags")
    return root


def leading_ws(text: str, position: int) -> str:
    """The whitespace run just before ``position``: the newline and indentation of that line."""
    start = position
    while start > 0 and text[start - 1] in " \t\r\n":
        start -= 1
    return text[start:position]


def trailing_ws(text: str, position: int) -> str:
    end = position
    while end < len(text) and text[end] in " \t\r\n":
        end += 1
    return text[position:end]
