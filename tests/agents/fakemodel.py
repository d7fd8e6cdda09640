"""A scripted stand-in for a model vendor's API on 127.0.0.1, for the agent end-to-end tests.

The real agent CLIs are pointed at this server instead of their vendor. A vendor module
(``anthropic.py``, ``openai.py``, ``gemini.py``, ...) supplies the ``app``: a function from a
``Request`` to a ``Reply`` that speaks just enough of that vendor's API to make the agent call
one scripted tool and then end its turn. The server records every request, answers at most
``max_requests`` of them and stops by itself after ``lifetime`` seconds, so a confused agent
cannot loop forever.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple


class Request(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


class Reply(NamedTuple):
    status: int = 200
    headers: dict[str, str] = {}
    # bytes for a plain body; an iterable of chunks for a stream (SSE), flushed one by one.
    body: bytes | Iterable[bytes] = b""

    @classmethod
    def of_json(cls, value: Any, status: int = 200) -> Reply:
        return cls(status, {"content-type": "application/json"}, json.dumps(value).encode())


App = Callable[[Request], Reply]


class FakeModelServer:
    """A threaded HTTP server on 127.0.0.1 (an ephemeral port) that answers with ``app``."""

    def __init__(self, app: App, *, max_requests: int = 200, lifetime: float = 180.0) -> None:
        self.app = app
        self.requests: list[Request] = []
        self._max_requests = max_requests
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.2,), daemon=True)
        self._stopper = threading.Timer(lifetime, self._httpd.shutdown)
        self._stopper.daemon = True

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeModelServer:
        self._thread.start()
        self._stopper.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopper.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _admit(self, request: Request) -> bool:
        with self._lock:
            self.requests.append(request)
            return len(self.requests) <= self._max_requests


def _handler(server: FakeModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
            if not server._admit(request):
                reply = Reply.of_json({"error": "fake model: request budget used up"}, 429)
            else:
                reply = server.app(request)
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            if isinstance(reply.body, bytes):
                self.send_header("content-length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
                return
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for chunk in reply.body:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")

        do_GET = do_POST = do_PUT = do_DELETE = _answer
        do_CONNECT = _answer  # a proxy request (HTTPS_PROXY pointed here) is recorded too

    return Handler
