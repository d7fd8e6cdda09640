"""Codex ``apply_patch`` bodies: which files a patch touches and what it writes into each.

The format (openai/codex ``apply-patch``): ``*** Begin Patch`` … ``*** End Patch`` around file
sections ``*** Add File: P`` (every line ``+``), ``*** Delete File: P``, and ``*** Update File:
P`` with an optional ``*** Move to: Q`` and ``@@`` hunks of `` ``/``-``/``+`` lines. Every path in
the patch counts: one denied path denies the whole patch.
"""

from __future__ import annotations

from ringfence.hooks.events import DELETE, EDIT, WRITE, Change, MalformedEvent

BEGIN = "*** Begin Patch"
END = "*** End Patch"
_ADD, _DELETE, _UPDATE, _MOVE = (
    "*** Add File: ",
    "*** Delete File: ",
    "*** Update File: ",
    "*** Move to: ",
)


class Hunk:
    """One ``@@`` hunk: its lines before (context and ``-``) and after (context and ``+``)."""

    __slots__ = ("old", "new")

    def __init__(self) -> None:
        self.old: list[str] = []
        self.new: list[str] = []


class PatchFile:
    __slots__ = ("op", "path", "move_to", "lines", "hunks")

    def __init__(self, op: str, path: str) -> None:
        self.op = op  # add | update | delete
        self.path = path
        self.move_to: str | None = None
        self.lines: list[str] = []  # add: the new file's lines
        self.hunks: list[Hunk] = []


def contains_patch(text: str) -> bool:
    return BEGIN in text


def parse_patch(text: str) -> list[PatchFile]:
    """The file sections of the patch in ``text`` (which may be wrapped in a shell heredoc)."""
    start = text.find(BEGIN)
    if start < 0:
        raise MalformedEvent("apply_patch input has no '*** Begin Patch' line")
    files: list[PatchFile] = []
    current: PatchFile | None = None
    hunk: Hunk | None = None
    for raw in text[start + len(BEGIN) :].split("\n"):
        line = raw.rstrip("\r")
        if line.startswith(END):
            break
        header = _header(line.lstrip())  # a lenient parser may apply an indented header: see it too
        if header is not None:
            op, path = header
            if op == "move":
                if current is None or current.op != "update":
                    raise MalformedEvent("'*** Move to:' outside an '*** Update File:' section")
                current.move_to = path
                continue
            current, hunk = PatchFile(op, path), None
            files.append(current)
            continue
        if current is None or line == "*** End of File":
            continue
        if current.op == "add":
            if line.startswith("+"):
                current.lines.append(line[1:])
        elif current.op == "update":
            if line.startswith("@@"):
                hunk = Hunk()
                current.hunks.append(hunk)
                continue
            if hunk is None:
                hunk = Hunk()
                current.hunks.append(hunk)
            _hunk_line(hunk, line)
    if not files:
        raise MalformedEvent("apply_patch input names no file")
    return files


def _header(line: str) -> tuple[str, str] | None:
    for prefix, op in ((_ADD, "add"), (_DELETE, "delete"), (_UPDATE, "update"), (_MOVE, "move")):
        if line.startswith(prefix):
            path = line[len(prefix) :].strip()
            if not path:
                raise MalformedEvent(f"'{prefix.strip()}' without a path")
            return op, path
    return None


def _hunk_line(hunk: Hunk, line: str) -> None:
    mark, body = line[:1], line[1:]
    if mark == "+":
        hunk.new.append(body)
    elif mark == "-":
        hunk.old.append(body)
    else:  # context (a lone empty line is an empty context line)
        hunk.old.append(body)
        hunk.new.append(body)


def patch_changes(files: list[PatchFile]) -> list[Change]:
    """Each file of the patch as a :class:`Change`; a move is a delete plus a write."""
    changes: list[Change] = []
    for entry in files:
        if entry.op == "add":
            changes.append(Change(entry.path, WRITE, content=_joined(entry.lines)))
        elif entry.op == "delete":
            changes.append(Change(entry.path, DELETE))
        else:
            replacements = tuple(
                ("\n".join(h.old), "\n".join(h.new), False) for h in entry.hunks if h.old or h.new
            )
            if entry.move_to:
                changes.append(Change(entry.path, DELETE, note=f"moved to {entry.move_to}"))
                changes.append(
                    Change(
                        entry.move_to,
                        EDIT,
                        replacements=replacements,
                        note=f"moved from {entry.path}",
                    )
                )
            else:
                changes.append(Change(entry.path, EDIT, replacements=replacements))
    return changes


def _joined(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""
