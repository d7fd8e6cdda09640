"""The protocol's stdout: each frame is written whole, from one thread at a time.

pygls writes frames through ``sys.stdout.buffer`` (its ``StdoutWriter``: one ``write`` per frame,
see ``ringfence.lsp.compat``). A blocking write that a signal interrupts
(a ``git`` child of a worker thread exiting, say) can return short; a buffered writer then loses
the rest of the frame and the client's stream is corrupt from there on. Writing with ``os.write``
in a loop until every byte is out (and waiting when the pipe is full) keeps frames whole.
"""

from __future__ import annotations

import os
import select
import threading


class FrameWriter:
    """A file-like stdout for pygls' ``StdoutWriter``: ``write`` returns once all is out."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._lock = threading.Lock()

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        with self._lock:
            while view:
                try:
                    written = os.write(self.fd, view)
                except BlockingIOError:
                    select.select([], [self.fd], [])
                    continue
                except InterruptedError:
                    continue
                view = view[written:]  # no logging here: a log record is itself a frame
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered."""

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass
