"""The OpenAI Responses API as Codex CLI 0.169 uses it, scripted for the agent end-to-end tests.

Codex posts every turn to ``POST {base_url}/responses`` with ``"stream": true`` and reads
server-sent events: ``response.created``, one ``response.output_item.added`` / ``.done`` pair
per output item, ``response.completed``. The app here answers a conversation that has sent back
fewer tool results than the script holds with the next scripted tool call, and any other with a
short final message, so each ``codex exec`` run makes the scripted calls in order and then ends
its turn. The conversation is read from the request itself (Codex resends the whole input each
turn), so one server serves any number of runs.

Codex 0.169's tools (read from its request's ``tools``): ``apply_patch`` is a *custom* (freeform)
tool whose call carries the patch text as ``input``; ``exec_command`` is a function tool with
JSON arguments ``{"cmd": "...", "workdir"?: "...", ...}``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from tests.agents.fakemodel import Reply, Request

FINAL_TEXT = "Done."
_ids = itertools.count(1)


class ToolCall(NamedTuple):
    """A scripted call: a function tool with JSON ``arguments``, or a custom tool with ``input``."""

    name: str
    arguments: dict[str, Any] | None = None
    input: str | None = None

    def item(self, call_id: str) -> dict[str, Any]:
        if self.input is not None:
            return {
                "type": "custom_tool_call",
                "id": f"ctc_{call_id}",
                "status": "completed",
                "call_id": call_id,
                "name": self.name,
                "input": self.input,
            }
        return {
            "type": "function_call",
            "id": f"fc_{call_id}",
            "status": "completed",
            "call_id": call_id,
            "name": self.name,
            "arguments": json.dumps(self.arguments or {}),
        }


def apply_patch(patch: str) -> ToolCall:
    return ToolCall("apply_patch", input=patch)


def exec_command(cmd: str) -> ToolCall:
    return ToolCall("exec_command", arguments={"cmd": cmd})


def tool_results(body: Any) -> list[dict[str, Any]]:
    """The tool outputs the agent has sent back in this request's ``input``."""
    items = body.get("input") if isinstance(body, dict) else None
    return [
        item
        for item in items or []
        if isinstance(item, dict)
        and item.get("type") in ("function_call_output", "custom_tool_call_output")
    ]


def prompt_text(body: Any) -> str:
    """All user text in the request (the test picks its script by a word in the prompt)."""
    parts = []
    for item in (body.get("input") if isinstance(body, dict) else None) or []:
        if isinstance(item, dict) and item.get("role") == "user":
            for content in item.get("content") or []:
                if isinstance(content, dict) and isinstance(content.get("text"), str):
                    parts.append(content["text"])
    return "\n".join(parts)


class Script:
    """The app: ``scripts`` maps a keyword of the prompt to the tool calls to make, in order."""

    def __init__(self, scripts: dict[str, Sequence[ToolCall]]) -> None:
        self.scripts = scripts

    def __call__(self, request: Request) -> Reply:
        if request.method != "POST" or not request.path.rstrip("/").endswith("/responses"):
            return Reply.of_json({"error": {"message": f"fake openai: no {request.path}"}}, 404)
        body = request.json()
        calls = self.calls_for(prompt_text(body))
        done = len(tool_results(body))
        items = [calls[done].item(f"call_{next(_ids)}")] if done < len(calls) else [_message()]
        return Reply(200, {"content-type": "text/event-stream"}, _events(items))

    def calls_for(self, prompt: str) -> Sequence[ToolCall]:
        for keyword, calls in self.scripts.items():
            if keyword in prompt:
                return calls
        return ()


def _message() -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"msg_{next(_ids)}",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": FINAL_TEXT, "annotations": []}],
    }


def _events(items: list[dict[str, Any]]) -> Iterator[bytes]:
    response_id = f"resp_{next(_ids)}"
    yield _sse("response.created", {"response": {"id": response_id, "status": "in_progress"}})
    for index, item in enumerate(items):
        yield _sse("response.output_item.added", {"output_index": index, "item": item})
        yield _sse("response.output_item.done", {"output_index": index, "item": item})
    usage = {
        "input_tokens": 10,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 5,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 15,
    }
    yield _sse(
        "response.completed",
        {"response": {"id": response_id, "status": "completed", "output": items, "usage": usage}},
    )


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps({'type': event, **data})}\n\n".encode()
