"""Real stand-ins for in-house assistants, shared by the handoff tests (this module has no tests).

``ChatServer``: an OpenAI-compatible ``/v1/chat/completions`` HTTP server on 127.0.0.1 that
records every request it receives and answers as told (``mode``). ``write_command``: a small
Python script that acts as a ``kind = "command"`` assistant.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MODES = ("ok", "slow", "error", "nonjson", "empty", "nochoices", "redirect", "length")


class ChatServer:
    """A real HTTP server speaking the chat completions format; ``received`` holds each request."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.answer = "```python\nreturn 42\n```"
        self.received: list[dict] = []
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                outer.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": json.loads(raw)}
                )
                outer.respond(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.endpoint = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> ChatServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        mode = self.mode
        if mode == "slow":
            self.release.wait(30)
            return self._send(handler, 200, self._completion(self.answer))
        if mode == "error":
            return self._send(handler, 500, json.dumps({"error": {"message": "model overloaded"}}))
        if mode == "nonjson":
            return self._send(handler, 200, "<html>gateway</html>", "text/html")
        if mode == "empty":
            return self._send(handler, 200, self._completion("   \n"))
        if mode == "nochoices":
            return self._send(handler, 200, json.dumps({"choices": []}))
        if mode == "length":
            return self._send(handler, 200, self._completion(self.answer, "length"))
        if mode == "redirect":
            handler.send_response(307)
            handler.send_header("Location", "http://example.com/v1/chat/completions")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return None
        return self._send(handler, 200, self._completion(self.answer))

    @staticmethod
    def _completion(content: str, finish: str = "stop") -> str:
        return json.dumps(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": "m",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": finish,
                    }
                ],
            }
        )

    @staticmethod
    def _send(handler, status: int, body: str, content_type: str = "application/json") -> None:
        data = body.encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        try:
            handler.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeout or cancel): that is the point of the test


COMMAND_SCRIPT = r"""
import json, os, sys, time
request = json.load(sys.stdin)
with open(os.environ["FAKE_RECORD"], "a", encoding="utf-8") as handle:
    handle.write(json.dumps({"request": request, "cwd": os.getcwd(), "pid": os.getpid()}) + "\n")
mode = os.environ.get("FAKE_MODE", "ok")
if os.environ.get("FAKE_MODE_FILE") and os.path.exists(os.environ["FAKE_MODE_FILE"]):
    mode = open(os.environ["FAKE_MODE_FILE"], encoding="utf-8").read().strip()
if mode == "fail":
    print("metacode: model unavailable", file=sys.stderr)
    sys.exit(3)
if mode == "hang":
    time.sleep(60)
if mode == "empty":
    sys.exit(0)
if mode == "binary":
    sys.stdout.buffer.write(b"\xff\xfe\x00bad")
    sys.exit(0)
sys.stdout.write(os.environ.get("FAKE_ANSWER", "return 42\n"))
"""


def write_command(directory: Path) -> list[str]:
    """Write the command assistant script; returns its argv. It is told what to do by FAKE_RECORD
    (where it appends what it received), FAKE_MODE or the file FAKE_MODE_FILE (ok, fail, hang,
    empty, binary) and FAKE_ANSWER."""
    script = directory / "fake_assistant.py"
    script.write_text(COMMAND_SCRIPT, encoding="utf-8")
    return [sys.executable, str(script)]


def read_records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
