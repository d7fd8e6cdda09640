"""What a handoff sends: only human-written context around the AI region, secrets redacted.

The external tool's lines are never part of the request. The context is the text above and
below the region (other external AI regions in it collapsed to one placeholder comment), the
human-written text the AI replaced when it is known (``original``), and the instruction.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field

from ringfence.handoff.redact import Redaction, redact_lines
from ringfence.policy.comments import comment_line

CONTEXT_LINES_BEFORE = 200
CONTEXT_LINES_AFTER = 80
MAX_CONTEXT_CHARS = 24_000  # per side; the far end is trimmed first


@dataclass(frozen=True)
class HandoffRequest:
    """One handoff request, ready to send (``payload()``) to any assistant kind."""

    assistant: str
    path: str  # repository-relative
    language: str
    zone: str | None
    level: str
    instruction: str
    line: int  # 1-based line where the answer goes
    before: str
    after: str
    original: str  # the human-written lines the answer replaces ("" for an insertion)
    redactions: tuple[Redaction, ...] = ()
    indent: str = field(default="", compare=False)  # local only: where the answer sits

    def payload(self) -> dict:
        """The JSON object a command assistant reads on stdin (docs/handoff.md)."""
        return {
            "version": 1,
            "assistant": self.assistant,
            "file": self.path,
            "language": self.language,
            "zone": self.zone,
            "level": self.level,
            "instruction": self.instruction,
            "line": self.line,
            "before": self.before,
            "after": self.after,
            "original": self.original,
        }


def build_request(
    *,
    assistant: str,
    lines: Sequence[str],
    start: int,
    end: int,
    path: str,
    language: str | None,
    zone: str | None,
    level: str,
    instruction: str,
    earlier: Sequence[str] | None = None,
    excluded: Sequence[tuple[int, int]] = (),
) -> HandoffRequest:
    """The request for replacing 0-based lines ``start..end`` of ``lines`` (the AI region).

    ``earlier`` is the text the AI edit replaced, when known; ``excluded`` are other external AI
    regions (0-based inclusive) whose lines must not be sent either.
    """
    skip = {i for first, last in excluded for i in range(first, last + 1)}
    lo = max(0, start - CONTEXT_LINES_BEFORE)
    hi = min(len(lines), end + 1 + CONTEXT_LINES_AFTER)
    before, found_before = _side(lines, lo, start, skip, path, language)
    after, found_after = _side(lines, end + 1, hi, skip, path, language)
    original, found_original = redact_lines(list(earlier or ()), path, first_line=start + 1)
    (clean_instruction,), found_instruction = redact_lines([instruction], path, first_line=0)
    return HandoffRequest(
        assistant=assistant,
        path=path,
        language=language or _language_of(path),
        zone=zone,
        level=level,
        instruction=clean_instruction,
        line=start + 1,
        before=_join(_trim(before, from_start=True)),
        after=_join(_trim(after, from_start=False)),
        original=_join(original),
        redactions=tuple(found_before + found_original + found_after + found_instruction),
        indent=_indent_of([*(earlier or ()), *lines[start : end + 1]]),
    )


def replacement_span(
    lines: Sequence[str],
    start: int,
    end: int,
    revert: tuple[int, int, Sequence[str]] | None = None,
) -> tuple[int, int, list[str] | None]:
    """The lines a handoff replaces, and the human text they held before the AI edit.

    ``start..end`` is the AI region. ``revert`` is ``(first, last, earlier)`` when known: the
    AI change rewrote lines ``first..last``, which held ``earlier`` before. Lines the change
    left as they were (the human line an inline completion was appended to) are kept out of
    the span, so the answer never overwrites them.
    """
    if revert is None:
        return start, end, None
    first, last, earlier = revert
    current = list(lines[first : last + 1])
    earlier = list(earlier)
    room = min(len(current), len(earlier))
    head = 0
    while head < room and current[head] == earlier[head]:
        head += 1
    tail = 0
    while tail < room - head and current[-1 - tail] == earlier[-1 - tail]:
        tail += 1
    if first + head > last - tail:  # nothing of the AI text is left between them
        return start, end, None
    return first + head, last - tail, earlier[head : len(earlier) - tail]


def _side(
    lines: Sequence[str],
    lo: int,
    hi: int,
    skip: set[int],
    path: str,
    language: str | None,
) -> tuple[list[str], list[Redaction]]:
    """Lines ``lo..hi-1`` redacted, each run of skipped lines collapsed into one placeholder."""
    window = ["" if i in skip else lines[i] for i in range(lo, hi)]
    redacted, found = redact_lines(window, path, first_line=lo + 1)
    out: list[str] = []
    i = lo
    while i < hi:
        if i not in skip:
            out.append(redacted[i - lo])
            i += 1
            continue
        run = i
        while i < hi and i in skip:
            i += 1
        note = comment_line(
            path, f"... {i - run} line(s) of external AI output omitted ...", language
        )
        if note is not None:
            out.append(_indent_of(lines[run:i]) + note)
    return out, found


def _trim(lines: list[str], *, from_start: bool) -> list[str]:
    """Drop lines at the far end of the context until it fits :data:`MAX_CONTEXT_CHARS`."""
    total = sum(len(line) + 1 for line in lines)
    while lines and total > MAX_CONTEXT_CHARS:
        total -= len(lines.pop(0 if from_start else -1)) + 1
    return lines


def _join(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _indent_of(lines: Sequence[str]) -> str:
    for line in lines:
        if line.strip():
            return line[: len(line) - len(line.lstrip())]
    return ""


def _language_of(path: str) -> str:
    return posixpath.splitext(path)[1].lstrip(".").lower() or "text"
