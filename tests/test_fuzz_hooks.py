"""Property tests of every hook payload parser: junk never turns a deny into an allow.

``test_hooks_robustness`` already shows that any payload gets an answer in the agent's protocol.
This adds the security half: a pre-event aimed at a restricted path stays denied whatever else
the payload carries (unknown keys, wrong types in optional fields, huge strings, odd path
spellings), for every agent's parser, and every failure reason is one line.
Budget: ``fuzz.budget`` (HYPOTHESIS_PROFILE=release for the long run).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz import budget
from ringfence.hooks.runner import run_hook

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.just("x" * 200_000),
)
extra = st.dictionaries(
    st.text(min_size=1, max_size=12).filter(lambda k: k not in RESERVED), junk, max_size=4
)
RESERVED = {
    "hook_event_name",
    "tool_name",
    "tool_input",
    "cwd",
    "toolName",
    "toolArgs",
    "file_path",
    "path",
    "content",
    "command",
    "workspace_roots",
    "toolResult",
    "tool_response",
    "file_text",
    "notebook_path",
    "edits",
    "paths",
    "absolute_path",
    "new_string",
    "old_string",
    "new_source",
}


@st.composite
def spelled(draw, root, rel: str) -> str:
    """``rel`` spelled in one of the ways an agent may send it."""
    head, _, name = rel.rpartition("/")
    return draw(
        st.sampled_from(
            [
                rel,
                f"./{rel}",
                f"{head}//{name}",
                f"app/../{rel}",
                str(root / rel),
                f"{head}/./{name}",
                f"{head}/x/../{name}",
                rel.replace("/", "\\"),
            ]
        )
    )


def _payload(agent: str, root, path: str, top: dict, inner: dict) -> dict:
    if agent in ("claude-code", "codex"):
        if agent == "codex":
            inner = {
                **inner,
                "command": f"*** Begin Patch\n*** Add File: {path}\n+x\n*** End Patch\n",
            }
            return {
                **top,
                "hook_event_name": "PreToolUse",
                "cwd": str(root),
                "tool_name": "apply_patch",
                "tool_input": inner,
            }
        return {
            **top,
            "hook_event_name": "PreToolUse",
            "cwd": str(root),
            "tool_name": "Write",
            "tool_input": {**inner, "file_path": path, "content": "x\n"},
        }
    if agent == "gemini":
        return {
            **top,
            "hook_event_name": "BeforeTool",
            "cwd": str(root),
            "tool_name": "write_file",
            "tool_input": {**inner, "file_path": path, "content": "x\n"},
        }
    if agent == "copilot":
        return {
            **top,
            "cwd": str(root),
            "toolName": "create",
            "toolArgs": json.dumps({**inner, "path": path, "file_text": "x\n"}),
        }
    return {
        **top,
        "hook_event_name": "beforeReadFile",
        "file_path": path,
        "workspace_roots": [str(root)],
        "content": "x",
    }


def _denied(agent: str, answer) -> bool:
    if not answer.stdout:
        return False
    body = json.loads(answer.stdout)
    if agent in ("claude-code", "codex"):
        return body["hookSpecificOutput"]["permissionDecision"] == "deny"
    if agent == "gemini":
        return body["decision"] == "deny"
    if agent == "copilot":
        return body["permissionDecision"] == "deny"
    return body["permission"] == "deny"


@pytest.fixture
def repo(demo_repo, monkeypatch):
    monkeypatch.chdir(demo_repo)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(demo_repo.parent / "xdg"))
    return demo_repo


@budget(150)
@given(
    data=st.data(),
    agent=st.sampled_from(["claude-code", "codex", "gemini", "copilot", "cursor"]),
    top=extra,
    inner=extra,
)
def test_junk_around_a_restricted_path_never_turns_deny_into_allow(repo, data, agent, top, inner):
    rel = data.draw(
        st.sampled_from(["serving/model.py", "training/datagen/generate.py", "evals/new.py"])
    )
    path = data.draw(spelled(repo, rel))
    answer = run_hook(agent, json.dumps(_payload(agent, repo, path, top, inner)).encode())
    assert _denied(agent, answer), (agent, path, answer.stdout, answer.stderr)
    assert answer.code in (0, 2)
    assert len(answer.stderr.strip().splitlines()) <= 1 and "Traceback" not in answer.stderr


@budget(150)
@given(
    agent=st.sampled_from(["claude-code", "codex", "gemini", "copilot"]),
    raw=st.binary(max_size=200),
)
def test_arbitrary_bytes_fail_closed_with_one_line(repo, agent, raw):
    """Arbitrary bytes: a blocking agent gets a deny, never a silent allow."""
    answer = run_hook(agent, raw)
    if answer.code == 0 and not answer.stdout:
        return  # a well-formed JSON payload of an event ringfence does not judge (nothing to deny)
    assert _denied(agent, answer)
    assert len(answer.stderr.strip().splitlines()) <= 1
