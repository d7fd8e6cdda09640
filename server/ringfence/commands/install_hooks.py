"""``ringfence install-hooks``: merge ringfence's hooks into each agent's config (docs/hooks.md).

Writes ``.claude/settings.json``, ``.codex/hooks.json``, ``.gemini/settings.json``,
``.github/hooks/ringfence.json``, ``.cursor/hooks.json``, ``.windsurf/hooks.json``,
``.kiro/agents/ringfence.json`` and ``.clinerules/hooks/{PreToolUse,PostToolUse}`` at the
repository root, keeping every existing key and hook; running it twice changes nothing. Prints
what it changed.
"""

from __future__ import annotations

import sys


def configure(parser) -> None:
    parser.add_argument(
        "--agent",
        default="all",
        metavar="NAME|all",
        help="claude-code, codex, gemini, copilot, cursor, windsurf, kiro, cline "
        "(comma-separated), or all (default)",
    )
    parser.add_argument(
        "--python",
        metavar="PATH",
        help="the interpreter the hook command runs (default: this one, by absolute path)",
    )
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="the repository root (default: the git work tree around the current directory)",
    )


def run(args) -> int:
    import os

    from ringfence.errors import UsageError
    from ringfence.hooks.install import install, parse_agents
    from ringfence.policy.paths import find_root

    agents = parse_agents(args.agent)
    if args.root is not None and not os.path.isdir(args.root):
        raise UsageError(f"{args.root}: not a directory")
    root = os.path.abspath(args.root) if args.root else str(find_root(os.getcwd()))
    for line in install(root, agents, args.python):
        sys.stdout.write(line + "\n")
    return 0
