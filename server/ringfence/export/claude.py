"""``permissions.deny`` of Claude Code's ``.claude/settings.json``, edited in place.

Claude Code rejects a settings file with an unknown key (and then skips the whole file), so
ringfence cannot mark its entries inside it. It remembers the entries it added in a record under
the git directory (``<git-common-dir>/ringfence/exports.json``) and owns only those: an entry
someone wrote by hand stays, even when it equals one ringfence would write. On a fresh clone
there is no record, so entries an older policy produced elsewhere stay until removed by hand:
a stale deny only closes more.

The edit is surgical: only the ``deny`` array's text changes (or is inserted), so every other
key keeps its bytes and indentation.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from ringfence.errors import RingfenceError
from ringfence.policy.paths import git_common_dir

SETTINGS = ".claude/settings.json"
_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")


@dataclass
class Merge:
    text: str | None  # the new file text (None: leave the file alone)
    entries: list[str]  # the deny list after the merge
    owned: list[str]  # entries ringfence owns afterwards
    added: list[str]
    removed: list[str]


def merge(existing: str | None, expected: list[str], owned: list[str]) -> Merge:
    """Add the ``expected`` entries, drop ``owned`` ones the policy no longer produces."""
    if existing is None:
        if not expected:
            return Merge(None, [], [], [], [])
        return Merge(_new_file(expected), list(expected), list(expected), list(expected), [])
    settings = _parse(existing)
    permissions = settings.get("permissions", {})
    current = permissions.get("deny", [])
    still_owned = [e for e in owned if e in expected]
    removed = [e for e in current if e in owned and e not in expected]
    kept = [e for e in current if e not in removed]
    added = [e for e in expected if e not in kept]
    entries = kept + added
    new_owned = list(dict.fromkeys(still_owned + added))
    if not added and not removed:
        return Merge(existing, current, new_owned, [], [])
    return Merge(_replace_deny(existing, entries), entries, new_owned, added, removed)


def _parse(text: str) -> dict:
    try:
        settings = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RingfenceError(
            f"not valid JSON: {exc.msg}; fix it first (nothing was changed)",
            SETTINGS,
            exc.lineno,
            exc.colno,
        ) from None
    if not isinstance(settings, dict):
        raise RingfenceError("the top level must be a JSON object", SETTINGS)
    permissions = settings.get("permissions", {})
    if not isinstance(permissions, dict):
        raise RingfenceError("'permissions' must be an object", SETTINGS)
    deny = permissions.get("deny", [])
    if not isinstance(deny, list) or not all(isinstance(e, str) for e in deny):
        raise RingfenceError("'permissions.deny' must be an array of strings", SETTINGS)
    return settings


def _new_file(entries: list[str]) -> str:
    return json.dumps({"permissions": {"deny": entries}}, indent=2) + "\n"


# ----- surgical text edits ---------------------------------------------------------------------


@dataclass
class _Member:
    key: str
    key_start: int
    value_start: int
    value_end: int


def _skip(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)  # "[ \t\n\r]*" matches everywhere
    return match.end() if match else pos


def _members(text: str, brace: int) -> tuple[list[_Member], int]:
    """The members of the object whose ``{`` is at ``brace``, and the offset of its ``}``."""
    members: list[_Member] = []
    pos = _skip(text, brace + 1)
    if text[pos] == "}":
        return members, pos
    while True:
        key, key_end = _DECODER.raw_decode(text, pos)  # the text is valid JSON: a string key
        value_start = _skip(text, _skip(text, key_end) + 1)
        _, value_end = _DECODER.raw_decode(text, value_start)
        members.append(_Member(key, pos, value_start, value_end))
        pos = _skip(text, value_end)
        if text[pos] != ",":
            return members, pos
        pos = _skip(text, pos + 1)


def _last(members: list[_Member], key: str) -> _Member | None:
    found = [m for m in members if m.key == key]
    return found[-1] if found else None


def _replace_deny(text: str, entries: list[str]) -> str:
    eol = "\r\n" if "\r\n" in text else "\n"
    unit = _indent_unit(text)
    root = _skip(text, 0)
    members, close = _members(text, root)
    permissions = _last(members, "permissions")
    if permissions is None:
        value = _object({"deny": entries}, _line_indent(text, root) + unit, unit, eol)
        return _insert_member(text, root, members, close, "permissions", value, unit, eol)
    inner, inner_close = _members(text, permissions.value_start)
    deny = _last(inner, "deny")
    if deny is None:
        indent = _line_indent(text, permissions.key_start)
        value = _array(entries, indent + unit, unit, eol)
        return _insert_member(
            text, permissions.value_start, inner, inner_close, "deny", value, unit, eol
        )
    value = _array(entries, _line_indent(text, deny.key_start), unit, eol)
    return text[: deny.value_start] + value + text[deny.value_end :]


def _insert_member(text, brace, members, close, key, value, unit, eol) -> str:
    if members:
        indent = _line_indent(text, members[-1].key_start)
        at = members[-1].value_end
        return text[:at] + f",{eol}{indent}{json.dumps(key)}: {value}" + text[at:]
    indent = _line_indent(text, brace)
    return (
        text[: brace + 1]
        + f"{eol}{indent}{unit}{json.dumps(key)}: {value}{eol}{indent}"
        + text[close:]
    )


def _array(entries: list[str], indent: str, unit: str, eol: str) -> str:
    if not entries:
        return "[]"
    items = f",{eol}".join(f"{indent}{unit}{json.dumps(e)}" for e in entries)
    return f"[{eol}{items}{eol}{indent}]"


def _object(value: dict[str, list[str]], indent: str, unit: str, eol: str) -> str:
    ((key, entries),) = value.items()
    array = _array(entries, indent + unit, unit, eol)
    return f"{{{eol}{indent}{unit}{json.dumps(key)}: {array}{eol}{indent}}}"


def _line_indent(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    line = text[start:offset]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _indent_unit(text: str) -> str:
    """The file's indentation step (the indentation of its first indented line), else 2 spaces."""
    match = re.search(r"\n([ \t]+)\S", text)
    return match.group(1) if match else "  "


# ----- the record of entries ringfence added ---------------------------------------------------


def record_path(root: str) -> str | None:
    common = git_common_dir(root)
    return None if common is None else os.path.join(common, "ringfence", "exports.json")


def owned_entries(root: str, relpath: str = SETTINGS) -> list[str]:
    """The entries a previous export added to ``relpath`` (``.claude/settings.json``, or
    OpenCode's ``opencode.json``) of the tree at ``root``."""
    record = _load_record(root)
    entries = record.get(root, {}).get(relpath, [])
    return [e for e in entries if isinstance(e, str)] if isinstance(entries, list) else []


def save_owned(root: str, entries: list[str], relpath: str = SETTINGS) -> None:
    path = record_path(root)
    if path is None:
        return
    record = _load_record(root)
    record.setdefault(root, {})[relpath] = entries
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temp = f"{path}.{os.getpid()}.tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(temp, path)


def _load_record(root: str) -> dict:
    path = record_path(root)
    if path is None:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict):
        return {}
    return {k: v for k, v in record.items() if isinstance(v, dict)}
