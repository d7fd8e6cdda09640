"""Codex CLI's trust of project hooks, computed the way Codex 0.169 computes it.

Codex runs a hook from a repository's ``.codex/hooks.json`` only when two things hold, and
otherwise runs nothing and says nothing (``codex exec`` included; measured with the real 0.169
binary, see docs/hooks.md):

* the project's ``.codex/`` layer is trusted: ``[projects."<repo>"] trust_level = "trusted"`` in
  the user's ``$CODEX_HOME/config.toml`` (``~/.codex`` by default);
* each hook handler is trusted *by hash*: ``[hooks.state."<key>"] trusted_hash = "sha256:…"`` in
  that same file, where ``<key>`` is ``<absolute path of hooks.json>:<event>:<group>:<handler>``
  (the event in snake case, the group's index in that event's list, the handler's index in the
  group) and the hash is the SHA-256 of a normalised identity of the handler (below). A hash that
  no longer matches (the command changed) counts as untrusted. ``enabled = false`` there turns a
  hook off.

Codex's TUI writes these entries when the user reviews the hooks (``/hooks``); there is no CLI
command for it. The identity hashed is ``{"event_name", "matcher", "hooks": [handler]}`` with the
handler normalised to ``type``, ``command``, ``timeout`` (default 600 s, at least 1) and
``async`` (plus ``statusMessage`` when set), serialised as JSON with sorted keys and no spaces
(codex-rs ``hooks/src/engine/discovery.rs`` and ``config/src/fingerprint.rs``; checked against
the real binary's own ``hooks/list`` answer in ``tests/agents/test_codex_e2e.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from typing import NamedTuple

from ringfence import toml
from ringfence.errors import RingfenceError

HOOKS_FILE = ".codex/hooks.json"
DEFAULT_TIMEOUT = 600
TRUSTED, MODIFIED, UNTRUSTED, DISABLED = "trusted", "modified", "untrusted", "disabled"


class CodexHook(NamedTuple):
    """One ringfence handler in a project's ``.codex/hooks.json``, as Codex identifies it."""

    key: str  # the ``[hooks.state."…"]`` key
    event: str  # PreToolUse, PostToolUse, ...
    current_hash: str


class HookTrust(NamedTuple):
    hook: CodexHook
    status: str  # trusted | modified | untrusted | disabled


def user_config_path(env: Mapping[str, str]) -> str:
    home = env.get("CODEX_HOME") or os.path.join(
        env.get("HOME") or os.path.expanduser("~"), ".codex"
    )
    return os.path.join(home, "config.toml")


def load_user_config(path: str) -> dict:
    """The user's Codex config; ``{}`` when there is none. Unreadable: :class:`RingfenceError`."""
    try:
        with open(path, "rb") as handle:
            return toml.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:  # ValueError: not TOML
        raise RingfenceError(f"cannot read {path}: {exc}") from None


def project_keys(root: str) -> list[str]:
    """The paths Codex may key the project by: the work tree (also resolved) and the main one."""
    from ringfence.policy.paths import git_common_dir

    keys = [root, os.path.realpath(root)]
    common = git_common_dir(root)
    if common is not None and os.path.basename(common) == ".git":
        keys.append(os.path.dirname(common))
    return list(dict.fromkeys(keys))


def project_trust_level(root: str, user_config: Mapping[str, object]) -> str | None:
    """``trusted`` if any key of the project is trusted, else ``untrusted`` if one says so."""
    projects = user_config.get("projects")
    projects = projects if isinstance(projects, dict) else {}
    levels = set()
    for key in project_keys(root):
        entry = projects.get(key)
        if isinstance(entry, dict) and isinstance(entry.get("trust_level"), str):
            levels.add(entry["trust_level"])
    for level in ("trusted", "untrusted"):
        if level in levels:
            return level
    return None


def hook_key_roots(root: str) -> list[str]:
    """The repository paths a hook's key may start with (Codex does not resolve symlinks)."""
    return list(dict.fromkeys([root, os.path.realpath(root)]))


def event_label(event: str) -> str:
    """``PreToolUse`` -> ``pre_tool_use``: how Codex names an event in keys and hashes."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", event).lower()


def hook_hash(event: str, matcher: str | None, handler: Mapping[str, object]) -> str:
    """The ``sha256:…`` Codex stores as ``trusted_hash`` for one command handler."""
    timeout = handler.get("timeout")
    normalised: dict[str, object] = {
        "type": "command",
        "command": handler.get("command"),
        "timeout": max(1, timeout) if isinstance(timeout, int) else DEFAULT_TIMEOUT,
        "async": handler.get("async") is True,
    }
    if isinstance(handler.get("statusMessage"), str):
        normalised["statusMessage"] = handler["statusMessage"]
    identity: dict[str, object] = {"event_name": event_label(event), "hooks": [normalised]}
    if matcher is not None:
        identity["matcher"] = matcher
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def project_hooks(hooks_json: str, config: Mapping[str, object], is_ours) -> list[CodexHook]:
    """Every handler of ``config`` (the parsed ``hooks.json`` at the absolute path ``hooks_json``)
    whose command ``is_ours`` accepts, with Codex's key and current hash."""
    events = config.get("hooks")
    found = []
    for event, groups in events.items() if isinstance(events, dict) else ():
        for group_index, group in enumerate(groups if isinstance(groups, list) else ()):
            handlers = group.get("hooks") if isinstance(group, dict) else None
            matcher = group.get("matcher") if isinstance(group, dict) else None
            for handler_index, handler in enumerate(handlers if isinstance(handlers, list) else ()):
                if not (isinstance(handler, dict) and is_ours(handler.get("command"))):
                    continue
                key = f"{hooks_json}:{event_label(event)}:{group_index}:{handler_index}"
                matcher = matcher if isinstance(matcher, str) else None
                found.append(CodexHook(key, event, hook_hash(event, matcher, handler)))
    return found


def trust_of(hooks: list[CodexHook], user_config: Mapping[str, object]) -> list[HookTrust]:
    """Each hook's standing in the user's config."""
    states = _states(user_config)
    out = []
    for hook in hooks:
        state = states.get(hook.key, {})
        if state.get("enabled") is False:
            status = DISABLED
        elif state.get("trusted_hash") == hook.current_hash:
            status = TRUSTED
        elif isinstance(state.get("trusted_hash"), str):
            status = MODIFIED
        else:
            status = UNTRUSTED
        out.append(HookTrust(hook, status))
    return out


def trust_entries(hooks: list[CodexHook]) -> str:
    """The ``config.toml`` lines that trust ``hooks`` (what Codex's ``/hooks`` review writes)."""
    return "\n".join(
        f'[hooks.state.{json.dumps(hook.key)}]\ntrusted_hash = "{hook.current_hash}"'
        for hook in hooks
    )


def _states(user_config: Mapping[str, object]) -> dict[str, dict]:
    hooks = user_config.get("hooks")
    states = hooks.get("state") if isinstance(hooks, dict) else None
    if not isinstance(states, dict):
        return {}
    return {k.strip(): v for k, v in states.items() if isinstance(v, dict)}
