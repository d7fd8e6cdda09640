"""Agent Trace records (https://agent-trace.dev, v0.1.0) in ``.agent-trace/traces.jsonl``.

``Tag provenance`` and the agent hooks append one record per tagged region; ``Mark as
human-reviewed`` appends one with ``state: "reviewed"``. Readers skip malformed lines.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ringfence import __version__
from ringfence.evidence.git import head_revision
from ringfence.evidence.journal import now
from ringfence.tool_ids import canonical_tool, provider_of

TRACE_FILE = ".agent-trace/traces.jsonl"
METADATA_KEY = "dev.ringfence"


@dataclass(frozen=True)
class TracedRange:
    """One AI-authored range a trace record covers."""

    path: str
    start_line: int  # 1-based inclusive
    end_line: int
    content_hash: str
    tool: str
    model: str
    state: str  # tagged | reviewed | (other: as recorded)
    contributor: str  # ai | mixed
    record_id: str
    zone: str | None = None
    level: str | None = None
    reviewer: str | None = None


def model_id(tool: str, model: str | None) -> str:
    """A models.dev-style ``provider/model`` id."""
    if model and "/" in model:
        return model
    return f"{provider_of(tool)}/{model or tool or 'unknown'}"


def make_record(
    root: str | os.PathLike[str],
    path: str,
    ranges: list[tuple[int, int, str]],
    *,
    tool: str,
    model: str | None = None,
    zone: str | None = None,
    level: str | None = None,
    source: str = "client",
    state: str = "tagged",
    reviewer: str | None = None,
) -> dict:
    """An Agent Trace record for ``ranges`` (``(start, end, content_hash)``, 1-based) of a path."""
    record: dict = {
        "version": "0.1.0",
        "id": str(uuid.uuid4()),
        "timestamp": now(),
        "tool": {"name": "ringfence", "version": __version__},
        "files": [
            {
                "path": path,
                "conversations": [
                    {
                        "contributor": {"type": "ai", "model_id": model_id(tool, model)},
                        "ranges": [
                            {"start_line": s, "end_line": e, "content_hash": h}
                            for s, e, h in ranges
                        ],
                    }
                ],
            }
        ],
        "metadata": {
            METADATA_KEY: {
                "ai_tool": tool,
                "zone": zone,
                "level": level,
                "source": source,
                "state": state,
            }
        },
    }
    revision = head_revision(root)
    if revision:
        record["vcs"] = {"type": "git", "revision": revision}
    if reviewer:
        record["metadata"][METADATA_KEY]["reviewer"] = reviewer
    return record


def append_record(root: str | os.PathLike[str], record: dict) -> None:
    path = Path(root) / TRACE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
    finally:
        os.close(fd)


def read_ranges(root: str | os.PathLike[str]) -> Iterator[TracedRange]:
    """Every AI (or mixed) range recorded in the repository's trace file."""
    try:
        with open(Path(root) / TRACE_FILE, encoding="utf-8", errors="replace") as handle:
            lines = handle.readlines()
    except OSError:
        return
    for raw in lines:
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if isinstance(record, dict):
            yield from _ranges_of(record)


def _object_at(data: dict, key: str) -> dict:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _array_at(data: dict, key: str) -> list:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _ranges_of(record: dict) -> Iterator[TracedRange]:
    meta = _object_at(_object_at(record, "metadata"), METADATA_KEY)
    for entry in _array_at(record, "files"):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            continue
        for conv in _array_at(entry, "conversations"):
            if not isinstance(conv, dict):
                continue
            contributor = _object_at(conv, "contributor")
            for rng in _array_at(conv, "ranges"):
                if not isinstance(rng, dict):
                    continue
                who = rng.get("contributor")
                if not isinstance(who, dict):
                    who = contributor
                start, end = rng.get("start_line"), rng.get("end_line")
                if (
                    who.get("type") not in ("ai", "mixed")
                    or not isinstance(start, int)
                    or not isinstance(end, int)
                ):
                    continue
                model = str(who.get("model_id") or "")
                yield TracedRange(
                    path=entry["path"],
                    start_line=start,
                    end_line=end,
                    content_hash=str(rng.get("content_hash") or ""),
                    tool=canonical_tool(str(meta.get("ai_tool") or model.split("/")[0] or "")),
                    model=model,
                    state=str(meta.get("state") or "tagged"),
                    contributor=who["type"],
                    record_id=str(record.get("id") or ""),
                    zone=meta.get("zone"),
                    level=meta.get("level"),
                    reviewer=meta.get("reviewer"),
                )
