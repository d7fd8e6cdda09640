"""ringfence's managed block in a text file: replaced, appended or removed; nothing else touched.

Everything outside the lines from ``MANAGED_BEGIN`` to ``MANAGED_END`` is kept byte for byte,
line endings included; the block is written with the file's own line ending.
"""

from __future__ import annotations

from ringfence.errors import RingfenceError
from ringfence.policy.imports import MANAGED_BEGIN, MANAGED_END


def merge(path: str, existing: str | None, body: list[str] | None) -> str | None:
    """The file's new text: its block holding ``body`` (no block when None); None: no file."""
    if existing is None:
        return None if body is None else _block(body, "\n")
    eol = "\r\n" if "\r\n" in existing else "\n"
    lines = existing.splitlines(keepends=True)
    span = find_block(path, lines)
    if span is None:
        if body is None:
            return existing
        sep = eol if existing and not existing.endswith(("\n", "\r")) else ""
        return existing + sep + _block(body, eol)
    start, end = span
    before, after = "".join(lines[:start]), "".join(lines[end + 1 :])
    if body is None:
        rest = before + after
        return rest if rest.strip() else None
    return before + _block(body, eol) + after


def block_body(path: str, text: str) -> list[str] | None:
    """The lines inside the file's managed block (None when it has none)."""
    lines = text.splitlines(keepends=True)
    span = find_block(path, lines)
    if span is None:
        return None
    return [line.rstrip("\r\n") for line in lines[span[0] + 1 : span[1]]]


def find_block(path: str, lines: list[str]) -> tuple[int, int] | None:
    """0-based ``(begin, end)`` line indexes of the managed block; an unclosed block is an error."""
    start = None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped == MANAGED_BEGIN and start is None:
            start = index
        elif stripped == MANAGED_END and start is not None:
            return start, index
    if start is not None:
        raise RingfenceError(
            f"ringfence's block has no closing '{MANAGED_END}' line; "
            "fix the file by hand so no hand-written line is lost",
            path,
            start + 1,
            1,
        )
    return None


def _block(body: list[str], eol: str) -> str:
    return eol.join([MANAGED_BEGIN, *body, MANAGED_END]) + eol
