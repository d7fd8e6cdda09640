"""Whatever arrives on stdin, the hook answers in the agent's protocol and never raises.

Generated payloads (hypothesis) go through :func:`ringfence.hooks.runner.run_hook`, the function
the hook process runs, against a real repository: every answer is empty or one JSON object, the
exit code is one the agents understand, and a pre-event is never silently allowed by accident of
a crash.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringfence.hooks.runner import run_hook

KEYS = [
    "hook_event_name",
    "tool_name",
    "tool_input",
    "toolName",
    "toolArgs",
    "toolResult",
    "cwd",
    "session_id",
    "file_path",
    "edits",
    "workspace_roots",
    "command",
    "content",
    "old_string",
    "new_string",
    "path",
    "paths",
    "tool_response",
]
EVENTS = [
    "PreToolUse",
    "PostToolUse",
    "BeforeTool",
    "AfterTool",
    "beforeReadFile",
    "afterFileEdit",
    "beforeShellExecution",
    "preToolUse",
]
TOOLS = [
    "Edit",
    "Write",
    "MultiEdit",
    "Read",
    "Grep",
    "Bash",
    "apply_patch",
    "write_file",
    "replace",
    "read_many_files",
    "edit",
    "create",
    "view",
    "bash",
    "run_shell_command",
]
PATHS = [
    "serving/x.py",
    "app/main.py",
    "../x",
    "",
    ".ringfence.toml",
    "evals",
    "a\\\\b",
    "/etc/passwd",
]

leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(EVENTS + TOOLS + PATHS),
    st.text(max_size=12),
)
values = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.dictionaries(st.sampled_from(KEYS), values, max_size=7),
    agent=st.sampled_from(["claude-code", "codex", "gemini", "copilot", "cursor"]),
)
def test_any_payload_gets_an_answer_in_the_agents_protocol(demo_repo, monkeypatch, payload, agent):
    monkeypatch.chdir(demo_repo)
    payload.setdefault("cwd", str(demo_repo))
    answer = run_hook(agent, json.dumps(payload).encode())
    assert answer.code in (0, 1, 2)
    if answer.stdout:
        json.loads(answer.stdout)
    if answer.code == 2:  # fail closed: only the agents that block on exit 2
        assert agent in ("claude-code", "codex", "gemini") and answer.stdout


def test_non_utf8_and_huge_input(demo_repo, monkeypatch):
    monkeypatch.chdir(demo_repo)
    assert run_hook("claude-code", b"\xff\xfe{").code == 2
    answer = run_hook("copilot", b"\xff")
    assert answer.code == 0 and json.loads(answer.stdout)["permissionDecision"] == "deny"
    big = json.dumps(
        {
            "hook_event_name": "PreToolUse",
            "cwd": str(demo_repo),
            "tool_name": "Write",
            "tool_input": {"file_path": "app/big.py", "content": "x = 1\n" * 500_000},
        }
    )
    assert (
        run_hook("claude-code", big.encode()).stdout,
        run_hook("claude-code", big.encode()).code,
    ) == ("", 0)
