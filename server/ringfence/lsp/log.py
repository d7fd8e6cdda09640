"""Logging for the language server: ringfence's own records go to stderr and ``window/logMessage``.

pygls' records stay on stderr only: pygls logs every message it sends, so forwarding them to
the client would recurse. stdout is the protocol stream and never sees a log line.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading

from lsprotocol import types

from ringfence.lsp import compat

_LEVELS = {
    logging.ERROR: types.MessageType.Error,
    logging.WARNING: types.MessageType.Warning,
    logging.INFO: types.MessageType.Info,
}


class ClientLogHandler(logging.Handler):
    """Forwards ringfence log records to the client as ``window/logMessage``."""

    def __init__(self, server) -> None:
        super().__init__(level=logging.INFO)
        self.server = server
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.get_ident()
        self._busy = False

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Remember the server's loop; records from other threads are handed to it."""
        self.loop = loop
        self._thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if self._busy or self.loop is None or not compat.has_transport(self.server.protocol):
            return
        kind = next((v for k, v in _LEVELS.items() if record.levelno >= k), types.MessageType.Log)
        params = types.LogMessageParams(type=kind, message=self.format(record))
        if threading.get_ident() == self._thread:
            self._send(params)
        else:
            self.loop.call_soon_threadsafe(self._send, params)

    def _send(self, params: types.LogMessageParams) -> None:
        self._busy = True
        try:
            self.server.window_log_message(params)
        except Exception:  # a broken pipe while logging must not raise into the caller
            pass
        finally:
            self._busy = False


def setup_logging(server, verbose: bool = False) -> ClientLogHandler:
    """stderr at WARNING (INFO with ``verbose``); ringfence's own records also to the client."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(logging.Formatter("ringfence-lsp %(levelname)s %(name)s: %(message)s"))
    stderr.setLevel(logging.INFO if verbose else logging.WARNING)
    root.addHandler(stderr)
    root.setLevel(logging.WARNING)
    logging.getLogger("pygls").setLevel(
        logging.WARNING
    )  # it formats every message it sends at INFO
    client = ClientLogHandler(server)
    client.setFormatter(logging.Formatter("%(message)s"))
    ours = logging.getLogger("ringfence")
    ours.setLevel(logging.INFO)
    ours.addHandler(client)
    return client
