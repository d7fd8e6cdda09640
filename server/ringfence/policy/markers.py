"""In-file markers (docs/policy.md): header and region levels, and provenance comment blocks.

A marker is a whole-line comment whose text starts with ``ringfence:``. Only full comment lines
count, so a string literal that contains the words never does; lines inside Python-style
triple-quoted strings are skipped too.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Collection

from ringfence.policy.comments import syntax_for_text
from ringfence.policy.record import Record

HEADER_LINES = 10
MARKER_WORD = "ringfence:"


class Marker(namedtuple("Marker", "line level reason", defaults=("",))):
    """A header marker on 0-based ``line``: the level of the whole file."""

    __slots__ = ()


class RegionMarker(namedtuple("RegionMarker", "start end level reason", defaults=("",))):
    """``begin LEVEL`` … ``end``: the level of the lines from the begin to the end marker.

    ``start`` and ``end`` are the 0-based lines of the markers (``end``: the last line when
    unclosed).
    """

    __slots__ = ()


class ProvenanceBlock(namedtuple("ProvenanceBlock", "start end tool model", defaults=("",))):
    """``ai-begin tool=… model=…`` … ``ai-end``: AI-written lines tagged inline (comment style)."""

    __slots__ = ()


class MarkerProblem(namedtuple("MarkerProblem", "code line message")):
    """An RF102 (unbalanced region) or RF104 (unknown level) on a 0-based line."""

    __slots__ = ()


class MarkerScan(Record):
    """Every marker of one file, and what is wrong with them."""

    __slots__ = ("header", "regions", "provenance", "problems", "marker_lines")

    def __init__(self) -> None:
        self.header: Marker | None = None
        self.regions: list[RegionMarker] = []
        self.provenance: list[ProvenanceBlock] = []
        self.problems: list[MarkerProblem] = []
        self.marker_lines: set[int] = set()

    def region_levels_at(self, line: int) -> list[RegionMarker]:
        return [r for r in self.regions if r.start <= line <= r.end]


def _marker_pattern(prefixes, blocks) -> re.Pattern[str]:
    openers = [re.escape(p.strip()) for p in prefixes] + [re.escape(o) for o, _ in blocks]
    closers = [re.escape(c) for _, c in blocks]
    close = rf"(?:\s*(?:{'|'.join(closers)}))?" if closers else ""
    return re.compile(
        rf"^[ \t]*(?:{'|'.join(openers)})[ \t]*{re.escape(MARKER_WORD)}"
        rf"[ \t]*(.*?){close}[ \t]*\r?$",
        re.MULTILINE,
    )


_PATTERNS: dict = {}


def _parse_fields(words: list[str]) -> dict[str, str]:
    fields = {}
    for word in words:
        key, eq, value = word.partition("=")
        if eq:
            fields[key] = value
    return fields


def scan_markers(
    path: str, text: str, levels: Collection[str], language_id: str | None = None
) -> MarkerScan:
    """Find every marker in ``text``; unknown levels and unbalanced regions become problems."""
    scan = MarkerScan()
    if MARKER_WORD not in text:
        return scan
    syntax = syntax_for_text(path, text, language_id)
    if syntax is None:
        return scan
    pattern = _PATTERNS.get(syntax)
    if pattern is None:
        pattern = _PATTERNS[syntax] = _marker_pattern(*syntax)
    python_like = "#" in syntax[0]
    open_regions: list[tuple[int, str, str]] = []
    open_ai: tuple[int, dict[str, str]] | None = None
    line = 0
    last_offset = 0
    for match in pattern.finditer(text):
        line += text.count("\n", last_offset, match.start())
        last_offset = match.start()
        if python_like and _inside_triple_quotes(text, match.start()):
            continue
        import shlex

        try:
            words = shlex.split(match.group(1))
        except ValueError:
            words = match.group(1).split()
        if not words:
            continue
        scan.marker_lines.add(line)
        head, fields = words[0], _parse_fields(words[1:])
        reason = fields.get("reason", "")
        if head == "begin":
            level = words[1] if len(words) > 1 else ""
            if level not in levels:
                scan.problems.append(
                    MarkerProblem("RF104", line, f"unknown level {level!r} in region marker")
                )
                level = "internal"  # fail closed: an unreadable region still protects its lines
            open_regions.append((line, level, reason))
        elif head == "end":
            if not open_regions:
                scan.problems.append(
                    MarkerProblem("RF102", line, "'ringfence: end' without a matching begin")
                )
                continue
            start, level, reason = open_regions.pop()
            scan.regions.append(RegionMarker(start, line, level, reason))
        elif head == "ai-begin":
            open_ai = (line, fields)
        elif head == "ai-end":
            if open_ai is not None:
                start, ai_fields = open_ai
                scan.provenance.append(
                    ProvenanceBlock(
                        start, line, ai_fields.get("tool", "unknown"), ai_fields.get("model", "")
                    )
                )
                open_ai = None
        elif head in levels:
            if line >= HEADER_LINES:
                scan.problems.append(
                    MarkerProblem(
                        "RF104", line, f"a header marker must be in the first {HEADER_LINES} lines"
                    )
                )
            elif scan.header is None:
                scan.header = Marker(line, head, reason)
        else:
            scan.problems.append(MarkerProblem("RF104", line, f"unknown level {head!r} in marker"))
    last_line = text.count("\n")
    for start, level, reason in open_regions:
        scan.problems.append(
            MarkerProblem("RF102", start, f"'ringfence: begin {level}' is never closed")
        )
        scan.regions.append(RegionMarker(start, last_line, level, reason))
    return scan


def _inside_triple_quotes(text: str, offset: int) -> bool:
    before = text[:offset]
    return (before.count('"""') % 2 == 1) or (before.count("'''") % 2 == 1)
