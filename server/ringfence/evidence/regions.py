"""AI regions of one document and how they follow edits (docs/lsp.md). Pure: no LSP, no I/O.

A region is a 0-based inclusive span of whole lines. Every content change is described once, in
line terms, as a :class:`TextChange` (the replaced range on the document as it was, the inserted
text, and the line count difference); :func:`map_span` moves a region through it:

- lines above the change keep their numbers, lines below shift by the line difference;
- a line whose whole content the change deletes is gone (an empty line: when its line break
  goes); a partly changed line stays in the region;
- the region spans its first to its last surviving line, so text typed between two AI lines
  stays inside it; a region with no surviving line disappears.

Positions here are code points (what Python indexes); the language server converts client
position encodings (UTF-8/16/32) before it builds a :class:`TextChange`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import count

from ringfence.evidence.hashing import content_hash

SOURCES = ("client", "agent", "heuristic", "trace", "history")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
MAX_HASH_SCAN_LINES = 2_000_000  # line hashes one re-find may compute before giving up


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split only where LSP breaks lines (``\\n``, ``\\r\\n``, ``\\r``).

    ``str.splitlines`` also splits at form feeds and U+2028, which would shift every line
    number after them relative to the editor's.
    """
    if not _OTHER_BREAKS.search(text):
        return text.splitlines(True)
    return _LINE.findall(text)


def line_content(line: str) -> str:
    """A line without its line break (a line holds no break character anywhere else)."""
    return line.rstrip("\r\n")


def lsp_line_count(lines: Sequence[str]) -> int:
    """Lines as the editor counts them: text ending in a line break has an empty last line."""
    if not lines or lines[-1][-1:] in ("\n", "\r"):
        return len(lines) + 1
    return len(lines)


@dataclass(frozen=True)
class TextChange:
    """One content change, on the document as it was before it (positions in code points)."""

    start_line: int
    start_char: int
    end_line: int
    end_char: int
    text: str
    line_delta: int  # lines after the change minus lines before
    end_len: int  # content length of the old end line (without its break)
    old_text: str  # the old whole lines start_line..end_line, with their breaks
    new_text: str  # the new whole lines start_line..new_end_line, with their breaks
    version: int | None = None

    @property
    def new_end_line(self) -> int:
        """The new line holding what followed the replaced range on the old end line."""
        return self.end_line + self.line_delta

    def inserted_span(self) -> tuple[int, int] | None:
        """The new lines that hold inserted characters (None when the change inserts none)."""
        if not self.text:
            return None
        first = self.start_line + (self.text[0] in "\r\n")
        last = self.new_end_line - (self.text[-1] in "\r\n")
        return (first, last) if first <= last else None

    def inserted_line_count(self) -> int:
        span = self.inserted_span()
        return 0 if span is None else span[1] - span[0] + 1


def map_span(first: int, last: int, change: TextChange) -> tuple[int, int] | None:
    """Where the lines ``first..last`` are after ``change``; None when none of them survives."""
    s, e, delta = change.start_line, change.end_line, change.line_delta
    if last < s:
        return first, last
    if first > e:
        return first + delta, last + delta
    covered: list[int] = []
    if first < s:
        covered += [first, min(last, s - 1)]
    if first <= s <= last:
        covered += _start_line_after(change)
    if s != e and first <= e <= last and (change.end_char < change.end_len or change.end_len == 0):
        covered.append(change.new_end_line)
    if last > e:
        covered += [max(first, e + 1) + delta, last + delta]
    return (min(covered), max(covered)) if covered else None


def _start_line_after(change: TextChange) -> list[int]:
    """Where the change's first line went, if it survived."""
    if change.start_line != change.end_line:
        return [change.start_line] if change.start_char > 0 else []
    keeps_prefix = change.start_char > 0
    keeps_suffix = change.end_char < change.end_len
    if keeps_prefix or keeps_suffix:
        return [change.start_line] * keeps_prefix + [change.new_end_line] * keeps_suffix
    if change.end_len == 0 and change.start_char == change.end_char:
        return [change.new_end_line]  # text typed into an empty line: the line stays
    return []


@dataclass
class Revert:
    """What ``Revert AI edit`` restores: the text the AI change replaced.

    The change rewrote whole lines ``start - lead .. end + trail`` of its region; while those
    lines still hash to ``after_hash`` the region is unchanged and ``earlier`` replaces them.
    """

    earlier: str
    after_hash: str
    lead: int = 0
    trail: int = 0


@dataclass
class Region:
    """One AI region: a line span with its origin and provenance state."""

    id: str
    start: int  # 0-based inclusive
    end: int
    tool: str
    source: str = "client"  # client | agent | heuristic | trace | history
    model: str = ""
    time: str = ""
    version: int | None = None  # the document version the evidence refers to
    pending: bool = False  # a heuristic guess still inside the client's grace period
    tagged_hash: str | None = None  # content hash a provenance record covers
    reviewed_hash: str | None = None  # content hash a review record covers
    revert: Revert | None = None
    journaled: tuple[int, int, str] | None = None  # (start, end, hash) last written to the journal
    revision: int = 0  # bumped whenever an edit touches the region's lines
    _hash: str | None = field(default=None, repr=False)

    def span(self) -> tuple[int, int]:
        return self.start, self.end

    def line_count(self) -> int:
        return self.end - self.start + 1

    def content_hash(self, lines: Sequence[str]) -> str:
        """The hash of the region's current lines (cached until an edit touches them)."""
        if self._hash is None:
            self._hash = content_hash(lines[self.start : self.end + 1])
        return self._hash

    def touched(self) -> None:
        self._hash = None
        self.revision += 1

    def state(self, lines: Sequence[str]) -> str:
        """``tagged`` | ``reviewed`` | ``untagged``: a record counts while its hash matches."""
        current = self.content_hash(lines) if (self.tagged_hash or self.reviewed_hash) else None
        if self.tagged_hash is not None and self.tagged_hash == current:
            return "tagged"
        if self.reviewed_hash is not None and self.reviewed_hash == current:
            return "reviewed"
        return "untagged"

    def revert_span(self) -> tuple[int, int] | None:
        if self.revert is None:
            return None
        return self.start - self.revert.lead, self.end + self.revert.trail

    def can_revert(self, lines: Sequence[str]) -> bool:
        """True while the earlier text is known and the lines the change wrote are untouched."""
        span = self.revert_span()
        if span is None or span[0] < 0 or self.revert is None:
            return False
        return content_hash(lines[span[0] : span[1] + 1]) == self.revert.after_hash


def region_from_change(change: TextChange) -> tuple[int, int, Revert] | None:
    """The region an AI change creates (its inserted lines) and how to revert it."""
    span = change.inserted_span()
    if span is None:
        return None
    first, last = span
    whole_last = change.new_end_line
    revert = Revert(
        earlier=change.old_text,
        after_hash=content_hash(split_lines(change.new_text)),
        lead=first - change.start_line,
        trail=whole_last - last,
    )
    return first, last, revert


class RegionSet:
    """The AI regions of one open document, kept in step with its edits."""

    def __init__(self) -> None:
        self._regions: dict[str, Region] = {}
        self._ids = count(1)

    def __iter__(self) -> Iterator[Region]:
        return iter(sorted(self._regions.values(), key=lambda r: (r.start, r.end)))

    def __len__(self) -> int:
        return len(self._regions)

    def get(self, region_id: str) -> Region | None:
        return self._regions.get(region_id)

    def add(self, start: int, end: int, tool: str, **fields) -> Region:
        region = Region(f"r{next(self._ids)}", start, end, tool or "unknown", **fields)
        self._regions[region.id] = region
        return region

    def remove(self, region_id: str) -> Region | None:
        return self._regions.pop(region_id, None)

    def find(self, start: int, end: int) -> Region | None:
        """A region with exactly this span."""
        return next((r for r in self._regions.values() if r.start == start and r.end == end), None)

    def overlapping(self, first: int, last: int) -> list[Region]:
        return [r for r in self if r.start <= last and first <= r.end]

    def apply(self, change: TextChange) -> list[Region]:
        """Move every region through ``change``; returns the regions that disappeared."""
        gone = []
        s, e, delta = change.start_line, change.end_line, change.line_delta
        for region in list(self._regions.values()):
            if region.end < s:
                continue
            if region.start > e:
                region.start += delta
                region.end += delta
                continue
            moved = map_span(region.start, region.end, change)
            region.touched()
            if moved is None:
                gone.append(self._regions.pop(region.id))
            else:
                region.start, region.end = moved
        return gone


def find_by_hash(
    lines: Sequence[str], hint: int, length: int, wanted: str, budget: int = MAX_HASH_SCAN_LINES
) -> int | None:
    """The 0-based start of ``length`` lines hashing to ``wanted``, nearest to ``hint`` first."""
    total = len(lines)
    if length <= 0 or length > total:
        return None
    last_start = total - length
    hint = min(max(hint, 0), last_start)
    for distance in range(0, last_start + 1):
        if budget < length:
            return None
        for start in (hint,) if distance == 0 else (hint - distance, hint + distance):
            if 0 <= start <= last_start:
                budget -= length
                if content_hash(lines[start : start + length]) == wanted:
                    return start
        if hint - distance < 0 and hint + distance > last_start:
            break
    return None
