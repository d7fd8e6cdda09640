"""Content hashes of line ranges: how regions are re-found after a reopen, records stay matched."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def content_hash(lines: Sequence[str]) -> str:
    """``sha256:`` over the lines, each ending with one LF (CRLF, missing final LF normalised)."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.rstrip("\r\n").encode("utf-8", errors="surrogatepass") + b"\n")
    return "sha256:" + digest.hexdigest()


def range_hash(text_lines: Sequence[str], start: int, end: int) -> str:
    """The hash of 1-based inclusive lines ``start..end`` of ``text_lines``."""
    return content_hash(text_lines[start - 1 : end])
