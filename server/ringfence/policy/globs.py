"""Gitignore-style glob matching with last-match-wins, exact to ``git check-ignore``.

pathspec translates each pattern into a regular expression. Where pathspec and git's wildmatch
disagree, the pattern is pre-translated first: every bracket expression (``[a-z]``,
``[!abc]``, ``[[:alpha:]]``) and every byte outside printable ASCII becomes a placeholder that
pathspec passes through, and is then replaced by an exact byte class built with git's own bracket
rules. Matching works on the UTF-8 bytes of a path, as git does, so ``?`` matches one byte.

A pattern *covers* a path when it matches the path or one of its parent directories (what a
``.gitignore`` holding only that pattern would ignore). A directory is covered like git covers
``DIR/``, so ``training/**`` covers the directory ``training`` itself.

Two backends give identical answers (``tests/test_globs_oracle.py`` checks both against git):
pathspec's regular expressions run by Python's ``re`` (the fallback), and one Hyperscan database
per pattern list (``pip install ringfence[fast]``) that also classifies many paths in one scan.
Compiled databases are cached on disk, keyed by their content, so start-up does not pay the
compile. A short list starts on ``re`` and moves to Hyperscan once it is asked about many paths,
so a hook never imports Hyperscan for a small policy. ``RINGFENCE_GLOB_BACKEND=simple`` or
``=hyperscan`` forces a backend.
"""

from __future__ import annotations

import functools
import itertools
import operator
import os
import re
import time
from collections import namedtuple
from collections.abc import Sequence

from ringfence.lazylog import LazyLogger
from ringfence.policy import cache

log = LazyLogger(__name__)

_PLACEHOLDER = b"\x01"
_DIR_MARK = b"(?P<ps_d>/)"
_DIR_MARK_OPT = b"(?:(?P<ps_d>/)|$)"
_ANY_BYTE_BUT_SLASH = b"[^/]"
_WHOLE_NAME = b"[^/]+"  # pathspec's translation of a "*" path component
_CACHE_MIN_PATTERNS = 1  # even a short list costs ~10 ms to compile: more than a hook can spare
ENGINES = ("indexed", "hyperscan", "simple")  # what ``RINGFENCE_GLOB_BACKEND`` can force
HYPERSCAN_MIN_PATTERNS = 64  # a shorter list never needs Hyperscan: the index answers as fast
HYPERSCAN_MIN_PATHS = 2000  # smaller batches: importing Hyperscan costs more than the index spends
_JOB_STALE_SECONDS = 600  # a background compile job file older than this is abandoned
UNCLEAN = -1  # last_matches(flag_unclean=True): the line is not a clean relative path
# A path that is not a clean relative path: absolute, "." or ".." or empty components, a trailing
# "/", a backslash, a byte outside printable ASCII, or nothing at all.
_UNCLEAN_PATH = re.compile(rb"^/|\\|//|(?:^|/)\.\.?(?:/|$)|/$|^$|[^\x20-\x7e]")
# The same, as line expressions the Hyperscan database carries after the patterns.
_UNCLEAN_LINES = (
    rb"^/[^\n]*$",
    rb"\\[^\n]*$",
    rb"//[^\n]*$",
    rb"(?:^|/)\.\.?(?:/[^\n]*)?$",
    rb"/$",
    rb"[\x00-\x09\x0b-\x1f\x7f-\xff][^\n]*$",
)
_ALL_BYTES = frozenset(range(1, 256))
_UPPER = frozenset(range(0x41, 0x5B))
_LOWER = frozenset(range(0x61, 0x7B))
_DIGIT = frozenset(range(0x30, 0x3A))
_GRAPH = frozenset(range(0x21, 0x7F))
_POSIX_CLASSES = {  # git's wildmatch: the C locale's ctype classes, ASCII only
    b"alnum": _UPPER | _LOWER | _DIGIT,
    b"alpha": _UPPER | _LOWER,
    b"blank": frozenset(b" \t"),
    b"cntrl": frozenset(range(1, 0x20)) | {0x7F},
    b"digit": _DIGIT,
    b"graph": _GRAPH,
    b"lower": _LOWER,
    b"print": _GRAPH | {0x20},
    b"punct": _GRAPH - _UPPER - _LOWER - _DIGIT,
    b"space": frozenset(b" \t\n\v\f\r"),
    b"upper": _UPPER,
    b"xdigit": _DIGIT | frozenset(b"abcdefABCDEF"),
}


class GlobError(ValueError):
    """A pattern that matches nothing in git, or that ringfence refuses (:func:`glob_problem`)."""


def forced_backend() -> str | None:
    """The engine ``RINGFENCE_GLOB_BACKEND`` forces (one of :data:`ENGINES`), if any."""
    forced = os.environ.get("RINGFENCE_GLOB_BACKEND")
    return forced if forced in ENGINES else None


@functools.cache
def hyperscan_installed() -> bool:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


# ----- translation -----------------------------------------------------------------------------


class Glob(namedtuple("Glob", "pattern negated covering exact dir_only line")):
    """One translated pattern: regular expressions over the UTF-8 bytes of a relative path.

    - ``covering``: search() on PATH (+ "/" for a directory): the pattern covers the path;
    - ``exact``: search() on PATH: the pattern matches the path itself;
    - ``dir_only``: ``exact`` holds only for directories (a pattern with a trailing "/");
    - ``line``: ``covering`` for one line of a newline-joined buffer (None: never matches).
    """

    __slots__ = ()


@functools.lru_cache(maxsize=8192)
def translate(pattern: str, *, ignore_case: bool = False, negation: bool = False) -> Glob:
    """Translate one gitignore pattern; raise :class:`GlobError` when git would match nothing.

    ``negation``: a leading ``!`` negates (ignore files) instead of being a literal.
    """
    negated = negation and pattern.startswith("!")
    text = pattern[1:] if negated else pattern
    if not text.isascii():
        text = _nfc(text)
    raw = text.encode("utf-8", "surrogateescape")
    if raw.endswith(b" "):
        raw = _trim_trailing_spaces(raw)
    if not raw:
        raise GlobError("empty pattern")
    glob, classes = _placehold(raw, ignore_case)
    if glob[:1] in (b"!", b"#"):
        glob = b"\\" + glob  # a literal "!" or "#", not negation or a comment
    if glob.endswith(b"/**/") or glob == b"**/":
        glob = glob[:-3] + b"*/"  # git: any directory below; pathspec would also match files
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    try:
        regex, _ = GitIgnoreSpecPattern.pattern_to_regex(glob)
    except ValueError as exc:
        raise GlobError(str(exc).replace("\\x01", "[…]")) from None
    if regex is None:
        raise GlobError("the pattern matches nothing")
    return _build(pattern, negated, regex, classes)


def translate_all(patterns: list[str], ignore_case: bool, negation: bool) -> list[Glob | str]:
    """:func:`translate` of each pattern, or why it is unusable (a :class:`GlobError`'s text).

    Kept in the on-disk cache, keyed by the patterns and this code: a warm start (a hook on a
    path seen before) then never imports pathspec."""
    if not patterns:
        return []
    import json

    from ringfence.policy.loader import _code_stamp

    parts = ("ringfence-translations-2", _code_stamp(), str(ignore_case), str(negation), *patterns)
    payload = cache.read("translations", *parts)
    if payload is not None:
        try:
            revived = [
                item
                if isinstance(item, str)
                else Glob(
                    pattern,
                    item[0],
                    item[1].encode("latin-1"),
                    item[2].encode("latin-1"),
                    item[3],
                    None if item[4] is None else item[4].encode("latin-1"),
                )
                for pattern, item in zip(patterns, json.loads(payload), strict=True)
            ]
        except (ValueError, TypeError, IndexError, AttributeError, UnicodeError):
            pass  # a damaged or foreign entry: translate afresh
        else:
            return revived
    out: list[Glob | str] = []
    for pattern in patterns:
        try:
            out.append(translate(pattern, ignore_case=ignore_case, negation=negation))
        except GlobError as exc:
            out.append(str(exc))
    plain = [
        g
        if isinstance(g, str)
        else [
            g.negated,
            g.covering.decode("latin-1"),
            g.exact.decode("latin-1"),
            g.dir_only,
            None if g.line is None else g.line.decode("latin-1"),
        ]
        for g in out
    ]
    cache.write("translations", json.dumps(plain).encode(), *parts)
    return out


def _trim_trailing_spaces(raw: bytes) -> bytes:
    """git's ``trim_trailing_spaces``: drop unescaped trailing spaces (only spaces)."""
    last_space = None
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == 0x20:
            if last_space is None:
                last_space = i
        elif ch == 0x5C:
            i += 1
            if i >= len(raw):
                return raw
            last_space = None
        else:
            last_space = None
        i += 1
    return raw[:last_space] if last_space is not None else raw


def _placehold(raw: bytes, ignore_case: bool) -> tuple[bytes, list[frozenset[int]]]:
    """Replace bracket expressions and non-printable bytes by placeholders with exact byte sets.

    Returns the glob for pathspec and the byte set of each placeholder, in order.
    """
    out = bytearray()
    classes: list[frozenset[int]] = []
    slash_in_class = False
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch == 0x5C:  # backslash: escape the next byte
            if i + 1 >= n:
                raise GlobError("the pattern ends with a backslash (it matches nothing in git)")
            nxt = raw[i + 1]
            if nxt == 0x2F:
                if i == 0 or i + 2 == n:
                    raise GlobError("'\\/' at the start or end of a pattern matches nothing in git")
                out += b"/"  # "\/" inside a pattern is a plain separator
            elif 0x20 < nxt < 0x7F:
                out += raw[i : i + 2]  # git does not case-fold an escaped letter
            else:
                classes.append(frozenset((nxt,)))
                out += _PLACEHOLDER
            i += 2
        elif ch == 0x5B:  # "["
            members, i, has_slash = _bracket(raw, i + 1, ignore_case)
            slash_in_class = slash_in_class or has_slash
            if not members:
                raise GlobError("a bracket expression here matches no character")
            classes.append(members)
            out += _PLACEHOLDER
        elif 0x20 <= ch < 0x7F:
            out.append(ch | 0x20 if ignore_case and 0x41 <= ch <= 0x5A else ch)
            i += 1
        else:
            classes.append(frozenset((ch,)))
            out += _PLACEHOLDER
            i += 1
    glob = bytes(out)
    if slash_in_class and b"/" not in glob.rstrip(b"/"):
        glob = b"/" + glob  # git anchors a pattern with a "/" anywhere, even inside brackets
    return glob, classes


def _bracket(raw: bytes, i: int, ignore_case: bool) -> tuple[frozenset[int], int, bool]:
    """Parse a bracket expression like git's wildmatch; ``i`` is just past ``[``.

    Returns the bytes it matches (never ``/``), the index past its ``]``, and whether its text
    held a ``/``.
    """
    n = len(raw)
    negated = i < n and raw[i] in b"!^"
    if negated:
        i += 1
    literals: set[int] = set()
    ranges: list[tuple[int, int]] = []
    named: list[bytes] = []
    prev = 0
    start = i
    while True:
        if i >= n:
            raise GlobError("unclosed '[' (git matches nothing with it)")
        ch = raw[i]
        if ch == 0x5C:
            i += 1
            if i >= n:
                raise GlobError("unclosed '[' (git matches nothing with it)")
            ch = raw[i]
            literals.add(ch)
        elif ch == 0x2D and prev and i + 1 < n and raw[i + 1] != 0x5D:
            i += 1
            ch = raw[i]
            if ch == 0x5C:
                i += 1
                if i >= n:
                    raise GlobError("unclosed '[' (git matches nothing with it)")
                ch = raw[i]
            ranges.append((prev, ch))
            ch = 0
        elif ch == 0x5B and i + 1 < n and raw[i + 1] == 0x3A:
            end = raw.find(b"]", i + 2)
            if end == -1:
                raise GlobError("unclosed '[' (git matches nothing with it)")
            if end - (i + 2) - 1 < 0 or raw[end - 1] != 0x3A:
                literals.add(0x5B)  # no ":]": the "[" is a plain member
                ch = 0x5B
            else:
                name = raw[i + 2 : end - 1]
                if name not in _POSIX_CLASSES:
                    raise GlobError(f"unknown character class [:{name.decode('latin-1')}:]")
                named.append(name)
                i = end
                ch = 0
        else:
            literals.add(ch)
        prev = ch
        i += 1
        if i < n and raw[i] == 0x5D:
            break
    has_slash = 0x2F in raw[start:i]

    members = set(literals)
    for name in named:
        members |= _POSIX_CLASSES[name]
    for lo, hi in ranges:
        members.update(range(lo, hi + 1))
    if ignore_case:  # git folds ranges and [:upper:] for a lower-cased path, not literals
        members |= {c | 0x20 for lo, hi in ranges for c in range(max(lo, 0x41), min(hi, 0x5A) + 1)}
        if b"upper" in named:
            members |= _LOWER
    if negated:
        members = set(_ALL_BYTES - members)
    members.discard(0x2F)
    if ignore_case:
        members -= _UPPER  # paths are lower-cased before matching
    return frozenset(members), i + 1, has_slash


def _byte_class(members: frozenset[int]) -> bytes:
    """A regex character class for exactly ``members`` (escaped, ranges compressed)."""
    parts: list[str] = []
    run: list[int] = []
    for byte in sorted(members) + [-2]:
        if run and byte == run[-1] + 1:
            run.append(byte)
            continue
        if run:
            lo, hi = run[0], run[-1]
            parts.append(f"\\x{lo:02x}" if lo == hi else f"\\x{lo:02x}-\\x{hi:02x}")
        run = [byte]
    return ("[" + "".join(parts) + "]").encode("ascii")


def _fill(regex: bytes, classes: list[frozenset[int]], for_lines: bool) -> bytes | None:
    """Replace the placeholders of ``regex``; None when a class can only match a newline."""
    regex = regex.replace(_WHOLE_NAME, b"[^/]*")  # git's "DIR/" query: "d/*" covers the directory d
    if for_lines:
        regex = regex.replace(_ANY_BYTE_BUT_SLASH, b"[^/\\n]")
    pieces = regex.split(_PLACEHOLDER)
    out = [pieces[0]]
    for members, piece in zip(classes, pieces[1:], strict=True):
        if for_lines:
            members = members - {0x0A}
            if not members:
                return None
        out.append(_byte_class(members))
        out.append(piece)
    return b"".join(out)


def _build(pattern: str, negated: bool, regex: bytes, classes: list[frozenset[int]]) -> Glob:
    filled = _fill(regex, classes, for_lines=False)
    assert filled is not None  # only a line regex (for_lines) can be impossible
    line: bytes | None = _fill(regex, classes, for_lines=True)
    dir_only = False
    if regex == b".":  # "*" and "**"
        exact = covering = b"."
        line = b"^[^\\n]+$"
    elif regex in (b"/", _DIR_MARK):  # "**/*/**"; "*/" (any directory)
        covering = b"/"
        exact, dir_only = (b".", True) if regex == _DIR_MARK else (b"/", False)
        line = b"^[^\\n]*/[^\\n]*$"
    elif regex.endswith(_DIR_MARK_OPT):
        base = filled[: -len(_DIR_MARK_OPT)]
        covering, exact = base + b"(?:/|\\Z)", base + b"\\Z"
        line = None if line is None else line[: -len(_DIR_MARK_OPT)] + b"(?:/[^\\n]*)?$"
    elif regex.endswith(_DIR_MARK):
        base = filled[: -len(_DIR_MARK)]
        covering, exact, dir_only = base + b"/", base + b"\\Z", True
        line = None if line is None else line[: -len(_DIR_MARK)] + b"/[^\\n]*$"
        if base.endswith(b"/[^/]*"):  # "d/*/": git's "d/" query matches with an empty name
            covering = b"(?:" + covering + b"|" + base[: -len(b"[^/]*")] + b"\\Z)"
            if line is not None:
                line = b"(?:" + line[:-1] + b"|" + line[: -len(b"[^/\\n]*/[^\\n]*$")] + b")$"
    elif regex.endswith(b"/"):  # a trailing "/**": everything below
        covering = exact = filled
        line = None if line is None else line + b"[^\\n]*$"
    else:  # pragma: no cover - pathspec ends every regex in one of the forms above
        raise GlobError(f"unexpected translation of {pattern!r}")
    return Glob(pattern, negated, covering, exact, dir_only, line)


def glob_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not an acceptable zone glob, or None if it is.

    Zones accept the part of gitignore syntax whose meaning is unambiguous: git would match
    nothing with the refused forms, or would give them a meaning few readers expect.
    """
    if not pattern.strip():
        return "empty pattern"
    if pattern.startswith("!"):
        return (
            f"negation is not supported in zones: {pattern!r} (use a later zone with a lower level)"
        )
    if pattern.startswith("#"):
        return (
            f"a pattern starting with '#' is a comment in gitignore syntax: {pattern!r} "
            "(write '\\#')"
        )
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in pattern):
        return f"control character in pattern {pattern!r}"
    if pattern.endswith(" "):  # judge what git reads: unescaped trailing spaces are dropped
        raw = _trim_trailing_spaces(pattern.encode("utf-8", "surrogateescape"))
        pattern = raw.decode("utf-8", "surrogateescape")
    parts = pattern.replace("\\", "/").split("/")
    if ".." in parts:
        return f"pattern climbs out of its directory: {pattern!r}"
    if "." in parts:
        return (
            f"'.' is not a path component in gitignore syntax: {pattern!r} "
            "(anchor with a leading '/')"
        )
    inner = pattern.strip("/")
    if "//" in pattern or pattern == "/":
        return f"empty path component in {pattern!r}"
    if "***" in pattern:
        return f"'***' in {pattern!r}: write '**' (any depth) or '*' (within a name)"
    for component in inner.split("/"):
        if "**" in component and component != "**":
            return (
                f"'**' must be a whole path component in {pattern!r}: write '*' within a name, "
                "or '/**/' for any depth"
            )
    if re.search(r"\[[^\]]*[^\x00-\x7f]", pattern):
        return (
            f"non-ASCII character inside [...] in {pattern!r}: git matches brackets byte by byte, "
            "so it would not match that character"
        )
    if re.search(r"\[[^\]]*/", pattern):
        return f"'/' inside [...] in {pattern!r}: a bracket expression never matches '/'"
    if "[" in pattern or "\\" in pattern or not pattern.isascii():
        try:  # other patterns always translate: only brackets and escapes can match nothing
            translate(pattern)
        except GlobError as exc:
            return f"bad glob {pattern!r}: {exc}"
    return None


# ----- the index of the pure-Python engine -----------------------------------------------------

# How a pattern is filed in the index; a path's candidates are the patterns filed under its keys.
FIRST, FIRST_PREFIX, NAME, NAME_PREFIX, EXTENSION, RESIDUAL = range(6)
_WILDCARDS = frozenset(b"*?" + _PLACEHOLDER)  # pre-translated bytes matching more than themselves
_PLAIN_GLOB = re.compile(rb"[\x21-\x5a\x5d-\x7e]+").fullmatch  # printable ASCII but "[", "\\"
_HAS_WILDCARD = re.compile(rb"[*?\\\x01]").search
_PREFIX_MAX = 8  # name prefixes are filed by at most their first 8 bytes
_INDEX_CACHE_MIN = 32  # shorter lists build their index faster than they read it from the cache


def _literal_parts(component: bytes) -> tuple[bytes, bool, bytes]:
    """``(prefix, whole, tail)`` of one pre-translated glob component, escapes resolved: the
    literal bytes before its first wildcard, whether it has none, the literal bytes after its
    last one."""
    if not _HAS_WILDCARD(component):
        return component, True, component
    prefix, tail = bytearray(), bytearray()
    wild = False
    i, n = 0, len(component)
    while i < n:
        ch = component[i]
        if ch == 0x5C and i + 1 < n:  # an escaped byte is itself
            ch = component[i + 1]
            i += 1
        elif ch in _WILDCARDS:
            wild = True
            tail.clear()
            i += 1
            continue
        if not wild:
            prefix.append(ch)
        tail.append(ch)
        i += 1
    return bytes(prefix), not wild, bytes(tail)


def index_key(
    pattern: str, ignore_case: bool = False, negation: bool = False
) -> tuple[int, bytes] | None:
    """Where the index files ``pattern``: ``(kind, key)``, or None when git matches nothing with it.

    Every key is something a covered path must hold (or a parent directory of it), so testing
    only the patterns filed under a path's keys gives the answers of testing them all:

    - ``FIRST``: an anchored pattern whose first component is literal (``src/**``, ``/setup.py``):
      the path's first component equals it;
    - ``NAME``: any literal component (``**/fixtures/*.json``): a component of the path equals it;
    - ``FIRST_PREFIX`` / ``NAME_PREFIX``: a component's literal start (``dir_*/x``, ``secret*``);
    - ``EXTENSION``: the literal end ``.ext`` of a component (``*.ipynb``): some component of the
      path has that extension;
    - ``RESIDUAL`` (``*``, ``[ab]?``): tested for every path.
    """
    text = pattern[1:] if negation and pattern.startswith("!") else pattern
    if not text.isascii():
        text = _nfc(text)
    raw = text.encode("utf-8", "surrogateescape")
    if raw.endswith(b" "):
        raw = _trim_trailing_spaces(raw)
    if not raw:
        return None
    if _PLAIN_GLOB(raw):  # most zone globs: nothing to pre-translate but letter case
        glob = raw.lower() if ignore_case else raw
    else:
        try:
            glob, _ = _placehold(raw, ignore_case)
        except GlobError:
            return None
    body = glob.rstrip(b"/")
    anchored = b"/" in body
    parts = body[1:].split(b"/") if body.startswith(b"/") else body.split(b"/")
    if not all(parts) or b"." in parts or b".." in parts:
        return RESIDUAL, b""
    usable = [p for p in parts if b"**" not in p]  # "**" is no component of the path
    literal = [_literal_parts(p) for p in usable]
    first = literal[0] if anchored and b"**" not in parts[0] else None
    if first is not None and first[1]:
        return FIRST, first[0]
    names = [prefix for prefix, whole, _ in literal if whole]
    if names:
        return NAME, max(names, key=len)
    if first is not None and len(first[0]) >= 3:
        return FIRST_PREFIX, first[0][:_PREFIX_MAX]
    for _, _, tail in reversed(literal):
        if b"." in tail:
            return EXTENSION, tail.rpartition(b".")[2]
    if first is not None and first[0]:
        return FIRST_PREFIX, first[0][:_PREFIX_MAX]
    prefixes = [prefix for prefix, _, _ in literal if prefix]
    if prefixes:
        return NAME_PREFIX, max(prefixes, key=len)[:_PREFIX_MAX]
    return RESIDUAL, b""


class _Index:
    """The pure-Python engine: zone patterns filed by :func:`index_key`, each path tested against
    the few filed under its components, from the last pattern back (the last match wins)."""

    __slots__ = ("tables", "residual", "sources", "_compiled", "_first_lengths", "_name_lengths")

    def __init__(
        self,
        tables: list[dict[bytes, tuple[int, ...]]],
        residual: tuple[int, ...],
        sources: list[bytes | None],
    ) -> None:
        self.tables = tables  # one per kind, FIRST to EXTENSION
        self.residual = residual
        self.sources = sources  # each pattern's ``covering`` expression (None: matches nothing)
        self._compiled: dict[int, re.Pattern[bytes] | None] = {}
        self._first_lengths = sorted({len(k) for k in tables[FIRST_PREFIX]})
        self._name_lengths = sorted({len(k) for k in tables[NAME_PREFIX]})

    @classmethod
    def build(
        cls, patterns: Sequence[str], ignore_case: bool, globs: Sequence[Glob | None]
    ) -> _Index:
        tables: list[dict[bytes, list[int]]] = [{} for _ in range(RESIDUAL)]
        residual = []
        for i, (pattern, glob) in enumerate(zip(patterns, globs, strict=True)):
            where = index_key(pattern, ignore_case) if glob is not None else None
            if where is None:
                continue
            kind, key = where
            if kind == RESIDUAL:
                residual.append(i)
            else:
                tables[kind].setdefault(key, []).append(i)
        return cls(
            [{k: tuple(v) for k, v in t.items()} for t in tables],
            tuple(residual),
            [None if g is None else g.covering for g in globs],
        )

    @classmethod
    def load(cls, patterns: Sequence[str], ignore_case: bool, matcher: GlobMatcher) -> _Index:
        """The index of ``patterns`` from the on-disk cache, or built (and cached) afresh."""
        if len(patterns) < _INDEX_CACHE_MIN:
            return cls.build(patterns, ignore_case, matcher.globs)
        import marshal

        from ringfence.policy.loader import _code_stamp

        parts = ("ringfence-index-1", _code_stamp(), str(ignore_case), *patterns)
        payload = cache.read("indexes", *parts)
        if payload is not None:
            try:
                tables, residual, sources = marshal.loads(payload)
                if len(sources) == len(patterns) and len(tables) == RESIDUAL:
                    return cls(tables, residual, sources)
            except (ValueError, EOFError, TypeError):
                pass  # a damaged or foreign entry: build afresh
        index = cls.build(patterns, ignore_case, matcher.globs)
        cache.write("indexes", marshal.dumps((index.tables, index.residual, index.sources)), *parts)
        return index

    def candidates(self, data: bytes) -> list[int]:
        """The patterns that can cover ``data``, last first."""
        first, first_prefix, name, name_prefix, extension = self.tables
        parts = data.split(b"/")
        found = list(self.residual)
        head = parts[0]
        hit = first.get(head)
        if hit:
            found += hit
        for k in self._first_lengths:
            hit = first_prefix.get(head[:k])
            if hit:
                found += hit
        name_lengths = self._name_lengths
        for part in parts:
            hit = name.get(part)
            if hit:
                found += hit
            if extension and b"." in part:
                hit = extension.get(part.rpartition(b".")[2])
                if hit:
                    found += hit
            for k in name_lengths:
                hit = name_prefix.get(part[:k])
                if hit:
                    found += hit
        if len(found) > 1:
            found = sorted(set(found), reverse=True)
        return found

    def last_match(self, data: bytes) -> int | None:
        compiled = self._compiled
        for index in self.candidates(data):
            if index not in compiled:
                source = self.sources[index]
                compiled[index] = None if source is None else re.compile(source, re.DOTALL)
            regex = compiled[index]
            if regex is not None and regex.search(data):
                return index
        return None


# ----- matching --------------------------------------------------------------------------------


class GlobMatcher:
    """An ordered list of zone patterns; the deciding pattern is the last one covering a path.

    Engines (``backend``): ``indexed``, the pure-Python default, answers single questions and
    small batches; ``hyperscan`` answers a batch of at least :data:`HYPERSCAN_MIN_PATHS` paths
    once its compiled database is in the on-disk cache (a batch that finds none answers on the
    index and has the database compiled in the background, for later); ``simple`` tests every
    pattern in turn (the reference). ``backend=`` or ``RINGFENCE_GLOB_BACKEND`` forces one.
    """

    def __init__(
        self, patterns: Sequence[str], ignore_case: bool = False, backend: str | None = None
    ) -> None:
        self.ignore_case = ignore_case
        self.patterns = list(patterns)
        self._globs: list[Glob | None] | None = None
        self._simple: list[tuple[int, re.Pattern[bytes]]] | None = None
        self._index: _Index | None = None
        self._database: _Database | None = None
        self._compile_asked = False  # a background compile of this list was asked for
        self.forced = backend if backend in ENGINES else forced_backend()
        self.backend = self.forced or "indexed"
        if self.forced == "hyperscan":
            self._use_hyperscan()

    def _use_hyperscan(self) -> None:
        if hyperscan_installed() and self.patterns:
            cached = _Database.load(self.patterns, self.ignore_case)
            self._database = cached or _Database.build(self)
        self.backend = "indexed" if self._database is None else "hyperscan"

    @property
    def globs(self) -> list[Glob | None]:
        """The translated patterns (None for one git matches nothing with)."""
        if self._globs is None:
            self._globs = [  # None for the patterns zones reject earlier
                None if isinstance(glob, str) else glob
                for glob in translate_all(self.patterns, self.ignore_case, False)
            ]
        return self._globs

    def _encode(self, relpath: str) -> bytes:
        data = relpath.encode("utf-8", "surrogateescape")
        return data.lower() if self.ignore_case else data

    def _simple_patterns(self) -> list[tuple[int, re.Pattern[bytes]]]:
        if self._simple is None:
            self._simple = [
                (index, re.compile(glob.covering, re.DOTALL))
                for index, glob in reversed(list(enumerate(self.globs)))
                if glob is not None
            ]
        return self._simple

    def _indexed(self) -> _Index:
        if self._index is None:
            self._index = _Index.load(self.patterns, self.ignore_case, self)
        return self._index

    def last_match(self, relpath: str) -> int | None:
        """The index of the last pattern covering ``relpath`` (``/``-separated, a trailing ``/``
        for a directory), or None."""
        data = self._encode(relpath)
        if self._database is not None and b"\n" not in data:
            return self._database.scan_one(data)
        if self.backend == "simple":
            for index, regex in self._simple_patterns():
                if regex.search(data):
                    return index
            return None
        if not self.patterns:
            return None
        return self._indexed().last_match(data)

    def _batch_database(self, n_paths: int) -> None:
        """On the default engine, move a large batch to Hyperscan when its database is cached;
        ask for it to be compiled in the background when not."""
        if (
            self.forced
            or self._database is not None
            or n_paths < HYPERSCAN_MIN_PATHS
            or len(self.patterns) < HYPERSCAN_MIN_PATTERNS
            or not hyperscan_installed()
        ):
            return
        self._database = _Database.load(self.patterns, self.ignore_case)
        if self._database is not None:
            self.backend = "hyperscan"
        elif not self._compile_asked:
            self._compile_asked = True
            compile_later(self.patterns, self.ignore_case)

    def last_matches(
        self, relpaths: Sequence[str], joined: str | None = None, flag_unclean: bool = False
    ) -> list[int | None]:
        """:meth:`last_match` for many paths at once (one scan on the Hyperscan engine).

        ``joined``: the paths joined by newlines, when the caller has it already.
        ``flag_unclean``: answer :data:`UNCLEAN` for a path that is not a clean relative path
        (the caller normalises those itself); it costs nothing extra on Hyperscan.
        """
        self._batch_database(len(relpaths))
        if self._database is None or not relpaths:
            return self._one_by_one(relpaths, flag_unclean)
        if joined is None:
            joined = "\n".join(relpaths)
        if joined.count("\n") != len(relpaths) - 1 or not all(relpaths):
            return self._one_by_one(relpaths, flag_unclean)
        if joined.isascii():
            data, lengths = joined.encode("ascii"), map(len, relpaths)
        else:
            encoded = [p.encode("utf-8", "surrogateescape") for p in relpaths]
            data, lengths = b"\n".join(encoded), map(len, encoded)
        ends = map(
            operator.add, itertools.accumulate(lengths), itertools.count()
        )  # line k ends here
        found = self._database.scan_lines(data.lower() if self.ignore_case else data, ends)
        limit = len(self.patterns)  # the id of every unclean-line expression
        if limit in found:
            found = [
                i if i is None or i < limit else UNCLEAN if flag_unclean else self.last_match(p)
                for i, p in zip(found, relpaths, strict=True)
            ]
        return found

    def _one_by_one(self, relpaths: Sequence[str], flag_unclean: bool) -> list[int | None]:
        if not flag_unclean:
            return [self.last_match(p) for p in relpaths]
        unclean = _UNCLEAN_PATH.search
        return [
            UNCLEAN if unclean(p.encode("utf-8", "surrogateescape")) else self.last_match(p)
            for p in relpaths
        ]

    def check(self, relpath: str) -> tuple[bool | None, int | None]:
        """``(True, index)`` of the deciding pattern, ``(None, None)`` when none covers the path."""
        index = self.last_match(relpath)
        return (None, None) if index is None else (True, index)


def compile_later(patterns: Sequence[str], ignore_case: bool) -> bool:
    """Have a detached process compile and cache the Hyperscan database of ``patterns``
    (``python -m ringfence.policy.warm``); False when one is already at it or it cannot start.

    The job file it reads sits beside the databases; it is the only thing the process trusts,
    and it keys what it writes by the patterns it read, so a forged job can only cache the
    database of the patterns it names.
    """
    import json
    import subprocess
    import sys

    directory = cache.cache_dir("globs")
    job = job_file(patterns, ignore_case)
    if job is None:
        return False
    try:
        os.makedirs(directory, exist_ok=True)
        try:
            fd = os.open(job, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            if time.time() - os.stat(job).st_mtime < _JOB_STALE_SECONDS:
                return False  # another process is compiling this list
            os.unlink(job)
            fd = os.open(job, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"patterns": list(patterns), "ignore_case": ignore_case}, handle)
        detach = (
            {
                "creationflags": 0x00000008 | 0x00000200
            }  # DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP
            if os.name == "nt"
            else {"start_new_session": True}
        )
        subprocess.Popen(
            [sys.executable, "-m", "ringfence.policy.warm", job],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            **detach,
        )
    except (OSError, ValueError) as exc:
        log.debug("cannot compile the glob database in the background: %s", exc)
        return False
    return True


def job_file(patterns: Sequence[str], ignore_case: bool) -> str | None:
    """Where the background compile of this list is claimed (None: a list too short to cache)."""
    parts = _Database._key(patterns, ignore_case)
    if not parts:
        return None
    return os.path.join(cache.cache_dir("globs"), f".{cache.key(*parts)}.job")


def compile_job(job: str) -> bool:
    """Compile and cache the database a :func:`compile_later` job file names; remove the job."""
    import json

    try:
        with open(job, encoding="utf-8") as handle:
            spec = json.load(handle)
        patterns, ignore_case = spec["patterns"], spec["ignore_case"]
        if not (isinstance(patterns, list) and all(isinstance(p, str) for p in patterns)):
            return False
        return GlobMatcher(patterns, bool(ignore_case), backend="hyperscan").backend == "hyperscan"
    except (OSError, ValueError, KeyError, TypeError):
        return False
    finally:
        try:
            os.unlink(job)
        except OSError:
            pass


class _Database:
    """A Hyperscan database of the ``line`` expressions of a pattern list (multi-line mode).

    Databases of long pattern lists are cached on disk, keyed by the patterns themselves, so a
    warm start translates and compiles nothing.
    """

    def __init__(self, db, limit: int) -> None:
        self._db = db
        self._limit = limit  # ids from here on flag unclean lines

    @staticmethod
    def _parts(patterns: Sequence[str], ignore_case: bool) -> tuple[str, ...] | None:
        """The inputs a cached database is bound to (None: too short a list to cache)."""
        if len(patterns) < _CACHE_MIN_PATTERNS:
            return None
        import hyperscan

        # __version__ is missing from hyperscan's stubs; the package itself falls back to "unknown"
        version = getattr(hyperscan, "__version__", "unknown")
        return ("ringfence-globs-4", str(version), str(ignore_case), *patterns)

    @classmethod
    def _key(cls, patterns: Sequence[str], ignore_case: bool) -> str | None:
        """The cache entry name of the database of ``patterns`` (None: not cached)."""
        parts = cls._parts(patterns, ignore_case)
        return cache.key(*parts) if parts else None

    @classmethod
    def load(cls, patterns: Sequence[str], ignore_case: bool) -> _Database | None:
        key = cls._parts(patterns, ignore_case)
        db = _load_cached(key) if key else None
        return cls(db, len(patterns)) if db is not None else None

    @classmethod
    def build(cls, matcher: GlobMatcher) -> _Database | None:
        import hyperscan

        globs = matcher.globs
        expressions = [g.line for g in globs if g is not None and g.line is not None]
        ids = [i for i, g in enumerate(globs) if g is not None and g.line is not None]
        if not expressions:
            return None
        expressions += _UNCLEAN_LINES
        ids += [len(globs)] * len(_UNCLEAN_LINES)
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        try:
            db.compile(
                expressions=expressions,
                ids=ids,
                elements=len(expressions),
                flags=hyperscan.HS_FLAG_MULTILINE,
            )
        except hyperscan.error as exc:
            log.info("hyperscan cannot compile these patterns (%s); using the fallback", exc)
            return None
        key = cls._parts(matcher.patterns, matcher.ignore_case)
        if key:
            cache.write("globs", hyperscan.dumpb(db), *key)
        return cls(db, len(globs))

    def scan_one(self, data: bytes) -> int | None:
        best = -1
        limit = self._limit

        def on_match(expr_id, _start, _end, _flags, _context):
            nonlocal best
            if best < expr_id < limit:
                best = expr_id

        self._db.scan(data, match_event_handler=on_match)
        return best if best >= 0 else None

    def scan_lines(self, data: bytes, ends) -> list[int | None]:
        """Scan newline-joined paths; ``ends`` are the offsets where each line ends.

        Every expression ends at a line end, so a match's end offset names its path.
        """
        best: dict[int, int] = {}
        get = best.get

        def on_match(expr_id, _start, end, _flags, _context):
            if expr_id > get(end, -1):
                best[end] = expr_id

        self._db.scan(data, match_event_handler=on_match)
        return list(map(get, ends))


def _load_cached(parts: tuple[str, ...]):
    import hyperscan

    payload = cache.read("globs", *parts)
    if payload is None:
        return None
    try:
        db = hyperscan.loadb(payload, hyperscan.HS_MODE_BLOCK)
        db.scratch = hyperscan.Scratch(db)
    except Exception as exc:  # another CPU or Hyperscan build: compile afresh
        log.debug("cached glob database unusable: %s", exc)
        return None
    return db


def _nfc(text: str) -> str:
    """NFC form of ``text`` (unicodedata loads only when a non-ASCII path needs it)."""
    from unicodedata import normalize

    return normalize("NFC", text)
