"""``ringfence init``: write a commented starter ``.ringfence.toml`` at the repository root."""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

from ringfence.errors import RingfenceError
from ringfence.policy.paths import find_root


def configure(parser) -> None:
    parser.add_argument("--root", metavar="DIR", help="the repository (default: around the current directory)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing .ringfence.toml")


def run(args) -> int:
    if args.root is not None and not os.path.isdir(args.root):
        raise RingfenceError(f"{args.root}: not a directory")
    root = find_root(args.root or os.getcwd())
    target = Path(root) / ".ringfence.toml"
    if target.exists() and not args.force:
        raise RingfenceError(f"{target} already exists (use --force to overwrite it)")
    pyproject = Path(root) / "pyproject.toml"
    if pyproject.is_file() and "[tool.ringfence" in pyproject.read_text(errors="replace"):
        raise RingfenceError(f"{pyproject} already holds [tool.ringfence]; a repository keeps one root policy")
    target.write_text(resources.files("ringfence").joinpath("data/starter.ringfence.toml").read_text())
    sys.stdout.write(f"wrote {target}\nnext: uncomment a [[zone]], then run 'ringfence explain PATH'\n")
    return 0
