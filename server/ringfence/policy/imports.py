"""Existing AI ignore files (SPEC §3.3): each raises the paths it lists to ``[import].level``.

Every file is read with its own tool's rules: gitignore syntax with ``!`` where the tool honours
it; ``.aiexclude`` has no negation and, when empty, covers its whole directory. The block that
``ringfence export`` manages inside these files is skipped, so exports are never imported back.
"""

from __future__ import annotations

from dataclasses import dataclass

from ringfence.policy.globs import GlobMatcher

IGNORE_FILES = (
    ".aiexclude", ".aiignore", ".cursorignore", ".codeiumignore", ".aiderignore",
    ".geminiignore", ".continueignore", ".clineignore", ".rooignore",
)
NO_NEGATION = frozenset({".aiexclude"})
MANAGED_BEGIN = "# >>> ringfence (generated; edit .ringfence.toml instead)"
MANAGED_END = "# <<< ringfence"


@dataclass
class IgnoreFile:
    relpath: str  # repository-relative path of the ignore file
    base: str  # repository-relative directory it applies to
    covers_all: bool
    matcher: GlobMatcher | None
    lines: list[int]  # 1-based line of each pattern, by pattern index

    def rule_for(self, relpath_in_base: str) -> str | None:
        """``FILE:LINE`` (or ``FILE`` for an empty .aiexclude) if the file excludes the path."""
        if self.covers_all:
            return self.relpath
        if self.matcher is None:
            return None
        include, index = self.matcher.check(relpath_in_base)
        if include and index is not None:
            return f"{self.relpath}:{self.lines[index]}"
        return None


def hand_written_lines(text: str) -> list[tuple[int, str]]:
    """``(line number, line)`` of the lines outside ringfence's managed block."""
    out = []
    managed = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped == MANAGED_BEGIN:
            managed = True
        elif stripped == MANAGED_END and managed:
            managed = False
        elif not managed:
            out.append((number, line))
    return out


def parse_ignore_file(name: str, relpath: str, base: str, text: str, ignore_case: bool) -> IgnoreFile:
    has_any_pattern = any(_is_pattern(line) for line in text.splitlines())
    if name == ".aiexclude" and not has_any_pattern:
        return IgnoreFile(relpath, base, True, None, [])
    patterns: list[str] = []
    lines: list[int] = []
    for number, line in hand_written_lines(text):
        if not _is_pattern(line):
            continue
        pattern = line.rstrip("\r\n")
        if not pattern.endswith("\\ "):
            pattern = pattern.rstrip()
        if name in NO_NEGATION and pattern.startswith("!"):
            continue  # the tool ignores negations; honouring them would lower a level
        patterns.append(pattern)
        lines.append(number)
    matcher = GlobMatcher(patterns, ignore_case) if patterns else None
    return IgnoreFile(relpath, base, False, matcher, lines)


def _is_pattern(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")
