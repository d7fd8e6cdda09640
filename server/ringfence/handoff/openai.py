"""``kind = "openai"``: one POST to an OpenAI-compatible ``/chat/completions`` endpoint.

vLLM, llama.cpp's server, Ollama and most self-hosted gateways speak this format. The request
goes to the configured endpoint only: no proxy from the environment, no redirects followed.
The blocking ``http.client`` call runs in a worker thread; a timeout or cancellation shuts its
socket down so the thread ends at once.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import ssl
import threading
from collections.abc import Mapping
from urllib.parse import urlsplit

from ringfence import __version__
from ringfence.handoff.errors import HandoffError
from ringfence.handoff.request import HandoffRequest
from ringfence.policy.model import AssistantConfig

MAX_ANSWER_BYTES = 8 * 1024 * 1024
_SYSTEM = (
    "You are {name}, the company's in-house coding assistant. You write the code that goes at "
    "one location of a file. Reply with only that code, in one fenced code block, without "
    "explanations. Keep the style and indentation of the surrounding code. Text shown as "
    "<redacted> is a secret that was removed; never invent a value for it."
)


def chat_messages(request: HandoffRequest) -> list[dict]:
    """The system and user messages for ``request``."""
    lang = request.language
    parts = [
        f"File: {request.path} ({lang}), line {request.line}; "
        f"zone {request.zone or '-'} ({request.level}).",
        f"Task: {request.instruction}",
        f"Code before the location:\n```{lang}\n{request.before}```",
        f"Code after the location:\n```{lang}\n{request.after}```",
    ]
    if request.original:
        parts.append(f"Your code replaces these lines:\n```{lang}\n{request.original}```")
    parts.append("Write the code that belongs at the location.")
    return [
        {"role": "system", "content": _SYSTEM.format(name=request.assistant)},
        {"role": "user", "content": "\n\n".join(parts)},
    ]


def completions_url(endpoint: str) -> str:
    """``{endpoint}/chat/completions`` (kept as is when the endpoint already names it)."""
    base = endpoint.rstrip("/")
    return base if base.endswith("/chat/completions") else base + "/chat/completions"


async def complete(
    assistant: AssistantConfig,
    request: HandoffRequest,
    *,
    timeout: float,
    environ: Mapping[str, str],
) -> str:
    """The assistant's answer text (fences not yet stripped)."""
    url = completions_url(assistant.endpoint or "")
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": f"ringfence/{__version__}",
    }
    if assistant.api_key_env:
        key = environ.get(assistant.api_key_env, "")
        if not key.strip():
            raise HandoffError(
                f"the API key variable {assistant.api_key_env} is not set "
                f"(assistant {assistant.name!r}); nothing was sent"
            )
        headers["Authorization"] = f"Bearer {key.strip()}"
    body = {"messages": chat_messages(request), "temperature": 0.2, "stream": False}
    if assistant.model:
        body["model"] = assistant.model
    call = _Post(url, json.dumps(body).encode("utf-8"), headers, timeout)
    worker = asyncio.get_running_loop().run_in_executor(None, call.run)
    try:
        status, reason, location, raw = await asyncio.wait_for(worker, timeout)
    except asyncio.TimeoutError:
        call.abort()
        raise HandoffError(
            f"{assistant.name} did not answer within {timeout:g} s ({url})"
        ) from None
    except BaseException:
        call.abort()
        raise
    return _content(assistant.name, url, status, reason, location, raw)


class _Post:
    """One blocking HTTP POST that another thread can abort."""

    def __init__(self, url: str, body: bytes, headers: dict, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise HandoffError(f"the assistant endpoint must be an http(s) URL, not {url!r}")
        self.url, self.body, self.headers = url, body, headers
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        # The socket timeout only backs up the caller's overall deadline, which ends the call.
        self.connection: http.client.HTTPConnection
        if parts.scheme == "https":
            self.connection = http.client.HTTPSConnection(
                parts.hostname,
                parts.port,
                timeout=timeout + 5,
                context=ssl.create_default_context(),
            )
        else:
            self.connection = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=timeout + 5
            )
        self._lock = threading.Lock()
        self._aborted = False

    def run(self) -> tuple[int, str, str | None, bytes]:
        try:
            self.connection.connect()
            with self._lock:
                if self._aborted:
                    raise HandoffError("the handoff was cancelled")
            self.connection.request("POST", self.path, self.body, self.headers)
            response = self.connection.getresponse()
            raw = response.read(MAX_ANSWER_BYTES + 1)
            return response.status, response.reason, response.getheader("Location"), raw
        except HandoffError:
            raise
        except TimeoutError:
            raise HandoffError(f"no answer from {self.url} in time") from None
        except ConnectionRefusedError:
            raise HandoffError(
                f"cannot reach {self.url}: connection refused (is the assistant running?)"
            ) from None
        except ssl.SSLError as exc:
            raise HandoffError(f"TLS error talking to {self.url}: {exc.reason or exc}") from None
        except (http.client.HTTPException, OSError) as exc:
            raise HandoffError(
                f"cannot talk to {self.url}: {_one_line(str(exc) or type(exc).__name__)}"
            ) from None
        finally:
            self.connection.close()

    def abort(self) -> None:
        with self._lock:
            self._aborted = True
            sock = self.connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _content(
    name: str, url: str, status: int, reason: str, location: str | None, raw: bytes
) -> str:
    if len(raw) > MAX_ANSWER_BYTES:
        raise HandoffError(
            f"{name} answered more than {MAX_ANSWER_BYTES // (1024 * 1024)} MiB; "
            "nothing was changed"
        )
    if 300 <= status < 400:
        raise HandoffError(
            f"{url} redirected to {location or '?'} (HTTP {status}); redirects are not followed"
        )
    if status >= 400:
        raise HandoffError(
            f"{name} answered HTTP {status} {reason}: {_error_text(raw)}".rstrip(": ")
        )
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        start = _one_line(raw[:120].decode("utf-8", "replace"))
        raise HandoffError(f"{name} did not answer JSON (HTTP {status}): {start}") from None
    choices = data.get("choices") if isinstance(data, dict) else None
    choice = choices[0] if isinstance(choices, list) and choices else None
    message = choice.get("message") if isinstance(choice, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, list):  # content parts: [{"type": "text", "text": "…"}]
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not isinstance(content, str):
        raise HandoffError(
            f"{name} answered JSON without choices[0].message.content; nothing was changed"
        )
    if isinstance(choice, dict) and choice.get("finish_reason") == "length":
        raise HandoffError(f"{name}'s answer was cut off at its length limit; nothing was changed")
    return content


def _error_text(raw: bytes) -> str:
    text = raw[:2000].decode("utf-8", "replace")
    try:
        error = json.loads(text).get("error")
        text = error.get("message", "") if isinstance(error, dict) else str(error or "")
    except (ValueError, AttributeError):
        pass
    return _one_line(text)[:200]


def _one_line(text: str) -> str:
    return " ".join(text.split())
