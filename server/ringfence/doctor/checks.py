"""``ringfence doctor``'s checks (docs/export.md): is every guarantee in place, what is best-effort?

Checks the policy (valid, no rule below a locked floor), the exports (fresh), each agent's hooks
(installed by ``ringfence install-hooks``, their interpreter still there, not switched off), Codex
trust of the project's ``.codex/`` layer and of each ringfence hook by hash, and lists the known
gaps of every AI tool the repository shows signs of using. Pure: it reads files and reports
:class:`Finding` objects; printing is the command's job.
"""

from __future__ import annotations

import glob
import json
import os
import posixpath
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from ringfence.errors import RingfenceError
from ringfence.export import Exporter, read_text
from ringfence.export.rules import is_pattern
from ringfence.hooks import codex_trust
from ringfence.hooks.install import (
    ANTIGRAVITY_EVENTS,
    CLAUDE_EVENTS,
    CLINE_DIR,
    CLINE_EVENTS,
    CODEX_EVENTS,
    COPILOT_EVENTS,
    CURSOR_EVENTS,
    CURSOR_FAIL_CLOSED,
    GEMINI_EVENTS,
    KIRO_EVENTS,
    PLANS,
    WINDSURF_EVENTS,
    is_ringfence,
    is_ringfence_script,
)
from ringfence.policy import Policy
from ringfence.policy.imports import hand_written_lines

OK, FIX, GAP = "ok", "fix", "gap"


@dataclass(frozen=True)
class Finding:
    status: str  # ok | fix (needs attention) | gap (a known limit of a tool: best-effort)
    topic: str
    message: str


@dataclass(frozen=True)
class Tool:
    name: str
    signs: tuple[str, ...]  # files or directories (glob patterns) that show the tool is in use
    ignore_file: str | None  # its ignore file: hand-written lines in it are a sign too
    gaps: tuple[str, ...]


TOOLS: tuple[Tool, ...] = (
    Tool(
        "claude-code",
        (
            "CLAUDE.md",
            ".claude/*.md",
            ".claude/commands",
            ".claude/agents",
            ".claude/skills",
            ".claude/settings.local.json",
            ".mcp.json",
        ),
        None,
        (
            "permissions.deny is matched only for Read() and Edit() rules (Write, NotebookEdit "
            "and Glob rules never match); ringfence writes both and its PreToolUse hook also "
            "covers Write",
            "Bash commands and the scripts they run (python, node, ...) can read and write any "
            "file: the hook checks shell commands best-effort only",
            "disableAllHooks in any settings file, or a user who skips the hooks, turns the hooks "
            "off",
        ),
    ),
    Tool(
        "codex",
        ("AGENTS.md", ".codex/config.toml", ".codex/prompts", ".codex/rules"),
        None,
        (
            "Codex has no read hook and no ignore file: it reads files through the shell, so "
            "closed context can still be read",
            "project hooks run only while the project's .codex/ layer is trusted and each hook "
            "is trusted by its hash (checked above); a hook that times out lets the tool run",
            "shell edits (sed -i, redirections) are checked best-effort",
        ),
    ),
    Tool(
        "gemini",
        ("GEMINI.md", ".gemini/*.md", ".gemini/commands", ".gemini/extensions"),
        ".geminiignore",
        (
            ".geminiignore covers only the tools that support it (@ inclusion, read_many_files); "
            "its '!' negation is reported unreliable",
            "shell commands (run_shell_command) are checked best-effort",
            "Gemini CLI reads .gemini/settings.json only from the directory it starts in: "
            "started in a subdirectory it runs no ringfence hook (start it at the repository "
            "root)",
            "--skip-trust starts Gemini CLI without the workspace settings: no ringfence hook "
            "runs (trust the folder instead)",
            "a hook that times out lets the tool run (fail-open); a crash of ringfence's hook "
            "command is turned into exit 2 and blocks",
        ),
    ),
    Tool(
        "copilot",
        (
            ".github/copilot-instructions.md",
            ".github/instructions",
            ".github/prompts",
            ".github/agents",
            ".github/chatmodes",
        ),
        None,
        (
            "content exclusion does not cover agent mode in IDE chat, the Copilot CLI or the "
            "cloud agent",
            "content exclusion is a GitHub setting: paste copilot-content-exclusion.yml into the "
            "repository's settings (ringfence cannot check that it was); changes take up to "
            "30 minutes",
            "Copilot CLI runs the tool when a hook times out (fail-open); a crash or a missing "
            "interpreter refuses it",
            "Copilot CLI started with --trust-folder in a subdirectory trusts only that "
            "subdirectory and loads no repository hook: start it at the root, or trust the "
            "repository once; machine-wide hooks in /etc/github-copilot/policy.d/*.json run in "
            "every folder (an administrator's choice; ringfence does not write there)",
        ),
    ),
    Tool(
        "cursor",
        (".cursor/rules", ".cursor/mcp.json", ".cursorrules", ".cursorindexingignore"),
        ".cursorignore",
        (
            ".cursorignore does not cover the agent's terminal or MCP tools, and Cursor calls it "
            "best-effort",
            "the preToolUse hook blocks the agent's file tools (failClosed: a crash or timeout "
            "blocks too); Tab completions have no event before the edit, so they are journaled "
            "and flagged (RF001), not blocked",
            "beforeShellExecution is not fail-closed (a fail-closed hook must answer every "
            "command, which would skip Cursor's own approval): a crashed shell hook lets the "
            "command run",
        ),
    ),
    Tool(
        "antigravity",
        (".agents/rules", ".agents/workflows", ".agents/skills"),
        None,
        (
            "the hook protocol comes from Antigravity's docs and third-party live tests of agy "
            "1.0.5/1.1.2, not from a run by ringfence's tests (agy is not on npm)",
            "an 'allow' does not skip agy's own confirmation prompt; a missing or malformed "
            "answer makes agy ask the user (fail closed)",
            "shell commands (run_command) are checked best-effort",
        ),
    ),
    Tool(
        "gemini-code-assist",
        (),
        ".aiexclude",
        (
            ".aiexclude has no negation (carve-outs are exported as a superset) and is not read by "
            "JetBrains IDEs or the Gemini CLI",
        ),
    ),
    Tool(
        "windsurf",
        (".windsurfrules", ".windsurf/rules", ".windsurf/workflows"),
        ".codeiumignore",
        (
            "Cascade's pre_write_code, pre_read_code and pre_run_command hooks block on exit 2 "
            "only; a hook that times out lets the action run",
            ".codeiumignore is documented as indexing control only; the hooks are what blocks",
            "Windsurf Tab / Supercomplete edits run no hook: they are not blocked or journaled",
        ),
    ),
    Tool(
        "kiro",
        (".kiro/steering", ".kiro/specs", ".kiro/settings"),
        ".kiroignore",
        (
            "Kiro CLI runs hooks only for the agent whose configuration holds them: use the "
            "'ringfence' agent (kiro-cli chat --agent ringfence) or add the hooks to yours",
            "the Kiro IDE's agent hooks (.kiro/hooks/*.kiro.hook) get no tool input and cannot "
            "block an edit; .kiroignore is what keeps files out of its context",
            "a Kiro CLI hook that fails other than with exit 2, or times out, only warns",
        ),
    ),
    Tool(
        "opencode",
        ("opencode.json", "opencode.jsonc", ".opencode"),
        None,
        (
            "OpenCode has no command hook: ringfence exports the policy as permission.edit and "
            "permission.read deny globs in opencode.json ('ringfence export --tool opencode')",
            "OpenCode's bash tool is not covered by those globs: shell writes and reads are "
            "not checked",
        ),
    ),
    Tool(
        "kilocode",
        (".kilocode",),
        ".kilocodeignore",
        (".kilocodeignore governs what Kilo Code reads; there is no hook",),
    ),
    Tool(
        "aider",
        (".aider.conf.yml", ".aider.chat.history.md"),
        ".aiderignore",
        (
            ".aiderignore hides files from the repo map and /add completion, not from an "
            "explicit /add; "
            "there is no hook",
        ),
    ),
    Tool(
        "jetbrains",
        (".junie", ".noai"),
        ".aiignore",
        (
            ".aiignore must be switched on in the AI Assistant settings; Junie asks before "
            "reading a "
            "listed file instead of refusing",
        ),
    ),
    Tool(
        "continue",
        (".continue",),
        ".continueignore",
        (".continueignore governs indexing and context; it does not block edits",),
    ),
    Tool(
        "cline",
        (".clinerules/*.md", ".clinerules/workflows", ".clinerules/*.txt"),
        ".clineignore",
        (
            "Cline runs hook files only while Settings > Features > Enable Hooks is on, and "
            "not on Windows",
            "Cline lets a tool run when its hook fails without answering (fail-open); the "
            "installed PreToolUse file answers a deny when ringfence cannot start",
        ),
    ),
    Tool(
        "roo",
        (".roo", ".roomodes"),
        ".rooignore",
        (".rooignore governs what Roo Code reads; it does not block edits",),
    ),
)

HOOK_EVENTS = {
    "claude-code": tuple(CLAUDE_EVENTS),
    "codex": tuple(CODEX_EVENTS),
    "gemini": tuple(GEMINI_EVENTS),
    "copilot": COPILOT_EVENTS,
    "cursor": CURSOR_EVENTS,
    "windsurf": WINDSURF_EVENTS,
    "kiro": KIRO_EVENTS,
    "cline": CLINE_EVENTS,
    "antigravity": tuple(ANTIGRAVITY_EVENTS),
}


@dataclass
class Report:
    tools: dict[str, list[str]]  # tools in use -> the files that show it
    findings: list[Finding]

    @property
    def attention(self) -> list[Finding]:
        return [f for f in self.findings if f.status == FIX]


def diagnose(root: str, env: Mapping[str, str] | None = None, start: str | None = None) -> Report:
    """Every check, in the order the command prints them. ``start`` is the directory the user
    runs doctor (and so, likely, the agents) from; it defaults to the root."""
    env = os.environ if env is None else env
    policy = Policy(root)
    findings = _policy(policy)
    findings += _exports(policy)
    used = tools_in_use(policy.root)
    for agent in HOOK_EVENTS:
        findings += _hooks(policy.root, agent, agent in used)
        if agent == "claude-code":
            from ringfence.doctor.claude import claude_checks

            findings += claude_checks(policy.root, env, start or policy.root)
    if "codex" in used or codex_set_up(policy.root, env):
        findings += _codex_trust(policy.root, env)
    if "gemini" in used:
        findings += gemini_trust_findings(policy.root, env)
    if _copilot_runs_here(policy.root, used, env):
        findings += copilot_trust_findings(policy.root, env)
    for tool in TOOLS:
        if tool.name in used:
            findings += [Finding(GAP, tool.name, gap) for gap in tool.gaps]
    return Report(used, findings)


# ----- the policy --------------------------------------------------------------------------------


def _policy(policy: Policy) -> list[Finding]:
    files = policy.discover_all()
    if policy.root_file is None:
        return [
            Finding(
                FIX,
                "policy",
                "no .ringfence.toml (or [tool.ringfence] in pyproject.toml): "
                "every path is open; run 'ringfence init'",
            )
        ]
    out = [Finding(FIX, "policy", str(error)) for error in policy.errors]
    for zone, floor in policy.floor_violations():
        out.append(
            Finding(
                FIX,
                "policy",
                f"{zone.rule}: zone {zone.name!r} is below the locked zone "
                f"{floor.name!r} ({floor.rule}) and is ignored (RF101)",
            )
        )
    if not out:
        zones = sum(len(p.zones) for p in files)
        out.append(Finding(OK, "policy", f"{len(files)} policy file(s), {zones} zone(s), valid"))
    return out


# ----- the exports -------------------------------------------------------------------------------


def _exports(policy: Policy) -> list[Finding]:
    if policy.errors:
        return [Finding(FIX, "exports", "cannot be checked while the policy is invalid")]
    try:
        exporter = Exporter(policy)
        plans = exporter.plan()
    except RingfenceError as exc:
        return [Finding(FIX, "exports", str(exc))]
    out_of_date = [p for p in plans if not p.fresh]
    if not out_of_date:
        return [Finding(OK, "exports", f"{len(plans)} files up to date")]
    listed = ", ".join(f"{p.target.path} ({p.state})" for p in out_of_date)
    return [Finding(FIX, "exports", f"{listed}: run 'ringfence export'")]


# ----- hooks -------------------------------------------------------------------------------


def _hook_files(root: str, agent: str) -> list[str]:
    if agent in ("copilot", "kiro"):
        where = (".github", "hooks") if agent == "copilot" else (".kiro", "agents")
        found = sorted(glob.glob(os.path.join(root, *where, "*.json")))
        return [posixpath.relpath(p, root) for p in found]
    if agent == "cline":
        return [
            f"{CLINE_DIR}/{event}"
            for event in CLINE_EVENTS
            if os.path.isfile(os.path.join(root, CLINE_DIR, event))
        ]
    relpath = PLANS[agent].relpath
    return [relpath] if os.path.isfile(os.path.join(root, relpath)) else []


def _hooks(root: str, agent: str, used: bool) -> list[Finding]:
    files = _hook_files(root, agent)
    install = f"run 'ringfence install-hooks --agent {agent}'"
    configs = [(f, _load_config(root, f, agent)) for f in files]
    covered: set[str] = set()
    commands: list[str] = []
    for _, config in configs:
        for event, command in _ringfence_hooks(agent, config):
            covered.add(event)
            commands.append(command)
    if not covered:
        if used:
            where = {"copilot": ".github/hooks/", "cline": f"{CLINE_DIR}/"}.get(
                agent, PLANS[agent].relpath
            )
            return [
                Finding(
                    FIX,
                    "hooks",
                    f"{agent}: the repository uses {agent} but {where} has no "
                    f"ringfence hook; {install}",
                )
            ]
        return []
    out = []
    missing = [e for e in HOOK_EVENTS[agent] if e not in covered]
    if missing:
        out.append(
            Finding(FIX, "hooks", f"{agent}: no ringfence hook for {', '.join(missing)}; {install}")
        )
    for gone in dict.fromkeys(_missing_interpreter(c) for c in commands):
        if gone:
            out.append(
                Finding(
                    FIX, "hooks", f"{agent}: the hook runs {gone}, which does not exist; {install}"
                )
            )
    if agent == "cursor":
        out += _cursor_fail_open(configs)
    if agent == "kiro":
        out += _kiro_agents_without_hooks(configs, install)
    if agent == "cline":
        out += _cline_not_executable(root, files)
    if not out:
        out.append(
            Finding(OK, "hooks", f"{agent}: installed in {', '.join(f for f, _ in configs)}")
        )
    return out


def _load_config(root: str, relpath: str, agent: str) -> dict:
    """A hook file as a config: Cline's executable files become ``{"hooks": {EVENT: [...]}}``."""
    if agent != "cline":
        return _load_json(root, relpath)
    try:
        text = read_text(root, relpath) or ""
    except RingfenceError:
        return {}
    if not is_ringfence_script(text):
        return {}
    command = next(line for line in text.splitlines() if is_ringfence(line))
    return {"hooks": {posixpath.basename(relpath): [{"command": command}]}}


def _table(value: object) -> dict:
    """``value`` when it is a JSON object / TOML table, else an empty one."""
    return value if isinstance(value, dict) else {}


def _cursor_fail_open(configs: list[tuple[str, dict]]) -> list[Finding]:
    """Cursor lets the tool run when a hook crashes unless its entry sets failClosed."""
    out = []
    for relpath, config in configs:
        hooks = _table(config.get("hooks"))
        for event in CURSOR_FAIL_CLOSED:
            entries = hooks.get(event)
            if not isinstance(entries, list):
                continue
            for entry in entries:
                if (
                    isinstance(entry, dict)
                    and is_ringfence(entry.get("command"))
                    and entry.get("failClosed") is not True
                ):
                    out.append(
                        Finding(
                            FIX,
                            "hooks",
                            f'cursor: {relpath} {event} hook has no "failClosed": true, so a '
                            "crash or timeout lets the tool run; run "
                            "'ringfence install-hooks --agent cursor'",
                        )
                    )
    return out


def _kiro_agents_without_hooks(configs: list[tuple[str, dict]], install: str) -> list[Finding]:
    """Kiro CLI runs only the hooks of the agent in use: every project agent needs them."""
    out = []
    for relpath, config in configs:
        events = {event for event, _ in _ringfence_hooks("kiro", config)}
        missing = [e for e in KIRO_EVENTS if e not in events]
        if missing:
            out.append(
                Finding(
                    FIX,
                    "hooks",
                    f"kiro: the agent in {relpath} has no ringfence hook for "
                    f"{', '.join(missing)}: a session with that agent is not checked; add the "
                    f"hooks of .kiro/agents/ringfence.json to it, or {install} and use that agent",
                )
            )
    return out


def _cline_not_executable(root: str, files: list[str]) -> list[Finding]:
    return [
        Finding(FIX, "hooks", f"cline: {f} is not executable, so Cline skips it; chmod +x it")
        for f in files
        if not os.access(os.path.join(root, f), os.X_OK)
    ]


def _ringfence_hooks(agent: str, config: dict) -> list[tuple[str, str]]:
    """``(event, command)`` of every ringfence handler in one agent config file."""
    hooks = config.get("hooks") if isinstance(config, dict) else None
    if not isinstance(hooks, dict):
        return []
    found = []
    for event, entries in hooks.items():
        for entry in entries if isinstance(entries, list) else []:
            handlers = (
                entry.get("hooks") if isinstance(entry, dict) and "hooks" in entry else [entry]
            )
            for handler in handlers if isinstance(handlers, list) else []:
                if not isinstance(handler, dict):
                    continue
                command = handler.get("bash") if agent == "copilot" else handler.get("command")
                if isinstance(command, str) and is_ringfence(command):
                    found.append((event, command))
    return found


def _missing_interpreter(command: str) -> str | None:
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if (
        words
        and words[0] != "ringfence"
        and os.path.isabs(words[0])
        and not os.path.exists(words[0])
    ):
        return words[0]
    return None


def _load_json(root: str, relpath: str) -> dict:
    try:
        text = read_text(root, relpath)
        data = json.loads(text) if text else {}
    except (RingfenceError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


# ----- Codex trust -------------------------------------------------------------------------------


def _codex_trust(root: str, env: Mapping[str, str]) -> list[Finding]:
    """The project's ``.codex/`` layer and each ringfence hook must be trusted in the user's
    Codex config, or Codex runs no hook at all, silently (ringfence.hooks.codex_trust)."""
    path = codex_trust.user_config_path(env)
    try:
        config = codex_trust.load_user_config(path)
    except RingfenceError as exc:
        return [Finding(FIX, "trust", f"codex: {exc}")]
    out = []
    features = _table(config.get("features"))
    for key in ("hooks", "codex_hooks"):
        if features.get(key) is False:
            out.append(
                Finding(FIX, "trust", f"codex: {path} sets [features] {key} = false: no hook runs")
            )
    level = codex_trust.project_trust_level(root, config)
    trust = f'[projects."{root}"] trust_level = "trusted"'
    if level == "trusted":
        out.append(Finding(OK, "trust", f"codex: the project is trusted in {path}"))
    elif level == "untrusted":
        out.append(
            Finding(
                FIX,
                "trust",
                f"codex: {path} marks the project untrusted: Codex ignores its "
                f".codex/ hooks; set {trust} once you have reviewed them",
            )
        )
    else:
        out.append(
            Finding(
                FIX,
                "trust",
                f"codex: the project is not trusted in {path}: Codex ignores its "
                f".codex/ hooks until you trust it ({trust}, or run 'codex exec --trust' once)",
            )
        )
    return out + _codex_hook_trust(root, config, path)


def _codex_hook_trust(root: str, config: dict, path: str) -> list[Finding]:
    """Each ringfence hook in ``.codex/hooks.json`` must be trusted by its current hash."""
    hooks_json = _load_json(root, codex_trust.HOOKS_FILE)
    standing: dict[str, list] = {}
    trusted_under_any_key: set[tuple[str, str]] = set()
    for key_root in codex_trust.hook_key_roots(root):
        hooks = codex_trust.project_hooks(
            os.path.join(key_root, codex_trust.HOOKS_FILE), hooks_json, is_ringfence
        )
        for trust in codex_trust.trust_of(hooks, config):
            if trust.status == codex_trust.TRUSTED:
                trusted_under_any_key.add((trust.hook.event, trust.hook.current_hash))
            if key_root == root:
                standing.setdefault(trust.status, []).append(trust.hook)
    if not standing:
        return []
    pending = {
        status: [h for h in hooks if (h.event, h.current_hash) not in trusted_under_any_key]
        for status, hooks in standing.items()
        if status != codex_trust.TRUSTED
    }
    out = []
    for status, hooks in pending.items():
        if hooks:
            out.append(Finding(FIX, "trust", _codex_hook_fix(status, hooks, path)))
    if not out:
        count = sum(len(h) for h in standing.values())
        out.append(
            Finding(OK, "trust", f"codex: the {count} ringfence hook(s) are trusted in {path}")
        )
    return out


def _codex_hook_fix(status: str, hooks: list, path: str) -> str:
    events = ", ".join(h.event for h in hooks)
    where = f"ringfence {events} hook(s) in {codex_trust.HOOKS_FILE}"
    if status == codex_trust.DISABLED:
        return (
            f"codex: {path} disables the {where} (enabled = false): Codex skips them; "
            "remove that line or switch them on in Codex (/hooks)"
        )
    why = {
        codex_trust.UNTRUSTED: f"are not trusted in {path}",
        codex_trust.MODIFIED: f"changed since they were trusted in {path}",
    }[status]
    entries = codex_trust.trust_entries(hooks).replace("\n", "\n      ")
    verb = "set" if status == codex_trust.MODIFIED else "add"
    return (
        f"codex: the {where} {why}, so Codex runs none of them and says nothing (a write "
        f"into a zone lands); review them in Codex (/hooks), or {verb} to {path}:\n      " + entries
    )


def codex_set_up(root: str, env: Mapping[str, str]) -> bool:
    """Whether this user has a Codex config and the repository ringfence's Codex hooks: then
    Codex may run here, and an untrusted project or hook means no hook runs."""
    if not os.path.isfile(codex_trust.user_config_path(env)):
        return False
    hooks = _load_json(root, codex_trust.HOOKS_FILE)
    return bool(_ringfence_hooks("codex", hooks))


# ----- Gemini CLI trust ---------------------------------------------------------------------------


def gemini_trust_findings(root: str, env: Mapping[str, str]) -> list[Finding]:
    from ringfence.hooks import gemini_trust

    trust = gemini_trust.check(root, env)
    if trust.trusted:
        return [Finding(OK, "trust", f"gemini: the folder is trusted ({trust.source})")]
    state = "untrusted" if trust.trusted is False else "not trusted"
    return [
        Finding(
            FIX,
            "trust",
            f"gemini: the folder is {state} ({trust.source}): Gemini CLI loads no "
            f".gemini/settings.json there, so no ringfence hook runs (headless runs refuse to "
            f"start; --skip-trust runs them without hooks); {trust.fix}",
        )
    ]


def _copilot_runs_here(root: str, used, env: Mapping[str, str]) -> bool:
    """The repository shows signs of Copilot, or this user has Copilot CLI and ringfence's
    Copilot hook is installed."""
    from ringfence.hooks import copilot_trust

    if "copilot" in used:
        return True
    files = _hook_files(root, "copilot")
    return copilot_trust.installed(env) and any(
        _ringfence_hooks("copilot", _load_json(root, f)) for f in files
    )


def copilot_trust_findings(root: str, env: Mapping[str, str]) -> list[Finding]:
    """Copilot CLI runs repository hooks only in a trusted folder (hooks/copilot_trust.py)."""
    from ringfence.hooks import copilot_trust

    trust = copilot_trust.check(root, env)
    if trust.trusted:
        return [Finding(OK, "trust", f"copilot: ringfence's hooks run ({trust.source})")]
    return [
        Finding(
            FIX,
            "trust",
            f"copilot: the repository is not a trusted folder for Copilot CLI ({trust.source}): "
            f"it loads no .github/hooks/ or .claude/settings.json hook there and every write "
            f"lands; {trust.fix}",
        )
    ]


# ----- which tools the repository uses ------------------------------------------------------------


def tools_in_use(root: str) -> dict[str, list[str]]:
    """Tool name -> the files that show the repository uses it.

    Files ringfence itself writes (exports, hook configs) are no sign: ``install-hooks`` and
    ``export`` cover every tool by default, used or not.
    """
    used: dict[str, list[str]] = {}
    for tool in TOOLS:
        signs = [
            posixpath.relpath(p, root)
            for pattern in tool.signs
            for p in sorted(glob.glob(os.path.join(root, pattern)))
        ]
        if tool.ignore_file and _has_hand_written_pattern(root, tool.ignore_file):
            signs.append(tool.ignore_file)
        if signs:
            used[tool.name] = list(dict.fromkeys(signs))
    return used


def _has_hand_written_pattern(root: str, relpath: str) -> bool:
    try:
        text = read_text(root, relpath)
    except RingfenceError:
        return False
    return text is not None and any(is_pattern(line) for _, line in hand_written_lines(text))
