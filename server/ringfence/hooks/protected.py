"""The paths no AI agent may edit, create or delete: the policy protects itself (docs/security.md).

Inside the repository: every ``.ringfence.toml``, the root ``pyproject.toml``'s
``[tool.ringfence]`` table (checked by the caller, other edits to that file are fine), AI ignore
files (hand-written or exported), ``.agent-trace/``, the journal, anything named ``.git`` at any
depth and everything in it (git config, hooks, submodules' config and hooks, ``config.worktree``;
a new ``.git`` would start a repository of its own), the directory ``core.hooksPath`` names, and
every agent's hook and settings files (Claude Code, Codex, Gemini CLI, Copilot, Cursor,
Windsurf's ``.windsurf/hooks.json``, Kiro's ``.kiro/agents``, Cline's ``.clinerules/hooks/``,
OpenCode's ``opencode.json``). Outside it, the same agents' user-level hook and settings files,
the user's git config, ringfence's own user config and its cache of validated policies, and the
code every hook runs: ringfence's installed package, its interpreter's standard library and
site-packages, and the start-up files (``*.pth``, ``sitecustomize.py``) on its path. An agent
that rewrites any of those switches the hooks off just as well.

:func:`protected_path` answers for a path alone, and :func:`git_config_write` tells whether a
``git`` command line writes git's configuration (the shell analyser asks both).
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import sys

from ringfence.policy.engine import MAX_POLICY_BYTES, POLICY_FILE, PYPROJECT, user_config_dir
from ringfence.policy.files import read_regular
from ringfence.policy.imports import IGNORE_FILES
from ringfence.policy.paths import (
    clean,
    enclosing_root,
    find_root,
    git_common_dir,
    kernel_path,
    relative_to,
)

PYPROJECT_TABLE = (
    "pyproject"  # returned for the root pyproject.toml: only its [tool.ringfence] is protected
)
_IGNORE_NAMES = frozenset(
    name.lower()
    for name in (
        *IGNORE_FILES,
        ".cursorindexingignore",
        "copilot-content-exclusion.yml",
        ".kiroignore",
        ".kilocodeignore",
    )
)
_AGENT_DIRS = {
    ".codex": "Codex's hooks and configuration",
    ".gemini": "Gemini CLI's settings and hooks",
    ".cursor": "Cursor's hooks and settings",
}
_SETTINGS = re.compile(r"settings(\.[^/]*)?\.json")
_HOOKS_PATH = re.compile(r"^\s*hookspath\s*=\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


GIT_NAME = (
    "it is a .git directory or file, or inside one (git's config and hooks, ringfence's "
    "journal; a new .git would start a repository of its own)"
)
_STARTUP_FILES = frozenset({"sitecustomize.py", "usercustomize.py"})


def protected_reason(absolute: str, relpath: str | None, root: str) -> str | None:
    """Why ``absolute`` (``relpath`` in the repository at ``root``) is protected, or None."""
    if relpath is not None:
        reason = _in_repository(relpath.lower())
        if reason is not None:
            return reason
    return _git_reason(absolute, root) or _user_reason(absolute) or _code_reason(absolute)


def protected_path(path: str, cwd: str) -> str | None:
    """Why ``path`` (relative to ``cwd``) is protected, or None, for callers that hold no policy.

    Judged in the repository that holds it and in every repository around that one, by its
    normalised path and by where the kernel puts it (symlinks resolved before ``..``). The
    root ``pyproject.toml`` answers :data:`PYPROJECT_TABLE` (only its ``[tool.ringfence]`` is
    protected: the caller decides).
    """
    found = None
    for absolute in dict.fromkeys((clean(path, cwd), kernel_path(path, cwd))):
        root: str | None = clean(find_root(absolute), "/")
        while root is not None:
            why = protected_reason(absolute, relative_to(absolute, root), root)
            if why is not None and why != PYPROJECT_TABLE:
                return why
            found = found or why
            root = enclosing_root(root)
    return found


def is_git_name(name: str) -> bool:
    """Whether a path component names ``.git`` as some file system would read it: case folded,
    trailing dots and spaces dropped (Windows), ignorable code points dropped (macOS), ``git~1``
    (the 8.3 short name)."""
    name = name.lower()
    if name == ".git":
        return True
    if not name.isascii():
        name = "".join(ch for ch in name if ch not in _IGNORABLE)
    return name.rstrip(". ") == ".git" or name == "git~1"


_IGNORABLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u206a\u206b\u206c\u206d\u206e\u206f\ufeff"
)


def _in_repository(rel: str) -> str | None:
    parts = rel.split("/")
    name = parts[-1]
    if name == POLICY_FILE:
        return "it is a ringfence policy file"
    if rel == PYPROJECT:
        return PYPROJECT_TABLE
    if name in _IGNORE_NAMES:
        return "it is an AI ignore file that ringfence imports and exports"
    if parts[0] == ".agent-trace":
        return "it holds the provenance records (.agent-trace/)"
    if parts[0] == ".ringfence":
        return "it holds ringfence's journal"
    if any(is_git_name(part) for part in parts):
        return GIT_NAME
    for index, part in enumerate(parts[:-1]):
        below = parts[index + 1 :]
        if part == ".claude" and (_SETTINGS.fullmatch(below[0]) or below[0] == "hooks"):
            return "it is Claude Code's settings or hooks"
        if part in _AGENT_DIRS:
            return f"it is {_AGENT_DIRS[part]}"
        if part == ".agents" and below == ["hooks.json"]:
            return "it is Antigravity CLI's hooks"
        if part == ".github" and below[0] == "hooks" and len(below) > 1:
            return "it is a GitHub Copilot hook file"
        if part == ".windsurf" and below[0] == "hooks.json":
            return "it is Windsurf's Cascade hooks"
        if part == ".kiro" and below[0] in ("agents", "settings", "hooks"):
            return "it is Kiro's agent configuration and hooks"
        if part == ".clinerules" and below[0] == "hooks":
            return "it is a Cline hook"
        if part == ".opencode":
            return "it is OpenCode's configuration and plugins"
    if name in ("opencode.json", "opencode.jsonc"):
        return "it is OpenCode's configuration (its permission rules come from the policy)"
    return None


def _git_reason(absolute: str, root: str) -> str | None:
    common = git_common_dir(root)
    if common is None:
        return None
    common_dir = clean(str(common), "/")
    if relative_to(absolute, common_dir) is not None:
        return (
            "it is in the git directory (config, config.worktree, hooks, submodules' config "
            "and hooks, ringfence's journal)"
        )
    hooks_path = _configured_hooks_path(common_dir, root)
    if hooks_path and relative_to(absolute, hooks_path) is not None:
        return "it is in the git hooks directory (core.hooksPath)"
    return None


def _configured_hooks_path(common_dir: str, root: str) -> str | None:
    try:
        data = read_regular(posixpath.join(common_dir, "config"), MAX_POLICY_BYTES)
    except (OSError, ValueError):
        return None
    match = _HOOKS_PATH.search(data.decode("utf-8", errors="replace"))
    if match is None:
        return None
    value = match.group(1).strip('"')
    return clean(os.path.expanduser(value), root)


def _user_reason(absolute: str) -> str | None:
    home = clean(os.path.expanduser("~"), "/")
    rel = relative_to(absolute, home)
    if rel is not None:
        parts = rel.lower().split("/")
        if (
            parts[0] == ".claude"
            and len(parts) > 1
            and (_SETTINGS.fullmatch(parts[1]) or parts[1] == "hooks")
        ):
            return "it is your user-level Claude Code settings or hooks"
        if parts[:3] == [".gemini", "config", "hooks.json"]:
            return "it is your user-level Antigravity CLI hooks"
        if parts[0] in (".codex", ".copilot") or (
            parts[0] == ".gemini" and parts[-1] == "settings.json"
        ):
            return "it is a user-level agent configuration"
        if parts[0] == ".cursor" and len(parts) > 1 and parts[1] in ("hooks.json", "hooks"):
            return "it is your user-level Cursor hooks"
        if parts[:3] == [".codeium", "windsurf", "hooks.json"] or parts[0] == ".kiro":
            return "it is a user-level agent configuration"
        if parts[:3] == ["documents", "cline", "hooks"] or parts[:2] == [".config", "opencode"]:
            return "it is a user-level agent configuration"
        if parts[0] == ".gitconfig" or parts[:2] == [".config", "git"]:
            return "it is your git configuration (it can set hooks and commands git runs)"
    if relative_to(absolute, clean(str(user_config_dir()), "/")) is not None:
        return "it is ringfence's user configuration (trusted assistant settings and approvals)"
    xdg = os.environ.get("XDG_CONFIG_HOME")
    if xdg and relative_to(absolute, clean(os.path.join(xdg, "git"), "/")) is not None:
        return "it is your git configuration (it can set hooks and commands git runs)"
    if any(relative_to(absolute, cache) is not None for cache in _cache_dirs()):
        return "it is ringfence's cache of validated policies and compiled globs"
    if relative_to(absolute, "/etc/claude-code") is not None:
        return "it is Claude Code's managed settings"
    return None


def _cache_dirs() -> tuple[str, ...]:
    from ringfence.policy.cache import cache_root

    default = os.path.join(os.path.expanduser("~"), ".cache", "ringfence")
    return tuple(dict.fromkeys(clean(path, "/") for path in (cache_root(), default)))


def _code_reason(absolute: str) -> str | None:
    """Protected because every hook runs it: ringfence's code and its interpreter's."""
    trees, path_dirs, files = _interpreter_paths()
    if absolute in files or any(relative_to(absolute, tree) is not None for tree in trees):
        return "it is code every ringfence hook runs (ringfence's package or its interpreter's)"
    directory, name = posixpath.split(absolute)
    if (name.endswith(".pth") or name in _STARTUP_FILES) and directory in path_dirs:
        return "it is a start-up file of the interpreter that runs ringfence's hooks"
    return None


@functools.lru_cache(maxsize=1)
def _interpreter_paths() -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    """``(trees, path directories, files)``: ringfence's package, the standard library and every
    site-packages directory (the user's included) as whole trees; the directories of ``sys.path``,
    where ``*.pth`` and ``sitecustomize.py`` files run at start-up; the interpreter itself and
    its ``pyvenv.cfg``."""
    import ringfence

    def real(path: str) -> str:
        return clean(os.path.realpath(path), "/")

    trees = {real(os.path.dirname(ringfence.__file__)), real(os.path.dirname(os.__file__))}
    path_dirs = {real(entry) for entry in sys.path if entry and os.path.isabs(entry)}
    trees.update(
        d for d in path_dirs if posixpath.basename(d) in ("site-packages", "dist-packages")
    )
    site = sys.modules.get("site")
    user_site = getattr(site, "getusersitepackages", None)
    if user_site is not None:
        try:
            trees.add(real(user_site()))
        except (OSError, AttributeError, TypeError):
            pass
    files = {
        real(sys.executable),
        clean(sys.executable, "/"),
        real(os.path.join(sys.prefix, "pyvenv.cfg")),
    }
    return tuple(sorted(trees)), frozenset(path_dirs | trees), frozenset(files)


# ----- git commands that write git's configuration ---------------------------------------------

_CONFIG_WRITE_OPTIONS = frozenset(
    {
        "--add",
        "--unset",
        "--unset-all",
        "--replace-all",
        "--rename-section",
        "--remove-section",
        "-e",
        "--edit",
    }
)
_CONFIG_READ_OPTIONS = frozenset(
    {
        "--get",
        "--get-all",
        "--get-regexp",
        "--get-urlmatch",
        "--get-color",
        "--get-colorbool",
        "-l",
        "--list",
    }
)
_CONFIG_WRITE_VERBS = frozenset({"set", "unset", "edit", "rename-section", "remove-section"})
_CONFIG_VALUES = frozenset({"-f", "--file", "--blob", "--type", "--default", "--comment"})
_REMOTE_WRITES = frozenset({"add", "rename", "remove", "rm", "set-url", "set-head", "set-branches"})
_BRANCH_WRITES = frozenset(
    {"-u", "--set-upstream-to", "--unset-upstream", "--edit-description", "--track", "-t"}
)
_SUBMODULE_WRITES = frozenset(
    {"add", "init", "deinit", "sync", "set-url", "set-branch", "update", "absorbgitdirs"}
)


def git_config_write(argv: list[str]) -> bool:
    """Whether ``git ARGV`` (subcommand first) writes git's config: ``git config`` setting,
    unsetting or editing, ``git remote add|rename|remove|set-url…``, ``git branch -u|--track``,
    ``git checkout|switch --track``, ``git submodule add|init|sync|update…`` (which write
    ``.git/config`` and ``.git/modules/*/config``), ``git worktree add|move|…``."""
    if not argv:
        return False
    sub, rest = argv[0], [str(a) for a in argv[1:]]
    verbs = [a for a in rest if not a.startswith("-")]
    if sub == "submodule":
        return bool(verbs) and verbs[0] in _SUBMODULE_WRITES
    if sub == "worktree":
        return bool(verbs) and verbs[0] != "list"
    if sub in ("checkout", "switch"):
        return any(a.split("=", 1)[0] in ("--track", "-t") for a in rest)
    if sub == "remote":
        verbs = [a for a in rest if not a.startswith("-")]
        return bool(verbs) and verbs[0] in _REMOTE_WRITES
    if sub == "branch":
        return any(
            a.split("=", 1)[0] in _BRANCH_WRITES
            or (a.startswith("-") and not a.startswith("--") and "u" in a[1:])
            for a in rest
        )
    if sub != "config":
        return False
    positional, index = [], 0
    while index < len(rest):
        arg = rest[index]
        key = arg.split("=", 1)[0]
        if key in _CONFIG_WRITE_OPTIONS:
            return True
        if key in _CONFIG_READ_OPTIONS:
            return False
        if key in _CONFIG_VALUES and "=" not in arg:
            index += 1
        elif not arg.startswith("-"):
            positional.append(arg)
        index += 1
    if positional and positional[0] in _CONFIG_WRITE_VERBS:
        return True
    if positional and positional[0] in ("get", "list"):
        return False
    return len(positional) >= 2
