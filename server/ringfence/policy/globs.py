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
compile. ``RINGFENCE_GLOB_BACKEND=simple`` forces the fallback.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_PLACEHOLDER = b"\x01"
_DIR_MARK = b"(?P<ps_d>/)"
_DIR_MARK_OPT = b"(?:(?P<ps_d>/)|$)"
_ANY_BYTE_BUT_SLASH = b"[^/]"
_WHOLE_NAME = b"[^/]+"  # pathspec's translation of a "*" path component
_CACHE_MIN_EXPRESSIONS = 32  # smaller lists compile in milliseconds: not worth a cache file
_CACHE_KEEP = 32  # cached databases kept per user
_POSIX_CLASSES = {
    b"alnum": lambda c: c < 0x80 and chr(c).isalnum(),
    b"alpha": lambda c: c < 0x80 and chr(c).isalpha(),
    b"blank": lambda c: c in (0x20, 0x09),
    b"cntrl": lambda c: c < 0x20 or c == 0x7F,
    b"digit": lambda c: 0x30 <= c <= 0x39,
    b"graph": lambda c: 0x21 <= c <= 0x7E,
    b"lower": lambda c: 0x61 <= c <= 0x7A,
    b"print": lambda c: 0x20 <= c <= 0x7E,
    b"punct": lambda c: 0x21 <= c <= 0x7E and not chr(c).isalnum(),
    b"space": lambda c: c in (0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D),
    b"upper": lambda c: 0x41 <= c <= 0x5A,
    b"xdigit": lambda c: chr(c) in "0123456789abcdefABCDEF",
}


class GlobError(ValueError):
    """A pattern that matches nothing in git, or that ringfence refuses (see :func:`glob_problem`)."""


def _preferred_backend() -> str:
    forced = os.environ.get("RINGFENCE_GLOB_BACKEND")
    if forced in ("simple", "hyperscan"):
        return forced
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return "simple"
    return "hyperscan"


BACKEND = _preferred_backend()


# ----- translation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Glob:
    """One translated pattern: regular expressions over the UTF-8 bytes of a relative path."""

    pattern: str
    negated: bool
    covering: bytes  # search() on PATH (+ "/" for a directory): the pattern covers the path
    exact: bytes  # search() on PATH: the pattern matches the path itself
    dir_only: bool  # ``exact`` holds only for directories (a pattern with a trailing "/")
    line: bytes | None  # ``covering`` for one line of a newline-joined buffer (None: never matches)


def translate(pattern: str, *, ignore_case: bool = False, negation: bool = False) -> Glob:
    """Translate one gitignore pattern; raise :class:`GlobError` when git would match nothing.

    ``negation``: a leading ``!`` negates (ignore files) instead of being a literal.
    """
    negated = negation and pattern.startswith("!")
    text = pattern[1:] if negated else pattern
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    raw = _trim_trailing_spaces(text.encode("utf-8", "surrogateescape"))
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
                out += raw[i:i + 2]  # git does not case-fold an escaped letter
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
    named: list = []
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
                name = raw[i + 2:end - 1]
                if name not in _POSIX_CLASSES:
                    raise GlobError(f"unknown character class [:{name.decode('latin-1')}:]")
                named.append(_POSIX_CLASSES[name])
                i = end
                ch = 0
        else:
            literals.add(ch)
        prev = ch
        i += 1
        if i < n and raw[i] == 0x5D:
            break
    has_slash = 0x2F in raw[start:i]

    upper = _POSIX_CLASSES[b"upper"]

    def matches(byte: int) -> bool:
        if byte in literals or any(test(byte) for test in named):
            return True
        if any(lo <= byte <= hi for lo, hi in ranges):
            return True
        if ignore_case and 0x61 <= byte <= 0x7A:  # git folds ranges and [:upper:], not literals
            return upper in named or any(lo <= byte - 0x20 <= hi for lo, hi in ranges)
        return False

    members = {byte for byte in range(1, 256) if matches(byte) != negated}
    members.discard(0x2F)
    if ignore_case:
        members -= set(range(0x41, 0x5B))  # paths are lower-cased before matching
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
    for members, piece in zip(classes, pieces[1:]):
        if for_lines:
            members = members - {0x0A}
            if not members:
                return None
        out.append(_byte_class(members))
        out.append(piece)
    return b"".join(out)


def _build(pattern: str, negated: bool, regex: bytes, classes: list[frozenset[int]]) -> Glob:
    filled = _fill(regex, classes, for_lines=False)
    line = _fill(regex, classes, for_lines=True)
    dir_only = False
    if regex == b".":  # "*" and "**"
        exact = covering = b"."
        line = b"^[^\\n]+$"
    elif regex in (b"/", _DIR_MARK):  # "**/*/**"; "*/" (any directory)
        covering = b"/"
        exact, dir_only = (b".", True) if regex == _DIR_MARK else (b"/", False)
        line = b"^[^\\n]*/[^\\n]*$"
    elif regex.endswith(_DIR_MARK_OPT):
        base = filled[:-len(_DIR_MARK_OPT)]
        covering, exact = base + b"(?:/|\\Z)", base + b"\\Z"
        line = None if line is None else line[:-len(_DIR_MARK_OPT)] + b"(?:/[^\\n]*)?$"
    elif regex.endswith(_DIR_MARK):
        base = filled[:-len(_DIR_MARK)]
        covering, exact, dir_only = base + b"/", base + b"\\Z", True
        line = None if line is None else line[:-len(_DIR_MARK)] + b"/[^\\n]*$"
        if base.endswith(b"/[^/]*"):  # "d/*/": git's "d/" query matches with an empty name
            covering = b"(?:" + covering + b"|" + base[:-len(b"[^/]*")] + b"\\Z)"
            if line is not None:
                line = b"(?:" + line[:-1] + b"|" + line[:-len(b"[^/\\n]*/[^\\n]*$")] + b")$"
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
        return f"negation is not supported in zones: {pattern!r} (use a later zone with a lower level)"
    if pattern.startswith("#"):
        return f"a pattern starting with '#' is a comment in gitignore syntax: {pattern!r} (write '\\#')"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in pattern):
        return f"control character in pattern {pattern!r}"
    parts = pattern.replace("\\", "/").split("/")
    if ".." in parts:
        return f"pattern climbs out of its directory: {pattern!r}"
    if "." in parts:
        return f"'.' is not a path component in gitignore syntax: {pattern!r} (anchor with a leading '/')"
    inner = pattern.strip("/")
    if "//" in pattern or pattern == "/":
        return f"empty path component in {pattern!r}"
    if "***" in pattern:
        return f"'***' in {pattern!r}: write '**' (any depth) or '*' (within a name)"
    for component in inner.split("/"):
        if "**" in component and component != "**":
            return (f"'**' must be a whole path component in {pattern!r}: write '*' within a name, "
                    "or '/**/' for any depth")
    if re.search(r"\[[^\]]*[^\x00-\x7f]", pattern):
        return (f"non-ASCII character inside [...] in {pattern!r}: git matches brackets byte by byte, "
                "so it would not match that character")
    if re.search(r"\[[^\]]*/", pattern):
        return f"'/' inside [...] in {pattern!r}: a bracket expression never matches '/'"
    try:
        translate(pattern)
    except GlobError as exc:
        return f"bad glob {pattern!r}: {exc}"
    return None


# ----- matching --------------------------------------------------------------------------------


class GlobMatcher:
    """An ordered list of zone patterns; the deciding pattern is the last one covering a path."""

    def __init__(self, patterns: Sequence[str], ignore_case: bool = False, backend: str | None = None) -> None:
        self.ignore_case = ignore_case
        self.patterns = list(patterns)
        self.globs: list[Glob | None] = []
        for pattern in self.patterns:
            try:
                self.globs.append(translate(pattern, ignore_case=ignore_case))
            except GlobError:
                self.globs.append(None)  # git matches nothing with it; zones reject it earlier
        self._simple: list[tuple[int, re.Pattern[bytes]]] | None = None
        self._database: _Database | None = None
        self.backend = backend or BACKEND
        if self.backend == "hyperscan":
            self._database = _Database.build(self.globs)
            if self._database is None:
                self.backend = "simple"

    def _encode(self, relpath: str) -> bytes:
        data = relpath.encode("utf-8", "surrogateescape")
        return data.lower() if self.ignore_case else data

    def _simple_patterns(self) -> list[tuple[int, re.Pattern[bytes]]]:
        if self._simple is None:
            self._simple = [
                (index, re.compile(glob.covering, re.DOTALL))
                for index, glob in reversed(list(enumerate(self.globs))) if glob is not None
            ]
        return self._simple

    def last_match(self, relpath: str) -> int | None:
        """The index of the last pattern covering ``relpath`` (``/``-separated, a trailing ``/``
        for a directory), or None."""
        data = self._encode(relpath)
        if self._database is not None and b"\n" not in data:
            return self._database.scan_one(data)
        for index, regex in self._simple_patterns():
            if regex.search(data):
                return index
        return None

    def last_matches(self, relpaths: Sequence[str]) -> list[int | None]:
        """:meth:`last_match` for many paths at once (one scan on the Hyperscan backend)."""
        if self._database is None or not relpaths:
            return [self.last_match(p) for p in relpaths]
        data = [self._encode(p) for p in relpaths]
        if any(b"\n" in d for d in data):
            return [self.last_match(p) for p in relpaths]
        return self._database.scan_lines(data)

    def check(self, relpath: str) -> tuple[bool | None, int | None]:
        """``(True, index)`` of the deciding pattern, ``(None, None)`` when none covers the path."""
        index = self.last_match(relpath)
        return (None, None) if index is None else (True, index)


class _Database:
    """A Hyperscan database of the ``line`` expressions of a pattern list (multi-line mode)."""

    def __init__(self, db) -> None:
        self._db = db

    @classmethod
    def build(cls, globs: Sequence[Glob | None]) -> _Database | None:
        import hyperscan

        expressions = [g.line for g in globs if g is not None and g.line is not None]
        ids = [i for i, g in enumerate(globs) if g is not None and g.line is not None]
        if not expressions:
            return None
        key = hashlib.sha256(b"ringfence-globs-1\0" + hyperscan.__version__.encode() + b"\0"
                             + b"\0".join(expressions) + repr(ids).encode()).hexdigest()
        db = _load_cached(key) if len(expressions) >= _CACHE_MIN_EXPRESSIONS else None
        if db is None:
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            try:
                db.compile(expressions=expressions, ids=ids, elements=len(expressions),
                           flags=hyperscan.HS_FLAG_MULTILINE)
            except hyperscan.error as exc:
                log.info("hyperscan cannot compile these patterns (%s); using the fallback", exc)
                return None
            if len(expressions) >= _CACHE_MIN_EXPRESSIONS:
                _store_cached(key, hyperscan.dumpb(db))
        return cls(db)

    def scan_one(self, data: bytes) -> int | None:
        best = -1

        def on_match(expr_id, _start, _end, _flags, _context):
            nonlocal best
            if expr_id > best:
                best = expr_id

        self._db.scan(data, match_event_handler=on_match)
        return best if best >= 0 else None

    def scan_lines(self, lines: Sequence[bytes]) -> list[int | None]:
        """Scan newline-free paths joined by newlines; every expression ends at a line end."""
        best: dict[int, int] = {}
        get = best.get

        def on_match(expr_id, _start, end, _flags, _context):
            if expr_id > get(end, -1):
                best[end] = expr_id

        self._db.scan(b"\n".join(lines), match_event_handler=on_match)
        out: list[int | None] = []
        end = -1
        for data in lines:
            end += len(data) + 1
            out.append(get(end))
        return out


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ringfence" / "globs"


def _load_cached(key: str):
    import hyperscan

    path = _cache_dir() / f"{key}.hsdb"
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    digest, payload = blob[:32], blob[32:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        db = hyperscan.loadb(payload, hyperscan.HS_MODE_BLOCK)
        db.scratch = hyperscan.Scratch(db)
    except Exception as exc:  # another CPU or Hyperscan build: compile afresh
        log.debug("cached glob database %s unusable: %s", path, exc)
        return None
    return db


def _store_cached(key: str, payload: bytes) -> None:
    directory = _cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{key}.{os.getpid()}.tmp"
        tmp.write_bytes(hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, directory / f"{key}.hsdb")
        cached = sorted(directory.glob("*.hsdb"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in cached[_CACHE_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("cannot cache the glob database in %s: %s", directory, exc)
