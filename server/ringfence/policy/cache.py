"""A small on-disk cache of derived data (compiled glob databases, validated policy files).

Entries live in ``$XDG_CACHE_HOME/ringfence/<kind>/`` (default ``~/.cache``), named by a hash
of everything they are derived from (the exact policy bytes, the patterns, this code), so a
stale entry is never found: it is simply not asked for again, and the oldest entries are pruned.

The cache must never loosen a policy (docs/security.md). Each entry is bound to its inputs: it
stores the BLAKE2b digest of those inputs and a BLAKE2b MAC of its payload keyed by that digest,
and both are checked on every read. An entry copied or renamed from other inputs (say, a policy
without zones), a damaged or truncated one, a file of another format or one that cannot be read
is a miss: the work is done again from the source. Hooks deny agent writes to the cache
directory (hooks/protected.py); what remains possible for code running as the user is listed
in docs/security.md. Nothing here is needed for correctness: every failure to read or write an
entry only means doing the work again.
"""

from __future__ import annotations

import os

try:  # the built-in module: importing hashlib would load OpenSSL, which costs milliseconds
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python builds
    from hashlib import blake2b
from ringfence.lazylog import LazyLogger

log = LazyLogger(__name__)

KEEP = 128  # entries kept per kind (small policies and ignore files are cached too)
MAGIC = b"rfc2"
_DIGEST = 32
_HEADER = len(MAGIC) + 2 * _DIGEST


def cache_root() -> str:
    """``$XDG_CACHE_HOME/ringfence`` (default ``~/.cache/ringfence``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ringfence")


def cache_dir(kind: str) -> str:
    return os.path.join(cache_root(), kind)


def _source(parts: tuple[str, ...]) -> bytes:
    return "\0".join(parts).encode("utf-8", "surrogateescape")


def source_digest(*parts: str) -> bytes:
    """The BLAKE2b digest of an entry's inputs (what it is bound to)."""
    return blake2b(_source(parts), digest_size=_DIGEST).digest()


def key(*parts: str) -> str:
    """A cache entry name for the given inputs."""
    return blake2b(_source(parts), digest_size=_DIGEST, person=b"ringfence-name").hexdigest()


def _mac(bound: bytes, payload: bytes) -> bytes:
    return blake2b(payload, digest_size=_DIGEST, key=bound).digest()


def read(kind: str, *parts: str) -> bytes | None:
    """The payload derived from ``parts``, or None when absent, damaged or bound to other inputs."""
    path = os.path.join(cache_dir(kind), key(*parts))
    try:
        with open(path, "rb") as handle:
            blob = handle.read()
    except (OSError, ValueError):
        return None
    bound, payload = blob[len(MAGIC) : len(MAGIC) + _DIGEST], blob[_HEADER:]
    if blob[: len(MAGIC)] != MAGIC or bound != source_digest(*parts):
        log.debug("cache entry %s is not bound to these inputs: a miss", path)
        return None
    if blob[len(MAGIC) + _DIGEST : _HEADER] != _mac(bound, payload):
        log.debug("cache entry %s is damaged: a miss", path)
        return None
    return payload


def write(kind: str, payload: bytes, *parts: str) -> None:
    """Store ``payload`` as derived from ``parts`` (atomically); prune the oldest entries."""
    directory = cache_dir(kind)
    name = key(*parts)
    bound = source_digest(*parts)
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        tmp = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            handle.write(MAGIC + bound + _mac(bound, payload) + payload)
        os.replace(tmp, os.path.join(directory, name))
        with os.scandir(directory) as listing:
            entries = sorted(
                (e for e in listing if not e.name.startswith(".")),
                key=lambda e: e.stat().st_mtime,
                reverse=True,
            )
        for old in entries[KEEP:]:
            try:
                os.unlink(old.path)
            except FileNotFoundError:
                pass
    except OSError as exc:
        log.debug("cannot write the cache entry %s/%s: %s", directory, name, exc)
