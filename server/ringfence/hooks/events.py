"""The normalized hook event every agent adapter produces, whatever the agent's wire format.

An event has a kind (pre-edit, read, post-edit, shell, or ignored) and the files it touches,
each a :class:`Change` that says what the agent writes there: a whole new text, ``old → new``
replacements, a deletion, or a read. Nothing here reads the policy or the disk.
"""

from __future__ import annotations

import re

PRE_EDIT = "pre-edit"
READ = "read"
POST_EDIT = "post-edit"
SHELL = "shell"
POST_SHELL = "post-shell"
IGNORED = "ignored"
PRE_KINDS = (PRE_EDIT, READ, SHELL)

# Change operations
WRITE = "write"  # the whole file gets ``content`` (None: unknown, e.g. a notebook cell)
EDIT = "edit"  # ``replacements``: (old, new, replace_all) applied to the current text
DELETE = "delete"
READ_FILE = "read"  # a file's (or a directory's) content goes to the agent
SEARCH = "search"  # a directory or glob is searched or listed


class MalformedEvent(ValueError):
    """The payload is not what the agent's protocol promises (fail closed on pre-events)."""


class Change:
    """One path an event touches."""

    __slots__ = ("path", "op", "content", "replacements", "added", "note")

    def __init__(
        self,
        path: str,
        op: str,
        *,
        content: str | None = None,
        replacements: tuple[tuple[str, str, bool], ...] = (),
        added: list[tuple[int, int]] | None = None,
        note: str = "",
    ) -> None:
        self.path = path
        self.op = op
        self.content = content
        self.replacements = replacements
        self.added = added  # post-edit: 1-based line ranges the agent wrote, when the agent says
        self.note = note

    def __repr__(self) -> str:
        return f"Change({self.path!r}, {self.op!r})"


class HookEvent:
    """What one hook invocation is about, in ringfence's terms."""

    __slots__ = (
        "kind",
        "event_name",
        "tool_name",
        "cwd",
        "session",
        "model",
        "changes",
        "command",
        "pascal",
        "sender",
        "call",
        "complete_diff",
    )

    def __init__(
        self,
        kind: str,
        *,
        event_name: str = "",
        tool_name: str = "",
        cwd: str | None = None,
        session: str | None = None,
        model: str | None = None,
        changes: list[Change] | None = None,
        command: str | None = None,
        pascal: bool = False,
        sender: str | None = None,
        call: str | None = None,
        complete_diff: bool = False,
    ) -> None:
        self.kind = kind
        self.event_name = event_name
        self.tool_name = tool_name
        self.cwd = cwd
        self.session = session
        self.model = model
        self.changes = changes or []
        self.command = command  # shell events: the command line
        self.pascal = pascal  # Copilot's VS Code compatible (PascalCase) payload shape
        self.sender = sender  # the agent that really sent a payload in another's format
        self.call = call  # the tool call's key across Copilot's twin hook runs (hooks/twins.py)
        # post-shell: ``changes`` are every file the command changed, with exact lines (Claude
        # Code's bashEditDiff), so nothing else needs guessing from the command line
        self.complete_diff = complete_diff

    @property
    def is_pre(self) -> bool:
        return self.kind in PRE_KINDS


def text_field(data: dict, *keys: str) -> str | None:
    """The first of ``keys`` in ``data`` holding a string."""
    for key in keys:
        value = data.get(key)
        if isinstance(value, str):
            return value
    return None


def require_path(data: dict, *keys: str) -> str:
    """The first non-empty path among ``keys``; a missing path is a malformed event."""
    path = text_field(data, *keys)
    if not path:
        raise MalformedEvent(f"tool input has no {' / '.join(keys)}")
    return path


def require_object(payload: dict, key: str) -> dict:
    value = payload.get(key)
    if not isinstance(value, dict):
        raise MalformedEvent(f"payload has no '{key}' object")
    return value


def require_text(payload: dict, key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"payload has no '{key}'")
    return value


def optional_text(payload: dict, *keys: str) -> str | None:
    value = text_field(payload, *keys)
    return value or None


PATH_KEYS = (
    "file_path",
    "path",
    "filePath",
    "absolute_path",
    "notebook_path",
    "target_file",
    "filename",
)
_WRITE_WORDS = re.compile(
    r"write|edit|create|replace|patch|insert|delete|remove|move|rename|append", re.I
)
_READ_WORDS = re.compile(r"read|view|open|cat|get_?file", re.I)


def generic_changes(tool_name: str, tool_input: dict, pre: bool) -> tuple[str, list[Change]]:
    """Best effort for tools an adapter does not know (MCP file tools, newer agent builds).

    A tool whose name says it writes and whose input names a path is an edit; one whose name
    says it reads is a read; anything else is not ringfence's business.
    """
    path = text_field(tool_input, *PATH_KEYS)
    if not path:
        return IGNORED, []
    if _WRITE_WORDS.search(tool_name):
        content = text_field(tool_input, "content", "file_text", "text", "code")
        old = text_field(tool_input, "old_string", "old_str", "oldString")
        new = text_field(tool_input, "new_string", "new_str", "newString")
        if old is not None and new is not None:
            change = Change(path, EDIT, replacements=((old, new, False),))
        else:
            change = Change(path, WRITE, content=content)
        return (PRE_EDIT if pre else POST_EDIT), [change]
    if _READ_WORDS.search(tool_name) and pre:
        return READ, [Change(path, READ_FILE)]
    return IGNORED, []


def literal_prefix(pattern: str) -> str:
    """A glob's leading directories without wildcards (``serving/**/*.py`` → ``serving``)."""
    out = []
    for part in pattern.split("/")[:-1]:
        if any(ch in part for ch in "*?[{"):
            break
        out.append(part)
    if pattern.startswith("/") and out and out[0] == "":
        return "/" + "/".join(out[1:])
    return "/".join(out)


def structured_patch_lines(response: object) -> list[tuple[int, int]] | None:
    """1-based line ranges added according to Claude Code's ``tool_response.structuredPatch``."""
    if not isinstance(response, dict) or not isinstance(response.get("structuredPatch"), list):
        return None
    if not response["structuredPatch"]:
        return None  # a new file (Write "create") or a stub: locate the written text instead
    ranges: list[tuple[int, int]] = []
    for hunk in response["structuredPatch"]:
        if not isinstance(hunk, dict) or not isinstance(hunk.get("newStart"), int):
            return None
        line = hunk["newStart"]
        for text in hunk.get("lines") or []:
            mark = text[:1] if isinstance(text, str) else ""
            if mark == "+":
                if ranges and ranges[-1][1] == line - 1:
                    ranges[-1] = (ranges[-1][0], line)
                else:
                    ranges.append((line, line))
                line += 1
            elif mark != "-":
                line += 1
    return ranges


def tool_event(payload: dict, event_name: str, tool: str) -> HookEvent:
    """The event of a Claude-style payload (``cwd``, ``session_id``, ``model``); kind unknown."""
    return HookEvent(
        IGNORED,
        event_name=event_name,
        tool_name=tool,
        cwd=optional_text(payload, "cwd"),
        session=optional_text(payload, "session_id"),
        model=optional_text(payload, "model"),
    )
