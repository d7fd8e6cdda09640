"""Findings: the one judgement that turns an AI region and its place in the policy into a finding.

``findings.place`` says which rule gives a span of a file its level (a zone, a header or region
marker, an import, or the default level); ``findings.judge`` decides the code, severity, message
and deciding rule of an AI region there. The language server (``lsp/``), ``ringfence check``
(text, JSON, SARIF) and ``ringfence demo`` all use these two modules; nothing here knows of LSP
or of how the evidence was gathered (docs/lsp.md "Diagnostics", docs/ci.md "What is reported").
"""

from __future__ import annotations

from ringfence.findings.judge import (
    CODES,
    SEVERITY,
    Judgement,
    Subject,
    history_origin,
    judge,
)
from ringfence.findings.place import Place, file_place, pieces, place_of

__all__ = [
    "CODES",
    "SEVERITY",
    "Judgement",
    "Place",
    "Subject",
    "file_place",
    "history_origin",
    "judge",
    "pieces",
    "place_of",
]
