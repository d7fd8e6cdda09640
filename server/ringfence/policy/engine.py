"""The policy engine: classify any path of a repository (SPEC §3.2 precedence, §3.4 fields).

Policy files and AI ignore files are found lazily, one directory listing per directory on the
way from the root to the path, and cached; so classifying one path (a hook) costs a handful of
system calls, and classifying 100,000 (``explain --stdin``) shares the work.
"""

from __future__ import annotations

import logging
import os
import posixpath
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ringfence.errors import PolicyError
from ringfence.policy.globs import GlobMatcher
from ringfence.policy.imports import IGNORE_FILES, IgnoreFile, parse_ignore_file
from ringfence.policy.levels import INTERNAL, OPEN, Level, strictest
from ringfence.policy.loader import ParsedPolicy, parse_policy, parse_user_assistant
from ringfence.policy.markers import MarkerScan, scan_markers
from ringfence.policy.model import AssistantConfig, Decision, RepoSettings, Zone
from ringfence.policy.toml_positions import KeyPositions
from ringfence.policy.paths import clean, find_root, relative_to, volume_is_case_insensitive

log = logging.getLogger(__name__)

POLICY_FILE = ".ringfence.toml"
PYPROJECT = "pyproject.toml"
MAX_MARKER_BYTES = 8 * 1024 * 1024  # larger files: only the header lines are read for markers
_WATCHED_NAMES = frozenset({POLICY_FILE, *IGNORE_FILES})


def user_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "ringfence"


@dataclass
class _Source:
    parsed: ParsedPolicy
    matcher: GlobMatcher | None
    pattern_zone: list[int]


@dataclass
class FileView:
    """A path's decision together with its markers: what the editor and hooks act on."""

    decision: Decision
    markers: MarkerScan
    levels: dict[str, Level]

    def level_at(self, line: int) -> Level:
        """The level of one 0-based line: the file's level raised by enclosing region markers."""
        return self.levels_for(line, line)

    def levels_for(self, first: int, last: int) -> Level:
        """The strictest level over a 0-based inclusive line span."""
        level = self.decision.level
        for region in self.markers.regions:
            if region.start <= last and first <= region.end:
                level = strictest(level, self.levels.get(region.level, INTERNAL))
        return level


class Policy:
    """The loaded policy of one repository."""

    def __init__(self, root: str | os.PathLike[str], *, use_user_config: bool = True) -> None:
        self.root = clean(os.fspath(root), os.getcwd())
        self.root_real = clean(os.path.realpath(self.root), "/")
        self.errors: list[PolicyError] = []
        self.warnings: list[str] = []
        self._dir_names: dict[str, frozenset[str]] = {}
        self._sources: dict[str, _Source | None] = {}
        self._ignores: dict[str, list[IgnoreFile]] = {}
        self._real_dirs: dict[str, str] = {}
        self.root_file: str | None = None
        self.root_failed = False
        self.ignore_case = volume_is_case_insensitive(self.root)
        self.settings = self._load_root()
        self.user_assistant = self._load_user_assistant() if use_user_config else None

    # ----- loading -------------------------------------------------------------------------

    @classmethod
    def for_path(cls, path: str, **kwargs) -> Policy:
        return cls(find_root(path), **kwargs)

    def _read(self, relpath: str) -> str | None:
        try:
            with open(posixpath.join(self.root, relpath), encoding="utf-8") as handle:
                return handle.read()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.errors.append(PolicyError(f"cannot read policy file: {exc}", relpath, 1, 1))
            self.root_failed = self.root_failed or relpath in (POLICY_FILE, PYPROJECT)
            return None

    def _load_root(self) -> RepoSettings:
        toml_text = self._read(POLICY_FILE)
        py_text = self._read(PYPROJECT)
        parsed_py = None
        if py_text is not None:
            parsed_py = parse_policy(py_text, PYPROJECT, "", is_root=True, pyproject=True)
            if not parsed_py.present:
                parsed_py = None
        parsed = None
        if toml_text is not None:
            parsed = parse_policy(toml_text, POLICY_FILE, "", is_root=True)
            if parsed_py is not None:
                line = KeyPositions(py_text, ("tool", "ringfence")).find(())[0]
                parsed.errors.append(PolicyError(
                    "both .ringfence.toml and [tool.ringfence] in pyproject.toml: keep one", PYPROJECT, line, 1))
        else:
            parsed = parsed_py
        if parsed is None:
            self._sources[""] = None
            return RepoSettings()
        self.root_file = parsed.relpath
        self.ignore_case = self.ignore_case or bool(parsed.settings and parsed.settings.ignore_case)
        self._add_source("", parsed)
        if parsed.errors:
            self.root_failed = True
        return parsed.settings or RepoSettings()

    def _add_source(self, reldir: str, parsed: ParsedPolicy) -> _Source:
        self.errors.extend(parsed.errors)
        patterns: list[str] = []
        pattern_zone: list[int] = []
        for index, zone in enumerate(parsed.zones):
            patterns.extend(zone.patterns)
            pattern_zone.extend([index] * len(zone.patterns))
        matcher = GlobMatcher(patterns, self.ignore_case) if patterns else None
        source = _Source(parsed, matcher, pattern_zone)
        self._sources[reldir] = source
        return source

    def _load_user_assistant(self) -> AssistantConfig | None:
        path = user_config_dir() / "config.toml"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.warnings.append(f"{path}: cannot read user config: {exc}")
            return None
        assistant, errors = parse_user_assistant(text, str(path))
        self.warnings.extend(str(e) for e in errors)
        return assistant if not errors else None

    def _names_in(self, reldir: str) -> frozenset[str]:
        names = self._dir_names.get(reldir)
        if names is None:
            try:
                with os.scandir(posixpath.join(self.root, reldir) if reldir else self.root) as entries:
                    names = frozenset(e.name for e in entries if e.name in _WATCHED_NAMES)
            except OSError:
                names = frozenset()
            self._dir_names[reldir] = names
        return names

    def _source_at(self, reldir: str) -> _Source | None:
        if reldir in self._sources:
            return self._sources[reldir]
        if POLICY_FILE not in self._names_in(reldir):
            self._sources[reldir] = None
            return None
        relpath = f"{reldir}/{POLICY_FILE}"
        text = self._read(relpath)
        if text is None:
            self._sources[reldir] = None
            return None
        parsed = parse_policy(text, relpath, reldir, is_root=False, levels=self.settings.levels)
        return self._add_source(reldir, parsed)

    def _ignores_at(self, reldir: str) -> list[IgnoreFile]:
        found = self._ignores.get(reldir)
        if found is None:
            found = []
            for name in sorted(self._names_in(reldir) & set(IGNORE_FILES)):
                relpath = f"{reldir}/{name}" if reldir else name
                try:
                    with open(posixpath.join(self.root, relpath), encoding="utf-8", errors="replace") as handle:
                        text = handle.read()
                except OSError as exc:
                    self.warnings.append(f"{relpath}: cannot read: {exc}")
                    continue
                found.append(parse_ignore_file(name, relpath, reldir, text, self.ignore_case))
            self._ignores[reldir] = found
        return found

    def discover_all(self) -> list[ParsedPolicy]:
        """Load every policy file of the repository (for validation, ``check`` and ``export``)."""
        for directory, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if d != ".git")
            if POLICY_FILE in filenames:
                rel = relative_to(clean(directory, "/"), self.root) or ""
                self._source_at(rel)
        return self.policy_files()

    def policy_files(self) -> list[ParsedPolicy]:
        """The policy files loaded so far, root first."""
        return [s.parsed for _, s in sorted(self._sources.items(), key=lambda kv: kv[0].count("/") + bool(kv[0])) if s]

    # ----- questions -----------------------------------------------------------------------

    def level(self, name: str) -> Level:
        return self.settings.levels.get(name, INTERNAL)

    @property
    def assistant(self) -> AssistantConfig | None:
        """The in-house assistant: the user's own config wins over the repository's."""
        return self.user_assistant or self.settings.assistant

    def is_inhouse(self, tool: str | None) -> bool:
        if not tool:
            return False
        tool = tool.lower()
        assistant = self.assistant
        return tool in self.settings.inhouse_tools or (assistant is not None and tool == assistant.name)

    def relpath(self, path: str, cwd: str | None = None) -> str | None:
        """The repository-relative form of ``path`` (None when it lies outside the repository)."""
        absolute = clean(path, cwd or os.getcwd())
        rel = relative_to(absolute, self.root, self.ignore_case)
        if rel is None:
            rel = relative_to(absolute, self.root_real, self.ignore_case)
        return rel

    # ----- classification ------------------------------------------------------------------

    def classify(self, path: str, *, cwd: str | None = None) -> Decision:
        """SPEC §3.4 for one path, from its path alone plus its header marker when it exists."""
        return self.view(path, cwd=cwd).decision

    def view(
        self, path: str, *, cwd: str | None = None, content: str | None = None,
        language_id: str | None = None,
    ) -> FileView:
        """Classify ``path`` and read its markers (from ``content`` or from disk)."""
        absolute = clean(path, cwd or os.getcwd())
        exists, is_dir, real = self._stat(absolute)
        candidates = [self.relpath(absolute, "/")]
        if real is not None and real != absolute:
            candidates.append(self.relpath(real, "/"))
        decision: Decision | None = None
        for rel in candidates:
            if rel is None:
                continue
            found = self._classify_rel(rel, is_dir)
            if decision is None or found.level.rank > decision.level.rank:
                decision = found
        if decision is None:
            decision = Decision(path, None, OPEN, None, "", "", "default", None, exists)
        decision.path, decision.exists = path, exists
        if content is None and exists and not is_dir and decision.relpath is not None:
            content = _read_text(absolute)
        markers = MarkerScan()
        if content and decision.relpath is not None:
            markers = scan_markers(decision.relpath, content, self.settings.levels, language_id)
            self._apply_header(decision, markers)
        return FileView(decision, markers, self.settings.levels)

    def _stat(self, absolute: str) -> tuple[bool, bool, str | None]:
        """``(exists, is_dir, resolved path)``; the directory part resolves once per directory."""
        parent, name = posixpath.split(absolute)
        real_parent = self._real_dirs.get(parent)
        if real_parent is None:
            real_parent = self._real_dirs[parent] = clean(os.path.realpath(parent), "/")
        try:
            info = os.lstat(absolute)
        except (OSError, ValueError):
            return False, False, posixpath.join(real_parent, name)
        if stat.S_ISLNK(info.st_mode):
            real = clean(os.path.realpath(absolute), "/")
            return os.path.exists(real), os.path.isdir(real), real
        return True, stat.S_ISDIR(info.st_mode), posixpath.join(real_parent, name)

    def _classify_rel(self, rel: str, is_dir: bool = False) -> Decision:
        if not rel.isascii():
            rel = unicodedata.normalize("NFC", rel)
        parts = rel.split("/") if rel else []
        dirs = [""] + ["/".join(parts[:i]) for i in range(1, len(parts))]
        zone: Zone | None = None
        floor: Zone | None = None
        notes: list[str] = []
        failed = self.root_failed
        import_rule: str | None = None
        for reldir in dirs:
            sub = rel[len(reldir) + 1:] if reldir else rel
            if is_dir:
                sub += "/"
            source = self._source_at(reldir)
            if source is not None:
                failed = failed or bool(source.parsed.errors)
                index = source.matcher.last_match(sub) if source.matcher else None
                if index is not None:
                    candidate = source.parsed.zones[source.pattern_zone[index]]
                    if floor is not None and self.level(candidate.level).rank < self.level(floor.level).rank:
                        notes.append(f"RF101: zone {candidate.name!r} ({candidate.rule}) is below the locked "
                                     f"zone {floor.name!r} ({floor.rule}) and is ignored")
                    else:
                        zone = candidate
                        if zone.locked:
                            floor = zone
            if self.settings.import_enabled:
                for ignore in self._ignores_at(reldir):
                    import_rule = ignore.rule_for(sub) or import_rule
        if zone is not None:
            decision = Decision(rel, rel, self.level(zone.level), zone, zone.reason, zone.owner, "zone",
                                zone.rule, False, notes=notes)
        else:
            decision = Decision(rel, rel, self.level(self.settings.default), None, "", "", "default", None,
                                False, notes=notes)
        if import_rule is not None:
            imported = self.level(self.settings.import_level)
            if imported.rank > decision.level.rank:
                decision.level, decision.source, decision.rule = imported, "import", import_rule
                decision.reason = f"listed in {import_rule.rsplit(':', 1)[0] if ':' in import_rule else import_rule}"
        if failed:
            decision.error = "the policy is invalid; failing closed at 'internal' until it is fixed"
            decision.level = strictest(decision.level, INTERNAL)
        return decision

    def _apply_header(self, decision: Decision, markers: MarkerScan) -> None:
        header = markers.header
        if header is None:
            return
        level = self.level(header.level)
        rule = f"{decision.relpath}:{header.line + 1}"
        if level.rank > decision.level.rank:
            decision.level, decision.source, decision.rule = level, "marker", rule
            decision.reason = header.reason or f"marked {level.name} in the file"
        elif level.rank < decision.level.rank:
            decision.notes.append(f"RF104: marker {header.level!r} cannot lower the {decision.level.name} level")

    def floor_violations(self) -> list[tuple[Zone, Zone]]:
        """Zones of deeper files that would lower a locked floor (static check for RF101)."""
        found = []
        for parsed in self.policy_files():
            if not parsed.base:
                continue
            for zone in parsed.zones:
                for pattern in zone.patterns:
                    sample = f"{parsed.base}/{representative_path(pattern)}"
                    floor = self._floor_for(sample, parsed.base)
                    if floor is not None and self.level(zone.level).rank < self.level(floor.level).rank:
                        found.append((zone, floor))
                        break
        return found

    def _floor_for(self, rel: str, below: str) -> Zone | None:
        parts = rel.split("/")
        floor = None
        for i in range(len(parts)):
            reldir = "/".join(parts[:i])
            if reldir == below or (below and not below.startswith(reldir)):
                break
            source = self._source_at(reldir)
            if source is None or source.matcher is None:
                continue
            index = source.matcher.last_match(rel[len(reldir) + 1:] if reldir else rel)
            if index is not None:
                zone = source.parsed.zones[source.pattern_zone[index]]
                if zone.locked:
                    floor = zone
        return floor


def representative_path(pattern: str) -> str:
    """A concrete path the glob matches, to test it against other zones."""
    out, i = [], 0
    pattern = pattern.lstrip("/")
    while i < len(pattern):
        ch = pattern[i]
        if ch == "[":
            end = pattern.find("]", i + 2)
            body = pattern[i + 1:end] if end != -1 else "x"
            out.append("x" if body[:1] in "!^" else body[:1])
            i = end + 1 if end != -1 else i + 1
        elif ch in "*?":
            out.append("x")
            while i + 1 < len(pattern) and pattern[i + 1] == "*":
                i += 1
            i += 1
        else:
            out.append(ch)
            i += 1
    text = "".join(out)
    return text + "x" if text.endswith("/") else text


def _read_text(path: str) -> str | None:
    """A file's text for marker scanning; None for binary files, only the head of huge ones."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_MARKER_BYTES + 1)
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    if len(data) > MAX_MARKER_BYTES:
        data = b"\n".join(data.split(b"\n", 10)[:10])
    return data.decode("utf-8", errors="replace")
