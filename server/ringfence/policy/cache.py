"""A small on-disk cache of derived data (compiled glob databases, validated policy files).

Entries live in ``$XDG_CACHE_HOME/ringfence/<kind>/`` (default ``~/.cache``), named by a hash
of everything they are derived from, so a stale entry is never found: it is simply not asked
for again, and the oldest entries are pruned. Each entry carries a CRC-32 of its payload (enough
to catch damage; a compiled database is read in a fraction of the time SHA-256 takes); a
damaged entry reads as missing. Nothing here is needed for correctness: every failure to read
or write an entry only means doing the work again.
"""

from __future__ import annotations

import os
from binascii import crc32

try:  # the built-in module: importing hashlib would load OpenSSL, which costs milliseconds
    from _sha256 import sha256
except ImportError:  # pragma: no cover - other Python builds
    from hashlib import sha256
from ringfence.lazylog import LazyLogger

log = LazyLogger(__name__)

KEEP = 128  # entries kept per kind (small policies and ignore files are cached too)


def cache_dir(kind: str) -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ringfence", kind)


def key(*parts: str) -> str:
    """A cache key for the given inputs."""
    return sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def read(kind: str, name: str) -> bytes | None:
    """The payload stored under ``name``, or None when absent or damaged."""
    try:
        with open(os.path.join(cache_dir(kind), name), "rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    check, payload = blob[:4], blob[4:]
    return payload if len(check) == 4 and int.from_bytes(check, "big") == crc32(payload) else None


def write(kind: str, name: str, payload: bytes) -> None:
    """Store ``payload`` atomically and prune the oldest entries of ``kind``."""
    directory = cache_dir(kind)
    try:
        os.makedirs(directory, exist_ok=True)
        tmp = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            handle.write(crc32(payload).to_bytes(4, "big") + payload)
        os.replace(tmp, os.path.join(directory, name))
        with os.scandir(directory) as listing:
            entries = sorted((e for e in listing if not e.name.startswith(".")),
                             key=lambda e: e.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            try:
                os.unlink(old.path)
            except FileNotFoundError:
                pass
    except OSError as exc:
        log.debug("cannot write the cache entry %s/%s: %s", directory, name, exc)
