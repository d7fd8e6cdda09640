"""``ringfence install-hooks``: merge ringfence's hook entries into each agent's project config.

Each file is read, ringfence's own entries (recognised by their ``ringfence hook`` command) are
replaced by the current ones, and every other key and hook is kept in place. Running it twice
changes nothing. The command is ``'<this interpreter>' -m ringfence hook AGENT``: it needs no
``ringfence`` on PATH and skips the console-script wrapper, which matters for a hook that runs on
every edit. Claude Code, Codex and Gemini treat exit 2 as a block and any other failure as
"carry on", so their command ends in ``|| exit 2``: if the interpreter is gone, the hook still
fails closed.

It also writes the bytecode of ringfence's own modules where it is missing: an editable install
under ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module on every hook, which
doubles its start-up (bench/hooks.py ``--no-bytecode-cache``).
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Callable

from ringfence.errors import RingfenceError, UsageError
from ringfence.hooks.agents import PROTOCOLS

AGENTS = PROTOCOLS  # every agent with a hook protocol has an install plan
TIMEOUT_SECONDS = 10
_MARK = " -m ringfence hook "


class Plan:
    """One agent's config file and the hook entries ringfence wants in it."""

    def __init__(self, agent: str, relpath: str, build) -> None:
        self.agent = agent
        self.relpath = relpath
        self.build = build  # (config: dict, command: str) -> list of change descriptions


# Codex 0.169 treats an exit 2 with nothing on stderr as a failed hook and runs the tool
# (measured with the real binary, docs/hooks.md): its fallback must say why it blocks.
CODEX_FALLBACK = (
    '|| { echo "ringfence: the codex hook failed (exit $?); denied (fail closed)" >&2; exit 2; }'
)


def hook_command(python: str, agent: str, fail_closed: bool) -> str:
    # -P: the hook's working directory (the agent's project) is not put on sys.path, so a
    # ``json.py`` or ``ringfence/`` an agent writes there cannot replace ringfence's code
    # (-I on Python 3.10, which has no -P; docs/security.md)
    isolate = "-P" if sys.version_info >= (3, 11) else "-I"
    command = f"{shlex.quote(python)} {isolate} -m ringfence hook {agent}"
    if agent == "codex":
        return f"{command} {CODEX_FALLBACK}"
    return f"{command} || exit 2" if fail_closed else command


def is_ringfence(command: object) -> bool:
    return isinstance(command, str) and (_MARK in command or command.startswith("ringfence hook "))


# ----- Claude Code, Codex, Gemini: {"hooks": {EVENT: [{"matcher", "hooks": [{"command"…}]}]}}


CLAUDE_EVENTS = {
    # Claude Code 2.1.328 has no Grep, Glob or MultiEdit tool (it searches through Bash); they
    # stay for older builds and for Copilot CLI, which runs these hooks with its own Grep/Glob.
    "PreToolUse": "Edit|Write|NotebookEdit|MultiEdit|Read|Grep|Glob|Bash",
    "PostToolUse": "Edit|Write|NotebookEdit|MultiEdit|Bash",
}
# Claude Code 2.1.295+: a pre-hook that crashes, times out or prints bad JSON blocks the tool
# instead of letting it run (``|| exit 2`` alone cannot catch a timeout). Only on PreToolUse:
# a post-hook cannot undo a write, and its failures are reported, not blocking.
CLAUDE_ON_FAILURE = {"PreToolUse": {"onFailure": "block"}}
CLAUDE_FAIL_CLOSED_SINCE = (2, 1, 295)
CODEX_EVENTS = {
    "PreToolUse": "apply_patch|Edit|Write|Bash",
    "PostToolUse": "apply_patch|Edit|Write|Bash",
}
GEMINI_EVENTS = {
    "BeforeTool": "write_file|replace|read_file|read_many_files|search_file_content|grep_search"
    "|glob|list_directory|run_shell_command",
    "AfterTool": "write_file|replace|run_shell_command",
}


def _grouped(
    events: dict[str, str], handler, extra: dict[str, dict] | None = None
) -> Callable[[dict, str], list[str]]:
    """Builder for the matcher-group format shared by Claude Code, Codex and Gemini; ``extra``
    adds keys to the handler of some events."""

    def build(config: dict, command: str) -> list[str]:
        hooks = _object(config, "hooks")
        changes = []
        for event, matcher in events.items():
            groups = hooks.setdefault(event, [])
            if not isinstance(groups, list):
                raise RingfenceError(f"'hooks.{event}' is not a list")
            want = {
                "matcher": matcher,
                "hooks": [{**handler(command), **(extra or {}).get(event, {})}],
            }
            changes.extend(_place_group(groups, want, event))
        return changes

    return build


def _place_group(groups: list, want: dict, event: str) -> list[str]:
    """Keep one ringfence group, equal to ``want``, where the first one was; keep the rest."""
    ours = [g for g in groups if isinstance(g, dict) and _has_ours(g)]
    if len(ours) == 1 and ours[0] == want:
        return []
    index = groups.index(ours[0]) if ours else len(groups)
    for group in ours:
        others = [h for h in group["hooks"] if not _is_our_handler(h)]
        if others:
            group["hooks"] = (
                others  # a group the user shares with ringfence keeps its other handlers
            )
        else:
            groups.remove(group)
    groups.insert(min(index, len(groups)), want)
    return [f"{'updated' if ours else 'added'} {event} hook"]


def _is_our_handler(handler: object) -> bool:
    return isinstance(handler, dict) and is_ringfence(handler.get("command"))


def _has_ours(group: dict) -> bool:
    handlers = group.get("hooks")
    return isinstance(handlers, list) and any(_is_our_handler(h) for h in handlers)


def _claude_handler(command: str) -> dict:
    return {"type": "command", "command": command, "timeout": TIMEOUT_SECONDS}


def _gemini_handler(command: str) -> dict:
    return {
        "type": "command",
        "command": command,
        "name": "ringfence",
        "timeout": TIMEOUT_SECONDS * 1000,
        "description": "ringfence: keep AI edits and reads inside the repository's policy",
    }


# ----- Copilot, Cursor, Windsurf, Kiro: {"hooks": {EVENT: [handler, ...]}} ----------------------


COPILOT_EVENTS = ("preToolUse", "postToolUse")
CURSOR_EVENTS = (
    "preToolUse",
    "beforeReadFile",
    "beforeShellExecution",
    "afterFileEdit",
    "afterTabFileEdit",
    "afterShellExecution",
)
# Cursor's preToolUse: the file tools only (shell has beforeShellExecution, reads beforeReadFile)
CURSOR_EDIT_TOOLS = "Write|StrReplace|Edit|MultiEdit|Delete|EditNotebook"
CURSOR_FAIL_CLOSED = ("preToolUse", "beforeReadFile")  # both always get an answer
WINDSURF_EVENTS = (
    "pre_write_code",
    "pre_read_code",
    "pre_run_command",
    "post_write_code",
    "post_run_command",
)
KIRO_EVENTS = ("preToolUse", "postToolUse")


def _flat(events, handler, key: str, version: bool = True, defaults: dict | None = None):
    """Builder for one list of handlers per event; ``handler(command, event)`` makes each."""

    def build(config: dict, command: str) -> list[str]:
        changes = []
        if version and config.get("version") != 1:
            if "version" in config:
                raise RingfenceError(
                    f"unsupported hooks file version {config['version']!r} "
                    "(ringfence writes version 1)"
                )
            config["version"] = 1
            changes.append("set version 1")
        for name, value in (defaults or {}).items():
            if name not in config:
                config[name] = value
                changes.append(f"set {name}")
        hooks = _object(config, "hooks")
        for event in events:
            entries = hooks.setdefault(event, [])
            if not isinstance(entries, list):
                raise RingfenceError(f"'hooks.{event}' is not a list")
            want = handler(command, event)
            ours = [e for e in entries if isinstance(e, dict) and is_ringfence(e.get(key))]
            if ours == [want]:
                continue
            index = entries.index(ours[0]) if ours else len(entries)
            entries[:] = [
                e for e in entries if not (isinstance(e, dict) and is_ringfence(e.get(key)))
            ]
            entries.insert(min(index, len(entries)), want)
            changes.append(f"{'updated' if ours else 'added'} {event} hook")
        return changes

    return build


def _copilot_handler(command: str, event: str) -> dict:
    return {"type": "command", "bash": command, "timeoutSec": TIMEOUT_SECONDS}


def _cursor_handler(command: str, event: str) -> dict:
    handler: dict = {"command": command, "timeout": TIMEOUT_SECONDS}
    if event == "preToolUse":
        handler["matcher"] = CURSOR_EDIT_TOOLS
    if event in CURSOR_FAIL_CLOSED:
        handler["failClosed"] = True  # a hook that crashes or times out blocks
    return handler


def _windsurf_handler(command: str, event: str) -> dict:
    return {"command": command, "show_output": event.startswith("pre_")}


def _kiro_handler(command: str, event: str) -> dict:
    return {"command": command, "matcher": "*", "timeout_ms": TIMEOUT_SECONDS * 1000}


KIRO_AGENT = {
    "name": "ringfence",
    "description": "The default tools, with ringfence's hooks: edits, reads and shell commands "
    "are checked against the repository's policy",
    "tools": ["*"],
}


# ----- Cline: one executable file per event in .clinerules/hooks/ ---------------------------------


CLINE_EVENTS = ("PreToolUse", "PostToolUse")

# ----- Antigravity CLI: .agents/hooks.json -----------------------------------------------------
# Documented as named hooks ({"NAME": {EVENT: [groups]}}) and, by another live test, as
# {"hooks": {EVENT: [groups]}}: a hook named "hooks" is both. The payload names no event, so
# each event's command passes --event.
ANTIGRAVITY_EVENTS = {
    "PreToolUse": "run_command|write_to_file|create_file|replace_file_content"
    "|multi_replace_file_content|edit_file|view_file|view_file_outline|view_code_item|list_dir"
    "|grep_search|find_by_name|codebase_search",
    "PostToolUse": "run_command|write_to_file|create_file|replace_file_content"
    "|multi_replace_file_content|edit_file",
}


def _antigravity_handler(command: str, event: str) -> dict:
    marker = " -m ringfence hook antigravity"
    command = command.replace(marker, f"{marker} --event {event}", 1)
    return {"type": "command", "command": command, "timeout": TIMEOUT_SECONDS}


def _antigravity(config: dict, command: str) -> list[str]:
    hooks = _object(config, "hooks")
    changes = []
    for event, matcher in ANTIGRAVITY_EVENTS.items():
        groups = hooks.setdefault(event, [])
        if not isinstance(groups, list):
            raise RingfenceError(f"'hooks.{event}' is not a list")
        want = {"matcher": matcher, "hooks": [_antigravity_handler(command, event)]}
        changes.extend(_place_group(groups, want, event))
    return changes


CLINE_DIR = ".clinerules/hooks"
_CLINE_DENY = (
    '{"cancel": true, "errorMessage": "ringfence: the hook could not run (is the interpreter '
    "still installed?); denied (fail closed). Run 'ringfence install-hooks --agent cline'.\"}"
)


def cline_script(command: str, event: str) -> str:
    """The hook file's text: Cline runs it by its shebang and reads JSON from its stdout."""
    fallback = f" || echo '{_CLINE_DENY}'" if event == "PreToolUse" else ""
    return (
        "#!/bin/sh\n"
        f"# ringfence: Cline {event} hook, written by 'ringfence install-hooks'.\n"
        "# Re-run it to update this file; hand edits are replaced.\n"
        f"{command}{fallback}\n"
    )


def is_ringfence_script(text: str) -> bool:
    return _MARK in text and "# ringfence: Cline" in text


PLANS = {
    "claude-code": Plan(
        "claude-code",
        ".claude/settings.json",
        _grouped(CLAUDE_EVENTS, _claude_handler, CLAUDE_ON_FAILURE),
    ),
    "codex": Plan("codex", ".codex/hooks.json", _grouped(CODEX_EVENTS, _claude_handler)),
    "gemini": Plan("gemini", ".gemini/settings.json", _grouped(GEMINI_EVENTS, _gemini_handler)),
    "copilot": Plan(
        "copilot", ".github/hooks/ringfence.json", _flat(COPILOT_EVENTS, _copilot_handler, "bash")
    ),
    "cursor": Plan(
        "cursor", ".cursor/hooks.json", _flat(CURSOR_EVENTS, _cursor_handler, "command")
    ),
    "windsurf": Plan(
        "windsurf",
        ".windsurf/hooks.json",
        _flat(WINDSURF_EVENTS, _windsurf_handler, "command", version=False),
    ),
    "kiro": Plan(
        "kiro",
        ".kiro/agents/ringfence.json",
        _flat(KIRO_EVENTS, _kiro_handler, "command", version=False, defaults=KIRO_AGENT),
    ),
    "cline": Plan("cline", CLINE_DIR, None),  # executable files, written by _cline_files
    "antigravity": Plan("antigravity", ".agents/hooks.json", _antigravity),
}
FAIL_CLOSED_BY_EXIT_CODE = ("claude-code", "codex", "gemini", "windsurf", "kiro", "antigravity")
NOTES = {
    "claude-code": "Claude Code loads .claude/settings.json only from the directory it starts "
    "in: start it at the repository root (a session started in a subdirectory runs no "
    "ringfence hook; 'ringfence doctor' run there says so).",
    "copilot": "Copilot CLI refuses a tool whose hook fails (exit non-zero, interpreter gone) "
    "but runs it when the hook times out; it also runs the hooks of .claude/settings.json.",
    "cursor": "Cursor's preToolUse hook blocks edits into deny zones and fails closed "
    "(failClosed); Tab completions (afterTabFileEdit) are journaled, not blocked.",
    "windsurf": "Cascade blocks on exit 2 only; the hook command ends in '|| exit 2'.",
    "kiro": "Kiro CLI runs these hooks only in the 'ringfence' agent: start it with "
    "'kiro-cli chat --agent ringfence' or make it the default "
    "('kiro-cli settings chat.defaultAgent ringfence').",
    "cline": "Cline runs hook files only with Settings > Features > Enable Hooks switched on.",
    "antigravity": "Antigravity CLI's hook protocol is taken from its docs and third-party live "
    "tests, not from a run here (agy is not on npm); check /hooks in agy lists 'hooks'.",
}


def codex_trust_note(root: str, env=None) -> list[str]:
    """What the user must trust in Codex before it runs the hooks just written (nothing when
    Codex already trusts them by their current hash)."""
    from ringfence.hooks import codex_trust

    env = os.environ if env is None else env
    root = os.path.abspath(root)
    path = codex_trust.user_config_path(env)
    try:
        config = codex_trust.load_user_config(path)
    except RingfenceError as exc:
        return [f"  note: Codex: {exc}; cannot tell whether it trusts the hooks"]
    hooks_json = _load(os.path.join(root, PLANS["codex"].relpath), PLANS["codex"].relpath)[0]
    hooks = codex_trust.project_hooks(
        os.path.join(root, PLANS["codex"].relpath), hooks_json, is_ringfence
    )
    standing = codex_trust.trust_of(hooks, config)
    pending = [t.hook for t in standing if t.status != codex_trust.TRUSTED]
    project = codex_trust.project_trust_level(root, config) == "trusted"
    if not pending and project:
        return []
    entries = ([f'[projects."{root}"]\ntrust_level = "trusted"'] if not project else []) + [
        codex_trust.trust_entries(pending)
    ]
    stale = any(t.status == codex_trust.MODIFIED for t in standing)
    head = "the Codex hook command changed: " if stale else ""
    verb = "re-trust" if head else "trust"
    lines = [
        f"  note: {head}Codex runs no project hook, silently, until you {verb} it by hash: "
        f"review the hooks in Codex (/hooks), or {'set' if stale else 'add'} to {path}:"
    ]
    lines += ["    " + line for line in "\n".join(e for e in entries if e).splitlines()]
    return lines


def _object(config: dict, key: str) -> dict:
    value = config.setdefault(key, {})
    if not isinstance(value, dict):
        raise RingfenceError(f"'{key}' is not a JSON object")
    return value


def install(root: str, agents: list[str], python: str | None = None) -> list[str]:
    """Merge ringfence's entries into each agent's config under ``root``; return report lines.

    Every file is planned before any is written, so a bad file changes nothing.
    """
    python = python or sys.executable
    pending: list[tuple[str, str, list[str], str]] = []
    for agent in agents:
        plan = PLANS[agent]
        if plan.build is None:
            pending.extend(_cline_files(root, hook_command(python, agent, False)))
            continue
        path = os.path.join(root, plan.relpath)
        config, existed = _load(path, plan.relpath)
        command = hook_command(python, agent, agent in FAIL_CLOSED_BY_EXIT_CODE)
        try:
            changes = plan.build(config, command)
        except RingfenceError as exc:
            raise RingfenceError(f"{plan.relpath}: {exc}") from None
        if changes or not existed:
            text = json.dumps(config, indent=2, ensure_ascii=False) + "\n"
            verb = "updated" if existed else "created"
            pending.append((path, text, [f"{verb} {plan.relpath}: {', '.join(changes)}"], agent))
        else:
            pending.append((path, "", [f"unchanged {plan.relpath}"], agent))
    report = []
    noted: set[str] = set()
    for path, text, lines, agent in pending:
        if text:
            _write(path, text, executable=agent == "cline")
            if agent in NOTES and agent not in noted:
                noted.add(agent)
                lines.append(f"  note: {NOTES[agent]}")
        if agent == "codex" and text:
            lines.extend(codex_trust_note(root))
        if agent == "gemini" and text:
            lines.extend(_gemini_trust_lines(root))
        if agent == "copilot":
            lines.extend(_copilot_trust_lines(root))
        report.extend(lines)
    if os.path.realpath(python) == os.path.realpath(sys.executable):
        compiled = precompile()
        if compiled:
            report.append(f"compiled {compiled} ringfence modules to bytecode (hooks start faster)")
    return report


def _copilot_trust_lines(root: str) -> list[str]:
    """Copilot CLI runs repository hooks only in a trusted folder: say so, with the fix."""
    from ringfence.hooks import copilot_trust

    if not copilot_trust.installed(os.environ):
        return []
    trust = copilot_trust.check(root)
    if trust.trusted:
        return []
    return [
        f"  warning: Copilot CLI does not trust {root} ({trust.source}), so it will not run "
        f"these hooks (nor those in .claude/settings.json); {trust.fix}"
    ]


def _gemini_trust_lines(root: str) -> list[str]:
    """Gemini CLI runs the hooks only in a trusted folder: say so, with the fix, when it is not."""
    from ringfence.hooks import gemini_trust

    trust = gemini_trust.check(root)
    if trust.trusted:
        return []
    return [
        f"  warning: Gemini CLI does not trust {root} ({trust.source}), so it will not run "
        f"these hooks; {trust.fix}"
    ]


def precompile() -> int:
    """Write the missing or stale bytecode of ringfence's modules; how many were compiled.

    Python reads ``.pyc`` files even where ``PYTHONDONTWRITEBYTECODE`` stops imports from writing
    them. A package directory that cannot be written is left as it is.
    """
    import compileall
    import importlib.util

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    compiled = 0
    for directory, subdirs, files in os.walk(package):
        subdirs[:] = [d for d in subdirs if d != "__pycache__"]
        for name in files:
            source = os.path.join(directory, name)
            cached = importlib.util.cache_from_source(source)
            if name.endswith(".py") and not _fresh(source, cached):
                compiled += bool(compileall.compile_file(source, quiet=2))
    return compiled


def _fresh(source: str, cached: str) -> bool:
    try:
        return os.stat(cached).st_mtime >= os.stat(source).st_mtime
    except OSError:
        return False


def _load(path: str, relpath: str) -> tuple[dict, bool]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}, False
    except (OSError, UnicodeDecodeError) as exc:
        raise RingfenceError(f"cannot read {relpath}: {exc}") from None
    if not text.strip():
        return {}, True
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RingfenceError(
            f"{exc.msg} (fix or remove the file; nothing was changed)",
            relpath,
            exc.lineno,
            exc.colno,
        ) from None
    if not isinstance(config, dict):
        raise RingfenceError(
            "the file does not hold a JSON object (nothing was changed)", relpath, 1, 1
        )
    return config, True


def _cline_files(root: str, command: str) -> list[tuple[str, str, list[str], str]]:
    """One pending write per Cline event file; a hand-written hook file is never overwritten."""
    pending = []
    for event in CLINE_EVENTS:
        relpath = f"{CLINE_DIR}/{event}"
        path = os.path.join(root, relpath)
        want = cline_script(command, event)
        try:
            with open(path, encoding="utf-8") as handle:
                have: str | None = handle.read()
        except FileNotFoundError:
            have = None
        except (OSError, UnicodeDecodeError) as exc:
            raise RingfenceError(f"cannot read {relpath}: {exc}") from None
        if have is not None and not is_ringfence_script(have):
            raise RingfenceError(
                f"{relpath} is a hook someone wrote by hand; ringfence does not replace it "
                f"(nothing was changed). Call '{command}' from it, or remove it and re-run"
            )
        if have == want and os.access(path, os.X_OK):
            pending.append((path, "", [f"unchanged {relpath}"], "cline"))
        else:
            verb = "updated" if have is not None else "created"
            pending.append((path, want, [f"{verb} {relpath}: {event} hook"], "cline"))
    return pending


def _write(path: str, text: str, executable: bool = False) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.ringfence-tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    if executable:
        os.chmod(temporary, 0o755)
    os.replace(temporary, path)


def parse_agents(value: str) -> list[str]:
    from ringfence.tool_ids import canonical_tool

    if value == "all":
        return list(AGENTS)
    agents = []
    for name in value.split(","):
        agent = canonical_tool(name)
        if agent not in PLANS:
            raise UsageError(f"unknown agent {name!r}; choose one of {', '.join(AGENTS)} or all")
        agents.append(agent)
    return agents
