"""Mermaid flowcharts of CTI flows, with the blocks that findings point at highlighted.

Node ids are generated (``b0``, ``b1``...), never taken from the flow: block ids such as ``end``
or ``uid-NaN`` would otherwise collide with Mermaid keywords or syntax. Every piece of user text
sits in a quoted label with Mermaid's entity codes for the characters that end or break one.
"""

from __future__ import annotations

from sfupgrade.report.common import FlowOfInterest
from sfupgrade.report.safe import escape_controls

# '#' first: the entity codes the other replacements insert start with '#'.
_LABEL_ESCAPES = (
    ("#", "#35;"),
    ('"', "#quot;"),
    ("&", "#amp;"),
    ("<", "#lt;"),
    (">", "#gt;"),
    ("|", "#124;"),
    ("`", "#96;"),
)

CLASS_DEFS = (
    "classDef error fill:#ffebe9,stroke:#cf222e,stroke-width:3px,color:#000",
    "classDef warning fill:#fff8c5,stroke:#9a6700,stroke-width:3px,color:#000",
)


def escape_label(text: str) -> str:
    """``text`` made safe inside a double-quoted Mermaid label (controls shown as ``\x1b``).

    Mermaid reads HTML and Markdown in labels: ``<``, ``>``, ``&`` and the backtick that starts a
    Markdown string become entity codes, so a label shows exactly the text of the flow.
    """
    text = escape_controls(text)
    for char, code in _LABEL_ESCAPES:
        text = text.replace(char, code)
    return text


def flowchart(interest: FlowOfInterest) -> str:
    """The flow as a ``flowchart TD`` definition (without the Markdown fence)."""
    flow = interest.flow
    flagged = interest.flagged_blocks
    types = dict(flow.blocks)
    order = [block for block, _ in flow.blocks]
    # Edges to blocks that do not exist and findings on unknown blocks still get a node, so
    # the picture shows the dangling reference instead of silently dropping it.
    for block in [end for a, _, b in flow.edges for end in (a, b)] + list(flagged):
        if block not in types:
            types[block] = "missing"
            order.append(block)
    ids = {block: f"b{i}" for i, block in enumerate(order)}
    lines = ["flowchart TD"]
    for block in order:
        label = f"{escape_label(block)}<br/>{escape_label(types[block])}"
        lines.append(f'    {ids[block]}["{label}"]')
    for source, port, target in flow.edges:
        lines.append(f'    {ids[source]} -->|"{escape_label(port)}"| {ids[target]}')
    if flagged:
        lines += [f"    {line}" for line in CLASS_DEFS]
        for severity in ("error", "warning"):
            nodes = [ids[b] for b in order if flagged.get(b) == severity]
            if nodes:
                lines.append(f"    class {','.join(nodes)} {severity}")
    return "\n".join(lines) + "\n"
