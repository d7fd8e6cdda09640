"""``ringfence doctor``: a checklist over real repositories, real hook configs and a real Codex
user config (``CODEX_HOME``); exit 1 whenever a line needs attention."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli, write_files


@pytest.fixture
def codex_home(tmp_path):
    home = tmp_path / "codex-home"
    home.mkdir()
    return home


def doctor(root, codex_home, *args):
    # COPILOT_ALLOW_ALL=true: Copilot CLI trusts every folder (its trust: test_copilot_e2e.py)
    env = {"CODEX_HOME": str(codex_home), "COPILOT_ALLOW_ALL": "true"}
    return run_cli("doctor", *args, cwd=root, env=env)


def lines(done, status: str) -> list[str]:
    return [
        line[len(status) + 2 :].strip()
        for line in done.stdout.splitlines()
        if line.startswith(f"[{status}]")
    ]


def ready(root):
    """Export and install every hook, as an owner following doctor's advice would."""
    assert run_cli("export", cwd=root).returncode == 0
    assert run_cli("install-hooks", cwd=root).returncode == 0


def test_a_fresh_demo_needs_exports_and_cursor_hooks(demo_repo, codex_home):
    done = doctor(demo_repo, codex_home)
    assert done.returncode == 1, done.stdout
    assert done.stdout.splitlines()[0] == "tools in use: cursor (.cursorignore)"
    assert lines(done, "ok") == ["policy: 2 policy file(s), 4 zone(s), valid"]
    fixes = lines(done, "fix")
    assert fixes[0].startswith("exports: .cursorignore (stale), .aiexclude (missing),")
    assert fixes[0].endswith("run 'ringfence export'")
    assert fixes[1] == (
        "hooks: cursor: the repository uses cursor but .cursor/hooks.json has no ringfence "
        "hook; run 'ringfence install-hooks --agent cursor'"
    )
    gaps = lines(done, "gap")
    assert any("does not cover the agent's terminal" in g for g in gaps)
    assert any("Tab completions have no event before the edit" in g for g in gaps)
    assert any("beforeShellExecution is not fail-closed" in g for g in gaps)
    assert (
        done.stdout.splitlines()[-1]
        == "2 item(s) need attention; 3 known gap(s) are best-effort by design."
    )


def test_after_export_and_install_hooks_everything_is_in_place(demo_repo, codex_home):
    ready(demo_repo)
    done = doctor(demo_repo, codex_home)
    assert done.returncode == 0, done.stdout
    assert lines(done, "fix") == []
    assert "exports: 14 files up to date" in lines(done, "ok")
    for agent, path in [
        ("claude-code", ".claude/settings.json"),
        ("codex", ".codex/hooks.json"),
        ("cursor", ".cursor/hooks.json"),
        ("copilot", ".github/hooks/ringfence.json"),
        ("windsurf", ".windsurf/hooks.json"),
        ("kiro", ".kiro/agents/ringfence.json"),
        ("cline", ".clinerules/hooks/PreToolUse, .clinerules/hooks/PostToolUse"),
    ]:
        assert f"hooks: {agent}: installed in {path}" in lines(done, "ok")


def test_codex_in_use_needs_the_project_trusted(demo_repo, codex_home):
    ready(demo_repo)
    write_files(demo_repo, {"AGENTS.md": "# agents\n"})
    done = doctor(demo_repo, codex_home)
    assert done.returncode == 1
    trust = [f for f in lines(done, "fix") if f.startswith("trust: codex:")]
    assert trust == [
        f"trust: codex: the project is not trusted in {codex_home}/config.toml: Codex ignores "
        f'its .codex/ hooks until you trust it ([projects."{demo_repo}"] trust_level = "trusted", '
        "or run 'codex exec --trust' once)",
        "trust: codex: the ringfence PreToolUse, PostToolUse hook(s) in .codex/hooks.json are not "
        f"trusted in {codex_home}/config.toml, so Codex runs none of them and says nothing (a "
        "write into a zone lands); review them in Codex (/hooks), or add to "
        f"{codex_home}/config.toml:",
    ]
    entries = done.stdout.split(f"add to {codex_home}/config.toml:\n", 1)[1].split("\n[", 1)[0]
    hook_trust = "\n".join(line.strip() for line in entries.splitlines())
    assert any(g.startswith("codex: Codex has no read hook") for g in lines(done, "gap"))

    config = codex_home / "config.toml"
    config.write_text(f'[projects."{demo_repo}"]\ntrust_level = "untrusted"\n')
    done = doctor(demo_repo, codex_home)
    assert any("marks the project untrusted" in f for f in lines(done, "fix"))

    config.write_text(f'model = "gpt-5"\n\n[projects."{demo_repo}"]\ntrust_level = "trusted"\n')
    done = doctor(demo_repo, codex_home)
    assert done.returncode == 1, done.stdout
    assert f"trust: codex: the project is trusted in {config}" in lines(done, "ok")
    assert [f for f in lines(done, "fix") if "are not trusted in" in f]

    config.write_text(config.read_text() + hook_trust + "\n")
    done = doctor(demo_repo, codex_home)
    assert done.returncode == 0, done.stdout
    assert f"trust: codex: the 2 ringfence hook(s) are trusted in {config}" in lines(done, "ok")

    stale = json.loads((demo_repo / ".codex/hooks.json").read_text())
    stale["hooks"]["PreToolUse"][0]["hooks"][0]["timeout"] = 30
    (demo_repo / ".codex/hooks.json").write_text(json.dumps(stale))
    done = doctor(demo_repo, codex_home)
    assert done.returncode == 1
    assert any(
        f.startswith("trust: codex: the ringfence PreToolUse hook(s) in .codex/hooks.json changed")
        and f.endswith(f"or set to {config}:")
        for f in lines(done, "fix")
    ), done.stdout
    assert (
        run_cli(
            "install-hooks", "--agent", "codex", cwd=demo_repo, env={"CODEX_HOME": str(codex_home)}
        ).returncode
        == 0
    )

    config.write_text(config.read_text() + "\n[features]\nhooks = false\n")
    done = doctor(demo_repo, codex_home)
    assert lines(done, "fix") == [
        f"trust: codex: {config} sets [features] hooks = false: no hook runs"
    ]


def test_hooks_that_cannot_run_need_attention(demo_repo, codex_home):
    ready(demo_repo)
    cursor = demo_repo / ".cursor/hooks.json"
    config = json.loads(cursor.read_text())
    for entries in config["hooks"].values():
        for entry in entries:
            entry["command"] = "/nonexistent/python3 -m ringfence hook cursor"
    cursor.write_text(json.dumps(config))
    claude = demo_repo / ".claude/settings.json"
    settings = json.loads(claude.read_text())
    del settings["hooks"]["PostToolUse"]
    claude.write_text(json.dumps(settings, indent=2))
    write_files(demo_repo, {".claude/settings.local.json": '{"disableAllHooks": true}'})
    done = doctor(demo_repo, codex_home)
    assert done.returncode == 1
    assert lines(done, "fix") == [
        "hooks: claude-code: no ringfence hook for PostToolUse; "
        "run 'ringfence install-hooks --agent claude-code'",
        "hooks: claude-code: .claude/settings.local.json sets disableAllHooks: no hook runs; "
        'delete "disableAllHooks" from it',
        "hooks: cursor: the hook runs /nonexistent/python3, which does not exist; "
        "run 'ringfence install-hooks --agent cursor'",
    ]


def test_an_invalid_policy_and_a_rule_below_a_floor_need_attention(demo_repo, codex_home):
    ready(demo_repo)
    write_files(
        demo_repo,
        {
            "training/.ringfence.toml": 'version = 1\n[[zone]]\nname = "scratch"\n'
            'path = "datagen/scratch/**"\nlevel = "open"\n'
        },
    )
    done = doctor(demo_repo, codex_home)
    assert done.returncode == 1
    assert (
        "policy: training/.ringfence.toml:2: zone 'scratch' is below the locked zone "
        "'training-data' (.ringfence.toml:17) and is ignored (RF101)"
    ) in lines(done, "fix")

    (demo_repo / ".ringfence.toml").write_text('version = 1\ndefault = "nope"\n')
    done = doctor(demo_repo, codex_home)
    fixes = lines(done, "fix")
    assert fixes[0].startswith("policy: .ringfence.toml:2:")
    assert "exports: cannot be checked while the policy is invalid" in fixes


def test_no_policy_at_all_needs_attention(make_repo, codex_home):
    root = make_repo({"a.py": "x\n"})
    done = doctor(root, codex_home)
    assert done.returncode == 1
    assert lines(done, "fix")[0] == (
        "policy: no .ringfence.toml (or [tool.ringfence] in pyproject.toml): "
        "every path is open; run 'ringfence init'"
    )
    assert "tools in use: none detected" in done.stdout


def test_known_gaps_are_listed_for_each_tool_in_use(demo_repo, codex_home):
    ready(demo_repo)
    write_files(
        demo_repo,
        {
            ".github/copilot-instructions.md": "be nice\n",
            "CLAUDE.md": "# claude\n",
            ".aiderignore": "build/\n",
        },
    )
    assert (
        run_cli("export", cwd=demo_repo).returncode == 0
    )  # the new hand-written line is policy too
    done = doctor(demo_repo, codex_home)
    assert done.returncode == 0, done.stdout
    gaps = lines(done, "gap")
    assert (
        "copilot: content exclusion does not cover agent mode in IDE chat, the Copilot CLI or the "
        "cloud agent"
    ) in gaps
    assert any(
        g.startswith("claude-code: permissions.deny is matched only for Read() and Edit() rules")
        for g in gaps
    )
    assert any(g.startswith("aider: .aiderignore hides files from the repo map") for g in gaps)
    assert (
        "tools in use: claude-code (CLAUDE.md), copilot (.github/copilot-instructions.md)"
        in done.stdout
    )


def test_windsurf_kiro_and_cline_in_use_without_hooks_need_them(demo_repo, codex_home):
    write_files(
        demo_repo,
        {
            ".windsurf/rules/style.md": "x\n",
            ".kiro/steering/product.md": "x\n",
            ".clinerules/style.md": "x\n",
        },
    )
    assert run_cli("export", cwd=demo_repo).returncode == 0
    assert (
        run_cli(
            "install-hooks", "--agent", "claude-code,codex,gemini,copilot,cursor", cwd=demo_repo
        ).returncode
        == 0
    )
    done = doctor(demo_repo, codex_home)
    fixes = lines(done, "fix")
    assert (
        "hooks: windsurf: the repository uses windsurf but .windsurf/hooks.json has no ringfence "
        "hook; run 'ringfence install-hooks --agent windsurf'"
    ) in fixes
    assert (
        "hooks: kiro: the repository uses kiro but .kiro/agents/ringfence.json has no ringfence "
        "hook; run 'ringfence install-hooks --agent kiro'"
    ) in fixes
    assert (
        "hooks: cline: the repository uses cline but .clinerules/hooks/ has no ringfence hook; "
        "run 'ringfence install-hooks --agent cline'"
    ) in fixes
    gaps = lines(done, "gap")
    assert any(g.startswith("kiro: Kiro CLI runs hooks only for the agent") for g in gaps)
    assert any(g.startswith("cline: Cline runs hook files only while") for g in gaps)
    assert any(g.startswith("windsurf: Cascade's pre_write_code") for g in gaps)


def test_hooks_that_would_fail_open_or_not_run_need_attention(demo_repo, codex_home):
    ready(demo_repo)
    cursor = demo_repo / ".cursor/hooks.json"
    config = json.loads(cursor.read_text())
    del config["hooks"]["preToolUse"][0]["failClosed"]
    cursor.write_text(json.dumps(config))
    write_files(
        demo_repo,
        {".kiro/agents/dev.json": json.dumps({"name": "dev", "tools": ["*"], "hooks": {}})},
    )
    (demo_repo / ".clinerules/hooks/PostToolUse").chmod(0o644)
    done = doctor(demo_repo, codex_home)
    assert done.returncode == 1
    fixes = lines(done, "fix")
    assert (
        'hooks: cursor: .cursor/hooks.json preToolUse hook has no "failClosed": true, so a crash '
        "or timeout lets the tool run; run 'ringfence install-hooks --agent cursor'"
    ) in fixes
    assert any(
        f.startswith(
            "hooks: kiro: the agent in .kiro/agents/dev.json has no ringfence hook for "
            "preToolUse, postToolUse"
        )
        for f in fixes
    )
    assert (
        "hooks: cline: .clinerules/hooks/PostToolUse is not executable, so Cline skips it; "
        "chmod +x it"
    ) in fixes
    assert len(fixes) == 3, fixes


def test_cline_hook_with_a_missing_interpreter_needs_attention(demo_repo, codex_home, tmp_path):
    ready(demo_repo)
    missing = str(tmp_path / "gone" / "python3")
    assert (
        run_cli("install-hooks", "--agent", "cline", "--python", missing, cwd=demo_repo).returncode
        == 0
    )
    done = doctor(demo_repo, codex_home)
    assert lines(done, "fix") == [
        f"hooks: cline: the hook runs {missing}, which does not exist; "
        "run 'ringfence install-hooks --agent cline'"
    ]
