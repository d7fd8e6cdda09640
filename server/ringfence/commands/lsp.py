"""`ringfence lsp`: run the language server over stdio (the default) or TCP."""

from __future__ import annotations

import os
import sys

from ringfence.errors import UsageError


def configure(parser) -> None:
    transport = parser.add_mutually_exclusive_group()
    transport.add_argument(
        "--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)"
    )
    transport.add_argument("--tcp", metavar="HOST:PORT", help="listen for one client on HOST:PORT")
    parser.add_argument(
        "--verbose", action="store_true", help="log informational messages to stderr too"
    )


def run(args) -> int:
    from ringfence.lsp.log import setup_logging
    from ringfence.lsp.server import create_server

    address = _address(args.tcp) if args.tcp else None
    server = create_server()
    server.log_handler = setup_logging(server, verbose=args.verbose)
    if address is not None:
        server.start_tcp(*address)
        return 0
    from ringfence.lsp.transport import FrameWriter

    sys.stdout.flush()
    stdout = FrameWriter(os.dup(sys.stdout.fileno()))
    os.dup2(
        sys.stderr.fileno(), sys.stdout.fileno()
    )  # a stray print, even a child's, goes to stderr
    sys.stdout = sys.stderr
    server.start_io(sys.stdin.buffer, stdout)
    return 0


def _address(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--tcp wants HOST:PORT, not {value!r}")
    return host, int(port)
