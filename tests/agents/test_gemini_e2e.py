"""Gemini CLI 0.61, the real binary, against ringfence's hooks in a temporary repository.

Each test runs ``gemini -p … --yolo`` in a committed repository after ``ringfence install-hooks``
with an isolated home; the model is the scripted Gemini API of ``tests/agents/gemini.py`` on
127.0.0.1, which makes the agent call the given tools. The hook commands run through
``recording_python``, so every payload the agent sent is checked against the recorded fixtures
in ``tests/fixtures/hooks/gemini/real-*.json`` (``RINGFENCE_RECORD_FIXTURES=1`` rewrites them).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from agents.conftest import agent_binary, git, install_hooks, isolated_env, make_repo
from agents.conftest import recording_python as make_recording_python
from agents.fakemodel import FakeModelServer
from agents.gemini import ToolCall, environment, script, tool_results, turn_requests
from test_lsp_editor import lsp, start  # noqa: F401

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hooks" / "gemini"
RECORD = os.environ.get("RINGFENCE_RECORD_FIXTURES") == "1"
UNTRUSTED_EXIT = 55  # Gemini CLI's FatalUntrustedWorkspaceError
DOCS_ZONE = """
[[zone]]
name = "docs"
path = "docs/**"
level = "tagged"
reason = "AI-written docs need provenance."

[provenance]
auto-tag-agents = false
"""
GUIDE = "# Guide\n\nWritten by hand.\n"
USER_SETTINGS = {
    "security": {"auth": {"selectedType": "gemini-api-key"}},
    "general": {"disableAutoUpdate": True, "disableUpdateNag": True},
    "privacy": {"usageStatisticsEnabled": False},
    "telemetry": {"enabled": False},
}
TRAINING = "training/gen.py"
SERVING = "serving/server.py"


class Workspace(NamedTuple):
    base: Path
    root: Path
    home: Path
    records: Path
    python: str  # the recording interpreter the hooks run


class GeminiRun(NamedTuple):
    done: subprocess.CompletedProcess
    results: list[dict]  # the functionResponse parts the agent sent back, in call order
    payloads: list[dict]  # what the agent sent its hooks during this run


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = make_repo(tmp_path)
    with (root / ".ringfence.toml").open("a") as policy:
        policy.write(DOCS_ZONE)
    (root / "docs").mkdir()
    (root / "docs/guide.md").write_text(GUIDE)
    (root / "GEMINI.md").write_text("Keep answers short.\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "docs and GEMINI.md")
    home = tmp_path / "home"
    (home / ".gemini").mkdir(parents=True)
    (home / ".gemini/settings.json").write_text(json.dumps(USER_SETTINGS))
    trust(home, {str(root): "TRUST_FOLDER"})
    records = tmp_path / "records"
    python = make_recording_python(tmp_path, records)
    install_hooks(root, python, "gemini")
    return Workspace(tmp_path, root, home, records, python)


def trust(home: Path, rules: dict[str, str] | None) -> None:
    path = home / ".gemini/trustedFolders.json"
    if rules is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(json.dumps(rules))


def run_gemini(
    ws: Workspace, *calls: ToolCall, args: tuple[str, ...] = (), cwd: Path | None = None
) -> GeminiRun:
    before = {p.name for p in ws.records.glob("payload-*")}
    with FakeModelServer(script(*calls), max_requests=40, lifetime=150) as server:
        env = isolated_env(ws.base, **environment(server.url))
        done = subprocess.run(
            [agent_binary("gemini"), "-p", "do the task", "--yolo", "-o", "json", *args],
            cwd=cwd or ws.root,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=140,
        )
        turns = turn_requests(server.requests)
    results = tool_results(turns[-1]) if turns else []
    fresh = sorted(
        (p for p in ws.records.glob("payload-*") if p.suffix == "" and p.name not in before),
        key=lambda p: p.stat().st_mtime_ns,
    )
    return GeminiRun(done, results, [json.loads(p.read_text()) for p in fresh])


def outcome(result: dict) -> str:
    response = result.get("response") or {}
    return str(response.get("error") or response.get("output") or response)


def refused(result: dict) -> bool:
    return outcome(result).startswith("Tool execution blocked: ringfence:")


def journal(root: Path) -> list[dict]:
    path = root / ".git" / "ringfence" / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def doctor(ws: Workspace) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(ws.home), "CODEX_HOME": str(ws.base / "codex")}
    env.pop("GEMINI_CLI_TRUST_WORKSPACE", None)
    return subprocess.run(
        [sys.executable, "-m", "ringfence", "doctor"],
        cwd=ws.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def payload_for(run: GeminiRun, event: str, tool: str, nth: int = 0) -> dict:
    found = [p for p in run.payloads if p["hook_event_name"] == event and p["tool_name"] == tool]
    assert len(found) > nth, f"no {event} {tool} payload in {run.payloads}"
    return found[nth]


def matches_fixture(ws: Workspace, payload: dict, name: str) -> None:
    """The payload has the recorded fixture's fields (a changed protocol fails here)."""
    path = FIXTURES / f"real-{name}.json"
    if RECORD:
        text = json.dumps(payload, indent=2)
        text = text.replace(str(ws.root), "{{ROOT}}").replace(str(ws.home), "/home/dev")
        path.write_text(text + "\n")
    fixture = json.loads(path.read_text())
    assert sorted(payload) == sorted(fixture)
    assert sorted(payload["tool_input"]) == sorted(fixture["tool_input"])
    if "tool_response" in fixture:
        assert sorted(payload["tool_response"]) == sorted(fixture["tool_response"])


# ----- the five cases ---------------------------------------------------------------------------


def test_write_into_human_only_zone_is_refused_and_the_file_unchanged(ws):
    before = (ws.root / TRAINING).read_text()
    run = run_gemini(ws, ToolCall("write_file", {"file_path": TRAINING, "content": "x = 1\n"}))
    assert run.done.returncode == 0, run.done.stderr
    [result] = run.results
    assert refused(result) and "human-only zone 'training-data'" in outcome(result)
    assert (ws.root / TRAINING).read_text() == before
    matches_fixture(ws, payload_for(run, "BeforeTool", "write_file"), "write_file-deny")
    assert [p["hook_event_name"] for p in run.payloads] == ["BeforeTool"]  # it never ran
    assert journal(ws.root) == []  # denied edits leave no journal line


def test_write_and_replace_in_open_code_land_and_are_journaled(ws):
    run = run_gemini(
        ws,
        ToolCall("write_file", {"file_path": "src/new.py", "content": "def new():\n    pass\n"}),
        ToolCall(
            "replace",
            {
                "file_path": "src/app.py",
                "instruction": "return 2",
                "old_string": "    return 1",
                "new_string": "    return 2",
            },
        ),
    )
    assert run.done.returncode == 0, run.done.stderr
    assert [refused(r) for r in run.results] == [False, False], run.results
    assert (ws.root / "src/new.py").read_text() == "def new():\n    pass\n"
    assert (ws.root / "src/app.py").read_text() == "def app():\n    return 2\n"
    edits = [(e["path"], e["ranges"], e["decision"], e["agent"]) for e in journal(ws.root)]
    assert edits == [
        ("src/new.py", [[1, 2]], "allow", "gemini"),
        ("src/app.py", [[2, 2]], "allow", "gemini"),
    ]
    matches_fixture(ws, payload_for(run, "BeforeTool", "write_file"), "write_file-allow")
    matches_fixture(ws, payload_for(run, "AfterTool", "write_file"), "write_file-post")
    matches_fixture(ws, payload_for(run, "BeforeTool", "replace"), "replace-allow")
    matches_fixture(ws, payload_for(run, "AfterTool", "replace"), "replace-post")


async def test_an_edit_in_a_tagged_zone_shows_in_the_language_server(lsp, ws):  # noqa: F811
    ed = await start(lsp, ws.root)
    uri = ed.open("docs/guide.md", language_id="markdown")
    await ed.diagnostics(uri)
    edit = {
        "file_path": "docs/guide.md",
        "instruction": "two AI lines",
        "old_string": "Written by hand.",
        "new_string": "AI line one.\nAI line two.",
    }
    run = await asyncio.to_thread(run_gemini, ws, ToolCall("replace", edit))
    assert [refused(r) for r in run.results] == [False], run.results
    text = (ws.root / "docs/guide.md").read_text()
    assert text == "# Guide\n\nAI line one.\nAI line two.\n"
    ed.replace_all(uri, text)  # the editor reloads the file the agent changed
    found = await ed.diagnostics(uri, until=lambda d: any(x.code == "RF002" for x in d))
    rf002 = [(d.range.start.line, d.range.end.line, d.message) for d in found if d.code == "RF002"]
    assert rf002 == [
        (
            2,
            3,
            "AI edit (gemini) without provenance in tagged zone 'docs': "
            "AI-written docs need provenance.",
        )
    ]
    assert [(e["path"], e["decision"]) for e in journal(ws.root)] == [("docs/guide.md", "logged")]


def test_a_shell_write_into_a_zone_is_refused(ws):
    before = (ws.root / TRAINING).read_text()
    run = run_gemini(ws, ToolCall("run_shell_command", {"command": f"echo hacked > {TRAINING}"}))
    [result] = run.results
    assert refused(result) and "human-only zone 'training-data'" in outcome(result)
    assert (ws.root / TRAINING).read_text() == before
    matches_fixture(ws, payload_for(run, "BeforeTool", "run_shell_command"), "shell-deny")


def test_edits_of_the_policy_and_of_gemini_settings_are_refused(ws):
    policy = (ws.root / ".ringfence.toml").read_text()
    settings = (ws.root / ".gemini/settings.json").read_text()
    run = run_gemini(
        ws,
        ToolCall(
            "replace",
            {
                "file_path": ".ringfence.toml",
                "instruction": "open everything",
                "old_string": 'level = "human-only"',
                "new_string": 'level = "open"',
            },
        ),
        ToolCall("write_file", {"file_path": ".gemini/settings.json", "content": "{}\n"}),
        ToolCall("run_shell_command", {"command": "rm .gemini/settings.json"}),
    )
    assert [refused(r) for r in run.results] == [True, True, True], run.results
    assert (ws.root / ".ringfence.toml").read_text() == policy
    assert (ws.root / ".gemini/settings.json").read_text() == settings


def test_a_read_of_an_internal_file_is_refused_and_in_the_egress_ledger(ws):
    run = run_gemini(ws, ToolCall("read_file", {"file_path": SERVING}))
    [result] = run.results
    assert refused(result) and "internal zone 'model-serving'" in outcome(result)
    assert "SECRET_ROUTE" not in json.dumps(run.results)
    [entry] = journal(ws.root)
    assert (entry["event"], entry["path"], entry["decision"], entry["agent"]) == (
        "read",
        SERVING,
        "deny",
        "gemini",
    )
    assert entry["note"].startswith("read_file: external context denied (internal")
    matches_fixture(ws, payload_for(run, "BeforeTool", "read_file"), "read_file-deny")


def test_search_and_listing_tools_reaching_into_closed_dirs_are_refused(ws):
    calls = {
        "grep_search-dir_path": ToolCall(
            "grep_search", {"pattern": "handwritten", "dir_path": "training"}
        ),
        "grep_search-include_pattern": ToolCall(
            "grep_search", {"pattern": "handwritten", "include_pattern": "training/**"}
        ),
        "glob-dir_path": ToolCall("glob", {"pattern": "*.py", "dir_path": "serving"}),
        "list_directory": ToolCall("list_directory", {"dir_path": "training"}),
    }
    run = run_gemini(ws, *calls.values(), ToolCall("grep_search", {"pattern": "def app"}))
    *closed, open_search = run.results
    assert [refused(r) for r in closed] == [True] * 4, closed
    assert "'handwritten'" not in json.dumps(closed) and "server.py" not in json.dumps(closed)
    assert "src/app.py" in outcome(open_search)  # a search of open code still works
    for (name, call), payload in zip(calls.items(), run.payloads, strict=False):
        assert payload["tool_input"] == call.args
        matches_fixture(ws, payload, name)


# ----- set-ups in which Gemini CLI runs no hook ----------------------------------------------


def test_an_untrusted_folder_is_flagged_and_skip_trust_runs_no_hook(ws):
    trust(ws.home, None)
    verdict = doctor(ws)
    assert verdict.returncode == 1
    [line] = [x for x in verdict.stdout.splitlines() if x.startswith("[fix] trust: gemini:")]
    assert "no ringfence hook runs" in line
    assert f'"{ws.root}": "TRUST_FOLDER" to {ws.home}/.gemini/trustedFolders.json' in line
    write = ToolCall("write_file", {"file_path": TRAINING, "content": "x = 1\n"})
    headless = run_gemini(ws, write)
    assert headless.done.returncode == UNTRUSTED_EXIT
    assert "not running in a trusted directory" in headless.done.stderr
    skipped = run_gemini(ws, write, args=("--skip-trust",))
    assert skipped.done.returncode == 0, skipped.done.stderr
    assert (ws.root / TRAINING).read_text() == "x = 1\n"  # the write landed ...
    assert skipped.payloads == [] and journal(ws.root) == []  # ... and no hook saw it


def test_a_distrusted_folder_is_flagged_and_a_parent_rule_trusts(ws):
    trust(ws.home, {str(ws.root): "DO_NOT_TRUST"})
    line = next(x for x in doctor(ws).stdout.splitlines() if "trust: gemini:" in x)
    assert line.startswith("[fix]") and "remove the DO_NOT_TRUST rule" in line
    trust(ws.home, {str(ws.root / "src"): "TRUST_PARENT"})
    line = next(x for x in doctor(ws).stdout.splitlines() if "trust: gemini:" in x)
    assert line.startswith("[ok]") and "TRUST_PARENT" in line
    run = run_gemini(ws, ToolCall("write_file", {"file_path": TRAINING, "content": "x\n"}))
    assert [refused(r) for r in run.results] == [True]


def test_a_start_in_a_subdirectory_runs_no_hook(ws):
    """Gemini CLI reads .gemini/settings.json only in the directory it starts in (measured)."""
    run = run_gemini(
        ws,
        ToolCall("run_shell_command", {"command": f"echo hacked > ../{TRAINING}"}),
        cwd=ws.root / "src",
    )
    assert run.done.returncode == 0, run.done.stderr
    assert run.payloads == []
    assert (ws.root / TRAINING).read_text() == "hacked\n"


# ----- hooks that fail --------------------------------------------------------------------------


def set_hook_command(ws: Workspace, command: str, timeout_ms: int = 10000) -> None:
    path = ws.root / ".gemini/settings.json"
    config = json.loads(path.read_text())
    for groups in config["hooks"].values():
        for group in groups:
            for handler in group["hooks"]:
                handler.update(command=command, timeout=timeout_ms)
    path.write_text(json.dumps(config))


def test_the_installed_command_fails_closed_when_its_interpreter_is_gone(ws):
    install_hooks(ws.root, str(ws.base / "gone" / "python3"), "gemini")
    run = run_gemini(ws, ToolCall("write_file", {"file_path": "src/new.py", "content": "x\n"}))
    [result] = run.results
    assert outcome(result).startswith("Tool execution blocked:"), result
    assert not (ws.root / "src/new.py").exists()


@pytest.mark.parametrize(
    ("command", "timeout_ms"), [("exit 1", 10000), ("sleep 5", 1000)], ids=["crash", "timeout"]
)
def test_a_hook_that_crashes_or_times_out_lets_the_tool_run(ws, command, timeout_ms):
    """Gemini CLI's own behaviour (measured): only exit 2 or a deny blocks; a hook that exits
    1 or times out is reported as failed and the tool runs (docs/hooks.md)."""
    set_hook_command(ws, command, timeout_ms)
    run = run_gemini(ws, ToolCall("write_file", {"file_path": TRAINING, "content": "x = 1\n"}))
    assert run.done.returncode == 0, run.done.stderr
    assert "Hook(s) [ringfence] failed for event BeforeTool" in run.done.stderr
    assert (ws.root / TRAINING).read_text() == "x = 1\n"
