"""Bounded, non-blocking file reads for the hook path: never open a FIFO, a device or a socket.

A hook that opens ``/dev/tty``, ``/dev/stderr`` or a FIFO an agent made (``mkfifo x.py``) blocks
until the agent's timeout, and then the agent goes on as if the hook had allowed. Every file the
hook path reads (policy files, marker heads, git's ``.git`` files and config) goes through
:func:`read_regular`: it stats the path first and refuses anything that is not a regular file,
opens with ``O_NONBLOCK`` (so a file swapped for a FIFO between the two calls still cannot
block) and reads at most ``limit`` bytes.
"""

from __future__ import annotations

import errno
import os
import stat

_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


class NotRegularFile(OSError):
    """The path names a FIFO, a device or a socket: ringfence does not open those."""


def read_regular(path: str, limit: int) -> bytes:
    """At most ``limit`` bytes of the regular file ``path``.

    Raises FileNotFoundError, IsADirectoryError, NotRegularFile or another OSError.
    """
    _require_regular(os.stat(path).st_mode, path)
    fd = os.open(path, _FLAGS)
    try:
        _require_regular(os.fstat(fd).st_mode, path)
        chunks, left = [], limit
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def is_regular(path: str) -> bool:
    """Whether ``path`` (symlinks followed) is a regular file; False when it cannot be stat'ed."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _require_regular(mode: int, path: str) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", path)
    if not stat.S_ISREG(mode):
        raise NotRegularFile(errno.EINVAL, "not a regular file (FIFO, device or socket)", path)
