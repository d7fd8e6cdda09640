"""``ringfence init``: write a commented starter ``.ringfence.toml`` at the repository root.

The root is the one the policy engine uses (the outermost git work tree, else the directory).
An existing policy is never overwritten without ``--force``, and a ``pyproject.toml`` that
already holds ``[tool.ringfence]`` is left alone: a repository keeps one root policy.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

from ringfence.errors import RingfenceError
from ringfence.policy.loader import parse_policy
from ringfence.policy.paths import find_root


def configure(parser) -> None:
    parser.add_argument(
        "--root", metavar="DIR", help="the repository (default: around the current directory)"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite an existing .ringfence.toml"
    )


def run(args) -> int:
    if args.root is not None and not os.path.isdir(args.root):
        raise RingfenceError(f"{args.root}: not a directory")
    root = Path(find_root(args.root or os.getcwd()))
    target = root / ".ringfence.toml"
    if target.is_dir():
        raise RingfenceError(f"{target} is a directory")
    if target.exists() and not args.force:
        raise RingfenceError(f"{target} already exists (use --force to overwrite it)")
    if _pyproject_holds_policy(root / "pyproject.toml"):
        raise RingfenceError(
            f"{root / 'pyproject.toml'} already holds [tool.ringfence]; a repository keeps one "
            "root policy"
        )
    starter = (
        resources.files("ringfence")
        .joinpath("data/starter.ringfence.toml")
        .read_text(encoding="utf-8")
    )
    try:
        tmp = target.with_name(f".ringfence.toml.{os.getpid()}.tmp")
        tmp.write_text(starter, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        raise RingfenceError(f"cannot write {target}: {exc.strerror or exc}") from None
    sys.stdout.write(
        f"wrote {target}\nnext: uncomment a [[zone]], then run 'ringfence explain PATH'\n"
    )
    return 0


def _pyproject_holds_policy(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    parsed = parse_policy(text, "pyproject.toml", "", is_root=True, pyproject=True)
    return parsed.present
