"""Handoff: move work from an external AI tool to the in-house assistant (docs/handoff.md).

The pure core of ``Move to <assistant>``: the request (human-written context only, secrets
redacted), the instruction found next to the region, the three assistant kinds (``openai``,
``command``, ``url``), the answer's lines and edit, and the trust store. No editor protocol
here: the language server (``ringfence.lsp.handoff``) drives it.
"""

from ringfence.handoff.answer import answer_lines, extract_code, replacement_text
from ringfence.handoff.errors import HandoffError
from ringfence.handoff.instruction import DEFAULT_INSTRUCTION, find_instruction
from ringfence.handoff.redact import PLACEHOLDER, Redaction, redact_lines
from ringfence.handoff.request import HandoffRequest, build_request, replacement_span
from ringfence.handoff.run import TIMEOUT_ENV, ask, handoff_timeout, redaction_summary
from ringfence.handoff.trust import TrustStore, describe, trust_key
from ringfence.handoff.url import expand_url

__all__ = [
    "DEFAULT_INSTRUCTION",
    "PLACEHOLDER",
    "TIMEOUT_ENV",
    "HandoffError",
    "HandoffRequest",
    "Redaction",
    "TrustStore",
    "answer_lines",
    "ask",
    "build_request",
    "describe",
    "expand_url",
    "extract_code",
    "find_instruction",
    "handoff_timeout",
    "redact_lines",
    "redaction_summary",
    "replacement_span",
    "replacement_text",
    "trust_key",
]
