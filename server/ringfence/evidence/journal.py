"""The journal: ``<git-common-dir>/ringfence/events.jsonl``, shared by worktrees.

Hooks append agent events, the language server appends untagged editor regions on save, and
``ringfence check`` reads them all. This module is the journal's only writer and reader: every
line is one :class:`JournalEvent`, written with a single ``write`` under an exclusive lock, so
concurrent hooks never interleave or tear lines. Only the fields docs/hooks.md ("After an
edit") lists are kept: never file content, prompts, e-mail addresses or transcripts.

Reading is tolerant: a malformed line is skipped with a one-line reason (logged, and returned
to the caller), never an exception; a final line without its newline is still being written and
is left for the next read.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

from ringfence.policy.paths import git_common_dir

log = logging.getLogger(__name__)

# The fields of a line, in the order they are written (``time`` last: it is stamped on append).
FIELDS = (
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
    "time",
)
EDIT, SAVE, READ = "edit", "save", "read"  # an agent's edit, an editor save, a refused read
MAX_LOGGED_REASONS = 5  # per read: one line each, then a count


class JournalEvent(NamedTuple):
    """One journal line (docs/hooks.md, "After an edit")."""

    event: str  # EDIT, SAVE or READ
    path: str  # relative to the repository root, ``/``-separated
    agent: str | None = None  # canonical tool id
    session: str | None = None
    model: str | None = None
    ranges: tuple[tuple[int, int], ...] = ()  # 1-based inclusive line spans
    hashes: tuple[str | None, ...] = ()  # content hash of each span (None: not recorded)
    decision: str | None = None  # allow, logged, deny
    source: str | None = None  # agent, client, heuristic
    state: str | None = None  # tagged, untagged
    note: str | None = None
    time: str | None = None  # ISO 8601 UTC, stamped by append_event

    @property
    def wrote_lines(self) -> bool:
        """An edit or save that happened (a denied one never did)."""
        return self.event in (EDIT, SAVE) and self.decision != "deny"

    def spans(self) -> list[tuple[int, int, str | None]]:
        """``(first, last, content hash or None)`` for each recorded range."""
        return [
            (first, last, self.hashes[index] if index < len(self.hashes) else None)
            for index, (first, last) in enumerate(self.ranges)
        ]

    def to_json(self) -> str:
        """The line as written (no newline): compact JSON, fields in FIELDS order, None left out."""
        record: dict[str, Any] = {}
        for key, value in zip(self._fields, self, strict=True):
            if value is not None:
                record[key] = value
        ordered = {key: _plain(record[key]) for key in FIELDS if key in record}
        return json.dumps(ordered, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: bytes | str) -> JournalEvent:
        """The event of one line; MalformedLine (with a one-line reason) if it is not one."""
        try:
            data = json.loads(raw)
        except UnicodeDecodeError:
            raise MalformedLine("not UTF-8") from None
        except ValueError as exc:
            raise MalformedLine(f"not JSON ({str(exc).split(':')[0]})") from None
        if not isinstance(data, dict):
            raise MalformedLine(f"a JSON {type(data).__name__}, not an object")
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JournalEvent:
        """The event of a decoded line; unknown fields are dropped, odd optional ones ignored."""
        event, path = data.get("event"), data.get("path")
        if not isinstance(event, str) or not event:
            raise MalformedLine('no "event"')
        if not isinstance(path, str):
            raise MalformedLine('no "path"')
        hashes = data.get("hashes")
        return cls(
            event=event,
            path=path,
            agent=_text(data.get("agent")),
            session=_text(data.get("session")),
            model=_text(data.get("model")),
            ranges=_ranges(data.get("ranges")),
            hashes=tuple(h if isinstance(h, str) else None for h in hashes)
            if isinstance(hashes, list)
            else (),
            decision=_text(data.get("decision")),
            source=_text(data.get("source")),
            state=_text(data.get("state")),
            note=_text(data.get("note")),
            time=_text(data.get("time")),
        )


class MalformedLine(ValueError):
    """A journal line that is not an event; ``str()`` is the one-line reason."""


class JournalRead(NamedTuple):
    """What one read found: the events, where the next read starts, and the skipped lines."""

    events: list[JournalEvent]
    offset: int
    skipped: list[str]  # one line each: "byte N: reason"


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _ranges(value: object) -> tuple[tuple[int, int], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(r, list)
        and len(r) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in r)
        for r in value
    ):
        raise MalformedLine('"ranges" is not a list of [first, last] line numbers (1-based)')
    return tuple((first, last) for first, last in value)


def _plain(value: object) -> object:
    """Tuples as the JSON lists they were read from."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def journal_path(root: str | os.PathLike[str]) -> Path:
    """Where the journal lives: inside the git common dir, else ``.ringfence/`` at the root."""
    common = git_common_dir(root)
    return (
        Path(common, "ringfence") if common is not None else Path(root, ".ringfence")
    ) / "events.jsonl"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def append_event(root: str | os.PathLike[str], event: JournalEvent) -> JournalEvent:
    """Append one event (``time`` stamped when it has none) and return what was written."""
    if event.time is None:
        event = event._replace(time=now())
    line = (event.to_json() + "\n").encode("utf-8")
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
    return event


def read_events(root: str | os.PathLike[str], offset: int = 0) -> JournalRead:
    """The whole lines from byte ``offset`` on; malformed ones are skipped and logged."""
    path = journal_path(root)
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return JournalRead([], offset, [])
    end = data.rfind(b"\n") + 1
    events: list[JournalEvent] = []
    skipped: list[str] = []
    start = 0
    while start < end:
        stop = data.index(b"\n", start)
        raw = data[start:stop]
        if raw.strip():
            try:
                events.append(JournalEvent.from_json(raw))
            except MalformedLine as exc:
                skipped.append(f"byte {offset + start}: {exc}")
        start = stop + 1
    _log_skipped(path, skipped)
    return JournalRead(events, offset + end, skipped)


def _log_skipped(path: Path, skipped: list[str]) -> None:
    for reason in skipped[:MAX_LOGGED_REASONS]:
        log.warning("%s: skipped a malformed line at %s", path, reason)
    if len(skipped) > MAX_LOGGED_REASONS:
        log.warning("%s: skipped %d more malformed lines", path, len(skipped) - MAX_LOGGED_REASONS)
