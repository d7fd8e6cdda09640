"""Compile a glob database in a background process, for later batches.

``python -m ringfence.policy.warm JOB``: started by :func:`ringfence.policy.globs.compile_later`
when a large batch of paths found no compiled Hyperscan database in the on-disk cache. The
batch itself was answered by the pure-Python index; this process compiles the database at a low
priority and caches it, so the next batch scans with Hyperscan.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: python -m ringfence.policy.warm JOB\n")
        return 2
    if hasattr(os, "nice"):
        try:
            os.nice(10)
        except OSError:
            pass
    from ringfence.policy.globs import compile_job

    return 0 if compile_job(argv[1]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
