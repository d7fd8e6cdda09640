"""The canonical tool-id table (server/ringfence/tool_ids.py) and everything that names a tool.

The hooks, the policy, git evidence and Agent Trace records import the table; the editor clients
keep their own copies of the editor-side names (VS Code extension ids, Neovim inline-completion
client names, the tool ids they hard-code), which are read here from the client sources and
checked against the table, so a client that reports an id the policy does not know fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ringfence.evidence import history as hist
from ringfence.evidence.notes import parse_note
from ringfence.export.targets import TARGETS
from ringfence.hooks.agents import PROTOCOLS
from ringfence.policy.model import DEFAULT_AI_NAMES, HistorySettings
from ringfence.provenance.trace import append_record, make_record, model_id, read_ranges
from ringfence.tool_ids import ALIASES, BY_ID, CANONICAL, TOOLS, UNKNOWN, canonical_tool

REPO = Path(__file__).resolve().parents[1]
VSCODE = REPO / "clients" / "vscode" / "src"
NEOVIM = REPO / "clients" / "neovim" / "lua" / "ringfence"


def test_the_table_is_consistent():
    assert len(CANONICAL) == len(TOOLS) and CANONICAL[-1] == UNKNOWN
    spellings = [s for tool in TOOLS for s in (tool.id, *tool.aliases)]
    assert len(spellings) == len(set(spellings)), "an alias names two tools"
    for spelling in spellings:
        assert spelling == "-".join(spelling.replace("_", " ").split()).lower(), spelling
    extensions = [e for tool in TOOLS for e in tool.vscode_extensions]
    assert len(extensions) == len(set(extensions)) and all(e == e.lower() for e in extensions)


@pytest.mark.parametrize(
    "name, canonical",
    [
        ("claude-code", "claude-code"),
        ("Claude", "claude-code"),
        ("Claude Code", "claude-code"),
        ("claude_code", "claude-code"),
        ("  ANTHROPIC ", "claude-code"),
        ("GitHub Copilot", "copilot"),
        ("github_copilot", "copilot"),
        ("copilot_cli", "copilot"),
        ("Gemini CLI", "gemini"),
        ("agy", "antigravity"),
        ("Codeium", "windsurf"),
        ("metacode", "metacode"),  # an in-house assistant passes through
        ("Meta_Code", "meta_code"),  # ...lower-cased, not re-spelled (in-house lists match it)
        ("", UNKNOWN),
        (None, UNKNOWN),
    ],
)
def test_canonical_tool(name, canonical):
    assert canonical_tool(name) == canonical


def test_every_id_the_server_hard_codes_is_canonical():
    assert set(PROTOCOLS) <= set(CANONICAL)
    assert {t.agent for t in TARGETS if t.agent} <= set(CANONICAL)
    assert {canonical_tool(n) for n in DEFAULT_AI_NAMES} <= set(CANONICAL)
    assert set(ALIASES.values()) <= set(CANONICAL)


def test_git_evidence_maps_vendor_spellings_to_the_table(tmp_path):
    trailer = "Co-Authored-By: Claude <noreply@anthropic.com>"
    found = hist.classify_commit("a" * 40, "Dev", "Dev", f"x\n\n{trailer}\n", HistorySettings())
    assert found is not None and found.tool == "claude-code"
    note = (
        "a.py\n  0123456789abcdef 1-2\n---\n"
        '{"prompts": {"0123456789abcdef": {"agent_id": {"tool": "github_copilot"}}}}'
    )
    files, _ = parse_note(note)
    assert files["a.py"][0].tool == "copilot"


def test_agent_trace_names_map_to_the_table(tmp_path):
    assert model_id("claude-code", "claude-sonnet-4") == "anthropic/claude-sonnet-4"
    assert model_id("metacode", "") == "metacode/metacode"
    spans = [(1, 1, "sha256:" + "0" * 64)]
    by_model = make_record(tmp_path, "a.py", spans, tool="claude-code", model="claude-sonnet-4")
    del by_model["metadata"]  # another writer's record: only model_id names the tool
    append_record(tmp_path, by_model)
    append_record(tmp_path, make_record(tmp_path, "b.py", spans, tool="GitHub Copilot"))
    assert [(t.path, t.tool) for t in read_ranges(tmp_path)] == [
        ("a.py", "claude-code"),
        ("b.py", "copilot"),
    ]


# ----- the clients' copies -------------------------------------------------------------------


def _vscode_extension_map() -> dict[str, str]:
    source = (VSCODE / "origins.ts").read_text(encoding="utf-8")
    block = re.search(r"KNOWN_AI_EXTENSIONS[^=]*=\s*\{(.*?)\};", source, re.S)
    assert block is not None, "origins.ts: KNOWN_AI_EXTENSIONS not found"
    return dict(re.findall(r'"([^"]+)"\s*:\s*"([^"]+)"', block.group(1)))


def test_the_vscode_extension_table_agrees():
    expected = {ext: tool.id for tool in TOOLS for ext in tool.vscode_extensions}
    assert _vscode_extension_map() == expected


def test_tool_ids_the_vscode_client_hard_codes_are_canonical():
    prevention = (VSCODE / "prevention.ts").read_text(encoding="utf-8")
    inline = re.search(r"INLINE_SUGGESTING_TOOLS[^=]*=\s*new Set\(\[([^\]]*)\]", prevention)
    assert inline is not None, "prevention.ts: INLINE_SUGGESTING_TOOLS not found"
    tools = set(re.findall(r'"([^"]+)"', inline.group(1)))
    edit_origins = (VSCODE / "editOrigins.ts").read_text(encoding="utf-8")
    tools |= set(re.findall(r'\?\s*"([a-z-]+)"\s*:\s*guess', edit_origins))
    assert tools and tools <= set(CANONICAL), tools - set(CANONICAL)


def _neovim_tool_id_rules() -> list[tuple[list[str], str]]:
    source = (NEOVIM / "integrations.lua").read_text(encoding="utf-8")
    body = re.search(r"function M\.tool_id\(name\)(.*?)\nend\n", source, re.S)
    assert body is not None, "integrations.lua: M.tool_id not found"
    rules = []
    for condition, tool in re.findall(r"if (.*?) then\s*return '([^']+)'", body.group(1), re.S):
        rules.append((re.findall(r"find\('([^']+)'", condition), tool))
    assert rules, "integrations.lua: no rules in M.tool_id"
    return rules


def test_the_neovim_client_name_table_agrees():
    found: dict[str, set[str]] = {}
    for words, tool in _neovim_tool_id_rules():
        found.setdefault(tool, set()).update(words)
    expected = {tool.id: set(tool.neovim_clients) for tool in TOOLS if tool.neovim_clients}
    assert found == expected


def test_tool_ids_the_neovim_client_hard_codes_are_canonical():
    source = (NEOVIM / "integrations.lua").read_text(encoding="utf-8")
    tools = set(re.findall(r"suggestion\('([^']+)'\)", source))
    tools |= {m[-1] for m in re.findall(r"install_mappings\(('[^']*',\s*){3}'([^']+)'\)", source)}
    assert tools and tools <= set(CANONICAL), tools - set(CANONICAL)
    assert "supermaven" in BY_ID and "copilot" in tools
