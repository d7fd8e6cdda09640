"""The instruction of a handoff: the human-written comment or docstring right above the AI region.

``# parse the header row`` above a completion, or the docstring under ``def parse(row):``, is
what the developer asked for; the in-house assistant gets it as its task. Marker comments
(``ringfence: …``) and shebang lines are never instructions.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from ringfence.policy.comments import comment_syntax

MAX_INSTRUCTION_CHARS = 2000
MAX_BLOCK_LINES = 40
DEFAULT_INSTRUCTION = (
    "Complete the code at the marked location so that it fits the surrounding code."
)
_DOCSTRING_QUOTES = ('"""', "'''")
_DOC_LANGUAGES = {"py", "pyi", "pyw", "python"}


def find_instruction(
    lines: Sequence[str],
    start: int,
    path: str,
    language_id: str | None = None,
    excluded: Collection[int] = (),
) -> str | None:
    """The comment block or docstring ending right above 0-based line ``start`` (one blank line
    may separate them), as plain text; None when there is none. Lines in ``excluded`` (other AI
    output) are not human-written, so a block running into them does not count."""
    index = start - 1
    if index >= 0 and not lines[index].strip() and index not in excluded:
        index -= 1
    if index < 0 or index in excluded:
        return None
    syntax = comment_syntax(path, language_id)
    block = None
    if _is_python(path, language_id):
        block = _docstring_above(lines, index, excluded)
    if block is None and syntax is not None:
        prefixes, pairs = syntax
        block = _line_comments_above(lines, index, prefixes, excluded) or _block_comment_above(
            lines, index, pairs, excluded
        )
    return _clean(block) if block else None


def _is_python(path: str, language_id: str | None) -> bool:
    return (language_id or "").lower() in _DOC_LANGUAGES or path.rsplit(".", 1)[
        -1
    ].lower() in _DOC_LANGUAGES


def _docstring_above(
    lines: Sequence[str], index: int, excluded: Collection[int]
) -> list[str] | None:
    last = lines[index].strip()
    quote = next((q for q in _DOCSTRING_QUOTES if last.endswith(q)), None)
    if quote is None:
        return None
    body = last[: -len(quote)]
    if quote in body:  # one-line docstring: """text"""
        return [body.split(quote, 1)[1]] if _starts_string(body, quote) else None
    collected = [body]
    for above in range(index - 1, max(index - MAX_BLOCK_LINES, -1), -1):
        if above in excluded:
            return None
        text = lines[above].strip()
        if quote in text:
            return (
                [text.split(quote, 1)[1], *reversed(collected)]
                if _starts_string(text, quote)
                else None
            )
        collected.append(text)
    return None


def _starts_string(text: str, quote: str) -> bool:
    prefix = text.split(quote, 1)[0]
    return prefix.lower() in ("", "r", "u", "b", "f", "rb", "br")


def _line_comments_above(
    lines: Sequence[str],
    index: int,
    prefixes: Sequence[str],
    excluded: Collection[int],
) -> list[str] | None:
    collected: list[str] = []
    for above in range(index, max(index - MAX_BLOCK_LINES, -1), -1):
        text = lines[above].strip()
        prefix = next((p for p in prefixes if text.startswith(p)), None)
        if above in excluded or prefix is None or text.startswith("#!"):
            break
        collected.append(text[len(prefix) :].lstrip("/!#; ").rstrip())
    return list(reversed(collected)) or None


def _block_comment_above(
    lines: Sequence[str],
    index: int,
    pairs: Sequence[tuple[str, str]],
    excluded: Collection[int],
) -> list[str] | None:
    last = lines[index].strip()
    for opener, closer in pairs:
        if not last.endswith(closer):
            continue
        collected = []
        for above in range(index, max(index - MAX_BLOCK_LINES, -1), -1):
            if above in excluded:
                return None
            text = lines[above].strip()
            if above == index:
                text = text[: -len(closer)]
            if text.startswith(opener):
                collected.append(text[len(opener) :])
                return [re.sub(r"^\*+\s?", "", t).strip() for t in reversed(collected)]
            collected.append(text)
    return None


def _clean(block: list[str]) -> str | None:
    """Join the block into one instruction, dropping ``ringfence:`` marker lines."""
    kept = [line.strip() for line in block if not line.strip().lower().startswith("ringfence:")]
    text = "\n".join(kept).strip()
    return text[:MAX_INSTRUCTION_CHARS] or None
