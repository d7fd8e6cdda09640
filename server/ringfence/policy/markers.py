"""In-file markers (SPEC §3.3): header and region levels, and provenance comment blocks.

A marker is a whole-line comment whose text starts with ``ringfence:``. Only full comment lines
count, so a string literal that contains the words never does; lines inside Python-style
triple-quoted strings are skipped too.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from ringfence.policy.comments import syntax_for_text

HEADER_LINES = 10
MARKER_WORD = "ringfence:"


@dataclass(frozen=True)
class Marker:
    """A header marker: the level of the whole file."""

    line: int  # 0-based
    level: str
    reason: str = ""


@dataclass(frozen=True)
class RegionMarker:
    """``begin LEVEL`` … ``end``: the level of the lines from the begin to the end marker."""

    start: int  # 0-based line of the begin marker
    end: int  # 0-based line of the end marker (the last line when unclosed)
    level: str
    reason: str = ""


@dataclass(frozen=True)
class ProvenanceBlock:
    """``ai-begin tool=… model=…`` … ``ai-end``: AI-written lines tagged inline (style = comment)."""

    start: int
    end: int
    tool: str
    model: str = ""


@dataclass(frozen=True)
class MarkerProblem:
    code: str  # RF102 | RF104
    line: int  # 0-based
    message: str


@dataclass
class MarkerScan:
    header: Marker | None = None
    regions: list[RegionMarker] = field(default_factory=list)
    provenance: list[ProvenanceBlock] = field(default_factory=list)
    problems: list[MarkerProblem] = field(default_factory=list)
    marker_lines: set[int] = field(default_factory=set)

    def region_levels_at(self, line: int) -> list[RegionMarker]:
        return [r for r in self.regions if r.start <= line <= r.end]


def _marker_pattern(prefixes, blocks) -> re.Pattern[str]:
    openers = [re.escape(p.strip()) for p in prefixes] + [re.escape(o) for o, _ in blocks]
    closers = [re.escape(c) for _, c in blocks]
    close = rf"(?:\s*(?:{'|'.join(closers)}))?" if closers else ""
    return re.compile(
        rf"^[ \t]*(?:{'|'.join(openers)})[ \t]*{re.escape(MARKER_WORD)}[ \t]*(.*?){close}[ \t]*\r?$",
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
                scan.problems.append(MarkerProblem("RF104", line, f"unknown level {level!r} in region marker"))
                level = "internal"  # fail closed: an unreadable region still protects its lines
            open_regions.append((line, level, reason))
        elif head == "end":
            if not open_regions:
                scan.problems.append(MarkerProblem("RF102", line, "'ringfence: end' without a matching begin"))
                continue
            start, level, reason = open_regions.pop()
            scan.regions.append(RegionMarker(start, line, level, reason))
        elif head == "ai-begin":
            open_ai = (line, fields)
        elif head == "ai-end":
            if open_ai is not None:
                start, ai_fields = open_ai
                scan.provenance.append(
                    ProvenanceBlock(start, line, ai_fields.get("tool", "unknown"), ai_fields.get("model", ""))
                )
                open_ai = None
        elif head in levels:
            if line >= HEADER_LINES:
                scan.problems.append(
                    MarkerProblem("RF104", line, f"a header marker must be in the first {HEADER_LINES} lines")
                )
            elif scan.header is None:
                scan.header = Marker(line, head, reason)
        else:
            scan.problems.append(MarkerProblem("RF104", line, f"unknown level {head!r} in marker"))
    last_line = text.count("\n")
    for start, level, reason in open_regions:
        scan.problems.append(MarkerProblem("RF102", start, f"'ringfence: begin {level}' is never closed"))
        scan.regions.append(RegionMarker(start, last_line, level, reason))
    return scan


def _inside_triple_quotes(text: str, offset: int) -> bool:
    before = text[:offset]
    return (before.count('"""') % 2 == 1) or (before.count("'''") % 2 == 1)
