"""``ringfence export [--tool NAME|all] [--check]``: each AI tool's file (docs/export.md)."""

from __future__ import annotations

import sys

from ringfence.commands._common import add_root_option, load_policy, report_policy_errors
from ringfence.export import Exporter, select


def configure(parser) -> None:
    parser.add_argument(
        "--tool",
        action="append",
        metavar="NAME",
        help="only this tool's file (repeatable, or comma-separated; default: all)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when a file is missing or out of date",
    )
    add_root_option(parser)


def run(args) -> int:
    targets = select(args.tool)
    policy = load_policy(args.root)
    policy.discover_all()
    if report_policy_errors(policy):
        sys.stderr.write("ringfence: nothing exported: fix the policy first\n")
        return 2
    exporter = Exporter(policy)
    plans = exporter.plan(targets)
    for warning in exporter.warnings(plans):
        sys.stderr.write(f"ringfence: warning: {warning}\n")
    if args.check:
        return _report_drift(plans)
    exporter.apply(plans)
    for plan in plans:
        detail = f" ({plan.note})" if plan.note else ""
        sys.stdout.write(f"{plan.action:<9} {plan.target.path}{detail}\n")
    return 0


def _report_drift(plans) -> int:
    out_of_date = [p for p in plans if not p.fresh]
    for plan in plans:
        detail = f" ({plan.note})" if plan.note and not plan.fresh else ""
        sys.stdout.write(f"{plan.state:<8} {plan.target.path}{detail}\n")
    if out_of_date:
        sys.stdout.write(
            f"{len(out_of_date)} of {len(plans)} exported files are missing or out of date: "
            "run 'ringfence export'\n"
        )
        return 1
    return 0
