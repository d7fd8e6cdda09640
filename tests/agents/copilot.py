"""GitHub Copilot CLI against the fake model server: its BYOK set-up and the wire API it speaks.

Copilot CLI 1.0.102 runs with no GitHub sign-in when a custom provider is configured
(``copilot help environment``): ``COPILOT_OFFLINE=true`` turns off authentication, telemetry,
web tools and auto-update, and ``COPILOT_PROVIDER_BASE_URL`` points it at an
OpenAI-compatible endpoint. It then POSTs ``{base}/chat/completions`` with ``stream: true``
(the OpenAI JS client) and expects chat-completion chunks as server-sent events, tool calls in
``delta.tool_calls``. :func:`chat_app` answers with one scripted tool call per turn, then ends
the turn with a short text.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from tests.agents.conftest import TOOLS, agent_binary, isolated_env
from tests.agents.fakemodel import Reply, Request

MODEL = "gpt-4.1"
DONE_TEXT = "Done."


class ToolCall(NamedTuple):
    """One tool call the fake model asks Copilot to make: a Copilot tool name and its arguments."""

    name: str
    arguments: dict


def chat_app(calls: Sequence[ToolCall]):
    """An app for :class:`FakeModelServer`: turn *n* of the conversation makes ``calls[n]``.

    The turn is counted from the tool results already in the request, so a retry or a side
    request (a session title) gets the same answer instead of advancing the script.
    """

    def app(request: Request) -> Reply:
        body = request.json()
        if request.method != "POST" or not request.path.endswith("/chat/completions"):
            return Reply.of_json({"error": {"message": f"fake model: no {request.path}"}}, 404)
        if not isinstance(body, dict):
            return Reply.of_json({"error": {"message": "fake model: body is not JSON"}}, 400)
        done = sum(1 for m in body.get("messages") or [] if m.get("role") == "tool")
        chunks = _tool_call(done, calls[done]) if done < len(calls) else _text(DONE_TEXT)
        if not body.get("stream"):
            return Reply.of_json(_collapse(list(chunks)))
        return Reply(200, {"content-type": "text/event-stream"}, _sse(chunks))

    return app


def _chunk(delta: dict, finish: str | None = None) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _tool_call(turn: int, call: ToolCall) -> Iterator[dict]:
    yield _chunk(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "index": 0,
                    "id": f"call_{turn}",
                    "type": "function",
                    "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
                }
            ],
        }
    )
    yield _chunk({}, "tool_calls")


def _text(text: str) -> Iterator[dict]:
    yield _chunk({"role": "assistant", "content": text})
    yield _chunk({}, "stop")


def _sse(chunks: Iterator[dict]) -> Iterator[bytes]:
    for chunk in chunks:
        yield b"data: " + json.dumps(chunk).encode() + b"\n\n"
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    yield b"data: " + json.dumps({**_chunk({}), "choices": [], "usage": usage}).encode() + b"\n\n"
    yield b"data: [DONE]\n\n"


def _collapse(chunks: list[dict]) -> dict:
    """A non-streamed completion with the same message as ``chunks``."""
    message: dict = {"role": "assistant", "content": None}
    finish = "stop"
    for chunk in chunks:
        choice = chunk["choices"][0]
        delta = choice["delta"]
        if delta.get("content"):
            message["content"] = delta["content"]
        if delta.get("tool_calls"):
            message["tool_calls"] = [
                {k: v for k, v in c.items() if k != "index"} for c in delta["tool_calls"]
            ]
        finish = choice["finish_reason"] or finish
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


# ----- running the real binary ------------------------------------------------------------------


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def copilot_env(base: Path, server_url: str, **extra: str) -> dict[str, str]:
    """An isolated environment that sends Copilot to ``server_url`` and nowhere else.

    ``COPILOT_CACHE_HOME`` reuses the package the installed binary already unpacked (about
    230 MB), so a fresh HOME does not unpack it again.
    """
    env = isolated_env(
        base,
        COPILOT_OFFLINE="true",
        COPILOT_PROVIDER_BASE_URL=f"{server_url}/v1",
        COPILOT_PROVIDER_TYPE="openai",
        COPILOT_PROVIDER_API_KEY="fake-key",
        COPILOT_MODEL=MODEL,
        COPILOT_AUTO_UPDATE="false",
        NO_COLOR="1",
    )
    cache = _package_cache()
    if cache is not None:
        env["COPILOT_CACHE_HOME"] = str(cache)
    env.update(extra)
    return env


def _package_cache() -> Path | None:
    for candidate in (TOOLS / "copilot-cache", Path.home() / ".cache" / "copilot"):
        if (candidate / "pkg").is_dir():
            return candidate
    return None


def run_copilot(
    cwd: Path, env: dict[str, str], *args: str, prompt: str = "Do the task.", timeout: float = 150
) -> Run:
    """One non-interactive Copilot CLI session (``-p``), every tool allowed, bounded in time."""
    command = [agent_binary("copilot"), "-p", prompt, "--allow-all-tools", "--no-color", *args]
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        return Run(-1, out, f"copilot timed out after {timeout}s")
    return Run(done.returncode, done.stdout, done.stderr)


# ----- the payloads it sent ---------------------------------------------------------------------


class Payload(NamedTuple):
    """One payload the real binary piped into a ringfence hook, and which hook file ran it."""

    protocol: str  # "copilot": .github/hooks/ringfence.json; "claude-code": .claude/settings.json
    data: dict

    @property
    def name(self) -> str:
        """The fixture name: ``real-<tool>-<pre|post>`` (Copilot's format) or
        ``real-claude-<Tool>-<pre|post>`` (its Claude Code-format run)."""
        if self.protocol == "copilot":
            post = "toolResult" in self.data
            return f"real-{self.data['toolName']}-{'post' if post else 'pre'}"
        post = self.data.get("hook_event_name") == "PostToolUse"
        return f"real-claude-{self.data['tool_name']}-{'post' if post else 'pre'}"


def recorded(records: Path) -> list[Payload]:
    """The payloads ``recording_python`` saved, oldest first."""
    found = []
    for args in sorted(records.glob("payload-*.args"), key=lambda p: p.stat().st_mtime_ns):
        words = args.read_text().split()
        protocol = words[words.index("hook") + 1] if "hook" in words else "?"
        data = json.loads(args.with_suffix("").read_text())
        found.append(Payload(protocol, data))
    return found


def as_fixture(payload: Payload, root: Path) -> str:
    """The payload as a fixture file: the repository path written ``{{ROOT}}``."""
    text = json.dumps(payload.data, ensure_ascii=False)
    return text.replace(json.dumps(str(root))[1:-1], "{{ROOT}}") + "\n"
