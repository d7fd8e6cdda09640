"""Merging into existing files: ringfence owns only its managed block (text) or the deny entries
it added (``.claude/settings.json``); everything else keeps its bytes."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import git, run_cli, write_files
from ringfence.policy.imports import MANAGED_BEGIN, MANAGED_END

POLICY = 'version = 1\n[[zone]]\nname = "secrets"\npath = "secret/**"\nlevel = "internal"\n'
NO_DENY_POLICY = 'version = 1\n[[zone]]\nname = "secrets"\npath = "secret/**"\nlevel = "tagged"\n'


def export(root: Path, *args: str):
    done = run_cli("export", *args, cwd=root)
    assert done.returncode == 0, done.stderr
    return done


def block_of(text: str) -> list[str]:
    lines = text.splitlines()
    return lines[lines.index(MANAGED_BEGIN) + 1 : lines.index(MANAGED_END)]


# ----- text files ------------------------------------------------------------------------------


def test_hand_written_lines_before_and_after_the_block_keep_their_bytes(make_repo):
    before = "# mine\r\nbuild/\r\n\r\n"
    after = "# also mine\r\n*.log   \r\n"
    stale_block = f"{MANAGED_BEGIN}\r\n/old/**\r\n{MANAGED_END}\r\n"
    root = make_repo({".ringfence.toml": POLICY})
    (root / ".geminiignore").write_bytes((before + stale_block + after).encode())
    export(root, "--tool", "gemini-cli")
    data = (root / ".geminiignore").read_bytes().decode()
    assert data.startswith(before) and data.endswith(after)
    middle = data[len(before) : -len(after)]
    assert middle == "\r\n".join(
        [
            MANAGED_BEGIN,
            "# zone 'secrets' (internal) in .ringfence.toml",
            "/secret/**",
            "# imported from .geminiignore",
            "build/",
            "*.log",
            MANAGED_END,
            "",
        ]
    )


def test_a_file_without_a_block_gets_one_appended_and_a_second_run_changes_nothing(make_repo):
    root = make_repo(
        {".ringfence.toml": POLICY, ".aiderignore": "node_modules/"}
    )  # no final newline
    first = export(root, "--tool", "aider")
    assert first.stdout == "updated   .aiderignore\n"
    text = (root / ".aiderignore").read_text()
    assert text.startswith("node_modules/\n" + MANAGED_BEGIN + "\n")
    assert "/secret/**" in block_of(text)
    second = export(root, "--tool", "aider")
    assert second.stdout == "unchanged .aiderignore\n"
    assert (root / ".aiderignore").read_text() == text


def test_the_block_is_not_imported_back_but_hand_written_lines_are(make_repo):
    root = make_repo({".ringfence.toml": POLICY, ".cursorignore": "private/\n"})
    export(root)
    explained = run_cli("explain", "--json", "secret/a.py", "private/x.py", "other.py", cwd=root)
    levels = {
        d["path"]: (d["level"], d["source"], d["rule"])
        for d in map(json.loads, explained.stdout.splitlines())
    }
    assert levels["secret/a.py"] == ("internal", "zone", ".ringfence.toml:2")
    assert levels["private/x.py"] == ("internal", "import", ".cursorignore:1")
    assert levels["other.py"][0] == "open"  # no line of any block raised it
    assert "/private/" in "\n".join(
        block_of((root / ".geminiignore").read_text())
    ) or "private/" in block_of((root / ".geminiignore").read_text())


def test_when_the_policy_stops_denying_the_block_goes_and_files_ringfence_created_go(make_repo):
    root = make_repo({".ringfence.toml": POLICY})
    export(root)
    assert (root / ".clineignore").exists()
    (root / ".ringfence.toml").write_text(NO_DENY_POLICY)
    done = export(root)
    assert (
        "removed   .clineignore" in done.stdout
        and "removed   copilot-content-exclusion.yml" in done.stdout
    )
    assert not (root / ".clineignore").exists() and not (root / ".aiexclude").exists()
    assert settings_of(root) == {"permissions": {"deny": []}}


def test_hand_written_lines_stay_when_the_block_goes(make_repo):
    no_import = NO_DENY_POLICY.replace("version = 1\n", "version = 1\n[import]\nenabled = false\n")
    root = make_repo({".ringfence.toml": POLICY, ".rooignore": "keep-me/\n"})
    export(root)
    assert "/secret/**" in block_of((root / ".rooignore").read_text())
    (root / ".ringfence.toml").write_text(no_import)
    done = export(root)
    assert (root / ".rooignore").read_text() == "keep-me/\n"
    assert "updated   .rooignore" in done.stdout


def test_hand_written_lines_of_one_tool_reach_every_other_tool(make_repo):
    root = make_repo({".ringfence.toml": NO_DENY_POLICY, ".rooignore": "keep-me/\n"})
    export(root)
    assert block_of((root / ".clineignore").read_text()) == [
        "# imported from .rooignore",
        "keep-me/",
    ]
    assert "Read(/**/keep-me/**)" in settings_of(root)["permissions"]["deny"]


def test_an_empty_aiexclude_is_never_written(make_repo):
    root = make_repo({".ringfence.toml": NO_DENY_POLICY, "a.py": "x\n"})
    done = export(root)
    assert not (root / ".aiexclude").exists()
    assert "unchanged .aiexclude" in done.stdout


def test_a_hand_written_empty_aiexclude_already_covers_everything_and_is_kept(make_repo):
    root = make_repo({".ringfence.toml": POLICY, ".aiexclude": "# everything\n"})
    done = export(root, "--tool", ".aiexclude")
    assert (root / ".aiexclude").read_text() == "# everything\n"
    assert "already excludes everything" in done.stdout
    assert run_cli("export", "--check", "--tool", ".aiexclude", cwd=root).returncode == 0


def test_removing_the_block_never_leaves_an_aiexclude_that_would_exclude_everything(make_repo):
    root = make_repo({".ringfence.toml": POLICY})
    export(root)
    text = (root / ".aiexclude").read_text()
    (root / ".aiexclude").write_text("# notes about this file\n" + text)
    (root / ".ringfence.toml").write_text(NO_DENY_POLICY)
    done = export(root, "--tool", ".aiexclude")
    assert (root / ".aiexclude").read_text() == "# notes about this file\n"
    assert "no patterns are left: Gemini treats such a file as excluding everything" in done.stdout


def test_an_unclosed_block_is_an_error_and_nothing_changes(make_repo):
    broken = f"mine/\n{MANAGED_BEGIN}\n/old/**\nlater-hand-written/\n"
    root = make_repo({".ringfence.toml": POLICY, ".continueignore": broken})
    done = run_cli("export", cwd=root)
    assert done.returncode == 2
    assert done.stderr.strip().startswith(
        "ringfence: .continueignore:2:1: ringfence's block has no closing"
    )
    assert "Traceback" not in done.stderr
    assert (root / ".continueignore").read_text() == broken
    assert not (root / ".cursorignore").exists()  # all or nothing: no file was written


def test_a_non_utf8_file_is_an_error_and_nothing_changes(make_repo):
    root = make_repo({".ringfence.toml": POLICY, ".aiignore": b"caf\xe9/\n"})
    done = run_cli("export", cwd=root)
    assert done.returncode == 2 and "ringfence: .aiignore: not UTF-8 text" in done.stderr
    assert (root / ".aiignore").read_bytes() == b"caf\xe9/\n"


def test_an_invalid_policy_exports_nothing(make_repo):
    root = make_repo(
        {".ringfence.toml": 'version = 1\n[[zone]]\nname = "x"\npath = "a/**"\nlevel = "nope"\n'}
    )
    done = run_cli("export", cwd=root)
    assert done.returncode == 2
    assert done.stderr.startswith("ringfence: .ringfence.toml:5:")
    assert not (root / ".cursorignore").exists()


def test_a_symlinked_export_is_written_through_the_link(make_repo):
    root = make_repo({".ringfence.toml": POLICY, "shared/ignore": "mine/\n"})
    (root / ".aiderignore").symlink_to("shared/ignore")
    export(root, "--tool", "aider")
    assert (root / ".aiderignore").is_symlink()
    assert "/secret/**" in block_of((root / "shared/ignore").read_text())


# ----- .claude/settings.json -------------------------------------------------------------------

EXISTING_SETTINGS = """{
    "model": "opus",
    "hooks": {"PreToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "x"}]}]},
    "permissions": {
        "allow": ["Bash(npm test)"],
        "deny": ["Read(./.env)", "Read(/secret/**)"]
    },
    "env": {"A": "1"}
}
"""


def settings_of(root: Path) -> dict:
    return json.loads((root / ".claude/settings.json").read_text())


def test_claude_settings_keep_every_other_key_byte_for_byte(make_repo):
    root = make_repo({".ringfence.toml": POLICY, ".claude/settings.json": EXISTING_SETTINGS})
    done = export(root, "--tool", "claude")
    assert done.stdout == "updated   .claude/settings.json (+1 deny entries)\n"
    text = (root / ".claude/settings.json").read_text()
    head = EXISTING_SETTINGS[: EXISTING_SETTINGS.index('"deny"')]
    tail = EXISTING_SETTINGS[EXISTING_SETTINGS.index('\n    },\n    "env"') :]
    assert text.startswith(head) and text.endswith(tail)
    assert text[len(head) : -len(tail)] == (
        '"deny": [\n'
        '            "Read(./.env)",\n'
        '            "Read(/secret/**)",\n'
        '            "Edit(/secret/**)"\n'
        "        ]"
    )
    assert settings_of(root)["permissions"]["allow"] == ["Bash(npm test)"]


def test_claude_entries_ringfence_did_not_add_survive_a_policy_change(make_repo):
    root = make_repo({".ringfence.toml": POLICY, ".claude/settings.json": EXISTING_SETTINGS})
    export(root, "--tool", "claude")
    (root / ".ringfence.toml").write_text(POLICY.replace("secret/**", "vault/**"))
    done = export(root, "--tool", "claude")
    assert "(+2 deny entries, -1 deny entries)" in done.stdout
    deny = settings_of(root)["permissions"]["deny"]
    # "Read(/secret/**)" was hand-written before ringfence ran: it stays;
    # the Edit rule ringfence added goes
    assert deny == ["Read(./.env)", "Read(/secret/**)", "Read(/vault/**)", "Edit(/vault/**)"]
    assert run_cli("export", "--check", "--tool", "claude", cwd=root).returncode == 0


def test_claude_settings_without_permissions_or_deny_get_them_inserted(make_repo):
    root = make_repo(
        {".ringfence.toml": POLICY, ".claude/settings.json": '{\n\t"model": "opus"\n}\n'}
    )
    export(root, "--tool", "claude-code")
    assert (root / ".claude/settings.json").read_text() == (
        '{\n\t"model": "opus",\n\t"permissions": {\n\t\t"deny": [\n'
        '\t\t\t"Read(/secret/**)",\n\t\t\t"Edit(/secret/**)"\n\t\t]\n\t}\n}\n'
    )
    (root / ".claude/settings.json").write_text('{"permissions": {}}')
    export(root, "--tool", "claude-code")
    assert settings_of(root) == {"permissions": {"deny": ["Read(/secret/**)", "Edit(/secret/**)"]}}
    (root / ".claude/settings.json").write_text('{"permissions": {"ask": ["Bash"]}}')
    export(root, "--tool", "claude-code")
    assert settings_of(root) == {
        "permissions": {"ask": ["Bash"], "deny": ["Read(/secret/**)", "Edit(/secret/**)"]}
    }


def test_claude_settings_that_are_not_valid_json_are_left_alone(make_repo):
    broken = '{"permissions": {"deny": [}\n'
    root = make_repo({".ringfence.toml": POLICY, ".claude/settings.json": broken})
    done = run_cli("export", "--tool", "claude", cwd=root)
    assert done.returncode == 2
    assert done.stderr.startswith("ringfence: .claude/settings.json:1:")
    assert (root / ".claude/settings.json").read_text() == broken
    (root / ".claude/settings.json").write_text('{"permissions": {"deny": "Read(x)"}}')
    done = run_cli("export", "--tool", "claude", cwd=root)
    assert done.returncode == 2 and "'permissions.deny' must be an array of strings" in done.stderr


def test_the_record_of_added_entries_lives_in_the_git_directory(make_repo):
    root = make_repo({".ringfence.toml": POLICY})
    export(root, "--tool", "claude")
    record = json.loads((root / ".git/ringfence/exports.json").read_text())
    assert record[str(root)][".claude/settings.json"] == ["Read(/secret/**)", "Edit(/secret/**)"]
    assert git(root, "status", "--porcelain", "--untracked-files=all").splitlines() == [
        "?? .claude/settings.json"
    ]


def test_when_nothing_is_denied_ringfence_removes_only_its_own_entries(make_repo):
    root = make_repo({".ringfence.toml": POLICY})
    export(root, "--tool", "claude")
    data = settings_of(root)
    data["permissions"]["deny"].insert(0, "Bash(rm -rf *)")
    (root / ".claude/settings.json").write_text(json.dumps(data, indent=2) + "\n")
    (root / ".ringfence.toml").write_text(NO_DENY_POLICY)
    export(root, "--tool", "claude")
    assert settings_of(root) == {"permissions": {"deny": ["Bash(rm -rf *)"]}}


def test_the_demo_export_selects_every_writer(demo_repo):
    done = export(demo_repo)
    written = [line.split()[1] for line in done.stdout.splitlines()]
    assert written == [
        ".cursorignore",
        ".aiexclude",
        ".aiignore",
        ".codeiumignore",
        ".aiderignore",
        ".geminiignore",
        ".continueignore",
        ".clineignore",
        ".rooignore",
        ".kiroignore",
        ".kilocodeignore",
        ".claude/settings.json",
        "opencode.json",
        "copilot-content-exclusion.yml",
    ]
    write_files(demo_repo, {"x.py": "x\n"})
    assert export(demo_repo).stdout.count("unchanged") == 14


# ----- OpenCode's opencode.json: permission.edit and permission.read ---------------------------


OPENCODE = {
    "$schema": "https://opencode.ai/config.json",
    "model": "anthropic/claude-sonnet-4-5",
    "permission": {
        "bash": {"*": "ask", "git *": "allow"},
        "edit": {"*": "ask", "docs/*.md": "allow", "secret/**": "allow"},
        "read": "allow",
    },
}


def test_opencode_keeps_every_hand_written_key_and_puts_its_denies_last(make_repo):
    root = make_repo({".ringfence.toml": POLICY, "opencode.json": json.dumps(OPENCODE)})
    export(root, "--tool", "opencode")
    config = json.loads((root / "opencode.json").read_text())
    assert config["model"] == OPENCODE["model"] and config["$schema"] == OPENCODE["$schema"]
    permission = config["permission"]
    assert permission["bash"] == OPENCODE["permission"]["bash"]
    # last match wins: the policy's deny comes after the catch-all, and replaces an allow
    assert list(permission["edit"].items()) == [
        ("*", "ask"),
        ("docs/*.md", "allow"),
        ("secret/**", "deny"),
    ]
    assert permission["read"] == {"*": "allow", "secret/**": "deny"}  # "allow" means {"*": …}
    before = (root / "opencode.json").read_bytes()
    assert "unchanged opencode.json" in export(root, "--tool", "opencode").stdout
    assert (root / "opencode.json").read_bytes() == before


def test_opencode_rules_go_when_the_policy_stops_denying_and_hand_written_ones_stay(make_repo):
    mine = {"permission": {"edit": {"vendor/**": "deny"}}}
    root = make_repo({".ringfence.toml": POLICY, "opencode.json": json.dumps(mine)})
    export(root, "--tool", "opencode")
    assert json.loads((root / "opencode.json").read_text())["permission"]["edit"] == {
        "vendor/**": "deny",
        "secret/**": "deny",
    }
    write_files(root, {".ringfence.toml": NO_DENY_POLICY})
    export(root, "--tool", "opencode")
    permission = json.loads((root / "opencode.json").read_text())["permission"]
    assert permission["edit"] == {"vendor/**": "deny"} and permission["read"] == {}


def test_opencode_json_with_comments_is_left_alone(make_repo):
    text = '{\n  // my settings\n  "model": "x"\n}\n'
    root = make_repo({".ringfence.toml": POLICY, "opencode.json": text})
    done = run_cli("export", "--tool", "opencode", cwd=root)
    assert done.returncode == 2 and "opencode.json:2:3: not plain JSON" in done.stderr
    assert "Traceback" not in done.stderr
    assert (root / "opencode.json").read_text() == text


def test_opencode_patterns_cover_at_least_the_policy_paths(make_repo):
    policy = (
        'version = 1\n[[zone]]\nname = "keys"\npath = ["*.pem", "conf/{prod,stage}/[ab].env"]\n'
        'level = "human-only"\n'
    )
    root = make_repo({".ringfence.toml": policy})
    export(root, "--tool", "opencode")
    edit = json.loads((root / "opencode.json").read_text())["permission"]["edit"]
    assert {"**/*.pem", "*.pem", "conf/prod/?.env", "conf/stage/?.env"} <= set(edit)
    assert set(edit.values()) == {"deny"}
