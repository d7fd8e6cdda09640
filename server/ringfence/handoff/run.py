"""Asking the in-house assistant: the kind dispatch, the timeout, and the answer's lines."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from ringfence.handoff import command, openai
from ringfence.handoff.answer import answer_lines, extract_code
from ringfence.handoff.errors import HandoffError
from ringfence.handoff.request import HandoffRequest
from ringfence.policy.model import AssistantConfig

log = logging.getLogger(__name__)

TIMEOUT_ENV = "RINGFENCE_HANDOFF_TIMEOUT"
DEFAULT_TIMEOUT = 120.0


def handoff_timeout(environ: Mapping[str, str] = os.environ) -> float:
    """Seconds a handoff may take: ``$RINGFENCE_HANDOFF_TIMEOUT`` when it is a positive number."""
    raw = environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value < 86400:
        log.warning("%s=%r is not a number of seconds; using %g", TIMEOUT_ENV, raw, DEFAULT_TIMEOUT)
        return DEFAULT_TIMEOUT
    return value


async def ask(
    assistant: AssistantConfig,
    request: HandoffRequest,
    *,
    cwd: str,
    timeout: float,
    environ: Mapping[str, str] = os.environ,
) -> list[str]:
    """The lines that replace the AI region, from an ``openai`` or ``command`` assistant."""
    if assistant.kind == "openai":
        text = extract_code(
            await openai.complete(assistant, request, timeout=timeout, environ=environ)
        )
    elif assistant.kind == "command":
        text = await command.complete(assistant, request, timeout=timeout, cwd=cwd, environ=environ)
    else:
        raise HandoffError(f"assistant kind {assistant.kind!r} does not answer with code")
    return answer_lines(text, request.indent, who=assistant.name)


def redaction_summary(request: HandoffRequest) -> str | None:
    """One log line naming what was redacted (kinds and lines, never values), or None."""
    if not request.redactions:
        return None
    where = "; ".join(str(r) if r.line else f"instruction: {r.kind}" for r in request.redactions)
    count = len(request.redactions)
    source = f"{request.path}: {where}"
    return f"handoff to {request.assistant}: redacted {count} secret(s) from {source}"
