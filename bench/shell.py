"""Benchmark: the two maintained bash grammars for Python, side by side, and the shell hook.

For bashlex and tree-sitter + tree-sitter-bash this prints

- correctness on the constructs of issue 14 (does it parse; does the tree expose the
  redirection and word structure the hook needs: the redirect target as its own node, the
  heredoc body apart from the command, ``$'…'`` as one word, backticks as a command);
- start-up cost: import plus first parse in a fresh process, interleaved with ``python -c
  pass`` (median of N runs, bytecode cached in a temp dir as an installed package has it);

and the hook end to end: ``ringfence hook claude-code`` on a Bash payload (``ls >/dev/null``)
against ``python -c pass``. Both parsers must be installed (``pip install bashlex``; the
hook's own dependency is tree-sitter-bash).

    python bench/shell.py [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hooks import make_repo  # noqa: E402  (bench/hooks.py: a git copy of examples/demo)

CONSTRUCTS = {
    "# inside a word": ("echo x > a#b", "a#b"),
    "<<WORD inside quotes": ("echo '<<EOF' > t", "t"),
    "quoted heredoc word": ("cat <<'EOF' > f.py\nif a > b: x\nEOF\n", "f.py"),
    "write after then": ("if true; then echo > t; fi", "t"),
    "write after !": ("! echo > t", "t"),
    "brace expansion": ("echo > {a,b}.py", "{a,b}.py"),
    "backticks": ("echo `echo > t`", "t"),
    "$'...' quoting": ("echo > $'a\\x62'", "$'a\\x62'"),
    "heredoc into bash": ("bash <<'EOF'\necho > t\nEOF\n", None),
    "5 nested sh -c": ("sh -c \"sh -c 'echo > t'\"", None),
    ">/dev/null 2>&1": ("ls >/dev/null 2>&1", "/dev/null"),
}
STARTUP = {
    "bashlex": "import bashlex; bashlex.parse('echo x > a')",
    "tree-sitter-bash": (
        "import tree_sitter as t, tree_sitter_bash as b; "
        "t.Parser(t.Language(b.language())).parse(b'echo x > a')"
    ),
}


def tree_sitter_check(command: str, target: str | None) -> tuple[bool, bool]:
    import tree_sitter
    import tree_sitter_bash

    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
    root = parser.parse(command.encode()).root_node
    if root.has_error:
        return False, False
    if target is None:
        return True, True
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "file_redirect":
            words = [c for c in node.named_children if c.type != "file_descriptor"]
            if words and words[0].text.decode() == target:
                return True, True
        stack.extend(node.children)
    return True, False


def bashlex_check(command: str, target: str | None) -> tuple[bool, bool]:
    import bashlex

    try:
        parts = bashlex.parse(command)
    except Exception:
        return False, False
    if target is None:
        return True, True
    found = []

    class Visitor(bashlex.ast.nodevisitor):
        def visitredirect(self, node, *args):
            output = getattr(node, "output", None)
            if hasattr(output, "word"):
                found.append(command[output.pos[0] : output.pos[1]])

    for part in parts:
        Visitor().visit(part)
    return True, target in found


def timed(command: list[str], env: dict, stdin: bytes = b"", cwd=None) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, input=stdin, capture_output=True, cwd=cwd, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    out = sys.stdout.write
    out(f"{'construct':24s} {'bashlex':>18s} {'tree-sitter-bash':>18s}\n")
    for name, (command, target) in CONSTRUCTS.items():
        cells = []
        for check in (bashlex_check, tree_sitter_check):
            parses, structure = check(command, target)
            cells.append(f"{'parses' if parses else 'FAILS'}/{'yes' if structure else 'no'}")
        out(f"{name:24s} {cells[0]:>18s} {cells[1]:>18s}\n")
    with tempfile.TemporaryDirectory(prefix="ringfence-bench-shell-") as tmp:
        env = {
            **os.environ,
            "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache"),
            "XDG_CONFIG_HOME": str(Path(tmp) / "xdg"),
            "HOME": str(Path(tmp) / "home"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        root = make_repo(Path(tmp))
        payload = json.dumps(
            {
                "session_id": "bench",
                "cwd": str(root),
                "hook_event_name": "PreToolUse",
                "tool_name": "Bash",
                "tool_input": {"command": "ls >/dev/null 2>&1"},
            }
        ).encode()
        cases = {
            "python -c pass": ([sys.executable, "-c", "pass"], b""),
            **{
                f"import + first parse: {k}": ([sys.executable, "-c", v], b"")
                for k, v in STARTUP.items()
            },
            "ringfence hook, Bash payload": (
                [sys.executable, "-m", "ringfence", "hook", "claude-code"],
                payload,
            ),
        }
        for command, stdin in cases.values():  # warm-up: bytecode caches
            timed(command, env, stdin, root)
        samples = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, (command, stdin) in cases.items():
                samples[name].append(timed(command, env, stdin, root))
        peer = statistics.median(samples["python -c pass"])
        out(f"\nstart-up, {args.runs} interleaved runs each (median):\n")
        for name, values in samples.items():
            median = statistics.median(values)
            out(f"  {name:40s} {median * 1000:7.1f} ms   ratio {median / peer:4.2f}x\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
