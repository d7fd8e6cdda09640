"""Does Gemini CLI load this repository's hooks? Its folder trust, read the way Gemini CLI does.

Gemini CLI 0.61 reads a workspace's ``.gemini/settings.json`` (and so ringfence's hooks) only in
a trusted folder (``packages/core/src/utils/trust.ts`` ``checkPathTrust``, in the order below):

1. ``GEMINI_RESTRICTED_MODE=true`` or ``GEMINI_CLI_TRUST_WORKSPACE=false``: untrusted;
   ``GEMINI_CLI_TRUST_WORKSPACE=true``: trusted;
2. ``security.folderTrust.enabled: false`` in the user's (or system) settings: trusted;
3. the rule in ``~/.gemini/trustedFolders.json`` (``GEMINI_CLI_TRUSTED_FOLDERS_PATH``,
   ``GEMINI_CLI_HOME``) with the longest path that contains the folder: ``TRUST_FOLDER`` (that
   folder and below), ``TRUST_PARENT`` (the rule's parent folder and below), ``DO_NOT_TRUST``;
   paths compared after resolving symbolic links;
4. no rule: undecided. Headless runs (``-p``, CI) then refuse to start; the interactive CLI
   asks.

Measured with the real 0.61 binary (``tests/agents/test_gemini_e2e.py``): ``--skip-trust`` lets a
headless run start but loads no workspace settings, so no hook runs and the write lands
silently. Gemini CLI also reads ``.gemini/settings.json`` only from the directory it starts in.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import NamedTuple

TRUST_FOLDER, TRUST_PARENT, DO_NOT_TRUST = "TRUST_FOLDER", "TRUST_PARENT", "DO_NOT_TRUST"
LEVELS = (TRUST_FOLDER, TRUST_PARENT, DO_NOT_TRUST)
SYSTEM_SETTINGS = "/etc/gemini-cli/settings.json"


class GeminiTrust(NamedTuple):
    """Whether Gemini CLI trusts the repository, why, and what to run if it does not."""

    trusted: bool | None  # None: no rule (headless runs refuse to start, interactive asks)
    source: str  # where the answer comes from, for the report
    fix: str | None  # what to run (None when trusted)


def gemini_home(env: Mapping[str, str]) -> str:
    home = env.get("GEMINI_CLI_HOME") or env.get("HOME") or os.path.expanduser("~")
    return os.path.join(home, ".gemini")


def trusted_folders_path(env: Mapping[str, str]) -> str:
    return env.get("GEMINI_CLI_TRUSTED_FOLDERS_PATH") or os.path.join(
        gemini_home(env), "trustedFolders.json"
    )


def check(root: str, env: Mapping[str, str] | None = None) -> GeminiTrust:
    """Gemini CLI's trust decision for a start in ``root``."""
    env = os.environ if env is None else env
    if env.get("GEMINI_RESTRICTED_MODE") == "true":
        return GeminiTrust(False, "GEMINI_RESTRICTED_MODE=true", "unset GEMINI_RESTRICTED_MODE")
    if env.get("GEMINI_CLI_TRUST_WORKSPACE") == "false":
        return GeminiTrust(
            False, "GEMINI_CLI_TRUST_WORKSPACE=false", "unset GEMINI_CLI_TRUST_WORKSPACE"
        )
    if env.get("GEMINI_CLI_TRUST_WORKSPACE") == "true":
        return GeminiTrust(True, "GEMINI_CLI_TRUST_WORKSPACE=true in this environment", None)
    disabled = _folder_trust_disabled(env)
    if disabled:
        return GeminiTrust(True, f"{disabled} sets security.folderTrust.enabled to false", None)
    path = trusted_folders_path(env)
    try:
        rules = load_rules(path)
    except ValueError as exc:
        return GeminiTrust(False, f"{path}: {exc}", f"fix {path} (Gemini CLI refuses to start)")
    match = matching_rule(root, rules)
    if match is None:
        return GeminiTrust(None, f"no rule in {path} covers {root}", trust_fix(root, path))
    rule, level = match
    if level == DO_NOT_TRUST:
        return GeminiTrust(
            False, f"{path} marks {rule} {DO_NOT_TRUST}", trust_fix(root, path, rule)
        )
    return GeminiTrust(True, f"{path} marks {rule} {level}", None)


def trust_fix(root: str, path: str, distrusted: str | None = None) -> str:
    drop = f"remove the {DO_NOT_TRUST} rule for {distrusted} and " if distrusted else ""
    return (
        f"run 'gemini' in {root} and choose 'Trust folder', or {drop}add "
        f'"{root}": "{TRUST_FOLDER}" to {path}'
    )


def load_rules(path: str) -> dict[str, str]:
    """The rules of ``trustedFolders.json`` (JSON with comments); ValueError if Gemini CLI would
    reject the file."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read it: {exc}") from None
    data = _json_with_comments(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    for rule, level in data.items():
        if level not in LEVELS:
            raise ValueError(f"invalid trust level {level!r} for {rule!r}")
    return {_normal(rule): level for rule, level in data.items()}


def matching_rule(location: str, rules: Mapping[str, str]) -> tuple[str, str] | None:
    """The longest rule whose folder holds ``location`` (``TRUST_PARENT``: the rule's parent)."""
    here = os.path.realpath(location)
    best: tuple[str, str] | None = None
    for rule, level in rules.items():
        folder = os.path.dirname(rule) if level == TRUST_PARENT else rule
        if _is_within(here, os.path.realpath(folder)) and (
            best is None or len(rule) > len(best[0])
        ):
            best = (rule, level)
    return best


def _is_within(child: str, parent: str) -> bool:
    relative = os.path.relpath(child, parent)
    return relative == "." or not (relative == ".." or relative.startswith("../"))


def _normal(path: str) -> str:
    return os.path.abspath(os.path.expanduser(path))


def _folder_trust_disabled(env: Mapping[str, str]) -> str | None:
    """The settings file that switches folder trust off (system settings win over the user's)."""
    system = env.get("GEMINI_CLI_SYSTEM_SETTINGS_PATH") or SYSTEM_SETTINGS
    for path in (system, os.path.join(gemini_home(env), "settings.json")):
        enabled = _setting(path, ("security", "folderTrust", "enabled"))
        if enabled is not None:
            return path if enabled is False else None
    return None


def _setting(path: str, keys: tuple[str, ...]) -> object:
    try:
        with open(path, encoding="utf-8") as handle:
            value = _json_with_comments(handle.read())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _json_with_comments(text: str) -> object:
    """``JSON.parse(stripJsonComments(text))``: ``//`` and ``/* */`` comments outside strings."""
    out, i, in_string = [], 0, False
    while i < len(text):
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\":
                out.append(text[i + 1 : i + 2])
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            out.append(ch)
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = len(text) if end < 0 else end + 2
            continue
        else:
            out.append(ch)
        i += 1
    stripped = "".join(out)
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg}, line {exc.lineno})") from None
