"""Property test of the shell analysis against real bash: never allow what bash writes to a zone.

Hypothesis builds commands that write into a human-only zone through random combinations of
the constructs of issue 14 (quoting, ``$'…'``, brace expansion, ``cd``/``cd -``/``pushd``/
``env -C``, ``cp -t``, sed's ``w``, compound commands, backticks, ``$( )``, scripts piped,
heredoc'd or ``sh -c``'d into a shell, nested). Each command is judged by the real hook
(``run_hook``, Claude Code's format) and then run by ``bash`` in a throwaway copy of a tiny
repository; when bash changed the zone, the hook must have denied. Commands that miss the zone
(an ``open/`` target, a comment) are generated too, so the property is not trivially about
denying everything. Budget: ``fuzz.budget`` (HYPOTHESIS_PROFILE=release for 20 times more).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz import budget
from ringfence.hooks.runner import run_hook

POLICY = (
    'version = 1\n[[zone]]\nname = "vault"\npath = "zone/**"\nlevel = "human-only"\n'
    'reason = "property test"\n'
)
BASH = shutil.which("bash")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("shell-property") / "repo"
    for rel, text in {
        ".ringfence.toml": POLICY,
        "zone/z.txt": "zone\n",
        "open/a.txt": "open\n",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "zone" / "sub").mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=60)
    return root


# ----- commands ----------------------------------------------------------------------------------

spelled_dir = st.sampled_from(
    [
        ("zone", True),
        ("open", False),
        ('"zo"ne', True),
        ("'zone'", True),
        ("$'zo\\x6ee'", True),
        ("$'\\x6fpen'", False),
        ("z{one,none}", True),
        ("zone/sub/..", True),
        ("./zone", True),
    ]
)
name = st.sampled_from(["f.py", "'a b.py'", "x#y.py", "{p,q}.py", "n$'\\x31'.py"])


@st.composite
def write(draw) -> tuple[str, bool]:
    """One command writing a file: (text, whether it names the zone)."""
    directory, into_zone = draw(spelled_dir)
    file = draw(name)
    how = draw(st.integers(0, 9))
    target = f"{directory}/{file}"
    if how == 0:
        return f"echo x > {target}", into_zone
    if how == 1:
        return f"touch {target}", into_zone
    if how == 2:
        return f"printf y | tee -a {target}", into_zone
    if how == 3:
        return f"cp -t{directory} open/a.txt", into_zone
    if how == 4:
        return f"cp --target-directory={directory} open/a.txt", into_zone
    if how == 5:
        return f"sed -n 'w {directory}/sw.txt' open/a.txt", into_zone
    if how == 6:
        return f"cd {directory} && echo x > {file}", into_zone
    if how == 7:
        return f"pushd {directory} >/dev/null && touch {file}", into_zone
    if how == 8:
        return f"env -C {directory} touch {file}", into_zone
    return f"cd {directory} && cd /tmp && cd - >/dev/null && touch {file}", into_zone


def wrap(command: str, how: int) -> str:
    """The same command inside one of bash's constructs."""
    quoted = shlex.quote(command)
    return [
        f"if true; then {command}; fi",
        f"for i in 1; do {command}; done",
        f"{{ {command}; }}",
        f"! {command}",
        f"echo `{command}`",
        f'echo "$({command})"',
        f"sh -c {quoted}",
        f"bash -c {quoted}",
        f"echo {quoted} | bash",
        f"bash <<'EOF'\n{command}\nEOF",
        f"bash <<< {quoted}",
        f"(true; {command})",
        f"true # <<EOF\n{command}",
        f"echo '<<X' && {command}",
        f"eval {quoted}",
    ][how]


@st.composite
def commands(draw) -> str:
    command, _ = draw(write())
    for how in draw(st.lists(st.integers(0, 14), max_size=4)):
        command = wrap(command, how)
    if draw(st.booleans()):
        other, _ = draw(write())
        command = f"{command}; {other}" if draw(st.booleans()) else f"{other} && {command}"
    return command


# ----- the property ------------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, bytes]:
    zone = root / "zone"
    return {
        str(p.relative_to(zone)): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(zone.rglob("*"))
    }


def hook_allows(root: Path, command: str) -> bool:
    payload = {
        "session_id": "property",
        "cwd": str(root),
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command},
    }
    answer = run_hook("claude-code", json.dumps(payload).encode())
    if not answer.stdout:
        assert answer.code == 0, answer.stderr
        return True
    return json.loads(answer.stdout)["hookSpecificOutput"]["permissionDecision"] != "deny"


def bash_changes_zone(root: Path, command: str) -> bool:
    before = snapshot(root)
    env = {"PATH": os.environ["PATH"], "HOME": str(root), "LC_ALL": "C"}
    subprocess.run(
        [BASH, "-c", command],
        cwd=root,
        env=env,
        capture_output=True,
        timeout=10,
        stdin=subprocess.DEVNULL,
    )
    return snapshot(root) != before


@budget(60)
@given(command=commands())
def test_the_hook_never_allows_what_bash_writes_into_the_zone(template, tmp_path_factory, command):
    if BASH is None:
        pytest.fail("bash is not installed")
    root = tmp_path_factory.mktemp("run") / "repo"
    shutil.copytree(template, root)
    allowed = hook_allows(root, command)
    changed = bash_changes_zone(root, command)
    assert not (allowed and changed), f"allowed, but bash wrote into zone/: {command!r}"


def test_the_generator_reaches_both_sides(template, tmp_path):
    """The property is not vacuous: bash does write the zone through these constructs, the
    hook denies that, and it allows the same constructs aimed at open/."""
    root = tmp_path / "repo"
    shutil.copytree(template, root)
    into = wrap(wrap("cd $'zo\\x6ee' && touch {p,q}.py", 9), 6)
    assert not hook_allows(root, into) and bash_changes_zone(root, into)
    beside = wrap(wrap("cd $'\\x6fpen' && touch {p,q}.py", 9), 6)
    assert hook_allows(root, beside) and not bash_changes_zone(root, beside)
    assert (root / "open" / "p.py").exists()
