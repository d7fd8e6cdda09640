"""Inline provenance markers (docs/policy.md, Markers in files, ``style = "comment"``).

Instead of an Agent Trace record, the AI-written lines are wrapped in two comment lines in the
file's own syntax: ``ringfence: ai-begin tool=… model=…`` and ``ringfence: ai-end``. The marker
scanner (``ringfence.policy.markers``) reads them back as provenance blocks.
"""

from __future__ import annotations

import re
import shlex

from ringfence.policy.comments import comment_line

_INDENT = re.compile(r"[ \t]*")


def provenance_markers(
    path: str, first_line: str, tool: str, model: str = "", language_id: str | None = None
) -> tuple[str, str] | None:
    """The begin and end marker lines (without line breaks), indented like ``first_line``.

    None when the file has no comment syntax: the caller falls back to a trace record.
    """
    words = ["ringfence:", "ai-begin", f"tool={shlex.quote(tool or 'unknown')}"]
    if model:
        words.append(f"model={shlex.quote(model)}")
    begin = comment_line(path, " ".join(words), language_id)
    end = comment_line(path, "ringfence: ai-end", language_id)
    if begin is None or end is None:
        return None
    match = _INDENT.match(first_line)  # "[ \t]*" matches every line
    indent = match.group(0) if match else ""
    return indent + begin, indent + end
