"""A hard-linked file is judged by every name it has in the repository, in the editor too.

Writing ``open/x.py`` writes ``human/x.py`` when both are names of one inode, so an AI edit in
the open-zone name is an AI edit in the human-only file: RF001, naming the human-only zone.
"""

from __future__ import annotations

import asyncio
import os

import test_lsp_editor
from ringfence.policy import Policy, links
from test_lsp_editor import start

lsp = test_lsp_editor.lsp  # the fixture: a real server for each client preset

REASON = "Hand-written reference implementation."
POLICY = f"""version = 1

[[zone]]
name = "scratch"
path = "open/**"
level = "open"

[[zone]]
name = "vault"
path = "human/**"
level = "human-only"
reason = "{REASON}"
"""
VAULT_LINE = 7  # 0-based line of the vault zone's [[zone]] header
SOURCE = "def f():\n    return 1\n"
SNIPPET = "def extra():\n    return 2\n"


def linked_repo(make_repo, link: bool):
    """``human/x.py`` in the vault; ``open/x.py`` its hard link, or a plain copy."""
    repo = make_repo({".ringfence.toml": POLICY, "human/x.py": SOURCE})
    (repo / "open").mkdir()
    if link:
        os.link(repo / "human" / "x.py", repo / "open" / "x.py")
    else:
        (repo / "open" / "x.py").write_text(SOURCE, encoding="utf-8")
    return repo


def codes(found) -> list[str]:
    return sorted(d.code for d in found)


# ----- the language server -------------------------------------------------------------------


async def test_ai_edit_in_a_hard_link_of_a_human_only_file_is_rf001(lsp, make_repo):
    repo = linked_repo(make_repo, link=True)
    ed = await start(lsp, repo)
    uri = ed.open("open/x.py")
    assert await ed.diagnostics(uri) == []
    ed.ai_insert(uri, 2, SNIPPET, tool="copilot")
    found = await ed.diagnostics(uri, until=lambda d: "RF001" in codes(d))
    (rf001,) = [d for d in found if d.code == "RF001"]
    assert (rf001.range.start.line, rf001.range.end.line) == (2, 3)
    assert rf001.message == f"AI edit (copilot) in human-only zone 'vault': {REASON}"
    related = rf001.related_information[0].location
    assert related.uri == ed.uri(".ringfence.toml") and related.range.start.line == VAULT_LINE

    explained = await ed.request("ringfence/explain", {"uri": uri})
    assert explained["level"] == "human-only" and explained["zone"] == "vault"
    assert explained["path"] == "open/x.py" and explained["source"] == "zone"
    assert explained["rule"] == f".ringfence.toml:{VAULT_LINE + 1}"
    assert explained["reason"] == REASON and explained["externalEdits"] == "deny"


async def test_without_the_link_the_open_zone_applies(lsp, make_repo):
    repo = linked_repo(make_repo, link=False)
    ed = await start(lsp, repo)
    plain = ed.open("open/x.py")
    vault = ed.open("human/x.py")
    explained = await ed.request("ringfence/explain", {"uri": plain})
    assert (explained["level"], explained["zone"]) == ("open", "scratch")
    ed.ai_insert(plain, 2, SNIPPET, tool="copilot")
    ed.ai_insert(vault, 2, SNIPPET, tool="copilot")  # the same edit where it is denied
    await ed.diagnostics(vault, until=lambda d: codes(d) == ["RF001"])
    await asyncio.sleep(0.2)
    assert codes(await ed.diagnostics(plain)) == []


async def test_a_link_made_while_the_document_is_open_counts_from_the_next_edit(lsp, make_repo):
    repo = linked_repo(make_repo, link=False)
    ed = await start(lsp, repo)
    uri = ed.open("open/x.py")
    assert await ed.diagnostics(uri) == []
    os.link(repo / "open" / "x.py", repo / "human" / "copy.py")  # a new name in the vault
    ed.ai_insert(uri, 0, SNIPPET, tool="claude")
    found = await ed.diagnostics(uri, until=lambda d: "RF001" in codes(d))
    assert [d.message for d in found] == [
        f"AI edit (claude-code) in human-only zone 'vault': {REASON}"
    ]


async def test_explain_of_a_file_not_open_judges_its_hard_links_too(lsp, make_repo):
    repo = linked_repo(make_repo, link=True)
    ed = await start(lsp, repo)
    explained = await ed.request("ringfence/explain", {"uri": ed.uri("open/x.py")})
    assert (explained["path"], explained["level"], explained["zone"]) == (
        "open/x.py",
        "human-only",
        "vault",
    )


# ----- the policy core -----------------------------------------------------------------------


def test_hard_links_finds_every_other_name_but_not_in_git(make_repo):
    repo = linked_repo(make_repo, link=True)
    (repo / "deep" / "er").mkdir(parents=True)
    os.link(repo / "human" / "x.py", repo / "deep" / "er" / "y.txt")
    os.link(repo / "human" / "x.py", repo / ".git" / "hidden.py")
    (repo / "open" / "other.py").write_text(SOURCE, encoding="utf-8")  # same text, own inode
    found = links.hard_links(f"{repo}/open/x.py", str(repo))
    assert sorted(found) == [f"{repo}/deep/er/y.txt", f"{repo}/human/x.py"]
    key = links.link_key(f"{repo}/open/x.py")
    assert key is not None and key[2] == 4  # four names, one of them inside .git


def test_a_file_with_one_link_is_not_walked(make_repo, monkeypatch):
    repo = linked_repo(make_repo, link=False)

    def no_walk(*args, **kwargs):
        raise AssertionError("walked the repository for a file with one link")

    monkeypatch.setattr(links.os, "walk", no_walk)
    assert links.hard_links(f"{repo}/open/x.py", str(repo)) == []
    assert links.link_key(f"{repo}/open/x.py") is None
    assert links.hard_links(f"{repo}/open/missing.py", str(repo)) == []
    assert links.hard_links("/nul\0byte", str(repo)) == []


def test_view_takes_the_strictest_name(make_repo):
    repo = linked_repo(make_repo, link=True)
    policy = Policy(repo)
    path = f"{repo}/open/x.py"
    assert policy.view(path).decision.level.name == "open"
    decision = policy.view(path, aliases=links.hard_links(path, str(repo))).decision
    assert (decision.level.name, decision.zone.name, decision.reason) == (
        "human-only",
        "vault",
        REASON,
    )
    assert decision.relpath == "open/x.py" and decision.path == path
    assert decision.rule == f".ringfence.toml:{VAULT_LINE + 1}"
    lenient = policy.view(f"{repo}/human/x.py", aliases=[path]).decision
    assert (lenient.level.name, lenient.zone.name) == ("human-only", "vault")  # never lowered


def test_the_open_document_walks_once_per_inode_and_policy(make_repo, monkeypatch):
    from ringfence.lsp import state
    from ringfence.lsp.document import LineDocument
    from ringfence.lsp.policies import RepoPolicy

    repo = linked_repo(make_repo, link=True)
    walks = []
    monkeypatch.setattr(
        state, "hard_links", lambda path, root: walks.append(path) or links.hard_links(path, root)
    )
    path = f"{repo}/open/x.py"
    od = state.OpenDoc(
        f"file://{path}", path, RepoPolicy(str(repo)), LineDocument("file:///x", SOURCE)
    )
    for _ in range(3):
        od.classify()
    assert od.view.decision.level.name == "human-only" and len(walks) == 1
    od.repo.reload()
    od.classify()
    assert len(walks) == 2
    os.link(repo / "human" / "x.py", repo / "open" / "third.py")  # the link count changes
    od.classify()
    assert len(walks) == 3 and od.view.decision.zone.name == "vault"
