"""``permission.edit`` and ``permission.read`` of OpenCode's ``opencode.json``, from the policy.

OpenCode has no command hook; its permission config (https://opencode.ai/docs/permissions) maps
a tool's input to ``allow``/``ask``/``deny`` by wildcard patterns, the last matching one winning.
The edit and read tools ask with the path relative to the worktree (anomalyco/opencode
``packages/opencode/src/tool/write.ts``, ``read.ts``: ``path.relative(Instance.worktree, …)``).
Its wildcards are ``*`` (any characters, ``/`` included) and ``?``; there are no classes or
braces, so a ``[…]`` becomes ``?`` and braces are expanded: every pattern written covers at least
the paths the policy closes (a safe superset). Carve-outs are left out for the same reason.

Every hand-written key and value stays. ringfence appends its ``deny`` rules at the end of each
object (so they win) and remembers which it added, in the same record as the Claude Code export
(``<git-common-dir>/ringfence/exports.json``); a hand-written rule for the same pattern that is
not ``deny`` is turned into ringfence's deny, since the policy decides. A string shorthand
(``"edit": "ask"``) becomes ``{"*": "ask", …}``, which means the same. A file that is not plain
JSON (comments, trailing commas) is reported and left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ringfence.errors import RingfenceError
from ringfence.export.dialects import Rendered
from ringfence.export.rules import Rule

CONFIG = "opencode.json"
SCHEMA = "https://opencode.ai/config.json"
KINDS = ("edit", "read")


@dataclass
class Merge:
    text: str | None
    owned: list[str]
    added: list[str]
    removed: list[str]


def rules(context: list[Rule], edits: list[Rule], ignore_case: bool = False) -> Rendered:
    """Entries ``edit:PATTERN`` for closed edits and ``read:PATTERN`` for closed context.

    OpenCode matches case-sensitively: under ``ignore-case`` every letter after the rule's fixed
    prefix (a real directory's name) becomes ``?``, a superset of every spelling."""
    out: list[str] = []
    dropped: list[Rule] = []
    for kind, flat in (("read", context), ("edit", edits)):
        for rule in flat:
            if not rule.deny:
                dropped.append(rule)
                continue
            for pattern in rule.files():
                if ignore_case:
                    pattern = _any_case(pattern, rule.fixed)
                for wildcard in wildcards(pattern):
                    entry = f"{kind}:{wildcard}"
                    if entry not in out:
                        out.append(entry)
    return Rendered(out, list(dict.fromkeys(dropped)))


def wildcards(pattern: str) -> list[str]:
    """OpenCode wildcards matching at least the worktree-relative paths ``pattern`` matches."""
    body = pattern[1:] if pattern.startswith("/") else pattern
    if body.endswith("/"):
        body += "**"
    out = []
    for expanded in _braces(body):
        text = _plain(expanded)
        out.append(text)
        if text.startswith("**/"):
            out.append(text[3:])  # "*" needs a "/" before the name; a top-level match has none
    return list(dict.fromkeys(out))


def _any_case(pattern: str, fixed: int) -> str:
    head, tail = pattern[:fixed], pattern[fixed:]
    return head + "".join("?" if ch.isalpha() and ch.lower() != ch.upper() else ch for ch in tail)


def _braces(pattern: str) -> list[str]:
    start = pattern.find("{")
    end = pattern.find("}", start)
    if start < 0 or end < 0:
        return [pattern]
    head, tail = pattern[:start], pattern[end + 1 :]
    return [x for alt in pattern[start + 1 : end].split(",") for x in _braces(head + alt + tail)]


def _plain(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            out.append("?" if escaped in "*?" else escaped)
            i += 2
            continue
        if ch == "[":
            close = pattern.find("]", i + 2)
            if close > 0:
                out.append("?")
                i = close + 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def merge(existing: str | None, expected: list[str], owned: list[str]) -> Merge:
    """Add the ``expected`` deny rules, drop the ``owned`` ones the policy no longer produces."""
    if existing is None:
        if not expected:
            return Merge(None, [], [], [])
        config: dict = {"$schema": SCHEMA}
    else:
        config = _parse(existing)
    permission = _section(config, "permission", config.get("permission"))
    sections = {kind: _section(permission, kind, permission.get(kind)) for kind in KINDS}
    removed = []
    for entry in owned:
        kind, pattern = entry.split(":", 1)
        section = sections.get(kind)
        if entry not in expected and section is not None and section.get(pattern) == "deny":
            del section[pattern]
            removed.append(entry)
    added = []
    for entry in expected:
        kind, pattern = entry.split(":", 1)
        section = sections[kind]
        if section.get(pattern) == "deny":
            continue  # already there (ringfence's, or a hand-written deny, which keeps its place)
        section.pop(pattern, None)
        section[pattern] = "deny"
        added.append(entry)
    new_owned = list(dict.fromkeys([e for e in owned if e in expected] + added))
    if not added and not removed:
        return Merge(existing, new_owned, [], [])
    for kind in KINDS:
        if sections[kind] or kind in permission:
            permission[kind] = sections[kind]
    config["permission"] = permission
    return Merge(json.dumps(config, indent=2, ensure_ascii=False) + "\n", new_owned, added, removed)


def _parse(text: str) -> dict:
    try:
        config = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise RingfenceError(
            f"not plain JSON ({exc.msg}); ringfence cannot merge its permission rules into it "
            "(nothing was changed)",
            CONFIG,
            exc.lineno,
            exc.colno,
        ) from None
    if not isinstance(config, dict):
        raise RingfenceError("the top level must be a JSON object", CONFIG)
    return config


def _section(parent: dict, key: str, value: object) -> dict:
    """An object of rules; ``"allow"``-style shorthand becomes ``{"*": "allow"}``."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {"*": value}
    if not isinstance(value, dict):
        raise RingfenceError(f"'{key}' must be an object or a string", CONFIG)
    return value
