"""A raw JSON-RPC client over the real ``ringfence lsp --stdio`` process.

Unlike pytest-lsp it sends any bytes, valid or not, and it checks every byte the server
writes to stdout: each frame must be ``Content-Length`` framed JSON-RPC, else ``noise`` records it.
A reader thread collects notifications and replies; server requests get an empty result.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SERVER = [sys.executable, "-m", "ringfence", "lsp", "--stdio"]


def frame(message) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class RawServer:
    """The server process, its framed stdout, and what it published."""

    def __init__(self, root: Path) -> None:
        env = {**os.environ, "XDG_CONFIG_HOME": tempfile.mkdtemp(prefix="ringfence-xdg-")}
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            SERVER,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd=root,
            env=env,
        )
        self.root = root
        self.noise: list[bytes] = []
        self.replies: dict = {}
        self.published: queue.Queue = queue.Queue()
        self.latest: dict[str, tuple] = {}
        self._lock = threading.Lock()
        self._next_id = 0
        self._write_lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    # ----- wire ------------------------------------------------------------------------------

    def send_bytes(self, data: bytes) -> None:
        with self._write_lock:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def notify(self, method: str, params) -> None:
        self.send_bytes(frame({"jsonrpc": "2.0", "method": method, "params": params}))

    def request(self, method: str, params, timeout: float = 30.0):
        """Send a request and wait for its reply (the whole message: ``result`` or ``error``)."""
        with self._lock:
            self._next_id += 1
            rid = self._next_id
        self.send_bytes(frame({"jsonrpc": "2.0", "id": rid, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if rid in self.replies:
                    return self.replies.pop(rid)
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"the server exited ({self.proc.returncode}): {self.stderr_text()[-2000:]}"
                )
            time.sleep(0.002)
        raise AssertionError(
            f"no reply to {method} within {timeout}s: {self.stderr_text()[-1500:]}"
        )

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            header = out.readline()
            if not header:
                return
            if not header.startswith(b"Content-Length: "):
                self.noise.append(header)
                continue
            length = int(header.split(b":", 1)[1])
            while True:
                line = out.readline()
                if line in (b"\r\n", b""):
                    break
                if not line.startswith(b"Content-Type: "):
                    self.noise.append(line)
            try:
                message = json.loads(out.read(length))
            except ValueError as exc:
                self.noise.append(repr(exc).encode())
                continue
            self._dispatch(message)

    def _dispatch(self, message: dict) -> None:
        if message.get("jsonrpc") != "2.0":
            self.noise.append(json.dumps(message).encode())
        if "method" in message and "id" in message:  # a server request: decline it
            result = {"applied": False} if message["method"] == "workspace/applyEdit" else None
            answer = frame({"jsonrpc": "2.0", "id": message["id"], "result": result})
            # never write from the reader: a writer blocked on a full stdin pipe would deadlock us
            threading.Thread(target=self.send_bytes, args=(answer,), daemon=True).start()
        elif message.get("method") == "textDocument/publishDiagnostics":
            params = message["params"]
            stamp = (params.get("version"), params["diagnostics"], time.monotonic())
            self.latest[params["uri"]] = stamp
            self.published.put((params["uri"], *stamp))
        elif "id" in message:
            with self._lock:
                self.replies[message["id"]] = message

    # ----- session -----------------------------------------------------------------------------

    def initialize(self) -> None:
        caps = {
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}},
            "textDocument": {"publishDiagnostics": {"versionSupport": True}},
        }
        reply = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": self.root.as_uri(),
                "capabilities": caps,
                "workspaceFolders": [{"uri": self.root.as_uri(), "name": "repo"}],
            },
        )
        assert "result" in reply, reply
        self.notify("initialized", {})

    def wait_published(self, uri: str, version: int, timeout: float = 10.0) -> tuple:
        """Wait for diagnostics of ``uri`` at ``version`` or later: ``(version, items, time)``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = self.latest.get(uri)
            if seen and seen[0] is not None and seen[0] >= version:
                return seen
            if self.proc.poll() is not None:
                raise AssertionError(f"the server exited: {self.stderr_text()[-2000:]}")
            time.sleep(0.0005)
        raise AssertionError(f"no diagnostics for {uri} v{version} within {timeout}s")

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stderr_text(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def close(self) -> int:
        """shutdown + exit; the exit code."""
        if self.alive():
            try:
                self.request("shutdown", None, timeout=10)
                self.notify("exit", None)
                return self.proc.wait(timeout=10)
            except (AssertionError, BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
        return self.proc.wait()


def did_open(uri: str, text: str, version: int = 1, language_id: str = "python") -> dict:
    return {
        "textDocument": {"uri": uri, "languageId": language_id, "version": version, "text": text}
    }


def did_change(uri: str, version: int, line: int, text: str, end_line: int | None = None) -> dict:
    end = line if end_line is None else end_line
    return {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [
            {
                "range": {
                    "start": {"line": line, "character": 0},
                    "end": {"line": end, "character": 0},
                },
                "text": text,
            }
        ],
    }


def edit_origin(uri: str, version: int, first: int, last: int, tool: str = "copilot") -> dict:
    return {
        "textDocument": {"uri": uri, "version": version},
        "origin": "ai",
        "tool": tool,
        "kind": "inline-completion",
        "ranges": [
            {"start": {"line": first, "character": 0}, "end": {"line": last, "character": 0}}
        ],
    }
