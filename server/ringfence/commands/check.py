"""``ringfence check``: the CI and pre-commit gate (docs/ci.md).

Exit 1 when a finding is at or above ``--fail-on`` (default ``error``), else 0; 2 on a usage or
policy error (the results computed with the failed-closed policy are still printed, so a
SARIF upload step has a file). Run notes and warnings go to stderr, results to stdout.
"""

from __future__ import annotations

import sys

from ringfence.commands._common import add_root_option, load_policy, report_policy_errors


def configure(parser) -> None:
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument(
        "--staged", action="store_true", help="the changes staged for the next commit"
    )
    scope.add_argument(
        "--range", metavar="A..B", help="the commits of A..B and the lines they introduced"
    )
    scope.add_argument("--all", action="store_true", help="the whole working tree (the default)")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="exit 1 when a finding is at least this severe (default: error)",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="limit the check to these files or directories"
    )
    add_root_option(parser)


def run(args) -> int:
    from ringfence.check import run_check
    from ringfence.check.formats import render_json, render_sarif, render_text

    policy = load_policy(args.root)
    policy.discover_all()
    scope = make_scope(policy.root, args)
    report = run_check(policy, scope, relative_paths(policy, args.paths))
    for notice in report.notices:
        sys.stderr.write(f"ringfence: {notice.level}: {notice.text}\n")
    if args.format == "json":
        sys.stdout.write(render_json(report))
    elif args.format == "sarif":
        sys.stdout.write(render_sarif(report, policy.root))
    else:
        sys.stdout.write(render_text(report))
    sys.stdout.flush()
    if report_policy_errors(policy):
        return 2
    return 1 if report.fails(args.fail_on) else 0


def make_scope(root: str, args):
    from ringfence.check.scope import all_scope, range_scope, staged_scope
    from ringfence.evidence.history import Git

    repository = Git(root)
    git = repository if repository.is_repository() else None
    if args.staged:
        return staged_scope(root, git)
    if args.range is not None:
        return range_scope(root, git, args.range)
    return all_scope(root, git)


def relative_paths(policy, paths: list[str]) -> list[str] | None:
    """PATH arguments as repository-relative paths ("" for the root); outside paths are an error."""
    from ringfence.errors import UsageError

    if not paths:
        return None
    out = []
    for path in paths:
        rel = policy.relpath(path)
        if rel is None:
            raise UsageError(f"{path}: outside the repository {policy.root}")
        out.append(rel.rstrip("/"))
    return out
