"""Benchmark: ``ringfence hook claude-code`` start-up against a bare interpreter, side by side.

A hook runs before every agent edit, so its wall time is mostly interpreter start-up plus
imports. This runs, interleaved, N times each:

- the peer: ``python3 -c pass`` (the same interpreter the hook uses);
- ``python3 -m ringfence hook claude-code`` (the exact command ``install-hooks`` writes, minus
  its ``|| exit 2``) with a Claude Code PreToolUse ``Edit`` payload on stdin, in a git copy of
  ``examples/demo``: an allowed edit of ``app/main.py`` answered by the hook's fast path (the
  path's level cached by an earlier hook, every input re-checked), the same edit with the cache
  off (``RINGFENCE_HOOK_CACHE=off``: the full policy engine, as on the first edit of a path), a
  denied edit of ``serving/tokenizer.py`` (always the full engine: it writes the reason), and
  a denied edit under a 1,000-zone and a 5,000-zone policy (the glob index cached on disk), and
  the first hook after a policy change with 5,000 zones (an empty cache each run: the policy
  parsed, its globs translated and indexed; target well under 1 s).

Both sides run with bytecode caching on (``PYTHONPYCACHEPREFIX`` in a temporary directory, after
a warm-up), as an installed package has its ``.pyc`` files; ``--no-bytecode-cache`` keeps the
calling environment instead. Prints medians, the 90th percentiles and the ratio hook / peer
(target: every median within 4x).

    python bench/hooks.py [--runs 30] [--no-bytecode-cache]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 4.0
COLD_TARGET = 1.0  # seconds: the first hook after a policy change (docs/performance.md)
COLD = "first hook, 5,000 zones, empty cache"


def make_repo(base: Path, name: str = "demo", zones: int = 0) -> Path:
    """A git copy of examples/demo; with ``zones``, its policy grows that many more zones."""
    root = base / name
    shutil.copytree(REPO / "examples" / "demo", root)
    if zones:
        extra = "".join(
            f'\n[[zone]]\nname = "bench-{i}"\npath = ["team-{i}/**", "**/gen-{i}/*.py"]\n'
            f'level = "{("tagged", "internal")[i % 2]}"\nreason = "bench zone {i}"\n'
            for i in range(zones)
        )
        policy = root / ".ringfence.toml"
        policy.write_text(policy.read_text() + extra)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@example.com",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@example.com",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "demo"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    return root


def payload(root: Path, rel: str, old: str, new: str) -> bytes:
    return json.dumps(
        {
            "session_id": "bench",
            "transcript_path": "/tmp/bench.jsonl",
            "cwd": str(root),
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": "Edit",
            "tool_input": {
                "file_path": str(root / rel),
                "old_string": old,
                "new_string": new,
                "replace_all": False,
            },
            "tool_use_id": "toolu_bench",
        }
    ).encode()


def denied(root: Path) -> bytes:
    """An edit of the demo's model-serving code, an internal zone: always denied."""
    return payload(root, "serving/tokenizer.py", "class Tokenizer:", "class Tokenizer(object):")


def timed(
    command: list[str], stdin: bytes, cwd: Path, env: dict
) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(command, input=stdin, cwd=cwd, env=env, capture_output=True)
    return time.perf_counter() - start, done


def say(text: str) -> None:
    sys.stdout.write(text + "\n")


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return f"median {statistics.median(samples) * 1000:7.1f} ms   p90 {p90 * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="run with the calling environment's bytecode settings",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ringfence-bench-hooks-") as tmp:
        base = Path(tmp)
        root = make_repo(base)
        env = {**os.environ, "XDG_CONFIG_HOME": str(base / "xdg"), "HOME": str(base / "home")}
        if not args.no_bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(base / "pycache")
        peer = [sys.executable, "-c", "pass"]
        hook = [sys.executable, "-m", "ringfence", "hook", "claude-code"]
        allowed = payload(root, "app/main.py", "import sys", "import sys")
        cold = {**env, "RINGFENCE_HOOK_CACHE": "off"}
        large = make_repo(base, "large", zones=1000)
        huge = make_repo(base, "huge", zones=5000)
        cases = {  # name: (cwd, stdin, environment)
            "allowed edit, fast path": (root, allowed, env),
            "allowed edit, cache off (full engine)": (root, allowed, cold),
            "denied edit (full engine)": (root, denied(root), env),
            "denied edit, 1,000-zone policy": (large, denied(large), env),
            "denied edit, 5,000-zone policy": (huge, denied(huge), env),
            COLD: (huge, denied(huge), env),
        }
        for cwd, stdin, case_env in cases.values():  # warm-up: bytecode, the hook's caches
            for _ in range(2):
                timed(peer, b"", root, env)
                _, done = timed(hook, stdin, cwd, case_env)
                if done.returncode != 0:
                    sys.stderr.write(done.stderr.decode())
                    return 2
        samples: dict[str, list[float]] = {"peer": [], **{name: [] for name in cases}}
        answers = {}
        for run in range(args.runs):
            samples["peer"].append(timed(peer, b"", root, env)[0])
            for name, (cwd, stdin, case_env) in cases.items():
                if name == COLD:
                    case_env = {**case_env, "XDG_CACHE_HOME": str(base / f"cold-cache-{run}")}
                elapsed, done = timed(hook, stdin, cwd, case_env)
                samples[name].append(elapsed)
                answers[name] = done.stdout
        say(
            f"ringfence hook start-up, {args.runs} interleaved runs each "
            f"(bytecode cache {'off' if args.no_bytecode_cache else 'on'}; {os.cpu_count()} CPUs)"
        )
        say(f"  peer: {shlex.join(peer)}")
        say(
            f"  hook: {shlex.join(hook)} < PreToolUse Edit payload, "
            "cwd = a git copy of examples/demo"
        )
        peer_median = statistics.median(samples["peer"])
        say(f"  {'python3 -c pass':38s} {summary(samples['peer'])}")
        worst = 0.0
        for name in cases:
            ratio = statistics.median(samples[name]) / peer_median
            if name != COLD:
                worst = max(worst, ratio)
            verdict = "deny" if answers[name] else "allow (silent)"
            say(f"  {name:38s} {summary(samples[name])}   ratio {ratio:4.2f}x   answer: {verdict}")
        say(
            f"target: every median within {TARGET_RATIO:.0f}x of the peer -> "
            f"{'met' if worst <= TARGET_RATIO else 'NOT met'} (worst {worst:.2f}x, "
            "the first hook after a policy change aside)"
        )
        cold = statistics.median(samples[COLD])
        say(
            f"target: the first hook after a policy change under {COLD_TARGET:.0f} s -> "
            f"{'met' if cold < COLD_TARGET else 'NOT met'} (median {cold:.2f} s, "
            f"p90 {sorted(samples[COLD])[int(round(0.9 * (len(samples[COLD]) - 1)))]:.2f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
