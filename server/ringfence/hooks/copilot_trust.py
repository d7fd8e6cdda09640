"""Does GitHub Copilot CLI load this repository's hooks? Its folder trust, as 1.0.102 decides it.

Copilot CLI reads repository hooks (``.github/hooks/*.json``, and the hooks of
``.claude/settings.json``) only in a trusted folder. Measured with the real 1.0.102 binary
(``tests/agents/test_copilot_e2e.py``); in an untrusted folder no repository hook runs and every
write lands, silently:

- ``COPILOT_ALLOW_ALL=true`` (exactly ``true``) trusts the working directory;
- ``trustedFolders`` in ``$COPILOT_HOME/config.json`` (default ``~/.copilot/config.json``;
  older builds wrote ``trusted_folders``, which 1.0.102 migrates) trusts each listed folder and
  everything below it, what the interactive prompt's "Yes, and remember this folder for future
  sessions" writes;
- ``--trust-folder`` trusts the start directory for one session: started in a subdirectory it
  loads no repository hook (the hooks live at the root), a gap nothing on disk shows;
- user hooks (``$COPILOT_HOME/hooks/*.json``) run in untrusted folders too, and so do the
  machine-wide policy hooks in ``/etc/github-copilot/policy.d/*.json`` (an administrator's,
  loaded before all others, which ``disableAllHooks`` cannot switch off).
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Mapping
from typing import NamedTuple

POLICY_DIR = "/etc/github-copilot/policy.d"
REMEMBER = "Yes, and remember this folder for future sessions"


class CopilotTrust(NamedTuple):
    """Whether Copilot CLI runs ringfence's hooks in the repository, why, and the fix if not."""

    trusted: bool
    source: str
    fix: str | None


def copilot_home(env: Mapping[str, str]) -> str:
    home = env.get("HOME") or os.path.expanduser("~")
    return env.get("COPILOT_HOME") or os.path.join(home, ".copilot")


def installed(env: Mapping[str, str]) -> bool:
    """Whether this user has run Copilot CLI (its home directory exists)."""
    return os.path.isdir(copilot_home(env))


def config_path(env: Mapping[str, str]) -> str:
    return os.path.join(copilot_home(env), "config.json")


def check(
    root: str, env: Mapping[str, str] | None = None, policy_dir: str = POLICY_DIR
) -> CopilotTrust:
    """Copilot CLI's trust decision for a start in ``root`` (or below it)."""
    from ringfence.hooks.install import is_ringfence

    env = os.environ if env is None else env
    if env.get("COPILOT_ALLOW_ALL") == "true":
        return CopilotTrust(True, "COPILOT_ALLOW_ALL=true in this environment", None)
    for where in (policy_dir, os.path.join(copilot_home(env), "hooks")):
        found = _ringfence_hook_file(where, is_ringfence)
        if found:
            return CopilotTrust(True, f"{found} runs ringfence in every folder", None)
    path = config_path(env)
    try:
        folders = trusted_folders(path)
    except ValueError as exc:
        return CopilotTrust(False, f"{path}: {exc}", f"fix {path}")
    for folder in folders:
        if _covers(folder, root):
            return CopilotTrust(True, f"{path} trusts {folder}", None)
    fix = trust_fix(root, copilot_home(env))
    return CopilotTrust(False, f"no trustedFolders entry in {path} covers {root}", fix)


def trust_fix(root: str, home: str) -> str:
    return (
        f'run \'cd {root} && copilot\' once and answer "{REMEMBER}" (or add "{root}" to '
        f'"trustedFolders" in {home}/config.json); to cover untrusted folders too, copy '
        f".github/hooks/ringfence.json to {home}/hooks/ringfence.json"
    )


def trusted_folders(path: str) -> list[str]:
    """The folders ``config.json`` trusts (``trustedFolders``; older: ``trusted_folders``)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read it ({exc})") from None
    # Copilot CLI writes "// This file is managed automatically." lines above the JSON
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    try:
        config = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(config, dict):
        raise ValueError("not a JSON object")
    folders: list[str] = []
    for key in ("trustedFolders", "trusted_folders"):
        value = config.get(key)
        if isinstance(value, list):
            folders.extend(f for f in value if isinstance(f, str) and f)
    return folders


def _covers(folder: str, root: str) -> bool:
    folder, root = os.path.realpath(folder), os.path.realpath(root)
    return root == folder or root.startswith(folder.rstrip(os.sep) + os.sep)


def _ringfence_hook_file(directory: str, is_ringfence) -> str | None:
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        try:
            with open(path, encoding="utf-8") as handle:
                hooks = json.load(handle).get("hooks")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(hooks, dict) and any(
            isinstance(entry, dict) and is_ringfence(entry.get("bash") or entry.get("command"))
            for entries in hooks.values()
            if isinstance(entries, list)
            for entry in entries
        ):
            return path
    return None
