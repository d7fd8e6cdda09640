"""Gitignore-style glob matching with last-match-wins, on pathspec's fastest available backend.

The hyperscan backend (``pip install ringfence[fast]``) classifies ~100x faster than pathspec's
pure-Python one; both give identical answers (tests/test_globs.py proves it against
``git check-ignore``). ``RINGFENCE_GLOB_BACKEND=simple`` forces the fallback.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import pathspec
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

log = logging.getLogger(__name__)


def _preferred_backend() -> str:
    forced = os.environ.get("RINGFENCE_GLOB_BACKEND")
    if forced:
        return forced
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return "simple"
    return "hyperscan"


BACKEND = _preferred_backend()


def glob_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not an acceptable zone glob, or None if it is."""
    if not pattern.strip():
        return "empty pattern"
    if pattern.startswith("!"):
        return f"negation is not supported in zones: {pattern!r} (use a later zone with a lower level)"
    if ".." in pattern.replace("\\", "/").split("/"):
        return f"pattern climbs out of its directory: {pattern!r}"
    try:
        compiled = GitIgnoreSpecPattern(pattern)
    except Exception as exc:  # pathspec raises its own error types for malformed globs
        return f"bad glob {pattern!r}: {exc}"
    if compiled.regex is None:
        return f"bad glob {pattern!r}: it matches nothing"
    return None


class GlobMatcher:
    """An ordered list of gitignore patterns; ``check`` returns the deciding (last) match."""

    def __init__(self, patterns: Sequence[str], ignore_case: bool = False) -> None:
        self.ignore_case = ignore_case
        lines = [p.lower() for p in patterns] if ignore_case else list(patterns)
        self.backend = BACKEND
        self._spec = self._compile(lines)

    def _compile(self, lines: list[str]) -> pathspec.GitIgnoreSpec | None:
        if not any(lines):
            return None
        if self.backend != "simple":
            try:
                return pathspec.GitIgnoreSpec.from_lines(lines, backend=self.backend)
            except Exception as exc:  # hyperscan rejects a few valid patterns
                log.info("glob backend %s failed (%s); using the pure-Python backend", self.backend, exc)
                self.backend = "simple"
        return pathspec.GitIgnoreSpec.from_lines(lines, backend="simple")

    def check(self, relpath: str) -> tuple[bool | None, int | None]:
        """``(include, index)`` of the last pattern matching ``relpath`` (``/``-separated)."""
        if self._spec is None:
            return None, None
        if self.ignore_case:
            relpath = relpath.lower()
        result = self._spec.check_file(relpath)
        return result.include, result.index

    def last_match(self, relpath: str) -> int | None:
        include, index = self.check(relpath)
        return index if include else None
