"""``ringfence doctor``: policy, exports, hooks and trust as a checklist; each tool's known gaps."""

from __future__ import annotations

import os
import sys

from ringfence.commands._common import add_root_option, load_policy

LABELS = {"ok": "[ok]  ", "fix": "[fix] ", "gap": "[gap] "}


def configure(parser) -> None:
    add_root_option(parser)


def run(args) -> int:
    from ringfence.doctor.checks import GAP, diagnose

    start = os.getcwd()  # where the agents are likely started from (a subdirectory matters)
    report = diagnose(load_policy(args.root).root, start=start if args.root is None else None)
    out = sys.stdout
    if report.tools:
        used = ", ".join(f"{name} ({', '.join(signs)})" for name, signs in report.tools.items())
        out.write(f"tools in use: {used}\n")
    else:
        out.write(
            "tools in use: none detected "
            "(no agent instructions, rules or hand-written ignore files)\n"
        )
    for finding in report.findings:
        out.write(f"{LABELS[finding.status]}{finding.topic}: {finding.message}\n")
    attention = len(report.attention)
    gaps = sum(f.status == GAP for f in report.findings)
    if attention:
        out.write(
            f"{attention} item(s) need attention; {gaps} known gap(s) are best-effort by design.\n"
        )
        return 1
    out.write(f"everything checked is in place; {gaps} known gap(s) are best-effort by design.\n")
    return 0
