"""Claude Code's part of ``ringfence doctor``: what makes it skip the repository's hooks, or run
them without failing closed, each with the exact fix.

Measured with Claude Code 2.1.328 (``tests/agents/test_claude_e2e.py``, docs/hooks.md):
``disableAllHooks`` in any settings scope turns every hook off; managed
``allowManagedHooksOnly`` ignores the repository's; project settings are read only from the
``.claude/`` of the directory Claude starts in, so a session started in a subdirectory runs no
ringfence hook; and a hook that crashes or times out lets the tool run unless its entry says
``"onFailure": "block"``, which Claude Code honours from 2.1.295 on.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping

from ringfence.doctor.checks import FIX, GAP, OK, Finding
from ringfence.hooks.install import CLAUDE_FAIL_CLOSED_SINCE, CLAUDE_ON_FAILURE, is_ringfence

AGENT = "claude-code"
INSTALL = "run 'ringfence install-hooks --agent claude-code'"
PROJECT_FILES = (".claude/settings.json", ".claude/settings.local.json")
MANAGED_DIR = "/etc/claude-code"
VERSION_TIMEOUT = 10
START_GAP = (
    "Claude Code reads project hooks only from the .claude/ of the directory it starts in: a "
    "session started in a subdirectory runs no ringfence hook (start it at the repository root)"
)


def claude_checks(root: str, env: Mapping[str, str], start: str) -> list[Finding]:
    """Findings for Claude Code, when the repository has its ringfence hooks installed."""
    project = _load(os.path.join(root, PROJECT_FILES[0]))
    if not _ringfence_handlers(project):
        return []
    out = _disabled(root, env, start)
    out += _on_failure(project)
    out += _start_directory(root, start)
    out += _version(env)
    out.append(Finding(GAP, AGENT, START_GAP))
    return out


def _finding(status: str, message: str) -> Finding:
    return Finding(status, "hooks", f"{AGENT}: {message}")


def user_settings_path(env: Mapping[str, str]) -> str:
    config = env.get("CLAUDE_CONFIG_DIR") or os.path.join(
        env.get("HOME") or os.path.expanduser("~"), ".claude"
    )
    return os.path.join(config, "settings.json")


def _scopes(root: str, env: Mapping[str, str], start: str) -> list[tuple[str, str]]:
    """``(shown name, absolute path)`` of every settings file a session started at ``start``
    reads, managed ones last."""
    here = start if _inside(start, root) else root
    scopes = [
        (os.path.relpath(os.path.join(here, f), root), os.path.join(here, f)) for f in PROJECT_FILES
    ]
    user = user_settings_path(env)
    scopes.append((user, user))
    managed = [os.path.join(MANAGED_DIR, "managed-settings.json")]
    managed += sorted(glob.glob(os.path.join(MANAGED_DIR, "managed-settings.d", "*.json")))
    scopes += [(path, path) for path in managed]
    return scopes


def _disabled(root: str, env: Mapping[str, str], start: str) -> list[Finding]:
    out = []
    for shown, path in _scopes(root, env, start):
        settings = _load(path)
        if settings.get("disableAllHooks") is True:
            fix = (
                "ask your administrator to remove it"
                if path.startswith(MANAGED_DIR)
                else 'delete "disableAllHooks" from it'
            )
            out.append(_finding(FIX, f"{shown} sets disableAllHooks: no hook runs; {fix}"))
        if path.startswith(MANAGED_DIR) and settings.get("allowManagedHooksOnly") is True:
            out.append(
                _finding(
                    FIX,
                    f"{shown} sets allowManagedHooksOnly: the repository's hooks do not run; "
                    "ask your administrator to add ringfence's hook to the managed settings",
                )
            )
    return out


def _on_failure(project: dict) -> list[Finding]:
    want = CLAUDE_ON_FAILURE["PreToolUse"]["onFailure"]
    lax = [h for event, h in _ringfence_handlers(project) if event == "PreToolUse"]
    if all(h.get("onFailure") == want for h in lax):
        return []
    return [
        _finding(
            FIX,
            f'the PreToolUse hook in .claude/settings.json has no "onFailure": "{want}": a hook '
            f"that crashes or times out lets the tool run; {INSTALL}",
        )
    ]


def _start_directory(root: str, start: str) -> list[Finding]:
    if os.path.realpath(start) == os.path.realpath(root) or not _inside(start, root):
        return []
    rel = os.path.relpath(start, root)
    for name in PROJECT_FILES:
        if _ringfence_handlers(_load(os.path.join(start, name))):
            return []
    return [
        _finding(
            FIX,
            f"a session started in {rel}/ loads no .claude/settings.json of the repository, so no "
            f"ringfence hook runs: start Claude Code in {root}",
        )
    ]


def _version(env: Mapping[str, str]) -> list[Finding]:
    found = claude_version(env)
    if found is None:
        return []
    binary, version = found
    shown = ".".join(map(str, version))
    since = ".".join(map(str, CLAUDE_FAIL_CLOSED_SINCE))
    if version >= CLAUDE_FAIL_CLOSED_SINCE:
        return [
            _finding(OK, f"Claude Code {shown} blocks a tool when its hook crashes or times out")
        ]
    return [
        _finding(
            FIX,
            f"Claude Code {shown} ({binary}) ignores onFailure: a ringfence hook that crashes or "
            f"times out lets the tool run; upgrade to {since} or later ('claude update')",
        )
    ]


def claude_version(env: Mapping[str, str]) -> tuple[str, tuple[int, int, int]] | None:
    """The ``claude`` on ``PATH`` and its version, or None when there is none (or it says none)."""
    binary = shutil.which("claude", path=env.get("PATH"))
    if binary is None:
        return None
    quiet = {
        "PATH": env.get("PATH", ""),
        "HOME": env.get("HOME", ""),
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    try:
        done = subprocess.run(
            [binary, "--version"],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT,
            env=quiet,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", done.stdout)
    if done.returncode != 0 or match is None:
        return None
    return binary, (int(match[1]), int(match[2]), int(match[3]))


def _ringfence_handlers(settings: dict) -> list[tuple[str, dict]]:
    hooks = settings.get("hooks")
    found = []
    for event, groups in hooks.items() if isinstance(hooks, dict) else []:
        for group in groups if isinstance(groups, list) else []:
            handlers = group.get("hooks") if isinstance(group, dict) else None
            for handler in handlers if isinstance(handlers, list) else []:
                if isinstance(handler, dict) and is_ringfence(handler.get("command")):
                    found.append((event, handler))
    return found


def _inside(path: str, root: str) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
