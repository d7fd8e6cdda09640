"""Cline CLI 3.0 through the real binary: ``cline --json`` against the scripted Chat Completions
API on 127.0.0.1 (tests/agents/chat.py) in a temporary repository after ``ringfence install-hooks
--agent cline``.

The CLI runs the executable files in ``.clinerules/hooks/`` with ``hookName`` ``tool_call`` /
``tool_result``; a ``{"cancel": true}`` answer stops the task before the tool runs. The provider
is ``openai-compatible`` with its base URL on the fake, configured by ``cline auth`` in a private
config directory; every tool is auto-approved, so a refusal is ringfence's.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from tests.agents import chat
from tests.agents.conftest import TOOLS, install_hooks, isolated_env, make_repo, recording_python
from tests.agents.fakemodel import FakeModelServer

pytestmark = pytest.mark.e2e

CLINE = TOOLS / "agents" / "cline" / "node_modules" / ".bin" / "cline"
TIMEOUT = 120


def cline_binary() -> str:
    if not os.access(CLINE, os.X_OK):
        pytest.fail(f"{CLINE} is missing: run scripts/setup.d/agents.sh")
    return str(CLINE)


def run_cline(base: Path, root: Path, script: list[chat.ToolCall]) -> FakeModelServer:
    env = isolated_env(base)
    config = base / "cline-config"
    with FakeModelServer(chat.chat_app(script), max_requests=20, lifetime=TIMEOUT) as server:
        auth = [cline_binary(), "auth", "-p", "openai-compatible", "-k", "sk-fake", "-m"]
        auth += [chat.MODEL, "-b", f"{server.url}/v1", "--config", str(config)]
        subprocess.run(auth, env=env, check=True, capture_output=True, timeout=TIMEOUT)
        done = subprocess.run(
            [
                cline_binary(),
                "--config",
                str(config),
                "-c",
                str(root),
                "--json",
                "-t",
                "90",
                "do the task",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert '"type":"run_result"' in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]
    return server


@pytest.fixture
def setup(tmp_path):
    root = make_repo(tmp_path)
    records = tmp_path / "records"
    install_hooks(root, recording_python(tmp_path, records), "cline")
    return tmp_path, root, records


def journal(root: Path) -> list[dict]:
    path = root / ".git" / "ringfence" / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def payloads(records: Path) -> list[dict]:
    out = []
    for path in sorted(records.glob("payload-*")):
        if not path.name.endswith(".args"):
            out.append(json.loads(path.read_text()))
    return out


def test_write_into_a_human_only_zone_is_refused_and_the_file_unchanged(setup):
    base, root, records = setup
    target = root / "training" / "gen.py"
    before = target.read_text()
    server = run_cline(
        base, root, [chat.ToolCall("editor", {"path": str(target), "new_text": "x = 2\n"})]
    )
    assert "editor" in chat.tools_offered(server.requests[0])
    assert target.read_text() == before
    [sent] = [p for p in payloads(records) if p.get("hookName") == "tool_call"]
    assert sent["tool_call"]["name"] == "editor" and sent["workspaceRoots"] == [str(root)]
    assert sent["preToolUse"]["parameters"]["path"] == str(target)


def test_write_in_open_code_lands_and_is_journaled(setup):
    base, root, records = setup
    target = root / "src" / "new.py"
    run_cline(base, root, [chat.ToolCall("editor", {"path": str(target), "new_text": "y = 1\n"})])
    assert target.read_text() == "y = 1\n"
    events = [e for e in journal(root) if e["event"] == "edit"]
    assert [(e["path"], e["agent"]) for e in events] == [("src/new.py", "cline")]
    assert any(p.get("hookName") == "tool_result" for p in payloads(records))


def test_shell_write_into_a_zone_is_refused(setup):
    base, root, _ = setup
    before = (root / "training" / "gen.py").read_text()
    command = "echo hacked > training/gen.py"
    run_cline(base, root, [chat.ToolCall("run_commands", {"commands": [command]})])
    assert (root / "training" / "gen.py").read_text() == before


@pytest.mark.parametrize("rel", [".ringfence.toml", ".clinerules/hooks/PreToolUse"])
def test_policy_and_hook_files_are_protected(setup, rel):
    base, root, _ = setup
    before = (root / rel).read_text()
    edit = {"path": str(root / rel), "old_text": before[:20], "new_text": "# gone\n"}
    run_cline(base, root, [chat.ToolCall("editor", edit)])
    assert (root / rel).read_text() == before


def test_read_of_an_internal_file_is_refused_and_in_the_egress_ledger(setup):
    base, root, _ = setup
    secret = root / "serving" / "server.py"
    server = run_cline(
        base, root, [chat.ToolCall("read_files", {"files": [{"path": str(secret)}]})]
    )
    assert all("SECRET_ROUTE" not in r.body.decode(errors="replace") for r in server.requests)
    reads = [e for e in journal(root) if e["event"] == "read"]
    assert [(e["path"], e["decision"], e["agent"]) for e in reads] == [
        ("serving/server.py", "deny", "cline")
    ]
