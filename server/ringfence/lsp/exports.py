"""RF103 in the editor: an open export file (docs/export.md) that ``ringfence export`` would change.

A document provider (``ringfence.lsp.providers``). Flattening the policy walks the repository
(policy files, header markers), so it never runs on the event loop: ``provide`` compares the
editor's text with the last flattened policy of the repository, and rebuilds it on a worker
thread of its own when the policy was reloaded or the last build is older than ``MAX_AGE``; the
open export files are republished when the build is done. A file seen before the first build
shows nothing until then.

The quick fix ``Regenerate <file>`` is a workspace edit computed from the editor's text, the
same text ``ringfence export`` would write (deleting the file when the export would). It does
not update the record of the Claude Code deny entries ringfence added: entries added from the
editor stay like hand-written ones until the next ``ringfence export``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from lsprotocol import types

from ringfence.errors import RingfenceError
from ringfence.evidence.regions import split_lines
from ringfence.export import BY_PATH, Exporter, FilePlan
from ringfence.export.textfile import find_block
from ringfence.lsp.diagnostics import SOURCE, WARNING
from ringfence.lsp.policies import OverlayPolicy, RepoPolicy
from ringfence.lsp.state import OpenDoc

log = logging.getLogger(__name__)

CODE = "RF103"
MAX_AGE = 15.0  # seconds: header markers elsewhere may change without a policy reload


@dataclass
class _Build:
    generation: int
    started: float
    exporter: Exporter | None  # None: the policy cannot be exported (errors), or not built yet


class ExportsProvider:
    """Per server: the flattened policy of each repository and the thread that builds it."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ringfence-exports")
        self.builds: dict[str, _Build] = {}
        self.busy: set[str] = set()

    def plan(self, server, od: OpenDoc) -> FilePlan | None:
        """The export plan for an open export file (None: not an export, or not known yet)."""
        target = BY_PATH.get(od.relpath or "")
        if target is None or od.is_cell or od.binary:
            return None
        build = self.builds.get(od.repo.root)
        if (
            build is None
            or build.generation != od.repo.generation
            or time.monotonic() - build.started > MAX_AGE
        ):
            self.schedule(server, od.repo)
        if build is None or build.exporter is None:
            return None
        return build.exporter.expect(target, od.text.source)

    def schedule(self, server, repo: RepoPolicy) -> None:
        if repo.root in self.busy:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self.busy.add(repo.root)
        generation, overlay = repo.generation, dict(repo.overlay)
        future = loop.run_in_executor(self.executor, _build, repo.root, overlay)
        future.add_done_callback(lambda done: self._done(server, repo, generation, done))

    def _done(
        self, server, repo: RepoPolicy, generation: int, done: asyncio.Future[Exporter]
    ) -> None:
        self.busy.discard(repo.root)
        try:
            exporter = done.result()
        except Exception as exc:  # an invalid policy (RF100 shows it) or an unreadable file
            log.info("exports of %s cannot be checked: %s", repo.root, exc)
            exporter = None
        self.builds[repo.root] = _Build(generation, time.monotonic(), exporter)
        for od in server.docs_in(repo):
            if od.relpath in BY_PATH:
                server.publish(od)


def _build(root: str, overlay: dict[str, str]) -> Exporter:
    """Runs on the worker thread: a policy object of its own, so the event loop's is untouched."""
    return Exporter(OverlayPolicy(root, overlay), texts=overlay)


_PROVIDERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _provider(server) -> ExportsProvider:
    provider = _PROVIDERS.get(server)
    if provider is None:
        provider = _PROVIDERS[server] = ExportsProvider()
    return provider


def provide(server, od: OpenDoc) -> list[dict]:
    """Document provider: RF103 (Warning) on an open export file that is out of date."""
    plan = _provider(server).plan(server, od)
    if plan is None or plan.fresh:
        return []
    line = _anchor_line(od, plan)
    end = od.text.line_end(line).character if od.lines else 0
    path = plan.target.path
    why = (
        "it has no ringfence block"
        if plan.target.dialect != "claude" and not _has_block(od)
        else (plan.note or "its ringfence block differs from the policy")
    )
    if plan.new is None:
        why = "the policy no longer closes anything: ringfence export would remove it"
    return [
        {
            "range": {
                "start": {"line": line, "character": 0},
                "end": {"line": line, "character": end},
            },
            "severity": WARNING,
            "code": CODE,
            "source": SOURCE,
            "message": f"{path} is out of date with the policy ({why}); run 'ringfence export' or "
            f"use 'Regenerate {path}'",
            "data": {"export": path},
        }
    ]


def code_actions(
    server, od: OpenDoc, diagnostics: list[types.Diagnostic]
) -> list[types.CodeAction]:
    """``Regenerate <file>`` (quickfix) for the document's RF103 diagnostics."""
    ours = [d for d in diagnostics if d.source == SOURCE and d.code == CODE]
    if not ours:
        return []
    plan = _provider(server).plan(server, od)
    if plan is None or plan.fresh:
        return []
    edit = _edit(server, od, plan)
    if edit is None:
        return []
    return [
        types.CodeAction(
            title=f"Regenerate {plan.target.path}",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=ours,
            is_preferred=True,
            edit=edit,
        )
    ]


def _edit(server, od: OpenDoc, plan: FilePlan) -> types.WorkspaceEdit | None:
    document = types.OptionalVersionedTextDocumentIdentifier(uri=od.uri, version=od.version)
    if plan.new is None:
        if not _can_delete(server):
            return None  # an emptied buffer could leave an .aiexclude that excludes everything
        return types.WorkspaceEdit(document_changes=[types.DeleteFile(uri=od.uri)])
    change = _changed_lines(od, plan.new)
    if _supports_document_changes(server):
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=document, edits=[change])]
        )
    return types.WorkspaceEdit(changes={od.uri: [change]})


def _changed_lines(od: OpenDoc, new: str) -> types.TextEdit:
    """One edit replacing only the lines between the unchanged head and tail of the document."""
    old_lines = od.lines
    new_lines = split_lines(new)
    head = 0
    while head < min(len(old_lines), len(new_lines)) and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while (
        tail < min(len(old_lines), len(new_lines)) - head
        and old_lines[len(old_lines) - 1 - tail] == new_lines[len(new_lines) - 1 - tail]
    ):
        tail += 1
    start = types.Position(line=head, character=0)
    last = len(old_lines) - tail
    end = od.text.lines_end(last - 1) if last > head else start
    return types.TextEdit(
        range=types.Range(start=start, end=end),
        new_text="".join(new_lines[head : len(new_lines) - tail]),
    )


def _anchor_line(od: OpenDoc, plan: FilePlan) -> int:
    """The block's first line, or the ``deny`` key of Claude's settings, else line 0."""
    if plan.target.dialect == "claude":
        return next((i for i, line in enumerate(od.lines) if '"deny"' in line), 0)
    try:
        span = find_block(plan.target.path, od.lines)
    except RingfenceError:  # an unclosed block: the start of the file is as good as anywhere
        return 0
    return span[0] if span else 0


def _has_block(od: OpenDoc) -> bool:
    try:
        return find_block("", od.lines) is not None
    except RingfenceError:
        return True


def _supports_document_changes(server) -> bool:
    workspace = server.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    return bool(edit and edit.document_changes)


def _can_delete(server) -> bool:
    workspace = server.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    operations = (edit.resource_operations or []) if edit else []
    return _supports_document_changes(server) and types.ResourceOperationKind.Delete in operations
