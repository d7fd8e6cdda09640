"""Existing AI ignore files (docs/policy.md): each raises the paths it lists to ``[import].level``.

Every file is read with its own tool's rules: gitignore syntax with ``!`` where the tool honours
it (a negation cannot re-include a path below an excluded directory, as in git); ``.aiexclude``
has no negation and, when it holds no pattern, covers its whole directory. The block that
``ringfence export`` manages inside these files is skipped, so exports are never imported back.
The deciding line is the one ``git check-ignore -v`` would name.
"""

from __future__ import annotations

from ringfence.policy.globs import Glob, GlobMatcher, translate_all
from ringfence.policy.record import Record

IGNORE_FILES = (
    ".aiexclude",
    ".aiignore",
    ".cursorignore",
    ".codeiumignore",
    ".aiderignore",
    ".geminiignore",
    ".continueignore",
    ".clineignore",
    ".rooignore",
)
NO_NEGATION = frozenset({".aiexclude"})
MANAGED_BEGIN = "# >>> ringfence (generated; edit .ringfence.toml instead)"
MANAGED_END = "# <<< ringfence"
_UNSET = object()


class IgnoreFile(Record):
    """One AI tool's ignore file, read as a policy source (docs/policy.md)."""

    __slots__ = (
        "relpath",
        "base",
        "covers_all",
        "matcher",
        "lines",
        "globs",
        "skipped",
        "ignore_case",
        "_dirs",
    )

    def __init__(
        self,
        relpath: str,
        base: str,
        covers_all: bool,
        matcher: GlobMatcher | None,
        lines: list[int],
        globs: list[Glob] | None = None,
        skipped: list[tuple[int, str]] | None = None,
        ignore_case: bool = False,
    ) -> None:
        self.relpath = relpath  # repository-relative path of the ignore file
        self.base = base  # repository-relative directory it applies to
        self.covers_all = covers_all
        self.matcher = matcher  # the positive patterns: a quick "certainly not excluded"
        self.lines = lines  # 1-based line of each pattern, by pattern index
        self.globs = [] if globs is None else globs
        self.skipped = [] if skipped is None else skipped  # (line, why) of unusable lines
        self.ignore_case = ignore_case
        self._dirs: dict[str, int | None] = {}

    def rule_for(self, relpath_in_base: str) -> str | None:
        """``FILE:LINE`` (or ``FILE`` for an empty .aiexclude) if the file excludes the path.

        A trailing ``/`` marks a directory.
        """
        if self.covers_all:
            return self.relpath
        if self.matcher is None or self.matcher.last_match(relpath_in_base) is None:
            return None
        index = self.deciding(relpath_in_base, relpath_in_base.endswith("/"))
        return None if index is None else f"{self.relpath}:{self.lines[index]}"

    def deciding(self, rel: str, is_dir: bool) -> int | None:
        """git's algorithm: the outermost excluded parent directory decides, else the last match.

        ``rel`` may end in ``/`` (a directory, asked like ``git check-ignore DIR/``).
        """
        parent, _, _ = rel.rpartition("/")
        if parent:
            excluded = self._dir_excluded(parent)
            if excluded is not None:
                return excluded
        return self._last_exact(rel, is_dir)

    def _dir_excluded(self, directory: str) -> int | None:
        found = self._dirs.get(directory, _UNSET)
        if found is _UNSET:
            found = self.deciding(directory, True)
            self._dirs[directory] = found
        return found  # type: ignore[return-value]

    def _last_exact(self, rel: str, is_dir: bool) -> int | None:
        data = rel.encode("utf-8", "surrogateescape")
        if self.ignore_case:
            data = data.lower()
        for index in range(len(self.globs) - 1, -1, -1):
            glob = self.globs[index]
            if (is_dir or not glob.dir_only) and _exact(glob).search(data):
                return None if glob.negated else index
        return None


def _exact(glob: Glob):
    import re

    compiled = _EXACT.get(glob.exact)
    if compiled is None:
        compiled = _EXACT[glob.exact] = re.compile(glob.exact, re.DOTALL)
    return compiled


_EXACT: dict = {}


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


def parse_ignore_file(
    name: str, relpath: str, base: str, text: str, ignore_case: bool, backend: str | None = None
) -> IgnoreFile:
    text = text.removeprefix("\ufeff")
    has_any_pattern = any(_is_pattern(line) for line in text.splitlines())
    if name == ".aiexclude" and not has_any_pattern:
        return IgnoreFile(relpath, base, True, None, [])
    negation = name not in NO_NEGATION
    globs: list[Glob] = []
    lines: list[int] = []
    skipped: list[tuple[int, str]] = []
    numbered = []
    for number, line in hand_written_lines(text):
        if not _is_pattern(line):
            continue
        pattern = line.rstrip("\r\n")
        if not negation and pattern.startswith("!"):
            continue  # the tool ignores negations; honouring them would lower a level
        numbered.append((number, pattern))
    translated = translate_all([p for _, p in numbered], ignore_case, negation)
    for (number, _), glob in zip(numbered, translated, strict=True):
        if isinstance(glob, str):
            skipped.append((number, glob))
            continue
        globs.append(glob)
        lines.append(number)
    positive = [g.pattern for g in globs if not g.negated]
    matcher = GlobMatcher(positive, ignore_case, backend) if positive else None
    return IgnoreFile(relpath, base, False, matcher, lines, globs, skipped, ignore_case)


def _is_pattern(line: str) -> bool:
    """As git reads ignore files: ``#`` starts a comment only in the first column."""
    line = line.rstrip("\r\n")
    return bool(line.rstrip(" ")) and not line.startswith("#")
