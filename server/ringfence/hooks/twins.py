"""Copilot CLI's twin hook runs: one tool call, ringfence's hook started from two files.

Copilot CLI runs the hooks of ``.github/hooks/*.json`` and then those of
``.claude/settings.json`` for the same tool call (1.0.102; the second only when the first
allowed). The second run gets Claude Code's payload shape (``hook_event_name``, ``tool_name``
``Write``/``Edit``/``Read``/``Grep``/``Glob``/``Bash``, ``tool_input``) with Copilot's own
argument names, a ``timestamp`` and no ``transcript_path``, and on ``PostToolUse`` a
``tool_result`` instead of Claude Code's ``tool_response``. Both runs carry the same session
id, the same timestamp (milliseconds in one, ISO 8601 in the other) and the same arguments:
together they are the call's key. Each run judges the call, so either can refuse it; only the
run that first claims the key (a file created with ``O_EXCL`` under the journal's directory)
writes the journal, so one call leaves one set of journal lines whichever files are installed.
"""

from __future__ import annotations

import json
import os

COPILOT = "copilot"
CLAIMS = "calls"
KEEP_SECONDS = 3600  # claims older than this are pruned when a new one is made
_PRUNE_EVERY = 64


def copilot_sent(payload: dict) -> bool:
    """Whether a Claude Code-format payload came from Copilot CLI (Claude Code always sends
    ``transcript_path`` and never ``timestamp`` or ``tool_result``)."""
    return "transcript_path" not in payload and ("timestamp" in payload or "tool_result" in payload)


def tool_failed(payload: dict) -> bool:
    """A Copilot post-event whose tool failed or was denied: it wrote nothing."""
    result = payload.get("toolResult") or payload.get("tool_result")
    if not isinstance(result, dict):
        return False
    kind = result.get("resultType") or result.get("result_type")
    return kind in ("failure", "denied", "error", "rejected")


def call_key(session: object, timestamp: object, pre: bool, arguments: object) -> str | None:
    """The identity of one tool call, the same in both twin runs (None: not identifiable)."""
    millis = _millis(timestamp)
    if not isinstance(session, str) or not session or millis is None:
        return None
    import hashlib

    text = json.dumps([session, millis, pre, arguments], sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _millis(timestamp: object) -> int | None:
    if isinstance(timestamp, bool):
        return None
    if isinstance(timestamp, int | float):
        return int(timestamp)
    if isinstance(timestamp, str) and timestamp:
        from datetime import datetime

        try:
            moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        except ValueError:
            return None
        return round(moment.timestamp() * 1000)
    return None


def claim(journal_dir: str, key: str) -> bool:
    """True for the first run of the call ``key`` to ask in this repository, False for its twin.

    A claim that cannot be written (read-only git directory) lets the run journal: a double
    line is better than none.
    """
    directory = os.path.join(journal_dir, CLAIMS)
    try:
        os.makedirs(directory, exist_ok=True)
        fd = os.open(os.path.join(directory, key), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    except OSError:
        return True
    os.close(fd)
    if int(key[:4], 16) % _PRUNE_EVERY == 0:
        _prune(directory)
    return True


def _prune(directory: str) -> None:
    import time

    horizon = time.time() - KEEP_SECONDS
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                try:
                    if entry.stat().st_mtime < horizon:
                        os.unlink(entry.path)
                except OSError:
                    continue
    except OSError:
        return
