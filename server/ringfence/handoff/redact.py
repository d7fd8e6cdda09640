"""Secret redaction for handoff context, with the detect-secrets plugins (Yelp/detect-secrets).

Every line that leaves the editor goes through :func:`redact_lines`: each secret value the
plugins find is replaced by :data:`PLACEHOLDER`, as are whole PEM private-key blocks and bearer
tokens. The result lists what was redacted (kind and line), never the secret itself.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

PLACEHOLDER = "<redacted>"

# detect-secrets' default filters minus ``is_indirect_reference``: it drops ``f(password="…")``
# lines, and for outbound context a redacted non-secret costs less than a leaked secret.
_FILTERS = [
    "detect_secrets.filters.allowlist.is_line_allowlisted",
    *(
        f"detect_secrets.filters.heuristic.{name}"
        for name in (
            "is_sequential_string",
            "is_potential_uuid",
            "is_likely_id_string",
            "is_templated_secret",
            "is_prefixed_with_dollar_sign",
            "is_lock_file",
            "is_not_alphanumeric_string",
            "is_swagger_file",
        )
    ),
]
# Some plugins report only part of a token (GitHubTokenDetector yields just "ghp"): a finding is
# widened to the token characters around it.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-+/]")
_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
_BEARER = re.compile(r"(?i)\bbearer\s+([A-Za-z0-9_\-.~+/]{16,}=*)")
# detect-secrets keeps its plugin and filter configuration in process-global settings.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Redaction:
    """One redacted secret: its kind (a detect-secrets secret type) and 1-based line."""

    line: int
    kind: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind}"


def redact_lines(
    lines: Sequence[str],
    filename: str,
    first_line: int = 1,
) -> tuple[list[str], list[Redaction]]:
    """``lines`` with secrets replaced, and the redactions (``first_line`` numbers ``lines[0]``)."""
    out = list(lines)
    spans: dict[int, list[tuple[int, int]]] = {}
    found: set[Redaction] = set()
    for index, kind in _pem_blocks(out):
        out[index] = PLACEHOLDER if out[index].strip() else out[index]
        found.add(Redaction(index + first_line, kind))
    for index, kind, start, end in _findings(out, filename):
        spans.setdefault(index, []).append((start, end))
        found.add(Redaction(index + first_line, kind))
    for index, line_spans in spans.items():
        out[index] = _replace_spans(out[index], line_spans)
    return out, sorted(found, key=lambda r: (r.line, r.kind))


def _pem_blocks(lines: list[str]):
    """``(index, kind)`` of every line of a PEM private-key block (to the end when unclosed)."""
    inside = False
    for index, line in enumerate(lines):
        if not inside and _PEM_BEGIN.search(line):
            inside = True
        if inside:
            yield index, "Private Key"
            if _PEM_END.search(line):
                inside = False


def _findings(lines: list[str], filename: str):
    """``(index, kind, start, end)`` character spans of secrets in the lines."""
    for index, line in enumerate(lines):
        for match in _BEARER.finditer(line):
            yield index, "Bearer Token", match.start(1), match.end(1)
    for secret in _detect(lines, filename):
        index = secret.line_number - 1
        value = secret.secret_value or ""
        if not value or index >= len(lines) or lines[index] == PLACEHOLDER:
            continue
        for match in re.finditer(re.escape(value), lines[index]):
            start, end = _widen(lines[index], match.start(), match.end())
            yield index, secret.type, start, end


def _detect(lines: list[str], filename: str):
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.core.scan import _process_line_based_plugins
    from detect_secrets.settings import transient_settings

    plugins: dict[str, type] = get_mapping_from_secret_type_to_class()
    config = {
        "plugins_used": [{"name": plugin.__name__} for plugin in plugins.values()],
        "filters_used": [{"path": path} for path in _FILTERS],
    }
    numbered = [(number, line.rstrip("\r\n")) for number, line in enumerate(lines, start=1)]
    with _LOCK, transient_settings(config):
        # The private helper is what scan_file() runs per line; it takes lines from memory, so
        # unsaved editor text is scanned without writing it to disk.
        return list(_process_line_based_plugins(numbered, filename))


def _widen(line: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and _TOKEN_CHARS.match(line[start - 1]):
        start -= 1
    while end < len(line) and _TOKEN_CHARS.match(line[end]):
        end += 1
    return start, end


def _replace_spans(line: str, spans: list[tuple[int, int]]) -> str:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        line = line[:start] + PLACEHOLDER + line[end:]
    return line
