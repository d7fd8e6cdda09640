"""The policy engine: classify any path of a repository (docs/policy.md).

Policy files and AI ignore files are found lazily, one directory listing per existing directory
on the way from the root to the path, and cached; so classifying one path (a hook) costs a
handful of system calls. :meth:`Policy.classify_many` classifies many paths (``explain
--stdin``) with the same answers: the common case (a clean relative path to a plain file, or to
nothing, under the root policy alone) is decided for all paths in one glob scan, with decision
objects shared between paths; every other path goes the single-path way.
"""

from __future__ import annotations

import itertools
import operator
import os
import posixpath
import stat
from collections import namedtuple
from collections.abc import Sequence

from ringfence.errors import PolicyError
from ringfence.lazylog import LazyLogger
from ringfence.policy.comments import may_have_markers
from ringfence.policy.files import read_regular
from ringfence.policy.globs import UNCLEAN, GlobMatcher
from ringfence.policy.imports import IGNORE_FILES, IgnoreFile, parse_ignore_file
from ringfence.policy.levels import INTERNAL, OPEN, Level, stricter_of, strictest
from ringfence.policy.loader import ParsedPolicy, parse_policy_cached, parse_user_assistant
from ringfence.policy.markers import HEADER_LINES, MarkerProblem, MarkerScan, scan_markers
from ringfence.policy.model import AssistantConfig, Decision, RepoSettings, Zone
from ringfence.policy.paths import (
    WINDOWS,
    clean,
    enclosing_root,
    find_root,
    kernel_path,
    relative_to,
    separators,
    volume_is_case_insensitive,
)
from ringfence.policy.record import Record
from ringfence.policy.toml_positions import KeyPositions
from ringfence.policy.tools import ToolVerdict, for_tool

log = LazyLogger(__name__)

POLICY_FILE = ".ringfence.toml"
PYPROJECT = "pyproject.toml"
MAX_MARKER_BYTES = 8 * 1024 * 1024  # larger files: only the header lines are read for markers
MAX_POLICY_BYTES = (
    16 * 1024 * 1024
)  # a policy, ignore or user config file larger than this is not read
HEAD_BYTES = 64 * 1024  # how much of a file classify() reads to find a header marker
FAIL_CLOSED = "the policy is invalid; failing closed at 'internal' until it is fixed"
_IGNORE_NAMES = frozenset(IGNORE_FILES)
_WATCHED_NAMES = frozenset({POLICY_FILE, *IGNORE_FILES, ".git"})
_NO_ZONES = GlobMatcher([])  # classifies nothing: flags unclean paths for a policy without zones
_UNLOADED = object()


def user_config_dir() -> str:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "ringfence")


class _Source(namedtuple("_Source", "parsed matcher pattern_zone")):
    """A loaded policy file and the matcher of all its zones' patterns, in file order.

    ``pattern_zone[i]`` is the index in ``parsed.zones`` of the zone of the matcher's pattern i.
    """

    __slots__ = ()

    def zone_for(self, sub: str) -> Zone | None:
        """The deciding zone of this file for ``sub`` (relative to its directory)."""
        index = self.matcher.last_match(sub) if self.matcher is not None else None
        return None if index is None else self.parsed.zones[self.pattern_zone[index]]


class _Dir(namedtuple("_Dir", "real exists sources ignores kinds reldir", defaults=(None, None))):
    """What classifying a path needs to know about its directory (cached per directory).

    - ``real``: resolved absolute path (symlinks followed; for a missing directory, as far as
      known);
    - ``sources``, ``ignores``: (NFC reldir, policy file or imported ignore file) from the root
      down;
    - ``kinds``: for an existing directory of the repository, its entries' kinds;
    - ``reldir``: its path in the repository, as spelled on disk (None: outside).
    """

    __slots__ = ()


class FileView(namedtuple("FileView", "decision markers levels")):
    """A path's decision together with its markers: what the editor and hooks act on.

    ``levels`` are the repository's levels by name (region markers name them).
    """

    __slots__ = ()

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


class Batch(Record):
    """:meth:`Policy.classify_many`'s answers before they are copied into one Decision per path.

    ``decisions[i]`` may be shared by many paths: its ``path`` and ``exists`` are not path i's;
    :meth:`decision` gives path i's own copy. ``shared`` holds every decision object, by id().
    """

    __slots__ = ("paths", "decisions", "relpaths", "exists", "shared")

    def __init__(
        self,
        paths: Sequence[str],
        decisions: list[Decision],
        relpaths: list[str | None],
        exists: list[bool],
    ) -> None:
        self.paths = paths
        self.decisions = decisions
        self.relpaths = relpaths
        self.exists = exists
        self.shared: dict[int, Decision] = {}

    def decision(self, i: int) -> Decision:
        own = self.decisions[i].copy()
        own.path, own.relpath, own.exists = self.paths[i], self.relpaths[i], self.exists[i]
        return own


class Policy:
    """The loaded policy of one repository."""

    def __init__(self, root: str | os.PathLike[str], *, use_user_config: bool = True) -> None:
        self.root = clean(os.fspath(root), os.getcwd())
        self.root_real = clean(os.path.realpath(self.root), "/")
        self.errors: list[PolicyError] = []
        self.warnings: list[str] = []
        self._listings: dict[str, tuple[frozenset[str], dict[str, str] | None]] = {}
        self._sources: dict[str, _Source | None] = {}
        self._ignores: dict[str, list[IgnoreFile]] = {}
        self._dirs: dict[str, _Dir] = {}
        self._templates: dict[tuple, Decision] = {}
        self.root_file: str | None = None
        self.root_failed = False
        self.ignore_case = volume_is_case_insensitive(self.root)
        self.settings = self._load_root()
        self.user_assistant = self._load_user_assistant() if use_user_config else None
        self._use_user_config = use_user_config
        # the repository around this one, whose policy keeps applying here (raise-only)
        self.outer_root = enclosing_root(self.root)
        self._outer: object = _UNLOADED

    @property
    def outer(self) -> Policy | None:
        """The policy of the enclosing repository (loaded on first use), None without one."""
        if self._outer is _UNLOADED:
            self._outer = (
                Policy(self.outer_root, use_user_config=self._use_user_config)
                if self.outer_root is not None
                else None
            )
        return self._outer  # type: ignore[return-value]

    # ----- loading -------------------------------------------------------------------------

    @classmethod
    def for_path(cls, path: str, **kwargs) -> Policy:
        return cls(find_root(path), **kwargs)

    def _read(self, relpath: str) -> str | None:
        """A policy file's text; None when absent. Unreadable files are policy errors."""
        try:
            data = read_regular(posixpath.join(self.root, relpath), MAX_POLICY_BYTES + 1)
        except FileNotFoundError:
            if os.path.islink(posixpath.join(self.root, relpath)):
                self._unreadable(
                    relpath,
                    "is a symlink to a missing file: a policy that cannot "
                    "be read is an invalid policy, not no policy",
                    1,
                    1,
                )
            return None
        except IsADirectoryError:
            if relpath == PYPROJECT:
                return None
            self._unreadable(relpath, "is a directory, not a policy file", 1, 1)
            return None
        except OSError as exc:
            self._unreadable(relpath, f"cannot read policy file: {exc.strerror or exc}", 1, 1)
            return None
        if len(data) > MAX_POLICY_BYTES:
            self._unreadable(relpath, f"larger than {MAX_POLICY_BYTES >> 20} MiB", 1, 1)
            return None
        if relpath == PYPROJECT and b"ringfence" not in data:
            return None  # a pyproject.toml without [tool.ringfence] is none of our business
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            self._unreadable(
                relpath,
                f"not UTF-8 (byte 0x{data[exc.start]:02x}); policy files are UTF-8 TOML",
                line,
                col,
            )
            return None

    def _unreadable(self, relpath: str, message: str, line: int, col: int) -> None:
        error = PolicyError(message, relpath, line, col)
        self.errors.append(error)
        if relpath in (POLICY_FILE, PYPROJECT):
            self.root_failed = True
        else:  # the subtree of an unreadable nested policy fails closed
            reldir = posixpath.dirname(relpath)
            self._sources[reldir] = _Source(ParsedPolicy(relpath, reldir, errors=[error]), None, [])

    def _load_root(self) -> RepoSettings:
        toml_text = self._read(POLICY_FILE)
        py_text = self._read(PYPROJECT)
        parsed_py = None
        if py_text is not None:
            parsed_py = parse_policy_cached(py_text, PYPROJECT, "", is_root=True, pyproject=True)
            if not parsed_py.present:
                parsed_py = None
        parsed = None
        if toml_text is not None:
            parsed = parse_policy_cached(toml_text, POLICY_FILE, "", is_root=True)
            if parsed_py is not None:
                assert py_text is not None  # parsed_py came from it
                line = KeyPositions(py_text, ("tool", "ringfence")).find(())[0]
                parsed.errors.append(
                    PolicyError(
                        "both .ringfence.toml and [tool.ringfence] in pyproject.toml: keep one",
                        PYPROJECT,
                        line,
                        1,
                    )
                )
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
        self.warnings.extend(parsed.warnings)
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
        path = os.path.join(user_config_dir(), "config.toml")
        try:
            text = read_regular(path, MAX_POLICY_BYTES).decode("utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.warnings.append(f"{path}: cannot read user config: {exc}")
            return None
        assistant, errors = parse_user_assistant(text, str(path))
        self.warnings.extend(str(e) for e in errors)
        return assistant if not errors else None

    def _names_in(self, reldir: str) -> frozenset[str]:
        """The policy and ignore files (and ``.git``) in a directory of the repository."""
        return self._listing(reldir)[0]

    def _listing(self, reldir: str) -> tuple[frozenset[str], dict[str, str] | None]:
        """One directory listing: its watched names, and the kind of each entry ("d"irectory,
        "l"ink, "f"ile, "o"ther), so that nothing below needs a stat of its own."""
        listing = self._listings.get(reldir)
        if listing is None:
            kinds: dict[str, str] | None = None
            try:
                with os.scandir(
                    posixpath.join(self.root, reldir) if reldir else self.root
                ) as entries:
                    kinds = {entry.name: _kind(entry) for entry in entries}
            except OSError:
                kinds = None  # unreadable: entries below are looked up one by one
            listing = self._listings[reldir] = (_WATCHED_NAMES.intersection(kinds or ()), kinds)
        return listing

    def _source_at(self, reldir: str) -> _Source | None:
        if reldir in self._sources:
            return self._sources[reldir]
        names = self._names_in(reldir)
        if POLICY_FILE not in names:
            self._sources[reldir] = None
            return None
        relpath = f"{reldir}/{POLICY_FILE}"
        text = self._read(relpath)
        if text is None:
            return self._sources.setdefault(reldir, None)
        parsed = parse_policy_cached(
            text,
            relpath,
            reldir,
            is_root=False,
            levels=self.settings.levels,
            submodule=".git" in names,
        )
        return self._add_source(reldir, parsed)

    def _ignores_at(self, reldir: str) -> list[IgnoreFile]:
        found = self._ignores.get(reldir)
        if found is None:
            found = []
            for name in sorted(self._names_in(reldir) & _IGNORE_NAMES):
                relpath = f"{reldir}/{name}" if reldir else name
                try:
                    data = read_regular(posixpath.join(self.root, relpath), MAX_POLICY_BYTES)
                    text = data.decode("utf-8", errors="replace")
                except OSError as exc:
                    self.warnings.append(f"{relpath}: cannot read: {exc.strerror or exc}")
                    continue
                ignore = parse_ignore_file(name, relpath, reldir, text, self.ignore_case)
                self.warnings.extend(
                    f"{relpath}:{line}: pattern ignored: {why}" for line, why in ignore.skipped
                )
                found.append(ignore)
            self._ignores[reldir] = found
        return found

    def discover_all(self) -> list[ParsedPolicy]:
        """Load every policy file of the repository (for validation, ``check`` and ``export``)."""
        for directory, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if d != ".git")
            if POLICY_FILE in filenames:  # keyed as spelled on disk, like every directory listing
                self._source_at(relative_to(posixpath.normpath(directory), self.root) or "")
        return self.policy_files()

    def policy_files(self) -> list[ParsedPolicy]:
        """The policy files loaded so far, root first."""
        loaded = [(reldir, s) for reldir, s in self._sources.items() if s is not None]
        return [
            s.parsed
            for _, s in sorted(loaded, key=lambda kv: (kv[0].count("/") + bool(kv[0]), kv[0]))
        ]

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
        own = tool in self.settings.inhouse_tools or (
            assistant is not None and tool == assistant.name
        )
        outer = self.outer
        if own and outer is not None and outer.root_file is not None:
            return outer.is_inhouse(tool)  # a nested repository cannot make a tool in-house
        return own

    def for_tool(
        self, level: Level, decision: Decision, tool: str | None, model: str | None = None
    ) -> ToolVerdict:
        """The level ``tool``'s edit (or read) gets where ``decision`` holds and the lines'
        level is ``level`` (docs/policy.md, "Approved tools"): the one place where a level meets
        a tool. In-house tools keep their own rules (``level.inhouse_edits``); so do paths
        without tool rules."""
        if not decision.tools or not tool or self.is_inhouse(tool):
            return ToolVerdict(level)
        from ringfence.tool_ids import canonical_tool

        raised = decision.source not in ("zone", "default") or level.rank > decision.level.rank
        return for_tool(
            level,
            decision.tools,
            decision.tool_base,
            raised,
            canonical_tool(tool),
            model or "",
            self.settings.levels,
        )

    def zone_for_tool(self, zone: Zone, tool: str | None, model: str | None = None) -> ToolVerdict:
        """:meth:`for_tool` inside ``zone`` itself (its level, the default's and its own rules)."""
        level = self.level(zone.level)
        chain = tuple(r for r in (self.settings.tools, zone.tools) if r is not None)
        decision = Decision(
            zone.name,
            None,
            level,
            zone,
            zone.reason,
            zone.owner,
            "zone",
            zone.rule,
            False,
            tools=chain,
            tool_base=zone.tools,
        )
        return self.for_tool(level, decision, tool, model)

    def tool_table(self, decision: Decision) -> dict[str, ToolVerdict]:
        """:meth:`for_tool` at ``decision``'s level for every canonical external tool."""
        from ringfence.tool_ids import CANONICAL

        return {
            tool: self.for_tool(decision.level, decision, tool)
            for tool in CANONICAL
            if not self.is_inhouse(tool)
        }

    def edit_permission(
        self, level: Level, decision: Decision, tool: str | None, model: str | None = None
    ) -> str:
        """allow | tag | deny for an AI edit by ``tool`` (``model``) on lines of ``level``."""
        if self.is_inhouse(tool):
            return level.inhouse_edits
        return self.for_tool(level, decision, tool, model).level.external_edits

    def relpath(self, path: str, cwd: str | None = None) -> str | None:
        """The repository-relative form of ``path`` (None when it lies outside the repository)."""
        absolute = clean(path, cwd or os.getcwd())
        rel = relative_to(absolute, self.root, self.ignore_case)
        if rel is None:
            rel = relative_to(absolute, self.root_real, self.ignore_case)
        return rel

    # ----- classification ------------------------------------------------------------------

    def classify(self, path: str, *, cwd: str | None = None) -> Decision:
        """The explain fields (docs/policy.md) for one path, from its path alone plus its header
        marker when it exists."""
        decision, absolute, is_file = self._decide(path, cwd or os.getcwd())
        if is_file and decision.relpath is not None and may_have_markers(decision.relpath):
            head = _read_head(absolute)
            if head and "ringfence:" in head:
                self._apply_header(
                    decision, scan_markers(decision.relpath, head, self.settings.levels)
                )
        return decision

    def view(
        self,
        path: str,
        *,
        cwd: str | None = None,
        content: str | None = None,
        language_id: str | None = None,
        aliases: Sequence[str] = (),
    ) -> FileView:
        """Classify ``path`` and read its markers (from ``content`` or from disk).

        ``aliases`` are other names of the same file (its hard links, see
        :mod:`ringfence.policy.links`): the strictest of the names' decisions applies to ``path``.
        """
        decision, absolute, is_file = self._decide(path, cwd or os.getcwd())
        if aliases:
            decision = self._strictest_name(decision, aliases, cwd or os.getcwd())
        if content is None and is_file and decision.relpath is not None:
            content = _read_text(absolute)
        markers = MarkerScan()
        if content and decision.relpath is not None:
            markers = scan_markers(decision.relpath, content, self.settings.levels, language_id)
            self._apply_header(decision, markers)
            self._check_regions(decision, markers)
        return FileView(decision, markers, self.settings.levels)

    def _strictest_name(self, decision: Decision, aliases: Sequence[str], cwd: str) -> Decision:
        """``decision``, or an alias's when stricter (its level, zone, reason and rule) on
        ``decision``'s own path; aliases outside the repository are not judged here."""
        for alias in aliases:
            found = self._decide(alias, cwd)[0]
            if found.relpath is not None and found.level.rank > decision.level.rank:
                found.notes.append(f"judged by its hard link {found.relpath}, the stricter name")
                found.path, found.relpath = decision.path, decision.relpath
                found.exists = decision.exists
                decision = found
        return decision

    def classify_many(self, paths: Sequence[str], *, cwd: str | None = None) -> list[Decision]:
        """:meth:`classify` for many paths at once (same answers, far fewer system calls)."""
        batch = self.classify_batch(paths, cwd=cwd)
        return [batch.decision(i) for i in range(len(paths))]

    def _decide(self, path: str, cwd: str) -> tuple[Decision, str, bool]:
        """``(decision without markers, absolute path on disk, is an existing regular file)``.

        A path reached through a symlink is classified by its own path and by its target;
        the stricter decision wins.
        """
        absolute = _absolute(path, cwd)
        exists, is_dir, is_file, real = self._stat(absolute)
        decision: Decision | None = None
        kernel = kernel_path(path, cwd) if ".." in path else real  # "lnk/.." resolves lnk first
        spellings = [absolute, real, kernel]
        if not WINDOWS and "\\" in path:  # a file name on POSIX; a separator to Windows tools
            spellings.append(_absolute(path.replace("\\", "/"), cwd))
        for spelled in dict.fromkeys(spellings):
            rel = self._rel(spelled)
            if rel is None:
                continue
            parent = posixpath.dirname(spelled)
            found = self._classify_rel(rel, is_dir, self._dir(parent) if rel else None)
            if decision is None or found.level.rank > decision.level.rank:
                decision = found
        if decision is None:
            decision = Decision(path, None, OPEN, None, "", "", "default", None, exists)
        else:
            decision = decision.copy()
        decision.path, decision.exists = path, exists
        outer = self.outer
        if outer is not None and decision.relpath is not None:
            self._raise_by_outer(decision, outer._decide(path, cwd)[0], outer.root)
        return decision, absolute, is_file

    @staticmethod
    def _raise_by_outer(decision: Decision, found: Decision, outer_root: str) -> None:
        """Raise ``decision`` to the enclosing repository's ``found`` for the same path."""
        if found.relpath is None:
            return
        if found.error and not decision.error:
            decision.error = found.error
        level = stricter_of(decision.level, found.level)
        if level is decision.level:
            return
        if found.level.rank > decision.level.rank:
            decision.zone, decision.reason, decision.owner = found.zone, found.reason, found.owner
            decision.source, decision.rule = found.source, found.rule
        decision.level = level
        decision.notes.append(
            f"judged by the policy of the enclosing repository {outer_root} "
            f"({found.rule or found.source}): a nested repository cannot lower it"
        )

    def _rel(self, absolute: str) -> str | None:
        """The NFC repository-relative path of an absolute on-disk path (None: outside)."""
        rel = relative_to(absolute, self.root, self.ignore_case)
        if rel is None:
            rel = relative_to(absolute, self.root_real, self.ignore_case)
        if rel is not None and not rel.isascii():
            rel = _nfc(rel)
        return rel

    def _stat(self, absolute: str) -> tuple[bool, bool, bool, str]:
        """``(exists, is_dir, is_regular_file, resolved path)``; directories are cached."""
        parent, name = posixpath.split(absolute)
        directory = self._dir(parent)
        real = posixpath.join(directory.real, name) if name else directory.real
        if not directory.exists:
            return False, False, False, real
        try:
            info = os.lstat(absolute)
        except (OSError, ValueError):
            return False, False, False, real
        if stat.S_ISLNK(info.st_mode):
            real = _absolute(os.path.realpath(absolute), "/")
            try:
                info = os.stat(real)
            except (OSError, ValueError):
                return False, False, False, real
        return True, stat.S_ISDIR(info.st_mode), stat.S_ISREG(info.st_mode), real

    def _dir(self, absolute: str) -> _Dir:
        """The cached facts about one absolute directory (which need not exist)."""
        found = self._dirs.get(absolute)
        if found is not None:
            return found
        parent, _, name = absolute.rpartition("/")
        if not name:
            found = _Dir("/", True, (), ())
        else:
            above = self._dir(parent or "/")
            if not above.exists:  # nothing below a missing directory exists or holds policy
                found = _Dir(
                    f"{above.real.rstrip('/')}/{name}", False, above.sources, above.ignores
                )
            else:
                found = self._existing_dir(absolute, above, name)
        self._dirs[absolute] = found
        return found

    def _existing_dir(self, absolute: str, above: _Dir, name: str) -> _Dir:
        real = f"{above.real.rstrip('/')}/{name}"
        kind = above.kinds.get(name) if above.kinds is not None else _lstat_kind(absolute)
        if kind == "l":
            real = _absolute(os.path.realpath(absolute), "/")
            exists = os.path.isdir(real)
        else:
            exists = kind == "d"
        if above.reldir is not None:
            reldir: str | None = f"{above.reldir}/{name}" if above.reldir else name
        else:
            reldir = relative_to(absolute, self.root, self.ignore_case)
            if reldir is None:
                reldir = relative_to(absolute, self.root_real, self.ignore_case)
        if reldir is None:
            return _Dir(real, exists, (), ())
        if not exists and reldir:
            return _Dir(real, False, above.sources, above.ignores)
        watched, kinds = self._listing(reldir)
        if not watched and reldir:
            return _Dir(real, True, above.sources, above.ignores, kinds, reldir)
        sources, ignores = self._policies_for(reldir, above)
        return _Dir(real, exists, sources, ignores, kinds, reldir)

    def _policies_for(self, reldir: str, above: _Dir) -> tuple[tuple, tuple]:
        """The policy files and ignore files that apply inside an existing directory."""
        sources, ignores = above.sources, above.ignores
        nfc = reldir if reldir.isascii() else _nfc(reldir)
        source = self._source_at(reldir)
        if source is not None:
            sources = (*sources, (nfc, source))
        if self.settings.import_enabled:
            ignores = (*ignores, *((nfc, ignore) for ignore in self._ignores_at(reldir)))
        return sources, ignores

    def _classify_rel(
        self, rel: str, is_dir: bool = False, directory: _Dir | None = None
    ) -> Decision:
        """Zones, imports and failing closed for a repository-relative path (no markers).

        ``directory`` is the path's directory as found on disk (for the policy files on the way).
        """
        if not rel.isascii():
            rel = _nfc(rel)
        if directory is None:
            parent = posixpath.dirname(rel)
            directory = self._dir(posixpath.join(self.root, parent) if parent else self.root)
        zone: Zone | None = None
        floor: Zone | None = None
        matched: list[Zone] = []
        notes: list[str] = []
        failed = self.root_failed
        suffix = "/" if is_dir else ""
        for reldir, source in directory.sources:
            sub = (rel[len(reldir) + 1 :] if reldir else rel) + suffix
            failed = failed or bool(source.parsed.errors)
            candidate = source.zone_for(sub)
            if candidate is None:
                continue
            matched.append(candidate)
            if (
                floor is not None
                and self.level(candidate.level).rank < self.level(floor.level).rank
            ):
                notes.append(
                    f"RF101: zone {candidate.name!r} ({candidate.rule}) is below the locked "
                    f"zone {floor.name!r} ({floor.rule}) and is ignored"
                )
                continue
            zone = candidate
            if zone.locked:
                floor = zone
        import_rule = None
        for reldir, ignore in directory.ignores:
            sub = (rel[len(reldir) + 1 :] if reldir else rel) + suffix
            import_rule = ignore.rule_for(sub) or import_rule
        return self._decision(rel, zone, import_rule, failed, notes, matched)

    def _decision(
        self,
        rel: str,
        zone: Zone | None,
        import_rule: str | None,
        failed: bool,
        notes: list[str],
        matched: Sequence[Zone] = (),
    ) -> Decision:
        if zone is not None:
            decision = Decision(
                rel,
                rel,
                self.level(zone.level),
                zone,
                zone.reason,
                zone.owner,
                "zone",
                zone.rule,
                False,
                notes=notes,
            )
        else:
            decision = Decision(
                rel,
                rel,
                self.level(self.settings.default),
                None,
                "",
                "",
                "default",
                None,
                False,
                notes=notes,
            )
        default_rule = self.settings.tools
        chain = tuple(r for r in (default_rule, *(z.tools for z in matched)) if r is not None)
        if chain:
            decision.tools = chain
            decision.tool_base = zone.tools if zone is not None else default_rule
        if import_rule is not None:
            imported = self.level(self.settings.import_level)
            if imported.rank > decision.level.rank:
                decision.level, decision.source, decision.rule = imported, "import", import_rule
                decision.zone, decision.owner = None, ""
                listing = import_rule.rsplit(":", 1)[0] if ":" in import_rule else import_rule
                decision.reason = f"listed in {listing}"
        if failed:
            decision.error = FAIL_CLOSED
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
            decision.zone, decision.owner = None, ""
            decision.reason = header.reason or f"marked {level.name} in the file"
        elif level.rank < decision.level.rank:
            decision.notes.append(
                f"RF104: marker {header.level!r} cannot lower the {decision.level.name} level"
            )

    def _check_regions(self, decision: Decision, markers: MarkerScan) -> None:
        """RF104 for a region marker below the level around it (it cannot lower it)."""
        for region in markers.regions:
            around = decision.level
            for outer in markers.regions:
                if outer is not region and outer.start < region.start and region.end <= outer.end:
                    around = strictest(around, self.level(outer.level))
            level = self.level(region.level)
            if level.rank < around.rank:
                markers.problems.append(
                    MarkerProblem(
                        "RF104",
                        region.start,
                        f"region marker 'begin {region.level}' cannot lower the "
                        f"{around.name} level here",
                    )
                )

    # ----- many paths at once --------------------------------------------------------------

    def classify_batch(self, paths: Sequence[str], *, cwd: str | None = None) -> Batch:
        """Classify ``paths`` like :meth:`classify`, sharing decision objects between paths.

        The common case (a relative, already clean path to a plain file, or to nothing, with no
        symlink on the way and no policy or ignore file besides the root policy) is matched in
        one glob scan; every other path goes through :meth:`classify`.
        """
        cwd = _absolute(cwd or os.getcwd(), "/")
        n = len(paths)
        batch = Batch(paths, [None] * n, [None] * n, [False] * n)  # type: ignore[list-item]
        prefix = self._rel(cwd)
        decided = 0
        plain = not self.root_failed and not self.errors and self.outer_root is None
        if prefix is not None and plain:
            decided = self._classify_plain(batch, prefix)
        for i, shared in enumerate(batch.decisions) if decided < n else ():
            if shared is None:
                decision = batch.decisions[i] = self.classify(paths[i], cwd=cwd)
                batch.relpaths[i], batch.exists[i] = decision.relpath, decision.exists
                batch.shared[id(decision)] = decision
        return batch

    def _classify_plain(self, batch: Batch, prefix: str) -> int:
        """Decide the plain paths of ``batch`` with one scan of the root policy's globs; returns
        how many it decided."""
        paths = batch.paths
        rels = [f"{prefix}/{p}" for p in paths] if prefix else paths
        root_source = self._sources.get("")
        matcher = root_source.matcher if root_source is not None else None
        found = (matcher or _NO_ZONES).last_matches(rels, flag_unclean=True)
        table = {
            index: self._template(root_source, index) for index in set(found) if index != UNCLEAN
        }
        batch.shared.update((id(d), d) for d in table.values())
        if UNCLEAN not in found and self._all_under_missing_dirs(rels):
            batch.decisions = list(map(table.__getitem__, found))  # nothing on disk to look at
            batch.relpaths = list(rels)
            return len(rels)
        decided = 0
        for i in self._plain_on_disk(batch, rels, found):
            batch.decisions[i] = table[found[i]]
            batch.relpaths[i] = rels[i]
            decided += 1
        return decided

    def _plain_on_disk(self, batch: Batch, rels: Sequence[str], found: Sequence[int | None]):
        """The indexes of clean paths that are plain files or missing, with only the root
        policy on the way; notes which exist and reads header markers."""
        root, root_real = self.root, self.root_real
        allowed = 0 if self._sources.get("") is None else 1
        dirs, make_dir = self._dirs, self._dir
        for i, (rel, index) in enumerate(zip(rels, found, strict=True)):
            if index == UNCLEAN:
                continue
            parent = rel.rpartition("/")[0]
            directory = dirs.get(f"{root}/{parent}" if parent else root) or make_dir(
                f"{root}/{parent}" if parent else root
            )
            if (
                directory.real != (f"{root_real}/{parent}" if parent else root_real)
                or len(directory.sources) != allowed
                or directory.ignores
            ):
                continue  # a symlink, or other policy on the way: the general way
            if directory.exists:
                kind = (
                    directory.kinds.get(rel.rpartition("/")[2])
                    if directory.kinds is not None
                    else _lstat_kind(f"{root}/{rel}")
                )
                if kind is not None:
                    if kind != "f":
                        continue  # a directory, a symlink or a special file: the general way
                    batch.exists[i] = True
                    if may_have_markers(rel) and self._header_raises(batch, i, rel, index):
                        continue
            yield i

    def _header_raises(self, batch: Batch, i: int, rel: str, index: int | None) -> bool:
        """Apply a header marker read from disk; True when it decided path ``i`` itself."""
        head = _read_head(f"{self.root}/{rel}")
        if not head or "ringfence:" not in head:
            return False
        decision = self._template(self._sources.get(""), index).copy()
        decision.path, decision.relpath, decision.exists = batch.paths[i], rel, True
        self._apply_header(decision, scan_markers(rel, head, self.settings.levels))
        batch.decisions[i], batch.relpaths[i] = decision, rel
        batch.shared[id(decision)] = decision
        return True

    def _all_under_missing_dirs(self, rels: Sequence[str]) -> bool:
        """Whether every path lies in a missing top directory plainly below the root policy."""
        root, root_real = self.root, self.root_real
        allowed = 0 if self._sources.get("") is None else 1
        if not all(map(operator.contains, rels, itertools.repeat("/"))):
            return False  # a file at the root
        tops = {rel.partition("/")[0] for rel in rels}
        if len(tops) > len(rels) // 4 + 1:
            return False  # not worth it: most paths have a top directory of their own
        for top in tops:
            directory = self._dir(f"{root}/{top}")
            if (
                directory.exists
                or directory.real != f"{root_real}/{top}"
                or len(directory.sources) != allowed
                or directory.ignores
            ):
                return False
        return True

    def _template(self, source: _Source | None, index: int | None) -> Decision:
        """The shared decision of every plain path decided by root pattern ``index`` (or none)."""
        key = ("root", index)
        template = self._templates.get(key)
        if template is None:
            zone = (
                None
                if index is None or source is None
                else source.parsed.zones[source.pattern_zone[index]]
            )
            template = self._templates[key] = self._decision(
                "", zone, None, False, [], [zone] if zone else []
            )
        return template

    # ----- static checks -------------------------------------------------------------------

    def floor_violations(self) -> list[tuple[Zone, Zone]]:
        """Zones of deeper files that would lower a locked floor (static check for RF101).

        A zone is reported when a sample path of its own patterns, or of a floor's patterns,
        is covered by both and the zone's level is lower.
        """
        found = []
        for parsed in self.policy_files():
            if not parsed.base:
                continue
            floors = self._floors_above(parsed.base)
            for zone in parsed.zones:
                if self.level(zone.level).rank >= max(
                    (self.level(f.level).rank for f in floors), default=-1
                ):
                    continue
                floor = self._violated_floor(parsed, zone, floors)
                if floor is not None:
                    found.append((zone, floor))
        return found

    def _floors_above(self, base: str) -> list[Zone]:
        floors: list[Zone] = []
        parts = base.split("/")
        for i in range(len(parts)):
            source = self._source_at("/".join(parts[:i]))
            if source is not None:
                floors.extend(z for z in source.parsed.zones if z.locked)
        return floors

    def _violated_floor(self, parsed: ParsedPolicy, zone: Zone, floors: list[Zone]) -> Zone | None:
        samples = [f"{parsed.base}/{representative_path(p)}" for p in zone.patterns]
        for floor in floors:
            samples += [posixpath.join(floor.base, representative_path(p)) for p in floor.patterns]
        own = GlobMatcher(zone.patterns, self.ignore_case)
        for sample in samples:
            if not sample.startswith(parsed.base + "/"):
                continue
            if own.last_match(sample[len(parsed.base) + 1 :]) is None:
                continue
            for floor in floors:
                sub = sample[len(floor.base) + 1 :] if floor.base else sample
                if (
                    self.level(zone.level).rank < self.level(floor.level).rank
                    and GlobMatcher(floor.patterns, self.ignore_case).last_match(sub) is not None
                ):
                    return floor
        return None


def representative_path(pattern: str) -> str:
    """A concrete path the glob matches, to test it against other zones."""
    out, i = [], 0
    pattern = pattern.lstrip("/")
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i + 1])
            i += 2
        elif ch == "[":
            end = pattern.find("]", i + 2)
            body = pattern[i + 1 : end] if end != -1 else "x"
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


def _kind(entry: os.DirEntry) -> str:
    """ "l"ink, "d"irectory, regular "f"ile or "o"ther, from the directory listing alone."""
    try:
        if entry.is_symlink():
            return "l"
        if entry.is_dir(follow_symlinks=False):
            return "d"
        return "f" if entry.is_file(follow_symlinks=False) else "o"
    except OSError:
        return "o"


def _lstat_kind(path: str) -> str | None:
    """:func:`_kind` by ``lstat`` (None: nothing there)."""
    try:
        mode = os.lstat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISLNK(mode):
        return "l"
    return "d" if stat.S_ISDIR(mode) else "f" if stat.S_ISREG(mode) else "o"


def _absolute(path: str, cwd: str) -> str:
    """``path`` made absolute and collapsed, as spelled on disk (no Unicode normalisation)."""
    path = separators(path)
    if not path.startswith("/"):
        path = separators(cwd).rstrip("/") + "/" + path
    path = posixpath.normpath(path)
    return "/" + path.lstrip("/") if path.startswith("//") else path


def _read_head(path: str) -> str | None:
    """The first lines of a file (enough for a header marker); None for binary files."""
    try:
        data = read_regular(path, HEAD_BYTES)
    except (OSError, ValueError):
        return None
    if b"\0" in data[:8192]:
        return None
    return b"\n".join(data.split(b"\n", HEADER_LINES)[:HEADER_LINES]).decode(
        "utf-8", errors="replace"
    )


def _read_text(path: str) -> str | None:
    """A file's text for marker scanning; None for binary files, only the head of huge ones."""
    try:
        data = read_regular(path, MAX_MARKER_BYTES + 1)
    except (OSError, ValueError):
        return None
    if b"\0" in data[:8192]:
        return None
    if len(data) > MAX_MARKER_BYTES:
        data = b"\n".join(data.split(b"\n", HEADER_LINES)[:HEADER_LINES])
    return data.decode("utf-8", errors="replace")


def _nfc(text: str) -> str:
    """NFC form of ``text`` (unicodedata loads only when a non-ASCII path needs it)."""
    from unicodedata import normalize

    return normalize("NFC", text)
