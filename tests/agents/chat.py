"""OpenAI Chat Completions with streamed tool calls, as the Cline CLI 3.0's ``openai-compatible``
provider uses it, scripted for the agent end-to-end tests.

Cline posts every turn to ``POST {base_url}/chat/completions`` with ``"stream": true`` and reads
``data:`` chunks: a ``delta`` with ``tool_calls`` (function name and JSON ``arguments``), then a
``finish_reason``, then ``data: [DONE]``. The app answers a conversation that has sent back fewer
tool results (``role: "tool"`` messages) than the script holds with the next scripted call, and
any other with a short final message, so one run makes the scripted calls in order and ends.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from tests.agents.fakemodel import Reply, Request

FINAL_TEXT = "Done."
MODEL = "fake-model"
_ids = itertools.count(1)


class ToolCall(NamedTuple):
    name: str
    arguments: dict[str, Any]


def tools_offered(request: Request) -> list[str]:
    body = request.json()
    return [t.get("function", {}).get("name", "") for t in body.get("tools") or []]


def chat_app(script: Sequence[ToolCall]):
    def app(request: Request) -> Reply:
        if request.method != "POST" or not request.path.rstrip("/").endswith("/chat/completions"):
            return Reply.of_json({"object": "list", "data": [{"id": MODEL, "object": "model"}]})
        messages = request.json().get("messages") or []
        done = sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "tool")
        call = script[done] if done < len(script) else None
        return Reply(200, {"content-type": "text/event-stream"}, _chunks(call))

    return app


def _chunks(call: ToolCall | None) -> Iterator[bytes]:
    ident = f"chatcmpl-{next(_ids)}"
    if call is None:
        delta: dict[str, Any] = {"role": "assistant", "content": FINAL_TEXT}
        finish = "stop"
    else:
        delta = {
            "role": "assistant",
            "tool_calls": [
                {
                    "index": 0,
                    "id": f"call_{next(_ids)}",
                    "type": "function",
                    "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
                }
            ],
        }
        finish = "tool_calls"
    yield _data(ident, {"index": 0, "delta": delta, "finish_reason": None})
    usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    yield _data(ident, {"index": 0, "delta": {}, "finish_reason": finish}, usage)
    yield b"data: [DONE]\n\n"


def _data(ident: str, choice: dict[str, Any], usage: dict[str, int] | None = None) -> bytes:
    chunk: dict[str, Any] = {
        "id": ident,
        "object": "chat.completion.chunk",
        "model": MODEL,
        "choices": [choice],
    }
    if usage:
        chunk["usage"] = usage
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"
