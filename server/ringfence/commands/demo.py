"""`ringfence demo`: the language server at work on the bundled demo repository (real LSP)."""

from __future__ import annotations


def configure(parser) -> None:
    parser.description = (
        "Copy examples/demo to a temporary git repository, run 'ringfence lsp' on it, "
        "accept AI suggestions in a human-only and a tagged file, and show the diagnostics, "
        "the code actions, and what tagging and reverting do."
    )


def run(args) -> int:
    from ringfence.lsp.demo import run_demo

    return run_demo()
