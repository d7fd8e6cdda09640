"""``ringfence hook AGENT``: judge one agent hook event read from stdin (docs/hooks.md).

AGENT is the tool id (``claude-code``, ``codex``, ``gemini``, ``copilot``, ``cursor``,
``windsurf``, ``kiro``, ``cline``, an alias such as ``claude`` or ``Copilot``, or an in-house
assistant's name); it is what the policy's in-house check sees. ``--protocol`` picks the payload
format for ids that are not one of these agents (default: Claude Code's). The answer is
written in that agent's own protocol.
"""

from __future__ import annotations

import sys


def configure(parser) -> None:
    parser.add_argument(
        "agent", metavar="AGENT", help="the agent (tool id) whose event is on stdin"
    )
    parser.add_argument(
        "--protocol",
        metavar="NAME",
        help="payload format: claude-code, codex, gemini, copilot, cursor, windsurf, kiro, "
        "cline or antigravity "
        "(default: the agent's own; Claude Code's for other ids)",
    )
    parser.add_argument(
        "--event",
        metavar="NAME",
        help="the hook event, for agents whose payload does not name it (Antigravity CLI: "
        "PreToolUse or PostToolUse; install-hooks writes it)",
    )


def run(args) -> int:
    from ringfence.hooks.agents import protocol_for
    from ringfence.hooks.runner import run_hook

    protocol_for(
        args.agent.strip().lower(), args.protocol
    )  # an unknown --protocol is a usage error
    if sys.stdin.isatty():
        from ringfence.errors import UsageError

        raise UsageError("pipe the agent's JSON event into 'ringfence hook' on stdin")
    answer = run_hook(args.agent, sys.stdin.buffer.read(), args.protocol, args.event)
    if answer.stdout:
        sys.stdout.write(answer.stdout)
        sys.stdout.flush()
    if answer.stderr:
        sys.stderr.write(answer.stderr)
    return answer.code
