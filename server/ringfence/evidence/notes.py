"""git-ai authorship notes (``refs/notes/ai``, git-ai standard v3.0.0): a commit's AI lines.

A note is an attestation section, a line ``---``, then JSON metadata::

    src/main.rs
      s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20
      h_31dce776f88375 42-50
    ---
    {"schema_version": "authorship/3.0.0", "sessions": {"s_c9883b05a2487d": {"agent_id": {...}}}}

Keys ``h_…`` are known humans; every other key (``s_…::t_…`` sessions, legacy 16-hex prompt
keys) is AI. Line numbers are 1-based and valid for the file at the note's commit. No LSP here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ringfence.errors import RingfenceError
from ringfence.tool_ids import canonical_tool

NOTES_REF = "refs/notes/ai"
_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


class NoteError(RingfenceError):
    """A git-ai note that does not follow the format."""


@dataclass(frozen=True)
class NoteRange:
    """AI-written lines ``start..end`` (1-based, inclusive) of one file at the note's commit."""

    start: int
    end: int
    tool: str
    model: str


def unquote_path(text: str) -> str:
    """Undo git's C-style path quoting (``"a\\tb"``); unquoted text is returned as is."""
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return text
    body, out, i = text[1:-1].encode("latin-1", "backslashreplace"), bytearray(), 0
    escapes = {
        ord("n"): 10,
        ord("t"): 9,
        ord("r"): 13,
        ord('"'): 34,
        ord("\\"): 92,
        ord("a"): 7,
        ord("b"): 8,
        ord("f"): 12,
        ord("v"): 11,
    }
    while i < len(body):
        ch = body[i]
        if ch == 92 and i + 1 < len(body):
            nxt = body[i + 1]
            octal = body[i + 1 : i + 4]
            if len(octal) == 3 and all(48 <= b <= 55 for b in octal):
                out.append(int(octal, 8) & 0xFF)
                i += 4
                continue
            out.append(escapes.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return out.decode("utf-8", errors="replace")


def parse_note(text: str) -> tuple[dict[str, list[NoteRange]], list[str]]:
    """``({path: AI ranges}, problems)``; raises ``NoteError`` when the attestation is unreadable.

    Broken JSON metadata is a problem, not an error: the ranges still count, with tool ``unknown``.
    """
    attestation, sep, metadata = text.partition("\n---\n")
    if not sep:
        if text.rstrip("\n").endswith("\n---") or text.strip() == "---":
            attestation, metadata = text.rstrip("\n")[:-3], ""
        else:
            raise NoteError("no '---' line between the attestation and the metadata")
    problems: list[str] = []
    sessions, prompts = _metadata(metadata, problems)
    files: dict[str, list[NoteRange]] = {}
    current: str | None = None
    for number, line in enumerate(attestation.splitlines(), 1):
        if not line.strip():
            continue
        if not line[0].isspace():
            current = unquote_path(line.strip())
            files.setdefault(current, [])
            continue
        if current is None:
            raise NoteError(f"line {number}: an attestation entry before any file path")
        key, _, spans = line.strip().rpartition(" ")
        if not key:
            raise NoteError(f"line {number}: expected 'KEY RANGES', got {line.strip()!r}")
        key = key.strip()
        if key.startswith("h_"):
            continue  # a known human
        tool, model = _agent(key, sessions, prompts)
        for span in spans.split(","):
            match = _RANGE.match(span.strip())
            if match is None:
                raise NoteError(f"line {number}: bad line range {span!r}")
            start = int(match.group(1))
            end = int(match.group(2) or start)
            if start < 1 or end < start:
                raise NoteError(f"line {number}: bad line range {span!r}")
            files[current].append(NoteRange(start, end, tool, model))
    return {path: ranges for path, ranges in files.items() if ranges}, problems


def _metadata(text: str, problems: list[str]) -> tuple[dict, dict]:
    if not text.strip():
        problems.append("no JSON metadata after '---'")
        return {}, {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(f"metadata is not JSON ({exc.msg})")
        return {}, {}
    except (ValueError, RecursionError) as exc:  # a 5000-digit number, nesting too deep
        problems.append(f"metadata is not readable JSON ({str(exc).split(';')[0][:80]})")
        return {}, {}
    if not isinstance(data, dict):
        problems.append("metadata is not a JSON object")
        return {}, {}
    sessions, prompts = data.get("sessions"), data.get("prompts")
    return (
        sessions if isinstance(sessions, dict) else {},
        prompts if isinstance(prompts, dict) else {},
    )


def _agent(key: str, sessions: dict, prompts: dict) -> tuple[str, str]:
    """The tool and model a key names, through ``sessions`` (``s_…::t_…``) or legacy ``prompts``."""
    entry = sessions.get(key.split("::", 1)[0]) if key.startswith("s_") else prompts.get(key)
    agent = entry.get("agent_id") if isinstance(entry, dict) else None
    if not isinstance(agent, dict):
        return "unknown", ""
    return canonical_tool(str(agent.get("tool") or "unknown")), str(agent.get("model") or "")
