"""The journal: ``<git-common-dir>/ringfence/events.jsonl``, shared by worktrees.

Hooks append agent events, the language server appends untagged editor regions on save, and
``ringfence check`` reads them all. Each event is one JSON line written with a single
``write`` under an exclusive lock, so concurrent hooks never interleave or tear lines. Only the
fields docs/hooks.md ("After an edit") lists are kept: never file content, prompts, e-mail
addresses or transcripts.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from ringfence.policy.paths import git_common_dir

ALLOWED_FIELDS = (
    "time",
    "event",
    "agent",
    "session",
    "model",
    "path",
    "ranges",
    "hashes",
    "decision",
    "source",
    "state",
    "note",
)


def journal_path(root: str | os.PathLike[str]) -> Path:
    """Where the journal lives: inside the git common dir, else ``.ringfence/`` at the root."""
    common = git_common_dir(root)
    return (
        Path(common, "ringfence") if common is not None else Path(root, ".ringfence")
    ) / "events.jsonl"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def append_event(root: str | os.PathLike[str], event: dict) -> dict:
    """Append one event (unknown fields dropped, ``time`` added) and return what was written."""
    record = {key: event[key] for key in ALLOWED_FIELDS if event.get(key) is not None}
    record.setdefault("time", now())
    line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    path = journal_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        written = 0
        while written < len(line):
            written += os.write(fd, line[written:])
    finally:
        os.close(fd)  # closing releases the lock
    return record


def read_events(root: str | os.PathLike[str], offset: int = 0) -> tuple[list[dict], int, int]:
    """``(events, next offset, malformed line count)`` from byte ``offset`` on.

    A final line without its newline is still being written: it is left for the next read.
    """
    path = journal_path(root)
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return [], offset, 0
    end = data.rfind(b"\n") + 1
    events, bad = [], 0
    for raw in data[:end].splitlines():
        event = _parse(raw)
        if event is None:
            bad += bool(raw.strip())
        else:
            events.append(event)
    return events, offset + end, bad


def iter_events(root: str | os.PathLike[str]) -> Iterator[dict]:
    yield from read_events(root)[0]


def _parse(raw: bytes) -> dict | None:
    try:
        event = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(event, dict) or not isinstance(event.get("path"), str):
        return None
    ranges = event.get("ranges", [])
    if not isinstance(ranges, list) or not all(
        isinstance(r, list) and len(r) == 2 and all(isinstance(n, int) and n >= 1 for n in r)
        for r in ranges
    ):
        return None
    return event
