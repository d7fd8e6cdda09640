"""The reference in docs/ keeps up with the code (docs/README.md).

Cheap checks that fail when the code grows something the docs do not describe: every finding
code the server can emit is in docs/protocol.md's code table (and every code in that table still
exists), every code ``ringfence check`` reports is in docs/ci.md, every command id and custom
method of ``lsp/names.py`` is in docs/protocol.md, every CLI subcommand and option is in
docs/cli.md, every tool id, hook protocol and export file is in its page, links between the docs
land on a heading that exists, sections the code cites exist, and nothing in the repository
cites the specification that used to live outside it.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
from pathlib import Path

import pytest

import test_lsp_editor
from ringfence import cli
from ringfence.lsp import names
from test_lsp_editor import start

lsp = test_lsp_editor.lsp  # the fixture: a real server for each client preset

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SERVER = ROOT / "server" / "ringfence"
CODE = re.compile(r"\bRF\d{3}\b")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def headings(text: str) -> list[str]:
    """The Markdown headings of ``text``, outside fenced code blocks."""
    out, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := HEADING.match(line)):
            out.append(match.group(2))
    return out


def anchors(text: str) -> set[str]:
    """GitHub's anchors for the headings of ``text`` (repeats get ``-1``, ``-2`` …)."""
    seen: dict[str, int] = {}
    out = set()
    for heading in headings(text):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        out.add(slug if count == 0 else f"{slug}-{count}")
    return out


def section(text: str, title_start: str) -> str:
    """The text of the first section whose heading starts with ``title_start``."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = HEADING.match(line)
        if match and match.group(2).startswith(title_start):
            depth = len(match.group(1))
            body = []
            for rest in lines[i + 1 :]:
                other = HEADING.match(rest)
                if other and len(other.group(1)) <= depth:
                    break
                body.append(rest)
            return "\n".join(body)
    pytest.fail(f"no section starting with {title_start!r}")


def string_constants(package: Path) -> set[str]:
    """Every finding code in a string constant of the package's modules."""
    found = set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.update(CODE.findall(node.value))
    return found


def table_codes(text: str) -> set[str]:
    """The codes in the first column of the Markdown table rows of ``text``."""
    return set(re.findall(r"^\|\s*(RF\d{3})\s*\|", text, re.M))


# ----- diagnostic codes ------------------------------------------------------------------------


def test_every_code_the_server_emits_is_in_the_code_table():
    emitted = string_constants(SERVER)
    documented = table_codes(section(doc("protocol.md"), "Diagnostic codes"))
    assert emitted, "found no RF codes in server/ringfence: the scan is broken"
    assert emitted - documented == set(), "codes missing from docs/protocol.md, Diagnostic codes"


def test_every_code_in_the_table_still_exists():
    documented = table_codes(section(doc("protocol.md"), "Diagnostic codes"))
    assert documented - string_constants(SERVER) == set(), "docs/protocol.md lists dead codes"


def test_every_code_check_reports_is_in_ci_md():
    reported = string_constants(SERVER / "check")
    documented = table_codes(section(doc("ci.md"), "What is reported"))
    assert reported, "found no RF codes in server/ringfence/check: the scan is broken"
    assert reported - documented == set(), "codes missing from docs/ci.md, What is reported"


# ----- LSP names -------------------------------------------------------------------------------


def protocol_names() -> list[str]:
    values = [v for k, v in vars(names).items() if k.isupper() and isinstance(v, str)]
    return [v for v in values if v.startswith(("ringfence.", "ringfence/"))]


def test_lsp_names_are_found():
    assert set(names.COMMANDS) <= set(protocol_names())
    assert names.EXPLAIN in protocol_names() and names.EDIT_ORIGIN in protocol_names()


@pytest.mark.parametrize("name", protocol_names())
def test_every_command_and_custom_method_is_in_protocol_md(name):
    assert f"`{name}`" in doc("protocol.md"), f"{name} is not described in docs/protocol.md"


@pytest.mark.parametrize("command", names.COMMANDS)
def test_every_command_has_a_row_in_the_commands_table(command):
    table = section(doc("protocol.md"), "Commands")
    assert re.search(rf"^\| `{re.escape(command)}` \|", table, re.M), command


def field_names(table: str) -> set[str]:
    """The backticked names in the first cell of each row of a Markdown table."""
    cells = re.findall(r"^\|([^|]*)\|", table, re.M)
    return {name for cell in cells for name in re.findall(r"`([\w.]+)`", cell)}


async def test_every_field_of_the_explain_result_is_documented(lsp, demo_repo):
    ed = await start(lsp, demo_repo)
    uri = ed.uri("training/datagen/generate.py")
    explained = await ed.request(names.EXPLAIN, {"uri": uri})
    documented = field_names(section(doc("protocol.md"), f"`{names.EXPLAIN}`"))
    assert explained["level"] == "human-only"
    assert set(explained) - documented == set(), "fields missing from docs/protocol.md"


# ----- the command line ------------------------------------------------------------------------


def subcommand_parser(name: str):
    module_name, summary = cli.COMMANDS[name]
    parser = cli._Parser(prog=f"ringfence {name}", description=summary)
    importlib.import_module(f"ringfence.commands.{module_name}").configure(parser)
    return parser


def test_every_subcommand_has_a_section_and_a_row_in_cli_md():
    text = doc("cli.md")
    sections = {h.strip("`").split()[1] for h in headings(text) if h.startswith("`ringfence ")}
    rows = set(re.findall(r"^\| \[`([a-z-]+)[` ]", text, re.M))
    assert sections == set(cli.COMMANDS), "docs/cli.md sections differ from the CLI's commands"
    assert rows == set(cli.COMMANDS), "docs/cli.md's command table differs from the CLI's"


@pytest.mark.parametrize("name", list(cli.COMMANDS))
def test_every_option_of_a_subcommand_is_in_its_section(name):
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", subcommand_parser(name).format_help()))
    options.discard("--help")
    body = section(doc("cli.md"), f"`ringfence {name}")
    missing = sorted(o for o in options if not re.search(rf"(?<![\w-]){o}(?![\w-])", body))
    assert missing == [], f"options of 'ringfence {name}' missing from docs/cli.md"


def test_every_canonical_tool_id_is_in_policy_md():
    from ringfence.tool_ids import CANONICAL

    text = section(doc("policy.md"), "Approved tools")
    assert [t for t in CANONICAL if f"`{t}`" not in text] == [], (
        "see docs/policy.md, Approved tools"
    )


# ----- hooks and exports ------------------------------------------------------------------------


def test_every_hook_protocol_has_a_row_in_the_protocol_reference():
    from ringfence.hooks.agents import PROTOCOLS

    table = section(doc("hooks.md"), "Protocol reference")
    rows = set(re.findall(r"^\| `([\w-]+)` \|", table, re.M))
    assert set(PROTOCOLS) - rows == set(), "agents missing from docs/hooks.md, Protocol reference"


def test_every_export_file_and_tool_name_is_in_export_md():
    from ringfence.export.targets import TARGETS

    table = section(doc("export.md"), "What is written where")
    missing = [
        f"{t.name} {t.path}"
        for t in TARGETS
        if f"`{t.name}`" not in table or f"`{t.path}`" not in table
    ]
    assert missing == [], "export targets missing from docs/export.md, What is written where"


# ----- links and citations ---------------------------------------------------------------------


def markdown_pages() -> list[Path]:
    return sorted(DOCS.glob("*.md")) + [ROOT / "README.md"]


def test_the_docs_index_lists_every_page():
    index = doc("README.md")
    pages = {p.name for p in DOCS.glob("*.md")} - {"README.md"}
    assert {p for p in pages if f"]({p})" not in index} == set()


@pytest.mark.parametrize("page", markdown_pages(), ids=lambda p: p.name)
def test_links_between_the_docs_land_on_a_heading(page):
    broken = []
    for target, anchor in re.findall(r"\]\(([\w./-]*\.md)?(?:#([\w-]+))?\)", page.read_text()):
        if not target and not anchor:
            continue
        linked = (page.parent / target).resolve() if target else page
        if not linked.is_file():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked.read_text()):
            broken.append(f"{target}#{anchor}: no such heading")
    assert broken == []


def repository_files() -> list[Path]:
    """Tracked and new (not ignored) files of the checkout."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.fail(f"cannot list the repository's files with git: {exc}")
    paths = [ROOT / name for name in listed.decode("utf-8", "replace").split("\0") if name]
    return [p for p in paths if "node_modules" not in p.parts and p.is_file()]


CITED_SECTION = re.compile(r"docs/([\w-]+\.md),\s+\"([^\"]+)\"")


def plain(title: str) -> str:
    """A heading or a cited section as compared: no backticks, one space, lower case."""
    return " ".join(title.replace("`", "").split()).lower()


SOURCES = (".py", ".ts", ".lua", ".md", ".txt", ".toml", ".sh", ".json", ".yml", ".yaml")


def test_sections_the_code_cites_exist():
    """``docs/FILE.md, "Section"`` in code names a heading of that page (or its start)."""
    wrong = []
    for path in repository_files():
        if path.suffix not in (".py", ".ts", ".lua") or path.name == Path(__file__).name:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for page, title in CITED_SECTION.findall(text):
            target = DOCS / page
            titles = {plain(h) for h in headings(target.read_text())} if target.is_file() else set()
            if not any(heading.startswith(plain(title)) for heading in titles):
                wrong.append(f"{path.relative_to(ROOT)}: docs/{page}, {title!r}")
    assert wrong == []


def test_nothing_cites_the_outside_specification():
    pattern = re.compile("SP" + "EC" + r"\b|\u00a7")  # spelled apart so this file does not match
    found = []
    for path in repository_files():
        if path.suffix not in SOURCES or path.name == "package-lock.json":
            continue
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert found == [], "cite docs/ instead"
