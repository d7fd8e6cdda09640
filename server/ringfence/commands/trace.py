"""``ringfence trace manifest``: every known AI-authored line range, one JSON object per line.

This is the list a training-data pipeline excludes: Agent Trace records (reviewed ones too),
ringfence ai-begin/ai-end comment blocks, the journal's agent and editor edits, and history
(AI commit trailers and authors, git-ai notes) over the working tree, whatever the zone.
``start``/``end`` are 1-based inclusive lines; both are null when only the file is known.
"""

from __future__ import annotations

import json
import sys

from ringfence.commands._common import add_root_option, load_policy, report_policy_errors


def configure(parser) -> None:
    parser.add_argument(
        "action", choices=("manifest",), help="manifest: list every AI-authored range"
    )
    parser.add_argument("--format", choices=("jsonl",), default="jsonl")
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="limit the list to these files or directories"
    )
    add_root_option(parser)


def run(args) -> int:
    from ringfence.check import manifest
    from ringfence.check.scope import all_scope
    from ringfence.commands.check import relative_paths
    from ringfence.evidence.history import Git

    policy = load_policy(args.root)
    git = Git(policy.root)
    scope = all_scope(policy.root, git if git.is_repository() else None)
    entries, notices = manifest(policy, scope, relative_paths(policy, args.paths))
    for notice in notices:
        sys.stderr.write(f"ringfence: {notice.level}: {notice.text}\n")
    write = sys.stdout.write
    for entry in entries:
        write(json.dumps(entry, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    report_policy_errors(policy)  # levels fail closed; the list of AI ranges stays complete
    return 0
