"""The Gemini API, as Gemini CLI 0.61 uses it, for the fake model server (tests only).

Gemini CLI with ``GOOGLE_GEMINI_BASE_URL`` set picks its "gateway" auth mode (an API key,
no Google sign-in) and talks to ``POST {base}/v1beta/models/MODEL:streamGenerateContent?alt=sse``
for each agent turn; side requests (``:generateContent`` for its routing, loop and summary
helpers, ``:countTokens``) get a plain answer. The script is stateless: the number of
``functionResponse`` parts already in the request's history says which scripted tool call comes
next, so retries and helper calls cannot shift it. After the last call the model says "done".
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from .fakemodel import App, Reply, Request

MODEL = "gemini-2.5-flash"
DONE = "done"


class ToolCall(NamedTuple):
    """One scripted ``functionCall``: a Gemini CLI tool name and its arguments."""

    name: str
    args: dict[str, Any]


def script(*calls: ToolCall) -> App:
    """An app that makes the agent call ``calls`` in order, one per turn, then end its turn."""

    def app(request: Request) -> Reply:
        path = request.path.split("?", 1)[0]
        if path.endswith(":countTokens"):
            return Reply.of_json({"totalTokens": 12})
        if path.endswith(":streamGenerateContent"):
            return _stream(_next_part(request, calls))
        if path.endswith(":generateContent"):
            return Reply.of_json(_response({"text": _helper_text(request)}))
        return Reply.of_json({"error": {"code": 404, "message": f"fake gemini: {path}"}}, 404)

    return app


def tool_results(request: Request) -> list[dict]:
    """The ``functionResponse`` parts the agent sent back (the tools' results), in order."""
    body = request.json() or {}
    return [
        part["functionResponse"]
        for content in body.get("contents") or []
        for part in content.get("parts") or []
        if isinstance(part, dict) and "functionResponse" in part
    ]


def turn_requests(requests: list[Request]) -> list[Request]:
    return [r for r in requests if ":streamGenerateContent" in r.path]


def _next_part(request: Request, calls: tuple[ToolCall, ...]) -> dict:
    done = len(tool_results(request))
    if done < len(calls):
        call = calls[done]
        return {"functionCall": {"name": call.name, "args": call.args}}
    return {"text": DONE}


def _helper_text(request: Request) -> str:
    # Helpers that want JSON (the model router, the next-speaker check) get a JSON answer.
    body = request.json() or {}
    config = body.get("generationConfig") or body.get("config") or {}
    if config.get("responseMimeType") == "application/json" or config.get("responseSchema"):
        return json.dumps(
            {"reasoning": "scripted", "model_choice": "flash", "next_speaker": "user"}
        )
    return DONE


def _response(part: dict) -> dict:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}
        ],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 2, "totalTokenCount": 12},
        "modelVersion": MODEL,
    }


def _stream(part: dict) -> Reply:
    event = b"data: " + json.dumps(_response(part)).encode() + b"\r\n\r\n"
    return Reply(200, {"content-type": "text/event-stream"}, [event])


def environment(base_url: str) -> dict[str, str]:
    """What Gemini CLI needs to use the fake server and nothing else: gateway auth, no
    telemetry, no update check, no relaunch with a bigger heap."""
    return {
        "GOOGLE_GEMINI_BASE_URL": base_url,
        "GEMINI_API_KEY": "fake-key-for-127.0.0.1",
        "GEMINI_TELEMETRY_ENABLED": "false",
        "GEMINI_CLI_NO_RELAUNCH": "true",
        "GEMINI_MODEL": MODEL,
    }
