"""The Anthropic Messages API, just enough of it for Claude Code to call scripted tools.

``ToolScript`` is the fake model: ``POST /v1/messages`` answers the main agent's turn with the
next scripted ``tool_use`` (streamed as Server-Sent Events the way the real API streams it:
``message_start``, ``content_block_start``, ``input_json_delta`` chunks, ``message_delta`` with
``stop_reason: tool_use``, ``message_stop``); once every scripted call has its ``tool_result``
it ends the turn with a short text (``stop_reason: end_turn``). Which step comes next is read
from the conversation the agent sends back, so the script needs no state of its own.

Side requests Claude Code makes besides the agent's turn (a request without the scripted
tool: titles, summaries, quota probes) get a plain one-word text; ``count_tokens`` and the model
listing get harmless answers; anything else is a JSON 404 the client can live with.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from .fakemodel import Reply, Request

MODEL = "claude-sonnet-4-5"
DONE_TEXT = "Done."


class ToolCall(NamedTuple):
    """One step of the script: the model calls ``tool`` with ``input``."""

    tool: str
    input: dict[str, Any]


class ToolScript:
    """The app for :class:`tests.agents.fakemodel.FakeModelServer`: call each tool, then end."""

    def __init__(self, calls: Sequence[ToolCall]) -> None:
        self.calls = list(calls)
        self.results: list[dict[str, Any]] = []  # the tool_result blocks the agent sent back
        self.tool_names: list[str] = []  # the tools the agent offered in its main turn
        self.missing: list[str] = []  # scripted tools the agent did not offer

    def __call__(self, request: Request) -> Reply:
        path = request.path.split("?", 1)[0]
        if request.method == "POST" and path.endswith("/v1/messages/count_tokens"):
            return Reply.of_json({"input_tokens": 12})
        if request.method == "POST" and path.endswith("/v1/messages"):
            return self._messages(request.json() or {})
        if request.method == "GET" and path.endswith("/v1/models"):
            return Reply.of_json(
                {
                    "data": [{"type": "model", "id": MODEL, "display_name": "Fake"}],
                    "has_more": False,
                    "first_id": MODEL,
                    "last_id": MODEL,
                }
            )
        return Reply.of_json({"type": "error", "error": {"type": "not_found_error"}}, 404)

    def _messages(self, body: dict[str, Any]) -> Reply:
        offered = [t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)]
        stream = body.get("stream") is True
        if not offered:
            return _text_reply("ok", stream)  # a side request: title, summary, quota probe
        self.tool_names = [str(name) for name in offered]
        self.results = _tool_results(body.get("messages") or [])
        step = len(self.results)
        if step >= len(self.calls):
            return _text_reply(DONE_TEXT, stream)
        call = self.calls[step]
        if call.tool not in offered:
            self.missing.append(call.tool)
            return _text_reply(f"(the agent offers no {call.tool} tool)", stream)
        return _tool_reply(call, f"toolu_fake{step:04d}", stream)


def _tool_results(messages: list[Any]) -> list[dict[str, Any]]:
    found = []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if message.get("role") == "user" and isinstance(content, list):
            found.extend(
                b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"
            )
    return found


def result_text(result: dict[str, Any]) -> str:
    """The text of a ``tool_result`` block (its content is a string or a list of text blocks)."""
    content = result.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b.get("text", "") for b in content if isinstance(b, dict))
    return ""


def _message(content: list[dict[str, Any]], stop_reason: str | None) -> dict[str, Any]:
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 0 if stop_reason is None else 8},
    }


def _tool_reply(call: ToolCall, tool_id: str, stream: bool) -> Reply:
    if not stream:
        block = {"type": "tool_use", "id": tool_id, "name": call.tool, "input": call.input}
        return Reply.of_json(_message([block], "tool_use"))
    arguments = json.dumps(call.input)
    pieces = [arguments[i : i + 40] for i in range(0, len(arguments), 40)] or ["{}"]
    events = [
        ("message_start", {"type": "message_start", "message": _message([], None)}),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {
                    "type": "tool_use",
                    "id": tool_id,
                    "name": call.tool,
                    "input": {},
                },
            },
        ),
        *(
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "input_json_delta", "partial_json": piece},
                },
            )
            for piece in pieces
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        _message_delta("tool_use"),
        ("message_stop", {"type": "message_stop"}),
    ]
    return _sse(events)


def _text_reply(text: str, stream: bool) -> Reply:
    if not stream:
        return Reply.of_json(_message([{"type": "text", "text": text}], "end_turn"))
    return _sse(
        [
            ("message_start", {"type": "message_start", "message": _message([], None)}),
            (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "text", "text": ""},
                },
            ),
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": text},
                },
            ),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            _message_delta("end_turn"),
            ("message_stop", {"type": "message_stop"}),
        ]
    )


def _message_delta(stop_reason: str) -> tuple[str, dict[str, Any]]:
    return (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": 8},
        },
    )


def _sse(events: list[tuple[str, dict[str, Any]]]) -> Reply:
    def chunks() -> Iterator[bytes]:
        for name, data in events:
            yield f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()

    return Reply(200, {"content-type": "text/event-stream", "cache-control": "no-cache"}, chunks())
