"""Codex CLI 0.169's own hook payloads (recorded from the real binary by
tests/agents/test_codex_e2e.py's scenarios: ``tests/fixtures/hooks/codex/real-*.json``) through
the real ``ringfence hook codex`` process, in the repository layout those runs used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.agents.conftest import make_repo

from conftest import run_cli
from ringfence.hooks import codex
from ringfence.hooks.events import POST_EDIT, POST_SHELL, PRE_EDIT, SHELL

FIXTURES = Path(__file__).parent / "fixtures" / "hooks" / "codex"


def real(name: str, root: Path) -> str:
    text = (FIXTURES / f"real-{name}.json").read_text()
    return text.replace("{{ROOT}}", json.dumps(str(root))[1:-1])


def hook(stdin: str, root: Path):
    return run_cli("hook", "codex", stdin=stdin, cwd=root)


def decision(done) -> str | None:
    if not done.stdout.strip():
        return None
    return json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"]


def journal(root: Path) -> list[dict]:
    path = root / ".git" / "ringfence" / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def root(tmp_path) -> Path:
    return make_repo(tmp_path)


@pytest.mark.parametrize(
    "name, kind",
    [
        ("pre_patch_deny", PRE_EDIT),
        ("pre_patch_allow", PRE_EDIT),
        ("post_patch", POST_EDIT),
        ("pre_bash_write_deny", SHELL),
        ("pre_bash_read_deny", SHELL),
        ("pre_bash_allow", SHELL),
        ("post_bash", POST_SHELL),
    ],
)
def test_every_real_payload_parses_to_its_event(name, kind, root):
    payload = json.loads(real(name, root))
    assert payload["turn_id"] and payload["permission_mode"] == "bypassPermissions"
    event = codex.parse(payload)
    assert event.kind == kind
    assert event.session == payload["session_id"] and event.model == "gpt-5.5"


@pytest.mark.parametrize(
    "name, reason",
    [
        ("pre_patch_deny", "training/gen.py is in the human-only zone 'training-data'"),
        ("pre_bash_write_deny", "training/notes.py is in the human-only zone 'training-data'"),
        ("pre_bash_read_deny", "serving/server.py"),
    ],
)
def test_real_refusals_are_denied_in_codex_protocol(name, reason, root):
    done = hook(real(name, root), root)
    assert done.returncode == 0, done.stderr
    assert decision(done) == "deny"
    assert reason in json.loads(done.stdout)["hookSpecificOutput"]["permissionDecisionReason"]


def test_a_real_denied_read_goes_into_the_egress_ledger(root):
    hook(real("pre_bash_read_deny", root), root)
    (entry,) = journal(root)
    assert (entry["event"], entry["agent"], entry["path"], entry["decision"]) == (
        "read",
        "codex",
        "serving/server.py",
        "deny",
    )
    assert entry["session"] == json.loads(real("pre_bash_read_deny", root))["session_id"]


@pytest.mark.parametrize("name", ["pre_patch_allow", "pre_bash_allow"])
def test_real_allowed_calls_get_no_answer(name, root):
    done = hook(real(name, root), root)
    assert (done.returncode, done.stdout) == (0, "")


def test_the_real_post_patch_journals_the_written_line(root):
    (root / "src/app.py").write_text("def app():\n    return 2\n")  # what Codex applied
    done = hook(real("post_patch", root), root)
    assert done.returncode == 0, done.stderr
    (entry,) = journal(root)
    assert (entry["event"], entry["agent"], entry["path"], entry["ranges"]) == (
        "edit",
        "codex",
        "src/app.py",
        [[2, 2]],
    )
    assert entry["model"] == "gpt-5.5"


def test_the_real_post_bash_of_a_read_only_command_journals_no_edit(root):
    done = hook(real("post_bash", root), root)
    assert done.returncode == 0, done.stderr
    assert [e for e in journal(root) if e["event"] == "edit"] == []
