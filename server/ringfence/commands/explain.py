"""``ringfence explain``: the explain fields (docs/policy.md) for each path, as text or one JSON
object per line.

``--stdin`` reads one path per line (LF or CRLF; NUL also separates, so ``git ls-files -z``
works); empty lines are skipped; a line that is not UTF-8 is classified by its bytes as the
file system sees them, and reported on stderr. All paths are classified in one batch.
"""

from __future__ import annotations

import itertools
import json
import os
import sys

from ringfence.commands._common import add_root_option, load_policy, report_policy_errors
from ringfence.policy import Decision
from ringfence.policy.engine import Batch

_CHUNK = 50_000
_PLAIN_BYTES = bytes(b for b in range(0x20, 0x7F) if b not in b'"\\')


def configure(parser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--stdin",
        action="store_true",
        help="read paths from standard input, one per line (or NUL-separated)",
    )
    add_root_option(parser)


def run(args) -> int:
    from ringfence.errors import UsageError

    if not args.paths and not args.stdin:
        raise UsageError("give one or more paths, or --stdin")
    policy = load_policy(args.root)
    paths = list(args.paths)
    if args.stdin:
        paths += read_paths(sys.stdin.buffer.read())
    batch = policy.classify_batch(paths, cwd=os.getcwd())
    write = sys.stdout.write
    if args.json:
        tails: dict = {}
        for start in range(0, len(paths), _CHUNK):
            write(json_lines(batch, start, min(start + _CHUNK, len(paths)), tails, policy))
    else:
        for i in range(len(paths)):
            write(render(batch.decision(i), policy))
    sys.stdout.flush()
    return 2 if report_policy_errors(policy) else 0


def read_paths(data: bytes) -> list[str]:
    """The paths of ``--stdin`` input: LF, CRLF or NUL separated; empty lines skipped."""
    if b"\0" in data:
        data = data.replace(b"\0", b"\n")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "surrogateescape")
        for line in text.split("\n"):
            if not line.isascii() and _has_surrogates(line):
                shown = line.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                sys.stderr.write(
                    f"ringfence: warning: stdin path is not UTF-8: {shown!r} "
                    "(classified by its bytes)\n"
                )
    lines = text.split("\n")
    if "\n\n" in text or text.startswith("\n"):
        return [line for line in lines if line]
    return lines[:-1] if lines and not lines[-1] else lines


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def json_lines(batch: Batch, start: int, stop: int, tails: dict | None = None, policy=None) -> str:
    """Explain JSON lines (docs/policy.md) for paths ``start:stop``; each shared decision is
    serialised once (``tails`` carries those serialisations from one chunk to the next)."""
    paths = batch.paths[start:stop]
    decisions, exists = batch.decisions[start:stop], batch.exists[start:stop]
    joined = "".join(paths).encode("utf-8", "surrogateescape")
    plain = not joined.translate(None, _PLAIN_BYTES)  # nothing json.dumps would escape
    tails = {} if tails is None else tails
    flags = (False, True) if any(exists) else (False,)
    for flag in flags:
        known = tails.setdefault((plain, flag), {})
        for key in set(map(id, decisions)) - known.keys():
            body = batch.shared[key].to_json()
            body["path"], body["exists"] = "", flag
            if policy is not None and batch.shared[key].tools:
                body["tools"] = tool_rules_json(policy, batch.shared[key])
            known[key] = ('"' if plain else "") + json.dumps(body)[len('{"path": ""') :] + "\n"
    if len(flags) == 2:
        ends = [tails[plain, e][id(d)] for d, e in zip(decisions, exists, strict=True)]
    else:
        ends = list(map(tails[plain, False].__getitem__, map(id, decisions)))
    if plain:
        opener, quoted = '{"path": "', paths
    else:
        opener, quoted = '{"path": ', [json.dumps(p) for p in paths]
    return "".join(itertools.chain.from_iterable(zip(itertools.repeat(opener), quoted, ends)))


def tool_rules_json(policy, decision: Decision) -> dict:
    """``{toolId: {level, edits, context, rule, why}}`` for every canonical external tool."""
    return {tool: judged.to_json() for tool, judged in policy.tool_table(decision).items()}


def render(decision: Decision, policy=None) -> str:
    """The text form of one decision."""
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
    lines.append(
        f"  allows  external AI edits: {level.external_edits}; in-house AI edits: "
        f"{level.inhouse_edits}; external AI context: {level.external_context}"
    )
    if policy is not None and decision.tools:
        lines.extend(_tool_lines(policy, decision))
    if not decision.exists:
        lines.append("  note    the path does not exist; classified by its path alone")
    lines.extend(f"  note    {note}" for note in decision.notes)
    if decision.error:
        lines.append(f"  error   {decision.error}")
    return "\n".join(lines) + "\n"


def _tool_lines(policy, decision: Decision) -> list[str]:
    """One ``tool`` line per external tool an approved-tools rule changes, naming the rule."""
    out = []
    for tool, judged in policy.tool_table(decision).items():
        if judged.rule is not None:
            out.append(
                f"  tool    {tool}: edits {judged.level.external_edits}, context "
                f"{judged.level.external_context} ({judged.why}; {judged.rule})"
            )
    others = [t for t, j in policy.tool_table(decision).items() if j.rule is None]
    if out and others:
        out.append(f"  tool    others ({', '.join(others)}): as the level says")
    return out
