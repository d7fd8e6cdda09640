"""Shared set-up for the real-agent hook tests: the agent binaries, a policy repository, an
isolated home, and an interpreter wrapper that records every payload an agent sends its hooks.

The agent CLIs come from ``scripts/setup.d/agents.sh``; a missing binary fails the test (it is
an install problem, never a reason to skip).
"""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = Path(
    os.environ.get("RINGFENCE_TOOLS_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ringfence-dev"
)
AGENT_BIN = TOOLS / "agents" / "node_modules" / ".bin"

POLICY = """\
version = 1
default = "open"

[assistant]
name = "metacode"
kind = "openai"
endpoint = "http://127.0.0.1:9/v1"
model = "qwen2.5-coder"

[[zone]]
name = "training-data"
path = ["training/**"]
level = "human-only"
reason = "Training data must be handwritten."

[[zone]]
name = "model-serving"
path = "serving/**"
level = "internal"
reason = "Serving code must not leave the company."
"""

FILES = {
    "src/app.py": "def app():\n    return 1\n",
    "training/gen.py": "def gen():\n    return 'handwritten'\n",
    "serving/server.py": "SECRET_ROUTE = '/internal'\n",
}


def agent_binary(name: str) -> str:
    path = AGENT_BIN / name
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: run scripts/setup.d/agents.sh")
    return str(path)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def make_repo(base: Path) -> Path:
    """A committed git repository with the test policy and one file per zone."""
    root = base / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "Dev")
    (root / ".ringfence.toml").write_text(POLICY)
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


def recording_python(base: Path, records: Path) -> str:
    """An interpreter wrapper for ``install-hooks --python``: it saves each hook's stdin (the
    agent's payload) under ``records/`` and then runs this interpreter with the same input."""
    records.mkdir(parents=True, exist_ok=True)
    wrapper = base / "recording-python"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"f=$(mktemp {shlex.quote(str(records))}/payload-XXXXXX)\n"
        'cat > "$f"\n'
        'printf "%s\\n" "$*" > "$f.args"\n'
        f'exec {shlex.quote(sys.executable)} "$@" < "$f"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return str(wrapper)


def install_hooks(root: Path, python: str, agent: str = "all") -> str:
    return subprocess.run(
        [sys.executable, "-m", "ringfence", "install-hooks", "--agent", agent, "--python", python],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def isolated_env(base: Path, **extra: str) -> dict[str, str]:
    """The environment for an agent: its own HOME and XDG dirs, no proxy, nothing of ours."""
    home = base / "home"
    home.mkdir(exist_ok=True)
    keep = ("PATH", "LANG", "LC_ALL", "TERM", "TMPDIR", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        NO_PROXY="127.0.0.1,localhost",
        CI="true",
    )
    env.update(extra)
    return env


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)
