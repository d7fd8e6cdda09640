"""TOML reading on every supported Python: ``tomllib`` (3.11+) or its backport ``tomli`` (3.10).

The one place that knows which parser this interpreter has. It is imported on first use, so a
hook that never parses TOML (a warm policy cache) never loads it. Both parsers raise
``TOMLDecodeError``, a ``ValueError`` subclass: callers catch ``ValueError``.
"""

from __future__ import annotations

import sys
from typing import IO, Any


def loads(text: str) -> dict[str, Any]:
    """The document ``text``; a ValueError (TOMLDecodeError) when it is not TOML."""
    return _parser().loads(text)


def load(handle: IO[bytes]) -> dict[str, Any]:
    """The document read from a binary file; a ValueError when it is not TOML."""
    return _parser().load(handle)


def _parser() -> Any:
    """``tomllib``, else ``tomli`` (a dependency on Python < 3.11, see pyproject.toml)."""
    if sys.version_info >= (3, 11):
        import tomllib as parser
    else:  # pragma: no cover - Python 3.10 (.ci/run tests it)
        import tomli as parser
    return parser
