"""The hook's fast path: reuse a path's level while every input that decided it is unchanged.

A hook runs before every agent edit and read, and most of its time is loading the policy
engine. The full path (:mod:`ringfence.hooks.decide`) remembers, per repository, the level of
each path it allowed, together with a stamp (mtime, size, inode) of everything that level came
from: the root policy and ``pyproject.toml``, every policy, ignore and ``.git`` file in the
directories from the root down to the path, the user config, the git config, the hook's own
code, and the environment that locates them. The fast path answers only "allowed": it stats
those inputs, checks the file holds no ``ringfence:`` marker, and compares. Anything else —
a missing or stale entry, a symlink, a file with hard links, a ``..`` that leaves the lexical
path, a marker, a protected path, a deny — goes to the full path, which writes the reason and
the journal.

The cache is ``<git dir>/ringfence/hook-cache.json``; a lost or corrupt cache only costs a
full-path run. ``RINGFENCE_HOOK_CACHE=off`` disables it.
"""

from __future__ import annotations

import json
import os
import posixpath
import stat

from ringfence.hooks.events import PRE_EDIT, READ, HookEvent
from ringfence.policy.files import read_regular

VERSION = 2
CACHE = "hook-cache.json"
MARKER = b"ringfence:"
MAX_BYTES = 8 * 1024 * 1024
MAX_PATHS = 4096
WATCHED = (
    ".ringfence.toml",
    ".aiexclude",
    ".aiignore",
    ".cursorignore",
    ".codeiumignore",
    ".aiderignore",
    ".geminiignore",
    ".continueignore",
    ".clineignore",
    ".rooignore",
    ".git",
)
_CODE_DIRS = ("hooks", "policy")


def enabled() -> bool:
    return os.environ.get("RINGFENCE_HOOK_CACHE", "on").lower() not in ("off", "0", "no", "false")


def stamp(path: str) -> list[int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return [info.st_mtime_ns, info.st_size, info.st_ino]


def lexical(path: str, cwd: str) -> str | None:
    """The absolute path, when plain normalisation is the whole story (else None: full path)."""
    if not path or "\\" in path or not path.isascii() or not cwd.isascii():
        return None
    absolute = posixpath.normpath(posixpath.join(cwd, path))
    return absolute if absolute.startswith("/") and not absolute.startswith("//") else None


def git_root(absolute: str) -> str | None:
    """The nearest directory holding a ``.git`` directory (a ``.git`` file: None, full path)."""
    directory = absolute
    while True:
        marker = posixpath.join(directory, ".git")
        if os.path.isdir(marker):
            return directory
        if os.path.lexists(marker):
            return None
        parent = posixpath.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def code_stamp() -> list:
    here = os.path.dirname(os.path.abspath(__file__))
    stamps: list = []
    for sub in _CODE_DIRS:
        directory = os.path.join(os.path.dirname(here), sub)
        try:
            names = sorted(n for n in os.listdir(directory) if n.endswith(".py"))
        except OSError:
            return [None]
        stamps.extend([n, stamp(os.path.join(directory, n))] for n in names)
    return stamps


def environment() -> list:
    return [os.environ.get(k) for k in ("HOME", "XDG_CONFIG_HOME", "RINGFENCE_GLOB_BACKEND")]


def user_config() -> str:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "ringfence", "config.toml")


def global_stamps(root: str) -> dict:
    return {
        "code": code_stamp(),
        "env": environment(),
        "user": stamp(user_config()),
        "pyproject": stamp(posixpath.join(root, "pyproject.toml")),
        "gitconfig": stamp(posixpath.join(root, ".git", "config")),
    }


def directory_stamps(root: str, relpath: str) -> dict:
    """Stamps of the watched names in every directory from the root down to ``relpath``'s parent."""
    parts = relpath.split("/")[:-1] if relpath else []
    out = {}
    for depth in range(len(parts) + 1):
        reldir = "/".join(parts[:depth])
        directory = posixpath.join(root, reldir) if reldir else root
        out[reldir] = [
            _git_marker(directory) if name == ".git" else stamp(posixpath.join(directory, name))
            for name in WATCHED
        ]
    return out


def _git_marker(directory: str):
    """A ``.git`` directory counts by its presence (git changes its mtime all the time)."""
    marker = posixpath.join(directory, ".git")
    return "dir" if os.path.isdir(marker) else stamp(marker)


def _cache_path(root: str) -> str:
    return posixpath.join(root, ".git", "ringfence", CACHE)


def load(root: str) -> dict | None:
    try:
        with open(_cache_path(root), encoding="utf-8") as handle:
            cache = json.load(handle)
    except (OSError, ValueError):
        return None
    return cache if isinstance(cache, dict) and cache.get("version") == VERSION else None


# ----- the fast path -------------------------------------------------------------------------


def allowed(event: HookEvent, tool: str) -> bool:
    """True when a fresh cached level allows every change of this pre-edit or read event."""
    if not enabled() or not event.changes or event.kind not in (PRE_EDIT, READ):
        return False
    cwd = event.cwd or os.getcwd()
    caches: dict[str, dict | None] = {}
    return all(_change_allowed(event, change, cwd, tool, caches) for change in event.changes)


def _target(change, cwd: str) -> tuple[str, str, str] | None:
    """``(absolute, root, cache key)`` of a change the cache may answer for, else None."""
    if _writes_marker(change):
        return None
    absolute = lexical(change.path, cwd)
    if absolute is None or os.path.realpath(posixpath.join(cwd, change.path)) != absolute:
        return None  # a symlink or ".." that the OS resolves differently: the full path decides
    if _hard_linked(absolute):
        return None  # a link made since the level was cached: the full path judges every name
    root = git_root(absolute)
    if root is None:
        return None
    relpath = absolute[len(root) + 1 :]
    return absolute, root, relpath + "/" if os.path.isdir(absolute) else relpath


def _change_allowed(event: HookEvent, change, cwd: str, tool: str, caches: dict) -> bool:
    target = _target(change, cwd)
    if target is None:
        return False
    absolute, root, key = target
    if root not in caches:
        cache = load(root)
        caches[root] = (
            cache if cache is not None and cache["global"] == global_stamps(root) else None
        )
    cache = caches[root]
    entry = cache["paths"].get(key) if cache is not None else None
    inhouse = cache["inhouse"].get(tool) if cache is not None else None
    if entry is None or inhouse is None or entry["dirs"] != directory_stamps(root, key.rstrip("/")):
        return False
    if not key.endswith("/") and _has_marker(absolute):
        return False
    external_edits, inhouse_edits, external_context = entry["level"]
    if event.kind == READ:
        return inhouse or external_context != "deny"
    return (inhouse_edits if inhouse else external_edits) != "deny"


def _hard_linked(absolute: str) -> bool:
    try:
        info = os.stat(absolute)
    except (OSError, ValueError):
        return False  # nothing there yet: no other name either
    return stat.S_ISREG(info.st_mode) and info.st_nlink > 1


def _writes_marker(change) -> bool:
    texts = [change.content or ""] + [new + old for old, new, _ in change.replacements]
    return any("ringfence:" in text for text in texts)


def _has_marker(absolute: str) -> bool:
    """Whether the file may hold markers (unreadable or huge files count as "may")."""
    try:
        data = read_regular(absolute, MAX_BYTES + 1)
    except (FileNotFoundError, IsADirectoryError):
        return False
    except OSError:
        return True
    return len(data) > MAX_BYTES or MARKER in data


# ----- remembering what the full path allowed -------------------------------------------------


class Snapshot:
    """The inputs' stamps, taken before the full path reads them: a change made meanwhile then
    shows up as a stale stamp, never as a stale level."""

    def __init__(self, event: HookEvent) -> None:
        self.targets: list[tuple[str, str, str, dict]] = []
        self.globals: dict[str, dict] = {}
        if not enabled() or event.kind not in (PRE_EDIT, READ):
            return
        cwd = event.cwd or os.getcwd()
        for change in event.changes:
            target = _target(change, cwd)
            if target is not None:
                absolute, root, key = target
                if root not in self.globals:
                    self.globals[root] = global_stamps(root)
                self.targets.append((absolute, root, key, directory_stamps(root, key.rstrip("/"))))


def remember(snapshot: Snapshot, ws) -> None:
    """After the full path allowed the event: cache the level of each plain path it judged."""
    from ringfence.hooks import protected

    updates: dict[str, list] = {}
    for absolute, root, key, dirs in snapshot.targets:
        located = ws.locate(absolute)
        where = located[0]
        if (
            len(located) != 1
            or where.root != root
            or where.relpath is None
            or where.policy.outer_root is not None  # a nested repository: the outer policy too
            or _has_marker(absolute)
        ):
            continue
        if protected.protected_reason(absolute, where.relpath, root) is not None:
            continue
        view = where.policy.view(absolute)
        if view.decision.error or view.markers.regions or view.markers.header:
            continue
        if view.decision.tools:
            continue  # tool rules: the level depends on the agent and its model (the full path)
        level = view.decision.level
        inhouse = where.policy.is_inhouse(ws.tool)
        updates.setdefault(root, []).append(
            (
                key,
                dirs,
                inhouse,
                [level.external_edits, level.inhouse_edits, level.external_context],
            )
        )
    for root, entries in updates.items():
        _store(root, snapshot.globals[root], ws.tool, entries)


def _store(root: str, stamps: dict, tool: str, entries: list) -> None:
    cache = load(root)
    if cache is None or cache["global"] != stamps:
        cache = {"version": VERSION, "global": stamps, "inhouse": {}, "paths": {}}
    if len(cache["paths"]) + len(entries) > MAX_PATHS:
        cache["paths"].clear()
    for key, dirs, inhouse, level in entries:
        cache["inhouse"][tool] = inhouse
        cache["paths"][key] = {"level": level, "dirs": dirs}
    path = _cache_path(root)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(cache, handle, separators=(",", ":"))
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
