"""The ``ringfence`` command line: one module per subcommand under ``ringfence.commands``.

Only the chosen subcommand's module is imported, so ``ringfence hook`` starts without loading
the language server. Every failure is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from ringfence import __version__
from ringfence.errors import RingfenceError

COMMANDS: dict[str, tuple[str, str]] = {
    "explain": ("explain", "why a path has its level: zone, rule, reason, owner"),
    "check": ("check", "find AI-authored lines where the policy forbids them (CI gate)"),
    "export": ("export", "write the policy into every AI tool's native ignore file"),
    "doctor": ("doctor", "check hooks, exports and policy, and list each agent's known gaps"),
    "hook": ("hook", "agent hook: read the agent's JSON event on stdin, allow or deny"),
    "install-hooks": ("install_hooks", "merge ringfence's hooks into each agent's project config"),
    "trace": ("trace", "Agent Trace provenance: 'trace manifest' lists every AI-authored range"),
    "lsp": ("lsp", "run the language server (stdio or TCP)"),
    "demo": ("demo", "show the language server at work on the bundled demo repository"),
    "init": ("init", "write a commented starter .ringfence.toml"),
}


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"ringfence: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def _top_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ringfence", description="ringfence keeps AI-written code out of restricted zones.")
    parser.add_argument("--version", action="version", version=f"ringfence {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, summary) in COMMANDS.items():
        sub.add_parser(name, help=summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        args = _top_parser().parse_args(argv)  # prints help, version or a usage error
        _top_parser().print_help(sys.stderr)
        return 2
    name = argv[0]
    module_name, summary = COMMANDS[name]
    parser = _Parser(prog=f"ringfence {name}", description=summary)
    try:
        module = importlib.import_module(f"ringfence.commands.{module_name}")
        module.configure(parser)
        args = parser.parse_args(argv[1:])
        logging.basicConfig(level=logging.WARNING, format="ringfence: %(message)s", stream=sys.stderr)
        return int(module.run(args) or 0)
    except RingfenceError as exc:
        sys.stderr.write(f"ringfence: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    except Exception as exc:  # the last line of defence: one line, no traceback
        sys.stderr.write(f"ringfence: internal error in '{name}': {type(exc).__name__}: {exc}\n")
        return 2
