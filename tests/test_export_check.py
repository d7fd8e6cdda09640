"""Drift: ``ringfence export --check`` writes nothing; exit 1 lists what is missing or stale."""

from __future__ import annotations

import json

from conftest import git, run_cli


def check(root, *args):
    return run_cli("export", "--check", *args, cwd=root)


def states(done) -> dict[str, str]:
    out = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("ok", "missing", "stale"):
            out[parts[1]] = parts[0]
    return out


def test_check_on_a_fresh_repository_lists_every_file_and_writes_nothing(demo_repo):
    before = git(demo_repo, "status", "--porcelain", "--untracked-files=all")
    cursorignore = (demo_repo / ".cursorignore").read_bytes()
    done = check(demo_repo)
    assert done.returncode == 1
    found = states(done)
    assert found[".cursorignore"] == "stale" and found[".aiexclude"] == "missing"
    assert found[".claude/settings.json"] == "missing" and len(found) == 14
    assert done.stdout.splitlines()[-1] == (
        "14 of 14 exported files are missing or out of date: run 'ringfence export'"
    )
    assert git(demo_repo, "status", "--porcelain", "--untracked-files=all") == before
    assert (demo_repo / ".cursorignore").read_bytes() == cursorignore
    assert not (demo_repo / ".git/ringfence/exports.json").exists()


def test_after_export_check_passes_and_drift_is_reported_file_by_file(demo_repo):
    assert run_cli("export", cwd=demo_repo).returncode == 0
    done = check(demo_repo)
    assert done.returncode == 0 and set(states(done).values()) == {"ok"}

    # a hand edit inside the block of one file: only that file is stale
    path = demo_repo / ".codeiumignore"
    path.write_text(path.read_text().replace("/serving/**\n", ""))
    done = check(demo_repo)
    assert done.returncode == 1
    assert [f for f, s in states(done).items() if s != "ok"] == [".codeiumignore"]

    # a comment outside the block is the user's own business
    run_cli("export", cwd=demo_repo)
    path.write_text("# my own line\n" + path.read_text())
    assert check(demo_repo).returncode == 0

    # a hand-written pattern raises its paths (an import), so every tool's file must follow
    path.write_text(path.read_text() + "extra/\n")
    done = check(demo_repo)
    assert done.returncode == 1 and set(states(done).values()) == {"stale"}


def test_a_policy_change_makes_every_export_stale(demo_repo):
    run_cli("export", cwd=demo_repo)
    policy = demo_repo / ".ringfence.toml"
    policy.write_text(
        policy.read_text().replace('path = "serving/**"', 'path = ["serving/**", "infra/**"]')
    )
    done = check(demo_repo)
    assert done.returncode == 1
    assert set(states(done).values()) == {"stale"}
    assert run_cli("export", cwd=demo_repo).returncode == 0
    assert "/infra/**" in (demo_repo / ".aiexclude").read_text()
    assert (
        "Edit(/infra/**)"
        in json.loads((demo_repo / ".claude/settings.json").read_text())["permissions"]["deny"]
    )


def test_moving_a_zone_within_its_file_is_not_drift(demo_repo):
    run_cli("export", cwd=demo_repo)
    policy = demo_repo / ".ringfence.toml"
    policy.write_text("# a new comment line shifts every zone down\n" + policy.read_text())
    assert check(demo_repo).returncode == 0


def test_a_new_header_marker_is_drift(demo_repo):
    run_cli("export", cwd=demo_repo)
    (demo_repo / "app/utils.py").write_text(
        "# ringfence: human-only\n" + (demo_repo / "app/utils.py").read_text()
    )
    done = check(demo_repo, "--tool", "cursor")
    assert done.returncode == 1 and states(done) == {".cursorignore": "stale"}
    run_cli("export", cwd=demo_repo)
    assert "/app/utils.py" in (demo_repo / ".cursorignore").read_text()


def test_claude_drift_is_a_missing_entry_not_an_extra_hand_written_one(demo_repo):
    run_cli("export", cwd=demo_repo)
    path = demo_repo / ".claude/settings.json"
    data = json.loads(path.read_text())
    data["permissions"]["deny"].append("Read(./.env)")
    path.write_text(json.dumps(data, indent=2))
    assert check(demo_repo, "--tool", "claude").returncode == 0
    data["permissions"]["deny"].remove("Edit(/serving/**)")
    path.write_text(json.dumps(data, indent=2))
    done = check(demo_repo, "--tool", "claude")
    assert (
        done.returncode == 1 and "stale    .claude/settings.json (+1 deny entries)" in done.stdout
    )


def test_check_only_the_tools_asked_for(demo_repo):
    done = check(demo_repo, "--tool", "copilot", "--tool", "aider,gemini")
    assert list(states(done)) == [
        ".aiexclude",
        ".aiderignore",
        ".geminiignore",
        "copilot-content-exclusion.yml",
    ]


def test_an_unknown_tool_is_a_usage_error(demo_repo):
    done = check(demo_repo, "--tool", "notepad")
    assert done.returncode == 2
    assert done.stderr.startswith("ringfence: unknown tool 'notepad'; choose from all, cursor,")
