"""The other names of a hard-linked file: writing one name writes them all.

A file with several hard links is judged by every name it has in its repository (the strictest
level wins), by the agent hooks and by the language server alike. Finding the other names means
walking the repository, so only files whose link count is above one pay for it (git never makes
hard links in a checkout), and the walk stops after LINK_SCAN_LIMIT files (docs/security.md
states the limit).
"""

from __future__ import annotations

import os
import posixpath
import stat

LINK_SCAN_LIMIT = 50_000  # files examined for the other names of a hard-linked file


def link_key(absolute: str) -> tuple[int, int, int] | None:
    """``(st_ino, st_dev, st_nlink)`` of a regular file with several links; None otherwise.

    Callers that cache :func:`hard_links` key the cache on it: a new or removed link changes it.
    """
    try:
        info = os.stat(absolute)
    except (OSError, ValueError):
        return None
    if info.st_nlink < 2 or not stat.S_ISREG(info.st_mode):
        return None
    return info.st_ino, info.st_dev, info.st_nlink


def hard_links(absolute: str, root: str) -> list[str]:
    """The other names, inside ``root`` (``.git`` skipped), of the file at ``absolute``."""
    key = link_key(absolute)
    if key is None:
        return []
    inode, device, count = key
    names, seen = [], 0
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d != ".git"]
        for name in files:
            path = posixpath.join(directory, name)
            try:
                other = os.lstat(path)
            except (OSError, ValueError):
                continue
            if (other.st_ino, other.st_dev) == (inode, device) and path != absolute:
                names.append(path)
        seen += len(files)
        if seen >= LINK_SCAN_LIMIT or len(names) >= count - 1:
            break
    return names
