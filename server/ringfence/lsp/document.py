"""Open documents kept as a list of lines, each edit recorded as a :class:`TextChange`.

pygls' own ``TextDocument`` rebuilds the whole text on every incremental change and splits lines
with ``str.splitlines`` (which also breaks at form feeds and U+2028). This subclass splices a
line list instead, splits only at LSP line breaks, clamps out-of-range positions instead of
failing, and records each change in line terms so AI regions can follow it (the region model in
``ringfence.evidence.regions`` needs the text as it was *before* the change, which pygls no
longer has when our ``didChange`` handler runs).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

from ringfence.evidence.regions import TextChange, line_content, lsp_line_count, split_lines

MAX_DIFF_LINES = 4000  # larger whole-document changes are taken as one replacement


class LineDocument(TextDocument):
    """A pygls text document stored as lines; ``changes`` collects what each edit did."""

    def __init__(self, uri: str, source: str | None = None, *args, **kwargs) -> None:
        super().__init__(uri, source, *args, **kwargs)
        self._source = None  # the text lives in ``_lines`` (and ``_text`` while it is current)
        if source is None:
            source = _read_disk(self.path)
        self._lines: list[str] = split_lines(source)
        self._text: str | None = source
        self.changes: list[TextChange] = []

    @property
    def lines(self) -> list[str]:  # type: ignore[override]
        return self._lines

    @property
    def source(self) -> str:  # type: ignore[override]
        if self._text is None:
            self._text = "".join(self._lines)
        return self._text

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        start = self.to_server(change.range.start)
        end = self.to_server(change.range.end)
        if end < start:
            start, end = end, start
        self._splice(start, end, change.text)

    def _apply_full_change(self, change) -> None:
        """A whole-document change, turned into the edits that make it (bottom first, so each
        edit's position is still valid when it is applied)."""
        for start, end, text in reversed(_line_edits(self._lines, split_lines(change.text))):
            self._splice(start, end, text)
        self._text = change.text

    def replace_all(self, text: str) -> None:
        """Make ``text`` the whole content (used when a client's change cannot be applied)."""
        self._apply_full_change(types.TextDocumentContentChangeWholeDocument(text=text))

    def _splice(self, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
        lines = self._lines
        (s_line, s_char), (e_line, e_char) = start, end
        before = _Before.of(lines, s_line, e_line)
        first = lines[s_line] if s_line < len(lines) else ""
        last = lines[e_line] if e_line < len(lines) else ""
        lines[s_line : e_line + 1] = split_lines(first[:s_char] + text + last[e_char:])
        self._text = None
        self.changes.append(_describe(before, lines, start, end, text))

    def to_server(self, position: types.Position) -> tuple[int, int]:
        """A client position as ``(line, code point)``, clamped into the document."""
        lines = self._lines
        line, char = max(position.line, 0), max(position.character, 0)
        if line >= len(lines):
            if not lines or lines[-1][-1:] in ("\n", "\r"):
                return len(lines), 0
            return len(lines) - 1, len(line_content(lines[-1]))
        content = line_content(lines[line])
        if content.isascii() or self.position_codec.encoding == types.PositionEncodingKind.Utf32:
            return line, min(char, len(content))
        units = 0
        for index, ch in enumerate(content):
            if units >= char:
                return line, index
            units += self.position_codec.impl.code_units_for_char(ch)
        return line, len(content)

    def client_units(self, text: str) -> int:
        """The length of ``text`` in the negotiated position encoding."""
        if text.isascii():
            return len(text)
        return self.position_codec.client_num_units(text)

    def line_end_units(self, line: int) -> int:
        """The length of a line's content in client units."""
        if line >= len(self._lines):
            return 0
        return self.client_units(line_content(self._lines[line]))

    def line_end(self, line: int) -> types.Position:
        """The end of a line's content, in client units."""
        if line >= len(self._lines):
            return types.Position(line=line, character=0)
        return types.Position(
            line=line, character=self.client_units(line_content(self._lines[line]))
        )

    def lines_end(self, last: int) -> types.Position:
        """The position just after line ``last`` including its break (start of the next line)."""
        lines = self._lines
        ends_with_break = bool(lines) and lines[-1][-1:] in ("\n", "\r")
        if last + 1 < len(lines) or (last + 1 == len(lines) and ends_with_break):
            return types.Position(line=last + 1, character=0)
        if ends_with_break:  # the empty line after a final break: it ends where it starts
            return types.Position(line=len(lines), character=0)
        return (
            self.line_end(min(last, len(lines) - 1))
            if lines
            else types.Position(line=0, character=0)
        )

    def take_changes(self) -> list[TextChange]:
        changes, self.changes = self.changes, []
        return changes


@dataclass(frozen=True)
class _Before:
    """What a change needs to know about the lines it replaces, taken before they go."""

    line_count: int
    old_text: str
    end_len: int

    @classmethod
    def of(cls, lines: Sequence[str], first: int, last: int) -> _Before:
        end_len = len(line_content(lines[last])) if last < len(lines) else 0
        return cls(lsp_line_count(lines), "".join(lines[first : last + 1]), end_len)


def _describe(
    before: _Before, new: Sequence[str], start: tuple[int, int], end: tuple[int, int], text: str
) -> TextChange:
    delta = lsp_line_count(new) - before.line_count
    return TextChange(
        start_line=start[0],
        start_char=start[1],
        end_line=end[0],
        end_char=end[1],
        text=text,
        line_delta=delta,
        end_len=before.end_len,
        old_text=before.old_text,
        new_text="".join(new[start[0] : end[0] + delta + 1]),
    )


def _line_edits(
    old: list[str], new: list[str]
) -> list[tuple[tuple[int, int], tuple[int, int], str]]:
    """Replacements (top to bottom, in ``old`` coordinates) turning ``old`` into ``new``.

    Unchanged lines at both ends are skipped; what is left is diffed line by line (when small
    enough) so that two distant edits stay two edits, and each replaced run is narrowed to the
    characters that changed, so typing in a line does not look like replacing it.
    """
    limit = min(len(old), len(new))
    head = 0
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_mid, new_mid = old[head : len(old) - tail], new[head : len(new) - tail]
    if not old_mid and not new_mid:
        return []
    if len(old_mid) + len(new_mid) <= MAX_DIFF_LINES:
        matcher = difflib.SequenceMatcher(None, old_mid, new_mid, autojunk=False)
        runs = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
    else:
        runs = [(0, len(old_mid), 0, len(new_mid))]
    edits = []
    for i1, i2, j1, j2 in runs:
        (s_line, s_char), (e_line, e_char), text = _minimal_change(old_mid[i1:i2], new_mid[j1:j2])
        first = head + i1
        edits.append(((first + s_line, s_char), (first + e_line, e_char), text))
    return edits


def _minimal_change(old: list[str], new: list[str]) -> tuple[tuple[int, int], tuple[int, int], str]:
    """The smallest replacement turning the lines ``old`` into ``new`` (positions in ``old``)."""
    old_text, new_text = "".join(old), "".join(new)
    prefix = len(os.path.commonprefix([old_text, new_text]))
    if 0 < prefix < len(old_text) and old_text[prefix - 1] == "\r" and old_text[prefix] == "\n":
        prefix -= 1  # never split a CRLF
    room = min(len(old_text), len(new_text)) - prefix
    suffix = 0
    while suffix < room and old_text[-1 - suffix] == new_text[-1 - suffix]:
        suffix += 1
    end_offset = len(old_text) - suffix
    if (
        0 < end_offset < len(old_text)
        and old_text[end_offset - 1] == "\r"
        and old_text[end_offset] == "\n"
    ):
        end_offset += 1
        suffix -= 1
    return (
        _position(old, 0, prefix),
        _position(old, 0, end_offset),
        new_text[prefix : len(new_text) - suffix],
    )


def _position(lines: Sequence[str], first_line: int, offset: int) -> tuple[int, int]:
    """The ``(line, char)`` of ``offset`` code points into the lines from ``first_line`` on."""
    line = first_line
    while line < len(lines) and offset >= len(lines[line]):
        if line == len(lines) - 1 and lines[line][-1:] not in ("\n", "\r"):
            break
        offset -= len(lines[line])
        line += 1
    if line >= len(lines):
        return len(lines), 0
    return line, min(offset, len(line_content(lines[line])))


def _read_disk(path: str | None) -> str:
    try:
        with open(path or "", encoding="utf-8", errors="replace", newline="") as handle:
            return handle.read()
    except (OSError, ValueError):
        return ""


class LineWorkspace(Workspace):
    """A pygls workspace whose text documents are :class:`LineDocument` s."""

    @classmethod
    def replacing(cls, workspace: Workspace) -> LineWorkspace:
        return cls(
            workspace.root_uri,
            workspace._sync_kind,
            list(workspace.folders.values()),
            workspace.position_encoding,
        )

    def _create_text_document(self, doc_uri, source=None, version=None, language_id=None):
        return LineDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )
