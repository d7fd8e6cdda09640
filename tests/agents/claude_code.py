"""Driving the real Claude Code CLI (``claude -p``) against the fake Anthropic API.

``run_claude`` starts one headless session in a repository prepared by ``claude_setup``
(``ringfence install-hooks --agent claude-code`` with a payload-recording interpreter), with an
isolated HOME, no telemetry, no auto-update and no non-essential traffic, and every HTTP(S)
proxy pointed at a trap server on 127.0.0.1: a request to a vendor would land there, and the
tests assert that none did. The session's JSON result, the scripted model's view of it and the
payloads the hooks received come back as one ``ClaudeRun``.

``RINGFENCE_RECORD_FIXTURES=1`` makes ``check_fixture`` (re)write the recorded payloads to
``tests/fixtures/hooks/claude-code/real-*.json``; otherwise it checks that the real binary
still sends every field the fixture has.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from .anthropic import ToolCall, ToolScript, result_text
from .conftest import agent_binary, install_hooks, isolated_env, make_repo, recording_python
from .fakemodel import FakeModelServer, Reply, Request

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hooks" / "claude-code"
RUN_TIMEOUT = 120
QUIET = {
    "ANTHROPIC_API_KEY": "sk-ant-fake-key-for-tests",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_AUTOUPDATER": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY": "1",
}


class ClaudeSetup(NamedTuple):
    base: Path
    root: Path
    records: Path
    python: str  # the recording interpreter the hooks run


class ClaudeRun(NamedTuple):
    output: dict[str, Any]  # ``--output-format json`` result
    script: ToolScript
    payloads: list[dict[str, Any]]  # what the hooks received, in order
    vendor_requests: list[Request]  # requests that reached the trap proxy (must be none)
    stderr: str

    def result(self, step: int) -> str:
        return result_text(self.script.results[step])

    def payload(self, event: str, tool: str) -> dict[str, Any]:
        found = [
            p
            for p in self.payloads
            if p.get("hook_event_name") == event and p.get("tool_name") == tool
        ]
        assert found, f"no {event} {tool} payload; got {[_label(p) for p in self.payloads]}"
        return found[-1]


def claude_setup(base: Path) -> ClaudeSetup:
    root = make_repo(base)
    records = base / "records"
    python = recording_python(base, records)
    install_hooks(root, python, "claude-code")
    return ClaudeSetup(base, root, records, python)


def _trap(request: Request) -> Reply:
    return Reply.of_json({"error": "ringfence tests: no vendor traffic"}, 502)


def run_claude(
    setup: ClaudeSetup,
    calls: Sequence[ToolCall],
    *,
    cwd: Path | None = None,
    mode: str = "acceptEdits",
    env: dict[str, str] | None = None,
) -> ClaudeRun:
    """One ``claude -p`` session whose model calls ``calls`` in order, then ends its turn."""
    binary = agent_binary("claude")
    for old in setup.records.glob("payload-*"):
        old.unlink()
    script = ToolScript(calls)
    with FakeModelServer(script) as model, FakeModelServer(_trap) as trap:
        environment = isolated_env(
            setup.base,
            ANTHROPIC_BASE_URL=model.url,
            HTTPS_PROXY=trap.url,
            HTTP_PROXY=trap.url,
            https_proxy=trap.url,
            http_proxy=trap.url,
            **QUIET,
            **(env or {}),
        )
        command = [binary, "-p", "Do the scripted task.", "--output-format", "json"]
        command += ["--permission-mode", mode, "--allowedTools", "Bash"]
        done = subprocess.run(
            command,
            cwd=cwd or setup.root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
        vendor_requests = list(trap.requests)
    if done.returncode != 0:
        pytest.fail(f"claude exited {done.returncode}: {done.stderr[-2000:]}{done.stdout[-2000:]}")
    output = json.loads(done.stdout)
    return ClaudeRun(output, script, _payloads(setup.records), vendor_requests, done.stderr)


def _payloads(records: Path) -> list[dict[str, Any]]:
    files = sorted(
        (p for p in records.glob("payload-*") if not p.name.endswith(".args")),
        key=lambda p: p.stat().st_mtime_ns,
    )
    return [json.loads(p.read_text()) for p in files]


def _label(payload: dict[str, Any]) -> str:
    return f"{payload.get('hook_event_name')} {payload.get('tool_name')}"


def denied_tools(run: ClaudeRun) -> list[str]:
    return [d["tool_name"] for d in run.output.get("permission_denials") or []]


def journal(root: Path) -> list[dict[str, Any]]:
    path = root / ".git" / "ringfence" / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def as_fixture(payload: dict[str, Any], setup: ClaudeSetup) -> str:
    """The payload with the repository path as ``{{ROOT}}`` and the test HOME as /home/dev."""
    text = json.dumps(payload, ensure_ascii=False)
    text = text.replace(str(setup.root), "{{ROOT}}").replace(str(setup.base / "home"), "/home/dev")
    text = text.replace(_dashed(setup.root), "-home-dev-repo")
    return text + "\n"


def _dashed(path: Path) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in str(path))


def check_fixture(name: str, payload: dict[str, Any], setup: ClaudeSetup) -> None:
    """Record ``payload`` as fixture ``name``, or check the binary still sends its fields."""
    path = FIXTURES / f"real-{name}.json"
    if os.environ.get("RINGFENCE_RECORD_FIXTURES") == "1":
        path.write_text(as_fixture(payload, setup))
        return
    saved = json.loads(path.read_text())
    assert _shape(saved) <= _shape(payload), (
        f"Claude Code no longer sends the fields of {path.name}: "
        f"missing {sorted(_shape(saved) - _shape(payload))}"
    )


def _shape(value: Any, prefix: str = "") -> set[str]:
    """The key paths of a payload (lists by their first element), not its values."""
    if isinstance(value, dict):
        keys = set()
        for key, item in value.items():
            keys.add(prefix + key)
            keys |= _shape(item, f"{prefix}{key}.")
        return keys
    if isinstance(value, list) and value:
        return _shape(value[0], prefix + "[].")
    return set()
