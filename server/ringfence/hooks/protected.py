"""The paths no AI agent may edit, create or delete: the policy protects itself (SPEC §7).

Inside the repository: every ``.ringfence.toml``, the root ``pyproject.toml``'s
``[tool.ringfence]`` table (checked by the caller, other edits to that file are fine), AI ignore
files (hand-written or exported), ``.agent-trace/``, the journal, git hooks (``core.hooksPath``
too) and git config, and every agent's hook and settings files (Claude Code, Codex, Gemini CLI,
Copilot, Cursor, Windsurf's ``.windsurf/hooks.json``, Kiro's ``.kiro/agents``, Cline's
``.clinerules/hooks/``, OpenCode's ``opencode.json``). Outside it, the same agents'
user-level hook and settings files and ringfence's own user config, since an agent that rewrites
those switches the hooks off just as well.
"""

from __future__ import annotations

import os
import posixpath
import re

from ringfence.policy.engine import MAX_POLICY_BYTES, POLICY_FILE, PYPROJECT, user_config_dir
from ringfence.policy.files import read_regular
from ringfence.policy.imports import IGNORE_FILES
from ringfence.policy.paths import clean, git_common_dir, relative_to

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


def protected_reason(absolute: str, relpath: str | None, root: str) -> str | None:
    """Why ``absolute`` (``relpath`` in the repository at ``root``) is protected, or None."""
    if relpath is not None:
        reason = _in_repository(relpath.lower())
        if reason is not None:
            return reason
    return _git_reason(absolute, root) or _user_reason(absolute)


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
    if parts[0] == ".git" and len(parts) > 1 and parts[1] in ("hooks", "config", "ringfence"):
        return "it is a git hook, the git config or ringfence's journal"
    for index, part in enumerate(parts[:-1]):
        below = parts[index + 1 :]
        if part == ".claude" and (_SETTINGS.fullmatch(below[0]) or below[0] == "hooks"):
            return "it is Claude Code's settings or hooks"
        if part in _AGENT_DIRS:
            return f"it is {_AGENT_DIRS[part]}"
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
    rel = relative_to(absolute, common_dir)
    if rel is not None and (rel == "config" or rel.split("/")[0] in ("hooks", "ringfence")):
        return "it is a git hook, the git config or ringfence's journal"
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
    if relative_to(absolute, clean(str(user_config_dir()), "/")) is not None:
        return "it is ringfence's user configuration (trusted assistant settings and approvals)"
    if relative_to(absolute, "/etc/claude-code") is not None:
        return "it is Claude Code's managed settings"
    return None


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
_BRANCH_WRITES = frozenset({"-u", "--set-upstream-to", "--unset-upstream", "--edit-description"})


def git_config_write(argv: list[str]) -> bool:
    """Whether ``git ARGV`` (subcommand first) writes git's config: ``git config`` setting,
    unsetting or editing, ``git remote add|rename|remove|set-url…``, ``git branch -u``."""
    if not argv:
        return False
    sub, rest = argv[0], [str(a) for a in argv[1:]]
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
