"""What every subcommand shares: finding the repository and reporting policy errors."""

from __future__ import annotations

import os
import sys

from ringfence.policy import Policy
from ringfence.policy.paths import find_root


def add_root_option(parser) -> None:
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="treat DIR as the repository root and resolve relative paths against it "
        "(default: the git work tree around the current directory)",
    )


def load_policy(root: str | None) -> Policy:
    if root is not None and not os.path.isdir(root):
        from ringfence.errors import UsageError

        raise UsageError(f"{root}: not a directory")
    if root is not None:
        os.chdir(root)
        return Policy(os.getcwd())
    return Policy(find_root(os.getcwd()))


def report_policy_errors(policy: Policy) -> bool:
    """Print each policy error as one ``ringfence: FILE:LINE:COL: message`` line; True if any."""
    for warning in policy.warnings:
        sys.stderr.write(f"ringfence: warning: {warning}\n")
    for error in policy.errors:
        sys.stderr.write(f"ringfence: {error}\n")
    return bool(policy.errors)
