"""The region API for code that acts on AI regions: the built-in actions and the handoff.

Documented in docs/lsp.md. Everything here runs on the server's event loop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from lsprotocol import types

from ringfence.errors import RingfenceError
from ringfence.evidence.regions import Region
from ringfence.lsp.diagnostics import Where, where
from ringfence.lsp.state import OpenDoc
from ringfence.provenance.trace import append_record, make_record

log = logging.getLogger(__name__)

APPLY_EDIT_TIMEOUT = 15.0


@dataclass(frozen=True)
class RegionRef:
    """What a region command receives: ``{uri, regionId}`` (``line`` for non-region diagnostics)."""

    uri: str
    region_id: str | None = None
    line: int | None = None

    @classmethod
    def parse(cls, args: tuple) -> RegionRef:
        """The single argument object of a ringfence command; ValueError says what is wrong."""
        if len(args) != 1 or not isinstance(args[0], dict):
            raise ValueError("expected one argument object {uri, regionId}")
        raw = args[0]
        uri, region_id, line = raw.get("uri"), raw.get("regionId"), raw.get("line")
        if not isinstance(uri, str) or not uri:
            raise ValueError("'uri' must be a non-empty string")
        if region_id is not None and not isinstance(region_id, str):
            raise ValueError("'regionId' must be a string")
        if line is not None and (not isinstance(line, int) or isinstance(line, bool) or line < 0):
            raise ValueError("'line' must be a non-negative integer")
        return cls(uri, region_id, line)


@dataclass
class RegionHandle:
    """One AI region of an open document, with what actions need to act on it."""

    server: object
    doc: OpenDoc
    region: Region

    @property
    def uri(self) -> str:
        return self.doc.uri

    @property
    def version(self) -> int | None:
        return self.doc.version

    @property
    def relpath(self) -> str | None:
        return self.doc.relpath

    @property
    def tool(self) -> str:
        return self.region.tool

    @property
    def model(self) -> str:
        return self.region.model

    @property
    def source(self) -> str:
        return self.region.source

    def where(self) -> Where:
        """The level of the region's lines and the rule that set it."""
        return where(self.doc, self.region.start, self.region.end)

    def range(self) -> types.Range:
        """The region's whole lines, in the client's position encoding."""
        return types.Range(
            start=types.Position(line=self.region.start, character=0),
            end=self.doc.text.line_end(self.region.end),
        )

    def text(self) -> str:
        """The region's current lines, with their line breaks."""
        return "".join(self.doc.lines[self.region.start : self.region.end + 1])

    def earlier_text(self) -> str | None:
        """What ``Revert AI edit`` restores (None once the region changed or was never known)."""
        return self.region.revert.earlier if self.region.can_revert(self.doc.lines) else None

    def revert_edit(self) -> types.TextEdit | None:
        """The text edit that restores the earlier text (whole lines), or None."""
        if not self.region.can_revert(self.doc.lines):
            return None
        first, last = self.region.revert_span()
        return types.TextEdit(
            range=types.Range(
                start=types.Position(line=first, character=0), end=self.doc.text.lines_end(last)
            ),
            new_text=self.region.revert.earlier,
        )

    def content_hash(self) -> str:
        return self.region.content_hash(self.doc.lines)

    def record(self, state: str = "tagged", reviewer: str | None = None) -> dict:
        """Append an Agent Trace record over the region's current lines and mark it ``state``."""
        if self.doc.relpath is None:
            raise RingfenceError("the file is outside the repository: nothing to record")
        at = self.where()
        digest = self.content_hash()
        record = make_record(
            self.doc.repo.root,
            self.doc.relpath,
            [(self.region.start + 1, self.region.end + 1, digest)],
            tool=self.region.tool,
            model=self.region.model or None,
            zone=at.zone_name,
            level=at.level.name,
            source=self.region.source,
            state=state,
            reviewer=reviewer,
        )
        append_record(self.doc.repo.root, record)
        if state == "reviewed":
            self.region.reviewed_hash = digest
        else:
            self.region.tagged_hash = digest
        return record


def find_region(server, uri: str, region_id: str | None) -> RegionHandle | None:
    """The region ``region_id`` of the open document ``uri``."""
    od = server.doc(uri)
    region = od.regions.get(region_id) if od is not None and region_id else None
    return RegionHandle(server, od, region) if region is not None else None


def add_region(
    server, uri: str, start: int, end: int, tool: str, *, model: str = "", source: str = "client"
) -> RegionHandle:
    """Record lines ``start..end`` (0-based, current text) of an open document as an AI region."""
    od = server.doc(uri)
    if od is None:
        raise RingfenceError(f"{uri} is not open")
    if not 0 <= start <= end < max(len(od.lines), 1):
        raise RingfenceError(f"lines {start + 1}..{end + 1} are outside {uri}")
    existing = od.regions.find(start, end)
    region = existing or od.regions.add(
        start, end, tool, source=source, model=model, version=od.version
    )
    return RegionHandle(server, od, region)


async def apply_edit(server, od: OpenDoc, edits: list[types.TextEdit], label: str) -> bool:
    """``workspace/applyEdit`` against the document's current version; True when applied."""
    if _supports_document_changes(server):
        edit = types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=od.uri, version=od.version
                    ),
                    edits=edits,
                )
            ]
        )
    else:
        edit = types.WorkspaceEdit(changes={od.uri: edits})
    try:
        result = await asyncio.wait_for(
            server.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=edit, label=label)
            ),
            APPLY_EDIT_TIMEOUT,
        )
    except (asyncio.TimeoutError, Exception) as exc:
        log.warning("%s: workspace/applyEdit failed: %s", label, exc or type(exc).__name__)
        return False
    return bool(result and result.applied)


async def wait_for_version(server, uri: str, version: int, timeout: float = 5.0) -> bool:
    """Wait until the client's didChange brought ``uri`` to at least ``version``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        od = server.doc(uri)
        if od is not None and od.version is not None and od.version >= version:
            return True
        if asyncio.get_running_loop().time() >= deadline:
            return False
        await asyncio.sleep(0.01)


def _supports_document_changes(server) -> bool:
    workspace = server.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    return bool(edit and edit.document_changes)
