"""Codex CLI 0.169 through the real binary: ``codex exec`` against the scripted Responses API on
127.0.0.1 (tests/agents/openai.py) in a temporary repository after ``ringfence install-hooks``.

Codex runs with its own CODEX_HOME and HOME, a custom model provider pointing at the fake, no
sandbox (``-s danger-full-access``) and approvals off, so a refusal is ringfence's and an
allowed tool really runs. Hook trust is granted the way Codex's own TUI grants it: the
app-server's ``hooks/list`` gives each hook's key and hash (which must equal the hash ringfence
computes) and ``config/batchWrite`` stores ``hooks.state.<key>.trusted_hash`` in the user's
config.toml. The untrusted set-up shows the silent failure ``ringfence doctor`` must flag.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pygls.uris import from_fs_path
from tests.agents import openai
from tests.agents.conftest import (
    agent_binary,
    git,
    install_hooks,
    isolated_env,
    make_repo,
    recording_python,
)
from tests.agents.fakemodel import FakeModelServer

from ringfence.hooks import codex_trust
from ringfence.hooks.install import is_ringfence
from test_lsp_editor import SERVER_ENV, lsp, start  # noqa: F401

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hooks" / "codex"
TIMEOUT = 120
TAGGED_ZONE = """
[provenance]
auto-tag-agents = false

[[zone]]
name = "public-api"
path = "src/api/**"
level = "tagged"
reason = "API changes need provenance."
"""


def _patch(*lines: str) -> openai.ToolCall:
    return openai.apply_patch(
        "*** Begin Patch\n" + "".join(f"{line}\n" for line in lines) + "*** End Patch\n"
    )


CASES = {
    "case:human-only": [
        _patch("*** Update File: training/gen.py", "@@", "-def gen():", "+def gen_by_ai():")
    ],
    "case:from-sub": [
        _patch("*** Update File: ../../training/gen.py", "@@", "-def gen():", "+def gen_by_ai():")
    ],
    "case:open-src": [
        _patch("*** Update File: src/app.py", "@@", " def app():", "-    return 1", "+    return 2")
    ],
    "case:tagged": [
        _patch("*** Update File: src/api/routes.py", "@@", "-ROUTES = []", "+ROUTES = ['/health']")
    ],
    "case:shell-write": [openai.exec_command("echo 'x = 1' > training/notes.py")],
    "case:policy": [
        _patch("*** Update File: .ringfence.toml", "@@", ' default = "open"', "+# relaxed")
    ],
    "case:hooks": [
        _patch("*** Update File: .codex/hooks.json", "@@", " {", '+  "disabled": true,')
    ],
    "case:read": [openai.exec_command("cat serving/server.py")],
}


@pytest.fixture(scope="module")
def fake_openai():
    with FakeModelServer(openai.Script(CASES), lifetime=600) as server:
        yield server


class Codex:
    """One repository with ringfence's Codex hooks and a CODEX_HOME that points at the fake."""

    def __init__(self, base: Path, server: FakeModelServer, python: str | None = None) -> None:
        self.base = base
        self.root = make_repo(base)
        with (self.root / ".ringfence.toml").open("a") as policy:
            policy.write(TAGGED_ZONE)
        git(self.root, "commit", "-qam", "tagged zone")
        self.records = base / "records"
        self.install_output = install_hooks(
            self.root, python or recording_python(base, self.records), "codex"
        )
        self.home = base / "home" / ".codex"
        self.home.mkdir(parents=True)
        self.config = self.home / "config.toml"
        self.config.write_text(
            'model = "gpt-5.5"\nmodel_provider = "fake"\ncheck_for_update_on_startup = false\n\n'
            f'[model_providers.fake]\nname = "fake"\nbase_url = "{server.url}/v1"\n'
            'wire_api = "responses"\nenv_key = "FAKE_OPENAI_KEY"\n\n'
            f'[projects."{self.root}"]\ntrust_level = "trusted"\n'
        )
        self.env = isolated_env(base, CODEX_HOME=str(self.home), FAKE_OPENAI_KEY="sk-fake")

    def run(self, case: str, *flags: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        args = [agent_binary("codex"), "exec", *flags, "-s", "danger-full-access"]
        args += ["-c", 'approval_policy="never"', f"Please do {case} now."]
        done = subprocess.run(
            args,
            cwd=cwd or self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert openai.FINAL_TEXT in done.stdout, done.stderr[-3000:]
        return done

    def app_server(self, *calls: tuple[str, dict]) -> list[dict]:
        """Codex's own app-server over stdio (JSON-RPC lines): the results of ``calls``."""
        process = subprocess.Popen(
            [agent_binary("codex"), "app-server"],
            cwd=self.root,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        watchdog = threading.Timer(TIMEOUT, process.kill)  # a hung server cannot hang the test
        watchdog.start()
        try:
            self._call(process, 0, "initialize", {"clientInfo": {"name": "e2e", "version": "1"}})
            self._send(process, {"method": "initialized"})
            return [self._call(process, i, m, p) for i, (m, p) in enumerate(calls, 1)]
        finally:
            watchdog.cancel()
            process.kill()
            process.communicate()

    @staticmethod
    def _send(process: subprocess.Popen, message: dict) -> None:
        process.stdin.write(json.dumps({"jsonrpc": "2.0", **message}) + "\n")
        process.stdin.flush()

    def _call(self, process: subprocess.Popen, id_: int, method: str, params: dict) -> dict:
        self._send(process, {"id": id_, "method": method, "params": params})
        for line in process.stdout:
            message = json.loads(line)
            if message.get("id") == id_ and "method" not in message:
                assert "result" in message, message
                return message["result"]
        raise AssertionError(f"codex app-server ended without answering {method}")

    def listed_hooks(self) -> list[dict]:
        (listing,) = self.app_server(("hooks/list", {"cwds": [str(self.root)]}))
        return listing["data"][0]["hooks"]

    def trust_hooks(self) -> None:
        """What Codex's TUI does when the user trusts the hooks in /hooks."""
        hooks = self.listed_hooks()
        ours = codex_trust.project_hooks(
            str(self.root / ".codex/hooks.json"),
            json.loads((self.root / ".codex/hooks.json").read_text()),
            is_ringfence,
        )
        assert sorted((h["key"], h["currentHash"]) for h in hooks) == sorted(
            (h.key, h.current_hash) for h in ours
        ), "ringfence computes Codex's hook keys and hashes"
        assert {h["trustStatus"] for h in hooks} == {"untrusted"}
        value = {h["key"]: {"trusted_hash": h["currentHash"]} for h in hooks}
        self.app_server(
            (
                "config/batchWrite",
                {"edits": [{"keyPath": "hooks.state", "mergeStrategy": "upsert", "value": value}]},
            )
        )
        assert {h["trustStatus"] for h in self.listed_hooks()} == {"trusted"}

    def payloads(self) -> list[dict]:
        return [
            json.loads(path.read_text())
            for path in sorted(self.records.glob("payload-*"), key=lambda p: p.stat().st_mtime)
            if not path.name.endswith(".args")
        ]

    def journal(self) -> list[dict]:
        path = self.root / ".git" / "ringfence" / "events.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def ledger(self) -> list[dict]:
        """The egress ledger: the journal's denied reads (docs/security.md)."""
        return [e for e in self.journal() if e["event"] == "read" and e["decision"] == "deny"]

    def doctor(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "ringfence", "doctor"],
            cwd=self.root,
            env={**self.env, "PATH": SERVER_ENV["PATH"]},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )


@pytest.fixture
def codex(tmp_path, fake_openai) -> Codex:
    agent = Codex(tmp_path, fake_openai)
    agent.trust_hooks()
    return agent


def _toml(path: Path) -> dict:
    return codex_trust.load_user_config(str(path))


def _blocked(done: subprocess.CompletedProcess) -> str:
    assert "hook: PreToolUse Blocked" in done.stderr, done.stderr[-3000:]
    return done.stderr


def test_a_patch_into_a_human_only_zone_is_refused(codex):
    before = (codex.root / "training/gen.py").read_text()
    err = _blocked(codex.run("case:human-only"))
    assert "training/gen.py is in the human-only zone 'training-data'" in err
    assert (codex.root / "training/gen.py").read_text() == before
    (payload,) = codex.payloads()
    assert payload["tool_name"] == "apply_patch" and payload["turn_id"]


def test_a_patch_in_open_code_lands_and_is_journaled(codex):
    codex.run("case:open-src")
    assert (codex.root / "src/app.py").read_text() == "def app():\n    return 2\n"
    events = [e for e in codex.journal() if e.get("path") == "src/app.py"]
    assert [(e["event"], e["agent"], e["ranges"]) for e in events] == [("edit", "codex", [[2, 2]])]
    assert [p["hook_event_name"] for p in codex.payloads()] == ["PreToolUse", "PostToolUse"]


def test_a_shell_write_into_a_zone_is_refused(codex):
    err = _blocked(codex.run("case:shell-write"))
    assert "training/notes.py is in the human-only zone" in err
    assert not (codex.root / "training/notes.py").exists()
    (payload,) = codex.payloads()
    assert payload["tool_name"] == "Bash"


@pytest.mark.parametrize(
    "case, path", [("case:policy", ".ringfence.toml"), ("case:hooks", ".codex/hooks.json")]
)
def test_patches_of_the_policy_and_of_codex_hooks_are_refused(codex, case, path):
    before = (codex.root / path).read_text()
    err = _blocked(codex.run(case))
    assert path in err
    assert (codex.root / path).read_text() == before


def test_a_shell_read_of_internal_code_is_refused_and_in_the_ledger(codex):
    done = codex.run("case:read")
    err = _blocked(done)
    assert "serving/server.py" in err
    assert "SECRET_ROUTE" not in done.stdout + done.stderr.split("hook: PreToolUse Blocked")[-1]
    assert [(e["agent"], e["path"]) for e in codex.ledger()] == [("codex", "serving/server.py")]


def test_a_start_in_a_subdirectory_uses_the_repository_hooks(codex):
    (codex.root / "src/sub").mkdir()
    err = _blocked(codex.run("case:from-sub", cwd=codex.root / "src/sub"))
    assert "training/gen.py is in the human-only zone 'training-data'" in err
    assert "gen_by_ai" not in (codex.root / "training/gen.py").read_text()


def test_a_crashing_hook_fails_closed(tmp_path, fake_openai):
    agent = Codex(tmp_path, fake_openai, python=str(tmp_path / "gone" / "python3"))
    agent.trust_hooks()
    err = _blocked(agent.run("case:open-src"))
    assert "denied (fail closed)" in err
    assert (agent.root / "src/app.py").read_text() == "def app():\n    return 1\n"


def test_untrusted_hooks_run_silently_not_at_all_and_doctor_flags_them(tmp_path, fake_openai):
    agent = Codex(tmp_path, fake_openai)
    assert "until you trust it by hash" in agent.install_output
    done = agent.run("case:human-only")
    assert "hook:" not in done.stderr  # Codex says nothing about the hooks it skipped
    assert "gen_by_ai" in (agent.root / "training/gen.py").read_text()  # the write landed
    assert agent.payloads() == []
    report = agent.doctor()
    assert report.returncode == 1, report.stdout
    assert (
        "ringfence PreToolUse, PostToolUse hook(s) in .codex/hooks.json are not trusted"
        in report.stdout
    )
    fix = report.stdout.split(f"add to {agent.config}:\n", 1)[1]
    entries = [line.strip() for line in fix.splitlines() if line.startswith("      ")]
    agent.config.write_text(agent.config.read_text() + "\n" + "\n".join(entries) + "\n")
    report = agent.doctor()
    assert "[fix] trust:" not in report.stdout, report.stdout  # (exports are not our concern here)
    assert "[ok]  trust: codex: the 2 ringfence hook(s) are trusted in" in report.stdout
    git(agent.root, "checkout", "training/gen.py")
    _blocked(agent.run("case:human-only"))  # doctor's fix is what Codex needs


def test_an_untrusted_project_runs_no_hook_and_doctor_flags_it(tmp_path, fake_openai):
    agent = Codex(tmp_path, fake_openai)
    agent.config.write_text(agent.config.read_text().split("[projects.")[0])
    agent.run("case:human-only")
    assert "gen_by_ai" in (agent.root / "training/gen.py").read_text()
    report = agent.doctor()
    assert report.returncode == 1
    assert f"codex: the project is not trusted in {agent.config}" in report.stdout
    agent.run("case:human-only", "--trust")  # saves the project's trust, not the hooks'
    assert codex_trust.project_trust_level(str(agent.root), _toml(agent.config)) == "trusted"
    report = agent.doctor()
    assert report.returncode == 1
    assert "hook(s) in .codex/hooks.json are not trusted" in report.stdout
    assert agent.payloads() == []  # still no hook ran


# ----- the journaled edit in a running language server ---------------------------------------


async def test_a_codex_edit_shows_in_a_running_language_server(lsp, codex):  # noqa: F811
    ed = await start(lsp, codex.root)
    target = codex.root / "src/api/routes.py"
    target.parent.mkdir(parents=True)
    target.write_text("ROUTES = []\n")
    uri = ed.open("src/api/routes.py")
    await ed.diagnostics(uri)
    await asyncio.to_thread(codex.run, "case:tagged")
    assert target.read_text() == "ROUTES = ['/health']\n"
    ed.replace_all(uri, target.read_text())  # the editor reloads the file the agent changed
    found = await ed.diagnostics(uri, until=lambda d: any(x.code == "RF002" for x in d))
    (rf002,) = [d for d in found if d.code == "RF002"]
    assert rf002.message.startswith(
        "AI edit (codex) without provenance in tagged zone 'public-api'"
    )
    assert uri == from_fs_path(str(target))


def test_a_hook_that_codex_times_out_lets_the_tool_run(tmp_path, fake_openai):
    """The one case no installed command can close (docs/hooks.md): Codex kills a hook at its
    timeout and runs the tool. Here the interpreter stalls before ringfence (and its own 5 s
    budget) starts; the timeout is cut to 1 s to keep the test quick."""
    stalled = tmp_path / "stalled-python"
    stalled.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(60)\n")
    stalled.chmod(0o755)
    agent = Codex(tmp_path, fake_openai, python=str(stalled))
    hooks_file = agent.root / ".codex/hooks.json"
    hooks = json.loads(hooks_file.read_text())
    for groups in hooks["hooks"].values():
        groups[0]["hooks"][0]["timeout"] = 1
    hooks_file.write_text(json.dumps(hooks, indent=2))
    agent.trust_hooks()
    done = agent.run("case:human-only")
    assert "hook: PreToolUse Failed" in done.stderr, done.stderr[-3000:]
    assert "gen_by_ai" in (agent.root / "training/gen.py").read_text()
