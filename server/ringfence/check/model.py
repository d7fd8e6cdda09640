"""The data ``ringfence check`` and ``trace manifest`` pass: AI regions, findings, notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITY_RANK = {"note": 0, "warning": 1, "error": 2}


@dataclass
class Region:
    """An AI-authored line range found by one evidence source.

    ``start``/``end`` are 1-based inclusive lines of the file as it is in the scope, or None
    for file-level evidence (binary files, events without line ranges).
    """

    path: str
    start: int | None
    end: int | None
    tool: str
    model: str
    source: str  # agent | client | heuristic | trace | comment | history
    state: str = "untagged"  # untagged | tagged | reviewed
    content_hash: str = ""
    matched: bool = True  # the recorded content was found (or there was nothing to verify)
    recorded: tuple[int, int] | None = None  # where the record put it, when that differs
    snapshot: bool = False  # an editor save: superseded (dropped) when its text is gone
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def file_level(self) -> bool:
        return self.start is None


@dataclass
class Finding:
    """One violation: AI lines where the policy denies them or wants a tag that is missing."""

    code: str  # RF001 | RF002 | RF003 | RF005 | RF010
    severity: str  # error | warning
    path: str
    start: int | None
    end: int | None
    message: str
    tool: str
    model: str
    source: str
    level: str
    zone: str | None
    reason: str
    owner: str
    rule: str | None  # FILE:LINE of the deciding zone or marker
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "start": self.start,
            "end": self.end,
            "message": self.message,
            "tool": self.tool,
            "model": self.model or None,
            "source": self.source,
            "level": self.level,
            "zone": self.zone,
            "reason": self.reason or None,
            "owner": self.owner or None,
            "rule": self.rule,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Notice:
    """Something the reader must know about the run itself (partial history, skipped input)."""

    level: str  # warning | note
    text: str
    partial: bool = False  # evidence was lost: results are incomplete


@dataclass
class Report:
    scope: str
    label: str
    findings: list[Finding]
    notices: list[Notice]
    files_checked: int = 0
    regions: int = 0

    @property
    def partial(self) -> bool:
        return any(n.partial for n in self.notices)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def fails(self, fail_on: str) -> bool:
        return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on] for f in self.findings)
