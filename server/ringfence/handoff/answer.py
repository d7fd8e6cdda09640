"""Turning an assistant's answer into the lines, and the text, that replace the AI region."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from ringfence.handoff.errors import HandoffError

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n`]*\n(.*?)^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)


def extract_code(text: str) -> str:
    """The code of a chat answer: the first fenced block when there is one, else the whole text."""
    match = _FENCE.search(text)
    return match.group(2) if match else text


def answer_lines(text: str, indent: str = "", *, who: str = "the assistant") -> list[str]:
    """The answer as lines: outer blank lines dropped, its common indentation replaced by
    ``indent`` (the region's), so it sits where the region sat. Empty: :class:`HandoffError`."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise HandoffError(f"{who} returned an empty answer; nothing was changed")
    return textwrap.indent(textwrap.dedent("\n".join(lines)), indent).split("\n")


def replacement_text(new_lines: Sequence[str], eol: str = "\n", *, final_break: bool = True) -> str:
    """The text that replaces whole lines: each new line ends with ``eol``, except the last one
    when the replaced lines ended the document without a line break (``final_break=False``)."""
    text = eol.join(new_lines)
    return text + eol if final_break else text
