"""Text taken from input, made safe to print: one home for every escaping rule but the format's own.

Input files are hostile. A block id may hold an ESC sequence (which a terminal obeys), a newline
followed by ``::error ...::`` or a ``##[`` (which the GitHub Actions runner obeys as a workflow
command, the first when a line starts with it after blanks, the second anywhere in a line), or a
lone surrogate (which no UTF-8 writer accepts). :func:`sanitize` is applied by
:func:`sfupgrade.report.render` to every report and by the CLI to every line it prints, so no
writer can forget it; :func:`escape_controls` is for the renderers whose format shows characters
as they are (text, Markdown, annotations).
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, line and paragraph separators, bidirectional overrides and isolates
# ("Trojan Source"), and lone surrogates: each shown as an escape, never passed to a terminal.
_CONTROLS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# The runner's two command syntaxes: "::cmd::" at a line's start after whitespace (it trims
# leading whitespace, Unicode's included), "##[cmd]" anywhere in a line.
_COMMAND_AT_START = re.compile(r"^([^\S\n]*)::", re.MULTILINE)
_LEGACY_COMMAND = "##["
# How each format spells ':' and '[' without meaning them, where a line could carry them.
_NEUTRAL = {
    "text": ("\\x3a", "\\x5b"),
    "markdown": ("&#58;", "&#91;"),
    "junit": ("&#58;", "&#91;"),
    "json": ("\\u003a", "\\u005b"),
    "sarif": ("\\u003a", "\\u005b"),
}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def escape_controls(text: str, keep: str = "") -> str:
    """``text`` with every control character shown as ``\\x1b``, ``\\n``, ``\\u202e``...

    Characters in ``keep`` (say ``"\\n\\t"`` for a multi-line block) are left as they are.
    """
    if keep:
        return _CONTROLS.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)
    return _CONTROLS.sub(_escape, text)


def encodable(text: str) -> str:
    """``text`` without lone surrogates (U+FFFD instead), so every UTF-8 writer accepts it."""
    try:
        text.encode("utf-8")  # the common case: nothing to replace, and no pattern to compile
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)
    return text


def no_workflow_commands(text: str, fmt: str) -> str:
    """``text`` in which no line can be taken for a GitHub Actions workflow command.

    Only sfupgrade's own annotations (format ``github``) may be commands; anything else that
    looks like one is rewritten in the format's own escape for ``:`` or ``[``, which shows the
    same to a reader.
    """
    colon, bracket = _NEUTRAL.get(fmt, _NEUTRAL["text"])
    text = _COMMAND_AT_START.sub(lambda m: m.group(1) + colon + ":", text)
    return text.replace(_LEGACY_COMMAND, "##" + bracket)


def sanitize(text: str, fmt: str = "text") -> str:
    """What every writer applies last: no workflow commands, nothing a UTF-8 writer refuses."""
    return encodable(no_workflow_commands(text, fmt))


def printable(text: str) -> str:
    """One line for a terminal or a CI log (an error message, a status line): all escaped."""
    return sanitize(escape_controls(text))


__all__ = ["encodable", "escape_controls", "no_workflow_commands", "printable", "sanitize"]
