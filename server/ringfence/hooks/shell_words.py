"""What a bash word turns into, as far as it can be told without running anything.

A word of tree-sitter's bash tree becomes a list of *segments* ``(text, quoted)``: quoting is
kept because only unquoted text takes part in brace expansion, tilde expansion and globbing. A
word holding a parameter, command or arithmetic expansion has no static value: it becomes an
:class:`Unknown`, a ``str`` whose value is the literal text before the first expansion (the
only part of the path known for sure). Brace expansion and globbing are bounded (count, depth
and directory entries examined): past a bound the word is Unknown too, never a guess.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath

MAX_WORDS = 256  # words one brace expansion may produce
MAX_GLOB_MATCHES = 256  # paths one glob may produce
MAX_GLOB_ENTRIES = 5000  # directory entries one command's globs may examine
MAX_GLOB_DEPTH = 8  # wildcard path components in one glob
_EXPANSIONS = frozenset(
    {
        "simple_expansion",
        "expansion",
        "command_substitution",
        "arithmetic_expansion",
        "process_substitution",
    }
)
_DOUBLE_QUOTE_ESCAPES = frozenset('$`"\\\n')
_ANSI_C = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}


class Unknown(str):
    """A word whose value depends on the environment; its value is the known literal prefix."""

    __slots__ = ()


Segments = list[tuple[str, bool]]  # (text, quoted)


def segments(node) -> Segments | None:
    """The word's ``(text, quoted)`` segments, or None when it holds an expansion."""
    kind = node.type
    if kind in _EXPANSIONS:
        return None
    text = node.text.decode("utf-8", errors="surrogateescape")
    if kind == "raw_string":
        return [(text[1:-1], True)]
    if kind == "ansi_c_string":
        return [(ansi_c(text[2:-1]), True)]
    if kind in ("string", "translated_string"):
        if any(child.type in _EXPANSIONS for child in node.children):
            return None
        inner = text[text.index('"') + 1 : -1] if text.endswith('"') else ""
        return [(_double_quoted(inner), True)]
    if kind == "concatenation":
        out: Segments = []
        position = node.start_byte
        for child in node.children:
            if child.start_byte > position:  # text between children, as written
                gap = node.text[position - node.start_byte : child.start_byte - node.start_byte]
                out.extend(_unquoted(gap.decode("utf-8", errors="surrogateescape")))
            part = segments(child)
            if part is None:
                return None
            out.extend(part)
            position = child.end_byte
        return out
    if node.named_child_count and kind not in ("word", "number"):
        if any(child.type in _EXPANSIONS for child in _descendants(node)):
            return None
    return _unquoted(text)


def literal_prefix(node) -> str:
    """The text before the first expansion of a word (what an Unknown holds)."""
    out = []
    for child in node.children if node.type == "concatenation" else [node]:
        part = segments(child)
        if part is None:
            break
        out.append("".join(text for text, _ in part))
    return "".join(out)


def _descendants(node):
    stack = list(node.children)
    while stack:
        child = stack.pop()
        yield child
        stack.extend(child.children)


def _unquoted(text: str) -> Segments:
    """Unquoted word text: a backslash quotes the next character; backslash-newline vanishes."""
    if "\\" not in text:
        return [(text, False)]
    out: Segments = []
    index = 0
    plain: list[str] = []
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            if plain:
                out.append(("".join(plain), False))
                plain = []
            if text[index + 1] != "\n":
                out.append((text[index + 1], True))
            index += 2
            continue
        plain.append(char)
        index += 1
    if plain:
        out.append(("".join(plain), False))
    return out


def _double_quoted(text: str) -> str:
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in _DOUBLE_QUOTE_ESCAPES:
            if text[index + 1] != "\n":
                out.append(text[index + 1])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def ansi_c(body: str) -> str:
    """The value of ``$'…'``: bash's escapes (``\\n``, ``\\xHH``, ``\\NNN``, ``\\uHHHH``…)."""
    out, index = [], 0
    while index < len(body):
        char = body[index]
        if char != "\\" or index + 1 >= len(body):
            out.append(char)
            index += 1
            continue
        code = body[index + 1]
        index += 2
        if code in _ANSI_C:
            out.append(_ANSI_C[code])
        elif code in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[code]
            digits = _take(body, index, width, "0123456789abcdefABCDEF")
            out.append(chr(int(digits, 16)) if digits else "\\" + code)
            index += len(digits)
        elif code in "01234567":
            digits = code + _take(body, index, 2, "01234567")
            out.append(chr(int(digits, 8) & 0xFF))
            index += len(digits) - 1
        elif code == "c" and index < len(body):
            out.append(chr(ord(body[index]) & 0x1F))
            index += 1
        else:
            out.append("\\" + code)
    return "".join(out)


def _take(text: str, start: int, width: int, allowed: str) -> str:
    end = start
    while end < len(text) and end - start < width and text[end] in allowed:
        end += 1
    return text[start:end]


# ----- brace expansion ------------------------------------------------------------------------


def brace_expand(parts: Segments) -> list[Segments] | None:
    """Bash brace expansion over the unquoted text (``{a,b}``, ``{1..3}``); None past MAX_WORDS."""
    chars = [(ch, quoted) for text, quoted in parts for ch in text]
    results = _braces(chars)
    if results is None:
        return None
    return [_regroup(word) for word in results]


def _braces(chars: list) -> list | None:
    open_at = _find_brace(chars)
    if open_at is None:
        return [chars]
    open_index, close_index, commas = open_at
    prefix, suffix = chars[:open_index], chars[close_index + 1 :]
    options: list | None
    if commas:
        bounds = [open_index, *commas, close_index]
        options = [chars[a + 1 : b] for a, b in zip(bounds, bounds[1:], strict=False)]
    else:
        options = _sequence(chars[open_index + 1 : close_index])
        if options is None:  # not an expansion: keep the braces, expand what follows
            rest = _braces(suffix)
            if rest is None:
                return None
            return [chars[: close_index + 1] + word for word in rest]
    tails = _braces(suffix)
    if tails is None:
        return None
    out = []
    for option in options:
        heads = _braces(prefix + option)
        if heads is None:
            return None
        for head in heads:
            for tail in tails:
                out.append(head + tail)
                if len(out) > MAX_WORDS:
                    return None
    return out


def _find_brace(chars: list):
    """The first unquoted ``{…}`` holding a top-level comma or ``..``: (open, close, commas)."""
    for start, (char, quoted) in enumerate(chars):
        if char != "{" or quoted or (start and chars[start - 1] == ("$", False)):
            continue
        depth = 0
        commas: list[int] = []
        for index in range(start + 1, len(chars)):
            ch, q = chars[index]
            if q:
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                if depth == 0:
                    body = "".join(c for c, _ in chars[start + 1 : index])
                    if commas or ".." in body:
                        return start, index, commas
                    break
                depth -= 1
            elif ch == "," and depth == 0:
                commas.append(index)
    return None


def _sequence(body: list) -> list | None:
    text = "".join(ch for ch, _ in body)
    pieces = text.split("..")
    if len(pieces) not in (2, 3):
        return None
    try:
        first, last = int(pieces[0]), int(pieces[1])
        step = abs(int(pieces[2])) if len(pieces) == 3 else 1
        if abs(last - first) // max(step, 1) > MAX_WORDS:
            return None
        step = max(step, 1) if last >= first else -max(step, 1)
        values = [str(v) for v in range(first, last + (1 if step > 0 else -1), step)]
    except ValueError:
        if len(pieces) != 2 or len(pieces[0]) != 1 or len(pieces[1]) != 1:
            return None
        a, b = ord(pieces[0]), ord(pieces[1])
        values = [chr(c) for c in range(a, b + (1 if b >= a else -1), 1 if b >= a else -1)]
    return [[(ch, False) for ch in value] for value in values]


def _regroup(chars: list) -> Segments:
    out: Segments = []
    for ch, quoted in chars:
        if out and out[-1][1] == quoted:
            out[-1] = (out[-1][0] + ch, quoted)
        else:
            out.append((ch, quoted))
    return out


# ----- tilde and glob -------------------------------------------------------------------------


def tilde(parts: Segments) -> Segments | None:
    """``~`` and ``~user`` at the start of an unquoted word; None when it cannot be expanded."""
    if not parts or parts[0][1] or not parts[0][0].startswith("~"):
        return parts
    head = parts[0][0]
    name = head.split("/", 1)[0]
    if len(parts) > 1 and "/" not in head:
        return parts  # ``~"x"``: bash leaves it alone
    expanded = os.path.expanduser(name)
    if expanded == name:
        return None
    return [(expanded + head[len(name) :], True), *parts[1:]]


def has_magic(parts: Segments) -> bool:
    return any(not quoted and any(c in text for c in "*?[") for text, quoted in parts)


class GlobBudget:
    """Directory entries the globs of one command may still examine."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_GLOB_ENTRIES


def glob(parts: Segments, cwd: str, budget: GlobBudget) -> list[str] | None:
    """Paths an unquoted glob matches (sorted; the word itself when none), None past a bound."""
    pattern = "".join(text if not quoted else _escape(text) for text, quoted in parts)
    absolute = pattern if pattern.startswith("/") else posixpath.join(cwd, pattern)
    components = absolute.split("/")
    if sum(_magic(c) for c in components) > MAX_GLOB_DEPTH:
        return None
    found = ["/"]
    for component in components[1:]:
        if not component:
            continue
        if not _magic(component):
            literal = _unescape(component)
            found = [posixpath.join(base, literal) for base in found]
            continue
        matched = _match(found, component, budget)
        if matched is None:
            return None
        found = matched
        if not found:  # no match: bash keeps the word as written
            return [posixpath.join(cwd, _plain(parts))]
    return sorted(found)


def _plain(parts: Segments) -> str:
    return "".join(text for text, _ in parts)


def _match(bases: list[str], component: str, budget: GlobBudget) -> list[str] | None:
    out = []
    hidden = component.startswith(".")
    for base in bases:
        try:
            with os.scandir(base) as entries:
                for entry in entries:
                    budget.left -= 1
                    if budget.left < 0:
                        return None
                    if entry.name.startswith(".") and not hidden:
                        continue
                    if fnmatch.fnmatchcase(entry.name, component):
                        out.append(posixpath.join(base, entry.name))
                        if len(out) > MAX_GLOB_MATCHES:
                            return None
        except OSError:
            continue
    return out


def _magic(component: str) -> bool:
    index = 0
    while index < len(component):
        if component[index] == "[" and index + 2 < len(component) and component[index + 2] == "]":
            if component[index + 1] in "*?[":  # an escaped character, _escape's form
                index += 3
                continue
        if component[index] in "*?[":
            return True
        index += 1
    return False


def _escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _unescape(component: str) -> str:
    for char in "*?[":
        component = component.replace(f"[{char}]", char)
    return component
