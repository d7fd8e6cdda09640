"""Every shell construct of tests/test_hooks_shell.py, in the shell-tool payloads of the agents
that file does not cover: Gemini CLI (``run_shell_command``), Copilot CLI (``bash``) and
Cursor (``beforeShellExecution``). Each payload is the agent's recorded one (tests/fixtures/hooks)
with its command replaced, sent to the real ``ringfence hook AGENT`` process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from test_hooks_shell import CONSTRUCTS

FIXTURES = Path(__file__).parent / "fixtures" / "hooks"
SHELL_FIXTURES = {
    "gemini": "gemini/real-shell-deny.json",
    "copilot": "copilot/real-bash-pre.json",
    "cursor": "cursor/shell_deny.json",
}


def payload(agent: str, command: str, root: Path) -> str:
    event = json.loads(
        (FIXTURES / SHELL_FIXTURES[agent]).read_text().replace("{{ROOT}}", str(root))
    )
    args = event.get("tool_input") or event.get("toolArgs")
    if args is not None:
        args["command"] = command
    else:
        event["command"] = command
    return json.dumps(event)


def denied(agent: str, done) -> tuple[bool, str]:
    """Whether the agent's answer refuses the command, and the reason it gives."""
    if done.returncode == 2:
        return True, done.stderr
    answer = json.loads(done.stdout) if done.stdout.strip() else {}
    decision = (
        answer.get("decision") or answer.get("permissionDecision") or answer.get("permission")
    )
    reason = (
        answer.get("reason")
        or answer.get("permissionDecisionReason")
        or answer.get("agent_message")
        or answer.get("user_message")
        or ""
    )
    return decision in ("deny", "block"), reason


@pytest.mark.parametrize("agent", sorted(SHELL_FIXTURES))
@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_each_construct_writing_into_a_zone_is_denied(demo_repo, agent, name):
    done = run_cli("hook", agent, stdin=payload(agent, CONSTRUCTS[name], demo_repo), cwd=demo_repo)
    refused, reason = denied(agent, done)
    assert refused and "ringfence" in reason, (name, done.returncode, done.stdout, done.stderr)


@pytest.mark.parametrize("agent", sorted(SHELL_FIXTURES))
def test_a_plain_command_outside_the_zones_is_allowed(demo_repo, agent):
    done = run_cli(
        "hook", agent, stdin=payload(agent, "ls app > /dev/null", demo_repo), cwd=demo_repo
    )
    assert done.returncode == 0 and not denied(agent, done)[0], (done.stdout, done.stderr)
