"""GitHub Copilot CLI 1.0.102 (the real binary) against ringfence's hooks, offline.

Each test makes a temporary repository, runs ``ringfence install-hooks`` (which writes both
``.github/hooks/ringfence.json`` and ``.claude/settings.json``; Copilot CLI runs both) through an
interpreter wrapper that records every payload, and runs ``copilot -p`` against the scripted
chat-completions server of ``tests/agents/copilot.py`` (``COPILOT_OFFLINE=true``, a BYOK
provider on 127.0.0.1: no GitHub sign-in, nothing leaves the machine). The folder is trusted the
way a user trusts it: ``trustedFolders`` in ``$HOME/.copilot/config.json``.

``RINGFENCE_RECORD_FIXTURES=1`` rewrites ``tests/fixtures/hooks/copilot/real-*.json`` from the
payloads these runs record; otherwise every recorded payload must have the keys of its fixture.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pygls.uris import from_fs_path
from tests.agents import copilot
from tests.agents.conftest import git, make_repo, recording_python
from tests.agents.copilot import ToolCall
from tests.agents.fakemodel import FakeModelServer

from test_lsp_editor import lsp, start  # noqa: F401

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hooks" / "copilot"
DENIED = "Denied by preToolUse hook"
TAGGED_ZONE = """
[provenance]
auto-tag-agents = false

[[zone]]
name = "public-api"
path = "src/api/**"
level = "tagged"
reason = "API changes need provenance."
"""


class Copilot:
    """One repository with ringfence's hooks and an isolated Copilot CLI home."""

    def __init__(self, base: Path, python: str | None = None, trusted: bool = True) -> None:
        self.base = base
        self.root = make_repo(base)
        with (self.root / ".ringfence.toml").open("a") as policy:
            policy.write(TAGGED_ZONE)
        (self.root / "src/api").mkdir()
        (self.root / "src/api/routes.py").write_text("ROUTES = []\n")
        git(self.root, "add", "-A")
        git(self.root, "commit", "-qm", "tagged zone")
        self.records = base / "records"
        self.home = base / "home" / ".copilot"
        self.home.mkdir(parents=True)
        if trusted:
            self.trust()
        self.install_output = subprocess.run(  # as this user: the home Copilot CLI reads
            [sys.executable, "-m", "ringfence", "install-hooks", "--python"]
            + [python or recording_python(base, self.records)],
            cwd=self.root,
            env={**os.environ, "HOME": str(base / "home")},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        self.requests: list = []

    def trust(self) -> None:
        """What "Yes, and remember this folder for future sessions" writes."""
        (self.home / "config.json").write_text(json.dumps({"trustedFolders": [str(self.root)]}))

    def run(self, *calls: ToolCall, cwd: Path | None = None, flags=(), **env: str):
        with FakeModelServer(copilot.chat_app(calls), max_requests=30, lifetime=170) as server:
            done = copilot.run_copilot(
                cwd or self.root, copilot.copilot_env(self.base, server.url, **env), *flags
            )
            self.requests = list(server.requests)
        assert done.code == 0, done.output[-3000:]
        assert copilot.DONE_TEXT in done.stdout, done.output[-3000:]
        return done

    def tool_results(self) -> list[str]:
        """What the agent sent back to the model for each tool call (the last request's)."""
        messages = self.requests[-1].json()["messages"]
        return [m["content"] for m in messages if m.get("role") == "tool"]

    def payloads(self) -> list[copilot.Payload]:
        return copilot.recorded(self.records) if self.records.exists() else []

    def journal(self) -> list[dict]:
        path = self.root / ".git" / "ringfence" / "events.jsonl"
        return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []

    def doctor(self, **env: str) -> subprocess.CompletedProcess:
        environment = copilot.copilot_env(self.base, "http://127.0.0.1:9", **env)
        environment.pop("COPILOT_ALLOW_ALL", None)
        return subprocess.run(
            [sys.executable, "-m", "ringfence", "doctor"],
            cwd=self.root,
            env={**environment, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture
def agent(tmp_path) -> Copilot:
    return Copilot(tmp_path)


def path(agent: Copilot, rel: str) -> str:
    return str(agent.root / rel)


def check_fixtures(agent: Copilot) -> None:
    """The recorded payloads still have their fixtures' keys (or rewrite the fixtures)."""
    for payload in agent.payloads():
        fixture = FIXTURES / f"{payload.name}.json"
        if os.environ.get("RINGFENCE_RECORD_FIXTURES") == "1":
            fixture.write_text(copilot.as_fixture(payload, agent.root))
        elif fixture.exists():
            known = json.loads(fixture.read_text())
            assert sorted(payload.data) == sorted(known), payload.name
            args = "toolArgs" if "toolArgs" in known else "tool_input"
            assert sorted(payload.data[args]) == sorted(known[args]), payload.name


# ----- the five cases, through the real binary -----------------------------------------------


def test_writes_into_a_human_only_zone_are_refused(agent):
    before = (agent.root / "training/gen.py").read_text()
    agent.run(
        ToolCall("create", {"path": path(agent, "training/new.py"), "file_text": "x = 1\n"}),
        ToolCall(
            "edit",
            {"path": path(agent, "training/gen.py"), "old_str": "def gen", "new_str": "def ai"},
        ),
    )
    results = agent.tool_results()
    assert len(results) == 2 and all(DENIED in r and "human-only" in r for r in results), results
    assert not (agent.root / "training/new.py").exists()
    assert (agent.root / "training/gen.py").read_text() == before
    check_fixtures(agent)


def test_an_open_write_lands_and_is_journaled_once_through_both_hook_files(agent):
    agent.run(
        ToolCall("create", {"path": path(agent, "src/new.py"), "file_text": "x = 1\n"}),
        ToolCall("edit", {"path": path(agent, "src/app.py"), "old_str": "1", "new_str": "2"}),
    )
    assert (agent.root / "src/new.py").read_text() == "x = 1\n"
    assert "return 2" in (agent.root / "src/app.py").read_text()
    protocols = {(p.protocol, p.name) for p in agent.payloads()}
    assert ("claude-code", "real-claude-Write-post") in protocols  # .claude/settings.json ran
    assert ("copilot", "real-create-post") in protocols  # .github/hooks/ringfence.json ran
    for rel, ranges in (("src/new.py", [[1, 1]]), ("src/app.py", [[2, 2]])):
        lines = [e for e in agent.journal() if e["path"] == rel]
        assert len(lines) == 1, lines
        assert (lines[0]["agent"], lines[0]["decision"], lines[0]["ranges"]) == (
            "copilot",
            "allow",
            ranges,
        )
    check_fixtures(agent)


def test_a_shell_write_into_a_zone_is_refused(agent):
    before = (agent.root / "training/gen.py").read_text()
    agent.run(ToolCall("bash", {"command": "echo x >> training/gen.py", "description": "append"}))
    (result,) = agent.tool_results()
    assert DENIED in result and "training/gen.py is in the human-only zone" in result
    assert (agent.root / "training/gen.py").read_text() == before
    check_fixtures(agent)


@pytest.mark.parametrize(
    "rel", [".ringfence.toml", ".github/hooks/ringfence.json", ".claude/settings.json"]
)
def test_the_policy_and_both_hook_files_cannot_be_edited(agent, rel):
    before = (agent.root / rel).read_text()
    old = before.splitlines()[0]
    agent.run(ToolCall("edit", {"path": path(agent, rel), "old_str": old, "new_str": old + " "}))
    (result,) = agent.tool_results()
    assert DENIED in result and "is protected" in result, result
    assert (agent.root / rel).read_text() == before


def test_a_read_of_internal_code_is_refused_and_in_the_egress_ledger(agent):
    agent.run(ToolCall("view", {"path": path(agent, "serving/server.py")}))
    (result,) = agent.tool_results()
    assert DENIED in result and "SECRET_ROUTE" not in result
    (read,) = [e for e in agent.journal() if e["event"] == "read"]
    assert (read["agent"], read["path"], read["decision"]) == (
        "copilot",
        "serving/server.py",
        "deny",
    )
    check_fixtures(agent)


def test_grep_and_glob_paths_into_zones_are_refused(agent):
    agent.run(
        ToolCall("grep", {"pattern": "gen", "paths": path(agent, "training")}),
        ToolCall("glob", {"pattern": "**/*.py", "paths": [path(agent, "serving")]}),
        ToolCall("grep", {"pattern": "ROUTE", "paths": [path(agent, "src"), "serving"]}),
    )
    results = agent.tool_results()
    assert len(results) == 3 and all(DENIED in r for r in results), results
    assert not any("def gen" in r or "/internal" in r for r in results)  # no file content
    check_fixtures(agent)


# ----- the journaled edit in a running language server ---------------------------------------


async def test_a_copilot_edit_shows_in_a_running_language_server(lsp, agent):  # noqa: F811
    ed = await start(lsp, agent.root)
    target = agent.root / "src/api/routes.py"
    uri = ed.open("src/api/routes.py")
    await ed.diagnostics(uri)
    call = ToolCall("edit", {"path": str(target), "old_str": "[]", "new_str": "['/health']"})
    await asyncio.to_thread(agent.run, call)
    assert target.read_text() == "ROUTES = ['/health']\n"
    ed.replace_all(uri, target.read_text())  # the editor reloads the file the agent changed
    found = await ed.diagnostics(uri, until=lambda d: any(x.code == "RF002" for x in d))
    (rf002,) = [d for d in found if d.code == "RF002"]
    assert rf002.message.startswith(
        "AI edit (copilot) without provenance in tagged zone 'public-api'"
    )
    assert uri == from_fs_path(str(target))
    assert len([e for e in agent.journal() if e["path"] == "src/api/routes.py"]) == 1


# ----- hooks that fail, time out, or do not load ----------------------------------------------


def _wrapper(base: Path, body: str) -> str:
    script = base / "broken-python"
    script.write_text(f"#!/bin/sh\ncat >/dev/null\n{body}\n")
    script.chmod(0o755)
    return str(script)


def test_a_crashing_hook_refuses_the_tool(tmp_path):
    agent = Copilot(tmp_path, python=_wrapper(tmp_path, "echo Traceback >&2; exit 1"))
    agent.run(ToolCall("create", {"path": path(agent, "src/new.py"), "file_text": "x\n"}))
    (result,) = agent.tool_results()
    assert DENIED in result, result
    assert not (agent.root / "src/new.py").exists()


def test_a_missing_interpreter_refuses_the_tool(tmp_path):
    agent = Copilot(tmp_path, python=str(tmp_path / "gone" / "python3"))
    agent.run(ToolCall("create", {"path": path(agent, "src/new.py"), "file_text": "x\n"}))
    (result,) = agent.tool_results()
    assert DENIED in result, result
    assert not (agent.root / "src/new.py").exists()


def test_a_hook_copilot_times_out_lets_the_tool_run(tmp_path):
    """The documented gap (docs/hooks.md): Copilot CLI runs the tool when a hook times out.
    The timeout is cut to 1 s to keep the test quick."""
    agent = Copilot(tmp_path, python=_wrapper(tmp_path, "sleep 5"))
    hooks = json.loads((agent.root / ".github/hooks/ringfence.json").read_text())
    for entries in hooks["hooks"].values():
        entries[0]["timeoutSec"] = 1
    (agent.root / ".github/hooks/ringfence.json").write_text(json.dumps(hooks))
    claude = json.loads((agent.root / ".claude/settings.json").read_text())
    for groups in claude["hooks"].values():
        groups[0]["hooks"][0]["timeout"] = 1
    (agent.root / ".claude/settings.json").write_text(json.dumps(claude))
    agent.run(ToolCall("create", {"path": path(agent, "training/new.py"), "file_text": "x\n"}))
    assert (agent.root / "training/new.py").exists()


def test_a_start_in_a_subdirectory_of_a_trusted_repository_is_covered(agent):
    agent.run(
        ToolCall("create", {"path": path(agent, "training/new.py"), "file_text": "x\n"}),
        cwd=agent.root / "src",
    )
    (result,) = agent.tool_results()
    assert DENIED in result and not (agent.root / "training/new.py").exists()


def test_trust_folder_from_a_subdirectory_loads_no_repository_hook(tmp_path):
    """Measured gap: ``--trust-folder`` trusts the start directory only, and the repository's
    hooks live at its root; nothing on disk shows it, so doctor lists it as a gap."""
    agent = Copilot(tmp_path, trusted=False)
    agent.run(
        ToolCall("create", {"path": path(agent, "training/new.py"), "file_text": "x\n"}),
        cwd=agent.root / "src",
        flags=("--trust-folder",),
    )
    assert (agent.root / "training/new.py").exists() and agent.payloads() == []
    (agent.root / ".github/copilot-instructions.md").write_text("Be brief.\n")  # Copilot in use
    assert "--trust-folder in a subdirectory" in agent.doctor().stdout


def test_an_untrusted_repository_runs_no_hook_and_doctor_says_what_to_run(tmp_path):
    agent = Copilot(tmp_path, trusted=False)
    assert "Copilot CLI does not trust" in agent.install_output
    agent.run(ToolCall("create", {"path": path(agent, "training/new.py"), "file_text": "x\n"}))
    assert (agent.root / "training/new.py").exists()  # silently: no hook ran
    assert agent.payloads() == []
    report = agent.doctor()
    assert report.returncode == 1
    (finding,) = [x for x in report.stdout.splitlines() if x.startswith("[fix] trust: copilot")]
    assert f'"trustedFolders" in {agent.home}/config.json' in finding
    assert "Yes, and remember this folder for future sessions" in finding
    agent.trust()  # what the fix says
    report = agent.doctor()
    assert f"[ok]  trust: copilot: ringfence's hooks run ({agent.home}/config.json" in report.stdout
    (agent.root / "training/new.py").unlink()
    agent.run(ToolCall("create", {"path": path(agent, "training/new.py"), "file_text": "x\n"}))
    assert not (agent.root / "training/new.py").exists()


def test_copilot_allow_all_trusts_the_folder(tmp_path):
    agent = Copilot(tmp_path, trusted=False)
    agent.run(
        ToolCall("create", {"path": path(agent, "training/new.py"), "file_text": "x\n"}),
        COPILOT_ALLOW_ALL="true",
    )
    assert not (agent.root / "training/new.py").exists()
    assert "[ok]  trust: copilot" in agent.doctor(COPILOT_ALLOW_ALL="true").stdout


def test_a_user_level_hook_covers_an_untrusted_folder(tmp_path):
    agent = Copilot(tmp_path, trusted=False)
    (agent.home / "hooks").mkdir()
    (agent.home / "hooks/ringfence.json").write_text(
        (agent.root / ".github/hooks/ringfence.json").read_text()
    )
    agent.run(ToolCall("create", {"path": path(agent, "training/new.py"), "file_text": "x\n"}))
    assert not (agent.root / "training/new.py").exists()
    assert "[ok]  trust: copilot" in agent.doctor().stdout
