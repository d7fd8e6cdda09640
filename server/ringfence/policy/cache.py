"""A small on-disk cache of derived data (compiled glob databases, validated policy files).

Entries live in ``$XDG_CACHE_HOME/ringfence/<kind>/`` (default ``~/.cache``), named by a hash
of everything they are derived from, so a stale entry is never found: it is simply not asked
for again, and the oldest entries are pruned. Each entry carries a SHA-256 of its payload; a
damaged entry reads as missing. Nothing here is needed for correctness: every failure to read
or write an entry only means doing the work again.
"""

from __future__ import annotations

import os
from pathlib import Path

try:  # the built-in module: importing hashlib would load OpenSSL, which costs milliseconds
    from _sha256 import sha256
except ImportError:  # pragma: no cover - other Python builds
    from hashlib import sha256
from ringfence.lazylog import LazyLogger

log = LazyLogger(__name__)

KEEP = 128  # entries kept per kind (small policies and ignore files are cached too)


def cache_dir(kind: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ringfence" / kind


def key(*parts: str) -> str:
    """A cache key for the given inputs."""
    return sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def read(kind: str, name: str) -> bytes | None:
    """The payload stored under ``name``, or None when absent or damaged."""
    try:
        blob = (cache_dir(kind) / name).read_bytes()
    except OSError:
        return None
    digest, payload = blob[:32], blob[32:]
    return payload if sha256(payload).digest() == digest else None


def write(kind: str, name: str, payload: bytes) -> None:
    """Store ``payload`` atomically and prune the oldest entries of ``kind``."""
    directory = cache_dir(kind)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{name}.{os.getpid()}.tmp"
        tmp.write_bytes(sha256(payload).digest() + payload)
        os.replace(tmp, directory / name)
        entries = sorted((p for p in directory.iterdir() if not p.name.startswith(".")),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("cannot write the cache entry %s/%s: %s", directory, name, exc)
