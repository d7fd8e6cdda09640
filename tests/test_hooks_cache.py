"""The hook's fast path: a cached level answers only while every input that decided it is unchanged.

Each test lets the real hook process cache an allowed path, changes one input the level depends
on, and checks that the next hook run notices (through the real process, cache on)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import RINGFENCE, run_cli

EDIT = {"old_string": "x = 1", "new_string": "x = 2"}


def event(root, path: str, tool: str = "Edit", tool_input: dict | None = None) -> str:
    data = {"file_path": path, **EDIT} if tool_input is None else tool_input
    return json.dumps(
        {
            "session_id": "s",
            "cwd": str(root),
            "hook_event_name": "PreToolUse",
            "tool_name": tool,
            "tool_input": data,
        }
    )


def hook(root, stdin: str, agent: str = "claude-code", env: dict | None = None):
    """Run the hook; return (answer, whether the policy engine was loaded)."""
    done = subprocess.run(
        [RINGFENCE[0], "-X", "importtime", *RINGFENCE[1:], "hook", agent],
        input=stdin,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, done.stderr
    engine = "ringfence.policy.engine" in done.stderr
    return (
        json.loads(done.stdout)["hookSpecificOutput"]["permissionDecisionReason"]
        if done.stdout
        else None
    ), engine


@pytest.fixture
def repo(make_repo):
    return make_repo(
        {
            ".ringfence.toml": 'version = 1\n[[zone]]\nname = "core"\npath = "core/**"\n'
            'level = "internal"\n',
            "app/x.py": "x = 1\n",
            "core/y.py": "y = 1\n",
        }
    )


def cached(repo, stdin: str, agent: str = "claude-code") -> None:
    assert hook(repo, stdin, agent) == (None, True)  # the full engine allows and caches…
    assert hook(repo, stdin, agent) == (None, False)  # …and the next run is answered without it


def test_allowed_edit_is_answered_from_the_cache(repo):
    cached(repo, event(repo, "app/x.py"))
    reason, engine = hook(repo, event(repo, "core/y.py"))
    assert engine and "internal zone 'core'" in reason  # denials always take the full path
    assert hook(repo, event(repo, "core/y.py"))[1]
    assert hook(repo, event(repo, "app/x.py"), env={"RINGFENCE_HOOK_CACHE": "off"}) == (None, True)


@pytest.mark.parametrize(
    "change",
    [
        lambda r: (r / ".ringfence.toml").write_text(
            (r / ".ringfence.toml").read_text().replace("core/**", "*/**")
        ),
        lambda r: (r / "app" / ".ringfence.toml").write_text(
            'version = 1\n[[zone]]\nname = "app"\npath = "x.py"\nlevel = "internal"\n'
        ),
        lambda r: (r / "app" / ".aiexclude").write_text("x.py\n"),
        lambda r: (r / "app" / "x.py").write_text("# ringfence: internal\nx = 1\n"),
        lambda r: (r / "pyproject.toml").write_text(
            "[tool.ringfence]\nversion = 1\n"
        ),  # both: invalid, fail closed
    ],
)
def test_any_input_change_reaches_the_full_engine(repo, change):
    stdin = event(repo, "app/x.py")
    cached(repo, stdin)
    change(repo)
    reason, engine = hook(repo, stdin)
    assert engine and reason is not None and reason.startswith("ringfence:")


def test_a_symlink_swapped_in_is_not_answered_from_the_cache(repo):
    stdin = event(repo, "app/x.py")
    cached(repo, stdin)
    (repo / "app" / "x.py").unlink()
    (repo / "app" / "x.py").symlink_to(repo / "core" / "y.py")
    reason, engine = hook(repo, stdin)
    assert engine and "internal zone 'core'" in reason


def test_a_hard_link_made_after_caching_is_judged_by_its_new_name(repo):
    cached(repo, event(repo, "app/x.py"))
    os.link(repo / "app/x.py", repo / "core/x.py")
    reason, engine = hook(repo, event(repo, "app/x.py"))
    assert engine and "core/x.py" in reason and "internal zone 'core'" in reason


def test_cache_is_per_tool_and_follows_the_user_config(repo, tmp_path):
    stdin = event(repo, "core/y.py", "Write", {"file_path": "core/y.py", "content": "y = 2\n"})
    config = tmp_path / "xdg" / "ringfence"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(
        '[assistant]\nname = "localcoder"\nkind = "url"\nurl = "http://x"\n'
    )
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert hook(repo, stdin, "localcoder", env) == (None, True)
    assert hook(repo, stdin, "localcoder", env) == (None, False)
    assert (
        hook(repo, stdin, "claude-code", env)[0] is not None
    )  # another tool: not the in-house one
    (config / "config.toml").write_text(
        '[assistant]\nname = "othercoder"\nkind = "url"\nurl = "http://x"\n'
    )
    reason, engine = hook(repo, stdin, "localcoder", env)
    assert engine and "external AI edits (localcoder)" in reason


def test_a_corrupt_cache_costs_only_time(repo):
    stdin = event(repo, "app/x.py")
    cached(repo, stdin)
    (repo / ".git" / "ringfence" / "hook-cache.json").write_text("{torn")
    assert hook(repo, stdin) == (None, True)
    assert hook(repo, stdin) == (None, False)


def test_reads_and_searches_use_the_cache_too(repo):
    cached(repo, event(repo, "app/x.py", "Read", {"file_path": "app/x.py"}))
    cached(repo, event(repo, "app", "Grep", {"pattern": "x", "path": "app"}))
    reason, engine = hook(repo, event(repo, "core/y.py", "Read", {"file_path": "core/y.py"}))
    assert engine and "must not reach external AI tools" in reason
    assert (
        len(
            run_cli(
                "hook",
                "claude-code",
                stdin=event(repo, "core/y.py", "Read", {"file_path": "core/y.py"}),
                cwd=repo,
            ).stdout
        )
        > 0
    )
