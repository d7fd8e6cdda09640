"""``ringfence explain``: SPEC §3.4 for each path, as text or one JSON object per line."""

from __future__ import annotations

import json
import sys

from ringfence.commands._common import add_root_option, load_policy, report_policy_errors
from ringfence.policy import Decision


def configure(parser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--stdin", action="store_true", help="read paths from standard input, one per line")
    add_root_option(parser)


def run(args) -> int:
    from ringfence.errors import UsageError

    if not args.paths and not args.stdin:
        raise UsageError("give one or more paths, or --stdin")
    policy = load_policy(args.root)
    paths = args.paths
    if args.stdin:
        paths = [*paths, *(line.rstrip("\r\n") for line in sys.stdin if line.strip())]
    out = sys.stdout
    write = out.write
    for path in paths:
        decision = policy.classify(path)
        write(json.dumps(decision.to_json()) + "\n" if args.json else render(decision))
    out.flush()
    return 2 if report_policy_errors(policy) else 0


def render(decision: Decision) -> str:
    lines = [f"{decision.path}: {decision.level.name}"]
    if decision.zone is not None:
        lines.append(f"  zone    {decision.zone.name}")
    if decision.rule:
        lines.append(f"  rule    {decision.rule} ({decision.source})")
    else:
        lines.append(f"  rule    none: the default level ({decision.source})")
    if decision.reason:
        lines.append(f"  reason  {decision.reason}")
    if decision.owner:
        lines.append(f"  owner   {decision.owner}")
    level = decision.level
    lines.append(f"  allows  external AI edits: {level.external_edits}; in-house AI edits: "
                 f"{level.inhouse_edits}; external AI context: {level.external_context}")
    if not decision.exists:
        lines.append("  note    the path does not exist; classified by its path alone")
    lines.extend(f"  note    {note}" for note in decision.notes)
    if decision.error:
        lines.append(f"  error   {decision.error}")
    return "\n".join(lines) + "\n"
