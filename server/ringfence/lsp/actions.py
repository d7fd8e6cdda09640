"""Code actions and the commands behind them (docs/lsp.md, Code actions and commands).

Which action is offered on which finding is decided here, once: no action ever turns a deny
finding into an accepted one except removing the AI lines (revert, or a handoff that reverts).
"""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types

from ringfence.lsp import exports
from ringfence.lsp.api import RegionHandle, RegionRef, apply_edit, find_region
from ringfence.lsp.diagnostics import SOURCE, Where, decision_where, region_code, where
from ringfence.lsp.names import DISMISS, HANDOFF, OPEN_ZONE, REVERT, REVIEW, TAG
from ringfence.lsp.state import OpenDoc
from ringfence.provenance.comments import provenance_markers

log = logging.getLogger(__name__)

QUICKFIX = types.CodeActionKind.QuickFix
SHOW_DOCUMENT_TIMEOUT = 10.0


class ActionError(Exception):
    """An action that cannot run as asked: shown to the user as one Error message."""


def code_actions(server, params: types.CodeActionParams) -> list[types.CodeAction]:
    od = server.doc(params.text_document.uri)
    if od is None or od.view is None:
        return []
    out: list[types.CodeAction] = []
    done: set[str] = set()
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != SOURCE:
            continue
        region_id = diagnostic.data.get("regionId") if isinstance(diagnostic.data, dict) else None
        handle = find_region(server, od.uri, region_id)
        if handle is not None and region_id is not None and region_id not in done:
            done.add(region_id)
            out.extend(region_actions(server, handle, diagnostic))
        elif handle is None:
            out.extend(_open_zone_action(od, diagnostic.range.start.line, diagnostic))
    first, last = params.range.start.line, params.range.end.line
    for region in od.regions.overlapping(first, last):
        if region.id not in done:
            out.extend(region_actions(server, RegionHandle(server, od, region), None))
    out.extend(
        exports.code_actions(server, od, list(params.context.diagnostics))
    )  # RF103: Regenerate <file>
    return out


def region_actions(
    server, handle: RegionHandle, diagnostic: types.Diagnostic | None
) -> list[types.CodeAction]:
    """The actions offered on the region's current finding (docs/lsp.md, Code actions)."""
    od, region = handle.doc, handle.region
    at = handle.where()
    found = region_code(od, region, at)
    if found is None:
        return []
    code = found[0]
    ref = {"uri": od.uri, "regionId": region.id}
    diagnostics = [diagnostic] if diagnostic is not None else None
    lines = f"{region.line_count()} line{'s' * (region.line_count() != 1)}"
    out = []

    def add(title: str, command: str, kind=QUICKFIX, preferred: bool | None = None) -> None:
        out.append(
            types.CodeAction(
                title=title,
                kind=kind,
                diagnostics=diagnostics,
                is_preferred=preferred,
                command=types.Command(title=title, command=command, arguments=[ref]),
            )
        )

    if region.can_revert(od.lines):
        add(f"Revert AI edit ({lines} by {region.tool})", REVERT, preferred=found[1] == 1 or None)
    assistant = od.repo.active.assistant
    if (
        code in ("RF001", "RF002", "RF005")
        and at.level.inhouse_edits != "deny"
        and assistant is not None
    ):
        add(f"Move to {assistant.name}", HANDOFF)
    if code in ("RF002", "RF005"):
        add(
            f"Tag provenance (record {region.tool if code == 'RF002' else 'this as AI-written'})",
            TAG,
        )
    elif region.tagged_hash != handle.content_hash():
        add("Tag provenance (record the origin so pipelines exclude it; the error stays)", TAG)
    if code == "RF002":
        add("Mark as human-reviewed", REVIEW)
    if code == "RF005":
        add("Not AI: I wrote this", DISMISS)
    out.extend(_open_zone_action(od, region.start, diagnostic, ref, at))
    return out


def _open_zone_action(
    od: OpenDoc, line: int, diagnostic, ref: dict | None = None, at: Where | None = None
) -> list[types.CodeAction]:
    at = at or where(od, line, line)
    if at.location is None:
        return []
    title = f"Open zone definition ({at.label}, {at.level.name})"
    return [
        types.CodeAction(
            title=title,
            diagnostics=[diagnostic] if diagnostic else None,
            command=types.Command(
                title=title, command=OPEN_ZONE, arguments=[ref or {"uri": od.uri, "line": line}]
            ),
        )
    ]


# ----- commands ------------------------------------------------------------------------------


def _region(server, ref: RegionRef) -> RegionHandle:
    handle = find_region(server, ref.uri, ref.region_id)
    if handle is None:
        raise ActionError(
            "that AI region is gone (the file changed or was closed); nothing was done"
        )
    return handle


async def revert(server, ref: RegionRef) -> dict:
    handle = _region(server, ref)
    edit = handle.revert_edit()
    if edit is None:
        raise ActionError("cannot revert: the AI lines were changed since they were inserted")
    if not await apply_edit(server, handle.doc, [edit], "Revert AI edit"):
        raise ActionError("the editor did not apply the revert; nothing was changed")
    return {"applied": True}


async def tag_provenance(server, ref: RegionRef) -> dict:
    handle = _region(server, ref)
    od, region = handle.doc, handle.region
    if region.source == "heuristic":
        region.source, region.pending = (
            "client",
            False,
        )  # confirmed AI: a certain region from now on
    if od.repo.active.settings.provenance_style == "comment":
        markers = provenance_markers(
            od.path, od.lines[region.start], region.tool, region.model, od.language_id
        )
        if markers is not None:
            return await _wrap(server, handle, *markers)
    record = handle.record("tagged")
    server.publish(od)
    return {"style": "trace", "recordId": record["id"], "state": "tagged"}


async def _wrap(server, handle: RegionHandle, begin: str, end: str) -> dict:
    od, region = handle.doc, handle.region
    after = od.text.lines_end(region.end)
    last_has_break = after.character == 0 and after.line == region.end + 1
    edits = [
        types.TextEdit(
            range=types.Range(
                start=types.Position(line=region.start, character=0),
                end=types.Position(line=region.start, character=0),
            ),
            new_text=begin + "\n",
        ),
        types.TextEdit(
            range=types.Range(start=after, end=after),
            new_text=end + "\n" if last_has_break else "\n" + end,
        ),
    ]
    if not await apply_edit(server, od, edits, "Tag provenance"):
        raise ActionError("the editor did not apply the provenance comments; nothing was recorded")
    return {"style": "comment", "state": "tagged"}


async def mark_reviewed(server, ref: RegionRef) -> dict:
    handle = _region(server, ref)
    found = region_code(handle.doc, handle.region, handle.where())
    if found is None or found[0] != "RF002":
        raise ActionError(
            "'Mark as human-reviewed' applies only to AI edits that need provenance (RF002)"
        )
    record = handle.record("reviewed", reviewer=await git_user_email(handle.doc.repo.root) or None)
    server.publish(handle.doc)
    return {"recordId": record["id"], "state": "reviewed"}


async def dismiss_heuristic(server, ref: RegionRef) -> dict:
    handle = _region(server, ref)
    if handle.region.source != "heuristic":
        raise ActionError("only a guessed (heuristic) AI edit can be dismissed")
    handle.doc.regions.remove(handle.region.id)
    server.publish(handle.doc)
    return {"dismissed": handle.region.id}


async def open_zone(server, ref: RegionRef) -> dict:
    od = server.doc(ref.uri)
    if od is None:
        raise ActionError(f"{ref.uri} is not open")
    handle = find_region(server, ref.uri, ref.region_id)
    if handle is not None:
        at = handle.where()
    elif ref.line is not None:
        at = where(od, ref.line, ref.line)
    else:
        at = decision_where(od.repo, od.view.decision, od.uri)
    if at.location is None:
        raise ActionError(f"no rule gives this file its level ({at.level.name}: {at.label})")
    uri, line = at.location
    selection = types.Range(
        start=types.Position(line=line, character=0), end=types.Position(line=line, character=0)
    )
    try:  # a client that never answers must not hang the command
        shown = await asyncio.wait_for(
            server.window_show_document_async(
                types.ShowDocumentParams(uri=uri, take_focus=True, selection=selection)
            ),
            SHOW_DOCUMENT_TIMEOUT,
        )
    except asyncio.TimeoutError:
        log.warning("window/showDocument for %s got no answer", uri)
        shown = None
    return {"uri": uri, "line": line, "shown": bool(shown and shown.success)}


async def git_user_email(root: str) -> str:
    """``git config user.email`` in the repository ("" when unset or git is missing)."""
    try:
        process = await asyncio.create_subprocess_exec(
            "git",
            "config",
            "user.email",
            cwd=root,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        out, _ = await asyncio.wait_for(process.communicate(), 10)
    except (OSError, asyncio.TimeoutError):
        return ""
    return out.decode("utf-8", "replace").strip()
