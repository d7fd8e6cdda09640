"""Where each key of a TOML document sits, so policy errors can say ``FILE:LINE:COL``.

tomllib gives values but no positions; this scanner records the line and column of every table
header and ``key =`` line. It understands table headers, arrays of tables, dotted and quoted
keys, and skips the insides of multi-line strings and arrays. Inline tables are located at their
key. Lookups fall back to the nearest located ancestor.
"""

from __future__ import annotations

import re

Path = tuple  # tuple[str | int, ...]

_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = rf"^\s*(\[\[|\[)\s*({_DOTTED})\s*\]\]?"  # compiled on first use: only errors need it
_ASSIGN = rf"^(\s*)({_DOTTED})\s*="


def _split_dotted(text: str) -> list[str]:
    parts = re.findall(_KEY, text)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


class KeyPositions:
    """Maps key paths such as ``("zone", 2, "level")`` to 1-based ``(line, col)``."""

    def __init__(self, text: str, prefix: tuple[str, ...] = ()) -> None:
        self._positions: dict[Path, tuple[int, int]] = {}
        self._prefix = prefix
        self._scan(text)

    def _strip(self, path: list[str]) -> list[str] | None:
        n = len(self._prefix)
        if tuple(path[:n]) != self._prefix:
            return None
        return path[n:]

    def _scan(self, text: str) -> None:
        table: list[str | int] | None = [] if not self._prefix else None
        array_counts: dict[tuple, int] = {}
        in_multiline: str | None = None
        depth = 0
        for lineno, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            if depth > 0:
                depth += _bracket_balance(line)
                continue
            header = re.match(_HEADER, line)
            if header:
                keys = self._strip(_split_dotted(header.group(2)))
                if keys is None:
                    table = None
                    continue
                if header.group(1) == "[[":
                    key = tuple(keys)
                    index = array_counts.get(key, 0)
                    array_counts[key] = index + 1
                    table = [*keys, index]
                else:
                    table = list(keys)
                self._positions.setdefault(tuple(table), (lineno, header.start(2) + 1))
                continue
            assign = re.match(_ASSIGN, line)
            if assign and table is not None:
                path = (*table, *_split_dotted(assign.group(2)))
                self._positions.setdefault(path, (lineno, len(assign.group(1)) + 1))
                rest = line[assign.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_multiline = quote
                depth = max(0, _bracket_balance(rest))
            elif assign and self._prefix and table is None:
                full = _split_dotted(assign.group(2))
                stripped = self._strip(full)
                if stripped:
                    self._positions.setdefault(tuple(stripped), (lineno, len(assign.group(1)) + 1))

    def find(self, path: Path) -> tuple[int, int]:
        """The position of ``path`` or of its nearest located ancestor (1, 1 if none)."""
        path = tuple(path)
        while path:
            if path in self._positions:
                return self._positions[path]
            path = path[:-1]
        return self._positions.get((), (1, 1))

    def has(self, path: Path) -> bool:
        return tuple(path) in self._positions


def _bracket_balance(text: str) -> int:
    """Net ``[`` minus ``]`` outside strings and comments (good enough for policy files)."""
    balance = 0
    quote = None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            balance += 1
        elif ch in "]}":
            balance -= 1
    return balance
