"""Glob algebra for exports: one canonical form for every policy glob, and safe overlap tests.

A *canonical* pattern is a gitignore glob anchored at the repository root: it starts with ``/``,
may end with ``/`` (directories only), and a pattern that matched at any depth in its policy file
starts with ``/**/``. Like the policy's matcher, a pattern also covers everything below a path it
matches ("descendant semantics").

The overlap tests answer "could some path be matched by both?" conservatively: they may say yes
for two globs that never meet (costing one redundant line in an export), never no for two that do.
"""

from __future__ import annotations

import fnmatch
from functools import cache

GLOB_CHARS = frozenset("*?[\\")


def anchor(pattern: str, base: str) -> str:
    """The canonical form of ``pattern`` from a policy or ignore file in directory ``base``."""
    pattern = trim(pattern)
    dir_only = pattern.endswith("/")
    body = pattern.rstrip("/") if dir_only else pattern
    if dir_only and (body == "**" or body.endswith("/**")):
        body = body[:-2] + "*"  # as git reads it: "x/**/" is every directory below x
    if body.startswith("/"):
        body = body[1:]
    elif "/" not in body and body != "**":
        body = "**/" + body
    return prefix_of(base) + "/" + body + ("/" if dir_only else "")


def trim(pattern: str) -> str:
    """git's reading of a pattern's end: unescaped trailing spaces do not count."""
    stripped = pattern.rstrip(" ")
    if stripped != pattern and _escaped_end(stripped):
        return stripped + " "
    return stripped


def _escaped_end(text: str) -> bool:
    backslashes = len(text) - len(text.rstrip("\\"))
    return backslashes % 2 == 1


def prefix_of(base: str) -> str:
    """The canonical form of directory ``base`` without its trailing ``/`` ("" for the root)."""
    return literal(base) if base else ""


def literal(path: str) -> str:
    """The canonical pattern matching exactly one repository-relative path."""
    escaped = "".join("\\" + ch if ch in "*?[\\" else ch for ch in path)
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "\\ "
    return "/" + escaped


def segments(pattern: str) -> tuple[str, ...]:
    return tuple(pattern.strip("/").split("/"))


def file_level(pattern: str) -> list[str]:
    """Patterns matching the files ``pattern`` covers without relying on a directory's exclusion.

    gitignore tools exclude a directory's contents by excluding the directory, which a later
    ``!`` cannot undo; once directories are re-included, contents must be listed explicitly.
    """
    if pattern.endswith("/"):
        return [pattern + "**"]
    if pattern.endswith("/**"):
        return [pattern]
    return [pattern, pattern + "/**"]


def ancestors(pattern: str) -> list[str]:
    """The directory patterns (with a trailing ``/``) above what ``pattern`` matches."""
    parts = segments(pattern)
    return ["/" + "/".join(parts[:k]) + "/" for k in range(1, len(parts))]


def restrict(pattern: str, base: str, ignore_case: bool = False) -> list[str]:
    """Canonical patterns covering what ``pattern`` covers inside directory ``base``, no more."""
    if not base:
        return [pattern]
    parts, dirs = segments(pattern), base.split("/")
    dir_only = pattern.endswith("/")
    prefix = literal(base)
    found: list[str] = []

    def walk(i: int, j: int) -> None:
        if i == len(parts) or (j == len(dirs) and parts[i:] == ("**",)):
            found.append(prefix + "/**")  # it covers ``base`` itself or a directory above it
        elif j == len(dirs):
            found.append(prefix + "/" + "/".join(parts[i:]) + ("/" if dir_only else ""))
        elif parts[i] == "**":
            walk(i + 1, j)
            walk(i, j + 1)
        elif _segment_may_equal(dirs[j], parts[i], ignore_case):  # unsure: restore more, never less
            walk(i + 1, j + 1)

    walk(0, 0)
    if prefix + "/**" in found:
        return [prefix + "/**"]
    return list(dict.fromkeys(found))


def is_literal(segment: str) -> bool:
    return not GLOB_CHARS.intersection(segment)


def may_overlap(a: str, b: str, ignore_case: bool = False) -> bool:
    """Could one path be covered by both canonical patterns (each with its descendants)?"""
    return _meet(segments(a), segments(b), True, True, ignore_case)


def may_cover_dir(pattern: str, directory: str, ignore_case: bool = False) -> bool:
    """Could ``pattern`` (with descendants) cover a directory that ``directory`` matches?"""
    return _meet(segments(pattern), segments(directory), True, False, ignore_case)


def contains(outer: str, inner: str, ignore_case: bool = False) -> bool:
    """True only when every path ``inner`` covers is surely covered by ``outer``."""
    outer_parts, inner_parts = segments(outer), segments(inner)
    fold = str.casefold if ignore_case else str
    if len(outer_parts) == 2 and outer_parts[0] == "**" and not outer.endswith("/"):
        # "**/NAME" covers every path with a component NAME: does every inner path have one?
        name = fold(outer_parts[1])
        return any(fold(part) == name for part in inner_parts if part != "**")
    strict = outer.endswith("/") or outer_parts[-1:] == ("**",)
    if outer_parts[-1:] == ("**",):
        outer_parts = outer_parts[:-1]
    if not all(is_literal(p) for p in outer_parts):
        return False
    if len(inner_parts) < len(outer_parts) + (1 if strict else 0):
        return False
    pairs = zip(outer_parts, inner_parts, strict=False)
    return all(is_literal(i) and fold(i) == fold(o) for o, i in pairs)


def _segment_may_equal(a: str, b: str, ignore_case: bool) -> bool:
    if ignore_case:
        a, b = a.casefold(), b.casefold()
    a_lit, b_lit = is_literal(a), is_literal(b)
    if a_lit and b_lit:
        return a == b
    if not a_lit and not b_lit or "\\" in a + b:
        return True
    text, glob = (a, b) if a_lit else (b, a)
    return fnmatch.fnmatchcase(text, glob.replace("[^", "[!"))


def _meet(
    a: tuple[str, ...], b: tuple[str, ...], a_desc: bool, b_desc: bool, ignore_case: bool
) -> bool:
    @cache
    def meet(i: int, j: int) -> bool:
        if i == len(a) and j == len(b):
            return True
        if i == len(a):
            return a_desc
        if j == len(b):
            return b_desc
        if a[i] == "**":
            if i == len(a) - 1:  # a trailing ** matches one or more further segments
                return True
            return meet(i + 1, j) or meet(i, j + 1)
        if b[j] == "**":
            if j == len(b) - 1:
                return True
            return meet(i, j + 1) or meet(i + 1, j)
        return _segment_may_equal(a[i], b[j], ignore_case) and meet(i + 1, j + 1)

    return meet(0, 0)


def case_insensitive(pattern: str, keep: int = 0) -> str:
    """``pattern`` for a case-sensitive tool when the policy ignores case: ``a`` becomes ``[aA]``.

    The first ``keep`` characters name real directories (where a nested policy file lives) and
    keep their case: the policy file applies to that directory only.
    """
    out: list[str] = [pattern[:keep]]
    i = keep
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(
                _both_cases(pattern[i + 1]) if pattern[i + 1].isalpha() else pattern[i : i + 2]
            )
            i += 2
        elif ch == "[":
            end = _class_end(pattern, i)
            if end < 0:
                out.append("\\[")
                i += 1
                continue
            out.append(_class_both_cases(pattern[i + 1 : end]))
            i = end + 1
        else:
            out.append(_both_cases(ch) if ch.isalpha() and ch.swapcase() != ch else ch)
            i += 1
    return "".join(out)


def _both_cases(ch: str) -> str:
    other = ch.swapcase()
    return f"[{ch}{other}]" if other != ch and len(other) == 1 else ch


def _class_end(pattern: str, start: int) -> int:
    i = start + 1
    if i < len(pattern) and pattern[i] in "!^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern.startswith("[:", i):
            close = pattern.find(":]", i + 2)
            if close >= 0:
                i = close + 2
                continue
        if pattern[i] == "]":
            return i
        i += 1
    return -1


def _class_both_cases(body: str) -> str:
    negate = body[:1] if body[:1] in "!^" else ""
    items = body[len(negate) :].replace("[:upper:]", "[:alpha:]").replace("[:lower:]", "[:alpha:]")
    extra: list[str] = []
    i = 0
    while i < len(items):
        if items.startswith("[:", i) and items.find(":]", i + 2) >= 0:
            i = items.find(":]", i + 2) + 2
            continue
        if i + 2 < len(items) and items[i + 1] == "-":
            low, high = items[i], items[i + 2]
            if low.isalpha() and high.isalpha() and low.swapcase() != low:
                extra.append(f"{low.swapcase()}-{high.swapcase()}")
            i += 3
            continue
        ch = items[i + 1] if items[i] == "\\" and i + 1 < len(items) else items[i]
        if ch.isalpha() and ch.swapcase() != ch and len(ch.swapcase()) == 1:
            extra.append(ch.swapcase())
        i += 2 if items[i] == "\\" else 1
    return f"[{negate}{items}{''.join(extra)}]"
