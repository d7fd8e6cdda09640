"""Turning an assistant's answer into the lines that replace the AI region, and the edit itself."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class LineEdit:
    """Replace the region's whole lines with the answer (0-based, code-point columns)."""

    start_line: int
    start_char: int
    end_line: int
    end_char: int
    text: str
    first: int  # 0-based lines the answer occupies after the edit
    last: int


def plan_edit(
    lines: Sequence[str], start: int, end: int, new_lines: Sequence[str], eol: str = "\n",
) -> LineEdit:
    """The edit replacing lines ``start..end`` of ``lines`` (without line endings) by ``new_lines``."""
    if end + 1 < len(lines):
        return LineEdit(start, 0, end + 1, 0, "".join(line + eol for line in new_lines),
                        start, start + len(new_lines) - 1)
    # The region runs to the last line, which has no line ending of its own.
    return LineEdit(start, 0, end, len(lines[end]), eol.join(new_lines), start, start + len(new_lines) - 1)
