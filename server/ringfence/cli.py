"""The ``ringfence`` command line: one module per subcommand under ``ringfence.commands``.

Only the chosen subcommand's module is imported, so ``ringfence hook`` starts without loading
the language server. Every failure is one line on stderr, never a traceback.
"""

from __future__ import annotations

import importlib
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
_LOG_FORMAT = "ringfence: %(message)s"


def _Parser(**kwargs):  # noqa: N802 - reads as the class it builds
    """argparse that reports usage errors in one line and exits 2 (argparse loads on demand)."""
    import argparse

    class _OneLineParser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # type: ignore[override]
            sys.stderr.write(f"ringfence: {message} (see '{self.prog} --help')\n")
            raise SystemExit(2)

    return _OneLineParser(**kwargs)


def _top_parser():
    parser = _Parser(
        prog="ringfence", description="ringfence keeps AI-written code out of restricted zones."
    )
    parser.add_argument("--version", action="version", version=f"ringfence {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, summary) in COMMANDS.items():
        sub.add_parser(name, help=summary)
    return parser


def _hook_args(rest: list[str]):
    """``hook AGENT [--protocol NAME] [--event NAME]`` parsed without argparse (every hook run
    starts here), or None for any other shape (help, abbreviations, a usage error): argparse
    handles those."""
    if not rest or rest[0].startswith("-"):
        return None
    options: dict[str, str | None] = {"--protocol": None, "--event": None}
    words = iter(rest[1:])
    for word in words:
        name, eq, inline = word.partition("=")
        if name not in options or options[name] is not None:
            return None
        value = inline if eq else next(words, None)
        if not value or value.startswith("-"):
            return None
        options[name] = value
    from types import SimpleNamespace

    return SimpleNamespace(agent=rest[0], protocol=options["--protocol"], event=options["--event"])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        args = _top_parser().parse_args(argv)  # prints help, version or a usage error
        _top_parser().print_help(sys.stderr)
        return 2
    name = argv[0]
    module_name, summary = COMMANDS[name]
    try:
        args = _hook_args(argv[1:]) if name == "hook" else None
        if args is not None:  # the agent hook's plain form: no argparse, no logging until used
            from ringfence import lazylog
            from ringfence.commands import hook as module

            lazylog.configure_later(level=30, format=_LOG_FORMAT, stream=sys.stderr)  # WARNING
        else:
            import logging

            parser = _Parser(prog=f"ringfence {name}", description=summary)
            module = importlib.import_module(f"ringfence.commands.{module_name}")
            module.configure(parser)
            args = parser.parse_args(argv[1:])
            logging.basicConfig(level=logging.WARNING, format=_LOG_FORMAT, stream=sys.stderr)
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
